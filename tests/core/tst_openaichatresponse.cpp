// Non-streaming OpenAI Chat Completions responses and error bodies: recorded fixtures, the error mapping matrix
// (PROTOCOLS §6.12, §2.7) and the encode/decode round trip.

#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-chat/openaichatresponse.h"
#include "protocol/signature.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QTest>

using namespace sy;

namespace {

QString sharedDir()
{
    const QByteArray env = qgetenv("SWITCHYARD_SHARED_DIR");
    return env.isEmpty() ? QString::fromUtf8(SWITCHYARD_SHARED_DIR) : QString::fromLocal8Bit(env);
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QString joined(const canon::Response& r, canon::PartKind kind)
{
    QString out;
    for (const canon::Part& p : r.content) {
        if (p.kind == kind)
            out += p.text;
    }
    return out;
}

QList<canon::Part> toolCalls(const canon::Response& r)
{
    QList<canon::Part> out;
    for (const canon::Part& p : r.content) {
        if (p.kind == canon::PartKind::ToolCall)
            out.append(p);
    }
    return out;
}

} // namespace

class TestOpenAiChatResponse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixtures_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(sharedDir() + QStringLiteral("/fixtures/upstream/openai-chat"));
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 30);
        for (const QString& f : files)
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
    }

    void fixtures()
    {
        QFETCH(QString, path);
        const QByteArray body = readFile(path);
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        QVERIFY(!o.isEmpty());
        const auto result = openaichat::decodeResponse(body, {});

        if (o.contains(QLatin1String("error"))) {
            // Error bodies: HTTP 400 upstream -> 400 invalid_request_error with the provider's message kept.
            QVERIFY(!result.ok());
            QCOMPARE(result.error().httpStatus, 400);
            const canon::Error e = openaichat::decodeError(400, body, {});
            QCOMPARE(e.httpStatus, 400);
            QCOMPARE(e.type, canon::ErrorType::InvalidRequest);
            QVERIFY(e.message.contains(
                o.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString()));
            return;
        }
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const canon::Response& r = result.value();
        const QJsonObject choice = o.value(QLatin1String("choices")).toArray().first().toObject();
        const QJsonObject message = choice.value(QLatin1String("message")).toObject();

        // Text and reasoning, from either plain fields or Mistral's typed content parts.
        QString text;
        QString reasoning = message.value(QLatin1String("reasoning_content")).toString();
        if (reasoning.isEmpty())
            reasoning = message.value(QLatin1String("reasoning")).toString();
        const QJsonValue content = message.value(QLatin1String("content"));
        if (content.isString()) {
            text = content.toString();
        } else {
            for (const QJsonValue& v : content.toArray()) {
                const QJsonObject part = v.toObject();
                if (part.value(QLatin1String("type")).toString() == QLatin1String("text"))
                    text += part.value(QLatin1String("text")).toString();
                for (const QJsonValue& t : part.value(QLatin1String("thinking")).toArray())
                    reasoning += t.toObject().value(QLatin1String("text")).toString();
            }
        }
        QCOMPARE(joined(r, canon::PartKind::Text), text);
        QCOMPARE(joined(r, canon::PartKind::Reasoning), reasoning);
        for (const canon::Part& p : r.content) {
            if (p.kind == canon::PartKind::Reasoning)
                QCOMPARE(canon::gatewaySignatureProvider(p.signature), QStringLiteral("openai-chat"));
            if (p.kind == canon::PartKind::Text)
                QVERIFY(!p.text.isEmpty());
        }
        if (!reasoning.isEmpty())
            QCOMPARE(r.content.first().kind, canon::PartKind::Reasoning);

        const QJsonArray expectedCalls = message.value(QLatin1String("tool_calls")).toArray();
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), expectedCalls.size());
        static const QRegularExpression idRe(QStringLiteral("^[a-zA-Z0-9_-]+$"));
        for (qsizetype i = 0; i < calls.size(); ++i) {
            const QJsonObject fn = expectedCalls.at(i).toObject().value(QLatin1String("function")).toObject();
            QCOMPARE(calls.at(i).name, fn.value(QLatin1String("name")).toString());
            QCOMPARE(calls.at(i).input,
                QJsonDocument::fromJson(fn.value(QLatin1String("arguments")).toString().toUtf8()).object());
            QCOMPARE(calls.at(i).id, expectedCalls.at(i).toObject().value(QLatin1String("id")).toString());
            QVERIFY(idRe.match(calls.at(i).id).hasMatch());
        }

        const QString finish = choice.value(QLatin1String("finish_reason")).toString();
        QCOMPARE(
            r.stopReason, openaichat::applyToolUseOverride(openaichat::stopReasonFromFinish(finish), !calls.isEmpty()));

        const QJsonObject usage = o.value(QLatin1String("usage")).toObject();
        const qint64 prompt = usage.value(QLatin1String("prompt_tokens")).toInteger();
        const qint64 completion = usage.value(QLatin1String("completion_tokens")).toInteger();
        const qint64 reasoningTokens = usage.value(QLatin1String("completion_tokens_details"))
                                           .toObject()
                                           .value(QLatin1String("reasoning_tokens"))
                                           .toInteger(-1);
        qint64 cached = usage.value(QLatin1String("prompt_tokens_details"))
                            .toObject()
                            .value(QLatin1String("cached_tokens"))
                            .toInteger(-1);
        if (cached < 0)
            cached = usage.value(QLatin1String("cached_tokens")).toInteger(0);
        QCOMPARE(r.usage.outputTokens, completion); // as reported, also where it excludes reasoning (xAI)
        QCOMPARE(r.usage.reasoningTokens, reasoningTokens);
        QCOMPARE(r.usage.inputTokens, std::max<qint64>(0, prompt - cached));
        QCOMPARE(r.usage.inputTokens + std::max<qint64>(0, r.usage.cacheReadTokens), prompt);
        QCOMPARE(r.id, o.value(QLatin1String("id")).toString());
    }

    void deepseekUsage()
    {
        const QByteArray body
            = R"({"id":"x","model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":500,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":320},"prompt_cache_hit_tokens":320,"prompt_cache_miss_tokens":180,"completion_tokens_details":{"reasoning_tokens":12}}})";
        const auto r = openaichat::decodeResponse(body, {});
        QVERIFY(r.ok());
        QCOMPARE(r->usage.inputTokens, 180);
        QCOMPARE(r->usage.cacheReadTokens, 320);
        QCOMPARE(r->usage.cacheWriteTokens, 0);
        QCOMPARE(r->usage.outputTokens, 20);
        QCOMPARE(r->usage.reasoningTokens, 12);
    }

    void cacheWriteUsage()
    {
        const canon::Usage u = openaichat::parseUsage(QJsonDocument::fromJson(
            R"({"prompt_tokens":1000,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":600,"cache_write_tokens":300}})")
                                                          .object());
        QCOMPARE(u.inputTokens, 100);
        QCOMPARE(u.cacheReadTokens, 600);
        QCOMPARE(u.cacheWriteTokens, 300);
        // Never negative, whatever the upstream reports.
        const canon::Usage odd = openaichat::parseUsage(QJsonDocument::fromJson(
            R"({"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":600}})")
                                                            .object());
        QCOMPARE(odd.inputTokens, 0);
    }

    void toolCallRepairs()
    {
        canon::TranslationContext ctx;
        ctx.toolNameToClient.insert(
            QStringLiteral("mcp__srv__tool_1a2b3c4d"), QStringLiteral("mcp__srv__tool.with.dots"));
        const QByteArray body
            = R"({"id":"x","model":"kimi","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":null,"tool_calls":[
            {"id":"functions.Bash:0","type":"function","function":{"name":"Bash","arguments":"{\u0022command\u0022:\u0022ls\u0022}"}},
            {"type":"function","function":{"name":"mcp__srv__tool_1a2b3c4d","arguments":"not json"}},
            {"id":"call_3","type":"function","function":{"name":"Read","arguments":"[1,2]"}},
            {"id":"call_3","type":"function","function":{"name":"Read","arguments":{"file_path":"a"}}}]}}]})";
        const auto r = openaichat::decodeResponse(body, ctx);
        QVERIFY(r.ok());
        const QList<canon::Part> calls = toolCalls(r.value());
        QCOMPARE(calls.size(), 4);
        QCOMPARE(calls.at(0).id, QStringLiteral("functions_Bash_0"));
        QCOMPARE(calls.at(0).input.value(QLatin1String("command")).toString(), QStringLiteral("ls"));
        QVERIFY(calls.at(1).id.startsWith(QLatin1String("toolu_")));
        QCOMPARE(calls.at(1).name, QStringLiteral("mcp__srv__tool.with.dots"));
        QVERIFY(calls.at(1).input.isEmpty());
        QVERIFY(calls.at(2).input.isEmpty());
        QVERIFY(calls.at(3).id != calls.at(2).id); // ids stay unique
        QCOMPARE(calls.at(3).input.value(QLatin1String("file_path")).toString(), QStringLiteral("a"));
        // finish_reason "stop" with calls -> tool_use; "tool_calls" without calls -> end_turn.
        QCOMPARE(r->stopReason, canon::StopReason::ToolUse);
        const auto noCalls = openaichat::decodeResponse(
            R"({"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"hm"}}]})",
            ctx);
        QVERIFY(noCalls.ok());
        QCOMPARE(noCalls->stopReason, canon::StopReason::EndTurn);
    }

    void refusal()
    {
        const auto r = openaichat::decodeResponse(
            R"({"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":null,"refusal":"I cannot help with that."}}]})",
            {});
        QVERIFY(r.ok());
        QCOMPARE(joined(r.value(), canon::PartKind::Text), QStringLiteral("I cannot help with that."));
        QCOMPARE(r->stopReason, canon::StopReason::Refusal);
    }

    void badBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        QTest::addRow("not json") << QByteArray("<html>oops</html>") << 500 << int(canon::ErrorType::Api);
        QTest::addRow("empty") << QByteArray() << 500 << int(canon::ErrorType::Api);
        QTest::addRow("error object") << QByteArray(
            R"({"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}})")
                                      << 429 << int(canon::ErrorType::RateLimit);
        QTest::addRow("no choices") << QByteArray(R"({"id":"x","choices":[]})") << 500 << int(canon::ErrorType::Api);
        QTest::addRow("insufficient resource") << QByteArray(
            R"({"choices":[{"index":0,"finish_reason":"insufficient_system_resource","message":{"content":"par"}}]})")
                                               << 529 << int(canon::ErrorType::Overloaded);
        QTest::addRow("finish error") << QByteArray(
            R"({"choices":[{"index":0,"finish_reason":"error","message":{"content":""}}]})")
                                      << 500 << int(canon::ErrorType::Api);
    }

    void badBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(int, type);
        const auto r = openaichat::decodeResponse(body, {});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().httpStatus, status);
        QCOMPARE(int(r.error().type), type);
        QVERIFY(!r.error().message.isEmpty());
    }

    void errorMatrix_data()
    {
        QTest::addColumn<int>("upstream");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        QTest::addColumn<bool>("retry");
        const QByteArray generic = R"({"error":{"message":"something happened","type":"x","code":null}})";
        QTest::addRow("400") << 400 << generic << 400 << int(canon::ErrorType::InvalidRequest) << true;
        QTest::addRow("422") << 422 << generic << 400 << int(canon::ErrorType::InvalidRequest) << true;
        QTest::addRow("401") << 401 << generic << 401 << int(canon::ErrorType::Authentication) << true;
        QTest::addRow("402") << 402 << generic << 402 << int(canon::ErrorType::Billing) << false;
        QTest::addRow("403") << 403 << generic << 403 << int(canon::ErrorType::Permission) << true;
        QTest::addRow("404") << 404 << generic << 404 << int(canon::ErrorType::NotFound) << true;
        QTest::addRow("408") << 408 << generic << 504 << int(canon::ErrorType::Timeout) << true;
        QTest::addRow("409") << 409 << generic << 409 << int(canon::ErrorType::Conflict) << true;
        QTest::addRow("413") << 413 << generic << 413 << int(canon::ErrorType::RequestTooLarge) << true;
        QTest::addRow("429") << 429 << generic << 429 << int(canon::ErrorType::RateLimit) << true;
        QTest::addRow("429 quota code")
            << 429
            << QByteArray(
                   R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})")
            << 429 << int(canon::ErrorType::RateLimit) << false;
        QTest::addRow("429 quota type") << 429
                                        << QByteArray(R"({"error":{"message":"quota","type":"insufficient_quota"}})")
                                        << 429 << int(canon::ErrorType::RateLimit) << false;
        QTest::addRow("500") << 500 << generic << 500 << int(canon::ErrorType::Api) << true;
        QTest::addRow("501") << 501 << generic << 500 << int(canon::ErrorType::Api) << true;
        QTest::addRow("502 html") << 502 << QByteArray("<html><body>Bad gateway</body></html>") << 529
                                  << int(canon::ErrorType::Overloaded) << true;
        QTest::addRow("503") << 503 << generic << 529 << int(canon::ErrorType::Overloaded) << true;
        QTest::addRow("504") << 504 << generic << 504 << int(canon::ErrorType::Timeout) << true;
        QTest::addRow("529") << 529 << generic << 529 << int(canon::ErrorType::Overloaded) << true;
        QTest::addRow("400 empty body") << 400 << QByteArray() << 400 << int(canon::ErrorType::InvalidRequest) << true;
        QTest::addRow("error string") << 403 << QByteArray(R"({"error":"region not supported"})") << 403
                                      << int(canon::ErrorType::Permission) << true;
        QTest::addRow("array body")
            << 429
            << QByteArray(R"([{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}])")
            << 429 << int(canon::ErrorType::RateLimit) << true;
    }

    void errorMatrix()
    {
        QFETCH(int, upstream);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(int, type);
        QFETCH(bool, retry);
        const canon::Error e = openaichat::decodeError(upstream, body, {});
        QCOMPARE(e.httpStatus, status);
        QCOMPARE(int(e.type), type);
        QCOMPARE(e.shouldRetry, retry);
        QVERIFY(!e.message.isEmpty());
        const QJsonObject err = QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
        if (!err.isEmpty())
            QVERIFY(e.message.contains(err.value(QLatin1String("message")).toString()));
        if (upstream == 401)
            QVERIFY(e.message.contains(QLatin1String("API key")));
        if (upstream == 502)
            QVERIFY(e.message.contains(QLatin1String("Bad gateway")));
    }

    void retryAfter_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("headerMs");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("low");
        QTest::addColumn<int>("high");
        const QByteArray body
            = R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})";
        QTest::addRow("seconds") << QByteArray("30") << QByteArray() << body << 30 << 30;
        QTest::addRow("fractional") << QByteArray("1.2") << QByteArray() << body << 2 << 2;
        const QDateTime when = QDateTime::currentDateTimeUtc().addSecs(120);
        const QByteArray httpDate
            = QLocale::c().toString(when, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss")).toLatin1() + " GMT";
        QTest::addRow("http-date") << httpDate << QByteArray() << body << 115 << 121;
        QTest::addRow("past http-date") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << QByteArray() << body << 0
                                        << 0;
        QTest::addRow("retry-after-ms") << QByteArray() << QByteArray("2500") << body << 3 << 3;
        QTest::addRow("ms wins") << QByteArray("60") << QByteArray("500") << body << 1 << 1;
        QTest::addRow("message hint")
            << QByteArray() << QByteArray()
            << QByteArray(
                   R"({"error":{"message":"Rate limit reached for gpt-4o. Please try again in 6.5s.","code":"rate_limit_exceeded"}})")
            << 7 << 7;
        QTest::addRow("none") << QByteArray() << QByteArray() << body << -1 << -1;
        QTest::addRow("garbage") << QByteArray("soon") << QByteArray() << body << -1 << -1;
    }

    void retryAfter()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, headerMs);
        QFETCH(QByteArray, body);
        QFETCH(int, low);
        QFETCH(int, high);
        const canon::Error e = openaichat::decodeError(429, body, header, headerMs);
        QCOMPARE(e.type, canon::ErrorType::RateLimit);
        QVERIFY2(e.retryAfterSeconds >= low && e.retryAfterSeconds <= high,
            qPrintable(QString::number(e.retryAfterSeconds)));
        // Also carried on overload.
        if (!header.isEmpty() && low > 0)
            QVERIFY(openaichat::decodeError(503, "{}", header, headerMs).retryAfterSeconds >= low);
    }

    void contextLength_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("prefix");
        QTest::addRow("openai") << QByteArray(
            R"({"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130205 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})")
                                << QStringLiteral("prompt is too long: 130205 tokens > 128000 maximum");
        QTest::addRow("deepseek") << QByteArray(
            R"({"error":{"message":"This model's maximum context length is 131072 tokens. However, you requested 131329 tokens (123137 in the messages, 8192 in the completion). Please reduce the length of the messages or completion.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}})")
                                  << QStringLiteral("prompt is too long: 131329 tokens > 131072 maximum");
        QTest::addRow("gemini-compat") << QByteArray(
            R"([{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}])")
                                       << QStringLiteral("prompt is too long: 1200000 tokens > 1048576 maximum");
        QTest::addRow("numbers unknown") << QByteArray(
            R"({"error":{"message":"context_length_exceeded","code":"context_length_exceeded"}})")
                                         << QStringLiteral("prompt is too long: ");
    }

    void contextLength()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, prefix);
        for (int status : {400, 422}) {
            const canon::Error e = openaichat::decodeError(status, body, {});
            QCOMPARE(e.httpStatus, 400);
            QCOMPARE(e.type, canon::ErrorType::InvalidRequest);
            QVERIFY2(e.message.startsWith(prefix), qPrintable(e.message));
        }
        // Other 400s are not rewritten.
        const canon::Error other = openaichat::decodeError(
            400, R"({"error":{"message":"Invalid max_tokens value, the valid range of max_tokens is [1, 8192]"}})", {});
        QVERIFY(!other.message.startsWith(QLatin1String("prompt is too long")));
    }

    void roundTrip_data()
    {
        QTest::addColumn<bool>("withTools");
        QTest::addRow("text") << false;
        QTest::addRow("tools") << true;
    }

    void roundTrip()
    {
        QFETCH(bool, withTools);
        canon::Response in;
        in.id = QStringLiteral("chatcmpl-42");
        canon::Part reasoning;
        reasoning.kind = canon::PartKind::Reasoning;
        reasoning.text = QStringLiteral("Thinking about it.");
        in.content.append(reasoning);
        in.content.append(canon::Part::makeText(QStringLiteral("Here you go: \u00e9\u20ac \U0001F600")));
        if (withTools) {
            canon::Part call;
            call.kind = canon::PartKind::ToolCall;
            call.id = QStringLiteral("call_1");
            call.name = QStringLiteral("Read");
            call.input
                = QJsonObject {{QStringLiteral("file_path"), QStringLiteral("/tmp/a")}, {QStringLiteral("limit"), 10},
                    {QStringLiteral("nested"), QJsonObject {{QStringLiteral("format"), true}}}};
            in.content.append(call);
            in.stopReason = canon::StopReason::ToolUse;
        } else {
            in.stopReason = canon::StopReason::MaxTokens;
        }
        in.usage.inputTokens = 100;
        in.usage.cacheReadTokens = 800;
        in.usage.cacheWriteTokens = 50;
        in.usage.outputTokens = 40;
        in.usage.reasoningTokens = 12;

        const QByteArray json = openaichat::encodeResponse(in, QStringLiteral("gpt-test"));
        const QJsonObject o = QJsonDocument::fromJson(json).object();
        QCOMPARE(o.value(QLatin1String("model")).toString(), QStringLiteral("gpt-test"));
        QCOMPARE(o.value(QLatin1String("object")).toString(), QStringLiteral("chat.completion"));
        QCOMPARE(o.value(QLatin1String("usage")).toObject().value(QLatin1String("prompt_tokens")).toInt(), 950);

        const auto out = openaichat::decodeResponse(json, {});
        QVERIFY(out.ok());
        QCOMPARE(out->id, in.id);
        QCOMPARE(out->content.size(), in.content.size());
        for (qsizetype i = 0; i < in.content.size(); ++i) {
            QCOMPARE(out->content.at(i).kind, in.content.at(i).kind);
            QCOMPARE(out->content.at(i).text, in.content.at(i).text);
            QCOMPARE(out->content.at(i).id, in.content.at(i).id);
            QCOMPARE(out->content.at(i).name, in.content.at(i).name);
            QCOMPARE(out->content.at(i).input, in.content.at(i).input);
        }
        QCOMPARE(out->stopReason, in.stopReason);
        QCOMPARE(out->usage.inputTokens, in.usage.inputTokens);
        QCOMPARE(out->usage.cacheReadTokens, in.usage.cacheReadTokens);
        QCOMPARE(out->usage.cacheWriteTokens, in.usage.cacheWriteTokens);
        QCOMPARE(out->usage.outputTokens, in.usage.outputTokens);
        QCOMPARE(out->usage.reasoningTokens, in.usage.reasoningTokens);
    }
};

QTEST_GUILESS_MAIN(TestOpenAiChatResponse)
#include "tst_openaichatresponse.moc"
