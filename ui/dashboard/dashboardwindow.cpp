#include "dashboardwindow.h"

#include "common/clock.h"
#include "usagechartview.h"
#include "usagetablemodel.h"

#include <QChart>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QElapsedTimer>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>
#include <limits>

namespace sy {

namespace {

constexpr qint64 HourMs = 3600 * 1000;
constexpr qint64 DayMs = 24 * HourMs;
constexpr int TickIntervalMs = 60 * 1000; // the preset ranges slide with the clock
constexpr int MaxCustomBuckets = 2000;

// Tableau 10: distinct, colour-blind friendly, calm on a white background.
const QColor GroupColors[] = {QColor(0x4E, 0x79, 0xA7), QColor(0xF2, 0x8E, 0x2B), QColor(0x59, 0xA1, 0x4F),
    QColor(0xE1, 0x57, 0x59), QColor(0x76, 0xB7, 0xB2), QColor(0xED, 0xC9, 0x48), QColor(0xB0, 0x7A, 0xA1),
    QColor(0xFF, 0x9D, 0xA7), QColor(0x9C, 0x75, 0x5F)};
const QColor OtherColor(0xBA, 0xB0, 0xAC);
const QColor RequestsColor(0x4E, 0x79, 0xA7);
const QColor ErrorsColor(0xE1, 0x57, 0x59);

qint64 floorTo(qint64 ms, qint64 step)
{
    qint64 r = ms % step;
    if (r < 0)
        r += step;
    return ms - r;
}

qint64 localDayStart(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).date().startOfDay().toMSecsSinceEpoch();
}

QString compactNumber(qint64 n)
{
    const QLocale locale;
    const double v = double(n);
    if (n >= 1'000'000'000)
        return locale.toString(v / 1e9, 'f', 2) + QStringLiteral("B");
    if (n >= 1'000'000)
        return locale.toString(v / 1e6, 'f', 2) + QStringLiteral("M");
    if (n >= 10'000)
        return locale.toString(v / 1e3, 'f', 1) + QStringLiteral("k");
    return locale.toString(n);
}

QString formatLatency(double ms)
{
    const QLocale locale;
    if (ms >= 1000)
        return DashboardWindow::tr("%1 s").arg(locale.toString(ms / 1000, 'f', ms >= 10000 ? 1 : 2));
    return DashboardWindow::tr("%1 ms").arg(locale.toString(qRound64(ms)));
}

QLabel* addCard(QHBoxLayout* row, const QString& caption, const QString& objectName)
{
    auto* card = new QFrame();
    card->setObjectName(QStringLiteral("summaryCard"));
    auto* layout = new QVBoxLayout(card);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    auto* captionLabel = new QLabel(caption);
    captionLabel->setObjectName(QStringLiteral("summaryCaption"));
    auto* value = new QLabel();
    value->setObjectName(objectName);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = value->font();
    f.setPointSizeF(f.pointSizeF() * 1.5);
    f.setBold(true);
    value->setFont(f);
    layout->addWidget(captionLabel);
    layout->addWidget(value);
    row->addWidget(card, 1);
    return value;
}

QString groupName(const QString& key)
{
    return key.isEmpty() ? DashboardWindow::tr("(unknown)") : key;
}

} // namespace

struct DashboardWindow::TimeWindow
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
    UsageBucket bucket = UsageBucket::Hour;
    ChartTimeAxis axis;
};

DashboardWindow::DashboardWindow(UsageLog* log, QWidget* parent)
    : QWidget(parent)
    , m_log(log)
    , m_clock(&systemClock())
{
    setWindowFlag(Qt::Window);
    setWindowTitle(tr("Switchyard — Usage"));
    setObjectName(QStringLiteral("dashboardWindow"));
    setStyleSheet(QStringLiteral("QFrame#summaryCard { background: palette(base); border: 1px solid palette(mid); "
                                 "border-radius: 6px; } QLabel#summaryCaption { color: palette(placeholder-text); }"));

    // Header: range, custom from/to, stack by.
    m_rangeCombo = new QComboBox();
    m_rangeCombo->setObjectName(QStringLiteral("rangeCombo"));
    m_rangeCombo->addItem(tr("Last 24 hours"), int(Range::Last24Hours));
    m_rangeCombo->addItem(tr("Last 7 days"), int(Range::Last7Days));
    m_rangeCombo->addItem(tr("Last 30 days"), int(Range::Last30Days));
    m_rangeCombo->addItem(tr("Custom…"), int(Range::Custom));
    m_rangeCombo->setCurrentIndex(1);
    m_fromEdit = new QDateTimeEdit();
    m_fromEdit->setObjectName(QStringLiteral("fromEdit"));
    m_toEdit = new QDateTimeEdit();
    m_toEdit->setObjectName(QStringLiteral("toEdit"));
    for (QDateTimeEdit* edit : {m_fromEdit, m_toEdit}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setEnabled(false);
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, [this] {
            if (range() == Range::Custom)
                scheduleRefresh(300);
        });
    }
    m_stackCombo = new QComboBox();
    m_stackCombo->setObjectName(QStringLiteral("stackCombo"));
    m_stackCombo->addItem(tr("Provider"), int(UsageGroup::Provider));
    m_stackCombo->addItem(tr("Model"), int(UsageGroup::Model));

    auto* title = new QLabel(tr("Usage"));
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto* header = new QHBoxLayout();
    header->addWidget(title);
    header->addStretch(1);
    auto* rangeLabel = new QLabel(tr("&Range:"));
    rangeLabel->setBuddy(m_rangeCombo);
    header->addWidget(rangeLabel);
    header->addWidget(m_rangeCombo);
    header->addWidget(m_fromEdit);
    header->addWidget(new QLabel(QStringLiteral("–")));
    header->addWidget(m_toEdit);
    header->addSpacing(16);
    auto* stackLabel = new QLabel(tr("&Stack by:"));
    stackLabel->setBuddy(m_stackCombo);
    header->addWidget(stackLabel);
    header->addWidget(m_stackCombo);

    // Summary cards.
    auto* cards = new QHBoxLayout();
    cards->setSpacing(10);
    m_costLabel = addCard(cards, tr("Cost"), QStringLiteral("costLabel"));
    m_requestsLabel = addCard(cards, tr("Requests"), QStringLiteral("requestsLabel"));
    m_errorsLabel = addCard(cards, tr("Errors"), QStringLiteral("errorsLabel"));
    m_tokensLabel = addCard(cards, tr("Tokens"), QStringLiteral("tokensLabel"));
    m_latencyLabel = addCard(cards, tr("Latency p50 / p95"), QStringLiteral("latencyLabel"));

    // Charts.
    m_costChart = new UsageChartView(tr("Cost (USD)"));
    m_costChart->setObjectName(QStringLiteral("costChart"));
    m_tokensChart = new UsageChartView(tr("Tokens"));
    m_tokensChart->setObjectName(QStringLiteral("tokensChart"));
    m_requestsChart = new UsageChartView(tr("Requests and errors"));
    m_requestsChart->setObjectName(QStringLiteral("requestsChart"));
    m_latencyChart = new UsageChartView(tr("Latency"));
    m_latencyChart->setObjectName(QStringLiteral("latencyChart"));
    auto* charts = new QWidget();
    auto* grid = new QGridLayout(charts);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(8);
    grid->addWidget(m_costChart, 0, 0);
    grid->addWidget(m_tokensChart, 0, 1);
    grid->addWidget(m_requestsChart, 1, 0);
    grid->addWidget(m_latencyChart, 1, 1);

    // Breakdown table.
    m_breakdownCombo = new QComboBox();
    m_breakdownCombo->setObjectName(QStringLiteral("breakdownCombo"));
    m_breakdownCombo->addItem(tr("Model"), int(UsageGroup::Model));
    m_breakdownCombo->addItem(tr("Provider"), int(UsageGroup::Provider));
    m_breakdownCombo->addItem(tr("Account"), int(UsageGroup::Credential));
    m_breakdownCombo->addItem(tr("Client"), int(UsageGroup::Client));
    m_model = new UsageTableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(UsageTableModel::SortRole);
    m_proxy->setDynamicSortFilter(true);
    m_table = new QTableView();
    m_table->setObjectName(QStringLiteral("breakdownTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(UsageTableModel::CostColumn, Qt::DescendingOrder);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(UsageTableModel::KeyColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setHighlightSections(false);
    auto* tablePane = new QWidget();
    auto* tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 4, 0, 0);
    auto* tableHeader = new QHBoxLayout();
    auto* breakdownTitle = new QLabel(tr("&Breakdown by:"));
    breakdownTitle->setBuddy(m_breakdownCombo);
    QFont bold = breakdownTitle->font();
    bold.setBold(true);
    breakdownTitle->setFont(bold);
    tableHeader->addWidget(breakdownTitle);
    tableHeader->addWidget(m_breakdownCombo);
    tableHeader->addStretch(1);
    tableLayout->addLayout(tableHeader);
    tableLayout->addWidget(m_table);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(charts);
    splitter->addWidget(tablePane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    m_content = splitter;

    // Empty state.
    m_emptyState = new QLabel();
    m_emptyState->setObjectName(QStringLiteral("emptyState"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setMargin(40);

    m_stack = new QStackedWidget();
    m_stack->addWidget(m_content);
    m_stack->addWidget(m_emptyState);

    auto* root = new QVBoxLayout(this);
    root->setContentsMargins(14, 12, 14, 12);
    root->setSpacing(10);
    root->addLayout(header);
    root->addLayout(cards);
    root->addWidget(m_stack, 1);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    connect(m_refreshTimer, &QTimer::timeout, this, &DashboardWindow::refresh);
    m_tickTimer = new QTimer(this);
    m_tickTimer->setInterval(TickIntervalMs);
    connect(m_tickTimer, &QTimer::timeout, this, [this] {
        if (isVisible() && range() != Range::Custom)
            refresh();
    });
    m_tickTimer->start();

    connect(m_rangeCombo, &QComboBox::currentIndexChanged, this, &DashboardWindow::onRangeChanged);
    connect(m_stackCombo, &QComboBox::currentIndexChanged, this, &DashboardWindow::refresh);
    connect(m_breakdownCombo, &QComboBox::currentIndexChanged, this, &DashboardWindow::refresh);
    if (m_log) {
        // Throttled rather than debounced: under steady traffic the log commits every few hundred ms, and a
        // restarting timer would never fire.
        connect(m_log, &UsageLog::rowsCommitted, this, [this] {
            if (!m_refreshTimer->isActive())
                scheduleRefresh(std::max<int>(RefreshThrottleMs, int(4 * m_lastRefreshMs)));
        });
    }

    resize(1200, 840);
    refresh();
}

DashboardWindow::~DashboardWindow() = default;

void DashboardWindow::setClock(const Clock* clock)
{
    m_clock = clock ? clock : &systemClock();
    refresh();
}

DashboardWindow::Range DashboardWindow::range() const
{
    return Range(m_rangeCombo->currentData().toInt());
}

void DashboardWindow::setRange(Range range)
{
    const int index = m_rangeCombo->findData(int(range));
    if (index == m_rangeCombo->currentIndex())
        refresh();
    else
        m_rangeCombo->setCurrentIndex(index);
}

void DashboardWindow::setCustomRange(const QDateTime& from, const QDateTime& to)
{
    {
        const QSignalBlocker blockFrom(m_fromEdit);
        const QSignalBlocker blockTo(m_toEdit);
        m_fromEdit->setDateTime(from);
        m_toEdit->setDateTime(to);
    }
    const QSignalBlocker blockRange(m_rangeCombo);
    m_rangeCombo->setCurrentIndex(m_rangeCombo->findData(int(Range::Custom)));
    m_fromEdit->setEnabled(true);
    m_toEdit->setEnabled(true);
    refresh();
}

void DashboardWindow::onRangeChanged()
{
    const bool custom = range() == Range::Custom;
    m_fromEdit->setEnabled(custom);
    m_toEdit->setEnabled(custom);
    refresh();
}

void DashboardWindow::scheduleRefresh(int delayMs)
{
    m_refreshTimer->start(delayMs);
}

DashboardWindow::TimeWindow DashboardWindow::currentWindow() const
{
    const qint64 now = m_clock->nowMs();
    TimeWindow w;
    ChartTimeAxis& axis = w.axis;
    switch (range()) {
    case Range::Last24Hours:
        // 24 hourly buckets, the current hour last.
        axis.bucketMs = HourMs;
        axis.startMs = floorTo(now, HourMs) - 23 * HourMs;
        axis.buckets = 24;
        axis.labelFormat = QStringLiteral("HH:mm");
        axis.tickCount = 7;
        w.fromMs = axis.startMs;
        w.toMs = axis.startMs + 24 * HourMs;
        break;
    case Range::Last7Days: {
        // Hourly buckets (the daily rhythm stays visible) over today and the 6 days before, one tick per midnight.
        const qint64 today = localDayStart(now);
        const qint64 first = QDateTime::fromMSecsSinceEpoch(today).addDays(-6).toMSecsSinceEpoch();
        const qint64 end = QDateTime::fromMSecsSinceEpoch(today).addDays(1).toMSecsSinceEpoch();
        axis.bucketMs = HourMs;
        axis.startMs = floorTo(first, HourMs);
        axis.buckets = int((end - axis.startMs + HourMs - 1) / HourMs);
        axis.labelFormat = QStringLiteral("ddd d");
        axis.tickCount = 8;
        w.fromMs = axis.startMs;
        w.toMs = floorTo(now, HourMs) + HourMs;
        break;
    }
    case Range::Last30Days:
        axis.bucketMs = DayMs;
        axis.startMs = floorTo(now, DayMs) - 29 * DayMs;
        axis.buckets = 30;
        axis.labelFormat = QStringLiteral("d MMM");
        axis.tickCount = 7;
        axis.utcDates = true;
        w.bucket = UsageBucket::Day;
        w.fromMs = axis.startMs;
        w.toMs = axis.startMs + 30 * DayMs;
        break;
    case Range::Custom: {
        w.fromMs = m_fromEdit->dateTime().toMSecsSinceEpoch();
        w.toMs = std::max(w.fromMs, m_toEdit->dateTime().toMSecsSinceEpoch());
        const qint64 span = w.toMs - w.fromMs;
        const bool hourly = span <= 8 * DayMs;
        axis.bucketMs = hourly ? HourMs : DayMs;
        axis.utcDates = !hourly;
        w.bucket = hourly ? UsageBucket::Hour : UsageBucket::Day;
        axis.startMs = floorTo(w.fromMs, axis.bucketMs);
        axis.buckets = int(std::clamp<qint64>(
            (w.toMs - axis.startMs + axis.bucketMs - 1) / axis.bucketMs, 1, qint64(MaxCustomBuckets)));
        if (hourly)
            axis.labelFormat = span <= 36 * HourMs ? QStringLiteral("HH:mm") : QStringLiteral("d MMM HH:mm");
        else
            axis.labelFormat = span > 300 * DayMs ? QStringLiteral("d MMM yy") : QStringLiteral("d MMM");
        axis.tickCount = std::min(axis.buckets + 1, hourly && span > 36 * HourMs ? 5 : 7);
        break;
    }
    }
    return w;
}

void DashboardWindow::refresh()
{
    m_refreshTimer->stop();
    QElapsedTimer elapsed;
    elapsed.start();
    refreshNow();
    m_lastRefreshMs = elapsed.elapsed();
}

void DashboardWindow::refreshNow()
{
    const TimeWindow w = currentWindow();
    if (range() != Range::Custom) {
        const QSignalBlocker blockFrom(m_fromEdit);
        const QSignalBlocker blockTo(m_toEdit);
        m_fromEdit->setDateTime(QDateTime::fromMSecsSinceEpoch(w.fromMs));
        m_toEdit->setDateTime(QDateTime::fromMSecsSinceEpoch(w.toMs));
    }
    if (!m_log || !m_log->isOpen()) {
        updateSummary(UsageTotals(), false);
        m_model->setRows({}, m_breakdownCombo->currentText());
        showEmptyState(tr("The usage log is not available"),
            tr("The usage database could not be opened, so there is nothing to show. Switchyard's log says why."));
        return;
    }

    UsageQuery q;
    q.fromMs = w.fromMs;
    q.toMs = w.toMs;
    q.bucket = w.bucket;
    q.groupBy = UsageGroup::None;
    const UsageReport overall = m_log->query(q);
    updateSummary(overall.total, true);
    if (overall.total.requests == 0) {
        m_model->setRows({}, m_breakdownCombo->currentText());
        showEmptyState(tr("No requests yet in this range"),
            tr("Point Claude Code, Codex or Gemini CLI at Switchyard and they will show up here."),
            tr("Or pick a longer range above."));
        return;
    }
    m_stack->setCurrentWidget(m_content);

    q.groupBy = UsageGroup(m_stackCombo->currentData().toInt());
    const UsageReport stacked = m_log->query(q);
    updateCharts(w, overall, stacked);

    q.groupBy = UsageGroup(m_breakdownCombo->currentData().toInt());
    q.bucket = UsageBucket::None;
    updateTable(m_log->query(q));
}

void DashboardWindow::showEmptyState(const QString& title, const QString& text, const QString& hint)
{
    QString html = QStringLiteral("<h2>") + title.toHtmlEscaped() + QStringLiteral("</h2><p style=\"font-size:large\">")
        + text.toHtmlEscaped() + QStringLiteral("</p>");
    if (!hint.isEmpty())
        html += QStringLiteral("<p style=\"color:#707070\">") + hint.toHtmlEscaped() + QStringLiteral("</p>");
    m_emptyState->setText(html);
    m_stack->setCurrentWidget(m_emptyState);
    for (UsageChartView* chart : {m_costChart, m_tokensChart, m_requestsChart, m_latencyChart})
        chart->clearData();
}

void DashboardWindow::updateSummary(const UsageTotals& total, bool hasLog)
{
    const QLocale locale;
    if (!hasLog) {
        for (QLabel* label : {m_costLabel, m_requestsLabel, m_errorsLabel, m_tokensLabel, m_latencyLabel})
            label->setText(tr("n/a"));
        return;
    }
    m_costLabel->setText(UsageTableModel::formatCost(total));
    m_costLabel->setToolTip(UsageTableModel::unpricedNote(total.unpricedRequests));
    m_requestsLabel->setText(locale.toString(total.requests));
    m_errorsLabel->setText(
        tr("%1 (%2 %)").arg(locale.toString(total.errors), locale.toString(total.errorRate() * 100, 'f', 1)));
    m_tokensLabel->setText(compactNumber(total.totalTokens()));
    m_tokensLabel->setToolTip(tr("Input: %1\nOutput: %2\nCache read: %3\nCache write: %4")
                                  .arg(locale.toString(total.inputTokens), locale.toString(total.outputTokens),
                                      locale.toString(total.cacheReadTokens), locale.toString(total.cacheWriteTokens)));
    m_latencyLabel->setText(
        total.requests > 0 ? tr("%1 / %2").arg(formatLatency(total.p50Ms), formatLatency(total.p95Ms)) : tr("n/a"));
}

void DashboardWindow::updateCharts(const TimeWindow& w, const UsageReport& overall, const UsageReport& stacked)
{
    const ChartTimeAxis& axis = w.axis;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto bucketIndex = [&axis](qint64 bucketMs) {
        const qint64 i = (bucketMs - axis.startMs) / axis.bucketMs;
        return bucketMs < axis.startMs || i >= axis.buckets ? -1 : int(i);
    };

    // Requests, errors and latency from the ungrouped series.
    ChartSeriesData requests {tr("Requests"), RequestsColor, QList<double>(axis.buckets, 0.0)};
    ChartSeriesData errors {tr("Errors"), ErrorsColor, QList<double>(axis.buckets, 0.0)};
    ChartSeriesData p50 {tr("p50"), GroupColors[0], QList<double>(axis.buckets, nan)};
    ChartSeriesData p95 {tr("p95"), GroupColors[1], QList<double>(axis.buckets, nan)};
    for (const UsagePoint& point : overall.series) {
        const int i = bucketIndex(point.bucketMs);
        if (i < 0)
            continue;
        requests.values[i] += double(point.totals.requests);
        errors.values[i] += double(point.totals.errors);
        if (point.totals.requests > 0) {
            p50.values[i] = point.totals.p50Ms;
            p95.values[i] = point.totals.p95Ms;
        }
    }
    m_requestsChart->setData(
        UsageChartView::Style::OverlaidAreas, UsageChartView::Unit::Count, axis, {requests, errors});
    m_latencyChart->setData(UsageChartView::Style::Lines, UsageChartView::Unit::Milliseconds, axis, {p50, p95});

    // Cost and tokens stacked by the chosen group: the biggest groups (by cost, then requests) each on their own,
    // the rest as "Other".
    const bool needOther = stacked.groups.size() > MaxStackedGroups + 1;
    const int shown = needOther ? MaxStackedGroups : int(stacked.groups.size());
    QHash<QString, int> slot;
    QList<ChartSeriesData> cost;
    for (int g = 0; g < stacked.groups.size(); ++g) {
        const UsageTotals& group = stacked.groups.at(g);
        slot.insert(group.key, std::min(g, shown));
        if (g < shown)
            cost.append(
                {groupName(group.key), GroupColors[g % std::size(GroupColors)], QList<double>(axis.buckets, 0.0)});
    }
    if (needOther)
        cost.append({tr("Other"), OtherColor, QList<double>(axis.buckets, 0.0)});
    QList<ChartSeriesData> tokens = cost;
    for (const UsagePoint& point : stacked.series) {
        const int i = bucketIndex(point.bucketMs);
        const int s = slot.value(point.totals.key, -1);
        if (i < 0 || s < 0)
            continue;
        cost[s].values[i] += point.totals.costUsd;
        tokens[s].values[i] += double(point.totals.totalTokens());
    }
    m_costChart->setData(UsageChartView::Style::StackedAreas, UsageChartView::Unit::Usd, axis, cost);
    // Requests without a known price cannot be drawn; the title says how many are missing (never a silent $0).
    const qint64 unpriced = overall.total.unpricedRequests;
    m_costChart->chart()->setTitle(unpriced > 0
            ? tr("Cost (USD), excluding %1 unpriced requests").arg(QLocale().toString(unpriced))
            : tr("Cost (USD)"));
    m_tokensChart->setData(UsageChartView::Style::StackedAreas, UsageChartView::Unit::Tokens, axis, tokens);
}

void DashboardWindow::updateTable(const UsageReport& breakdown)
{
    m_model->setRows(breakdown.groups, m_breakdownCombo->currentText());
}

} // namespace sy
