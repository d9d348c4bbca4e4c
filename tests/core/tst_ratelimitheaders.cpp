#include "accounts/ratelimitheaders.h"

#include <QDateTime>
#include <QLocale>
#include <QTest>
#include <QTimeZone>

using namespace sy;

namespace {

constexpr qint64 kNow = 1'700'000'000'000; // 2023-11-14T22:13:20Z

HeaderList headersFrom(const QByteArrayList& lines)
{
    HeaderList h;
    for (const QByteArray& line : lines) {
        const qsizetype colon = line.indexOf(':');
        h.append({line.left(colon), line.mid(colon + 1)});
    }
    return h;
}

QByteArray httpDate(qint64 ms, const char* format)
{
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
    return QLocale::c().toString(dt, QLatin1String(format)).toLatin1();
}

QByteArray rfc3339(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs).toLatin1();
}

QByteArray epochSeconds(qint64 ms)
{
    return QByteArray::number(ms / 1000);
}

} // namespace

class TestRateLimitHeaders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void durations_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("expected");
        QTest::addRow("1s") << QByteArray("1s") << qint64(1000);
        QTest::addRow("6m0s") << QByteArray("6m0s") << qint64(360'000);
        QTest::addRow("1h2m3.5s") << QByteArray("1h2m3.5s") << qint64(3'723'500);
        QTest::addRow("120ms") << QByteArray("120ms") << qint64(120);
        QTest::addRow("34.4s") << QByteArray("34.4s") << qint64(34'400);
        QTest::addRow("2m59.56s") << QByteArray("2m59.56s") << qint64(179'560);
        QTest::addRow("7.66s") << QByteArray("7.66s") << qint64(7660);
        QTest::addRow("bare seconds") << QByteArray("2") << qint64(2000);
        QTest::addRow("bare fraction") << QByteArray("0.5") << qint64(500);
        QTest::addRow("sub-ms rounds up") << QByteArray("1.5ms") << qint64(2);
        QTest::addRow("microseconds") << QByteArray("500us") << qint64(1);
        QTest::addRow("micro sign") << QByteArray("1500\xC2\xB5s") << qint64(2);
        QTest::addRow("nanoseconds") << QByteArray("3000ns") << qint64(1);
        QTest::addRow("zero") << QByteArray("0s") << qint64(0);
        QTest::addRow("days") << QByteArray("1d") << qint64(86'400'000);
        QTest::addRow("spaces") << QByteArray("  5s ") << qint64(5000);
        QTest::addRow("empty") << QByteArray("") << qint64(-1);
        QTest::addRow("word") << QByteArray("soon") << qint64(-1);
        QTest::addRow("unknown unit") << QByteArray("5x") << qint64(-1);
        QTest::addRow("unit only") << QByteArray("s") << qint64(-1);
        QTest::addRow("negative") << QByteArray("-3") << qint64(-1);
        QTest::addRow("negative unit") << QByteArray("-3s") << qint64(-1);
    }
    void durations()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, expected);
        QCOMPARE(parseDurationMs(text), expected);
    }

    void httpDates_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("expected");
        // 1994-11-06T08:49:37Z, the RFC 9110 example
        const qint64 example = 784'111'777'000;
        QTest::addRow("IMF-fixdate") << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << example;
        QTest::addRow("RFC 850") << QByteArray("Sunday, 06-Nov-94 08:49:37 GMT") << example;
        QTest::addRow("asctime") << QByteArray("Sun Nov  6 08:49:37 1994") << example;
        QTest::addRow("generated rfc850") << httpDate(kNow, "dddd, dd-MMM-yy HH:mm:ss 'GMT'") << kNow;
        QTest::addRow("wrong weekday tolerated") << QByteArray("Mon, 06 Nov 1994 08:49:37 GMT") << example;
        QTest::addRow("generated") << httpDate(kNow, "ddd, dd MMM yyyy HH:mm:ss 'GMT'") << kNow;
        QTest::addRow("garbage") << QByteArray("tomorrow-ish") << qint64(-1);
        QTest::addRow("empty") << QByteArray() << qint64(-1);
    }
    void httpDates()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, expected);
        QCOMPARE(parseHttpDateMs(text), expected);
    }

    void retryDelay_data()
    {
        QTest::addColumn<QByteArrayList>("headers");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<qint64>("expected");

        QTest::addRow("nothing") << QByteArrayList {"content-type: application/json"} << QByteArray("{}") << qint64(-1);
        QTest::addRow("retry-after seconds") << QByteArrayList {"retry-after: 30"} << QByteArray() << qint64(30'000);
        QTest::addRow("retry-after mixed case") << QByteArrayList {"Retry-After: 7"} << QByteArray() << qint64(7000);
        QTest::addRow("retry-after upper case") << QByteArrayList {"RETRY-AFTER: 7"} << QByteArray() << qint64(7000);
        QTest::addRow("retry-after fractional") << QByteArrayList {"retry-after: 1.5"} << QByteArray() << qint64(1500);
        QTest::addRow("retry-after zero") << QByteArrayList {"retry-after: 0"} << QByteArray() << qint64(0);
        QTest::addRow("retry-after negative") << QByteArrayList {"retry-after: -5"} << QByteArray() << qint64(0);
        QTest::addRow("retry-after http-date")
            << QByteArrayList {"retry-after: " + httpDate(kNow + 120'000, "ddd, dd MMM yyyy HH:mm:ss 'GMT'")}
            << QByteArray() << qint64(120'000);
        QTest::addRow("retry-after rfc850")
            << QByteArrayList {"retry-after: " + httpDate(kNow + 60'000, "dddd, dd-MMM-yy HH:mm:ss 'GMT'")}
            << QByteArray() << qint64(60'000);
        QTest::addRow("retry-after asctime")
            << QByteArrayList {"retry-after: " + httpDate(kNow + 5000, "ddd MMM d HH:mm:ss yyyy")} << QByteArray()
            << qint64(5000);
        QTest::addRow("retry-after date in the past")
            << QByteArrayList {"retry-after: " + httpDate(kNow - 60'000, "ddd, dd MMM yyyy HH:mm:ss 'GMT'")}
            << QByteArray() << qint64(0);
        QTest::addRow("retry-after garbage") << QByteArrayList {"retry-after: later"} << QByteArray() << qint64(-1);
        QTest::addRow("retry-after empty") << QByteArrayList {"retry-after:   "} << QByteArray() << qint64(-1);
        QTest::addRow("retry-after clamped to 24h")
            << QByteArrayList {"retry-after: 999999"} << QByteArray() << qint64(86'400'000);
        QTest::addRow("retry-after-ms") << QByteArrayList {"retry-after-ms: 1234.5"} << QByteArray() << qint64(1235);
        QTest::addRow("retry-after-ms wins")
            << QByteArrayList {"retry-after: 30", "Retry-After-Ms: 250"} << QByteArray() << qint64(250);
        QTest::addRow("retry-after-ms garbage falls back")
            << QByteArrayList {"retry-after-ms: x", "retry-after: 3"} << QByteArray() << qint64(3000);

        QTest::addRow("openai larger reset")
            << QByteArrayList {"x-ratelimit-reset-requests: 1s", "x-ratelimit-reset-tokens: 6m0s"} << QByteArray()
            << qint64(360'000);
        QTest::addRow("openai compound") << QByteArrayList {"X-RateLimit-Reset-Tokens: 1h2m3.5s"} << QByteArray()
                                         << qint64(3'723'500);
        QTest::addRow("openai ms") << QByteArrayList {"x-ratelimit-reset-requests: 120ms"} << QByteArray()
                                   << qint64(120);
        QTest::addRow("openai exhausted limit only") << QByteArrayList {"x-ratelimit-reset-requests: 2h",
            "x-ratelimit-remaining-requests: 5", "x-ratelimit-reset-tokens: 3s", "x-ratelimit-remaining-tokens: 0"}
                                                     << QByteArray() << qint64(3000);
        QTest::addRow("openai both exhausted") << QByteArrayList {"x-ratelimit-reset-requests: 20s",
            "x-ratelimit-remaining-requests: 0", "x-ratelimit-reset-tokens: 3s", "x-ratelimit-remaining-tokens: 0"}
                                               << QByteArray() << qint64(20'000);
        QTest::addRow("retry-after beats openai")
            << QByteArrayList {"x-ratelimit-reset-tokens: 6m0s", "retry-after: 2"} << QByteArray() << qint64(2000);
        QTest::addRow("openai clamped") << QByteArrayList {"x-ratelimit-reset-requests: 3d"} << QByteArray()
                                        << qint64(86'400'000);

        QTest::addRow("anthropic unified reset")
            << QByteArrayList {"anthropic-ratelimit-unified-reset: " + epochSeconds(kNow + 600'000)} << QByteArray()
            << qint64(600'000);
        QTest::addRow("anthropic unified reset rejected")
            << QByteArrayList {"anthropic-ratelimit-unified-status: rejected",
                   "anthropic-ratelimit-unified-reset: " + epochSeconds(kNow + 600'000)}
            << QByteArray() << qint64(600'000);
        QTest::addRow("unified rejected beats shorter retry-after")
            << QByteArrayList {"retry-after: 10", "anthropic-ratelimit-unified-status: rejected",
                   "anthropic-ratelimit-unified-reset: " + epochSeconds(kNow + 600'000)}
            << QByteArray() << qint64(600'000);
        QTest::addRow("retry-after beats unified without status")
            << QByteArrayList {"retry-after: 10", "anthropic-ratelimit-unified-reset: " + epochSeconds(kNow + 600'000)}
            << QByteArray() << qint64(10'000);
        QTest::addRow("unified allowed is not the blocker")
            << QByteArrayList {"anthropic-ratelimit-unified-status: allowed",
                   "anthropic-ratelimit-unified-reset: " + epochSeconds(kNow + 600'000),
                   "anthropic-ratelimit-tokens-reset: " + rfc3339(kNow + 45'000)}
            << QByteArray() << qint64(45'000);
        QTest::addRow("unified reset in the past")
            << QByteArrayList {"anthropic-ratelimit-unified-reset: " + epochSeconds(kNow - 5000)} << QByteArray()
            << qint64(0);
        QTest::addRow("unified reset as rfc3339")
            << QByteArrayList {"anthropic-ratelimit-unified-reset: " + rfc3339(kNow + 90'000)} << QByteArray()
            << qint64(90'000);

        QTest::addRow("anthropic tokens reset")
            << QByteArrayList {"anthropic-ratelimit-tokens-reset: " + rfc3339(kNow + 45'000)} << QByteArray()
            << qint64(45'000);
        QTest::addRow("anthropic larger of several")
            << QByteArrayList {"anthropic-ratelimit-requests-reset: " + rfc3339(kNow + 2000),
                   "anthropic-ratelimit-input-tokens-reset: " + rfc3339(kNow + 9000),
                   "anthropic-ratelimit-output-tokens-reset: " + rfc3339(kNow + 4000)}
            << QByteArray() << qint64(9000);
        QTest::addRow("anthropic exhausted only")
            << QByteArrayList {"anthropic-ratelimit-requests-reset: " + rfc3339(kNow + 50'000),
                   "anthropic-ratelimit-requests-remaining: 10",
                   "anthropic-ratelimit-output-tokens-reset: " + rfc3339(kNow + 4000),
                   "anthropic-ratelimit-output-tokens-remaining: 0"}
            << QByteArray() << qint64(4000);
        QTest::addRow("anthropic rfc3339 with offset")
            << QByteArrayList {"anthropic-ratelimit-tokens-reset: 2023-11-14T23:13:50.000+01:00"} << QByteArray()
            << qint64(30'000);
        QTest::addRow("anthropic rfc3339 microseconds")
            << QByteArrayList {"anthropic-ratelimit-tokens-reset: 2023-11-14T22:13:50.123456Z"} << QByteArray()
            << qint64(30'123); // sub-ms digits dropped
        QTest::addRow("anthropic rfc3339 no fraction")
            << QByteArrayList {"anthropic-ratelimit-tokens-reset: 2023-11-14T22:13:50Z"} << QByteArray()
            << qint64(30'000);
        QTest::addRow("anthropic reset garbage")
            << QByteArrayList {"anthropic-ratelimit-tokens-reset: soon"} << QByteArray() << qint64(-1);

        const QByteArray gemini
            = "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\","
              "\"status\":\"RESOURCE_EXHAUSTED\",\"details\":["
              "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[]},"
              "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"34.4s\"}]}}";
        QTest::addRow("gemini retry info") << QByteArrayList {} << gemini << qint64(34'400);
        QTest::addRow("gemini array body") << QByteArrayList {} << QByteArray("[" + gemini + "]") << qint64(34'400);
        QTest::addRow("gemini object duration")
            << QByteArrayList {}
            << QByteArray("{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
                          "\"retryDelay\":{\"seconds\":\"3\",\"nanos\":500000000}}]}}")
            << qint64(3500);
        QTest::addRow("gemini without retry info") << QByteArrayList {}
                                                   << QByteArray("{\"error\":{\"code\":429,\"details\":[{\"@type\":"
                                                                 "\"type.googleapis.com/google.rpc.QuotaFailure\"}]}}")
                                                   << qint64(-1);
        QTest::addRow("gemini malformed json") << QByteArrayList {} << QByteArray("{\"RetryInfo\": [") << qint64(-1);
        QTest::addRow("retry-after beats gemini") << QByteArrayList {"retry-after: 35"} << gemini << qint64(35'000);
        QTest::addRow("gemini beats openai headers")
            << QByteArrayList {"x-ratelimit-reset-requests: 1s"} << gemini << qint64(34'400);
    }
    void retryDelay()
    {
        QFETCH(QByteArrayList, headers);
        QFETCH(QByteArray, body);
        QFETCH(qint64, expected);
        QCOMPARE(retryDelayMs(headersFrom(headers), body, kNow), expected);
    }
};

QTEST_GUILESS_MAIN(TestRateLimitHeaders)
#include "tst_ratelimitheaders.moc"
