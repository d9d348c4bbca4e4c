#include "accounts/ratelimitheaders.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTimeZone>

#include <cmath>
#include <initializer_list>

namespace sy {

namespace {

constexpr qint64 kMaxDelayMs = 24LL * 60 * 60 * 1000;
constexpr qsizetype kMaxBodyScan = 1024 * 1024;

// The trimmed value of the first header called `name` (case-insensitive); null when absent or empty.
QByteArray header(const HeaderList& headers, QByteArrayView name)
{
    for (const auto& h : headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0) {
            const QByteArray v = h.second.trimmed();
            return v.isEmpty() ? QByteArray() : v;
        }
    }
    return QByteArray();
}

// A finite, non-negative decimal number; false otherwise.
bool toNumber(const QByteArray& text, double* out)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return false;
    *out = v;
    return true;
}

// Milliseconds as a double -> whole ms, rounded up after snapping to microseconds (so 34.4 s is 34400, not 34401).
qint64 ceilMs(double ms)
{
    if (ms <= 0)
        return 0;
    if (ms > double(kMaxDelayMs) * 1000)
        return kMaxDelayMs * 1000;
    const qint64 us = std::llround(ms * 1000.0);
    return (us + 999) / 1000;
}

qint64 parseRfc3339Ms(const QByteArray& text)
{
    const QDateTime dt = QDateTime::fromString(QString::fromLatin1(text), Qt::ISODateWithMs);
    return dt.isValid() ? dt.toMSecsSinceEpoch() : -1;
}

// Epoch seconds (or milliseconds, if the number is that large), or RFC 3339.
qint64 parseEpochOrDateMs(const QByteArray& text)
{
    double v = 0;
    if (toNumber(text, &v)) {
        if (v < 0)
            return -1;
        return v > 1e11 ? qint64(v) : qint64(std::ceil(v * 1000.0));
    }
    return parseRfc3339Ms(text);
}

qint64 clampDelay(qint64 ms)
{
    return qBound<qint64>(0, ms, kMaxDelayMs);
}

qint64 untilMs(qint64 absoluteMs, qint64 nowMs)
{
    return absoluteMs < 0 ? -1 : clampDelay(absoluteMs - nowMs);
}

// retry-after-ms, else retry-after; -1 if neither parses.
qint64 explicitDelay(const HeaderList& headers, qint64 nowMs)
{
    const QByteArray ms = header(headers, "retry-after-ms");
    double v = 0;
    if (!ms.isNull() && toNumber(ms, &v))
        return clampDelay(ceilMs(v));
    const QByteArray ra = header(headers, "retry-after");
    if (ra.isNull())
        return -1;
    if (toNumber(ra, &v))
        return clampDelay(ceilMs(v * 1000.0));
    return untilMs(parseHttpDateMs(ra), nowMs);
}

qint64 geminiRetryDelay(const QByteArray& body)
{
    if (body.isEmpty() || body.size() > kMaxBodyScan || !body.contains("RetryInfo"))
        return -1;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    const QJsonObject root = doc.isArray() ? doc.array().at(0).toObject() : doc.object();
    const QJsonArray details = root.value(QLatin1String("error")).toObject().value(QLatin1String("details")).toArray();
    for (const QJsonValue& d : details) {
        const QJsonObject o = d.toObject();
        if (!o.value(QLatin1String("@type")).toString().endsWith(QLatin1String("google.rpc.RetryInfo")))
            continue;
        const QJsonValue delay = o.value(QLatin1String("retryDelay"));
        if (delay.isString())
            return parseDurationMs(delay.toString().toLatin1());
        if (delay.isObject()) {
            const QJsonObject dd = delay.toObject();
            const QJsonValue s = dd.value(QLatin1String("seconds"));
            const double seconds = s.isString() ? s.toString().toDouble() : s.toDouble();
            const double nanos = dd.value(QLatin1String("nanos")).toDouble();
            if (seconds < 0 || nanos < 0)
                return -1;
            return ceilMs(seconds * 1000.0 + nanos / 1e6);
        }
    }
    return -1;
}

struct ResetPair
{
    const char* reset;
    const char* remaining;
};

// The larger reset among a family of limits; only exhausted limits (remaining == 0) count when any is known to be.
qint64 familyDelay(const HeaderList& headers, std::initializer_list<ResetPair> pairs, bool durations, qint64 nowMs)
{
    qint64 all = -1;
    qint64 exhausted = -1;
    for (const ResetPair& p : pairs) {
        const QByteArray value = header(headers, p.reset);
        if (value.isNull())
            continue;
        const qint64 delay = durations ? parseDurationMs(value) : untilMs(parseRfc3339Ms(value), nowMs);
        if (delay < 0)
            continue;
        all = qMax(all, delay);
        const QByteArray remaining = header(headers, p.remaining);
        double left = 0;
        if (!remaining.isNull() && toNumber(remaining, &left) && left <= 0)
            exhausted = qMax(exhausted, delay);
    }
    return exhausted >= 0 ? exhausted : all;
}

} // namespace

qint64 parseDurationMs(QByteArrayView text)
{
    const QByteArray t = text.trimmed().toByteArray();
    if (t.isEmpty())
        return -1;
    double v = 0;
    if (toNumber(t, &v)) // bare number: seconds
        return v < 0 ? -1 : ceilMs(v * 1000.0);
    double totalMs = 0;
    qsizetype i = 0;
    const qsizetype n = t.size();
    auto isNum = [](char c) { return (c >= '0' && c <= '9') || c == '.'; };
    while (i < n) {
        const qsizetype numStart = i;
        while (i < n && isNum(t.at(i)))
            ++i;
        if (i == numStart)
            return -1;
        bool ok = false;
        const double value = t.mid(numStart, i - numStart).toDouble(&ok);
        if (!ok)
            return -1;
        const qsizetype unitStart = i;
        while (i < n && !isNum(t.at(i)))
            ++i;
        const QByteArrayView unit = QByteArrayView(t).sliced(unitStart, i - unitStart);
        double factor = 0;
        if (unit == "ns")
            factor = 1e-6;
        else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
            factor = 1e-3;
        else if (unit == "ms")
            factor = 1;
        else if (unit == "s")
            factor = 1000;
        else if (unit == "m")
            factor = 60'000;
        else if (unit == "h")
            factor = 3'600'000;
        else if (unit == "d")
            factor = 86'400'000;
        else
            return -1;
        totalMs += value * factor;
    }
    return ceilMs(totalMs);
}

qint64 parseHttpDateMs(QByteArrayView text)
{
    const QString s = QString::fromLatin1(text).simplified();
    if (s.isEmpty())
        return -1;
    // The weekday is dropped before parsing: it is redundant, and Qt would check it against two-digit years read as
    // 19xx.
    const qsizetype comma = s.indexOf(QLatin1Char(','));
    const qsizetype space = s.indexOf(QLatin1Char(' '));
    struct Form
    {
        QString rest;
        const char* format;
    };
    const Form forms[] = {
        {comma > 0 ? s.mid(comma + 1).trimmed() : QString(), "dd MMM yyyy HH:mm:ss 'GMT'"}, // IMF-fixdate
        {comma > 0 ? s.mid(comma + 1).trimmed() : QString(), "dd-MMM-yy HH:mm:ss 'GMT'"}, // RFC 850 (obsolete)
        {comma < 0 && space > 0 ? s.mid(space + 1) : QString(), "MMM d HH:mm:ss yyyy"}, // asctime (obsolete)
    };
    const QLocale c = QLocale::c();
    for (const Form& f : forms) {
        if (f.rest.isEmpty())
            continue;
        const QDateTime parsed = c.toDateTime(f.rest, QLatin1String(f.format));
        if (!parsed.isValid())
            continue;
        QDate date = parsed.date();
        if (date.year() < 1970) // two-digit years
            date = date.addYears(100);
        return QDateTime(date, parsed.time(), QTimeZone::utc()).toMSecsSinceEpoch();
    }
    const QDateTime rfc2822 = QDateTime::fromString(s, Qt::RFC2822Date);
    return rfc2822.isValid() ? rfc2822.toMSecsSinceEpoch() : -1;
}

qint64 retryDelayMs(const HeaderList& headers, const QByteArray& body, qint64 nowMs)
{
    const qint64 direct = explicitDelay(headers, nowMs);

    const QByteArray unifiedStatus = header(headers, "anthropic-ratelimit-unified-status").toLower();
    const QByteArray unifiedReset = header(headers, "anthropic-ratelimit-unified-reset");
    qint64 unified = -1;
    if (!unifiedReset.isNull())
        unified = untilMs(parseEpochOrDateMs(unifiedReset), nowMs);
    const bool unifiedRejected = unifiedStatus == "rejected";
    const bool unifiedAllowed = unifiedStatus.startsWith("allowed");

    if (direct >= 0)
        return unifiedRejected && unified >= 0 ? qMax(direct, unified) : direct;
    if (unified >= 0 && !unifiedAllowed)
        return unified;

    const qint64 gemini = geminiRetryDelay(body);
    if (gemini >= 0)
        return clampDelay(gemini);

    const qint64 openAi = familyDelay(headers,
        {{"x-ratelimit-reset-requests", "x-ratelimit-remaining-requests"},
            {"x-ratelimit-reset-tokens", "x-ratelimit-remaining-tokens"}},
        true, nowMs);
    if (openAi >= 0)
        return clampDelay(openAi);

    const qint64 anthropic = familyDelay(headers,
        {{"anthropic-ratelimit-requests-reset", "anthropic-ratelimit-requests-remaining"},
            {"anthropic-ratelimit-tokens-reset", "anthropic-ratelimit-tokens-remaining"},
            {"anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-input-tokens-remaining"},
            {"anthropic-ratelimit-output-tokens-reset", "anthropic-ratelimit-output-tokens-remaining"}},
        false, nowMs);
    return anthropic >= 0 ? clampDelay(anthropic) : -1;
}

} // namespace sy
