// The usage dashboard, rendered offscreen over a seeded usage log: charts per provider/model, summary totals, the
// sortable breakdown table, the empty state and live refresh. With SWITCHYARD_SCREENSHOT_DIR set it also saves the
// README screenshots there.

#include "config/config.h"
#include "dashboard/dashboardwindow.h"
#include "dashboard/usagetablemodel.h"
#include "gateway/gatewayservice.h"
#include "testclock.h"
#include "tray/traycontroller.h"
#include "usage/usagelog.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QAreaSeries>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QPointer>
#include <QRandomGenerator>
#include <QSet>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace sy;

namespace {

constexpr qint64 HourMs = 3600 * 1000;

struct SeedModel
{
    const char* provider;
    const char* model;
    const char* credential;
    const char* client;
    int weight;
    int latencyMinMs;
    int latencyMaxMs;
    bool canFail;
};

// One unpriced model (a local Ollama one); the others have prices set below.
const SeedModel SeedModels[] = {
    {"anthropic", "claude-sonnet-4-5", "anthropic-max", "claude-code", 40, 4000, 22000, true},
    {"anthropic", "claude-haiku-4-5", "anthropic-team", "claude-code", 15, 700, 3000, true},
    {"openai", "gpt-5", "openai-key", "codex", 15, 5000, 30000, true},
    {"openai", "gpt-5-mini", "openai-key", "codex", 10, 900, 4000, true},
    {"deepseek", "deepseek-chat", "deepseek-key", "", 12, 2000, 9000, true},
    {"ollama", "qwen3-coder:30b", "local", "gemini-cli", 8, 3000, 12000, false},
};

QString str(const char* s)
{
    return QString::fromLatin1(s);
}

RequestRecord makeRecord(const SeedModel& m, qint64 timeMs, QRandomGenerator& rng, bool fail, int serial)
{
    RequestRecord r;
    r.requestId = QStringLiteral("req-%1").arg(serial);
    r.startedAt = QDateTime::fromMSecsSinceEpoch(timeMs, QTimeZone::utc());
    r.method = QStringLiteral("POST");
    r.path = QStringLiteral("/v1/messages");
    r.clientModel = str(m.model);
    r.providerId = str(m.provider);
    r.upstreamModel = str(m.model);
    r.credentialId = str(m.credential);
    r.client = str(m.client);
    r.stream = rng.bounded(10) < 8;
    r.totalMs = m.latencyMinMs + rng.bounded(m.latencyMaxMs - m.latencyMinMs);
    if (fail) {
        const int kind = rng.bounded(3);
        r.status = kind == 0 ? 429 : (kind == 1 ? 529 : 500);
        r.errorType = kind == 0 ? QStringLiteral("rate_limit_error")
                                : (kind == 1 ? QStringLiteral("overloaded_error") : QStringLiteral("api_error"));
        r.totalMs = 100 + rng.bounded(900);
        return r;
    }
    r.status = 200;
    r.firstByteMs = r.totalMs / 5;
    r.usage.inputTokens = 300 + rng.bounded(6000);
    r.usage.outputTokens = 80 + rng.bounded(2500);
    r.usage.cacheReadTokens = str(m.provider) == QLatin1String("ollama") ? 0 : rng.bounded(60000);
    r.usage.cacheWriteTokens = rng.bounded(4) == 0 ? rng.bounded(8000) : 0;
    return r;
}

QStringList seriesNames(QChartView* view)
{
    QStringList names;
    for (QAbstractSeries* s : view->chart()->series())
        names.append(s->name());
    return names;
}

// The largest value of a series: for a (stacked) area its own height, upper edge minus lower edge.
double maxY(QAbstractSeries* s)
{
    double max = -1;
    if (auto* area = qobject_cast<QAreaSeries*>(s)) {
        const QList<QPointF> upper = area->upperSeries()->points();
        const QList<QPointF> lower = area->lowerSeries() ? area->lowerSeries()->points() : QList<QPointF>();
        for (int i = 0; i < upper.size(); ++i)
            max = std::max(max, upper.at(i).y() - (i < lower.size() ? lower.at(i).y() : 0.0));
    } else if (auto* xy = qobject_cast<QXYSeries*>(s)) {
        for (const QPointF& p : xy->points())
            max = std::max(max, p.y());
    }
    return max;
}

template<typename T> T* child(QWidget* w, const char* name)
{
    return w->findChild<T*>(QString::fromLatin1(name));
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    UsageLog m_log;
    TestClock m_clock {QDateTime(QDate(2025, 6, 13), QTime(14, 30), QTimeZone::utc()).toMSecsSinceEpoch()};
    int m_requests = 0; // all seeded rows (all inside the last 7 days)
    int m_errors = 0;
    int m_unpriced = 0;
    int m_requests24h = 0;
    int m_errors24h = 0;
    int m_serial = 0;
    QSet<QString> m_providers, m_models, m_credentials, m_clients;

    void saveShot(QWidget* w, const QString& name)
    {
        // Charts lay out their legends from posted LayoutRequest events: let them run before grabbing.
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        const QImage image = w->grab().toImage();
        QVERIFY(!image.isNull());
        const QString dir = qEnvironmentVariable("SWITCHYARD_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        QDir().mkpath(dir);
        // RGB without alpha keeps the PNGs small (well under 200 KB).
        QVERIFY(image.convertToFormat(QImage::Format_RGB888).save(QDir(dir).filePath(name), "PNG", 9));
    }

    static void waitExposed(QWidget* w)
    {
        w->resize(1280, 900);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_log.open(m_dir.filePath(QStringLiteral("usage.sqlite")), &error), qPrintable(error));
        const QJsonObject pricing {{QStringLiteral("models"),
            QJsonObject {
                {QStringLiteral("claude-sonnet-4-5"),
                    QJsonObject {{QStringLiteral("input"), 3.0}, {QStringLiteral("output"), 15.0},
                        {QStringLiteral("cache_read"), 0.30}, {QStringLiteral("cache_write"), 3.75}}},
                {QStringLiteral("claude-haiku-4-5"),
                    QJsonObject {{QStringLiteral("input"), 1.0}, {QStringLiteral("output"), 5.0},
                        {QStringLiteral("cache_read"), 0.10}, {QStringLiteral("cache_write"), 1.25}}},
                {QStringLiteral("gpt-5"),
                    QJsonObject {{QStringLiteral("input"), 1.25}, {QStringLiteral("output"), 10.0},
                        {QStringLiteral("cache_read"), 0.125}}},
                {QStringLiteral("gpt-5-mini"),
                    QJsonObject {{QStringLiteral("input"), 0.25}, {QStringLiteral("output"), 2.0},
                        {QStringLiteral("cache_read"), 0.025}}},
                {QStringLiteral("deepseek-chat"),
                    QJsonObject {{QStringLiteral("input"), 0.27}, {QStringLiteral("output"), 1.10},
                        {QStringLiteral("cache_read"), 0.07}}},
            }}};
        const auto prices = PriceTable().withOverrides(pricing);
        QVERIFY2(prices.ok(), prices.ok() ? "" : qPrintable(prices.error()));
        QVERIFY(prices->find(QStringLiteral("claude-sonnet-4-5")).has_value());
        QVERIFY(!prices->find(QStringLiteral("qwen3-coder:30b")).has_value());
        m_log.setPrices(*prices);

        // Six days of traffic with a working-day rhythm, a burst of errors, and a busier last day.
        QRandomGenerator rng(42);
        int totalWeight = 0;
        for (const SeedModel& m : SeedModels)
            totalWeight += m.weight;
        const qint64 now = m_clock.nowMs();
        const qint64 dayStart24h = now - now % HourMs - 23 * HourMs; // the 24-hour view: this hour and the 23 before
        for (int age = 0; age < 144; ++age) {
            const qint64 hourTime = now - age * HourMs;
            const int hourOfDay = QDateTime::fromMSecsSinceEpoch(hourTime, QTimeZone::utc()).time().hour();
            const bool working = hourOfDay >= 8 && hourOfDay < 20;
            int count = working ? 2 + rng.bounded(7) : rng.bounded(2);
            if (age < 24 && working)
                count += 3;
            for (int k = 0; k < count; ++k) {
                int pick = rng.bounded(totalWeight);
                const SeedModel* m = &SeedModels[0];
                for (const SeedModel& candidate : SeedModels) {
                    if (pick < candidate.weight) {
                        m = &candidate;
                        break;
                    }
                    pick -= candidate.weight;
                }
                const bool burst = age == 30 && m->canFail; // an overloaded upstream for an hour
                const bool fail = m->canFail && (burst || rng.bounded(100) < 4);
                const qint64 t = hourTime - rng.bounded(int(HourMs - 1000)); // within the hour before hourTime
                const RequestRecord record = makeRecord(*m, t, rng, fail, ++m_serial);
                m_log.record(record);
                ++m_requests;
                m_errors += fail ? 1 : 0;
                m_unpriced += m->canFail ? 0 : 1;
                m_requests24h += t >= dayStart24h ? 1 : 0;
                m_errors24h += t >= dayStart24h && fail ? 1 : 0;
                m_providers.insert(str(m->provider));
                m_models.insert(str(m->model));
                m_credentials.insert(str(m->credential));
                m_clients.insert(str(m->client).isEmpty() ? QStringLiteral("(unknown)") : str(m->client));
            }
        }
        m_log.flush();
        QVERIFY(m_requests > 200);
        QVERIFY(m_errors > 5);
        QVERIFY(m_unpriced > 0);
    }

    void summaryShowsTheTotals()
    {
        DashboardWindow w(&m_log);
        w.setClock(&m_clock);
        w.setRange(DashboardWindow::Range::Last7Days);
        const QLocale locale;
        QCOMPARE(child<QLabel>(&w, "requestsLabel")->text(), locale.toString(m_requests));
        const QString errors = child<QLabel>(&w, "errorsLabel")->text();
        QVERIFY2(errors.startsWith(locale.toString(m_errors) + QLatin1String(" (")), qPrintable(errors));
        QVERIFY2(errors.contains(locale.toString(100.0 * m_errors / m_requests, 'f', 1)), qPrintable(errors));
        // The unpriced model's requests are flagged, never counted as $0.00 silently.
        const QString cost = child<QLabel>(&w, "costLabel")->text();
        QVERIFY2(cost.startsWith(QLatin1Char('$')), qPrintable(cost));
        QVERIFY2(cost.endsWith(QStringLiteral("(%1 unpriced)").arg(m_unpriced)), qPrintable(cost));
        QVERIFY(!child<QLabel>(&w, "tokensLabel")->text().isEmpty());
        QVERIFY(child<QLabel>(&w, "latencyLabel")->text().contains(QLatin1String(" / ")));

        w.setRange(DashboardWindow::Range::Last24Hours);
        QCOMPARE(child<QLabel>(&w, "requestsLabel")->text(), locale.toString(m_requests24h));
        w.setRange(DashboardWindow::Range::Last30Days);
        QCOMPARE(child<QLabel>(&w, "requestsLabel")->text(), locale.toString(m_requests));
    }

    void chartsHaveOneSeriesPerGroup()
    {
        DashboardWindow w(&m_log);
        w.setClock(&m_clock);
        waitExposed(&w);
        auto* cost = child<QChartView>(&w, "costChart");
        auto* tokens = child<QChartView>(&w, "tokensChart");
        auto* requests = child<QChartView>(&w, "requestsChart");
        auto* latency = child<QChartView>(&w, "latencyChart");
        QVERIFY(cost && tokens && requests && latency);
        QVERIFY(cost->isVisible());
        QVERIFY(!child<QLabel>(&w, "emptyState")->isVisible());

        // Stacked by provider (the default).
        QCOMPARE(child<QComboBox>(&w, "stackCombo")->currentText(), QStringLiteral("Provider"));
        QStringList names = seriesNames(tokens);
        QCOMPARE(QSet<QString>(names.begin(), names.end()), m_providers);
        for (QAbstractSeries* s : tokens->chart()->series())
            QVERIFY2(maxY(s) > 0, qPrintable(s->name()));
        QCOMPARE(seriesNames(cost), seriesNames(tokens));
        for (QAbstractSeries* s : cost->chart()->series()) {
            // The unpriced model's provider has no cost to draw; the title says so instead of a silent $0.
            if (s->name() == QLatin1String("ollama"))
                QCOMPARE(maxY(s), 0.0);
            else
                QVERIFY2(maxY(s) > 0, qPrintable(s->name()));
        }
        const QString costTitle = cost->chart()->title();
        QVERIFY2(costTitle.contains(QStringLiteral("excluding %1 unpriced requests").arg(m_unpriced)),
            qPrintable(costTitle));
        QCOMPARE(seriesNames(requests), QStringList({QStringLiteral("Requests"), QStringLiteral("Errors")}));
        for (QAbstractSeries* s : requests->chart()->series())
            QVERIFY2(maxY(s) > 0, qPrintable(s->name()));
        QCOMPARE(seriesNames(latency), QStringList({QStringLiteral("p50"), QStringLiteral("p95")}));
        for (QAbstractSeries* s : latency->chart()->series()) {
            QVERIFY(qobject_cast<QLineSeries*>(s));
            QVERIFY(qobject_cast<QLineSeries*>(s)->count() > 24);
            QVERIFY(maxY(s) > 0);
        }

        // Stacked by model.
        child<QComboBox>(&w, "stackCombo")->setCurrentIndex(1);
        names = seriesNames(tokens);
        QCOMPARE(QSet<QString>(names.begin(), names.end()), m_models);
        QCOMPARE(seriesNames(cost), seriesNames(tokens));
        // Sorted by cost: the unpriced model comes last.
        QCOMPARE(seriesNames(cost).last(), QStringLiteral("qwen3-coder:30b"));
    }

    void breakdownTableSortsNumerically()
    {
        DashboardWindow w(&m_log);
        w.setClock(&m_clock);
        waitExposed(&w);
        auto* table = child<QTableView>(&w, "breakdownTable");
        QVERIFY(table);
        QAbstractItemModel* model = table->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->columnCount(), int(UsageTableModel::ColumnCount));
        QCOMPARE(model->headerData(0, Qt::Horizontal).toString(), QStringLiteral("Model"));
        QCOMPARE(model->rowCount(), int(m_models.size()));
        QSet<QString> keys;
        int requestSum = 0;
        for (int r = 0; r < model->rowCount(); ++r) {
            keys.insert(model->index(r, UsageTableModel::KeyColumn).data().toString());
            requestSum += model->index(r, UsageTableModel::RequestsColumn).data(UsageTableModel::SortRole).toInt();
            if (model->index(r, 0).data().toString() == QLatin1String("qwen3-coder:30b"))
                QCOMPARE(model->index(r, UsageTableModel::CostColumn).data().toString(),
                    QStringLiteral("n/a (%1 unpriced)").arg(m_unpriced));
        }
        QCOMPARE(keys, m_models);
        QCOMPARE(requestSum, m_requests);

        auto costs = [model] {
            QList<double> values;
            for (int r = 0; r < model->rowCount(); ++r)
                values.append(model->index(r, UsageTableModel::CostColumn).data(UsageTableModel::SortRole).toDouble());
            return values;
        };
        table->sortByColumn(UsageTableModel::CostColumn, Qt::DescendingOrder);
        QList<double> values = costs();
        QVERIFY(std::is_sorted(values.rbegin(), values.rend()));
        QVERIFY(values.first() > values.last());
        QCOMPARE(model->index(model->rowCount() - 1, 0).data().toString(), QStringLiteral("qwen3-coder:30b"));

        // A click on the (already sorted) cost header flips the order.
        QHeaderView* header = table->horizontalHeader();
        const QPoint pos(header->sectionViewportPosition(UsageTableModel::CostColumn)
                + header->sectionSize(UsageTableModel::CostColumn) / 2,
            header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, pos);
        QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
        values = costs();
        QVERIFY(std::is_sorted(values.begin(), values.end()));
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("qwen3-coder:30b"));

        // Numeric, not text, order on the request counts too.
        table->sortByColumn(UsageTableModel::RequestsColumn, Qt::DescendingOrder);
        QList<qint64> counts;
        for (int r = 0; r < model->rowCount(); ++r)
            counts.append(
                model->index(r, UsageTableModel::RequestsColumn).data(UsageTableModel::SortRole).toLongLong());
        QVERIFY(std::is_sorted(counts.rbegin(), counts.rend()));

        auto* group = child<QComboBox>(&w, "breakdownCombo");
        group->setCurrentIndex(group->findText(QStringLiteral("Provider")));
        QCOMPARE(model->rowCount(), int(m_providers.size()));
        QCOMPARE(model->headerData(0, Qt::Horizontal).toString(), QStringLiteral("Provider"));
        group->setCurrentIndex(group->findText(QStringLiteral("Account")));
        QCOMPARE(model->rowCount(), int(m_credentials.size()));
        group->setCurrentIndex(group->findText(QStringLiteral("Client")));
        keys.clear();
        for (int r = 0; r < model->rowCount(); ++r)
            keys.insert(model->index(r, 0).data().toString());
        QCOMPARE(keys, m_clients);
    }

    void emptyStateForARangeWithoutRequests()
    {
        QTemporaryDir dir;
        UsageLog fresh;
        QVERIFY(fresh.open(dir.filePath(QStringLiteral("empty.sqlite"))));
        DashboardWindow w(&fresh);
        w.setClock(&m_clock);
        waitExposed(&w);
        auto* empty = child<QLabel>(&w, "emptyState");
        QVERIFY(empty->isVisible());
        QVERIFY(empty->text().contains(QLatin1String("No requests")));
        QVERIFY(!child<QChartView>(&w, "costChart")->isVisible());
        QVERIFY(!child<QTableView>(&w, "breakdownTable")->isVisible());
        QCOMPARE(child<QLabel>(&w, "requestsLabel")->text(), QStringLiteral("0"));
        QVERIFY(!child<QLabel>(&w, "costLabel")->text().contains(QLatin1String("unpriced")));
        saveShot(&w, QStringLiteral("dashboard-empty.png"));

        // The seeded log, in a custom range before any request: empty; back to the last 7 days: charts.
        DashboardWindow seeded(&m_log);
        seeded.setClock(&m_clock);
        waitExposed(&seeded);
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(m_clock.nowMs());
        seeded.setCustomRange(now.addDays(-40), now.addDays(-20));
        QCOMPARE(child<QComboBox>(&seeded, "rangeCombo")->currentIndex(), 3);
        QVERIFY(child<QWidget>(&seeded, "fromEdit")->isEnabled());
        QVERIFY(child<QLabel>(&seeded, "emptyState")->isVisible());
        QVERIFY(!child<QChartView>(&seeded, "costChart")->isVisible());
        child<QComboBox>(&seeded, "rangeCombo")->setCurrentIndex(1);
        QVERIFY(!child<QWidget>(&seeded, "fromEdit")->isEnabled());
        QVERIFY(!child<QLabel>(&seeded, "emptyState")->isVisible());
        QVERIFY(child<QChartView>(&seeded, "costChart")->isVisible());
    }

    void noUsageLogSaysSo()
    {
        DashboardWindow w(nullptr);
        waitExposed(&w);
        QVERIFY(child<QLabel>(&w, "emptyState")->isVisible());
        QCOMPARE(child<QLabel>(&w, "costLabel")->text(), QStringLiteral("n/a"));
    }

    void screenshots()
    {
        DashboardWindow w(&m_log);
        w.setClock(&m_clock);
        waitExposed(&w);
        w.setRange(DashboardWindow::Range::Last7Days);
        child<QComboBox>(&w, "stackCombo")->setCurrentIndex(0);
        saveShot(&w, QStringLiteral("dashboard-7d-provider.png"));
        w.setRange(DashboardWindow::Range::Last24Hours);
        child<QComboBox>(&w, "stackCombo")->setCurrentIndex(1);
        saveShot(&w, QStringLiteral("dashboard-24h-model.png"));
    }

    // The tray's "Dashboard" action: disabled without a usage log, then opens one window and raises it again.
    void trayOpensOneDashboard()
    {
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        QVERIFY(config.ok());
        GatewayService service;
        service.setConfig(*config);
        TrayController tray(&service, QString());
        QAction* action = nullptr;
        for (QAction* a : tray.menu()->actions())
            if (a->objectName() == QLatin1String("dashboardAction"))
                action = a;
        QVERIFY(action);
        QVERIFY(!service.usageLog());
        QVERIFY(!action->isEnabled());

        QTemporaryDir dir;
        QVERIFY(service.openUsageLog(dir.filePath(QStringLiteral("usage.sqlite"))));
        Q_EMIT tray.menu()->aboutToShow();
        QVERIFY(action->isEnabled());
        action->trigger();
        QPointer<DashboardWindow> first = tray.dashboard();
        QVERIFY(first);
        QVERIFY(QTest::qWaitForWindowExposed(first));
        QCOMPARE(first->usageLog(), service.usageLog());
        action->trigger();
        QCOMPARE(tray.dashboard(), first.data());

        // Closing deletes the window; the next request makes a new one.
        first->close();
        QTRY_VERIFY(!first);
        QVERIFY(!tray.dashboard());
        tray.showDashboard();
        QVERIFY(tray.dashboard());
        QVERIFY(tray.dashboard()->isVisible());
    }

    // Runs last: it adds rows to the shared log.
    void refreshesLiveWhenRowsAreCommitted()
    {
        DashboardWindow w(&m_log);
        w.setClock(&m_clock);
        w.setRange(DashboardWindow::Range::Last24Hours);
        waitExposed(&w);
        auto* requests = child<QLabel>(&w, "requestsLabel");
        QCOMPARE(requests->text(), QLocale().toString(m_requests24h));
        QRandomGenerator rng(7);
        for (int i = 0; i < 3; ++i)
            m_log.record(makeRecord(SeedModels[0], m_clock.nowMs() - 60000 * (i + 1), rng, i == 2, ++m_serial));
        m_log.flush();
        QTRY_COMPARE(requests->text(), QLocale().toString(m_requests24h + 3));
        QTRY_VERIFY(child<QLabel>(&w, "errorsLabel")->text().startsWith(QLocale().toString(m_errors24h + 1)));
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
