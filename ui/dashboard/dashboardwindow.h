#pragma once

#include "usage/usagelog.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QDateTime;
class QDateTimeEdit;
class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QTimer;

namespace sy {

class Clock;
class UsageChartView;
class UsageTableModel;
struct ChartTimeAxis;

// The usage dashboard: cost, tokens, requests and latency over a time range, plus a sortable breakdown table.
// Reads only UsageLog::query() and refreshes itself (throttled) when the log commits rows.
class DashboardWindow : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardWindow)
public:
    enum class Range { Last24Hours, Last7Days, Last30Days, Custom };

    // `log` may be null (usage logging off): the window then says so.
    explicit DashboardWindow(UsageLog* log, QWidget* parent = nullptr);
    ~DashboardWindow() override;

    // Where "now" comes from (tests inject a fixed clock); null = the system clock. Refreshes.
    void setClock(const Clock* clock);
    void setRange(Range range);
    // Switches to the custom range [from, to).
    void setCustomRange(const QDateTime& from, const QDateTime& to);
    Range range() const;
    UsageLog* usageLog() const { return m_log; }
    // Queries the log and redraws everything now.
    void refresh();

    // Live refresh runs at most every RefreshThrottleMs, or every 4 refresh durations when querying takes long (big
    // ranges on a busy gateway), so that the window stays responsive.
    static constexpr int RefreshThrottleMs = 500;
    static constexpr int MaxStackedGroups = 7; // the rest are stacked as "Other"

private:
    struct TimeWindow;
    TimeWindow currentWindow() const;
    void refreshNow();
    void onRangeChanged();
    void scheduleRefresh(int delayMs);
    void showEmptyState(const QString& title, const QString& text, const QString& hint = QString());
    void updateSummary(const UsageTotals& total, bool hasLog);
    void updateCharts(const TimeWindow& window, const UsageReport& overall, const UsageReport& stacked);
    void updateTable(const UsageReport& breakdown);

    QPointer<UsageLog> m_log;
    const Clock* m_clock;
    QComboBox* m_rangeCombo = nullptr;
    QComboBox* m_stackCombo = nullptr;
    QComboBox* m_breakdownCombo = nullptr;
    QDateTimeEdit* m_fromEdit = nullptr;
    QDateTimeEdit* m_toEdit = nullptr;
    QLabel* m_costLabel = nullptr;
    QLabel* m_requestsLabel = nullptr;
    QLabel* m_errorsLabel = nullptr;
    QLabel* m_tokensLabel = nullptr;
    QLabel* m_latencyLabel = nullptr;
    QStackedWidget* m_stack = nullptr;
    QWidget* m_content = nullptr;
    QLabel* m_emptyState = nullptr;
    UsageChartView* m_costChart = nullptr;
    UsageChartView* m_tokensChart = nullptr;
    UsageChartView* m_requestsChart = nullptr;
    UsageChartView* m_latencyChart = nullptr;
    QTableView* m_table = nullptr;
    UsageTableModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTimer* m_refreshTimer = nullptr;
    QTimer* m_tickTimer = nullptr;
    qint64 m_lastRefreshMs = 0;
};

} // namespace sy
