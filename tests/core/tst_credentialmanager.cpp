#include "accounts/credentialmanager.h"
#include "config/config.h"
#include "testclock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace sy;

namespace {

constexpr qint64 kStart = 1'700'000'000'000; // 2023-11-14T22:13:20Z

QString model()
{
    return QStringLiteral("m1");
}

QString secret(int n)
{
    return QStringLiteral("sk-test-SECRET-%1-0123456789abcdef").arg(n);
}

// credentials: JSON objects of the pool, e.g. {"api_key": "..."}.
Config configWith(const QString& strategy, const QStringList& credentials)
{
    const QString json = QStringLiteral("{\"providers\": [{\"id\": \"mock\", \"kind\": \"openai-chat\", "
                                        "\"base_url\": \"http://127.0.0.1:9\", \"strategy\": \"%1\", "
                                        "\"credentials\": [%2]}, "
                                        "{\"id\": \"open\", \"kind\": \"anthropic\", \"base_url\": "
                                        "\"http://127.0.0.1:9\"}], \"routes\": []}")
                             .arg(strategy, credentials.join(QLatin1Char(',')));
    auto parsed = parseConfig(json.toUtf8(), {});
    if (!parsed.ok())
        qFatal("test config: %s", qPrintable(parsed.error()));
    return *parsed;
}

Config pool(const QString& strategy, int size)
{
    QStringList creds;
    for (int i = 1; i <= size; ++i)
        creds << QStringLiteral("{\"api_key\": \"%1\"}").arg(secret(i));
    return configWith(strategy, creds);
}

HeaderList retryAfter(int seconds)
{
    return HeaderList {{"retry-after", QByteArray::number(seconds)}};
}

HeaderList headersFrom(const QByteArrayList& lines)
{
    HeaderList h;
    for (const QByteArray& line : lines) {
        const qsizetype colon = line.indexOf(':');
        h.append({line.left(colon), line.mid(colon + 1)});
    }
    return h;
}

CredentialPriority priorityFrom(const QString& name)
{
    return name == QLatin1String("keys-first") ? CredentialPriority::KeysFirst : CredentialPriority::AccountsFirst;
}

// Picks and runs one request to completion (or leaves it in flight).
int use(CredentialManager& m, const ProviderConfig& p, const QString& key = QString(), bool hold = false,
    CredentialPriority priority = CredentialPriority::AccountsFirst, const QString& mdl = model())
{
    const auto pick = m.pick(p, mdl, key, priority);
    if (pick.index >= 0) {
        m.requestStarted(p.id, pick.index);
        if (!hold)
            m.requestFinished(p.id, pick.index);
    }
    return pick.index;
}

qint64 fail(CredentialManager& m, int index, int status, FailureKind kind, const HeaderList& headers = {},
    const QByteArray& body = {}, const QString& mdl = model())
{
    return m.reportFailure(
        QStringLiteral("mock"), index, mdl, kind, status, headers, body, QStringLiteral("upstream said no"));
}

QJsonObject credentialStatus(const CredentialManager& m, int index)
{
    const QJsonArray providers = m.status().value(QLatin1String("providers")).toArray();
    return providers.at(0).toObject().value(QLatin1String("credentials")).toArray().at(index).toObject();
}

} // namespace

class TestCredentialManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void providerWithoutPool()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("round-robin"), 1);
        m.setConfig(c);
        const ProviderConfig& open = c.providers.at(1);
        const auto pick = m.pick(open, model(), QString(), CredentialPriority::AccountsFirst);
        QCOMPARE(pick.index, -2);
        QVERIFY(pick.credentialId.isEmpty());
        QCOMPARE(m.availability(open, model()).total, 0);
    }

    void strategies_data()
    {
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<bool>("hold");
        QTest::addColumn<QList<int>>("expected");
        QTest::addRow("round-robin") << QStringLiteral("round-robin") << false << QList<int> {0, 1, 2, 0, 1, 2, 0};
        QTest::addRow("round-robin held") << QStringLiteral("round-robin") << true << QList<int> {0, 1, 2, 0, 1, 2};
        QTest::addRow("fill-first") << QStringLiteral("fill-first") << false << QList<int> {0, 0, 0, 0};
        QTest::addRow("fill-first held") << QStringLiteral("fill-first") << true << QList<int> {0, 0, 0, 0};
        QTest::addRow("least-used by uses") << QStringLiteral("least-used") << false << QList<int> {0, 1, 2, 0, 1, 2};
        QTest::addRow("least-used in flight") << QStringLiteral("least-used") << true << QList<int> {0, 1, 2, 0, 1, 2};
        QTest::addRow("sticky without key") << QStringLiteral("sticky") << false << QList<int> {0, 1, 2, 0};
    }
    void strategies()
    {
        QFETCH(QString, strategy);
        QFETCH(bool, hold);
        QFETCH(QList<int>, expected);
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(strategy, 3);
        m.setConfig(c);
        QList<int> got;
        for (qsizetype i = 0; i < expected.size(); ++i)
            got << use(m, c.providers.at(0), QString(), hold);
        QCOMPARE(got, expected);
    }

    void pickReportsCredentialId()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = configWith(
            QStringLiteral("fill-first"), {QStringLiteral("{\"id\": \"work\", \"api_key\": \"%1\"}").arg(secret(1))});
        m.setConfig(c);
        const auto pick = m.pick(c.providers.at(0), model(), QString(), CredentialPriority::AccountsFirst);
        QCOMPARE(pick.index, 0);
        QCOMPARE(pick.credentialId, QStringLiteral("work"));
    }

    void roundRobinSkipsCooling()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("round-robin"), 3);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        QCOMPARE(use(m, p), 0);
        QCOMPARE(fail(m, 1, 429, FailureKind::RateLimited, retryAfter(10)), qint64(10'000));
        QCOMPARE(use(m, p), 2);
        QCOMPARE(use(m, p), 0);
        QCOMPARE(use(m, p), 2);
        clock.advance(10'000);
        QCOMPARE(use(m, p), 0);
        QCOMPARE(use(m, p), 1);
        QCOMPARE(use(m, p), 2);
    }

    void fillFirstFallsThrough()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 3);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        fail(m, 0, 429, FailureKind::RateLimited, retryAfter(5));
        QCOMPARE(use(m, p), 1);
        fail(m, 1, 429, FailureKind::RateLimited, retryAfter(3));
        QCOMPARE(use(m, p), 2);
        fail(m, 2, 429, FailureKind::RateLimited, retryAfter(60));
        QCOMPARE(use(m, p), -1);
        clock.advance(3000);
        QCOMPARE(use(m, p), 1);
        clock.advance(2000);
        QCOMPARE(use(m, p), 0);
    }

    void leastUsedOrder()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("least-used"), 3);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        // In flight decides first.
        m.requestStarted(p.id, 0);
        m.requestStarted(p.id, 0);
        m.requestStarted(p.id, 1);
        QCOMPARE(m.pick(p, model(), QString(), CredentialPriority::AccountsFirst).index, 2);
        m.requestStarted(p.id, 2);
        m.requestStarted(p.id, 2);
        QCOMPARE(m.pick(p, model(), QString(), CredentialPriority::AccountsFirst).index, 1);
        // All idle: fewest total uses (1 has 1, 0 and 2 have 2), then order.
        m.requestFinished(p.id, 0);
        m.requestFinished(p.id, 0);
        m.requestFinished(p.id, 1);
        m.requestFinished(p.id, 2);
        m.requestFinished(p.id, 2);
        QCOMPARE(m.pick(p, model(), QString(), CredentialPriority::AccountsFirst).index, 1);
        m.requestStarted(p.id, 1);
        m.requestFinished(p.id, 1);
        QCOMPARE(m.pick(p, model(), QString(), CredentialPriority::AccountsFirst).index, 0);
        // Finishing more than started never goes negative.
        m.requestFinished(p.id, 0);
        QCOMPARE(credentialStatus(m, 0).value(QLatin1String("in_flight")).toInt(), 0);
        // A cooling credential is skipped even when least used.
        fail(m, 0, 429, FailureKind::RateLimited);
        QCOMPARE(m.pick(p, model(), QString(), CredentialPriority::AccountsFirst).index, 1);
    }

    void stickyKeepsAndRebinds()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("sticky"), 3);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        const QString a = QStringLiteral("user-a"), b = QStringLiteral("user-b"), d = QStringLiteral("user-c");
        QCOMPARE(use(m, p, a), 0);
        QCOMPARE(use(m, p, b), 1);
        QCOMPARE(use(m, p, d), 2);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(use(m, p, a), 0);
            QCOMPARE(use(m, p, b), 1);
        }
        // uses: 0 -> 4, 1 -> 4, 2 -> 1. Cooling 0 re-binds a to the least-used ready credential.
        fail(m, 0, 429, FailureKind::RateLimited, retryAfter(10));
        QCOMPARE(use(m, p, a), 2);
        clock.advance(10'000);
        QCOMPARE(use(m, p, a), 2); // the new binding holds after 0 recovers
        QCOMPARE(use(m, p, b), 1);
        // Another model is not affected by m1's cooldown and keeps the binding too.
        fail(m, 2, 429, FailureKind::RateLimited, retryAfter(10));
        QCOMPARE(use(m, p, a, false, CredentialPriority::AccountsFirst, QStringLiteral("m2")), 2);
        // An invalid credential re-binds as well.
        fail(m, 1, 401, FailureKind::Unauthorized);
        QCOMPARE(use(m, p, b), 0);
        QCOMPARE(use(m, p, b), 0);
    }

    void stickyEvictsOldest_data()
    {
        QTest::addColumn<int>("otherKeys");
        QTest::addColumn<int>("expected");
        QTest::addRow("kept") << CredentialManager::kMaxAffinityEntries - 1 << 0;
        QTest::addRow("evicted") << CredentialManager::kMaxAffinityEntries << 1;
    }
    void stickyEvictsOldest()
    {
        QFETCH(int, otherKeys);
        QFETCH(int, expected);
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("sticky"), 2);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        QCOMPARE(use(m, p, QStringLiteral("first"), true), 0); // held: 0 stays busier than 1 from now on
        for (int i = 0; i < otherKeys; ++i)
            QCOMPARE(m.pick(p, model(), QStringLiteral("k%1").arg(i), CredentialPriority::AccountsFirst).index, 1);
        // While bound, "first" keeps 0 although it is busier; once evicted it is bound afresh to the least used.
        QCOMPARE(m.pick(p, model(), QStringLiteral("first"), CredentialPriority::AccountsFirst).index, expected);
    }

    void priority_data()
    {
        QTest::addColumn<QString>("priority");
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<QList<int>>("cooling");
        QTest::addColumn<QList<int>>("expected");
        // Pool: 0 key, 1 account, 2 key, 3 account.
        QTest::addRow("accounts-first rr") << QStringLiteral("accounts-first") << QStringLiteral("round-robin")
                                           << QList<int> {} << QList<int> {1, 3, 1, 3};
        QTest::addRow("keys-first rr") << QStringLiteral("keys-first") << QStringLiteral("round-robin") << QList<int> {}
                                       << QList<int> {0, 2, 0, 2};
        QTest::addRow("accounts cooling -> keys") << QStringLiteral("accounts-first") << QStringLiteral("round-robin")
                                                  << QList<int> {1, 3} << QList<int> {0, 2, 0};
        QTest::addRow("one account cooling") << QStringLiteral("accounts-first") << QStringLiteral("round-robin")
                                             << QList<int> {1} << QList<int> {3, 3, 3};
        QTest::addRow("keys cooling -> accounts") << QStringLiteral("keys-first") << QStringLiteral("round-robin")
                                                  << QList<int> {0, 2} << QList<int> {1, 3, 1};
        QTest::addRow("accounts-first fill-first") << QStringLiteral("accounts-first") << QStringLiteral("fill-first")
                                                   << QList<int> {} << QList<int> {1, 1, 1};
        QTest::addRow("keys-first fill-first")
            << QStringLiteral("keys-first") << QStringLiteral("fill-first") << QList<int> {0} << QList<int> {2, 2};
        QTest::addRow("accounts-first least-used") << QStringLiteral("accounts-first") << QStringLiteral("least-used")
                                                   << QList<int> {} << QList<int> {1, 3, 1, 3};
        QTest::addRow("accounts-first sticky")
            << QStringLiteral("accounts-first") << QStringLiteral("sticky") << QList<int> {} << QList<int> {1, 1, 1};
        QTest::addRow("keys-first sticky")
            << QStringLiteral("keys-first") << QStringLiteral("sticky") << QList<int> {} << QList<int> {0, 0, 0};
        QTest::addRow("sticky fallback tier")
            << QStringLiteral("accounts-first") << QStringLiteral("sticky") << QList<int> {1, 3} << QList<int> {0, 0};
        QTest::addRow("everything cooling") << QStringLiteral("keys-first") << QStringLiteral("round-robin")
                                            << QList<int> {0, 1, 2, 3} << QList<int> {-1};
    }
    void priority()
    {
        QFETCH(QString, priority);
        QFETCH(QString, strategy);
        QFETCH(QList<int>, cooling);
        QFETCH(QList<int>, expected);
        TestClock clock(kStart);
        CredentialManager m(&clock);
        Config c = pool(strategy, 4);
        c.providers[0].credentials[1].kind = Credential::Kind::Account;
        c.providers[0].credentials[3].kind = Credential::Kind::Account;
        m.setConfig(c);
        for (int i : cooling)
            fail(m, i, 429, FailureKind::RateLimited, retryAfter(60));
        QList<int> got;
        for (qsizetype i = 0; i < expected.size(); ++i)
            got << use(m, c.providers.at(0), QStringLiteral("conversation-1"), false, priorityFrom(priority));
        QCOMPARE(got, expected);
    }

    void stickyReturnsToPreferredTier()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        Config c = pool(QStringLiteral("sticky"), 2);
        c.providers[0].credentials[1].kind = Credential::Kind::Account;
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        const QString key = QStringLiteral("conv");
        QCOMPARE(use(m, p, key), 1);
        fail(m, 1, 429, FailureKind::RateLimited, retryAfter(30));
        QCOMPARE(use(m, p, key), 0); // the key is only a fallback
        clock.advance(30'000);
        QCOMPARE(use(m, p, key), 1); // accounts-first: back on the account once it is ready
    }

    void rateLimitBackoff()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 1);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        for (int i = 0; i < 14; ++i) {
            const qint64 expected = qMin<qint64>(1000LL << i, CredentialManager::kRateLimitCapMs);
            QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), expected);
            QCOMPARE(use(m, p), -1);
            clock.advance(expected - 1);
            QCOMPARE(use(m, p), -1);
            clock.advance(1);
            QCOMPARE(use(m, p), 0);
        }
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(30 * 60 * 1000)); // capped at 30 min
        clock.advance(30 * 60 * 1000);
        m.reportSuccess(p.id, 0, model());
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(1000)); // success reset the backoff
    }

    void rateLimitHints_data()
    {
        QTest::addColumn<QByteArrayList>("headers");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<qint64>("expected");
        QTest::addRow("retry-after") << QByteArrayList {"Retry-After: 20"} << QByteArray() << qint64(20'000);
        QTest::addRow("retry-after zero floors at 1s")
            << QByteArrayList {"retry-after: 0"} << QByteArray() << qint64(1000);
        QTest::addRow("retry-after beyond backoff cap")
            << QByteArrayList {"retry-after: 7200"} << QByteArray() << qint64(7'200'000);
        QTest::addRow("retry-after clamped to 24h")
            << QByteArrayList {"retry-after: 999999"} << QByteArray() << qint64(86'400'000);
        QTest::addRow("openai reset") << QByteArrayList {"x-ratelimit-reset-tokens: 1m0s"} << QByteArray()
                                      << qint64(60'000);
        QTest::addRow("anthropic unified")
            << QByteArrayList {"anthropic-ratelimit-unified-reset: " + QByteArray::number(kStart / 1000 + 300)}
            << QByteArray() << qint64(300'000);
        QTest::addRow("gemini retry info")
            << QByteArrayList {}
            << QByteArray("{\"error\":{\"code\":429,\"details\":[{\"@type\":"
                          "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"34.4s\"}]}}")
            << qint64(34'400);
        QTest::addRow("nothing: backoff")
            << QByteArrayList {"content-type: application/json"} << QByteArray("{}") << qint64(1000);
    }
    void rateLimitHints()
    {
        QFETCH(QByteArrayList, headers);
        QFETCH(QByteArray, body);
        QFETCH(qint64, expected);
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 2);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited, headersFrom(headers), body), expected);
        QCOMPARE(use(m, p), 1);
        const auto a = m.availability(p, model());
        QCOMPARE(a.soonestRecoveryMs, kStart + expected);
        clock.advance(expected);
        QCOMPARE(use(m, p), 0);
        // The hinted 429 still counted in the streak: the next unhinted one backs off 2 s.
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(2000));
    }

    void concurrentFailuresDoNotEscalate()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 1);
        m.setConfig(c);
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(1000));
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(1000)); // same burst: no escalation
        clock.advance(500);
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(500));
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited, retryAfter(30)), qint64(30'000)); // a later reset extends
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited, retryAfter(5)), qint64(30'000)); // never shortens
        clock.advance(30'000);
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(2000));
    }

    void successWhileCoolingIsStale()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 1);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        fail(m, 0, 429, FailureKind::RateLimited);
        m.reportSuccess(p.id, 0, model()); // a long stream that started before the 429
        QCOMPARE(use(m, p), -1);
        clock.advance(1000);
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(2000)); // streak kept
        clock.advance(2000);
        m.reportSuccess(p.id, 0, model());
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(1000));
    }

    void perModelIndependence()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 2);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        const QString a = QStringLiteral("model-a"), b = QStringLiteral("model-b");
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited, {}, {}, a), qint64(1000));
        QCOMPARE(m.pick(p, a, QString(), CredentialPriority::AccountsFirst).index, 1);
        QCOMPARE(m.pick(p, b, QString(), CredentialPriority::AccountsFirst).index, 0);
        QCOMPARE(m.availability(p, a).cooling, 1);
        QCOMPARE(m.availability(p, a).ready, 1);
        QCOMPARE(m.availability(p, b).ready, 2);
        // Backoff streaks are per model as well.
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited, {}, {}, b), qint64(1000));
        m.reportSuccess(p.id, 0, b);
        QCOMPARE(m.pick(p, a, QString(), CredentialPriority::AccountsFirst).index, 1); // b's success leaves a alone
    }

    void unauthorizedUntilConfigChange_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("change");
        QTest::addColumn<bool>("revives");
        QTest::addRow("401 same config") << 401 << QStringLiteral("none") << false;
        QTest::addRow("401 new key") << 401 << QStringLiteral("key") << true;
        QTest::addRow("403 new key") << 403 << QStringLiteral("key") << true;
        QTest::addRow("401 new id") << 401 << QStringLiteral("id") << true;
        QTest::addRow("401 label only") << 401 << QStringLiteral("label") << false;
    }
    void unauthorizedUntilConfigChange()
    {
        QFETCH(int, status);
        QFETCH(QString, change);
        QFETCH(bool, revives);
        TestClock clock(kStart);
        CredentialManager m(&clock);
        auto credJson = [](const QString& id, const QString& key, const QString& label) {
            return QStringLiteral("{\"id\": \"%1\", \"api_key\": \"%2\", \"label\": \"%3\"}").arg(id, key, label);
        };
        const QString second = credJson(QStringLiteral("b"), secret(2), QStringLiteral("B"));
        const Config c = configWith(
            QStringLiteral("fill-first"), {credJson(QStringLiteral("a"), secret(1), QStringLiteral("A")), second});
        m.setConfig(c);
        QCOMPARE(fail(m, 0, status, FailureKind::Unauthorized), qint64(0));
        QCOMPARE(use(m, c.providers.at(0)), 1);
        clock.advance(48LL * 3600 * 1000);
        QCOMPARE(use(m, c.providers.at(0)), 1); // no expiry
        QCOMPARE(m.availability(c.providers.at(0), model()).invalid, 1);
        QCOMPARE(credentialStatus(m, 0).value(QLatin1String("state")).toString(), QStringLiteral("invalid"));

        QString id = QStringLiteral("a"), key = secret(1), label = QStringLiteral("A");
        if (change == QLatin1String("key"))
            key = secret(9);
        else if (change == QLatin1String("id"))
            id = QStringLiteral("a2");
        else if (change == QLatin1String("label"))
            label = QStringLiteral("renamed");
        const Config next = configWith(QStringLiteral("fill-first"), {credJson(id, key, label), second});
        m.setConfig(next);
        QCOMPARE(use(m, next.providers.at(0)), revives ? 0 : 1);
        QCOMPARE(credentialStatus(m, 0).value(QLatin1String("label")).toString(), label);
    }

    void configChangeKeepsState()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        auto cred = [](const char* id, int n) {
            return QStringLiteral("{\"id\": \"%1\", \"api_key\": \"%2\"}").arg(QLatin1String(id), secret(n));
        };
        const Config c = configWith(QStringLiteral("round-robin"), {cred("a", 1), cred("b", 2), cred("c", 3)});
        m.setConfig(c);
        m.requestStarted(QStringLiteral("mock"), 0);
        m.requestStarted(QStringLiteral("mock"), 0);
        fail(m, 1, 429, FailureKind::RateLimited, retryAfter(60));
        fail(m, 2, 401, FailureKind::Unauthorized);
        // Reordered, one added: state follows the credential ids.
        const Config next
            = configWith(QStringLiteral("round-robin"), {cred("d", 4), cred("c", 3), cred("a", 1), cred("b", 2)});
        m.setConfig(next);
        QCOMPARE(credentialStatus(m, 0).value(QLatin1String("state")).toString(), QStringLiteral("ready"));
        QCOMPARE(credentialStatus(m, 1).value(QLatin1String("state")).toString(), QStringLiteral("invalid"));
        QCOMPARE(credentialStatus(m, 2).value(QLatin1String("uses")).toInt(), 2);
        QCOMPARE(credentialStatus(m, 2).value(QLatin1String("in_flight")).toInt(), 2);
        QCOMPARE(credentialStatus(m, 3).value(QLatin1String("state")).toString(), QStringLiteral("cooling"));
        const auto a = m.availability(next.providers.at(0), model());
        QCOMPARE(a.ready, 2);
        QCOMPARE(a.cooling, 1);
        QCOMPARE(a.invalid, 1);
        QCOMPARE(a.soonestRecoveryMs, kStart + 60'000);
        QList<int> got;
        for (int i = 0; i < 4; ++i)
            got << use(m, next.providers.at(0));
        QCOMPARE(got, (QList<int> {0, 2, 0, 2}));
        // A removed provider loses its state; the credential list the manager sees is the config's.
        m.setConfig(pool(QStringLiteral("round-robin"), 1));
        QCOMPARE(m.status()
                     .value(QLatin1String("providers"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("credentials"))
                     .toArray()
                     .size(),
            1);
    }

    void shortCooldowns_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QByteArrayList>("headers");
        QTest::addColumn<QList<qint64>>("expected");
        const QList<qint64> overload {5000, 10'000, 20'000, 40'000, 60'000, 60'000};
        const QList<qint64> server {2000, 4000, 8000, 16'000, 30'000, 30'000};
        QTest::addRow("529") << 529 << int(FailureKind::Overloaded) << QByteArrayList {} << overload;
        QTest::addRow("503") << 503 << int(FailureKind::Overloaded) << QByteArrayList {} << overload;
        QTest::addRow("529 reported as rate limit")
            << 529 << int(FailureKind::RateLimited) << QByteArrayList {} << overload;
        QTest::addRow("in-stream overloaded") << 200 << int(FailureKind::Overloaded) << QByteArrayList {} << overload;
        QTest::addRow("503 retry-after") << 503 << int(FailureKind::Overloaded) << QByteArrayList {"retry-after: 3"}
                                         << QList<qint64> {3000, 3000};
        QTest::addRow("503 retry-after capped")
            << 503 << int(FailureKind::Overloaded) << QByteArrayList {"retry-after: 600"} << QList<qint64> {60'000};
        QTest::addRow("500") << 500 << int(FailureKind::ServerError) << QByteArrayList {} << server;
        QTest::addRow("502") << 502 << int(FailureKind::ServerError) << QByteArrayList {} << server;
        QTest::addRow("504") << 504 << int(FailureKind::ServerError) << QByteArrayList {} << server;
        QTest::addRow("network") << 0 << int(FailureKind::Network) << QByteArrayList {} << server;
        QTest::addRow("500 retry-after capped")
            << 500 << int(FailureKind::ServerError) << QByteArrayList {"retry-after: 120"} << QList<qint64> {30'000};
    }
    void shortCooldowns()
    {
        QFETCH(int, status);
        QFETCH(int, kind);
        QFETCH(QByteArrayList, headers);
        QFETCH(QList<qint64>, expected);
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 2);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        for (qint64 cooldown : expected) {
            QCOMPARE(fail(m, 0, status, FailureKind(kind), headersFrom(headers)), cooldown);
            QCOMPARE(use(m, p), 1);
            QCOMPARE(m.availability(p, model()).invalid, 0);
            clock.advance(cooldown);
            QCOMPARE(use(m, p), 0);
        }
        m.reportSuccess(p.id, 0, model());
        QCOMPARE(fail(m, 0, status, FailureKind(kind), headersFrom(headers)), expected.first());
    }

    void overloadIsNotQuota()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 1);
        m.setConfig(c);
        for (int i = 0; i < 3; ++i) {
            clock.advance(fail(m, 0, 429, FailureKind::RateLimited));
            clock.advance(fail(m, 0, 529, FailureKind::Overloaded));
        }
        // Three 429s (1, 2, 4 s) and three 529s (5, 10, 20 s), each counted on its own.
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(8000));
        clock.advance(8000);
        QCOMPARE(fail(m, 0, 529, FailureKind::Overloaded), qint64(40'000));
    }

    void clientErrorsIgnored_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("kind");
        for (int status : {400, 402, 404, 405, 408, 409, 413, 422}) {
            QTest::addRow("%d", status) << status << int(FailureKind::ServerError);
            QTest::addRow("%d as rate limit", status) << status << int(FailureKind::RateLimited);
            QTest::addRow("%d as unauthorized", status) << status << int(FailureKind::Unauthorized);
        }
    }
    void clientErrorsIgnored()
    {
        QFETCH(int, status);
        QFETCH(int, kind);
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("fill-first"), 1);
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(fail(m, 0, status, FailureKind(kind), retryAfter(60)), qint64(0));
        QCOMPARE(use(m, p), 0);
        const auto a = m.availability(p, model());
        QCOMPARE(a.ready, 1);
        QVERIFY(a.recentStatuses.isEmpty());
        QVERIFY(!credentialStatus(m, 0).contains(QLatin1String("last_error")));
        // And the 429 backoff was not advanced by them.
        QCOMPARE(fail(m, 0, 429, FailureKind::RateLimited), qint64(1000));
    }

    void missingSecrets()
    {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("SWITCHYARD_TEST_UNSET_KEY is not set")));
        TestClock clock(kStart);
        CredentialManager m(&clock);
        Config c = configWith(QStringLiteral("round-robin"),
            {QStringLiteral("{\"api_key\": \"env:SWITCHYARD_TEST_UNSET_KEY\"}"),
                QStringLiteral("{\"api_key\": \"%1\"}").arg(secret(2))});
        QVERIFY(c.providers.at(0).credentials.at(0).apiKey.isEmpty());
        m.setConfig(c);
        const ProviderConfig& p = c.providers.at(0);
        QCOMPARE(use(m, p), 1);
        QCOMPARE(use(m, p), 1);
        const auto a = m.availability(p, model());
        QCOMPARE(a.total, 2);
        QCOMPARE(a.invalid, 1);
        QCOMPARE(a.ready, 1);
        QCOMPARE(credentialStatus(m, 0).value(QLatin1String("state")).toString(), QStringLiteral("missing-secret"));
        fail(m, 1, 401, FailureKind::Unauthorized);
        QCOMPARE(use(m, p), -1);
        QCOMPARE(m.availability(p, model()).invalid, 2);

        // An account's token arrives at request time: an empty apiKey does not block it.
        c.providers[0].credentials[0].kind = Credential::Kind::Account;
        m.setConfig(c);
        QCOMPARE(use(m, c.providers.at(0)), 0);
        QCOMPARE(credentialStatus(m, 0).value(QLatin1String("state")).toString(), QStringLiteral("ready"));
    }

    void availabilityCounts()
    {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("SWITCHYARD_TEST_UNSET_KEY is not set")));
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = configWith(QStringLiteral("round-robin"),
            {QStringLiteral("{\"api_key\": \"env:SWITCHYARD_TEST_UNSET_KEY\"}"),
                QStringLiteral("{\"api_key\": \"%1\"}").arg(secret(2)),
                QStringLiteral("{\"api_key\": \"%1\"}").arg(secret(3)),
                QStringLiteral("{\"api_key\": \"%1\"}").arg(secret(4)),
                QStringLiteral("{\"api_key\": \"%1\"}").arg(secret(5))});
        const ProviderConfig& p = c.providers.at(0);

        // Never configured: everything with a secret is ready.
        auto a = m.availability(p, model());
        QCOMPARE(a.total, 5);
        QCOMPARE(a.ready, 4);
        QCOMPARE(a.invalid, 1);
        QCOMPARE(a.soonestRecoveryMs, qint64(-1));

        m.setConfig(c);
        fail(m, 1, 401, FailureKind::Unauthorized);
        clock.advance(1000);
        fail(m, 2, 429, FailureKind::RateLimited, retryAfter(5));
        clock.advance(1000);
        fail(m, 3, 429, FailureKind::RateLimited, retryAfter(3));
        a = m.availability(p, model());
        QCOMPARE(a.total, 5);
        QCOMPARE(a.ready, 1);
        QCOMPARE(a.cooling, 2);
        QCOMPARE(a.invalid, 2);
        QCOMPARE(a.soonestRecoveryMs, kStart + 2000 + 3000);
        QCOMPARE(a.recentStatuses,
            (QStringList {QStringLiteral("mock#4: 429 at 2023-11-14T22:13:22Z"),
                QStringLiteral("mock#3: 429 at 2023-11-14T22:13:21Z"),
                QStringLiteral("mock#2: 401 at 2023-11-14T22:13:20Z")}));

        fail(m, 4, 429, FailureKind::RateLimited, retryAfter(10));
        a = m.availability(p, model());
        QCOMPARE(a.ready, 0);
        QCOMPARE(a.cooling, 3);
        QCOMPARE(a.soonestRecoveryMs, kStart + 5000); // mock#3 cools until +6 s, mock#4 until +5 s, mock#5 +12 s
        QCOMPARE(m.pick(p, model(), QString(), CredentialPriority::AccountsFirst).index, -1);
        clock.set(kStart + 5000);
        a = m.availability(p, model());
        QCOMPARE(a.ready, 1);
        QCOMPARE(a.cooling, 2);
        QCOMPARE(a.soonestRecoveryMs, kStart + 6000);
        QCOMPARE(m.pick(p, model(), QString(), CredentialPriority::AccountsFirst).index, 3);
    }

    void recentStatusesNewestFirstAndCapped()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("round-robin"), 2);
        m.setConfig(c);
        for (int i = 0; i < 12; ++i) {
            fail(m, i % 2, 500, FailureKind::ServerError);
            clock.advance(60'000);
        }
        fail(m, 0, 0, FailureKind::Network);
        const auto a = m.availability(c.providers.at(0), model());
        QCOMPARE(a.recentStatuses.size(), CredentialManager::kMaxRecentStatuses);
        QCOMPARE(a.recentStatuses.first(), QStringLiteral("mock#1: network error at 2023-11-14T22:25:20Z"));
        QCOMPARE(a.recentStatuses.at(1), QStringLiteral("mock#2: 500 at 2023-11-14T22:24:20Z"));
        QCOMPARE(credentialStatus(m, 0).value(QLatin1String("last_error")).toObject().value(QLatin1String("status")),
            QJsonValue(0));
    }

    void statusJson()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = configWith(QStringLiteral("round-robin"),
            {QStringLiteral("{\"id\": \"main\", \"label\": \"Main key\", \"api_key\": \"%1\"}").arg(secret(1)),
                QStringLiteral("{\"api_key\": \"%1\"}").arg(secret(2)),
                QStringLiteral("{\"api_key\": \"%1\"}").arg(secret(3))});
        m.setConfig(c);
        m.requestStarted(QStringLiteral("mock"), 0);
        m.requestStarted(QStringLiteral("mock"), 0);
        m.requestFinished(QStringLiteral("mock"), 0);
        m.reportFailure(QStringLiteral("mock"), 1, QStringLiteral("m1"), FailureKind::RateLimited, 429, retryAfter(30),
            QByteArray(),
            QStringLiteral("Rate limit reached for key %1 (Authorization: Bearer %2)").arg(secret(2), secret(2)));
        m.reportFailure(QStringLiteral("mock"), 1, QStringLiteral("m2"), FailureKind::RateLimited, 429, retryAfter(90),
            QByteArray(), QString(1000, QLatin1Char('x')));
        m.reportFailure(QStringLiteral("mock"), 2, model(), FailureKind::Unauthorized, 401, {}, QByteArray(),
            QStringLiteral("invalid x-api-key"));

        const QJsonObject root = m.status();
        const QByteArray text = QJsonDocument(root).toJson(QJsonDocument::Compact);
        QVERIFY2(!text.contains("SECRET"), text.constData());
        QVERIFY(!text.contains("0123456789abcdef"));

        const QJsonArray providers = root.value(QLatin1String("providers")).toArray();
        QCOMPARE(providers.size(), 2);
        const QJsonObject mock = providers.at(0).toObject();
        QCOMPARE(mock.value(QLatin1String("id")).toString(), QStringLiteral("mock"));
        QCOMPARE(mock.value(QLatin1String("kind")).toString(), QStringLiteral("openai-chat"));
        QCOMPARE(mock.value(QLatin1String("strategy")).toString(), QStringLiteral("round-robin"));
        QCOMPARE(providers.at(1).toObject().value(QLatin1String("credentials")).toArray().size(), 0);
        const QJsonArray creds = mock.value(QLatin1String("credentials")).toArray();
        QCOMPARE(creds.size(), 3);

        const QJsonObject main = creds.at(0).toObject();
        QCOMPARE(main.value(QLatin1String("id")).toString(), QStringLiteral("main"));
        QCOMPARE(main.value(QLatin1String("label")).toString(), QStringLiteral("Main key"));
        QCOMPARE(main.value(QLatin1String("kind")).toString(), QStringLiteral("api-key"));
        QCOMPARE(main.value(QLatin1String("state")).toString(), QStringLiteral("ready"));
        QCOMPARE(main.value(QLatin1String("in_flight")).toInt(), 1);
        QCOMPARE(main.value(QLatin1String("uses")).toInt(), 2);
        QVERIFY(!main.contains(QLatin1String("cooldown_until")));
        QVERIFY(!main.contains(QLatin1String("last_error")));

        const QJsonObject cooling = creds.at(1).toObject();
        QCOMPARE(cooling.value(QLatin1String("id")).toString(), QStringLiteral("mock#2"));
        QCOMPARE(cooling.value(QLatin1String("state")).toString(), QStringLiteral("cooling"));
        QCOMPARE(cooling.value(QLatin1String("cooldown_until")).toString(), QStringLiteral("2023-11-14T22:14:50Z"));
        QCOMPARE(cooling.value(QLatin1String("cooldown_remaining_ms")).toInteger(), 90'000);
        const QJsonObject models = cooling.value(QLatin1String("models")).toObject();
        QCOMPARE(models.size(), 2);
        QCOMPARE(models.value(QLatin1String("m1")).toString(), QStringLiteral("2023-11-14T22:13:50Z"));
        QCOMPARE(models.value(QLatin1String("m2")).toString(), QStringLiteral("2023-11-14T22:14:50Z"));
        const QJsonObject lastError = cooling.value(QLatin1String("last_error")).toObject();
        QCOMPARE(lastError.value(QLatin1String("status")).toInt(), 429);
        QCOMPARE(lastError.value(QLatin1String("at")).toString(), QStringLiteral("2023-11-14T22:13:20Z"));
        QCOMPARE(lastError.value(QLatin1String("message")).toString().size(), CredentialManager::kMaxMessageChars);

        const QJsonObject invalid = creds.at(2).toObject();
        QCOMPARE(invalid.value(QLatin1String("state")).toString(), QStringLiteral("invalid"));
        QCOMPARE(invalid.value(QLatin1String("last_error")).toObject().value(QLatin1String("message")).toString(),
            QStringLiteral("invalid x-api-key"));

        clock.advance(31'000);
        const QJsonObject later = credentialStatus(m, 1);
        QCOMPARE(later.value(QLatin1String("state")).toString(), QStringLiteral("cooling"));
        QCOMPARE(later.value(QLatin1String("models")).toObject().keys(), QStringList {QStringLiteral("m2")});
        clock.advance(60'000);
        QCOMPARE(credentialStatus(m, 1).value(QLatin1String("state")).toString(), QStringLiteral("ready"));
        QVERIFY(!credentialStatus(m, 1).contains(QLatin1String("cooldown_until")));
    }

    void messagesAreScrubbed()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("round-robin"), 1);
        m.setConfig(c);
        m.reportFailure(QStringLiteral("mock"), 0, model(), FailureKind::RateLimited, 429, {}, QByteArray(),
            QStringLiteral("Rate limit reached for key %1 (Authorization: Bearer abc.def.ghi) %2")
                .arg(secret(1), QStringLiteral("AI") + QStringLiteral("zaSy") + QStringLiteral("NOTAKEY").repeated(4)));
        const QString message = credentialStatus(m, 0)
                                    .value(QLatin1String("last_error"))
                                    .toObject()
                                    .value(QLatin1String("message"))
                                    .toString();
        QVERIFY2(!message.contains(QLatin1String("SECRET")), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1String("abc.def")), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1String("AIzaSy")), qPrintable(message));
        QVERIFY(message.startsWith(QLatin1String("Rate limit reached for key [redacted]")));
    }

    void unknownIndicesAreSafe()
    {
        TestClock clock(kStart);
        CredentialManager m(&clock);
        const Config c = pool(QStringLiteral("round-robin"), 1);
        m.setConfig(c);
        m.requestStarted(QStringLiteral("mock"), 7);
        m.requestFinished(QStringLiteral("nope"), 0);
        m.reportSuccess(QStringLiteral("mock"), -1, model());
        QCOMPARE(
            m.reportFailure(QStringLiteral("mock"), 3, model(), FailureKind::RateLimited, 429, {}, {}, {}), qint64(0));
        QCOMPARE(
            m.reportFailure(QStringLiteral("nope"), 0, model(), FailureKind::RateLimited, 429, {}, {}, {}), qint64(0));
        QCOMPARE(use(m, c.providers.at(0)), 0);
    }
};

QTEST_GUILESS_MAIN(TestCredentialManager)
#include "tst_credentialmanager.moc"
