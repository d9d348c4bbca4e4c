// Non-streaming OpenAI Responses bodies and error bodies: every recorded 200 body, the recorded error bodies, the
// decodeError matrix (PROTOCOLS §6.12, §3.6) and the inbound encodeResponse / encodeError round trips.

#include "fakeupstream.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-responses/responsescommon.h"
#include "protocol/openai-responses/responsesrequest.h"
#include "protocol/openai-responses/responsesresponse.h"
#include "protocol/signature.h"
#include "ssevalidator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace sy;

namespace {

QString fixtureDir()
{
    return sharedDir() + QStringLiteral("/fixtures/upstream/openai-responses");
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

QString squash(QString s)
{
    s.remove(QRegularExpression(QStringLiteral("\\s+")));
    return s;
}

// Test JSON written with ' for " and ` for an escaped quote (\"), so it needs no escaping here.
QByteArray J(const char* text)
{
    QByteArray out(text);
    out.replace('\'', '"');
    out.replace('`', "\\\"");
    return out;
}

bool isErrorBody(const QJsonObject& o)
{
    return !o.contains(QLatin1String("output"));
}

} // namespace

class TestResponsesResponse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixtures_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        int n = 0;
        for (const QString& f : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            const QJsonObject o = QJsonDocument::fromJson(readFile(dir.filePath(f))).object();
            if (isErrorBody(o))
                continue;
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
            ++n;
        }
        QVERIFY(n >= 40);
    }

    void fixtures()
    {
        QFETCH(QString, path);
        const QByteArray body = readFile(path);
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        canon::TranslationContext ctx;
        const auto result = responses::decodeResponse(body, ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const canon::Response& r = result.value();
        QCOMPARE(r.id, o.value(QLatin1String("id")).toString());

        // Reference straight from output[].
        QString text;
        QString thinking;
        bool refusal = false;
        QList<QPair<QString, QJsonObject>> calls;
        for (const QJsonValue& v : o.value(QLatin1String("output")).toArray()) {
            const QJsonObject item = v.toObject();
            const QString type = item.value(QLatin1String("type")).toString();
            if (type == u"message") {
                for (const QJsonValue& pv : item.value(QLatin1String("content")).toArray()) {
                    const QJsonObject p = pv.toObject();
                    if (p.value(QLatin1String("type")).toString() == u"output_text")
                        text += p.value(QLatin1String("text")).toString();
                    else if (p.value(QLatin1String("type")).toString() == u"refusal") {
                        text += p.value(QLatin1String("refusal")).toString();
                        refusal = true;
                    }
                }
            } else if (type == u"reasoning") {
                const QJsonArray summary = item.value(QLatin1String("summary")).toArray();
                for (const QJsonValue& sv : summary)
                    thinking += sv.toObject().value(QLatin1String("text")).toString();
                if (summary.isEmpty()) {
                    for (const QJsonValue& cv : item.value(QLatin1String("content")).toArray())
                        thinking += cv.toObject().value(QLatin1String("text")).toString();
                }
            } else if (type == u"function_call") {
                calls.append({item.value(QLatin1String("name")).toString(),
                    QJsonDocument::fromJson(item.value(QLatin1String("arguments")).toString().toUtf8()).object()});
            }
        }
        QCOMPARE(joined(r, canon::PartKind::Text), text);
        QCOMPARE(squash(joined(r, canon::PartKind::Reasoning)), squash(thinking));
        const bool wrapper = path.contains(QLatin1String("parallel-tool-call-wrapper"));
        const QList<canon::Part> got = toolCalls(r);
        static const QRegularExpression idRe(QStringLiteral("^[a-zA-Z0-9_-]+$"));
        if (!wrapper) {
            QCOMPARE(got.size(), calls.size());
            for (qsizetype i = 0; i < got.size(); ++i) {
                QCOMPARE(got.at(i).name, calls.at(i).first);
                QCOMPARE(got.at(i).input, calls.at(i).second);
            }
        }
        for (const canon::Part& c : got)
            QVERIFY(idRe.match(c.id).hasMatch());
        for (const canon::Part& p : r.content) {
            if (p.kind == canon::PartKind::Reasoning)
                QCOMPARE(canon::gatewaySignatureProvider(p.signature), responses::signatureProvider());
        }

        canon::StopReason stop = canon::StopReason::EndTurn;
        if (!got.isEmpty())
            stop = canon::StopReason::ToolUse;
        else if (refusal)
            stop = canon::StopReason::Refusal;
        else if (o.value(QLatin1String("status")).toString() == u"incomplete")
            stop = canon::StopReason::MaxTokens;
        QCOMPARE(r.stopReason, stop);

        const QJsonObject usage = o.value(QLatin1String("usage")).toObject();
        const qint64 cached = usage.value(QLatin1String("input_tokens_details"))
                                  .toObject()
                                  .value(QLatin1String("cached_tokens"))
                                  .toInteger();
        QCOMPARE(r.usage.outputTokens, usage.value(QLatin1String("output_tokens")).toInteger());
        QCOMPARE(r.usage.cacheReadTokens, cached);
        QCOMPARE(r.usage.inputTokens, usage.value(QLatin1String("input_tokens")).toInteger() - cached);

        // Replayed to an Anthropic streaming client, it is a valid answer.
        anthropic::SseEncoder enc(QStringLiteral("claude-test"), 10);
        QByteArray sse;
        enc.encode(canon::eventsFromResponse(r), sse);
        const QString problem = validateAnthropicStream(sse);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void errorFixtures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        QTest::addColumn<bool>("retry");
        using ET = canon::ErrorType;
        QTest::newRow("quota") << QStringLiteral("openai-error.1.json") << 429 << 429 << int(ET::RateLimit) << false;
        QTest::newRow("missing parameter")
            << QStringLiteral("openai-issue-17402-error.1.json") << 400 << 400 << int(ET::InvalidRequest) << true;
        QTest::newRow("no tool call for output")
            << QStringLiteral("openai-issue-18537-error.1.json") << 400 << 400 << int(ET::InvalidRequest) << true;
        QTest::newRow("schema") << QStringLiteral("openai-issue-6454-nested-definitions-error.json") << 400 << 400
                                << int(ET::InvalidRequest) << true;
        QTest::newRow("temperature") << QStringLiteral("openai-reasoning-model-temperature-error.json") << 400 << 400
                                     << int(ET::InvalidRequest) << true;
    }

    void errorFixtures()
    {
        QFETCH(QString, file);
        QFETCH(int, httpStatus);
        QFETCH(int, status);
        QFETCH(int, type);
        QFETCH(bool, retry);
        const QByteArray body = readFile(fixtureDir() + QLatin1Char('/') + file);
        if (body.isEmpty())
            QSKIP("fixture not found");
        const canon::Error e = responses::decodeError(httpStatus, body, {});
        QCOMPARE(e.httpStatus, status);
        QCOMPARE(int(e.type), type);
        QCOMPARE(e.shouldRetry, retry);
        const QString message = QJsonDocument::fromJson(body)
                                    .object()
                                    .value(QLatin1String("error"))
                                    .toObject()
                                    .value(QLatin1String("message"))
                                    .toString();
        QVERIFY(e.message.contains(message));
        // The same body inside a 200 answer is an error too.
        const auto r = responses::decodeResponse(body, {});
        QVERIFY(!r.ok());
        QCOMPARE(int(r.error().type), type);
    }

    void decodeErrorMatrix_data()
    {
        QTest::addColumn<int>("upstream");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        using ET = canon::ErrorType;
        const QByteArray plain = J("{'error':{'message':'m','type':'x','param':null,'code':null}}");
        QTest::newRow("400") << 400 << plain << 400 << int(ET::InvalidRequest);
        QTest::newRow("401") << 401 << plain << 401 << int(ET::Authentication);
        QTest::newRow("402") << 402 << plain << 402 << int(ET::Billing);
        QTest::newRow("403") << 403 << plain << 403 << int(ET::Permission);
        QTest::newRow("404") << 404 << plain << 404 << int(ET::NotFound);
        QTest::newRow("408") << 408 << plain << 504 << int(ET::Timeout);
        QTest::newRow("409") << 409 << plain << 409 << int(ET::Conflict);
        QTest::newRow("413") << 413 << plain << 413 << int(ET::RequestTooLarge);
        QTest::newRow("422") << 422 << plain << 400 << int(ET::InvalidRequest);
        QTest::newRow("429") << 429 << plain << 429 << int(ET::RateLimit);
        QTest::newRow("500") << 500 << plain << 500 << int(ET::Api);
        QTest::newRow("502") << 502 << plain << 529 << int(ET::Overloaded);
        QTest::newRow("503") << 503 << plain << 529 << int(ET::Overloaded);
        QTest::newRow("504") << 504 << plain << 504 << int(ET::Timeout);
        QTest::newRow("not json") << 502 << QByteArray("<html>bad gateway</html>") << 529 << int(ET::Overloaded);
        QTest::newRow("empty body") << 500 << QByteArray() << 500 << int(ET::Api);
        QTest::newRow("200 rate limit") << 200 << J("{'error':{'message':'slow','code':'rate_limit_exceeded'}}") << 429
                                        << int(ET::RateLimit);
        QTest::newRow("200 server_error")
            << 200 << J("{'error':{'message':'oops','code':'server_error'}}") << 500 << int(ET::Api);
    }

    void decodeErrorMatrix()
    {
        QFETCH(int, upstream);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(int, type);
        const canon::Error e = responses::decodeError(upstream, body, {});
        QCOMPARE(e.httpStatus, status);
        QCOMPARE(int(e.type), type);
        QVERIFY(!e.message.isEmpty());
    }

    void contextLengthAndRetryAfter()
    {
        const canon::Error ctx = responses::decodeError(400,
            J("{'error':{'message':'Your input exceeds the context window of this model. Please adjust your input "
              "and try again.','type':'invalid_request_error','param':'input','code':'context_length_exceeded'}}"),
            {});
        QCOMPARE(ctx.httpStatus, 400);
        QVERIFY2(ctx.message.startsWith(QLatin1String("prompt is too long")), qPrintable(ctx.message));

        const canon::Error rl = responses::decodeError(429,
            J("{'error':{'message':'Rate limit reached','type':"
              "'requests','code':'rate_limit_exceeded'}}"),
            "17");
        QCOMPARE(rl.httpStatus, 429);
        QCOMPARE(rl.retryAfterSeconds, 17);
        QVERIFY(rl.shouldRetry);
    }

    void decodeEdgeCases()
    {
        // Not JSON.
        auto r = responses::decodeResponse("nope", {});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().httpStatus, 500);
        // Failed status.
        r = responses::decodeResponse(J("{'id':'r','status':'failed','output':[],'error':{'code':'server_error',"
                                        "'message':'boom'}}"),
            {});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, QStringLiteral("boom"));
        QCOMPARE(r.error().httpStatus, 500);
        // No output at all.
        QVERIFY(!responses::decodeResponse(J("{'id':'r','status':'completed'}"), {}).ok());

        // Incomplete, refusal, restored names and ids, hosted items skipped, empty reasoning dropped.
        canon::TranslationContext ctx;
        const QString longId = QStringLiteral("toolu_") + QString(70, QLatin1Char('z'));
        responses::recordCallId(ctx, responses::upstreamCallId(longId), longId);
        ctx.toolNameToClient.insert(QStringLiteral("short_name"), QStringLiteral("the.long.name"));
        const QByteArray body = QByteArray("{\"id\":\"resp_1\",\"status\":\"incomplete\",\"incomplete_details\":"
                                           "{\"reason\":\"max_output_tokens\"},\"output\":["
                                           "{\"type\":\"reasoning\",\"summary\":[]},"
                                           "{\"type\":\"reasoning\",\"summary\":[],\"encrypted_content\":\"E1\"},"
                                           "{\"type\":\"web_search_call\",\"id\":\"ws\"},"
                                           "{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":"
                                           "\"hi\"}]},"
                                           "{\"type\":\"function_call\",\"call_id\":\"")
            + responses::upstreamCallId(longId).toUtf8()
            + "\",\"name\":\"short_name\",\"arguments\":\"{\\\"a\\\":1}\"},"
              "{\"type\":\"function_call\",\"call_id\":\"c2\",\"name\":\"f\",\"arguments\":\"not json\"}],"
              "\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}";
        r = responses::decodeResponse(body, ctx);
        QVERIFY(r.ok());
        const canon::Response& resp = r.value();
        QCOMPARE(resp.content.size(), 4);
        QCOMPARE(resp.content.at(0).kind, canon::PartKind::Reasoning);
        QCOMPARE(responses::encryptedContentFromSignature(resp.content.at(0).signature), QStringLiteral("E1"));
        QCOMPARE(resp.content.at(1).text, QStringLiteral("hi"));
        QCOMPARE(resp.content.at(2).id, longId);
        QCOMPARE(resp.content.at(2).name, QStringLiteral("the.long.name"));
        QCOMPARE(resp.content.at(2).input.value(QLatin1String("a")).toInt(), 1);
        QVERIFY(resp.content.at(3).input.isEmpty());
        QCOMPARE(resp.stopReason, canon::StopReason::ToolUse);

        r = responses::decodeResponse(J("{'id':'r','status':'incomplete','incomplete_details':{'reason':"
                                        "'max_output_tokens'},'output':[{'type':'message','content':[{'type':"
                                        "'output_text','text':'cut'}]}]}"),
            {});
        QCOMPARE(r.value().stopReason, canon::StopReason::MaxTokens);
        r = responses::decodeResponse(J("{'id':'r','status':'completed','output':[{'type':'message','content':"
                                        "[{'type':'refusal','refusal':'no'}]}]}"),
            {});
        QCOMPARE(r.value().stopReason, canon::StopReason::Refusal);
        QCOMPARE(joined(r.value(), canon::PartKind::Text), QStringLiteral("no"));
        r = responses::decodeResponse(J("{'id':'r','status':'incomplete','incomplete_details':{'reason':"
                                        "'content_filter'},'output':[]}"),
            {});
        QCOMPARE(r.value().stopReason, canon::StopReason::Refusal);
    }

    void encodeRoundTrip_data()
    {
        QTest::addColumn<int>("stop");
        QTest::newRow("end_turn") << int(canon::StopReason::EndTurn);
        QTest::newRow("max_tokens") << int(canon::StopReason::MaxTokens);
        QTest::newRow("refusal") << int(canon::StopReason::Refusal);
        QTest::newRow("tool_use") << int(canon::StopReason::ToolUse);
    }

    void encodeRoundTrip()
    {
        QFETCH(int, stop);
        canon::Response r;
        r.id = QStringLiteral("resp_abc");
        r.stopReason = canon::StopReason(stop);
        canon::Part reasoning;
        reasoning.kind = canon::PartKind::Reasoning;
        reasoning.text = QStringLiteral("think");
        reasoning.signature = responses::reasoningSignature(QStringLiteral("gAAAAenc"));
        r.content.append(reasoning);
        r.content.append(canon::Part::makeText(QStringLiteral("Hello \"world\"")));
        if (r.stopReason == canon::StopReason::ToolUse) {
            canon::Part call;
            call.kind = canon::PartKind::ToolCall;
            call.id = QStringLiteral("call_1");
            call.name = QStringLiteral("Bash");
            call.input = QJsonObject {{QStringLiteral("command"), QStringLiteral("ls")}};
            r.content.append(call);
        }
        r.usage.inputTokens = 10;
        r.usage.cacheReadTokens = 5;
        r.usage.outputTokens = 7;
        r.usage.reasoningTokens = 2;

        const QByteArray body = responses::encodeResponse(r, QStringLiteral("gpt-test"));
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        QCOMPARE(o.value(QLatin1String("object")).toString(), QStringLiteral("response"));
        QCOMPARE(o.value(QLatin1String("model")).toString(), QStringLiteral("gpt-test"));
        QCOMPARE(o.value(QLatin1String("usage")).toObject().value(QLatin1String("input_tokens")).toInt(), 15);
        const auto back = responses::decodeResponse(body, {});
        QVERIFY(back.ok());
        const canon::Response& b = back.value();
        QCOMPARE(b.id, r.id);
        QCOMPARE(b.stopReason, r.stopReason);
        QCOMPARE(b.content.size(), r.content.size());
        for (qsizetype i = 0; i < r.content.size(); ++i) {
            QCOMPARE(b.content.at(i).kind, r.content.at(i).kind);
            QCOMPARE(b.content.at(i).text, r.content.at(i).text);
            QCOMPARE(b.content.at(i).signature, r.content.at(i).signature);
            QCOMPARE(b.content.at(i).id, r.content.at(i).id);
            QCOMPARE(b.content.at(i).name, r.content.at(i).name);
            QCOMPARE(b.content.at(i).input, r.content.at(i).input);
        }
        QCOMPARE(b.usage.inputTokens, 10);
        QCOMPARE(b.usage.cacheReadTokens, 5);
        QCOMPARE(b.usage.outputTokens, 7);
        QCOMPARE(b.usage.reasoningTokens, 2);
    }

    void foreignSignatureSurvivesClientRoundTrip()
    {
        // An Anthropic upstream answered a Codex client: its thinking signature must come back byte-exact when
        // Codex replays the output items in the next request.
        const QString native = QStringLiteral("EqQBCkgIARABGAIiQL+native/sig==");
        canon::Response r;
        r.stopReason = canon::StopReason::ToolUse;
        canon::Part thinking;
        thinking.kind = canon::PartKind::Reasoning;
        thinking.text = QStringLiteral("I should list files.");
        thinking.signature = native;
        canon::Part call;
        call.kind = canon::PartKind::ToolCall;
        call.id = QStringLiteral("toolu_01");
        call.name = QStringLiteral("shell");
        r.content = {thinking, call};
        const QJsonArray output = QJsonDocument::fromJson(responses::encodeResponse(r, QStringLiteral("m")))
                                      .object()
                                      .value(QLatin1String("output"))
                                      .toArray();
        QJsonArray input {QJsonObject {
            {QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), QStringLiteral("go")}}};
        for (const QJsonValue& v : output)
            input.append(v);
        input.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call_output")},
            {QStringLiteral("call_id"), QStringLiteral("toolu_01")}, {QStringLiteral("output"), QStringLiteral("ok")}});
        const QByteArray body = QJsonDocument(
            QJsonObject {{QStringLiteral("model"), QStringLiteral("m")},
                {QStringLiteral("input"),
                    input}}).toJson(QJsonDocument::Compact);
        const auto req = responses::decodeRequest(body);
        QVERIFY(req.ok());
        QCOMPARE(req.value().messages.size(), 3);
        const canon::Message& a = req.value().messages.at(1);
        QCOMPARE(a.parts.size(), 2);
        QCOMPARE(a.parts.at(0).kind, canon::PartKind::Reasoning);
        QCOMPARE(a.parts.at(0).text, thinking.text);
        QCOMPARE(a.parts.at(0).signature, native);
        QCOMPARE(a.parts.at(1).id, QStringLiteral("toolu_01"));

        // Our own signatures hand out the upstream's encrypted_content unchanged.
        QCOMPARE(responses::clientEncryptedContent(responses::reasoningSignature(QStringLiteral("gAAAA"))),
            QStringLiteral("gAAAA"));
        QCOMPARE(responses::signatureFromClientEncryptedContent(QStringLiteral("gAAAA")),
            responses::reasoningSignature(QStringLiteral("gAAAA")));
        QVERIFY(responses::clientEncryptedContent(responses::reasoningSignature({})).isEmpty());
        const QString gemini = canon::makeGatewaySignature(QStringLiteral("gemini"), "thought");
        QCOMPARE(responses::signatureFromClientEncryptedContent(responses::clientEncryptedContent(gemini)), gemini);
    }

    void encodeError_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("openaiType");
        QTest::addColumn<QString>("code");
        using ET = canon::ErrorType;
        QTest::newRow("invalid") << int(ET::InvalidRequest) << 400 << QStringLiteral("bad")
                                 << QStringLiteral("invalid_request_error") << QString();
        QTest::newRow("context") << int(ET::InvalidRequest) << 400
                                 << QStringLiteral("prompt is too long: 300000 tokens > 200000 maximum")
                                 << QStringLiteral("invalid_request_error")
                                 << QStringLiteral("context_length_exceeded");
        QTest::newRow("auth") << int(ET::Authentication) << 401 << QStringLiteral("key")
                              << QStringLiteral("authentication_error") << QStringLiteral("invalid_api_key");
        QTest::newRow("rate") << int(ET::RateLimit) << 429 << QStringLiteral("slow")
                              << QStringLiteral("rate_limit_error") << QStringLiteral("rate_limit_exceeded");
        QTest::newRow("overloaded") << int(ET::Overloaded) << 529 << QStringLiteral("busy")
                                    << QStringLiteral("server_error") << QStringLiteral("server_is_overloaded");
        QTest::newRow("api") << int(ET::Api) << 500 << QStringLiteral("boom") << QStringLiteral("server_error")
                             << QStringLiteral("server_error");
    }

    void encodeError()
    {
        QFETCH(int, type);
        QFETCH(int, status);
        QFETCH(QString, message);
        QFETCH(QString, openaiType);
        QFETCH(QString, code);
        const canon::Error e = canon::Error::make(status, canon::ErrorType(type), message);
        const QJsonObject err
            = QJsonDocument::fromJson(responses::encodeError(e)).object().value(QLatin1String("error")).toObject();
        QCOMPARE(err.value(QLatin1String("message")).toString(), message);
        QCOMPARE(err.value(QLatin1String("type")).toString(), openaiType);
        QCOMPARE(err.value(QLatin1String("code")).toString(), code);
        QVERIFY(err.contains(QLatin1String("param")));
        // Read back by our own decoder, the class of error survives.
        const canon::Error back = responses::decodeError(status, responses::encodeError(e), {});
        QCOMPARE(int(back.type), type);
        QVERIFY(back.message.contains(message));
    }

    void quotaErrorNotRetried()
    {
        canon::Error e = canon::Error::make(429, canon::ErrorType::RateLimit, QStringLiteral("quota"));
        e.shouldRetry = false;
        const QByteArray body = responses::encodeError(e);
        QVERIFY(body.contains("insufficient_quota"));
        QCOMPARE(responses::decodeError(429, body, {}).shouldRetry, false);
    }
};

QTEST_GUILESS_MAIN(TestResponsesResponse)
#include "tst_responsesresponse.moc"
