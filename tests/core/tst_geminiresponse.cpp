// Gemini non-streaming responses and error bodies: every recorded 200 body, every recorded error body, the decodeError
// matrix of PROTOCOLS §6.12 (incl. RetryInfo), and the equivalence of a non-streamed answer with the accumulated
// stream (§8 item 20).

#include "fakeupstream.h"
#include "protocol/gemini/geminicommon.h"
#include "protocol/gemini/geminiresponse.h"
#include "protocol/gemini/geministream.h"
#include "protocol/signature.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace sy;

namespace {

QString fixtureDir()
{
    return sharedDir() + QStringLiteral("/fixtures/upstream/gemini");
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QByteArray J(const char* text)
{
    QByteArray out(text);
    out.replace('\'', '"');
    return out;
}

bool isErrorBody(const QByteArray& body)
{
    return QJsonDocument::fromJson(body).object().contains(QLatin1String("error"));
}

struct Expected
{
    QString text;
    QString thinking;
    QList<QPair<QString, QJsonObject>> calls;
    QString finishReason;
    QString blockReason;
    qint64 outputTokens = -1;
    qint64 inputTokens = -1;
};

// What a single GenerateContentResponse says, read without the decoder.
Expected reference(const QJsonObject& d)
{
    Expected x;
    const QJsonObject u = d.value(QLatin1String("usageMetadata")).toObject();
    if (u.contains(QLatin1String("candidatesTokenCount")) || u.contains(QLatin1String("thoughtsTokenCount")))
        x.outputTokens = u.value(QLatin1String("candidatesTokenCount")).toInteger()
            + u.value(QLatin1String("thoughtsTokenCount")).toInteger();
    if (u.contains(QLatin1String("promptTokenCount")))
        x.inputTokens = u.value(QLatin1String("promptTokenCount")).toInteger()
            - u.value(QLatin1String("cachedContentTokenCount")).toInteger()
            + u.value(QLatin1String("toolUsePromptTokenCount")).toInteger();
    const QJsonArray candidates = d.value(QLatin1String("candidates")).toArray();
    if (candidates.isEmpty())
        x.blockReason
            = d.value(QLatin1String("promptFeedback")).toObject().value(QLatin1String("blockReason")).toString();
    const QJsonObject c = candidates.at(0).toObject();
    for (const QJsonValue& pv : c.value(QLatin1String("content")).toObject().value(QLatin1String("parts")).toArray()) {
        const QJsonObject p = pv.toObject();
        if (p.contains(QLatin1String("functionCall"))) {
            const QJsonObject fc = p.value(QLatin1String("functionCall")).toObject();
            x.calls.append({fc.value(QLatin1String("name")).toString(), fc.value(QLatin1String("args")).toObject()});
        } else if (p.value(QLatin1String("thought")).toBool()) {
            x.thinking += p.value(QLatin1String("text")).toString();
        } else {
            x.text += p.value(QLatin1String("text")).toString();
        }
    }
    x.finishReason = c.value(QLatin1String("finishReason")).toString();
    return x;
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

// A response with generated tool-call ids blanked, for comparing two decodings.
QString describe(const canon::Response& r)
{
    QStringList out {r.id, r.model, QString::number(int(r.stopReason)), QString::number(r.usage.inputTokens),
        QString::number(r.usage.outputTokens), QString::number(r.usage.cacheReadTokens)};
    for (const canon::Part& p : r.content) {
        out.append(QString::number(int(p.kind)) + QLatin1Char('|') + p.text + QLatin1Char('|')
            + (p.id.startsWith(QLatin1String("toolu_")) ? QStringLiteral("toolu_*") : p.id) + QLatin1Char('|') + p.name
            + QLatin1Char('|') + QString::fromUtf8(QJsonDocument(p.input).toJson(QJsonDocument::Compact))
            + QLatin1Char('|') + p.signature);
    }
    return out.join(QLatin1Char('\n'));
}

} // namespace

class TestGeminiResponse : public QObject
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
            const QByteArray body = readFile(dir.filePath(f));
            if (isErrorBody(body) || f.contains(QLatin1String("sdk-summary")))
                continue;
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
            ++n;
        }
        QVERIFY(n >= 10);
    }

    void fixtures()
    {
        QFETCH(QString, path);
        const QByteArray body = readFile(path);
        const QJsonObject doc = QJsonDocument::fromJson(body).object();
        const Expected x = reference(doc);
        const auto result = gemini::decodeResponse(body, {});
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const canon::Response& r = result.value();
        QCOMPARE(r.id, doc.value(QLatin1String("responseId")).toString());
        QCOMPARE(r.model, doc.value(QLatin1String("modelVersion")).toString());
        QCOMPARE(joined(r, canon::PartKind::Text), x.text);
        QCOMPARE(joined(r, canon::PartKind::Reasoning), x.thinking);
        QList<canon::Part> calls;
        for (const canon::Part& p : r.content) {
            if (p.kind == canon::PartKind::ToolCall)
                calls.append(p);
            if (p.kind == canon::PartKind::Text)
                QVERIFY(!p.text.isEmpty());
            if (p.kind == canon::PartKind::Reasoning)
                QCOMPARE(canon::gatewaySignatureProvider(p.signature), QStringLiteral("gemini"));
        }
        QCOMPARE(calls.size(), x.calls.size());
        static const QRegularExpression idRe(QStringLiteral("^[a-zA-Z0-9_-]+$"));
        for (qsizetype i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls.at(i).name, x.calls.at(i).first);
            QCOMPARE(calls.at(i).input, x.calls.at(i).second);
            QVERIFY(idRe.match(calls.at(i).id).hasMatch());
        }
        canon::StopReason stop
            = x.blockReason.isEmpty() ? gemini::stopReasonFromFinish(x.finishReason) : canon::StopReason::Refusal;
        if (!calls.isEmpty())
            stop = canon::StopReason::ToolUse;
        QCOMPARE(r.stopReason, stop);
        QCOMPARE(r.usage.outputTokens, x.outputTokens);
        QCOMPARE(r.usage.inputTokens, x.inputTokens);

        // Every thoughtSignature of the body survives in a "gemini" gateway signature, in order.
        QStringList sent;
        for (const QJsonValue& pv : doc.value(QLatin1String("candidates"))
                                        .toArray()
                                        .at(0)
                                        .toObject()
                                        .value(QLatin1String("content"))
                                        .toObject()
                                        .value(QLatin1String("parts"))
                                        .toArray()) {
            const QString s = pv.toObject().value(QLatin1String("thoughtSignature")).toString();
            if (!s.isEmpty())
                sent.append(s);
        }
        QStringList kept;
        for (const canon::Part& p : r.content) {
            if (p.kind == canon::PartKind::Reasoning && !gemini::unwrapThoughtSignature(p.signature).isEmpty())
                kept.append(gemini::unwrapThoughtSignature(p.signature));
        }
        QCOMPARE(kept, sent);
    }

    // §8 item 20: a stream's chunks given as one JSON array (the non-alt=sse answer) decode to the accumulated stream.
    void streamEquivalence_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        for (const QString& f : dir.entryList({QStringLiteral("*.chunks.txt")}, QDir::Files, QDir::Name))
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
    }

    void streamEquivalence()
    {
        QFETCH(QString, path);
        QByteArray array = "[";
        QByteArray sse;
        for (const QByteArray& line : readFile(path).split('\n')) {
            if (line.trimmed().isEmpty())
                continue;
            if (array.size() > 1)
                array += ",\n";
            array += line.trimmed();
            sse += "data: " + line.trimmed() + "\r\n\r\n";
        }
        array += "]";
        gemini::StreamDecoder d({});
        canon::StreamEvents events;
        d.feed(sse, events);
        d.finish(events);
        canon::ResponseAccumulator acc;
        acc.add(events);
        const auto result = gemini::decodeResponse(array, {});
        if (acc.failed()) {
            QVERIFY(!result.ok());
            return;
        }
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QCOMPARE(describe(result.value()), describe(acc.take()));
    }

    void badBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        QTest::addRow("not json") << QByteArray("<html>oops</html>") << 500 << int(canon::ErrorType::Api);
        QTest::addRow("empty") << QByteArray() << 500 << int(canon::ErrorType::Api);
        QTest::addRow("error object") << J("{'error':{'code':429,'message':'slow down','status':'RESOURCE_EXHAUSTED'}}")
                                      << 429 << int(canon::ErrorType::RateLimit);
        QTest::addRow("error in array") << J("[{'error':{'code':503,'message':'busy','status':'UNAVAILABLE'}}]") << 529
                                        << int(canon::ErrorType::Overloaded);
        QTest::addRow("no candidates") << J("{'candidates':[],'usageMetadata':{'promptTokenCount':3}}") << 500
                                       << int(canon::ErrorType::Api);
        QTest::addRow("malformed call") << J("{'candidates':[{'content':{'parts':[]},'finishReason':"
                                             "'MALFORMED_FUNCTION_CALL'}]}")
                                        << 500 << int(canon::ErrorType::Api);
        QTest::addRow("cut json") << QByteArray("{\"candidates\":[{\"content\"") << 500 << int(canon::ErrorType::Api);
    }

    void badBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(int, type);
        const auto result = gemini::decodeResponse(body, {});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().httpStatus, status);
        QCOMPARE(int(result.error().type), type);
        QVERIFY(!result.error().message.isEmpty());
    }

    void specialBodies()
    {
        // No finishReason in a whole body is an ordinary end_turn; usage with cache hits; names restored.
        canon::TranslationContext ctx;
        ctx.toolNameToClient.insert(QStringLiteral("bad_name_1234abcd"), QStringLiteral("bad name"));
        const auto r = gemini::decodeResponse(
            J("{'candidates':[{'content':{'parts':[{'text':'a'},{'functionCall':{'name':'bad_name_1234abcd',"
              "'args':{'k':[1,2]},'id':'x.y'}}]}}],'usageMetadata':{'promptTokenCount':100,"
              "'cachedContentTokenCount':60,'candidatesTokenCount':5,'thoughtsTokenCount':7}}"),
            ctx);
        QVERIFY(r.ok());
        QCOMPARE(r->content.size(), 2);
        QCOMPARE(r->content.at(1).name, QStringLiteral("bad name"));
        QCOMPARE(r->content.at(1).id, QStringLiteral("x_y"));
        QCOMPARE(r->stopReason, canon::StopReason::ToolUse);
        QCOMPARE(r->usage.inputTokens, 40);
        QCOMPARE(r->usage.cacheReadTokens, 60);
        QCOMPARE(r->usage.outputTokens, 12);

        // SAFETY -> refusal; prompt blocked -> empty refusal.
        const auto safety = gemini::decodeResponse(
            J("{'candidates':[{'content':{'parts':[{'text':'par'}]},'finishReason':'SAFETY'}]}"), {});
        QVERIFY(safety.ok());
        QCOMPARE(safety->stopReason, canon::StopReason::Refusal);
        const auto blocked = gemini::decodeResponse(J("{'promptFeedback':{'blockReason':'OTHER'}}"), {});
        QVERIFY(blocked.ok());
        QVERIFY(blocked->content.isEmpty());
        QCOMPARE(blocked->stopReason, canon::StopReason::Refusal);
    }

    void errorFixtures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("retryAfter");
        QTest::addColumn<QString>("messagePart");
        QTest::addRow("429 retry info") << QStringLiteral("google-429-retry-info.json") << 429 << 429
                                        << int(canon::ErrorType::RateLimit) << 35
                                        << QStringLiteral("You exceeded your current quota");
        QTest::addRow("400 penalty") << QStringLiteral("google-issue-8943-gemini-2.5-pro-error.json") << 400 << 400
                                     << int(canon::ErrorType::InvalidRequest) << -1
                                     << QStringLiteral("Penalty is not enabled");
        QTest::addRow("400 thinking level")
            << QStringLiteral("google-thinking-level-minimal-unsupported.json") << 400 << 400
            << int(canon::ErrorType::InvalidRequest) << -1 << QStringLiteral("Thinking level MINIMAL");
    }

    void errorFixtures()
    {
        QFETCH(QString, file);
        QFETCH(int, httpStatus);
        QFETCH(int, status);
        QFETCH(int, type);
        QFETCH(int, retryAfter);
        QFETCH(QString, messagePart);
        const QByteArray body = readFile(fixtureDir() + QLatin1Char('/') + file);
        if (body.isEmpty())
            QSKIP("fixture not found");
        const canon::Error e = gemini::decodeError(httpStatus, body, {});
        QCOMPARE(e.httpStatus, status);
        QCOMPARE(int(e.type), type);
        QCOMPARE(e.retryAfterSeconds, retryAfter);
        QVERIFY2(e.message.contains(messagePart), qPrintable(e.message));
        // The same body inside a 200 stream (or as a whole body) maps the same way.
        const auto asBody = gemini::decodeResponse(body, {});
        QVERIFY(!asBody.ok());
        QCOMPARE(asBody.error().httpStatus, status);
        QCOMPARE(asBody.error().retryAfterSeconds, retryAfter);
    }

    void errorMatrix_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("retryAfterHeader");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("retryAfter");
        QTest::addColumn<bool>("shouldRetry");
        auto google = [](int code, const char* status, const char* message) -> QByteArray {
            return QByteArray("{\"error\":{\"code\":") + QByteArray::number(code) + ",\"message\":\"" + message
                + "\",\"status\":\"" + status + "\"}}";
        };
        QTest::addRow("400") << 400 << google(400, "INVALID_ARGUMENT", "bad") << QByteArray() << 400
                             << int(canon::ErrorType::InvalidRequest) << -1 << true;
        QTest::addRow("400 failed precondition")
            << 400 << google(400, "FAILED_PRECONDITION", "User location is not supported") << QByteArray() << 400
            << int(canon::ErrorType::InvalidRequest) << -1 << true;
        QTest::addRow("401") << 401 << google(401, "UNAUTHENTICATED", "bad token") << QByteArray() << 401
                             << int(canon::ErrorType::Authentication) << -1 << true;
        QTest::addRow("403") << 403 << google(403, "PERMISSION_DENIED", "no") << QByteArray() << 403
                             << int(canon::ErrorType::Permission) << -1 << true;
        QTest::addRow("404") << 404 << google(404, "NOT_FOUND", "models/x is not found") << QByteArray() << 404
                             << int(canon::ErrorType::NotFound) << -1 << true;
        QTest::addRow("429 header wins") << 429 << google(429, "RESOURCE_EXHAUSTED", "quota") << QByteArray("7") << 429
                                         << int(canon::ErrorType::RateLimit) << 7 << true;
        QTest::addRow("429 retry object") << 429
                                          << J("{'error':{'code':429,'status':'RESOURCE_EXHAUSTED','message':'q',"
                                               "'details':[{'@type':'type.googleapis.com/google.rpc.RetryInfo',"
                                               "'retryDelay':{'seconds':3,'nanos':500000000}}]}}")
                                          << QByteArray() << 429 << int(canon::ErrorType::RateLimit) << 4 << true;
        QTest::addRow("429 retry ms") << 429
                                      << J("{'error':{'code':429,'status':'RESOURCE_EXHAUSTED','message':'q',"
                                           "'details':[{'@type':'type.googleapis.com/google.rpc.RetryInfo',"
                                           "'retryDelay':'0.2s'}]}}")
                                      << QByteArray() << 429 << int(canon::ErrorType::RateLimit) << 1 << true;
        QTest::addRow("500") << 500 << google(500, "INTERNAL", "oops") << QByteArray() << 500
                             << int(canon::ErrorType::Api) << -1 << true;
        QTest::addRow("503") << 503 << google(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
                             << QByteArray() << 529 << int(canon::ErrorType::Overloaded) << -1 << true;
        QTest::addRow("504") << 504 << google(504, "DEADLINE_EXCEEDED", "slow") << QByteArray() << 504
                             << int(canon::ErrorType::Timeout) << -1 << true;
        QTest::addRow("array body") << 400 << QByteArray("[") + google(400, "INVALID_ARGUMENT", "wrapped") + "]"
                                    << QByteArray() << 400 << int(canon::ErrorType::InvalidRequest) << -1 << true;
        QTest::addRow("html 502") << 502 << QByteArray("<html><body>Bad gateway</body></html>") << QByteArray() << 529
                                  << int(canon::ErrorType::Overloaded) << -1 << true;
        QTest::addRow("empty 400") << 400 << QByteArray() << QByteArray() << 400
                                   << int(canon::ErrorType::InvalidRequest) << -1 << true;
        QTest::addRow("api key invalid")
            << 400
            << J("{'error':{'code':400,'message':'API key not valid. Please pass a valid API key.','status':"
                 "'INVALID_ARGUMENT','details':[{'@type':'type.googleapis.com/google.rpc.ErrorInfo','reason':"
                 "'API_KEY_INVALID','domain':'googleapis.com'}]}}")
            << QByteArray() << 401 << int(canon::ErrorType::Authentication) << -1 << true;
    }

    void errorMatrix()
    {
        QFETCH(int, httpStatus);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, retryAfterHeader);
        QFETCH(int, status);
        QFETCH(int, type);
        QFETCH(int, retryAfter);
        QFETCH(bool, shouldRetry);
        const canon::Error e = gemini::decodeError(httpStatus, body, retryAfterHeader);
        QCOMPARE(e.httpStatus, status);
        QCOMPARE(int(e.type), type);
        QCOMPARE(e.retryAfterSeconds, retryAfter);
        QCOMPARE(e.shouldRetry, shouldRetry);
        QVERIFY(!e.message.isEmpty());
    }

    void contextOverflow()
    {
        const QByteArray body = J("{'error':{'code':400,'message':'The input token count (1234567) exceeds the maximum "
                                  "number of tokens allowed (1048576).','status':'INVALID_ARGUMENT'}}");
        const canon::Error e = gemini::decodeError(400, body, {});
        QCOMPARE(e.type, canon::ErrorType::InvalidRequest);
        QVERIFY2(e.message.startsWith(QLatin1String("prompt is too long: 1234567 tokens > 1048576 maximum")),
            qPrintable(e.message));
    }

    // Priority 2: encodeResponse / encodeError for Gemini clients.
    void encodeResponseRoundTrip_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        for (const QString& f : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            const QByteArray body = readFile(dir.filePath(f));
            if (!isErrorBody(body) && !f.contains(QLatin1String("sdk-summary")))
                QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
        }
    }

    void encodeResponseRoundTrip()
    {
        QFETCH(QString, path);
        const auto first = gemini::decodeResponse(readFile(path), {});
        QVERIFY(first.ok());
        const QByteArray encoded = gemini::encodeResponse(first.value(), {});
        const QJsonObject doc = QJsonDocument::fromJson(encoded).object();
        QVERIFY(doc.value(QLatin1String("candidates")).isArray());
        const auto second = gemini::decodeResponse(encoded, {});
        QVERIFY2(second.ok(), qPrintable(second.ok() ? QString() : second.error().message));
        QCOMPARE(describe(second.value()), describe(first.value()));
    }

    void encodeResponseShape()
    {
        canon::Response r;
        r.id = QStringLiteral("msg_1");
        r.model = QStringLiteral("claude-x");
        canon::Part thinking;
        thinking.kind = canon::PartKind::Reasoning;
        thinking.text = QStringLiteral("t");
        thinking.signature = QStringLiteral("NATIVE");
        canon::Part call;
        call.kind = canon::PartKind::ToolCall;
        call.id = QStringLiteral("toolu_1");
        call.name = QStringLiteral("f");
        call.input = QJsonDocument::fromJson(J("{'x':1}")).object();
        r.content = {thinking, canon::Part::makeText(QStringLiteral("hello")), call};
        r.stopReason = canon::StopReason::ToolUse;
        r.usage.inputTokens = 3;
        r.usage.outputTokens = 4;
        const QJsonObject doc = QJsonDocument::fromJson(gemini::encodeResponse(r, QStringLiteral("alias"))).object();
        QCOMPARE(doc.value(QLatin1String("modelVersion")).toString(), QStringLiteral("alias"));
        QCOMPARE(doc.value(QLatin1String("responseId")).toString(), QStringLiteral("msg_1"));
        const QJsonObject cand = doc.value(QLatin1String("candidates")).toArray().at(0).toObject();
        QCOMPARE(cand.value(QLatin1String("finishReason")).toString(), QStringLiteral("STOP"));
        const QJsonArray parts
            = cand.value(QLatin1String("content")).toObject().value(QLatin1String("parts")).toArray();
        QCOMPARE(parts.size(), 3);
        QCOMPARE(parts.at(0).toObject(), QJsonDocument::fromJson(J("{'text':'t','thought':true}")).object());
        QCOMPARE(parts.at(1).toObject().value(QLatin1String("text")).toString(), QStringLiteral("hello"));
        QCOMPARE(gemini::partFromClientThoughtSignature(
                     parts.at(1).toObject().value(QLatin1String("thoughtSignature")).toString())
                     .signature,
            QStringLiteral("NATIVE"));
        QCOMPARE(parts.at(2).toObject(),
            QJsonDocument::fromJson(J("{'functionCall':{'name':'f','args':{'x':1},'id':'toolu_1'}}")).object());
        QCOMPARE(doc.value(QLatin1String("usageMetadata")).toObject(),
            QJsonDocument::fromJson(J("{'promptTokenCount':3,'candidatesTokenCount':4,'totalTokenCount':7}")).object());
    }

    void encodeError_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("http");
        QTest::addColumn<QString>("status");
        QTest::addRow("invalid") << int(canon::ErrorType::InvalidRequest) << 400 << QStringLiteral("INVALID_ARGUMENT");
        QTest::addRow("auth") << int(canon::ErrorType::Authentication) << 401 << QStringLiteral("UNAUTHENTICATED");
        QTest::addRow("billing") << int(canon::ErrorType::Billing) << 400 << QStringLiteral("FAILED_PRECONDITION");
        QTest::addRow("permission") << int(canon::ErrorType::Permission) << 403 << QStringLiteral("PERMISSION_DENIED");
        QTest::addRow("not found") << int(canon::ErrorType::NotFound) << 404 << QStringLiteral("NOT_FOUND");
        QTest::addRow("rate") << int(canon::ErrorType::RateLimit) << 429 << QStringLiteral("RESOURCE_EXHAUSTED");
        QTest::addRow("api") << int(canon::ErrorType::Api) << 500 << QStringLiteral("INTERNAL");
        QTest::addRow("timeout") << int(canon::ErrorType::Timeout) << 504 << QStringLiteral("DEADLINE_EXCEEDED");
        QTest::addRow("overloaded") << int(canon::ErrorType::Overloaded) << 503 << QStringLiteral("UNAVAILABLE");
    }

    void encodeError()
    {
        QFETCH(int, type);
        QFETCH(int, http);
        QFETCH(QString, status);
        canon::Error e = canon::Error::make(500, canon::ErrorType(type), QStringLiteral("went wrong"));
        e.retryAfterSeconds = type == int(canon::ErrorType::RateLimit) ? 9 : -1;
        QCOMPARE(gemini::errorHttpStatus(e), http);
        const QByteArray body = gemini::encodeError(e);
        const QJsonObject err = QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
        QCOMPARE(err.value(QLatin1String("code")).toInt(), http);
        QCOMPARE(err.value(QLatin1String("status")).toString(), status);
        QCOMPARE(err.value(QLatin1String("message")).toString(), QStringLiteral("went wrong"));
        // Decoding our own error body gives the same class of error back.
        const canon::Error back = gemini::decodeError(http, body, {});
        if (type != int(canon::ErrorType::Billing) && type != int(canon::ErrorType::Authentication))
            QCOMPARE(int(back.type), type);
        QCOMPARE(back.retryAfterSeconds, e.retryAfterSeconds);
    }
};

QTEST_GUILESS_MAIN(TestGeminiResponse)
#include "tst_geminiresponse.moc"
