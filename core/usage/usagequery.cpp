#include "usage/usagequery.h"

#include <QDateTime>
#include <QRegularExpression>

namespace sy {

std::optional<qint64> parseUsageTime(const QString& text, qint64 nowMs)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return std::nullopt;
    static const QRegularExpression age(QStringLiteral("^(\\d+)\\s*(m|min|h|d|w)$"));
    const QRegularExpressionMatch m = age.match(t.toLower());
    if (m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QString unit = m.captured(2);
        const qint64 unitMs = unit.startsWith(QLatin1Char('m')) ? 60'000LL
            : unit == QLatin1String("h")                        ? 3'600'000LL
            : unit == QLatin1String("d")                        ? 86'400'000LL
                                                                : 7 * 86'400'000LL;
        return nowMs - n * unitMs;
    }
    bool isNumber = false;
    const qint64 ms = t.toLongLong(&isNumber);
    if (isNumber && ms >= 0)
        return ms;
    QDateTime dt = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(t, Qt::ISODate);
    if (!dt.isValid()) {
        const QDate d = QDate::fromString(t, Qt::ISODate);
        if (d.isValid())
            dt = QDateTime(d, QTime(0, 0), Qt::UTC);
    }
    if (!dt.isValid())
        return std::nullopt;
    if (dt.timeSpec() == Qt::LocalTime && !t.endsWith(QLatin1Char('Z')) && !t.contains(QLatin1Char('+')))
        dt.setTimeSpec(Qt::UTC); // a time without a zone is UTC here
    return dt.toMSecsSinceEpoch();
}

std::optional<UsageQuery> usageQueryFrom(
    const QString& from, const QString& to, const QString& groupBy, const QString& bucket, qint64 nowMs, QString* error)
{
    UsageQuery q;
    q.fromMs = nowMs - 7 * 86'400'000LL;
    q.toMs = nowMs + 1; // "until now" includes this millisecond
    if (!from.isEmpty()) {
        const std::optional<qint64> f = parseUsageTime(from, nowMs);
        if (!f) {
            *error = QStringLiteral("from: \"%1\" is not a time (use ISO 8601, epoch ms, or an age such as 24h or 7d)")
                         .arg(from);
            return std::nullopt;
        }
        q.fromMs = *f;
    }
    if (!to.isEmpty()) {
        const std::optional<qint64> t = parseUsageTime(to, nowMs);
        if (!t) {
            *error = QStringLiteral("to: \"%1\" is not a time").arg(to);
            return std::nullopt;
        }
        q.toMs = *t;
    }
    if (q.toMs <= q.fromMs) {
        *error = QStringLiteral("to must be after from");
        return std::nullopt;
    }
    const std::optional<UsageGroup> g = parseUsageGroup(groupBy);
    if (!g) {
        *error = QStringLiteral("group_by: \"%1\" is not one of provider, model, credential, client, dialect")
                     .arg(groupBy);
        return std::nullopt;
    }
    q.groupBy = *g;
    const std::optional<UsageBucket> b = parseUsageBucket(bucket);
    if (!b) {
        *error = QStringLiteral("bucket: \"%1\" is not hour or day").arg(bucket);
        return std::nullopt;
    }
    q.bucket = *b;
    return q;
}

} // namespace sy
