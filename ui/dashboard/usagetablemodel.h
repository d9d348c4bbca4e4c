#pragma once

#include "usage/usagelog.h"

#include <QAbstractTableModel>
#include <QList>

namespace sy {

// The dashboard's breakdown table: one row per group (model, provider, account or client) of a usage report.
// DisplayRole holds the formatted text, SortRole the raw number (or the key) so that a proxy sorts numerically.
class UsageTableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsageTableModel)
public:
    enum Column {
        KeyColumn,
        RequestsColumn,
        ErrorsColumn,
        ErrorRateColumn,
        InputColumn,
        OutputColumn,
        CacheReadColumn,
        CacheWriteColumn,
        CostColumn,
        P50Column,
        P95Column,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole;

    explicit UsageTableModel(QObject* parent = nullptr);

    // `keyTitle` heads the first column ("Model", "Provider", ...).
    void setRows(const QList<UsageTotals>& rows, const QString& keyTitle);
    const QList<UsageTotals>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Shared with the dashboard's summary: "$1.23", "$1.23 (2 unpriced)" or "n/a (5 unpriced)"; never a silent $0.00.
    static QString formatCost(const UsageTotals& totals);
    static QString formatUsd(double usd);
    // The tooltip explaining unpriced requests; empty when there are none.
    static QString unpricedNote(qint64 unpricedRequests);

private:
    QList<UsageTotals> m_rows;
    QString m_keyTitle;
};

} // namespace sy
