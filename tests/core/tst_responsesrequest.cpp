// Canonical request -> OpenAI Responses body (PROTOCOLS §6.5, §3.2-3.3, P14, P23) and the inbound decodeRequest,
// including the decodeRequest(encodeRequest(x)) round trip.

#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-responses/responsescommon.h"
#include "protocol/openai-responses/responsesrequest.h"
#include "protocol/signature.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace sy;
using canon::Part;
using canon::PartKind;

namespace {

Part text(const QString& t)
{
    return Part::makeText(t);
}

Part image(const QString& mime, const QString& data)
{
    Part p;
    p.kind = PartKind::Image;
    p.mediaType = mime;
    p.data = data;
    return p;
}

Part imageUrl(const QString& url)
{
    Part p;
    p.kind = PartKind::Image;
    p.url = url;
    return p;
}

Part document(const QString& mime, const QString& data, const QString& title = {})
{
    Part p;
    p.kind = PartKind::Document;
    p.mediaType = mime;
    p.data = data;
    p.title = title;
    return p;
}

Part toolCall(const QString& id, const QString& name, const QJsonObject& input)
{
    Part p;
    p.kind = PartKind::ToolCall;
    p.id = id;
    p.name = name;
    p.input = input;
    return p;
}

Part toolResult(const QString& id, const QList<Part>& content, bool isError = false)
{
    Part p;
    p.kind = PartKind::ToolResult;
    p.toolCallId = id;
    p.content = content;
    p.isError = isError;
    return p;
}

Part reasoning(const QString& t, const QString& signature)
{
    Part p;
    p.kind = PartKind::Reasoning;
    p.text = t;
    p.signature = signature;
    return p;
}

canon::Message msg(canon::Role role, const QList<Part>& parts)
{
    canon::Message m;
    m.role = role;
    m.parts = parts;
    return m;
}

canon::Request basicRequest()
{
    canon::Request req;
    req.model = QStringLiteral("claude-sonnet-4-5");
    req.maxTokens = 1024;
    req.messages.append(msg(canon::Role::User, {text(QStringLiteral("Hi"))}));
    return req;
}

QJsonObject encode(const canon::Request& req, canon::TranslationContext* ctxOut = nullptr,
    const ModelProfile& profile = ModelProfile())
{
    canon::TranslationContext ctx;
    ctx.upstreamModel = QStringLiteral("gpt-5");
    const QByteArray body = responses::encodeRequest(req, profile, ctx);
    if (ctxOut)
        *ctxOut = ctx;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    return doc.object();
}

QJsonArray input(const QJsonObject& body)
{
    return body.value(QLatin1String("input")).toArray();
}

QString typeOf(const QJsonValue& item)
{
    return item.toObject().value(QLatin1String("type")).toString();
}

QStringList types(const QJsonArray& items)
{
    QStringList out;
    for (const QJsonValue& v : items)
        out.append(typeOf(v));
    return out;
}

QList<QJsonObject> itemsOfType(const QJsonArray& items, const QString& type)
{
    QList<QJsonObject> out;
    for (const QJsonValue& v : items) {
        if (typeOf(v) == type)
            out.append(v.toObject());
    }
    return out;
}

// Test JSON written with ' for " and ` for an escaped quote (\"), so it needs no escaping here.
QByteArray J(const char* text)
{
    QByteArray out(text);
    out.replace('\'', '"');
    out.replace('`', "\\\"");
    return out;
}

canon::Request decodeOk(const QByteArray& body)
{
    const auto r = responses::decodeRequest(body);
    if (!r.ok())
        qWarning() << r.error().message;
    return r.ok() ? r.value() : canon::Request();
}

} // namespace

class TestResponsesRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void basics()
    {
        canon::Request req = basicRequest();
        req.system = {text(QStringLiteral("x-anthropic-billing-header: cc_version=1")),
            text(QStringLiteral("Be nice.")), text(QStringLiteral("  ")), text(QStringLiteral("Use tools."))};
        req.stream = true;
        req.temperature = 0.5;
        req.topP = 0.9;
        req.stopSequences = {QStringLiteral("STOP")};
        const QJsonObject body = encode(req);
        QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("gpt-5"));
        QCOMPARE(body.value(QLatin1String("instructions")).toString(), QStringLiteral("Be nice.\n\nUse tools."));
        QCOMPARE(body.value(QLatin1String("store")).toBool(true), false);
        QCOMPARE(body.value(QLatin1String("stream")).toBool(), true);
        QCOMPARE(body.value(QLatin1String("max_output_tokens")).toInt(), 1024);
        QCOMPARE(body.value(QLatin1String("temperature")).toDouble(), 0.5);
        QCOMPARE(body.value(QLatin1String("top_p")).toDouble(), 0.9);
        QVERIFY(!body.contains(QLatin1String("stop")));
        QVERIFY(!body.contains(QLatin1String("reasoning")));
        QVERIFY(!body.contains(QLatin1String("include")));
        QVERIFY(!body.contains(QLatin1String("tools")));
        QVERIFY(!body.contains(QLatin1String("tool_choice")));
        const QJsonArray items = input(body);
        QCOMPARE(items.size(), 1);
        const QJsonObject user = items.at(0).toObject();
        QCOMPARE(user.value(QLatin1String("type")).toString(), QStringLiteral("message"));
        QCOMPARE(user.value(QLatin1String("role")).toString(), QStringLiteral("user"));
        QCOMPARE(
            user.value(QLatin1String("content")).toArray().at(0).toObject().value(QLatin1String("type")).toString(),
            QStringLiteral("input_text"));

        // Without an upstream model the request's model is used; no system -> no instructions; stream:false sent.
        canon::TranslationContext ctx;
        const QJsonObject plain = QJsonDocument::fromJson(responses::encodeRequest(basicRequest(), {}, ctx)).object();
        QCOMPARE(plain.value(QLatin1String("model")).toString(), QStringLiteral("claude-sonnet-4-5"));
        QVERIFY(!plain.contains(QLatin1String("instructions")));
        QCOMPARE(plain.value(QLatin1String("stream")).toBool(true), false);
    }

    void midConversationSystem()
    {
        canon::Request req = basicRequest();
        req.messages.append(msg(canon::Role::Assistant, {text(QStringLiteral("Hello"))}));
        req.messages.append(msg(canon::Role::System, {text(QStringLiteral("Reminder"))}));
        req.messages.append(msg(canon::Role::User, {text(QStringLiteral("Go on"))}));
        const QJsonArray items = input(encode(req));
        QCOMPARE(items.size(), 4);
        const QJsonObject dev = items.at(2).toObject();
        QCOMPARE(dev.value(QLatin1String("role")).toString(), QStringLiteral("developer"));
        QCOMPARE(dev.value(QLatin1String("content")).toArray().at(0).toObject().value(QLatin1String("text")).toString(),
            QStringLiteral("Reminder"));
        const QJsonObject assistant = items.at(1).toObject();
        QCOMPARE(assistant.value(QLatin1String("role")).toString(), QStringLiteral("assistant"));
        QCOMPARE(assistant.value(QLatin1String("content"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("type"))
                     .toString(),
            QStringLiteral("output_text"));
    }

    void userMedia()
    {
        canon::Request req;
        Part textDoc;
        textDoc.kind = PartKind::Document;
        textDoc.text = QStringLiteral("plain body");
        textDoc.title = QStringLiteral("notes.txt");
        Part urlDoc;
        urlDoc.kind = PartKind::Document;
        urlDoc.url = QStringLiteral("https://example.com/a.pdf");
        req.messages.append(msg(canon::Role::User,
            {text(QStringLiteral("look")), image(QStringLiteral("image/jpeg"), QStringLiteral("AAAA")),
                imageUrl(QStringLiteral("https://example.com/i.png")),
                document(QStringLiteral("application/pdf"), QStringLiteral("JVBER"), QStringLiteral("paper.pdf")),
                document(QStringLiteral("text/plain"), QString::fromLatin1(QByteArray("hello").toBase64())), textDoc,
                urlDoc}));
        const QJsonArray content = input(encode(req)).at(0).toObject().value(QLatin1String("content")).toArray();
        QCOMPARE(content.size(), 7);
        QCOMPARE(content.at(1).toObject().value(QLatin1String("image_url")).toString(),
            QStringLiteral("data:image/jpeg;base64,AAAA"));
        QCOMPARE(content.at(2).toObject().value(QLatin1String("image_url")).toString(),
            QStringLiteral("https://example.com/i.png"));
        QCOMPARE(content.at(3).toObject().value(QLatin1String("type")).toString(), QStringLiteral("input_file"));
        QCOMPARE(content.at(3).toObject().value(QLatin1String("file_data")).toString(),
            QStringLiteral("data:application/pdf;base64,JVBER"));
        QCOMPARE(content.at(3).toObject().value(QLatin1String("filename")).toString(), QStringLiteral("paper.pdf"));
        QCOMPARE(content.at(4).toObject().value(QLatin1String("text")).toString(), QStringLiteral("hello"));
        QCOMPARE(content.at(5).toObject().value(QLatin1String("text")).toString(),
            QStringLiteral("notes.txt\n\nplain body"));
        QCOMPARE(content.at(6).toObject().value(QLatin1String("file_url")).toString(),
            QStringLiteral("https://example.com/a.pdf"));
    }

    void toolCallsAndResults()
    {
        canon::Request req = basicRequest();
        req.messages.append(msg(canon::Role::Assistant,
            {text(QStringLiteral("Let me check.")),
                toolCall(QStringLiteral("toolu_1"), QStringLiteral("Bash"),
                    {{QStringLiteral("command"), QStringLiteral("ls")}}),
                toolCall(QStringLiteral("toolu_2"), QStringLiteral("Read"), {})}));
        req.messages.append(msg(canon::Role::User,
            {toolResult(QStringLiteral("toolu_1"), {text(QStringLiteral("a\nb"))}),
                toolResult(QStringLiteral("toolu_2"), {text(QStringLiteral("denied"))}, true),
                text(QStringLiteral("thanks"))}));
        const QJsonArray items = input(encode(req));
        QCOMPARE(types(items),
            QStringList({QStringLiteral("message"), QStringLiteral("message"), QStringLiteral("function_call"),
                QStringLiteral("function_call"), QStringLiteral("function_call_output"),
                QStringLiteral("function_call_output"), QStringLiteral("message")}));
        const QJsonObject call = items.at(2).toObject();
        QCOMPARE(call.value(QLatin1String("call_id")).toString(), QStringLiteral("toolu_1"));
        QCOMPARE(call.value(QLatin1String("name")).toString(), QStringLiteral("Bash"));
        QCOMPARE(call.value(QLatin1String("arguments")).toString(), QStringLiteral("{\"command\":\"ls\"}"));
        QCOMPARE(items.at(3).toObject().value(QLatin1String("arguments")).toString(), QStringLiteral("{}"));
        QCOMPARE(items.at(4).toObject().value(QLatin1String("output")).toString(), QStringLiteral("a\nb"));
        QCOMPARE(items.at(5).toObject().value(QLatin1String("output")).toString(), QStringLiteral("Error: denied"));
        // P14: no item ids and no status with store:false.
        for (const QJsonValue& v : items) {
            QVERIFY(!v.toObject().contains(QLatin1String("id")));
            QVERIFY(!v.toObject().contains(QLatin1String("status")));
        }
    }

    void toolResultWithImages()
    {
        canon::Request req = basicRequest();
        req.messages.append(msg(canon::Role::Assistant, {toolCall(QStringLiteral("t1"), QStringLiteral("Shot"), {})}));
        req.messages.append(msg(canon::Role::User,
            {toolResult(QStringLiteral("t1"),
                {text(QStringLiteral("screen")), image(QStringLiteral("image/png"), QStringLiteral("iVBOR"))})}));
        req.messages.append(msg(canon::Role::Assistant, {toolCall(QStringLiteral("t2"), QStringLiteral("Shot"), {})}));
        req.messages.append(msg(canon::Role::User, {toolResult(QStringLiteral("t2"), {})}));
        const QList<QJsonObject> outputs = itemsOfType(input(encode(req)), QStringLiteral("function_call_output"));
        QCOMPARE(outputs.size(), 2);
        const QJsonArray list = outputs.at(0).value(QLatin1String("output")).toArray();
        QCOMPARE(list.size(), 2);
        QCOMPARE(typeOf(list.at(0)), QStringLiteral("input_text"));
        QCOMPARE(typeOf(list.at(1)), QStringLiteral("input_image"));
        QCOMPARE(list.at(1).toObject().value(QLatin1String("image_url")).toString(),
            QStringLiteral("data:image/png;base64,iVBOR"));
        QCOMPARE(outputs.at(1).value(QLatin1String("output")).toString(), QStringLiteral("(no output)"));
    }

    void reasoningReplay()
    {
        const QString ours = responses::reasoningSignature(QStringLiteral("gAAAA_enc"));
        canon::Request req = basicRequest();
        req.messages.append(msg(canon::Role::Assistant,
            {reasoning(QStringLiteral("think 1"), ours), toolCall(QStringLiteral("c1"), QStringLiteral("Bash"), {})}));
        req.messages.append(msg(canon::Role::User, {toolResult(QStringLiteral("c1"), {text(QStringLiteral("ok"))})}));
        req.messages.append(msg(canon::Role::Assistant,
            {reasoning(QStringLiteral("native"), QStringLiteral("EqQBCkgIARABGAIiQL")),
                reasoning(QStringLiteral("chat"), canon::makeGatewaySignature(QStringLiteral("openai-chat"))),
                reasoning(QStringLiteral("empty payload"), responses::reasoningSignature({})),
                reasoning(QStringLiteral("second"), responses::reasoningSignature(QStringLiteral("enc2"))),
                text(QStringLiteral("Done."))}));
        const QJsonObject body = encode(req);
        const QJsonArray items = input(body);
        QCOMPARE(types(items),
            QStringList({QStringLiteral("message"), QStringLiteral("reasoning"), QStringLiteral("function_call"),
                QStringLiteral("function_call_output"), QStringLiteral("reasoning"), QStringLiteral("message")}));
        const QJsonObject r1 = items.at(1).toObject();
        QCOMPARE(r1.value(QLatin1String("encrypted_content")).toString(), QStringLiteral("gAAAA_enc"));
        QVERIFY(r1.value(QLatin1String("summary")).isArray());
        QVERIFY(!r1.contains(QLatin1String("id")));
        QCOMPARE(items.at(4).toObject().value(QLatin1String("encrypted_content")).toString(), QStringLiteral("enc2"));
    }

    void longCallIds()
    {
        const QString longId = QStringLiteral("toolu_") + QString(90, QLatin1Char('a')) + QStringLiteral("_end");
        const QString longId2 = QStringLiteral("toolu_") + QString(90, QLatin1Char('a')) + QStringLiteral("_other");
        canon::Request req = basicRequest();
        req.messages.append(msg(canon::Role::Assistant,
            {toolCall(longId, QStringLiteral("Bash"), {}), toolCall(longId2, QStringLiteral("Bash"), {})}));
        req.messages.append(msg(canon::Role::User,
            {toolResult(longId, {text(QStringLiteral("1"))}), toolResult(longId2, {text(QStringLiteral("2"))})}));
        canon::TranslationContext ctx;
        const QJsonArray items = input(encode(req, &ctx));
        const QList<QJsonObject> calls = itemsOfType(items, QStringLiteral("function_call"));
        const QList<QJsonObject> outputs = itemsOfType(items, QStringLiteral("function_call_output"));
        QCOMPARE(calls.size(), 2);
        QCOMPARE(outputs.size(), 2);
        const QString id1 = calls.at(0).value(QLatin1String("call_id")).toString();
        const QString id2 = calls.at(1).value(QLatin1String("call_id")).toString();
        QVERIFY(id1.size() <= 64);
        QVERIFY(id1 != id2);
        QCOMPARE(outputs.at(0).value(QLatin1String("call_id")).toString(), id1);
        QCOMPARE(outputs.at(1).value(QLatin1String("call_id")).toString(), id2);
        QCOMPARE(responses::clientCallId(ctx, id1), longId);
        QCOMPARE(responses::clientCallId(ctx, id2), longId2);
        QCOMPARE(responses::upstreamCallId(longId), id1); // deterministic
        QCOMPARE(responses::upstreamCallId(QStringLiteral("call_short")), QStringLiteral("call_short"));
    }

    void toolNames()
    {
        const QString longName = QStringLiteral("mcp__some_really_long_server_name__and_an_even_longer_tool_name_here");
        const QString invalid = QStringLiteral("my.tool");
        canon::Request req = basicRequest();
        for (const QString& n : {QStringLiteral("Bash"), longName, invalid}) {
            canon::Tool t;
            t.name = n;
            t.description = QStringLiteral("d");
            t.inputSchema = QJsonObject {{QStringLiteral("$schema"), QStringLiteral("x")},
                {QStringLiteral("type"), QStringLiteral("object")},
                {QStringLiteral("properties"),
                    QJsonObject {
                        {QStringLiteral("format"), QJsonObject {{QStringLiteral("type"), QStringLiteral("string")}}}}}};
            req.tools.append(t);
        }
        canon::Tool web;
        web.name = QStringLiteral("web_search");
        web.builtinType = QStringLiteral("web_search_20250305");
        req.tools.append(web);
        canon::Tool noSchema;
        noSchema.name = QStringLiteral("NoArgs");
        req.tools.append(noSchema);
        req.toolChoice.mode = canon::ToolChoice::Mode::Tool;
        req.toolChoice.name = longName;
        req.messages.append(msg(canon::Role::Assistant, {toolCall(QStringLiteral("c"), longName, {})}));
        req.messages.append(msg(canon::Role::User, {toolResult(QStringLiteral("c"), {text(QStringLiteral("r"))})}));

        canon::TranslationContext ctx;
        const QJsonObject body = encode(req, &ctx);
        const QJsonArray tools = body.value(QLatin1String("tools")).toArray();
        QCOMPARE(tools.size(), 4); // the builtin tool is dropped
        static const QRegularExpression nameRe(QStringLiteral("^[a-zA-Z0-9_-]{1,64}$"));
        QStringList names;
        for (const QJsonValue& v : tools) {
            const QJsonObject t = v.toObject();
            QCOMPARE(t.value(QLatin1String("type")).toString(), QStringLiteral("function"));
            QCOMPARE(t.value(QLatin1String("strict")).toBool(true), false);
            QVERIFY(nameRe.match(t.value(QLatin1String("name")).toString()).hasMatch());
            const QJsonObject params = t.value(QLatin1String("parameters")).toObject();
            QVERIFY(!params.contains(QLatin1String("$schema")));
            QCOMPARE(params.value(QLatin1String("type")).toString(), QStringLiteral("object"));
            QVERIFY(params.value(QLatin1String("properties")).isObject());
            names.append(t.value(QLatin1String("name")).toString());
        }
        QCOMPARE(names.at(0), QStringLiteral("Bash"));
        QCOMPARE(ctx.toolNameToClient.value(names.at(1)), longName);
        QCOMPARE(ctx.toolNameToClient.value(names.at(2)), invalid);
        QVERIFY(!ctx.toolNameToClient.contains(QStringLiteral("Bash")));
        QCOMPARE(tools.at(0)
                     .toObject()
                     .value(QLatin1String("parameters"))
                     .toObject()
                     .value(QLatin1String("properties"))
                     .toObject()
                     .keys(),
            QStringList({QStringLiteral("format")}));
        const QJsonObject choice = body.value(QLatin1String("tool_choice")).toObject();
        QCOMPARE(choice.value(QLatin1String("type")).toString(), QStringLiteral("function"));
        QCOMPARE(choice.value(QLatin1String("name")).toString(), names.at(1));
        QCOMPARE(
            itemsOfType(input(body), QStringLiteral("function_call")).at(0).value(QLatin1String("name")).toString(),
            names.at(1));
    }

    void toolChoice_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("disableParallel");
        QTest::addColumn<QJsonValue>("expected");
        using M = canon::ToolChoice::Mode;
        QTest::newRow("unset") << int(M::Unset) << QString() << false << QJsonValue(QJsonValue::Undefined);
        QTest::newRow("auto") << int(M::Auto) << QString() << false << QJsonValue(QStringLiteral("auto"));
        QTest::newRow("any") << int(M::Any) << QString() << true << QJsonValue(QStringLiteral("required"));
        QTest::newRow("none") << int(M::None) << QString() << false << QJsonValue(QStringLiteral("none"));
        QTest::newRow("tool") << int(M::Tool) << QStringLiteral("Bash") << false
                              << QJsonValue(QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                                     {QStringLiteral("name"), QStringLiteral("Bash")}});
        QTest::newRow("unknown tool") << int(M::Tool) << QStringLiteral("Nope") << false
                                      << QJsonValue(QStringLiteral("required"));
    }

    void toolChoice()
    {
        QFETCH(int, mode);
        QFETCH(QString, name);
        QFETCH(bool, disableParallel);
        QFETCH(QJsonValue, expected);
        canon::Request req = basicRequest();
        canon::Tool t;
        t.name = QStringLiteral("Bash");
        req.tools.append(t);
        req.toolChoice.mode = canon::ToolChoice::Mode(mode);
        req.toolChoice.name = name;
        req.toolChoice.disableParallel = disableParallel;
        const QJsonObject body = encode(req);
        QCOMPARE(body.value(QLatin1String("tool_choice")), expected);
        if (disableParallel)
            QCOMPARE(body.value(QLatin1String("parallel_tool_calls")).toBool(true), false);
        else
            QVERIFY(!body.contains(QLatin1String("parallel_tool_calls")));
    }

    void pairingRepair()
    {
        canon::Request req = basicRequest();
        // An orphan result (no call), a call answered later by nobody, a duplicate call id.
        req.messages.append(msg(canon::Role::User, {toolResult(QStringLiteral("ghost"), {text(QStringLiteral("x"))})}));
        req.messages.append(msg(canon::Role::Assistant,
            {toolCall(QStringLiteral("a"), QStringLiteral("Bash"), {}),
                toolCall(QStringLiteral("b"), QStringLiteral("Bash"), {})}));
        req.messages.append(msg(canon::Role::User,
            {toolResult(QStringLiteral("a"), {text(QStringLiteral("ok"))}), text(QStringLiteral("next"))}));
        req.messages.append(msg(canon::Role::Assistant, {toolCall(QStringLiteral("a"), QStringLiteral("Bash"), {})}));
        req.messages.append(msg(canon::Role::Assistant, {toolCall(QStringLiteral("c"), QStringLiteral("Bash"), {})}));
        const QJsonArray items = input(encode(req));
        // Every output answers an earlier call; every call has exactly one output.
        QSet<QString> calls;
        QHash<QString, int> answered;
        for (const QJsonValue& v : items) {
            const QJsonObject o = v.toObject();
            const QString id = o.value(QLatin1String("call_id")).toString();
            if (typeOf(v) == u"function_call") {
                QVERIFY2(!calls.contains(id), qPrintable(id));
                calls.insert(id);
            } else if (typeOf(v) == u"function_call_output") {
                QVERIFY2(calls.contains(id), qPrintable(id));
                answered[id]++;
            }
        }
        QCOMPARE(calls, QSet<QString>({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
        for (const QString& id : calls)
            QCOMPARE(answered.value(id), 1);
        // The placeholder for "b" comes right after the real output, before the user's text.
        QCOMPARE(types(items),
            QStringList({QStringLiteral("message"), QStringLiteral("function_call"), QStringLiteral("function_call"),
                QStringLiteral("function_call_output"), QStringLiteral("function_call_output"),
                QStringLiteral("message"), QStringLiteral("function_call"), QStringLiteral("function_call_output")}));
        QCOMPARE(items.at(4).toObject().value(QLatin1String("call_id")).toString(), QStringLiteral("b"));
    }

    void maxOutputTokens_data()
    {
        QTest::addColumn<int>("requested");
        QTest::addColumn<int>("profileMax");
        QTest::addColumn<int>("expected");
        QTest::newRow("plain") << 4096 << 0 << 4096;
        QTest::newRow("clamped") << 64000 << 32000 << 32000;
        QTest::newRow("tiny") << 5 << 0 << 16;
        QTest::newRow("absent") << 0 << 1000 << 0;
    }

    void maxOutputTokens()
    {
        QFETCH(int, requested);
        QFETCH(int, profileMax);
        QFETCH(int, expected);
        canon::Request req = basicRequest();
        req.maxTokens = requested;
        ModelProfile profile;
        profile.maxOutputTokens = profileMax;
        const QJsonObject body = encode(req, nullptr, profile);
        QCOMPARE(body.value(QLatin1String("max_output_tokens")).toInt(), expected);
        QCOMPARE(body.contains(QLatin1String("max_output_tokens")), expected > 0);
    }

    void thinking_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("budget");
        QTest::addColumn<QString>("effort");
        QTest::addColumn<QString>("style");
        QTest::addColumn<QString>("expected"); // empty: no reasoning
        using M = canon::Thinking::Mode;
        QTest::newRow("unset") << int(M::Unset) << 0 << QString() << QString() << QString();
        QTest::newRow("disabled") << int(M::Disabled) << 0 << QString() << QString() << QString();
        QTest::newRow("budget 1024") << int(M::Enabled) << 1024 << QString() << QString() << QStringLiteral("low");
        QTest::newRow("budget 1025") << int(M::Enabled) << 1025 << QString() << QString() << QStringLiteral("medium");
        QTest::newRow("budget 8192") << int(M::Enabled) << 8192 << QString() << QString() << QStringLiteral("medium");
        QTest::newRow("budget 8193") << int(M::Enabled) << 8193 << QString() << QString() << QStringLiteral("high");
        QTest::newRow("enabled no budget")
            << int(M::Enabled) << 0 << QString() << QString() << QStringLiteral("medium");
        QTest::newRow("adaptive") << int(M::Adaptive) << 0 << QString() << QString() << QStringLiteral("high");
        QTest::newRow("effort low") << int(M::Adaptive) << 0 << QStringLiteral("low") << QString()
                                    << QStringLiteral("low");
        QTest::newRow("effort medium") << int(M::Enabled) << 30000 << QStringLiteral("medium") << QString()
                                       << QStringLiteral("medium");
        QTest::newRow("effort max") << int(M::Adaptive) << 0 << QStringLiteral("max") << QString()
                                    << QStringLiteral("high");
        QTest::newRow("effort xhigh") << int(M::Adaptive) << 0 << QStringLiteral("xhigh") << QString()
                                      << QStringLiteral("high");
        QTest::newRow("xhigh profile") << int(M::Adaptive) << 0 << QStringLiteral("max") << QStringLiteral("xhigh")
                                       << QStringLiteral("xhigh");
        QTest::newRow("style none") << int(M::Enabled) << 4000 << QString() << QStringLiteral("none") << QString();
    }

    void thinking()
    {
        QFETCH(int, mode);
        QFETCH(int, budget);
        QFETCH(QString, effort);
        QFETCH(QString, style);
        QFETCH(QString, expected);
        canon::Request req = basicRequest();
        req.thinking.mode = canon::Thinking::Mode(mode);
        req.thinking.budgetTokens = budget;
        req.thinking.effort = effort;
        ModelProfile profile;
        profile.reasoningStyle = style;
        const QJsonObject body = encode(req, nullptr, profile);
        if (expected.isEmpty()) {
            QVERIFY(!body.contains(QLatin1String("reasoning")));
            QVERIFY(!body.contains(QLatin1String("include")));
            return;
        }
        const QJsonObject r = body.value(QLatin1String("reasoning")).toObject();
        QCOMPARE(r.value(QLatin1String("effort")).toString(), expected);
        QCOMPARE(r.value(QLatin1String("summary")).toString(), QStringLiteral("auto"));
        QCOMPARE(body.value(QLatin1String("include")).toArray(),
            QJsonArray({QStringLiteral("reasoning.encrypted_content")}));
    }

    void outputSchema()
    {
        canon::Request req = basicRequest();
        req.outputSchema = QJsonObject {{QStringLiteral("type"), QStringLiteral("object")}};
        const QJsonObject format
            = encode(req).value(QLatin1String("text")).toObject().value(QLatin1String("format")).toObject();
        QCOMPARE(format.value(QLatin1String("type")).toString(), QStringLiteral("json_schema"));
        QCOMPARE(format.value(QLatin1String("name")).toString(), QStringLiteral("output"));
        QCOMPARE(format.value(QLatin1String("schema")).toObject(), req.outputSchema);
        QCOMPARE(format.value(QLatin1String("strict")).toBool(true), false);
    }

    void bigRequestIsFast()
    {
        // A long agent session: 400 turns with tool calls and results, about 2 MB.
        canon::Request req = basicRequest();
        const QString chunk = QString(2000, QLatin1Char('x'));
        for (int i = 0; i < 400; ++i) {
            const QString id = QStringLiteral("toolu_") + QString::number(i);
            req.messages.append(msg(canon::Role::Assistant,
                {text(QStringLiteral("step")),
                    toolCall(id, QStringLiteral("Read"), {{QStringLiteral("path"), QStringLiteral("/a/b")}})}));
            req.messages.append(msg(canon::Role::User, {toolResult(id, {text(chunk)})}));
        }
        QElapsedTimer timer;
        timer.start();
        canon::TranslationContext ctx;
        const QByteArray body = responses::encodeRequest(req, {}, ctx);
        const qint64 ms = timer.elapsed();
        QVERIFY(body.size() > 800000);
        QVERIFY2(ms < 3000, qPrintable(QString::number(ms)));
        QCOMPARE(input(QJsonDocument::fromJson(body).object()).size(), 1 + 400 * 3);
    }

    // ---------------------------------------------------------------------------------------------------------
    // decodeRequest

    void decodeRoundTrip()
    {
        canon::Request req;
        req.model = QStringLiteral("gpt-5-codex");
        req.system = {text(QStringLiteral("You are Codex."))};
        req.maxTokens = 2048;
        req.temperature = 0.3;
        req.topP = 0.8;
        req.stream = true;
        req.thinking.mode = canon::Thinking::Mode::Adaptive;
        req.thinking.effort = QStringLiteral("medium");
        canon::Tool t;
        t.name = QStringLiteral("shell");
        t.description = QStringLiteral("Run a command");
        t.inputSchema = QJsonObject {{QStringLiteral("type"), QStringLiteral("object")},
            {QStringLiteral("properties"),
                QJsonObject {
                    {QStringLiteral("cmd"), QJsonObject {{QStringLiteral("type"), QStringLiteral("string")}}}}}};
        req.tools.append(t);
        req.toolChoice.mode = canon::ToolChoice::Mode::Auto;
        req.toolChoice.disableParallel = true;
        const QString sig = responses::reasoningSignature(QStringLiteral("ENC1"));
        req.messages.append(msg(canon::Role::User,
            {text(QStringLiteral("List files")), image(QStringLiteral("image/png"), QStringLiteral("iVBOR"))}));
        req.messages.append(msg(canon::Role::Assistant,
            {reasoning(QString(), sig), text(QStringLiteral("Running ls.")),
                toolCall(
                    QStringLiteral("call_1"), QStringLiteral("shell"), {{QStringLiteral("cmd"), QStringLiteral("ls")}}),
                toolCall(QStringLiteral("call_2"), QStringLiteral("shell"),
                    {{QStringLiteral("cmd"), QStringLiteral("pwd")}})}));
        req.messages.append(msg(canon::Role::User,
            {toolResult(QStringLiteral("call_1"), {text(QStringLiteral("a.txt"))}),
                toolResult(QStringLiteral("call_2"), {text(QStringLiteral("no such dir"))}, true),
                text(QStringLiteral("and now?"))}));
        req.messages.append(msg(canon::Role::System, {text(QStringLiteral("Be brief."))}));
        req.messages.append(msg(canon::Role::Assistant, {text(QStringLiteral("Done."))}));

        canon::TranslationContext ctx;
        const QByteArray body = responses::encodeRequest(req, {}, ctx);
        const auto decoded = responses::decodeRequest(body);
        QVERIFY(decoded.ok());
        const canon::Request& b = decoded.value();
        QCOMPARE(b.model, QStringLiteral("gpt-5-codex"));
        QCOMPARE(b.system.size(), 1);
        QCOMPARE(b.system.at(0).text, QStringLiteral("You are Codex."));
        QCOMPARE(b.maxTokens, 2048);
        QCOMPARE(*b.temperature, 0.3);
        QCOMPARE(*b.topP, 0.8);
        QVERIFY(b.stream);
        QCOMPARE(b.thinking.mode, canon::Thinking::Mode::Adaptive);
        QCOMPARE(b.thinking.effort, QStringLiteral("medium"));
        QCOMPARE(b.tools.size(), 1);
        QCOMPARE(b.tools.at(0).name, QStringLiteral("shell"));
        QCOMPARE(b.tools.at(0).description, QStringLiteral("Run a command"));
        QCOMPARE(b.tools.at(0).inputSchema, t.inputSchema);
        QCOMPARE(b.toolChoice.mode, canon::ToolChoice::Mode::Auto);
        QVERIFY(b.toolChoice.disableParallel);

        QCOMPARE(b.messages.size(), req.messages.size());
        for (qsizetype i = 0; i < req.messages.size(); ++i) {
            const canon::Message& x = req.messages.at(i);
            const canon::Message& y = b.messages.at(i);
            QCOMPARE(int(y.role), int(x.role));
            QCOMPARE(y.parts.size(), x.parts.size());
            for (qsizetype k = 0; k < x.parts.size(); ++k) {
                const Part& p = x.parts.at(k);
                const Part& q = y.parts.at(k);
                QCOMPARE(int(q.kind), int(p.kind));
                QCOMPARE(q.text, p.text);
                QCOMPARE(q.id, p.id);
                QCOMPARE(q.name, p.name);
                QCOMPARE(q.input, p.input);
                QCOMPARE(q.toolCallId, p.toolCallId);
                QCOMPARE(q.isError, p.isError);
                QCOMPARE(q.signature, p.signature);
                QCOMPARE(q.mediaType, p.mediaType);
                QCOMPARE(q.data, p.data);
                QCOMPARE(q.content.size(), p.content.size());
                for (qsizetype c = 0; c < p.content.size(); ++c)
                    QCOMPARE(q.content.at(c).text, p.content.at(c).text);
            }
        }
    }

    void decodeCodexBody()
    {
        const QByteArray body = J(
            "{'model':'gpt-5-codex','instructions':'You are a coding agent.','stream':true,'store':false,"
            "'include':['reasoning.encrypted_content'],'prompt_cache_key':'abc','parallel_tool_calls':true,"
            "'reasoning':{'effort':'high','summary':'auto'},'tool_choice':'auto',"
            "'tools':[{'type':'function','name':'shell','description':'Runs a shell command','strict':false,"
            "'parameters':{'type':'object','properties':{'command':{'type':'array','items':{'type':'string'}}}}},"
            "{'type':'custom','name':'apply_patch','format':{'type':'grammar'}},{'type':'web_search'}],"
            "'input':["
            "{'type':'message','role':'developer','content':[{'type':'input_text','text':'<permissions>'}]},"
            "{'type':'message','role':'user','content':[{'type':'input_text','text':'<env>'}]},"
            "{'type':'message','role':'user','content':[{'type':'input_text','text':'fix the bug'}]},"
            "{'type':'reasoning','id':'rs_1','summary':[{'type':'summary_text','text':'Plan'}],"
            "'encrypted_content':'gAAAA1'},"
            "{'type':'function_call','id':'fc_1','name':'shell','arguments':'{`command`:[`ls`]}','call_id':'call_A'},"
            "{'type':'function_call_output','call_id':'call_A','output':'file.c'},"
            "{'type':'custom_tool_call','call_id':'call_B','name':'apply_patch','input':'*** Begin Patch'},"
            "{'type':'custom_tool_call_output','call_id':'call_B','output':'ok'},"
            "{'type':'message','role':'assistant','content':[{'type':'output_text','text':'Fixed.'}]},"
            "{'role':'user','content':'thanks'}]}");
        const canon::Request r = decodeOk(body);
        QCOMPARE(r.system.size(), 2);
        QCOMPARE(r.system.at(0).text, QStringLiteral("You are a coding agent."));
        QCOMPARE(r.system.at(1).text, QStringLiteral("<permissions>"));
        QCOMPARE(r.tools.size(), 1);
        QCOMPARE(r.thinking.mode, canon::Thinking::Mode::Adaptive);
        QCOMPARE(r.thinking.effort, QStringLiteral("high"));
        QVERIFY(!r.toolChoice.disableParallel);
        QCOMPARE(r.messages.size(), 6);
        QCOMPARE(r.messages.at(0).role, canon::Role::User);
        QCOMPARE(r.messages.at(1).role, canon::Role::User);
        const canon::Message& a = r.messages.at(2);
        QCOMPARE(a.role, canon::Role::Assistant);
        QCOMPARE(a.parts.size(), 2);
        QCOMPARE(a.parts.at(0).kind, PartKind::Reasoning);
        QCOMPARE(a.parts.at(0).text, QStringLiteral("Plan"));
        QCOMPARE(responses::encryptedContentFromSignature(a.parts.at(0).signature), QStringLiteral("gAAAA1"));
        QCOMPARE(a.parts.at(1).kind, PartKind::ToolCall);
        QCOMPARE(a.parts.at(1).id, QStringLiteral("call_A"));
        QCOMPARE(a.parts.at(1).input.value(QLatin1String("command")).toArray().at(0).toString(), QStringLiteral("ls"));
        const canon::Message& results = r.messages.at(3);
        QCOMPARE(results.role, canon::Role::User);
        QCOMPARE(results.parts.size(), 1);
        QCOMPARE(results.parts.at(0).toolCallId, QStringLiteral("call_A"));
        QCOMPARE(results.parts.at(0).content.at(0).text, QStringLiteral("file.c"));
        // The assistant text after the outputs starts a new assistant turn; the last user text follows it.
        QCOMPARE(r.messages.at(4).role, canon::Role::Assistant);
        QCOMPARE(r.messages.at(4).parts.at(0).text, QStringLiteral("Fixed."));
        QCOMPARE(r.messages.at(5).role, canon::Role::User);
        QCOMPARE(r.messages.at(5).parts.at(0).text, QStringLiteral("thanks"));
    }

    void decodeShapes()
    {
        // input as a string.
        canon::Request r = decodeOk(J("{'model':'m','input':'hello'}"));
        QCOMPARE(r.messages.size(), 1);
        QCOMPARE(r.messages.at(0).parts.at(0).text, QStringLiteral("hello"));
        QVERIFY(!r.stream);
        // Errors.
        QVERIFY(!responses::decodeRequest("[]").ok());
        QVERIFY(!responses::decodeRequest("nope").ok());
        const auto noInput = responses::decodeRequest(J("{'model':'m'}"));
        QVERIFY(!noInput.ok());
        QCOMPARE(noInput.error().httpStatus, 400);
        QCOMPARE(noInput.error().type, canon::ErrorType::InvalidRequest);
        // A system item after the conversation started is a Role::System message; effort none disables thinking;
        // tool_choice object; tool output list with an image.
        r = decodeOk(J("{'model':'m','reasoning':{'effort':'none'},'tool_choice':{'type':'function','name':'f'},"
                       "'max_output_tokens':99,'text':{'format':{'type':'json_schema','name':'x','schema':{'type':"
                       "'object'}}},'input':[{'role':'user','content':'q'},{'role':'system','content':'mid'},"
                       "{'type':'function_call','call_id':'c','name':'f','arguments':'{}'},"
                       "{'type':'function_call_output','call_id':'c','output':[{'type':'input_text','text':'see'},"
                       "{'type':'input_image','image_url':'data:image/png;base64,AAA'}]},"
                       "{'type':'message','role':'user','content':[{'type':'input_text','text':'more'}]}]}"));
        QCOMPARE(r.thinking.mode, canon::Thinking::Mode::Disabled);
        QCOMPARE(r.toolChoice.mode, canon::ToolChoice::Mode::Tool);
        QCOMPARE(r.toolChoice.name, QStringLiteral("f"));
        QCOMPARE(r.maxTokens, 99);
        QCOMPARE(r.outputSchema.value(QLatin1String("type")).toString(), QStringLiteral("object"));
        QCOMPARE(r.messages.size(), 4);
        QCOMPARE(r.messages.at(1).role, canon::Role::System);
        QCOMPARE(r.messages.at(2).role, canon::Role::Assistant);
        const canon::Message& user = r.messages.at(3);
        QCOMPARE(user.parts.size(), 2); // the tool result, then the user's text in the same message
        QCOMPARE(user.parts.at(0).kind, PartKind::ToolResult);
        QCOMPARE(user.parts.at(0).content.size(), 2);
        QCOMPARE(user.parts.at(0).content.at(1).kind, PartKind::Image);
        QCOMPARE(user.parts.at(0).content.at(1).mediaType, QStringLiteral("image/png"));
        QCOMPARE(user.parts.at(1).text, QStringLiteral("more"));
    }
};

QTEST_GUILESS_MAIN(TestResponsesRequest)
#include "tst_responsesrequest.moc"
