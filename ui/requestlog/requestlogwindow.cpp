#include "requestlog/requestlogwindow.h"

#include "gateway/gatewayservice.h"
#include "usage/pricing.h"
#include "usage/usagelog.h"

#include <QAbstractTableModel>
#include <QBrush>
#include <QCoreApplication>
#include <QDateTime>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPalette>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <deque>

namespace sy {

namespace {

constexpr int SearchRole = Qt::UserRole + 1;

struct LogEntry
{
    UsageRow row;
    QString errorMessage; // live rows only (the usage log keeps the error type)
};

QString tokens(qint64 n)
{
    return n < 0 ? QStringLiteral("–") : QLocale().toString(n);
}

qint64 known(qint64 n)
{
    return n < 0 ? 0 : n;
}

qint64 inputTotal(const UsageRow& r)
{
    if (r.inputTokens < 0 && r.cacheReadTokens < 0 && r.cacheWriteTokens < 0)
        return -1;
    return known(r.inputTokens) + known(r.cacheReadTokens) + known(r.cacheWriteTokens);
}

QString duration(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("–");
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', ms < 10000 ? 2 : 1));
}

} // namespace

// The rows, newest first.
class RequestLogModel : public QAbstractTableModel
{
public:
    enum Column { Time, Client, Model, Account, Status, Tokens, Cost, Latency, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = QModelIndex()) const override
    {
        return parent.isValid() ? 0 : int(m_entries.size());
    }
    int columnCount(const QModelIndex& parent = QModelIndex()) const override
    {
        return parent.isValid() ? 0 : ColumnCount;
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return QAbstractTableModel::headerData(section, orientation, role);
        switch (section) {
        case Time:
            return RequestLogWindow::tr("Time");
        case Client:
            return RequestLogWindow::tr("Client");
        case Model:
            return RequestLogWindow::tr("Model → provider/model");
        case Account:
            return RequestLogWindow::tr("Account");
        case Status:
            return RequestLogWindow::tr("Status");
        case Tokens:
            return RequestLogWindow::tr("Tokens in/out");
        case Cost:
            return RequestLogWindow::tr("Cost");
        case Latency:
            return RequestLogWindow::tr("Latency");
        default:
            return QVariant();
        }
    }

    QVariant data(const QModelIndex& index, int role) const override
    {
        if (!index.isValid() || index.row() >= int(m_entries.size()))
            return QVariant();
        const LogEntry& e = m_entries.at(size_t(index.row()));
        const UsageRow& r = e.row;
        if (role == SearchRole) {
            return QStringList {r.requestedModel, r.provider, r.model, r.provider + QLatin1Char('/') + r.model,
                r.client, QString::number(r.status), r.errorType, e.errorMessage, r.credential, r.requestId}
                .join(QLatin1Char('\n'));
        }
        if (role == Qt::ForegroundRole && index.column() == Status && (r.status >= 400 || !r.errorType.isEmpty()))
            return QBrush(Qt::red);
        if (role == Qt::TextAlignmentRole
            && (index.column() == Tokens || index.column() == Cost || index.column() == Latency))
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        if (role == Qt::ToolTipRole) {
            if (index.column() == Time)
                return QDateTime::fromMSecsSinceEpoch(r.timeMs).toString(Qt::ISODateWithMs);
            if (index.column() == Tokens)
                return RequestLogWindow::tr("input %1, cache read %2, cache write %3, output %4, reasoning %5")
                    .arg(tokens(r.inputTokens), tokens(r.cacheReadTokens), tokens(r.cacheWriteTokens),
                        tokens(r.outputTokens), tokens(r.reasoningTokens));
            if (index.column() == Status && !e.errorMessage.isEmpty())
                return e.errorMessage;
            return QVariant();
        }
        if (role != Qt::DisplayRole)
            return QVariant();
        switch (index.column()) {
        case Time: {
            const QDateTime t = QDateTime::fromMSecsSinceEpoch(r.timeMs);
            return t.date() == QDate::currentDate() ? t.toString(QStringLiteral("HH:mm:ss"))
                                                    : t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        }
        case Client:
            return r.client.isEmpty() ? RequestLogWindow::tr("unknown") : r.client;
        case Model: {
            const QString target
                = r.provider.isEmpty() ? QStringLiteral("–") : QString(r.provider + QLatin1Char('/') + r.model);
            return QString(r.requestedModel + QStringLiteral(" → ") + target);
        }
        case Account:
            return r.credential;
        case Status:
            return r.errorType.isEmpty() ? QString::number(r.status)
                                         : QString(QString::number(r.status) + QStringLiteral(" ") + r.errorType);
        case Tokens:
            return QString(tokens(inputTotal(r)) + QStringLiteral(" / ") + tokens(r.outputTokens));
        case Cost:
            return costText(r.costUsd);
        case Latency:
            return duration(r.totalMs);
        default:
            return QVariant();
        }
    }

    static QString costText(const std::optional<double>& cost)
    {
        if (!cost)
            return RequestLogWindow::tr("n/a");
        const double v = *cost;
        return QStringLiteral("$") + QLocale().toString(v, 'f', v == 0 ? 2 : (v < 0.01 ? 5 : (v < 1 ? 4 : 2)));
    }

    void reset(const QList<UsageRow>& rows)
    {
        beginResetModel();
        m_entries.clear();
        m_ids.clear();
        for (const UsageRow& r : rows) {
            if (int(m_entries.size()) >= RequestLogWindow::MaxRows)
                break;
            if (!r.requestId.isEmpty() && m_ids.contains(r.requestId))
                continue;
            m_ids.insert(r.requestId);
            m_entries.push_back({r, QString()});
        }
        endResetModel();
    }

    void prepend(const LogEntry& entry)
    {
        if (!entry.row.requestId.isEmpty() && m_ids.contains(entry.row.requestId))
            return;
        beginInsertRows(QModelIndex(), 0, 0);
        m_entries.push_front(entry);
        m_ids.insert(entry.row.requestId);
        endInsertRows();
        if (int(m_entries.size()) > RequestLogWindow::MaxRows) {
            const int first = RequestLogWindow::MaxRows;
            const int last = int(m_entries.size()) - 1;
            beginRemoveRows(QModelIndex(), first, last);
            while (int(m_entries.size()) > RequestLogWindow::MaxRows) {
                m_ids.remove(m_entries.back().row.requestId);
                m_entries.pop_back();
            }
            endRemoveRows();
        }
    }

    const LogEntry* entry(int row) const
    {
        return row >= 0 && row < int(m_entries.size()) ? &m_entries.at(size_t(row)) : nullptr;
    }

private:
    std::deque<LogEntry> m_entries;
    QSet<QString> m_ids;
};

RequestLogWindow::RequestLogWindow(GatewayService* service, QWidget* parent)
    : QWidget(parent)
    , m_service(service)
{
    setWindowTitle(tr("Request log — Switchyard"));
    setObjectName(QStringLiteral("requestLogWindow"));
    resize(1100, 650);

    m_model = new RequestLogModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(SearchRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(0);

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter by model, provider, client, status or error"));
    m_filterEdit->setClearButtonEnabled(true);

    m_noticeLabel = new QLabel(this);
    m_noticeLabel->setObjectName(QStringLiteral("noticeLabel"));
    m_noticeLabel->setWordWrap(true);
    m_noticeLabel->hide();

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("requestTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(RequestLogModel::Model, QHeaderView::Stretch);

    m_detailView = new QTextBrowser(this);
    m_detailView->setObjectName(QStringLiteral("detailView"));
    m_detailView->setOpenLinks(false);
    m_detailView->setPlaceholderText(tr("Select a request to see its attempts and its error."));

    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("countLabel"));

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detailView);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_filterEdit);
    layout->addWidget(m_noticeLabel);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_countLabel);

    connect(m_filterEdit, &QLineEdit::textChanged, this, &RequestLogWindow::onFilterChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RequestLogWindow::updateDetails);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RequestLogWindow::updateDetails);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &RequestLogWindow::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &RequestLogWindow::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &RequestLogWindow::updateCount);
    if (m_service)
        connect(m_service, &GatewayService::requestCompleted, this, &RequestLogWindow::onRequestCompleted);

    reload();
    for (int c = 0; c < RequestLogModel::ColumnCount; ++c) {
        if (c != RequestLogModel::Model)
            m_table->resizeColumnToContents(c);
    }
}

RequestLogWindow::~RequestLogWindow() = default;

void RequestLogWindow::reload()
{
    UsageLog* log = m_service ? m_service->usageLog() : nullptr;
    if (!log || !log->isOpen()) {
        m_model->reset({});
        m_noticeLabel->setText(tr("Usage logging is off: only requests made while this window is open are shown."));
        m_noticeLabel->show();
        return;
    }
    m_noticeLabel->hide();
    log->flush(); // rows recorded just before the window opened
    m_model->reset(log->recent(InitialRows));
    updateDetails();
}

int RequestLogWindow::visibleRows() const
{
    return m_proxy->rowCount();
}

int RequestLogWindow::totalRows() const
{
    return m_model->rowCount();
}

void RequestLogWindow::onRequestCompleted(const RequestRecord& record)
{
    UsageLog* log = m_service ? m_service->usageLog() : nullptr;
    const PriceTable prices = log ? log->prices() : PriceTable::defaults();
    m_model->prepend({UsageRow::fromRecord(record, prices), record.errorMessage});
}

void RequestLogWindow::onFilterChanged(const QString& text)
{
    m_proxy->setFilterFixedString(text.trimmed());
    updateDetails();
}

void RequestLogWindow::updateCount()
{
    const int shown = m_proxy->rowCount();
    const int total = m_model->rowCount();
    m_countLabel->setText(
        shown == total ? tr("%n request(s)", nullptr, total) : tr("%1 of %n request(s)", nullptr, total).arg(shown));
}

void RequestLogWindow::updateDetails()
{
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    const QModelIndex current = selected.isEmpty() ? QModelIndex() : m_proxy->mapToSource(selected.constFirst());
    const LogEntry* e = current.isValid() ? m_model->entry(current.row()) : nullptr;
    if (!e) {
        m_detailView->clear();
        return;
    }
    const UsageRow& r = e->row;
    auto esc = [](const QString& s) { return s.toHtmlEscaped(); };
    auto line = [&](const QString& label, const QString& value) {
        return QString(QStringLiteral("<tr><td><b>") + esc(label) + QStringLiteral("</b></td><td>") + esc(value)
            + QStringLiteral("</td></tr>"));
    };

    QString html = QStringLiteral("<table cellspacing=\"2\">");
    html += line(tr("Request"), r.requestId);
    html += line(tr("Time"), QDateTime::fromMSecsSinceEpoch(r.timeMs).toString(Qt::ISODateWithMs));
    html += line(tr("Client"), r.client.isEmpty() ? tr("unknown") : r.client);
    html += line(tr("Dialect"), r.dialect + (r.stream ? tr(" (streaming)") : QString()));
    html += line(tr("Requested model"), r.requestedModel);
    html += line(tr("Provider/model"),
        r.provider.isEmpty() ? QStringLiteral("–") : QString(r.provider + QLatin1Char('/') + r.model));
    html += line(tr("Account"), r.credential);
    html += line(tr("Status"), QString::number(r.status));
    if (!r.errorType.isEmpty() || !e->errorMessage.isEmpty())
        html += line(tr("Error"),
            e->errorMessage.isEmpty() ? r.errorType : QString(r.errorType + QStringLiteral(": ") + e->errorMessage));
    html += line(tr("Tokens"),
        tr("input %1, cache read %2, cache write %3, output %4, reasoning %5")
            .arg(tokens(r.inputTokens), tokens(r.cacheReadTokens), tokens(r.cacheWriteTokens), tokens(r.outputTokens),
                tokens(r.reasoningTokens)));
    html += line(tr("Cost"), RequestLogModel::costText(r.costUsd));
    html += line(tr("Latency"), tr("first byte %1, total %2").arg(duration(r.ttfbMs), duration(r.totalMs)));
    html += QStringLiteral("</table>");

    const QJsonArray attempts = QJsonDocument::fromJson(r.attemptsJson.toUtf8()).array();
    html += QStringLiteral("<h4>") + esc(tr("Attempts (%1)").arg(attempts.size())) + QStringLiteral("</h4>");
    if (attempts.isEmpty()) {
        html += QStringLiteral("<p>") + esc(tr("No upstream attempt (answered by the gateway)."))
            + QStringLiteral("</p>");
    } else {
        html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\"><tr>");
        const QStringList headers {tr("#"), tr("Provider"), tr("Model"), tr("Credential"), tr("Status"), tr("Outcome"),
            tr("Error"), tr("Time")};
        for (const QString& h : headers)
            html += QStringLiteral("<th>") + esc(h) + QStringLiteral("</th>");
        html += QStringLiteral("</tr>");
        int n = 0;
        for (const QJsonValue& value : attempts) {
            const QJsonObject a = value.toObject();
            const int status = a.value(QLatin1String("status")).toInt();
            const QStringList cells {QString::number(++n), a.value(QLatin1String("provider")).toString(),
                a.value(QLatin1String("model")).toString(), a.value(QLatin1String("credential")).toString(),
                status ? QString::number(status) : tr("none"), a.value(QLatin1String("outcome")).toString(),
                a.value(QLatin1String("error")).toString(), duration(qint64(a.value(QLatin1String("ms")).toDouble()))};
            html += QStringLiteral("<tr>");
            for (const QString& c : cells)
                html += QStringLiteral("<td>") + esc(c) + QStringLiteral("</td>");
            html += QStringLiteral("</tr>");
        }
        html += QStringLiteral("</table>");
    }
    m_detailView->setHtml(html);
}

} // namespace sy
