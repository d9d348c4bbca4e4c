// The usage log, gateway keys and budgets through the gateway: every request (refused ones too) is logged once with
// its tokens and cost, the usage API answers from the log, and limits answer 429 with Retry-After.

#include "fakeupstream.h"
#include "testclock.h"

#include "common/redact.h"
#include "config/config.h"
#include "gateway/gatewayservice.h"
#include "usage/budgetguard.h"
#include "usage/usagelog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace sy;

namespace {

// deepseek-chat: $0.28 / M uncached input, $0.028 / M cache hits, $0.42 / M output.
QByteArray chatReply(int prompt, int cached, int completion)
{
    return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"deepseek-chat\",\"choices\":[{\"index\":0,"
           "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{"
           "\"prompt_tokens\":"
        + QByteArray::number(prompt) + ",\"completion_tokens\":" + QByteArray::number(completion)
        + ",\"prompt_tokens_details\":{\"cached_tokens\":" + QByteArray::number(cached) + "}}}";
}

} // namespace

class TestUsageGateway : public QObject
{
    Q_OBJECT

    std::unique_ptr<FakeUpstream> m_up;
    std::unique_ptr<GatewayService> m_gateway;
    std::unique_ptr<QTemporaryDir> m_dir;
    TestClock m_clock;

    void start(const QByteArray& extra = {}, bool withCredentials = true)
    {
        const QByteArray cfg = "{\"providers\":[{\"id\":\"ds\",\"kind\":\"openai-chat\",\"base_url\":\""
            + m_up->baseUrl().toUtf8() + "/v1\""
            + (withCredentials ? QByteArray(",\"credentials\":[{\"api_key\":\"sk-upstream\"}]") : QByteArray())
            + "}],\"routes\":[{\"match\":\"*\",\"to\":[\"ds/deepseek-chat\"]}]" + extra + "}";
        auto config = parseConfig(cfg, {{QStringLiteral("ALICE_KEY"), QStringLiteral("sy-alice-secret")}});
        QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error()));
        m_gateway = std::make_unique<GatewayService>();
        m_gateway->setClock(&m_clock);
        QString error;
        QVERIFY2(m_gateway->openUsageLog(m_dir->filePath(QStringLiteral("usage.sqlite")), &error), qPrintable(error));
        m_gateway->setConfig(*config);
        m_gateway->setListenOverride(QHostAddress::LocalHost, 0);
        m_gateway->setKeepAliveInterval(0);
        QVERIFY(m_gateway->start());
    }

    ParsedResponse request(const QByteArray& line, const QByteArray& body = {}, const QByteArray& headers = {})
    {
        return sendHttp(m_gateway->port(), line, body, headers);
    }

    ParsedResponse message(const QByteArray& headers = {})
    {
        return request("POST /v1/messages",
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
            "}",
            headers);
    }

    QList<UsageRow> rows()
    {
        m_gateway->usageLog()->flush();
        QList<UsageRow> r = m_gateway->usageLog()->recent(1000);
        std::reverse(r.begin(), r.end());
        return r;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_up = std::make_unique<FakeUpstream>();
        QVERIFY(m_up->listen());
        m_clock.set(QDateTime(QDate(2026, 11, 21), QTime(12, 0), Qt::UTC).toMSecsSinceEpoch());
    }

    void cleanup()
    {
        m_gateway.reset();
        m_up.reset();
    }

    // A client sees its answer end only once the request is in the usage log, so a crash right after cannot lose
    // it: another connection reads the row the moment the answer arrived (batching alone would take up to 200 ms).
    void answersWaitForTheirUsageRow()
    {
        start();
        const QString path = m_gateway->usageLog()->path();
        const auto rowsOnDisk = [&path]() {
            const QString name = QStringLiteral("reader-%1").arg(QRandomGenerator::global()->generate());
            int count = -1;
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
                db.setDatabaseName(path);
                if (db.open()) {
                    QSqlQuery q(QStringLiteral("SELECT COUNT(*) FROM requests"), db);
                    if (q.next())
                        count = q.value(0).toInt();
                }
            }
            QSqlDatabase::removeDatabase(name);
            return count;
        };
        for (int i = 1; i <= 3; ++i) {
            m_up->enqueue(FakeReply::json(200, chatReply(10, 0, 5)));
            QCOMPARE(message().status, 200);
            QCOMPARE(rowsOnDisk(), i);
        }
        // Streams: the last chunk follows the commit.
        m_up->enqueue(FakeReply::sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
                                     "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
        const ParsedResponse streamed = request("POST /v1/messages",
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,\"messages\":[{\"role\":\"user\","
            "\"content\":\"hi\"}]}");
        QCOMPARE(streamed.status, 200);
        QVERIFY(streamed.body.contains("message_stop"));
        QCOMPARE(rowsOnDisk(), 4);
        // Errors too.
        QCOMPARE(request("POST /v1/messages", "{not json").status, 400);
        QCOMPARE(rowsOnDisk(), 5);
    }

    // With every category at debug level, no log line shows the provider key, the gateway key or a client's token,
    // even when the upstream echoes the key back in its error.
    void logLinesNeverShowSecrets()
    {
        static QStringList captured;
        captured.clear();
        const QtMessageHandler before = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext&, const QString& line) { captured.append(line); });
        installLogRedaction();
        QLoggingCategory::setFilterRules(QStringLiteral("switchyard.*=true"));
        start(",\"server\":{\"gateway_keys\":[{\"id\":\"alice\",\"key\":\"env:ALICE_KEY\"}]}");
        m_up->enqueue(FakeReply::json(400,
            "{\"error\":{\"message\":\"Incorrect API key provided: sk-upstream. Authorization: Bearer "
            "sk-upstream\",\"type\":\"invalid_request_error\"}}"));
        m_up->enqueue(FakeReply::json(200, chatReply(10, 0, 5)));
        QCOMPARE(message("x-api-key: sy-alice-secret\r\n").status, 400);
        QCOMPARE(message("authorization: Bearer sy-alice-secret\r\n").status, 200);
        QCOMPARE(message("x-api-key: wrong-client-key-12345\r\n").status, 401);
        m_gateway.reset();
        QLoggingCategory::setFilterRules(QStringLiteral("switchyard.*.debug=false"));
        qInstallMessageHandler(before);
        QVERIFY(captured.size() > 5); // debug lines were written
        const QString all = captured.join(QLatin1Char('\n'));
        for (const char* secret : {"sk-upstream", "sy-alice-secret", "wrong-client-key-12345"})
            QVERIFY2(!all.contains(QLatin1String(secret)), secret);
    }

    // Requests the HTTP server turns away before the gateway sees them (too large, malformed) are rows as well.
    void serverRejectionsAreLogged()
    {
        m_clock.set(QDateTime(QDate(2026, 11, 22), QTime(8, 0), Qt::UTC).toMSecsSinceEpoch());
        start(",\"server\":{\"max_header_bytes\":1024,\"max_body_bytes\":2048}");
        QSignalSpy completed(m_gateway.get(), &GatewayService::requestCompleted);
        QCOMPARE(request("POST /v1/messages", QByteArray(4096, 'x')).status, 413);
        QCOMPARE(message("x-padding: " + QByteArray(2000, 'p') + "\r\n").status, 431);
        // Announced like any finished request, with the injected clock's time.
        QTRY_COMPARE(completed.count(), 2);
        const auto announced = completed.at(0).at(0).value<RequestRecord>();
        QCOMPARE(announced.status, 413);
        QCOMPARE(announced.startedAt.toMSecsSinceEpoch(), m_clock.nowMs());
        QCOMPARE(completed.at(1).at(0).value<RequestRecord>().status, 431);
        const QList<UsageRow> logged = rows();
        QCOMPARE(logged.size(), 2);
        QCOMPARE(logged.at(0).status, 413);
        QCOMPARE(logged.at(0).errorType, QStringLiteral("request_too_large"));
        QCOMPARE(logged.at(0).dialect, QStringLiteral("anthropic"));
        QCOMPARE(logged.at(1).status, 431);
        QCOMPARE(logged.at(1).errorType, QStringLiteral("invalid_request_error"));
    }

    // Each request, failed ones too, is one row with normalized tokens and its cost; the API and CSV read them.
    void everyRequestIsLoggedOnceWithCost()
    {
        start();
        m_up->enqueue(FakeReply::json(200, chatReply(1200, 1000, 50)));
        m_up->enqueue(FakeReply::json(400, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}"));
        QCOMPARE(message().status, 200);
        QCOMPARE(message().status, 400);
        QCOMPARE(request("POST /v1/messages", "{not json").status, 400);

        const QList<UsageRow> logged = rows();
        QCOMPARE(logged.size(), 3);
        const UsageRow& ok = logged.at(0);
        QCOMPARE(ok.provider, QStringLiteral("ds"));
        QCOMPARE(ok.model, QStringLiteral("deepseek-chat"));
        QCOMPARE(ok.requestedModel, QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(ok.inputTokens, 200); // 1200 prompt - 1000 cached
        QCOMPARE(ok.cacheReadTokens, 1000);
        QCOMPARE(ok.outputTokens, 50);
        QVERIFY(ok.costUsd.has_value());
        QVERIFY(qAbs(*ok.costUsd - (200 * 0.28 + 1000 * 0.028 + 50 * 0.42) / 1e6) < 1e-12);
        QCOMPARE(logged.at(1).status, 400);
        QCOMPARE(logged.at(2).status, 400);
        QCOMPARE(logged.at(2).errorType, QStringLiteral("invalid_request_error"));
        QVERIFY(!ok.attemptsJson.contains(QLatin1String("sk-upstream")));

        const ParsedResponse api = request("GET /switchyard/v1/usage?from=1h&group_by=model");
        QCOMPARE(api.status, 200);
        const QJsonObject report = QJsonDocument::fromJson(api.body).object();
        QCOMPARE(report.value(QLatin1String("total")).toObject().value(QLatin1String("requests")).toInt(), 3);
        QCOMPARE(report.value(QLatin1String("total")).toObject().value(QLatin1String("errors")).toInt(), 2);
        const QJsonArray groups = report.value(QLatin1String("groups")).toArray();
        QVERIFY(!groups.isEmpty());
        QCOMPARE(groups.at(0).toObject().value(QLatin1String("key")).toString(), QStringLiteral("deepseek-chat"));
        const ParsedResponse csv = request("GET /switchyard/v1/usage.csv?from=1h&group_by=provider");
        QCOMPARE(csv.status, 200);
        QVERIFY(csv.header("content-type").startsWith("text/csv"));
        QVERIFY2(csv.body.startsWith("bucket,key,requests,errors"), csv.body.constData());
        QVERIFY(csv.body.contains(",ds,2,1,"));
        QCOMPARE(request("GET /switchyard/v1/usage?group_by=colour").status, 400);
    }

    // Gateway keys: refused without or with a wrong key (and logged), accepted as x-api-key or bearer, never
    // forwarded upstream, and the key's id (not the key) is in the log.
    void gatewayKeysAreRequiredAndNeverForwarded()
    {
        start(",\"server\":{\"gateway_keys\":[{\"id\":\"alice\",\"key\":\"env:ALICE_KEY\"}]}", false);
        m_up->setDefault(FakeReply::json(200, chatReply(10, 0, 5)));
        ParsedResponse r = message();
        QCOMPARE(r.status, 401);
        QCOMPARE(QJsonDocument::fromJson(r.body)
                     .object()
                     .value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("type"))
                     .toString(),
            QStringLiteral("authentication_error"));
        QCOMPARE(message("x-api-key: sy-wrong\r\n").status, 401);
        QCOMPARE(m_up->requests().size(), 0);
        QCOMPARE(message("x-api-key: sy-alice-secret\r\n").status, 200);
        QCOMPARE(message("Authorization: Bearer sy-alice-secret\r\n").status, 200);
        QCOMPARE(m_up->requests().size(), 2);
        for (const ReceivedRequest& req : m_up->requests()) {
            QVERIFY(req.header("authorization").isEmpty());
            QVERIFY(req.header("x-api-key").isEmpty());
        }
        QCOMPARE(request("GET /switchyard/v1/status").status, 401);
        const QList<UsageRow> logged = rows();
        QCOMPARE(logged.size(), 5);
        QCOMPARE(logged.at(0).status, 401);
        QCOMPARE(logged.at(2).gatewayKey, QStringLiteral("alice"));
        QCOMPARE(logged.at(3).gatewayKey, QStringLiteral("alice"));
    }

    // Requests per minute: the third request in a minute is refused with Retry-After; a minute later it passes.
    void requestsPerMinuteLimit()
    {
        start(",\"limits\":{\"global\":{\"requests_per_minute\":2}}");
        m_up->setDefault(FakeReply::json(200, chatReply(10, 0, 5)));
        QCOMPARE(message().status, 200);
        m_clock.advance(10'000);
        QCOMPARE(message().status, 200);
        const ParsedResponse refused = message();
        QCOMPARE(refused.status, 429);
        QCOMPARE(refused.header("retry-after"), QByteArray("50"));
        QVERIFY(refused.body.contains("requests per minute"));
        m_clock.advance(50'001);
        QCOMPARE(message().status, 200);
        QCOMPARE(m_up->requests().size(), 3);
        QCOMPARE(rows().size(), 4); // the refusal is logged too
    }

    // A client's daily budget: a warning at warn_at, then 429 until the UTC day ends.
    void perKeyDailyBudget()
    {
        start(",\"server\":{\"gateway_keys\":[{\"id\":\"alice\",\"key\":\"env:ALICE_KEY\"}]},"
              "\"limits\":{\"keys\":{\"alice\":{\"daily_usd\":0.01,\"warn_at\":0.5}}}",
            false);
        // 10,000 output tokens of deepseek-chat = $0.0042 each.
        m_up->setDefault(FakeReply::json(200, chatReply(0, 0, 10000)));
        QSignalSpy warnings(m_gateway.get(), &GatewayService::warningRaised);
        const QByteArray key = "x-api-key: sy-alice-secret\r\n";
        QCOMPARE(message(key).status, 200); // $0.0042
        QCOMPARE(warnings.count(), 0);
        QCOMPARE(message(key).status, 200); // $0.0084: past half the budget
        QTRY_COMPARE(warnings.count(), 1);
        QVERIFY(warnings.first().first().toString().contains(QLatin1String("alice")));
        QCOMPARE(message(key).status, 200); // $0.0126: over
        const ParsedResponse refused = message(key);
        QCOMPARE(refused.status, 429);
        QVERIFY2(refused.body.contains("daily budget"), refused.body.constData());
        QCOMPARE(refused.header("retry-after"), QByteArray::number(12 * 3600)); // until 00:00 UTC
        QCOMPARE(m_up->requests().size(), 3);
        QCOMPARE(warnings.count(), 1); // once per day
        m_clock.advance(12 * 3600 * 1000LL);
        QCOMPARE(message(key).status, 200);
    }

    // Tokens per minute count what finished requests consumed.
    void tokensPerMinuteLimit()
    {
        start(",\"limits\":{\"global\":{\"tokens_per_minute\":1000}}");
        m_up->setDefault(FakeReply::json(200, chatReply(900, 0, 200)));
        QCOMPARE(message().status, 200);
        const ParsedResponse refused = message();
        QCOMPARE(refused.status, 429);
        QVERIFY(refused.body.contains("tokens per minute"));
        m_clock.advance(60'001);
        QCOMPARE(message().status, 200);
    }

    // Spend before a restart counts: budgets are seeded from the log.
    void budgetsSurviveARestart()
    {
        start(",\"limits\":{\"global\":{\"daily_usd\":0.005}}");
        m_up->setDefault(FakeReply::json(200, chatReply(0, 0, 20000))); // $0.0084
        QCOMPARE(message().status, 200);
        m_gateway->usageLog()->flush();
        m_gateway.reset();
        start(",\"limits\":{\"global\":{\"daily_usd\":0.005}}");
        QCOMPARE(message().status, 429);
    }
};

QTEST_GUILESS_MAIN(TestUsageGateway)
#include "tst_usagegateway.moc"
