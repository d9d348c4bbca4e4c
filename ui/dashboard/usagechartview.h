#pragma once

#include <QChartView>
#include <QColor>
#include <QList>
#include <QString>

class QDateTimeAxis;
class QValueAxis;

namespace sy {

// One series of a chart: a value per time bucket; NaN = no value (lines skip it, areas draw 0).
struct ChartSeriesData
{
    QString name;
    QColor color;
    QList<double> values;
};

// The time axis: `buckets` buckets of `bucketMs` from `startMs`.
struct ChartTimeAxis
{
    qint64 startMs = 0;
    qint64 bucketMs = 3600000;
    int buckets = 0;
    QString labelFormat = QStringLiteral("HH:mm"); // QDateTime format of the tick labels
    int tickCount = 7;
    // Buckets are UTC days: label them with their UTC date (the axis itself draws local time).
    bool utcDates = false;
};

// A chart of usage over time: stacked step areas (one bucket = one flat step), overlaid step areas, or lines through
// the bucket midpoints. The only place besides DashboardWindow that touches Qt Charts.
class UsageChartView : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsageChartView)
public:
    enum class Style { StackedAreas, OverlaidAreas, Lines };
    enum class Unit { Usd, Count, Tokens, Milliseconds };

    explicit UsageChartView(const QString& title, QWidget* parent = nullptr);

    void setData(Style style, Unit unit, const ChartTimeAxis& time, const QList<ChartSeriesData>& series);
    void clearData();
    QString title() const;

private:
    void onHovered(int seriesIndex, const QPointF& point, bool state);
    qint64 displayMs(qint64 ms) const;
    QString formatValue(double value) const;

    QDateTimeAxis* m_timeAxis = nullptr; // kept across setData(): re-creating axes leaves stale labels behind
    QValueAxis* m_valueAxis = nullptr;
    Unit m_unit = Unit::Count;
    ChartTimeAxis m_time;
    QList<ChartSeriesData> m_series;
};

} // namespace sy
