// End to end: a client posts to a running GatewayService (port 0), which talks to a scripted upstream (port 0).

#include "fakeupstream.h"

#include "config/config.h"
#include "config/configwatcher.h"
#include "gateway/gatewayservice.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace sy;

namespace {

QByteArray request(
    const QByteArray& method, const QByteArray& path, const QByteArray& body, const QByteArray& extraHeaders = {})
{
    QByteArray r = method + ' ' + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          "x-api-key: client-key-should-not-leak\r\nanthropic-version: 2023-06-01\r\n"
        + extraHeaders;
    if (!body.isNull() || method == "POST")
        r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

QByteArray messagesBody(bool stream, const QByteArray& model = "claude-sonnet-5")
{
    return "{\"model\":\"" + model + "\",\"max_tokens\":64000,\"stream\":" + (stream ? "true" : "false")
        + ",\"system\":[{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: "
          "cc=1\"},{\"type\":\"text\",\"text\":\"You are helpful.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
          "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Say "
          "hi\"}]}],\"thinking\":{\"type\":\"adaptive\"},\"context_management\":{\"edits\":[]}}";
}

QByteArray chatTextStream()
{
    return "data: "
           "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{"
           "\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
           "data: "
           "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n"
           "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}\n\n"
           "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
           "data: "
           "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":2,\"prompt_tokens_"
           "details\":{\"cached_tokens\":10}}}\n\n"
           "data: [DONE]\n\n";
}

} // namespace

class TestGateway : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<FakeUpstream> m_upstream;
    std::unique_ptr<GatewayService> m_gateway;
    QList<RequestRecord> m_records;

    void startGateway(const QByteArray& kind, int idleMs = 5000, const QByteArray& server = {})
    {
        const QByteArray base
            = kind == "anthropic" ? m_upstream->baseUrl().toUtf8() : m_upstream->baseUrl().toUtf8() + "/v1";
        const QByteArray cfg = "{\"version\":1," + (server.isEmpty() ? QByteArray() : "\"server\":" + server + ",")
            + "\"providers\":[{\"id\":\"up\",\"kind\":\"" + kind + "\",\"base_url\":\"" + base
            + "\",\"credentials\":[{\"api_key\":\"provider-key\"}],\"models\":[{\"id\":\"up-model\",\"max_output_"
              "tokens\":8192}],"
              "\"timeouts\":{\"idle_ms\":"
            + QByteArray::number(idleMs)
            + "}}],"
              "\"routes\":[{\"match\":\"claude-*\",\"to\":[\"up/up-model\"]},{\"match\":\"nothing-*\",\"to\":[\"up/"
              "\\u002a\"]}]}";
        auto config = parseConfig(cfg, {});
        QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error()));
        m_gateway = std::make_unique<GatewayService>();
        m_gateway->setConfig(*config);
        m_gateway->setListenOverride(QHostAddress::LocalHost, 0);
        m_gateway->setKeepAliveInterval(0);
        connect(m_gateway.get(), &GatewayService::requestCompleted, this,
            [this](const RequestRecord& r) { m_records.append(r); });
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
    }

    // Sends raw bytes and reads `count` complete responses.
    QList<ParsedResponse> exchange(const QByteArray& bytes, int count = 1, QTcpSocket* keep = nullptr)
    {
        QTcpSocket local;
        QTcpSocket* s = keep ? keep : &local;
        if (s->state() != QAbstractSocket::ConnectedState) {
            s->connectToHost(QHostAddress::LocalHost, m_gateway->port());
            if (!s->waitForConnected(5000))
                return {};
        }
        s->write(bytes);
        QByteArray data;
        QList<ParsedResponse> out;
        QElapsedTimer t;
        t.start();
        while (out.size() < count && t.elapsed() < 15000) {
            ParsedResponse r;
            if (parseHttpResponse(data, &r)) {
                out.append(r);
                data.remove(0, r.consumed);
                continue;
            }
            if (s->bytesAvailable() == 0) {
                QSignalSpy spy(s, &QTcpSocket::readyRead);
                if (!spy.wait(200) && s->state() != QAbstractSocket::ConnectedState && s->bytesAvailable() == 0)
                    break;
            }
            data += s->readAll();
        }
        return out;
    }

    ParsedResponse post(const QByteArray& path, const QByteArray& body, const QByteArray& extra = {})
    {
        const QList<ParsedResponse> r = exchange(request("POST", path, body, extra));
        return r.isEmpty() ? ParsedResponse() : r.first();
    }

    static QJsonObject json(const QByteArray& body) { return QJsonDocument::fromJson(body).object(); }
    static QString errorType(const ParsedResponse& r)
    {
        return json(r.body).value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString();
    }

private Q_SLOTS:
    void init()
    {
        m_records.clear();
        m_upstream = std::make_unique<FakeUpstream>();
        QVERIFY(m_upstream->listen());
    }
    void cleanup()
    {
        m_gateway.reset();
        m_upstream.reset();
    }

    void translatesStreamingRequestAndAnswer()
    {
        startGateway("openai-chat");
        m_upstream->enqueue(FakeReply::sse(chatTextStream(), 7, 5));
        const ParsedResponse r = post("/v1/messages?beta=true", messagesBody(true));
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("text/event-stream"));
        const auto events = parseSseEvents(r.body);
        QStringList names;
        QString text;
        for (const auto& e : events) {
            names.append(QString::fromLatin1(e.first));
            const QJsonObject d = json(e.second);
            if (e.first == "content_block_delta")
                text += d.value(QLatin1String("delta")).toObject().value(QLatin1String("text")).toString();
            if (e.first == "message_delta") {
                QCOMPARE(d.value(QLatin1String("delta")).toObject().value(QLatin1String("stop_reason")).toString(),
                    QStringLiteral("end_turn"));
                const QJsonObject u = d.value(QLatin1String("usage")).toObject();
                QCOMPARE(u.value(QLatin1String("input_tokens")).toInt(), 20);
                QCOMPARE(u.value(QLatin1String("cache_read_input_tokens")).toInt(), 10);
                QCOMPARE(u.value(QLatin1String("output_tokens")).toInt(), 2);
            }
        }
        QCOMPARE(text, QStringLiteral("Hello"));
        QCOMPARE(names,
            (QStringList {QStringLiteral("message_start"), QStringLiteral("content_block_start"),
                QStringLiteral("content_block_delta"), QStringLiteral("content_block_delta"),
                QStringLiteral("content_block_stop"), QStringLiteral("message_delta"),
                QStringLiteral("message_stop")}));
        // The upstream request: chat dialect, provider key only, clamped max_tokens, no Anthropic-only fields.
        QCOMPARE(m_upstream->requests().size(), 1);
        const ReceivedRequest& up = m_upstream->requests().first();
        QCOMPARE(up.path, QByteArray("/v1/chat/completions"));
        QCOMPARE(up.header("authorization"), QByteArray("Bearer provider-key"));
        QVERIFY(up.header("x-api-key").isEmpty());
        QVERIFY(!up.body.contains("client-key-should-not-leak"));
        const QJsonObject ub = json(up.body);
        QCOMPARE(ub.value(QLatin1String("model")).toString(), QStringLiteral("up-model"));
        QCOMPARE(ub.value(QLatin1String("max_tokens")).toInt(), 8192);
        QVERIFY(!up.body.contains("cache_control"));
        QVERIFY(!up.body.contains("context_management"));
        QVERIFY(!up.body.contains("x-anthropic-billing-header"));
        QTRY_COMPARE(m_records.size(), 1);
        QCOMPARE(m_records.first().status, 200);
        QCOMPARE(m_records.first().usage.outputTokens, 2);
    }

    void translatesNonStreaming()
    {
        startGateway("openai-chat");
        m_upstream->enqueue(FakeReply::json(200,
            "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"up\",\"choices\":[{\"index\":0,"
            "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":"
            "\"function\","
            "\"function\":{\"name\":\"Read\",\"arguments\":\"{\\\"file_path\\\":\\\"a.c\\\"}\"}}]},\"finish_reason\":"
            "\"tool_calls\"}],"
            "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}"));
        const ParsedResponse r = post("/v1/messages", messagesBody(false));
        QCOMPARE(r.status, 200);
        const QJsonObject o = json(r.body);
        QCOMPARE(o.value(QLatin1String("type")).toString(), QStringLiteral("message"));
        QCOMPARE(o.value(QLatin1String("model")).toString(), QStringLiteral("claude-sonnet-5"));
        QCOMPARE(o.value(QLatin1String("stop_reason")).toString(), QStringLiteral("tool_use"));
        const QJsonObject block = o.value(QLatin1String("content")).toArray().first().toObject();
        QCOMPARE(block.value(QLatin1String("type")).toString(), QStringLiteral("tool_use"));
        QCOMPARE(block.value(QLatin1String("id")).toString(), QStringLiteral("call_1"));
        QCOMPARE(block.value(QLatin1String("input")).toObject().value(QLatin1String("file_path")).toString(),
            QStringLiteral("a.c"));
        QCOMPARE(o.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens")).toInt(), 7);
    }

    void pipelinedRequestsAnsweredInOrder()
    {
        startGateway("openai-chat");
        m_upstream->enqueue(FakeReply::sse(chatTextStream(), 5, 20));
        QByteArray both = request("POST", "/v1/messages", messagesBody(true)) + request("GET", "/health", QByteArray())
            + request("GET", "/v1/models", QByteArray());
        const QList<ParsedResponse> rs = exchange(both, 3);
        QCOMPARE(rs.size(), 3);
        QCOMPARE(rs.at(0).status, 200);
        QVERIFY(rs.at(0).body.contains("message_stop"));
        QVERIFY(rs.at(1).body.contains("\"status\":\"ok\""));
        QVERIFY(rs.at(2).body.contains("\"data\""));
    }

    void chunkedRequestBody()
    {
        startGateway("openai-chat");
        m_upstream->enqueue(FakeReply::sse(chatTextStream()));
        const QByteArray body = messagesBody(true);
        QByteArray raw = "POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (qsizetype i = 0; i < body.size(); i += 37) {
            const QByteArray piece = body.mid(i, 37);
            raw += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
        }
        raw += "0\r\n\r\n";
        const QList<ParsedResponse> rs = exchange(raw);
        QCOMPARE(rs.size(), 1);
        QCOMPARE(rs.first().status, 200);
        QVERIFY(rs.first().body.contains("Hel"));
    }

    void clientDisconnectAbortsUpstream()
    {
        startGateway("openai-chat");
        FakeReply slow = FakeReply::sse(chatTextStream(), 6, 300);
        m_upstream->enqueue(slow);
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_gateway->port());
        QVERIFY(s.waitForConnected(5000));
        s.write(request("POST", "/v1/messages", messagesBody(true)));
        QTRY_COMPARE_WITH_TIMEOUT(m_upstream->requests().size(), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(s.bytesAvailable() > 0, 5000);
        QCOMPARE(m_upstream->openConnections(), 1);
        s.abort();
        QTRY_COMPARE_WITH_TIMEOUT(m_upstream->openConnections(), 0, 5000);
        QTRY_COMPARE(m_records.size(), 1);
        QCOMPARE(m_records.first().errorType, QStringLiteral("client_disconnected"));
    }

    void upstreamErrorsBecomeAnthropicErrors_data()
    {
        QTest::addColumn<int>("upstreamStatus");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addRow("429 with retry-after") << 429 << QByteArray("7") << 429 << QStringLiteral("rate_limit_error");
        QTest::addRow("500") << 500 << QByteArray() << 500 << QStringLiteral("api_error");
        QTest::addRow("503") << 503 << QByteArray() << 529 << QStringLiteral("overloaded_error");
        QTest::addRow("401") << 401 << QByteArray() << 401 << QStringLiteral("authentication_error");
    }
    void upstreamErrorsBecomeAnthropicErrors()
    {
        QFETCH(int, upstreamStatus);
        QFETCH(QByteArray, retryAfter);
        QFETCH(int, status);
        QFETCH(QString, type);
        for (bool stream : {true, false}) {
            cleanup();
            init();
            startGateway("openai-chat");
            FakeReply reply
                = FakeReply::json(upstreamStatus, "{\"error\":{\"message\":\"upstream says no\",\"type\":\"x\"}}");
            if (!retryAfter.isEmpty())
                reply.headers.append({"retry-after", retryAfter});
            m_upstream->enqueue(reply);
            const ParsedResponse r = post("/v1/messages", messagesBody(stream));
            QCOMPARE(r.status, status);
            QCOMPARE(errorType(r), type);
            QVERIFY(json(r.body)
                        .value(QLatin1String("error"))
                        .toObject()
                        .value(QLatin1String("message"))
                        .toString()
                        .contains(QLatin1String("upstream says no")));
            QCOMPARE(r.header("retry-after"), retryAfter);
        }
    }

    void upstreamTimeoutIsTimeoutError()
    {
        startGateway("openai-chat", 300);
        FakeReply hang;
        hang.hang = true;
        m_upstream->enqueue(hang);
        const ParsedResponse r = post("/v1/messages", messagesBody(true));
        QCOMPARE(r.status, 504);
        QCOMPARE(errorType(r), QStringLiteral("timeout_error"));
    }

    void midStreamFailureIsSseError()
    {
        startGateway("openai-chat");
        FakeReply cut = FakeReply::sse(chatTextStream().left(260), 2, 10);
        cut.closeAfterChunks = true;
        m_upstream->enqueue(cut);
        const ParsedResponse r = post("/v1/messages", messagesBody(true));
        QCOMPARE(r.status, 200);
        const auto events = parseSseEvents(r.body);
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last().first, QByteArray("error"));
        QVERIFY(!r.body.contains("message_stop"));
    }

    void connectionRefusedIsApiError()
    {
        startGateway("openai-chat");
        const quint16 deadPort = m_upstream->port();
        m_upstream.reset(); // nothing listens there any more
        Q_UNUSED(deadPort);
        const ParsedResponse r = post("/v1/messages", messagesBody(false));
        QCOMPARE(r.status, 502);
        QCOMPARE(errorType(r), QStringLiteral("api_error"));
    }

    void badInputGetsAnthropicErrors_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("malformed json") << request("POST", "/v1/messages", "{\"model\":") << 400
                                        << QStringLiteral("invalid_request_error") << QStringLiteral("JSON");
        QTest::addRow("missing model") << request(
            "POST", "/v1/messages", "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                                       << 400 << QStringLiteral("invalid_request_error") << QStringLiteral("model");
        QTest::addRow("missing messages")
            << request("POST", "/v1/messages", "{\"model\":\"claude-x\",\"max_tokens\":5}") << 400
            << QStringLiteral("invalid_request_error") << QStringLiteral("messages");
        QTest::addRow("unknown route") << request("POST", "/v1/messages", messagesBody(false, "gpt-4o")) << 404
                                       << QStringLiteral("not_found_error") << QStringLiteral("no route");
        QTest::addRow("wrong method") << request("GET", "/v1/messages", QByteArray()) << 405
                                      << QStringLiteral("invalid_request_error") << QStringLiteral("POST");
        QTest::addRow("wrong path") << request("POST", "/v2/nothing", "{}") << 404 << QStringLiteral("not_found_error")
                                    << QStringLiteral("/v2/nothing");
        QTest::addRow("oversize body") << QByteArray(
            "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n")
                                       << 413 << QStringLiteral("request_too_large") << QString();
    }
    void badInputGetsAnthropicErrors()
    {
        QFETCH(QByteArray, raw);
        QFETCH(int, status);
        QFETCH(QString, type);
        QFETCH(QString, mentions);
        startGateway("openai-chat");
        const QList<ParsedResponse> rs = exchange(raw);
        QCOMPARE(rs.size(), 1);
        QCOMPARE(rs.first().status, status);
        QCOMPARE(errorType(rs.first()), type);
        const QString message
            = json(rs.first().body).value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
        QVERIFY2(message.contains(mentions, Qt::CaseInsensitive), qPrintable(message));
        QCOMPARE(m_upstream->requests().size(), 0);
        // The server keeps serving.
        const QList<ParsedResponse> again = exchange(request("GET", "/health", QByteArray()));
        QCOMPARE(again.size(), 1);
        QCOMPARE(again.first().status, 200);
    }

    void truncatedRequestDoesNotStopTheServer()
    {
        startGateway("openai-chat");
        {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, m_gateway->port());
            QVERIFY(s.waitForConnected(5000));
            s.write("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"model\":");
            QVERIFY(s.waitForBytesWritten(1000));
            s.abort();
        }
        const QList<ParsedResponse> again = exchange(request("GET", "/health", QByteArray()));
        QCOMPARE(again.size(), 1);
        QCOMPARE(again.first().status, 200);
    }

    void anthropicPassthroughIsByteExact()
    {
        startGateway("anthropic");
        const QByteArray stream
            = readShared(QStringLiteral("fixtures/upstream/anthropic/anthropic-sdkpy-tool-use-response.sse"));
        const QByteArray upstreamStream = stream.isEmpty()
            ? QByteArray(
                "event: message_start\ndata: "
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":3}}}\n\n"
                "event: message_delta\ndata: "
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1}}"
                "\n\n"
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
            : stream;
        m_upstream->enqueue(FakeReply::sse(upstreamStream, 9, 2));
        const QByteArray body
            = "{\"model\":\"claude-sonnet-5\",   \"max_tokens\": 100, \"stream\":true, "
              "\"messages\":[{\"role\":\"user\",\"content\":\"hi \\u00e9\"}], \"metadata\":{\"user_id\":\"u\"}}";
        const ParsedResponse r = post(
            "/v1/messages?beta=true", body, "anthropic-beta: claude-code-20250219,interleaved-thinking-2025-05-14\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(m_upstream->requests().size(), 1);
        const ReceivedRequest& up = m_upstream->requests().first();
        QCOMPARE(up.path, QByteArray("/v1/messages?beta=true"));
        QCOMPARE(up.header("x-api-key"), QByteArray("provider-key"));
        QCOMPARE(up.header("anthropic-beta"), QByteArray("claude-code-20250219,interleaved-thinking-2025-05-14"));
        // Only the model changed, every other byte is the client's.
        QByteArray expected = body;
        expected.replace("\"claude-sonnet-5\"", "\"up-model\"");
        QCOMPARE(up.body, expected);
        // The stream comes back as the upstream sent it (its last event terminated if the upstream did not).
        QVERIFY(r.body.startsWith(upstreamStream.left(upstreamStream.size() - 2)));
        QVERIFY(r.body.endsWith("\n\n"));
    }

    void anthropicPassthroughRelaysErrors()
    {
        startGateway("anthropic");
        FakeReply e = FakeReply::json(
            529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
        e.headers.append(qMakePair(QByteArrayLiteral("retry-after"), QByteArrayLiteral("3")));
        m_upstream->enqueue(e);
        const ParsedResponse r = post("/v1/messages", messagesBody(true));
        QCOMPARE(r.status, 529);
        QCOMPARE(errorType(r), QStringLiteral("overloaded_error"));
        QCOMPARE(r.header("retry-after"), QByteArray("3"));
    }

    void countTokensEstimatesForTranslatedRoutes()
    {
        startGateway("openai-chat");
        const ParsedResponse r = post("/v1/messages/count_tokens?beta=true",
            "{\"model\":\"claude-sonnet-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you "
            "today?\"}],"
            "\"tools\":[{\"name\":\"Read\",\"description\":\"Read a "
            "file\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"file_path\":{\"type\":\"string\"}}}}]}");
        QCOMPARE(r.status, 200);
        const int n = json(r.body).value(QLatin1String("input_tokens")).toInt();
        QVERIFY2(n > 15 && n < 200, qPrintable(QString::number(n)));
        QCOMPARE(m_upstream->requests().size(), 0);
    }

    void modelsListsRoutedClaudeIds()
    {
        startGateway("openai-chat");
        const QList<ParsedResponse> rs = exchange(request("GET", "/v1/models", QByteArray()));
        QCOMPARE(rs.size(), 1);
        const QJsonArray data = json(rs.first().body).value(QLatin1String("data")).toArray();
        QStringList ids;
        for (const QJsonValue& v : data)
            ids.append(v.toObject().value(QLatin1String("id")).toString());
        QVERIFY(ids.contains(QStringLiteral("claude-sonnet-5")));
        QVERIFY(ids.contains(QStringLiteral("claude-haiku-4-5-20251001")));
        QVERIFY(!ids.contains(QStringLiteral("up-model"))); // not routable by its own name
        // Without Anthropic headers the asker gets OpenAI's list shape.
        QTcpSocket o;
        o.connectToHost(QHostAddress::LocalHost, m_gateway->port());
        QVERIFY(o.waitForConnected(5000));
        o.write("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer x\r\n\r\n");
        QByteArray raw;
        ParsedResponse openAi;
        QTRY_VERIFY_WITH_TIMEOUT((raw += o.readAll(), parseHttpResponse(raw, &openAi)), 5000);
        QCOMPARE(json(openAi.body).value(QLatin1String("object")).toString(), QStringLiteral("list"));
        const QList<ParsedResponse> google = exchange(request("GET", "/v1beta/models", QByteArray()));
        QCOMPARE(google.size(), 1);
        const QJsonArray models = json(google.first().body).value(QLatin1String("models")).toArray();
        QVERIFY(!models.isEmpty());
        QVERIFY(models.first().toObject().value(QLatin1String("name")).toString().startsWith(QLatin1String("models/")));
        QCOMPARE(json(openAi.body)
                     .value(QLatin1String("data"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("object"))
                     .toString(),
            QStringLiteral("model"));
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_gateway->port());
        QVERIFY(s.waitForConnected(5000));
        s.write("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_VERIFY(s.bytesAvailable() > 0 && s.peek(4096).contains("\r\n\r\n"));
        QVERIFY(s.readAll().startsWith("HTTP/1.1 200"));
    }

    void workerThreadsServeConcurrentClients_data()
    {
        QTest::addColumn<int>("workers");
        QTest::newRow("main thread only") << 0;
        QTest::newRow("three workers") << 3;
    }
    void workerThreadsServeConcurrentClients()
    {
        // Connections are spread over the worker threads; each answer is translated whole and logged once.
        QFETCH(int, workers);
        startGateway("openai-chat", 5000, "{\"worker_threads\":" + QByteArray::number(workers) + "}");
        QCOMPARE(m_gateway->workerThreads(), workers);
        constexpr int Clients = 9;
        for (int i = 0; i < Clients; ++i)
            m_upstream->enqueue(FakeReply::sse(chatTextStream(), 3, 5));
        QList<QTcpSocket*> clients;
        for (int i = 0; i < Clients; ++i) {
            auto* s = new QTcpSocket(this);
            s->connectToHost(QHostAddress::LocalHost, m_gateway->port());
            QVERIFY(s->waitForConnected(5000));
            s->write(request("POST", "/v1/messages", messagesBody(true)));
            clients.append(s);
        }
        for (QTcpSocket* s : std::as_const(clients)) {
            QByteArray data;
            QTRY_VERIFY_WITH_TIMEOUT((data += s->readAll()).contains("event: message_stop"), 10000);
            QVERIFY(data.startsWith("HTTP/1.1 200"));
            QVERIFY(data.contains("\"text\":\"Hel\""));
        }
        qDeleteAll(clients);
        QTRY_COMPARE(m_records.size(), Clients);
        for (const RequestRecord& r : std::as_const(m_records))
            QCOMPARE(r.status, 200);
        QTRY_COMPARE(m_gateway->activeRequests(), 0);
        QCOMPARE(m_gateway->completedRequests(), qint64(Clients));
        m_gateway->stop(); // the workers end with their connections closed
        QCOMPARE(m_gateway->workerThreads(), 0);
    }

    void foreignHostsAndWebPagesAreRefusedAndLogged()
    {
        startGateway(
            "openai-chat", 5000, "{\"allowed_hosts\":[\"gw.internal\"],\"allowed_origins\":[\"https://ok.example\"]}");
        const QByteArray answer
            = "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"up\",\"choices\":[{\"index\":"
              "0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":"
              "\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}";
        for (int i = 0; i < 4; ++i)
            m_upstream->enqueue(FakeReply::json(200, answer));
        const QByteArray port = QByteArray::number(m_gateway->port());
        const auto send = [this](const QByteArray& method, const QByteArray& path, const QByteArray& headers) {
            const QByteArray body = method == "POST" ? messagesBody(false) : QByteArray();
            const QList<ParsedResponse> r = exchange(method + ' ' + path + " HTTP/1.1\r\n" + headers
                + "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
                + body);
            return r.isEmpty() ? ParsedResponse() : r.first();
        };
        // DNS rebinding: the page's own name in Host.
        ParsedResponse r = send("POST", "/v1/messages", "Host: evil.example:" + port + "\r\n");
        QCOMPARE(r.status, 403);
        QCOMPARE(errorType(r), QStringLiteral("permission_error"));
        QVERIFY(json(r.body)
                    .value(QLatin1String("error"))
                    .toObject()
                    .value(QLatin1String("message"))
                    .toString()
                    .contains(QLatin1String("evil.example")));
        // A simple cross-origin POST from a web page (CSRF), in the shape of the endpoint called.
        r = send("POST", "/v1/messages", "Host: localhost:" + port + "\r\nOrigin: https://evil.example\r\n");
        QCOMPARE(r.status, 403);
        QCOMPARE(errorType(r), QStringLiteral("permission_error"));
        QVERIFY(r.header("access-control-allow-origin").isEmpty());
        r = send("POST", "/v1/chat/completions", "Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n");
        QCOMPARE(r.status, 403);
        QVERIFY(json(r.body).value(QLatin1String("error")).toObject().contains(QLatin1String("message")));
        // Preflights get no permissive answer unless the origin is configured.
        r = send("OPTIONS", "/v1/messages",
            "Host: 127.0.0.1\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n");
        QCOMPARE(r.status, 403);
        QVERIFY(r.header("access-control-allow-origin").isEmpty());
        r = send("OPTIONS", "/v1/messages",
            "Host: 127.0.0.1\r\nOrigin: https://ok.example\r\nAccess-Control-Request-Method: POST\r\n"
            "Access-Control-Request-Headers: content-type, x-api-key\r\n");
        QCOMPARE(r.status, 204);
        QCOMPARE(r.header("access-control-allow-origin"), QByteArray("https://ok.example"));
        QCOMPARE(r.header("access-control-allow-headers"), QByteArray("content-type, x-api-key"));
        QCOMPARE(m_upstream->requests().size(), 0); // nothing refused reached the provider
        // Local names, loopback addresses, configured names and configured origins pass.
        r = send("POST", "/v1/messages", "Host: localhost:" + port + "\r\nOrigin: https://ok.example\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("access-control-allow-origin"), QByteArray("https://ok.example"));
        QCOMPARE(send("POST", "/v1/messages", "Host: [::1]:" + port + "\r\n").status, 200);
        QCOMPARE(send("POST", "/v1/messages", "Host: GW.internal:" + port + "\r\n").status, 200);
        QCOMPARE(send("POST", "/v1/messages", "Host: 127.0.0.1:" + port + "\r\n").status, 200);
        QCOMPARE(m_upstream->requests().size(), 4);
        // Every one of them is logged once, the refused ones with their status.
        QTRY_COMPARE(m_records.size(), 9);
        QList<int> statuses;
        for (const RequestRecord& rec : std::as_const(m_records))
            statuses.append(rec.status);
        std::sort(statuses.begin(), statuses.end());
        QCOMPARE(statuses, (QList<int> {200, 200, 200, 200, 204, 403, 403, 403, 403}));
    }

    void listeningBeyondLoopbackNeedsGatewayKeys()
    {
        auto config = parseConfig("{\"version\":1,\"providers\":[],\"routes\":[]}", {});
        QVERIFY(config.ok());
        GatewayService open;
        open.setConfig(*config);
        open.setListenOverride(QHostAddress::AnyIPv4, 0);
        QString error;
        QVERIFY(!open.start(&error));
        QVERIFY2(error.contains(QLatin1String("gateway keys")), qPrintable(error));
        QVERIFY(!open.isRunning());
        auto keyed
            = parseConfig("{\"version\":1,\"server\":{\"gateway_keys\":[{\"id\":\"team\",\"key\":\"sk-team-secret\"}]},"
                          "\"providers\":[],\"routes\":[]}",
                {});
        QVERIFY(keyed.ok());
        GatewayService guarded;
        guarded.setConfig(*keyed);
        guarded.setListenOverride(QHostAddress::AnyIPv4, 0);
        QVERIFY2(guarded.start(&error), qPrintable(error));
        // Reached by whatever name points at the machine, but only with a key.
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, guarded.port());
        QVERIFY(s.waitForConnected(5000));
        s.write("GET /switchyard/v1/status HTTP/1.1\r\nHost: build-box.lan\r\n\r\n");
        QTRY_VERIFY(s.peek(4096).contains("\r\n\r\n"));
        QVERIFY(s.readAll().startsWith("HTTP/1.1 401"));
        s.write("GET /switchyard/v1/status HTTP/1.1\r\nHost: build-box.lan\r\nx-api-key: sk-team-secret\r\n\r\n");
        QTRY_VERIFY(s.peek(4096).contains("\r\n\r\n"));
        QVERIFY(s.readAll().startsWith("HTTP/1.1 200"));
    }

    void manyConcurrentStreamsDoNotQueue()
    {
        // QNAM allows six connections per host and manager; the pool must open more.
        startGateway("openai-chat");
        constexpr int Streams = 14;
        FakeReply held = FakeReply::sse(chatTextStream(), 6, 0);
        held.hangAfterChunks = 4; // the first text, then silence: every stream stays open
        for (int i = 0; i < Streams; ++i)
            m_upstream->enqueue(held);
        QList<QTcpSocket*> clients;
        for (int i = 0; i < Streams; ++i) {
            auto* s = new QTcpSocket(this);
            s->connectToHost(QHostAddress::LocalHost, m_gateway->port());
            QVERIFY(s->waitForConnected(5000));
            s->write(request("POST", "/v1/messages", messagesBody(true)));
            clients.append(s);
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_upstream->requests().size(), Streams, 10000);
        QCOMPARE(m_upstream->openConnections(), Streams);
        for (QTcpSocket* s : clients)
            QTRY_VERIFY_WITH_TIMEOUT(s->bytesAvailable() > 0, 5000); // every client already streams
        qDeleteAll(clients);
        QTRY_COMPARE_WITH_TIMEOUT(m_upstream->openConnections(), 0, 5000); // and every upstream call was aborted
    }

    void totalDeadlineEndsATricklingStream()
    {
        const QByteArray cfg = "{\"version\":1,\"providers\":[{\"id\":\"up\",\"kind\":\"openai-chat\",\"base_url\":\""
            + m_upstream->baseUrl().toUtf8()
            + "/v1\",\"timeouts\":{\"idle_ms\":5000,\"total_ms\":400}}],"
              "\"routes\":[{\"match\":\"*\",\"to\":[\"up/m\"]}]}";
        auto config = parseConfig(cfg, {});
        QVERIFY(config.ok());
        m_gateway = std::make_unique<GatewayService>();
        m_gateway->setConfig(*config);
        m_gateway->setListenOverride(QHostAddress::LocalHost, 0);
        QVERIFY(m_gateway->start());
        FakeReply slow = FakeReply::sse(QByteArray());
        for (const QByteArray& event : chatTextStream().split('\n'))
            if (!event.isEmpty())
                slow.chunks.append(event + "\n\n");
        slow.chunkIntervalMs = 250; // text after 250 ms, the end after 1.5 s: the 400 ms deadline cuts it
        m_upstream->enqueue(slow);
        const ParsedResponse r = post("/v1/messages", messagesBody(true));
        QCOMPARE(r.status, 200);
        const auto events = parseSseEvents(r.body);
        QCOMPARE(events.last().first, QByteArray("error"));
        QVERIFY(
            json(events.last().second).value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString()
            == QLatin1String("timeout_error"));
    }

    void passthroughDropsGatewaySignedThinking()
    {
        startGateway("anthropic");
        m_upstream->enqueue(FakeReply::json(200,
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":"
            "\"ok\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"));
        const QByteArray body = "{\"model\":\"claude-sonnet-5\",\"max_tokens\":10,\"messages\":["
                                "{\"role\":\"user\",\"content\":\"hi\"},"
                                "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"from "
                                "gpt\",\"signature\":\"sy1.openai-chat.\"},"
                                "{\"type\":\"thinking\",\"thinking\":\"native\",\"signature\":\"EqQBnative\"},{"
                                "\"type\":\"text\",\"text\":\"hello\"}]},"
                                "{\"role\":\"user\",\"content\":\"again\"}]}";
        const ParsedResponse r = post("/v1/messages", body);
        QCOMPARE(r.status, 200);
        QCOMPARE(json(r.body)
                     .value(QLatin1String("content"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("text"))
                     .toString(),
            QStringLiteral("ok"));
        const QByteArray up = m_upstream->requests().first().body;
        QVERIFY(!up.contains("sy1.openai-chat"));
        QVERIFY(up.contains("EqQBnative"));
        QVERIFY(up.contains("\"model\":\"up-model\""));
    }

    void hotReloadKeepsInFlightStreams()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.json"));
        auto write = [&](const QByteArray& model) {
            QFile f(path + QStringLiteral(".tmp"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"providers\":[{\"id\":\"up\",\"kind\":\"openai-chat\",\"base_url\":\""
                + m_upstream->baseUrl().toUtf8() + "/v1\"}],\"routes\":[{\"match\":\"*\",\"to\":[\"up/" + model
                + "\"]}]}");
            f.close();
            QFile::remove(path);
            QVERIFY(QFile::rename(path + QStringLiteral(".tmp"), path)); // the way editors save
        };
        write("first-model");
        auto config = loadConfigFile(path, {});
        QVERIFY(config.ok());
        m_gateway = std::make_unique<GatewayService>();
        m_gateway->setConfig(*config);
        m_gateway->setListenOverride(QHostAddress::LocalHost, 0);
        QVERIFY(m_gateway->start());
        ConfigWatcher watcher(path, {});
        watcher.setDebounceMs(50);
        connect(&watcher, &ConfigWatcher::configChanged, m_gateway.get(), &GatewayService::setConfig);
        QSignalSpy changed(&watcher, &ConfigWatcher::configChanged);
        QSignalSpy failed(&watcher, &ConfigWatcher::reloadFailed);

        FakeReply slow = FakeReply::sse(QByteArray());
        for (const QByteArray& event : chatTextStream().split('\n'))
            if (!event.isEmpty())
                slow.chunks.append(event + "\n\n");
        slow.chunkIntervalMs = 150;
        m_upstream->enqueue(slow);
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_gateway->port());
        QVERIFY(s.waitForConnected(5000));
        s.write(request("POST", "/v1/messages", messagesBody(true)));
        QTRY_COMPARE_WITH_TIMEOUT(m_upstream->requests().size(), 1, 5000);

        write("second-model"); // while the first stream is still running
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 5000);
        QByteArray data;
        ParsedResponse r;
        QTRY_VERIFY_WITH_TIMEOUT((data += s.readAll(), parseHttpResponse(data, &r)), 10000);
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("message_stop")); // the in-flight stream completed

        m_upstream->enqueue(FakeReply::sse(chatTextStream()));
        const ParsedResponse second = post("/v1/messages", messagesBody(true));
        QCOMPARE(second.status, 200);
        QVERIFY(m_upstream->requests().last().body.contains("\"second-model\""));

        // An invalid file keeps the running config and says why.
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{\"providers\": [], \"routes\": [{\"match\": \"*\", \"to\": [\"nowhere/x\"]}]}");
        f.close();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
        QVERIFY(failed.first().first().toString().contains(QLatin1String("unknown provider \"nowhere\"")));
        m_upstream->enqueue(FakeReply::sse(chatTextStream()));
        QCOMPARE(post("/v1/messages", messagesBody(true)).status, 200);
    }

    void openAiChatClientsToAnyUpstream_data()
    {
        QTest::addColumn<QByteArray>("kind");
        QTest::addColumn<bool>("stream");
        for (bool stream : {true, false}) {
            QTest::addRow("chat -> openai-chat, %s", stream ? "stream" : "json") << QByteArray("openai-chat") << stream;
            QTest::addRow("chat -> anthropic, %s", stream ? "stream" : "json") << QByteArray("anthropic") << stream;
        }
    }
    void openAiChatClientsToAnyUpstream()
    {
        QFETCH(QByteArray, kind);
        QFETCH(bool, stream);
        startGateway(kind);
        if (kind == "anthropic") {
            const QByteArray sse = "event: message_start\ndata: "
                                   "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                                   "\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":7}}}\n\n"
                                   "event: content_block_start\ndata: "
                                   "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_"
                                   "use\",\"id\":\"toolu_1\",\"name\":\"Read\",\"input\":{}}}\n\n"
                                   "event: content_block_delta\ndata: "
                                   "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_"
                                   "delta\",\"partial_json\":\"{\\\"file_path\\\":\\\"a.c\\\"}\"}}\n\n"
                                   "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                                   "event: message_delta\ndata: "
                                   "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{"
                                   "\"output_tokens\":5}}\n\n"
                                   "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
            m_upstream->enqueue(FakeReply::sse(sse, 3));
        } else if (stream) {
            m_upstream->enqueue(FakeReply::sse(chatTextStream(), 3));
        } else {
            m_upstream->enqueue(FakeReply::json(200,
                "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                "\"assistant\",\"content\":\"Hello\"},\"finish_reason\":\"stop\"}]}"));
        }
        const QByteArray body = QByteArray("{\"model\":\"claude-sonnet-5\",\"stream\":") + (stream ? "true" : "false")
            + ",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"hi\"}],"
              "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"Read\",\"parameters\":{\"type\":\"object\","
              "\"properties\":{\"file_path\":{\"type\":\"string\"}}}}}]}";
        const ParsedResponse r = post("/v1/chat/completions", body);
        QCOMPARE(r.status, 200);
        const ReceivedRequest& up = m_upstream->requests().first();
        QCOMPARE(up.path, kind == "anthropic" ? QByteArray("/v1/messages") : QByteArray("/v1/chat/completions"));
        QCOMPARE(up.header(kind == "anthropic" ? "x-api-key" : "authorization"),
            kind == "anthropic" ? QByteArray("provider-key") : QByteArray("Bearer provider-key"));
        if (kind == "openai-chat") {
            // Same dialect in and out: relayed byte for byte (only the routed model differs).
            QByteArray expected = body;
            expected.replace("\"claude-sonnet-5\"", "\"up-model\"");
            QCOMPARE(up.body, expected);
            if (stream)
                QCOMPARE(r.body, chatTextStream());
            else
                QVERIFY(r.body.contains("\"content\":\"Hello\""));
            return;
        }
        QString text;
        QString toolArgs;
        QString finish;
        auto take = [&](const QJsonObject& choice, const char* field) {
            const QJsonObject m = choice.value(QLatin1String(field)).toObject();
            text += m.value(QLatin1String("content")).toString();
            for (const QJsonValue& t : m.value(QLatin1String("tool_calls")).toArray())
                toolArgs += t.toObject()
                                .value(QLatin1String("function"))
                                .toObject()
                                .value(QLatin1String("arguments"))
                                .toString();
            if (!choice.value(QLatin1String("finish_reason")).isNull())
                finish = choice.value(QLatin1String("finish_reason")).toString();
        };
        if (stream) {
            QVERIFY(r.header("content-type").startsWith("text/event-stream"));
            QVERIFY(r.body.endsWith("data: [DONE]\n\n"));
            for (const auto& e : parseSseEvents(r.body)) {
                if (e.second == "[DONE]")
                    continue;
                const QJsonObject chunk = json(e.second);
                QCOMPARE(chunk.value(QLatin1String("object")).toString(), QStringLiteral("chat.completion.chunk"));
                for (const QJsonValue& c : chunk.value(QLatin1String("choices")).toArray())
                    take(c.toObject(), "delta");
            }
        } else {
            const QJsonObject o = json(r.body);
            QCOMPARE(o.value(QLatin1String("object")).toString(), QStringLiteral("chat.completion"));
            take(o.value(QLatin1String("choices")).toArray().first().toObject(), "message");
        }
        if (kind == "anthropic") {
            QCOMPARE(json(toolArgs.toUtf8()).value(QLatin1String("file_path")).toString(), QStringLiteral("a.c"));
            QCOMPARE(finish, QStringLiteral("tool_calls"));
        } else {
            QCOMPARE(text, QStringLiteral("Hello"));
            QCOMPARE(finish, QStringLiteral("stop"));
        }
    }

    void openAiChatErrorsInOpenAiShape()
    {
        startGateway("openai-chat");
        const ParsedResponse bad = post("/v1/chat/completions", "{\"model\":");
        QCOMPARE(bad.status, 400);
        const QJsonObject e = json(bad.body).value(QLatin1String("error")).toObject();
        QCOMPARE(e.value(QLatin1String("type")).toString(), QStringLiteral("invalid_request_error"));
        QVERIFY(e.contains(QLatin1String("param")));
        QVERIFY(!json(bad.body).contains(QLatin1String("type"))); // not the Anthropic envelope
        m_upstream->enqueue(FakeReply::json(429, "{\"error\":{\"message\":\"slow\"}}"));
        const ParsedResponse limited = post(
            "/v1/chat/completions", "{\"model\":\"claude-x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        QCOMPARE(limited.status, 429);
        QCOMPARE(json(limited.body).value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(),
            QStringLiteral("rate_limit_exceeded"));
    }

    void everyInboundDialectAnswersErrorsInItsOwnShape()
    {
        startGateway("openai-chat");
        // Responses (Codex): OpenAI's error object
        ParsedResponse r = post("/v1/responses", "{\"model\": 5");
        QCOMPARE(r.status, 400);
        QVERIFY(json(r.body).value(QLatin1String("error")).toObject().contains(QLatin1String("message")));
        QVERIFY(!json(r.body).contains(QLatin1String("type")));
        // Gemini: Google's error object with a status name
        r = post("/v1beta/models/gemini-x:generateContent", "not json");
        QCOMPARE(r.status, 400);
        const QJsonObject g = json(r.body).value(QLatin1String("error")).toObject();
        QCOMPARE(g.value(QLatin1String("code")).toInt(), 400);
        QCOMPARE(g.value(QLatin1String("status")).toString(), QStringLiteral("INVALID_ARGUMENT"));
        // Errors the HTTP layer makes itself (here: an oversize body) follow the endpoint's dialect too.
        QList<ParsedResponse> big
            = exchange("POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n");
        QCOMPARE(big.size(), 1);
        QCOMPARE(big.first().status, 413);
        QVERIFY(!json(big.first().body).contains(QLatin1String("type")));
        QVERIFY(json(big.first().body).value(QLatin1String("error")).toObject().contains(QLatin1String("message")));
        big = exchange(
            "POST /v1beta/models/m:generateContent HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n");
        QCOMPARE(big.size(), 1);
        QCOMPARE(
            json(big.first().body).value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), 413);
        // Unknown route, Gemini shape
        r = post("/v1beta/models/unrouted-model:generateContent",
            "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}");
        QCOMPARE(r.status, 404);
        QCOMPARE(json(r.body).value(QLatin1String("error")).toObject().value(QLatin1String("status")).toString(),
            QStringLiteral("NOT_FOUND"));
    }

    void geminiAndResponsesClientsReachAChatUpstream()
    {
        startGateway("openai-chat");
        m_upstream->enqueue(FakeReply::sse(chatTextStream(), 2));
        ParsedResponse r = post("/v1beta/models/claude-sonnet-5:streamGenerateContent?alt=sse",
            "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}");
        QCOMPARE(r.status, 200);
        QString text;
        for (const auto& e : parseSseEvents(r.body)) {
            const QJsonArray parts = json(e.second)
                                         .value(QLatin1String("candidates"))
                                         .toArray()
                                         .first()
                                         .toObject()
                                         .value(QLatin1String("content"))
                                         .toObject()
                                         .value(QLatin1String("parts"))
                                         .toArray();
            for (const QJsonValue& p : parts)
                text += p.toObject().value(QLatin1String("text")).toString();
        }
        QCOMPARE(text, QStringLiteral("Hello"));
        QCOMPARE(json(m_upstream->requests().last().body).value(QLatin1String("model")).toString(),
            QStringLiteral("up-model"));

        m_upstream->enqueue(FakeReply::sse(chatTextStream(), 2));
        r = post("/v1/responses",
            "{\"model\":\"claude-sonnet-5\",\"stream\":true,\"input\":[{\"type\":\"message\",\"role\":\"user\","
            "\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]}]}");
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("response.completed"));
        QString deltas;
        for (const auto& e : parseSseEvents(r.body)) {
            const QJsonObject o = json(e.second);
            if (o.value(QLatin1String("type")).toString() == QLatin1String("response.output_text.delta"))
                deltas += o.value(QLatin1String("delta")).toString();
        }
        QCOMPARE(deltas, QStringLiteral("Hello"));
    }

    void takenPortFailsWithMessage()
    {
        startGateway("openai-chat");
        GatewayService second;
        Config c = m_gateway->config();
        second.setConfig(c);
        second.setListenOverride(QHostAddress::LocalHost, m_gateway->port());
        QString error;
        QVERIFY(!second.start(&error));
        QVERIFY2(error.contains(QString::number(m_gateway->port())), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestGateway)
#include "tst_gateway.moc"
