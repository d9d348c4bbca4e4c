// Fallback chains, credential pools and cooldowns, end to end: a client, the gateway, two scripted upstreams.

#include "fakeupstream.h"
#include "testclock.h"

#include "accounts/credentialmanager.h"
#include "config/config.h"
#include "gateway/gatewayservice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace sy;

namespace {

QByteArray messagesBody(bool stream, const QByteArray& model = "claude-sonnet-5")
{
    return "{\"model\":\"" + model + "\",\"max_tokens\":1000,\"stream\":" + (stream ? "true" : "false")
        + ",\"metadata\":{\"user_id\":\"{\\\"session_id\\\":\\\"s-1\\\"}\"},"
          "\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
}

QByteArray chatStream(const QByteArray& text)
{
    return "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"" + text
        + "\"},\"finish_reason\":null}]}\n\n"
          "data: "
          "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_"
          "tokens\":3,\"completion_tokens\":1}}\n\n"
          "data: [DONE]\n\n";
}

FakeReply chatError(int status, const QByteArray& message, const QByteArray& retryAfter = {})
{
    FakeReply r = FakeReply::json(status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"x\"}}");
    if (!retryAfter.isEmpty())
        r.headers.append(qMakePair(QByteArrayLiteral("retry-after"), retryAfter));
    return r;
}

} // namespace

class TestFailover : public QObject
{
    Q_OBJECT

    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<GatewayService> m_gateway;
    TestClock m_clock;
    QList<RequestRecord> m_records;

    // Provider "a" (pool of `keys` keys, 32k context) and "b" (200k context); the route tries a then b.
    void start(int keys = 1, const QByteArray& strategy = "round-robin", const QByteArray& extraRoute = {})
    {
        QByteArray creds;
        for (int i = 1; i <= keys; ++i)
            creds += QByteArray(i > 1 ? "," : "") + "{\"api_key\":\"key-a" + QByteArray::number(i) + "\"}";
        const QByteArray cfg = "{\"providers\":["
                               "{\"id\":\"a\",\"kind\":\"openai-chat\",\"base_url\":\""
            + m_a->baseUrl().toUtf8() + "/v1\",\"strategy\":\"" + strategy + "\",\"credentials\":[" + creds
            + "],\"models\":[{\"id\":\"small\",\"context_window\":32000}]},"
              "{\"id\":\"b\",\"kind\":\"openai-chat\",\"base_url\":\""
            + m_b->baseUrl().toUtf8()
            + "/v1\","
              "\"credentials\":[{\"api_key\":\"key-b\"}],\"models\":[{\"id\":\"big\",\"context_window\":200000}]}],"
              "\"routes\":["
            + extraRoute + "{\"match\":\"*\",\"to\":[\"a/small\",\"b/big\"]}]}";
        auto config = parseConfig(cfg, {});
        QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error()));
        m_gateway = std::make_unique<GatewayService>();
        m_gateway->setClock(&m_clock);
        m_gateway->setConfig(*config);
        m_gateway->setListenOverride(QHostAddress::LocalHost, 0);
        m_gateway->setKeepAliveInterval(0);
        connect(m_gateway.get(), &GatewayService::requestCompleted, this,
            [this](const RequestRecord& r) { m_records.append(r); });
        QVERIFY(m_gateway->start());
    }

    ParsedResponse post(const QByteArray& body) { return sendHttp(m_gateway->port(), "POST /v1/messages", body); }

    static QJsonObject error(const ParsedResponse& r)
    {
        return QJsonDocument::fromJson(r.body).object().value(QLatin1String("error")).toObject();
    }

private Q_SLOTS:
    void init()
    {
        m_records.clear();
        m_a = std::make_unique<FakeUpstream>();
        m_b = std::make_unique<FakeUpstream>();
        QVERIFY(m_a->listen());
        QVERIFY(m_b->listen());
    }
    void cleanup()
    {
        m_gateway.reset();
        m_a.reset();
        m_b.reset();
    }

    void failsOverBeforeTheFirstByte_data()
    {
        QTest::addColumn<int>("kind"); // 0: status reply, 1: connection dropped, 2: 200 stream whose first event is an
                                       // error, 3: 200 whose JSON body is cut short
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("stream");
        for (bool stream : {true, false}) {
            const char* mode = stream ? "stream" : "json";
            QTest::addRow("429 with retry-after, %s", mode) << 0 << 429 << stream;
            QTest::addRow("500, %s", mode) << 0 << 500 << stream;
            QTest::addRow("502, %s", mode) << 0 << 502 << stream;
            QTest::addRow("529, %s", mode) << 0 << 529 << stream;
            QTest::addRow("reset before the first byte, %s", mode) << 1 << 0 << stream;
            QTest::addRow("error event before any content, %s", mode) << 2 << 200 << stream;
        }
        QTest::addRow("truncated JSON answer, json") << 3 << 200 << false;
    }
    void failsOverBeforeTheFirstByte()
    {
        QFETCH(int, kind);
        QFETCH(int, status);
        QFETCH(bool, stream);
        start();
        if (kind == 0) {
            m_a->enqueue(chatError(status, "trouble", status == 429 ? "20" : ""));
        } else if (kind == 1) {
            FakeReply drop;
            drop.dropBeforeResponse = true;
            m_a->enqueue(drop);
        } else if (kind == 3) {
            m_a->enqueue(FakeReply::json(200, "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assi"));
        } else {
            m_a->enqueue(FakeReply::sse(
                "data: "
                "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":\"server_error\"}}\n\n"));
        }
        m_b->enqueue(FakeReply::sse(chatStream("from b")));
        const ParsedResponse r = post(messagesBody(stream));
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains("from b"), r.body.constData());
        if (kind == 1) {
            // QNAM itself resends a request once when a connection closes before any response arrives.
            QVERIFY(m_a->requests().size() >= 1);
            m_a->setDefault(FakeReply::json(500, "{\"error\":{\"message\":\"no reply scripted\"}}"));
        } else {
            QCOMPARE(m_a->requests().size(), 1);
        }
        QCOMPARE(m_b->requests().size(), 1);
        // The next target gets the same conversation (decoded again from the client's bytes), only its own model.
        QJsonObject first = QJsonDocument::fromJson(m_a->requests().first().body).object();
        QJsonObject second = QJsonDocument::fromJson(m_b->requests().first().body).object();
        QVERIFY(!first.value(QLatin1String("messages")).toArray().isEmpty());
        QCOMPARE(second.value(QLatin1String("messages")), first.value(QLatin1String("messages")));
        first.remove(QLatin1String("model"));
        second.remove(QLatin1String("model"));
        QCOMPARE(second, first);
        QTRY_COMPARE(m_records.size(), 1);
        const RequestRecord& rec = m_records.first();
        QCOMPARE(rec.attempts.size(), 2);
        QCOMPARE(rec.attempts.at(0).outcome, QStringLiteral("failover"));
        QCOMPARE(rec.attempts.at(0).providerId, QStringLiteral("a"));
        QCOMPARE(rec.attempts.at(1).outcome, QStringLiteral("ok"));
        QCOMPARE(rec.providerId, QStringLiteral("b"));
        if (status == 429) {
            // The rate-limited key now cools for the 20 s the provider asked: the next request skips it.
            m_b->enqueue(FakeReply::sse(chatStream("b again")));
            QCOMPARE(post(messagesBody(stream)).status, 200);
            QCOMPARE(m_a->requests().size(), 1);
            QCOMPARE(m_b->requests().size(), 2);
            // ...until the time has passed.
            m_clock.advance(21000);
            m_a->enqueue(FakeReply::sse(chatStream("a is back")));
            QVERIFY(post(messagesBody(stream)).body.contains("a is back"));
        }
    }

    void rateLimitWithoutRetryAfterBacksOff()
    {
        start();
        m_a->enqueue(chatError(429, "limited"));
        m_b->enqueue(FakeReply::sse(chatStream("b")));
        QVERIFY(post(messagesBody(true)).body.contains("\"b\""));
        // 1 s of backoff: still cooling just before, usable just after.
        m_clock.advance(900);
        m_b->enqueue(FakeReply::sse(chatStream("b2")));
        QVERIFY(post(messagesBody(true)).body.contains("b2"));
        QCOMPARE(m_a->requests().size(), 1);
        m_clock.advance(200);
        m_a->enqueue(chatError(429, "limited again"));
        m_b->enqueue(FakeReply::sse(chatStream("b3")));
        QVERIFY(post(messagesBody(true)).body.contains("b3"));
        QCOMPARE(m_a->requests().size(), 2);
        // The second 429 in a row doubles the wait to 2 s.
        m_clock.advance(1500);
        m_b->enqueue(FakeReply::sse(chatStream("b4")));
        QVERIFY(post(messagesBody(true)).body.contains("b4"));
        QCOMPARE(m_a->requests().size(), 2);
        m_clock.advance(600);
        m_a->enqueue(FakeReply::sse(chatStream("a again")));
        QVERIFY(post(messagesBody(true)).body.contains("a again"));
    }

    void noFailoverAfterTheFirstByte()
    {
        start();
        FakeReply cut = FakeReply::sse(chatStream("partial").left(120));
        cut.closeAfterChunks = true;
        m_a->enqueue(cut);
        m_b->enqueue(FakeReply::sse(chatStream("from b")));
        const ParsedResponse r = post(messagesBody(true));
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("partial"));
        QVERIFY(r.body.contains("event: error"));
        QVERIFY(!r.body.contains("from b"));
        QCOMPARE(m_b->requests().size(), 0);
    }

    void clientErrorsPassThrough()
    {
        start();
        m_a->enqueue(chatError(400, "bad tool schema"));
        const ParsedResponse r = post(messagesBody(false));
        QCOMPARE(r.status, 400);
        QCOMPARE(error(r).value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QCOMPARE(m_b->requests().size(), 0);
        // and the credential is not cooled down for it
        m_a->enqueue(FakeReply::sse(chatStream("fine")));
        QVERIFY(post(messagesBody(false)).body.contains("fine"));
    }

    void contextOverflowGoesToALargerWindow()
    {
        start();
        m_a->enqueue(chatError(400,
            "This model's maximum context length is 32000 tokens. However, you requested 45000 tokens (44000 in the "
            "messages, 1000 in the completion)."));
        m_b->enqueue(FakeReply::sse(chatStream("big window")));
        const ParsedResponse r = post(messagesBody(true));
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("big window"));
        QVERIFY(m_b->requests().first().body.contains("\"model\":\"big\""));
    }

    void poolRoundRobinAndRetryOnAnotherKey()
    {
        start(3);
        for (int i = 0; i < 3; ++i)
            m_a->enqueue(FakeReply::sse(chatStream("ok")));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(post(messagesBody(true)).status, 200);
        QStringList keys;
        for (const ReceivedRequest& r : m_a->requests())
            keys.append(QString::fromUtf8(r.header("authorization")));
        QCOMPARE(keys,
            (QStringList {
                QStringLiteral("Bearer key-a1"), QStringLiteral("Bearer key-a2"), QStringLiteral("Bearer key-a3")}));
        // A 429 on one key tries another key of the same provider before the next target.
        m_a->enqueue(chatError(429, "slow down", "30"));
        m_a->enqueue(FakeReply::sse(chatStream("second key")));
        const ParsedResponse r = post(messagesBody(true));
        QVERIFY(r.body.contains("second key"));
        QCOMPARE(m_b->requests().size(), 0);
        QVERIFY(m_a->requests().at(3).header("authorization") != m_a->requests().at(4).header("authorization"));
    }

    void stickyKeepsAConversationOnOneKey()
    {
        start(3, "sticky");
        for (int i = 0; i < 4; ++i)
            m_a->enqueue(FakeReply::sse(chatStream("ok")));
        for (int i = 0; i < 4; ++i)
            QCOMPARE(post(messagesBody(true)).status, 200);
        const QByteArray first = m_a->requests().first().header("authorization");
        for (const ReceivedRequest& r : m_a->requests())
            QCOMPARE(r.header("authorization"), first);
    }

    void everythingCoolingIs429ModelCooldown()
    {
        start();
        m_a->enqueue(chatError(429, "a is limited", "40"));
        m_b->enqueue(chatError(429, "b is limited", "90"));
        ParsedResponse r = post(messagesBody(true));
        QCOMPARE(r.status, 429);
        // Now both keys cool: the gateway answers without calling anyone.
        r = post(messagesBody(true));
        QCOMPARE(r.status, 429);
        QCOMPARE(error(r).value(QLatin1String("type")).toString(), QStringLiteral("rate_limit_error"));
        QCOMPARE(error(r).value(QLatin1String("code")).toString(), QStringLiteral("model_cooldown"));
        QCOMPARE(r.header("retry-after"), QByteArray("40"));
        QCOMPARE(m_a->requests().size() + m_b->requests().size(), 2);
        QTRY_COMPARE(m_records.size(), 2);
        QCOMPARE(m_records.last().attempts.size(), 2);
        QCOMPARE(m_records.last().attempts.first().outcome, QStringLiteral("skipped"));
    }

    void everythingInvalidIs503AuthUnavailable()
    {
        start();
        m_a->enqueue(chatError(401, "bad key"));
        m_b->enqueue(chatError(403, "forbidden"));
        ParsedResponse r = post(messagesBody(false));
        QCOMPARE(r.status, 403);
        r = post(messagesBody(false));
        QCOMPARE(r.status, 503);
        QCOMPARE(error(r).value(QLatin1String("code")).toString(), QStringLiteral("auth_unavailable"));
        QVERIFY(!r.header("retry-after").isEmpty());
        const QJsonObject details = error(r).value(QLatin1String("details")).toObject();
        QCOMPARE(details.value(QLatin1String("invalid")).toInt(), 2);
        QVERIFY(details.value(QLatin1String("recent_statuses")).toArray().size() >= 2);
        QVERIFY(!r.body.contains("key-a1"));
    }

    void statusApiShowsCredentialsWithoutSecrets()
    {
        start(2);
        m_a->enqueue(chatError(429, "limited", "60"));
        m_a->enqueue(FakeReply::sse(chatStream("ok")));
        QCOMPARE(post(messagesBody(true)).status, 200);
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_gateway->port());
        QVERIFY(s.waitForConnected(5000));
        s.write("GET /switchyard/v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QByteArray data;
        ParsedResponse r;
        QTRY_VERIFY_WITH_TIMEOUT((data += s.readAll(), parseHttpResponse(data, &r)), 5000);
        QCOMPARE(r.status, 200);
        QVERIFY(!r.body.contains("key-a1"));
        QVERIFY(!r.body.contains("key-b"));
        const QJsonArray providers
            = QJsonDocument::fromJson(r.body).object().value(QLatin1String("providers")).toArray();
        QCOMPARE(providers.size(), 2);
        const QJsonArray creds = providers.first().toObject().value(QLatin1String("credentials")).toArray();
        QCOMPARE(creds.size(), 2);
        QCOMPARE(creds.first().toObject().value(QLatin1String("id")).toString(), QStringLiteral("a#1"));
        QCOMPARE(creds.first().toObject().value(QLatin1String("state")).toString(), QStringLiteral("cooling"));
        QCOMPARE(creds.last().toObject().value(QLatin1String("state")).toString(), QStringLiteral("ready"));
    }

    void conditionalRoutesAndSubagentTag()
    {
        start(1, "round-robin", "{\"match\":\"*\",\"when\":{\"thinking\":true},\"to\":[\"b/big\"]},");
        m_b->enqueue(FakeReply::sse(chatStream("thinker")));
        QByteArray thinking = messagesBody(true);
        thinking.replace(
            "\"max_tokens\":1000", "\"max_tokens\":1000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000}");
        QVERIFY(post(thinking).body.contains("thinker"));
        QCOMPARE(m_a->requests().size(), 0);
        // The subagent tag routes to b and is removed before forwarding.
        m_b->enqueue(FakeReply::sse(chatStream("subagent")));
        QByteArray tagged = messagesBody(true);
        tagged.replace("\"messages\"",
            "\"system\":\"<CCR-SUBAGENT-MODEL>b,big</CCR-SUBAGENT-MODEL>You review code.\",\"messages\"");
        QVERIFY(post(tagged).body.contains("subagent"));
        QVERIFY(!m_b->requests().last().body.contains("CCR-SUBAGENT-MODEL"));
        QVERIFY(m_b->requests().last().body.contains("You review code."));
    }
};

QTEST_GUILESS_MAIN(TestFailover)
#include "tst_failover.moc"
