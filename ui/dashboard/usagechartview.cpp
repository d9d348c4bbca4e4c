#include "usagechartview.h"

#include <QAreaSeries>
#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFontMetrics>
#include <QGraphicsLayout>
#include <QLineSeries>
#include <QLocale>
#include <QTimeZone>
#include <QToolTip>
#include <QValueAxis>

#include <cmath>

namespace sy {

namespace {

constexpr int ValueTicks = 5;

// How the value axis is labelled: values are divided by `divisor` and shown with `decimals`, a prefix and a suffix.
struct AxisScale
{
    double divisor = 1;
    double max = 1;
    int decimals = 0;
    QString prefix;
    QString suffix;
};

int decimalsOf(double step)
{
    for (int d = 0; d < 6; ++d) {
        const double scaled = step * std::pow(10.0, d);
        if (std::abs(scaled - std::round(scaled)) < 1e-6)
            return d;
    }
    return 6;
}

double niceStep(double raw, bool integral)
{
    if (!(raw > 0))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double fraction = raw / magnitude;
    double nice = 10;
    for (double candidate : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (fraction <= candidate + 1e-9) {
            nice = candidate;
            break;
        }
    }
    double step = nice * magnitude;
    if (integral)
        step = std::max(1.0, std::ceil(step));
    return step;
}

AxisScale axisScale(UsageChartView::Unit unit, double maxValue)
{
    AxisScale s;
    bool integral = false;
    switch (unit) {
    case UsageChartView::Unit::Usd:
        s.prefix = QStringLiteral("$");
        break;
    case UsageChartView::Unit::Count:
        integral = true;
        break;
    case UsageChartView::Unit::Tokens:
        if (maxValue >= 1e9) {
            s.divisor = 1e9;
            s.suffix = QStringLiteral("B");
        } else if (maxValue >= 1e6) {
            s.divisor = 1e6;
            s.suffix = QStringLiteral("M");
        } else if (maxValue >= 1e3) {
            s.divisor = 1e3;
            s.suffix = QStringLiteral("k");
        } else {
            integral = true;
        }
        break;
    case UsageChartView::Unit::Milliseconds:
        if (maxValue >= 1000) {
            s.divisor = 1000;
            s.suffix = QStringLiteral(" s");
        } else {
            s.suffix = QStringLiteral(" ms");
            integral = true;
        }
        break;
    }
    const double scaledMax = maxValue / s.divisor;
    const double step = scaledMax > 0 ? niceStep(scaledMax / (ValueTicks - 1), integral) : (integral ? 1 : 0.25);
    s.max = step * (ValueTicks - 1);
    s.decimals = decimalsOf(step);
    return s;
}

QString labelFormat(const AxisScale& s)
{
    return s.prefix + QStringLiteral("%.") + QString::number(s.decimals) + QStringLiteral("f") + s.suffix;
}

void styleAxis(QAbstractAxis* axis)
{
    QFont f = axis->labelsFont();
    f.setPointSizeF(std::max(7.0, f.pointSizeF() - 1));
    axis->setLabelsFont(f);
    axis->setLabelsColor(QColor(70, 70, 70));
    axis->setGridLineColor(QColor(228, 228, 228));
    axis->setLinePenColor(QColor(170, 170, 170));
}

} // namespace

UsageChartView::UsageChartView(const QString& title, QWidget* parent)
    : QChartView(new QChart(), parent)
{
    QChart* c = chart();
    c->setTitle(title);
    QFont titleFont = c->titleFont();
    titleFont.setBold(true);
    c->setTitleFont(titleFont);
    c->setAnimationOptions(QChart::NoAnimation);
    c->setBackgroundRoundness(0);
    c->setMargins(QMargins(6, 2, 10, 2));
    c->layout()->setContentsMargins(0, 0, 0, 0);
    // On the right: long model names stay readable, and the x axes of charts above each other line up.
    c->legend()->setAlignment(Qt::AlignRight);
    QFont legendFont = c->legend()->font();
    legendFont.setPointSizeF(std::max(7.0, legendFont.pointSizeF() - 1));
    c->legend()->setFont(legendFont);
    // One legend width for every chart, so that the plots of charts above each other line up; longer names elide.
    const int legendWidth = QFontMetrics(legendFont).horizontalAdvance(QStringLiteral("claude-sonnet-4-5-20")) + 24;
    c->legend()->setMinimumWidth(legendWidth);
    c->legend()->setMaximumWidth(legendWidth);
    m_timeAxis = new QDateTimeAxis();
    m_valueAxis = new QValueAxis();
    m_valueAxis->setTickCount(ValueTicks);
    styleAxis(m_timeAxis);
    styleAxis(m_valueAxis);
    c->addAxis(m_timeAxis, Qt::AlignBottom);
    c->addAxis(m_valueAxis, Qt::AlignLeft);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(320, 200);
}

QString UsageChartView::title() const
{
    return chart()->title();
}

qint64 UsageChartView::displayMs(qint64 ms) const
{
    if (!m_time.utcDates)
        return ms;
    // The axis draws local time; shift a UTC day start so that it is drawn as that day's local midnight.
    const QDateTime utc = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
    return QDateTime(utc.date(), utc.time()).toMSecsSinceEpoch();
}

void UsageChartView::clearData()
{
    chart()->removeAllSeries();
    m_series.clear();
}

void UsageChartView::setData(Style style, Unit unit, const ChartTimeAxis& time, const QList<ChartSeriesData>& series)
{
    clearData();
    m_unit = unit;
    m_time = time;
    m_series = series;
    QChart* c = chart();

    auto valueAt = [](const ChartSeriesData& d, int i) {
        return i < d.values.size() && !std::isnan(d.values.at(i)) ? d.values.at(i) : 0.0;
    };
    double maxValue = 0;
    for (int i = 0; i < time.buckets; ++i) {
        double sum = 0;
        for (const ChartSeriesData& d : series) {
            if (style == Style::StackedAreas)
                sum += valueAt(d, i);
            else
                maxValue = std::max(maxValue, valueAt(d, i));
        }
        maxValue = std::max(maxValue, sum);
    }
    const AxisScale scale = axisScale(unit, maxValue);

    m_timeAxis->setFormat(time.labelFormat);
    m_timeAxis->setTickCount(time.tickCount);
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(displayMs(time.startMs)),
        QDateTime::fromMSecsSinceEpoch(displayMs(time.startMs + time.bucketMs * time.buckets)));
    m_valueAxis->setRange(0, scale.max);
    m_valueAxis->setLabelFormat(labelFormat(scale));

    QList<double> base(time.buckets, 0.0);
    for (int s = 0; s < series.size(); ++s) {
        const ChartSeriesData& d = series.at(s);
        QAbstractSeries* added = nullptr;
        if (style == Style::Lines) {
            auto* line = new QLineSeries();
            line->setName(d.name);
            for (int i = 0; i < time.buckets && i < d.values.size(); ++i) {
                if (std::isnan(d.values.at(i)))
                    continue;
                const qint64 t = displayMs(time.startMs + time.bucketMs * i + time.bucketMs / 2);
                line->append(double(t), d.values.at(i) / scale.divisor);
            }
            // Few points: dots make single buckets visible; many: a thin line reads better.
            const bool dense = line->count() > 48;
            line->setPen(QPen(d.color, dense ? 1.5 : 2));
            line->setColor(d.color);
            line->setPointsVisible(!dense);
            line->setMarkerSize(6);
            connect(line, &QLineSeries::hovered, this,
                [this, s](const QPointF& point, bool state) { onHovered(s, point, state); });
            added = line;
        } else {
            auto* upper = new QLineSeries();
            auto* lower = new QLineSeries();
            for (int i = 0; i < time.buckets; ++i) {
                const double low = style == Style::StackedAreas ? base.at(i) : 0.0;
                const double high = low + valueAt(d, i);
                const double t0 = double(displayMs(time.startMs + time.bucketMs * i));
                const double t1 = double(displayMs(time.startMs + time.bucketMs * (i + 1)));
                upper->append(t0, high / scale.divisor);
                upper->append(t1, high / scale.divisor);
                lower->append(t0, low / scale.divisor);
                lower->append(t1, low / scale.divisor);
                if (style == Style::StackedAreas)
                    base[i] = high;
            }
            auto* area = new QAreaSeries(upper, lower);
            upper->setParent(area);
            lower->setParent(area);
            area->setName(d.name);
            area->setColor(d.color);
            area->setBorderColor(d.color);
            area->setPen(Qt::NoPen);
            connect(area, &QAreaSeries::hovered, this,
                [this, s](const QPointF& point, bool state) { onHovered(s, point, state); });
            added = area;
        }
        c->addSeries(added);
        added->attachAxis(m_timeAxis);
        added->attachAxis(m_valueAxis);
    }
    c->legend()->setVisible(!series.isEmpty());
}

QString UsageChartView::formatValue(double value) const
{
    const QLocale locale;
    switch (m_unit) {
    case Unit::Usd:
        return QStringLiteral("$") + locale.toString(value, 'f', value > 0 && value < 0.01 ? 4 : 2);
    case Unit::Count:
    case Unit::Tokens:
        return locale.toString(qRound64(value));
    case Unit::Milliseconds:
        return tr("%1 ms").arg(locale.toString(qRound64(value)));
    }
    return QString();
}

void UsageChartView::onHovered(int seriesIndex, const QPointF& point, bool state)
{
    if (!state || seriesIndex >= m_series.size() || m_time.bucketMs <= 0) {
        QToolTip::hideText();
        return;
    }
    const ChartSeriesData& d = m_series.at(seriesIndex);
    const double start = double(displayMs(m_time.startMs));
    const int i = int(std::floor((point.x() - start) / double(m_time.bucketMs)));
    if (i < 0 || i >= d.values.size() || std::isnan(d.values.at(i)))
        return;
    const qint64 bucket = m_time.startMs + m_time.bucketMs * i;
    const QLocale locale;
    const QString when = m_time.utcDates
        ? locale.toString(QDateTime::fromMSecsSinceEpoch(bucket, QTimeZone::utc()).date(), QLocale::ShortFormat)
        : locale.toString(QDateTime::fromMSecsSinceEpoch(bucket), QLocale::ShortFormat);
    QToolTip::showText(QCursor::pos(), tr("%1\n%2: %3").arg(when, d.name, formatValue(d.values.at(i))), this);
}

} // namespace sy
