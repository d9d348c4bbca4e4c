#include "usagetablemodel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace sy {

UsageTableModel::UsageTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_keyTitle(tr("Model"))
{
}

void UsageTableModel::setRows(const QList<UsageTotals>& rows, const QString& keyTitle)
{
    beginResetModel();
    m_rows = rows;
    m_keyTitle = keyTitle;
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, KeyColumn, KeyColumn);
}

int UsageTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int UsageTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QString UsageTableModel::formatUsd(double usd)
{
    return QStringLiteral("$") + QLocale().toString(usd, 'f', usd > 0 && usd < 0.01 ? 4 : 2);
}

QString UsageTableModel::unpricedNote(qint64 unpricedRequests)
{
    if (unpricedRequests <= 0)
        return QString();
    return tr("Unpriced requests: %1. Their models have no known price, so they are not included in the cost; add "
              "prices in the config's \"pricing\" section.")
        .arg(QLocale().toString(unpricedRequests));
}

QString UsageTableModel::formatCost(const UsageTotals& totals)
{
    const bool allUnpriced = totals.unpricedRequests > 0 && totals.unpricedRequests >= totals.requests;
    const QString amount = allUnpriced ? tr("n/a") : formatUsd(totals.costUsd);
    if (totals.unpricedRequests <= 0)
        return amount;
    return tr("%1 (%n unpriced)", nullptr, int(totals.unpricedRequests)).arg(amount);
}

QVariant UsageTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= ColumnCount)
        return QVariant();
    const UsageTotals& t = m_rows.at(index.row());
    const QLocale locale;
    const bool allUnpriced = t.unpricedRequests > 0 && t.unpricedRequests >= t.requests;
    if (role == SortRole) {
        switch (index.column()) {
        case KeyColumn:
            return t.key.toLower();
        case RequestsColumn:
            return t.requests;
        case ErrorsColumn:
            return t.errors;
        case ErrorRateColumn:
            return t.errorRate();
        case InputColumn:
            return t.inputTokens;
        case OutputColumn:
            return t.outputTokens;
        case CacheReadColumn:
            return t.cacheReadTokens;
        case CacheWriteColumn:
            return t.cacheWriteTokens;
        case CostColumn:
            return allUnpriced ? -1.0 : t.costUsd; // unknown sorts below free
        case P50Column:
            return t.p50Ms;
        case P95Column:
            return t.p95Ms;
        }
        return QVariant();
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case KeyColumn:
            return t.key.isEmpty() ? tr("(unknown)") : t.key;
        case RequestsColumn:
            return locale.toString(t.requests);
        case ErrorsColumn:
            return locale.toString(t.errors);
        case ErrorRateColumn:
            return tr("%1 %").arg(locale.toString(t.errorRate() * 100, 'f', 1));
        case InputColumn:
            return locale.toString(t.inputTokens);
        case OutputColumn:
            return locale.toString(t.outputTokens);
        case CacheReadColumn:
            return locale.toString(t.cacheReadTokens);
        case CacheWriteColumn:
            return locale.toString(t.cacheWriteTokens);
        case CostColumn:
            return formatCost(t);
        case P50Column:
            return locale.toString(qRound64(t.p50Ms));
        case P95Column:
            return locale.toString(qRound64(t.p95Ms));
        }
        return QVariant();
    }
    if (role == Qt::TextAlignmentRole)
        return index.column() == KeyColumn ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                           : int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == CostColumn && t.unpricedRequests > 0)
        return unpricedNote(t.unpricedRequests);
    if (role == Qt::ToolTipRole && index.column() == KeyColumn)
        return t.key;
    if (role == Qt::ForegroundRole && index.column() == CostColumn && t.unpricedRequests > 0)
        return QBrush(QColor(176, 96, 0));
    if (role == Qt::ForegroundRole && index.column() == ErrorsColumn && t.errors > 0)
        return QBrush(QColor(190, 40, 40));
    return QVariant();
}

QVariant UsageTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QVariant();
    if (role == Qt::TextAlignmentRole)
        return section == KeyColumn ? int(Qt::AlignLeft | Qt::AlignVCenter) : int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case KeyColumn:
        return m_keyTitle;
    case RequestsColumn:
        return tr("Requests");
    case ErrorsColumn:
        return tr("Errors");
    case ErrorRateColumn:
        return tr("Error %");
    case InputColumn:
        return tr("Input");
    case OutputColumn:
        return tr("Output");
    case CacheReadColumn:
        return tr("Cache read");
    case CacheWriteColumn:
        return tr("Cache write");
    case CostColumn:
        return tr("Cost");
    case P50Column:
        return tr("p50 ms");
    case P95Column:
        return tr("p95 ms");
    }
    return QVariant();
}

} // namespace sy
