// Canonical request -> OpenAI Chat Completions body: the translation matrix of PROTOCOLS §8 (items 1-11 as they apply
// to Chat) and the decodeRequest round trip.

#include "common/jsonwriter.h"
#include "fakeupstream.h"
#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/openai-chat/openaichatresponse.h"
#include "protocol/signature.h"
#include "protocol/tokencount.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace sy;
using canon::Part;
using canon::PartKind;

// The encoder as it was before it wrote bytes directly: it builds the QJsonObject tree and serializes it with
// compactJson. encodeRequest must produce exactly its bytes (see checkedEncode and matchesReferenceEncoder).
namespace reference {

constexpr QLatin1StringView BillingHeaderPrefix("x-anthropic-billing-header:");
constexpr QLatin1StringView InterruptedToolResult("(tool call was interrupted; no result)");
constexpr QLatin1StringView EmptyToolResult("(no output)");
constexpr int MaxStopSequences = 4;
constexpr int MinClampedOutputTokens = 1024;

using canon::Part;
using canon::PartKind;

bool isBlank(const QString& s)
{
    for (QChar c : s) {
        if (!c.isSpace())
            return false;
    }
    return true;
}

QString compactJsonText(const QJsonObject& o)
{
    return QString::fromUtf8(compactJson(o));
}

// Maps client tool names to names the upstream accepts, keeping them unique and recording the reverse mapping.
class ToolNameMapper
{
public:
    explicit ToolNameMapper(canon::TranslationContext& ctx)
        : m_ctx(ctx)
    {
    }

    void reserveValid(const QString& name)
    {
        if (openaichat::shortenToolName(name) == name) {
            m_toUpstream.insert(name, name);
            m_toClient.insert(name, name);
        }
    }

    QString map(const QString& client)
    {
        const auto it = m_toUpstream.constFind(client);
        if (it != m_toUpstream.constEnd())
            return it.value();
        QString candidate = openaichat::shortenToolName(client);
        int salt = 0;
        while (m_toClient.contains(candidate) && m_toClient.value(candidate) != client)
            candidate = openaichat::shortenToolName(client + QChar(0x1) + QString::number(++salt));
        m_toUpstream.insert(client, candidate);
        m_toClient.insert(candidate, client);
        if (candidate != client)
            m_ctx.toolNameToClient.insert(candidate, client);
        return candidate;
    }

private:
    canon::TranslationContext& m_ctx;
    QHash<QString, QString> m_toUpstream; // client -> upstream
    QHash<QString, QString> m_toClient; // upstream -> client
};

QJsonObject textPart(const QString& text)
{
    return QJsonObject {{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}};
}

QJsonObject imagePart(const Part& p)
{
    QString url;
    if (!p.data.isEmpty()) {
        const QString mime = p.mediaType.isEmpty() ? QStringLiteral("image/png") : p.mediaType;
        url = QStringLiteral("data:") + mime + QStringLiteral(";base64,") + p.data;
    } else {
        url = p.url;
    }
    if (url.isEmpty())
        return {};
    return QJsonObject {{QStringLiteral("type"), QStringLiteral("image_url")},
        {QStringLiteral("image_url"), QJsonObject {{QStringLiteral("url"), url}}}};
}

// A document part as a Chat content part (empty object: nothing to send).
QJsonObject documentPart(const Part& p)
{
    if (!p.text.isEmpty())
        return textPart(p.title.isEmpty() ? p.text : p.title + QStringLiteral("\n\n") + p.text);
    if (!p.data.isEmpty()) {
        const QString mime = p.mediaType.isEmpty() ? QStringLiteral("application/pdf") : p.mediaType;
        if (mime.startsWith(QLatin1String("text/"))) {
            const QString decoded = QString::fromUtf8(QByteArray::fromBase64(p.data.toLatin1()));
            return decoded.isEmpty() ? QJsonObject() : textPart(decoded);
        }
        const QString filename = p.title.isEmpty() ? QStringLiteral("document.pdf") : p.title;
        return QJsonObject {{QStringLiteral("type"), QStringLiteral("file")},
            {QStringLiteral("file"),
                QJsonObject {{QStringLiteral("filename"), filename},
                    {QStringLiteral("file_data"),
                        QString(QStringLiteral("data:") + mime + QStringLiteral(";base64,") + p.data)}}}};
    }
    if (!p.url.isEmpty())
        return textPart(QStringLiteral("Document: ") + p.url);
    return {};
}

// The text of a tool result (Chat tool messages are text only).
QString toolResultText(const Part& result, QJsonArray* images)
{
    QStringList texts;
    for (const Part& c : result.content) {
        switch (c.kind) {
        case PartKind::Text:
            if (!c.text.isEmpty())
                texts.append(c.text);
            break;
        case PartKind::Image: {
            const QJsonObject img = imagePart(c);
            if (!img.isEmpty())
                images->append(img);
            break;
        }
        case PartKind::Document: {
            const QJsonObject doc = documentPart(c);
            if (doc.value(QLatin1StringView("type")).toString() == u"text")
                texts.append(doc.value(QLatin1StringView("text")).toString());
            else if (!doc.isEmpty())
                texts.append(QStringLiteral("(document ") + c.title + QStringLiteral(" omitted)"));
            break;
        }
        default:
            break;
        }
    }
    QString text = texts.join(QLatin1Char('\n'));
    if (text.isEmpty())
        text = images->isEmpty() ? QString(EmptyToolResult) : QStringLiteral("(image output follows)");
    if (result.isError)
        text = QStringLiteral("Error: ") + text;
    return text;
}

QJsonObject sanitizeSchema(const QJsonObject& schema)
{
    // Profile "openai-lenient" (§6.14): only the root is touched; property names are never treated as keywords.
    QJsonObject out = schema;
    out.remove(QLatin1StringView("$schema"));
    if (out.value(QLatin1StringView("type")).toString() != u"object")
        out.insert(QLatin1StringView("type"), QStringLiteral("object"));
    if (!out.value(QLatin1StringView("properties")).isObject())
        out.insert(QLatin1StringView("properties"), QJsonObject());
    return out;
}

QString normalizeEffort(const QString& effort)
{
    const QString e = effort.toLower();
    if (e == u"max" || e == u"xhigh" || e == u"high")
        return QStringLiteral("high");
    if (e == u"medium")
        return QStringLiteral("medium");
    if (e == u"low" || e == u"minimal")
        return QStringLiteral("low");
    return QStringLiteral("high");
}

void encodeThinking(const canon::Thinking& t, const ModelProfile& profile, QJsonObject& body)
{
    const QString style
        = profile.reasoningStyle.isEmpty() ? QStringLiteral("effort") : profile.reasoningStyle.toLower();
    const bool on = t.mode == canon::Thinking::Mode::Enabled || t.mode == canon::Thinking::Mode::Adaptive;
    if (style == u"deepseek") {
        if (on || t.mode == canon::Thinking::Mode::Disabled) {
            body.insert(QLatin1StringView("thinking"),
                QJsonObject {{QStringLiteral("type"), on ? QStringLiteral("enabled") : QStringLiteral("disabled")}});
        }
        return;
    }
    if (!on || style == u"none")
        return;
    QString effort;
    if (!t.effort.isEmpty())
        effort = normalizeEffort(t.effort);
    else if (t.mode == canon::Thinking::Mode::Enabled && t.budgetTokens > 0)
        effort = openaichat::reasoningEffortForBudget(t.budgetTokens);
    else if (t.mode == canon::Thinking::Mode::Enabled)
        effort = QStringLiteral("medium");
    else
        effort = QStringLiteral("high");

    if (style == u"openrouter") {
        if (t.mode == canon::Thinking::Mode::Enabled && t.budgetTokens > 0)
            body.insert(QLatin1StringView("reasoning"), QJsonObject {{QStringLiteral("max_tokens"), t.budgetTokens}});
        else
            body.insert(QLatin1StringView("reasoning"), QJsonObject {{QStringLiteral("effort"), effort}});
    } else if (style == u"qwen") {
        body.insert(QLatin1StringView("enable_thinking"), true);
    } else {
        body.insert(QLatin1StringView("reasoning_effort"), effort);
    }
}

struct Encoder
{
    const canon::Request& req;
    const ModelProfile& profile;
    ToolNameMapper names;
    QList<QJsonObject> messages;

    void addSystem(const QList<Part>& parts)
    {
        QStringList texts;
        for (const Part& p : parts) {
            if (p.kind != PartKind::Text || isBlank(p.text) || p.text.startsWith(BillingHeaderPrefix))
                continue;
            texts.append(p.text);
        }
        if (!texts.isEmpty()) {
            messages.append(QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
                {QStringLiteral("content"), texts.join(QStringLiteral("\n\n"))}});
        }
    }

    void addUser(const canon::Message& m)
    {
        QJsonArray toolImages;
        QJsonArray rest;
        for (const Part& p : m.parts) {
            switch (p.kind) {
            case PartKind::ToolResult: {
                QJsonArray images;
                const QString text = toolResultText(p, &images);
                messages.append(QJsonObject {{QStringLiteral("role"), QStringLiteral("tool")},
                    {QStringLiteral("tool_call_id"), p.toolCallId}, {QStringLiteral("content"), text}});
                if (!images.isEmpty()) {
                    toolImages.append(
                        textPart(QStringLiteral("Image output of tool ") + p.toolCallId + QLatin1Char(':')));
                    for (const QJsonValue& v : std::as_const(images))
                        toolImages.append(v);
                }
                break;
            }
            case PartKind::Text:
                if (!isBlank(p.text))
                    rest.append(textPart(p.text));
                break;
            case PartKind::Image: {
                const QJsonObject img = imagePart(p);
                if (!img.isEmpty())
                    rest.append(img);
                break;
            }
            case PartKind::Document: {
                const QJsonObject doc = documentPart(p);
                if (!doc.isEmpty())
                    rest.append(doc);
                break;
            }
            default:
                break; // tool calls, reasoning and opaque blocks cannot appear in a Chat user message
            }
        }
        if (!toolImages.isEmpty()) {
            messages.append(QJsonObject {
                {QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), toolImages}});
        }
        if (rest.isEmpty())
            return;
        QJsonValue content = rest;
        if (rest.size() == 1 && rest.at(0).toObject().value(QLatin1StringView("type")).toString() == u"text")
            content = rest.at(0).toObject().value(QLatin1StringView("text"));
        messages.append(
            QJsonObject {{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), content}});
    }

    void addAssistant(const canon::Message& m)
    {
        QStringList texts;
        QStringList reasoning;
        QJsonArray toolCalls;
        for (const Part& p : m.parts) {
            switch (p.kind) {
            case PartKind::Text:
                if (!isBlank(p.text))
                    texts.append(p.text);
                break;
            case PartKind::Reasoning:
                if (!p.text.isEmpty())
                    reasoning.append(p.text);
                break;
            case PartKind::ToolCall:
                toolCalls.append(
                    QJsonObject {{QStringLiteral("id"), p.id}, {QStringLiteral("type"), QStringLiteral("function")},
                        {QStringLiteral("function"),
                            QJsonObject {{QStringLiteral("name"), names.map(p.name)},
                                {QStringLiteral("arguments"), compactJsonText(p.input)}}}});
                break;
            default:
                break; // redacted reasoning and Anthropic-only blocks are dropped
            }
        }
        if (texts.isEmpty() && toolCalls.isEmpty())
            return;
        QJsonObject msg {{QStringLiteral("role"), QStringLiteral("assistant")}};
        if (!texts.isEmpty())
            msg.insert(QLatin1StringView("content"), texts.join(QStringLiteral("\n\n")));
        else
            msg.insert(QLatin1StringView("content"), QJsonValue::Null);
        if (!toolCalls.isEmpty())
            msg.insert(QLatin1StringView("tool_calls"), toolCalls);
        if (profile.reasoningEcho && (!reasoning.isEmpty() || !toolCalls.isEmpty()))
            msg.insert(QLatin1StringView("reasoning_content"), reasoning.join(QStringLiteral("\n\n")));
        messages.append(msg);
    }

    void addMidConversationSystem(const canon::Message& m)
    {
        QStringList texts;
        for (const Part& p : m.parts) {
            if (p.kind == PartKind::Text && !isBlank(p.text))
                texts.append(p.text);
        }
        if (!texts.isEmpty()) {
            messages.append(QJsonObject {{QStringLiteral("role"), QStringLiteral("system")},
                {QStringLiteral("content"), texts.join(QStringLiteral("\n\n"))}});
        }
    }

    // P4: every tool call answered right after its assistant message; tool messages only as such answers.
    QJsonArray repaired() const
    {
        QJsonArray out;
        const qsizetype n = messages.size();
        for (qsizetype i = 0; i < n; ++i) {
            const QJsonObject& m = messages.at(i);
            const QString role = m.value(QLatin1StringView("role")).toString();
            if (role == u"tool")
                continue; // not directly after an assistant message with tool calls: orphan
            out.append(m);
            const QJsonArray calls = m.value(QLatin1StringView("tool_calls")).toArray();
            if (role != u"assistant" || calls.isEmpty())
                continue;
            QStringList ids;
            for (const QJsonValue& c : calls)
                ids.append(c.toObject().value(QLatin1StringView("id")).toString());
            QSet<QString> answered;
            qsizetype j = i + 1;
            for (; j < n && messages.at(j).value(QLatin1StringView("role")).toString() == u"tool"; ++j) {
                const QString id = messages.at(j).value(QLatin1StringView("tool_call_id")).toString();
                if (ids.contains(id) && !answered.contains(id)) {
                    answered.insert(id);
                    out.append(messages.at(j));
                }
            }
            for (const QString& id : std::as_const(ids)) {
                if (!answered.contains(id)) {
                    out.append(QJsonObject {{QStringLiteral("role"), QStringLiteral("tool")},
                        {QStringLiteral("tool_call_id"), id},
                        {QStringLiteral("content"), QString(InterruptedToolResult)}});
                }
            }
            i = j - 1;
        }
        return out;
    }
};

QByteArray referenceEncodeRequest(
    const canon::Request& req, const ModelProfile& profile, canon::TranslationContext& ctx)
{
    Encoder enc {req, profile, ToolNameMapper(ctx), {}};

    // Tools first, so names declared by the client get their mapping before history names are seen.
    QJsonArray tools;
    QSet<QString> functionNames;
    for (const canon::Tool& t : req.tools) {
        if (t.builtinType.isEmpty())
            enc.names.reserveValid(t.name);
    }
    for (const canon::Tool& t : req.tools) {
        if (!t.builtinType.isEmpty())
            continue; // provider-executed Anthropic tools cannot be forwarded (§6.16)
        const QString name = enc.names.map(t.name);
        functionNames.insert(t.name);
        QJsonObject fn {{QStringLiteral("name"), name}, {QStringLiteral("parameters"), sanitizeSchema(t.inputSchema)}};
        if (!t.description.isEmpty())
            fn.insert(QLatin1StringView("description"), t.description);
        tools.append(
            QJsonObject {{QStringLiteral("type"), QStringLiteral("function")}, {QStringLiteral("function"), fn}});
    }

    enc.addSystem(req.system);
    for (const canon::Message& m : req.messages) {
        switch (m.role) {
        case canon::Role::System:
            enc.addMidConversationSystem(m);
            break;
        case canon::Role::User:
            enc.addUser(m);
            break;
        case canon::Role::Assistant:
            enc.addAssistant(m);
            break;
        }
    }

    QJsonObject body;
    body.insert(QLatin1StringView("model"), ctx.upstreamModel.isEmpty() ? req.model : ctx.upstreamModel);
    body.insert(QLatin1StringView("messages"), enc.repaired());

    if (!tools.isEmpty()) {
        body.insert(QLatin1StringView("tools"), tools);
        switch (req.toolChoice.mode) {
        case canon::ToolChoice::Mode::Auto:
            body.insert(QLatin1StringView("tool_choice"), QStringLiteral("auto"));
            break;
        case canon::ToolChoice::Mode::Any:
            body.insert(QLatin1StringView("tool_choice"), QStringLiteral("required"));
            break;
        case canon::ToolChoice::Mode::Tool:
            if (functionNames.contains(req.toolChoice.name)) {
                body.insert(QLatin1StringView("tool_choice"),
                    QJsonObject {{QStringLiteral("type"), QStringLiteral("function")},
                        {QStringLiteral("function"),
                            QJsonObject {{QStringLiteral("name"), enc.names.map(req.toolChoice.name)}}}});
            } else {
                body.insert(QLatin1StringView("tool_choice"), QStringLiteral("required"));
            }
            break;
        case canon::ToolChoice::Mode::None:
            body.insert(QLatin1StringView("tool_choice"), QStringLiteral("none"));
            break;
        case canon::ToolChoice::Mode::Unset:
            break;
        }
        if (req.toolChoice.disableParallel)
            body.insert(QLatin1StringView("parallel_tool_calls"), false);
    }

    const int maxTokens = openaichat::clampMaxTokens(req, profile);
    if (maxTokens > 0) {
        body.insert(profile.useMaxCompletionTokens ? QLatin1StringView("max_completion_tokens")
                                                   : QLatin1StringView("max_tokens"),
            maxTokens);
    }
    if (req.temperature)
        body.insert(QLatin1StringView("temperature"), *req.temperature);
    if (req.topP)
        body.insert(QLatin1StringView("top_p"), *req.topP);
    if (!req.stopSequences.isEmpty()) {
        QJsonArray stop;
        for (const QString& s : req.stopSequences) {
            if (s.isEmpty())
                continue;
            stop.append(s);
            if (stop.size() == MaxStopSequences)
                break;
        }
        if (!stop.isEmpty())
            body.insert(QLatin1StringView("stop"), stop);
    }
    if (req.stream) {
        body.insert(QLatin1StringView("stream"), true);
        if (profile.sendStreamOptions)
            body.insert(QLatin1StringView("stream_options"), QJsonObject {{QStringLiteral("include_usage"), true}});
    }
    encodeThinking(req.thinking, profile, body);
    if (!req.outputSchema.isEmpty()) {
        body.insert(QLatin1StringView("response_format"),
            QJsonObject {{QStringLiteral("type"), QStringLiteral("json_schema")},
                {QStringLiteral("json_schema"),
                    QJsonObject {{QStringLiteral("name"), QStringLiteral("output")},
                        {QStringLiteral("schema"), req.outputSchema}, {QStringLiteral("strict"), false}}}});
    }
    if (!req.userId.isEmpty()) {
        const QByteArray hash = QCryptographicHash::hash(req.userId.toUtf8(), QCryptographicHash::Sha256).toHex();
        body.insert(QLatin1StringView("user"), QString::fromLatin1(hash)); // 64 hex characters
    }
    return compactJson(body);
}

} // namespace reference

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

Part reasoning(const QString& t, const QString& signature = QStringLiteral("c2lnbmF0dXJl"))
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

canon::Message user(const QList<Part>& parts)
{
    return msg(canon::Role::User, parts);
}

canon::Message assistant(const QList<Part>& parts)
{
    return msg(canon::Role::Assistant, parts);
}

canon::Tool tool(const QString& name, const QJsonObject& schema = {})
{
    canon::Tool t;
    t.name = name;
    t.description = QStringLiteral("Does ") + name;
    t.inputSchema = schema.isEmpty() ? QJsonObject {{QStringLiteral("type"), QStringLiteral("object")},
                        {QStringLiteral("properties"), QJsonObject()}}
                                     : schema;
    return t;
}

// openaichat::encodeRequest, checked against the reference encoder: the same bytes and the same tool-name mapping
// (a mismatch fails the running test).
QByteArray checkedEncode(const canon::Request& req, const ModelProfile& profile, canon::TranslationContext& ctx)
{
    canon::TranslationContext refCtx = ctx;
    const QByteArray body = openaichat::encodeRequest(req, profile, ctx);
    const QByteArray ref = reference::referenceEncodeRequest(req, profile, refCtx);
    if (body != ref) {
        qWarning("encodeRequest: %s", body.constData());
        qWarning("reference:     %s", ref.constData());
    }
    QTest::qVerify(body == ref, "body == ref", "encodeRequest differs from the reference encoder", __FILE__, __LINE__);
    QTest::qVerify(ctx.toolNameToClient == refCtx.toolNameToClient, "ctx == refCtx",
        "tool-name mapping differs from the reference encoder", __FILE__, __LINE__);
    return body;
}

QJsonObject encode(
    const canon::Request& req, const ModelProfile& profile = {}, canon::TranslationContext* ctxOut = nullptr)
{
    canon::TranslationContext ctx;
    ctx.upstreamModel = QStringLiteral("upstream-model");
    const QByteArray body = checkedEncode(req, profile, ctx);
    if (ctxOut)
        *ctxOut = ctx;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    return doc.object();
}

QJsonArray messages(const QJsonObject& body)
{
    return body.value(QLatin1String("messages")).toArray();
}

QStringList roles(const QJsonObject& body)
{
    QStringList out;
    for (const QJsonValue& m : messages(body))
        out.append(m.toObject().value(QLatin1String("role")).toString());
    return out;
}

canon::Request basic()
{
    canon::Request r;
    r.model = QStringLiteral("claude-sonnet");
    r.maxTokens = 1000;
    r.messages.append(user({text(QStringLiteral("hi"))}));
    return r;
}

QJsonObject obj(const char* json)
{
    return QJsonDocument::fromJson(json).object();
}

// A conversation around a recorded response: a user turn, the response as the assistant turn, and a user turn
// answering its tool calls (declared as tools, one with a name the upstream would reject).
canon::Request requestAround(const canon::Response& response)
{
    canon::Request r;
    r.model = response.model.isEmpty() ? QStringLiteral("m") : response.model;
    r.maxTokens = 4096;
    r.stream = true;
    r.system = {text(QStringLiteral("You are helpful."))};
    r.messages.append(user({text(QStringLiteral("Do the thing."))}));
    r.messages.append(assistant(response.content));
    QList<Part> results;
    QSet<QString> names;
    for (const Part& p : response.content) {
        if (p.kind != PartKind::ToolCall)
            continue;
        results.append(toolResult(p.id, {text(QStringLiteral("result of ") + p.name)}, results.size() % 2));
        if (!names.contains(p.name)) {
            names.insert(p.name);
            r.tools.append(tool(p.name));
        }
    }
    r.tools.append(tool(QStringLiteral("bad name/with spaces")));
    results.append(text(QStringLiteral("Continue.")));
    r.messages.append(user(results));
    return r;
}

// Every kind of part and the repairs and fallbacks of the encoder in one request.
canon::Request variedRequest()
{
    canon::Request r;
    r.model = QStringLiteral("claude-x");
    r.maxTokens = 100000;
    r.temperature = 1.0;
    r.topP = 0.9;
    r.stopSequences = {QString(), QStringLiteral("a"), QStringLiteral("b"), QString(), QStringLiteral("c"),
        QStringLiteral("d"), QStringLiteral("e")};
    r.userId = QStringLiteral("user-1");
    r.outputSchema = QJsonObject {{QStringLiteral("type"), QStringLiteral("object")}};
    r.system = {text(QStringLiteral("x-anthropic-billing-header: cc")), text(QStringLiteral("  \n")),
        text(QStringLiteral("Rules \u00e9\u4e2d")), text(QStringLiteral("More rules"))};
    canon::Tool builtin;
    builtin.name = QStringLiteral("web_search");
    builtin.builtinType = QStringLiteral("web_search_20250305");
    canon::Tool noDescription = tool(QStringLiteral("plain"), QJsonObject {{QStringLiteral("type"), 3}});
    noDescription.description.clear();
    r.tools = {tool(QStringLiteral("Read")), builtin, noDescription,
        tool(QStringLiteral("x").repeated(80),
            QJsonObject {{QStringLiteral("$schema"), QStringLiteral("s")},
                {QStringLiteral("properties"), QStringLiteral("not an object")}}),
        tool(QStringLiteral("Read"))};
    Part docText;
    docText.kind = PartKind::Document;
    docText.title = QStringLiteral("Notes");
    docText.text = QStringLiteral("the notes");
    Part docPdf;
    docPdf.kind = PartKind::Document;
    docPdf.data = QStringLiteral("JVBERi0=");
    Part docB64Text;
    docB64Text.kind = PartKind::Document;
    docB64Text.mediaType = QStringLiteral("text/plain");
    docB64Text.data = QString::fromLatin1(QByteArray("plain text body").toBase64());
    Part docEmptyB64;
    docEmptyB64.kind = PartKind::Document;
    docEmptyB64.mediaType = QStringLiteral("text/csv");
    docEmptyB64.data = QStringLiteral("====");
    Part docUrl;
    docUrl.kind = PartKind::Document;
    docUrl.url = QStringLiteral("https://example.com/a.pdf");
    Part docNothing;
    docNothing.kind = PartKind::Document;
    Part emptyImage;
    emptyImage.kind = PartKind::Image;
    Part opaque;
    opaque.kind = PartKind::Opaque;
    opaque.raw = QJsonObject {{QStringLiteral("type"), QStringLiteral("server_tool_use")}};
    Part redacted;
    redacted.kind = PartKind::RedactedReasoning;
    redacted.data = QStringLiteral("xyz");
    const QString controls = QStringLiteral("ctl \b\f\n\r\t") + QChar(1) + QChar(0x7f) + QChar(0xd800)
        + QStringLiteral(" end ") + QChar(0xdc00) + QStringLiteral(" \"q\" \\ \U0001F600");
    r.messages = {
        user({text(QStringLiteral("only text"))}),
        user({docText}),
        user({docB64Text, emptyImage, docNothing}),
        user({image(QString(), QStringLiteral("AAAA")), imageUrl(QStringLiteral("https://x/y.png")), docPdf, docUrl,
            docEmptyB64, text(QStringLiteral("  ")), text(controls), opaque}),
        assistant({reasoning(QStringLiteral("think")), text(QStringLiteral(" ")), redacted,
            toolCall(QStringLiteral("c1"), QStringLiteral("Read"),
                QJsonObject {{QStringLiteral("path"), controls}, {QStringLiteral("n"), 1.5},
                    {QStringLiteral("big"), 1e300}, {QStringLiteral("neg"), -0.0}}),
            toolCall(QStringLiteral("c2"), QStringLiteral("Unknown tool!"), {}),
            toolCall(QStringLiteral("c3"), QStringLiteral("x").repeated(80), {}),
            toolCall(QStringLiteral("c1"), QStringLiteral("Read"), {})}),
        user({toolResult(QStringLiteral("c2"),
                  {image(QStringLiteral("image/jpeg"), QStringLiteral("BBBB")), text(QStringLiteral("t")), docPdf,
                      docText, imageUrl(QStringLiteral("https://i"))}),
            toolResult(QStringLiteral("zz"), {text(QStringLiteral("orphan"))}),
            toolResult(QStringLiteral("c2"), {}, true), toolResult(QStringLiteral("c1"), {emptyImage}),
            text(QStringLiteral("after results"))}),
        msg(canon::Role::System, {text(QStringLiteral("mid system")), text(QString())}),
        msg(canon::Role::System, {text(QStringLiteral(" "))}),
        user({toolResult(QStringLiteral("c9"), {image(QStringLiteral("image/png"), QStringLiteral("CCCC"))})}),
        assistant({reasoning(QStringLiteral("only reasoning"))}),
        assistant({toolCall(QStringLiteral("c4"), QStringLiteral("plain"), {})}),
        assistant({text(QStringLiteral("a")), text(QStringLiteral("b"))}),
        user({toolResult(QStringLiteral("c4"), {text(QStringLiteral("late"))})}),
        assistant({toolCall(QStringLiteral("c5"), QStringLiteral("plain"), {})}),
    };
    return r;
}

} // namespace

class TestOpenAiChatRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void systemPrompt_data()
    {
        QTest::addColumn<QStringList>("system");
        QTest::addColumn<QString>("expected");
        QTest::addRow("one block") << QStringList {QStringLiteral("You are helpful.")}
                                   << QStringLiteral("You are helpful.");
        QTest::addRow("array joined") << QStringList {QStringLiteral("A"), QStringLiteral("B")}
                                      << QStringLiteral("A\n\nB");
        QTest::addRow("attribution stripped")
            << QStringList {QStringLiteral("x-anthropic-billing-header: cc_version=2.1.3; cc_entrypoint=cli"),
                   QStringLiteral("You are Claude Code."), QStringLiteral("   "), QString()}
            << QStringLiteral("You are Claude Code.");
        QTest::addRow("none") << QStringList {} << QString();
        QTest::addRow("only attribution") << QStringList {QStringLiteral("x-anthropic-billing-header: x")} << QString();
    }

    void systemPrompt()
    {
        QFETCH(QStringList, system);
        QFETCH(QString, expected);
        canon::Request r = basic();
        for (const QString& s : system)
            r.system.append(text(s));
        const QJsonObject body = encode(r);
        QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("upstream-model"));
        const QJsonArray m = messages(body);
        if (expected.isEmpty()) {
            QCOMPARE(roles(body), QStringList {QStringLiteral("user")});
        } else {
            QCOMPARE(roles(body), (QStringList {QStringLiteral("system"), QStringLiteral("user")}));
            QCOMPARE(m.at(0).toObject().value(QLatin1String("content")).toString(), expected);
        }
    }

    void midConversationSystem()
    {
        canon::Request r = basic();
        r.system.append(text(QStringLiteral("top")));
        r.messages.append(assistant({text(QStringLiteral("hello"))}));
        r.messages.append(msg(canon::Role::System, {text(QStringLiteral("<system-reminder>x</system-reminder>"))}));
        r.messages.append(user({text(QStringLiteral("next"))}));
        const QJsonObject body = encode(r);
        QCOMPARE(roles(body),
            (QStringList {QStringLiteral("system"), QStringLiteral("user"), QStringLiteral("assistant"),
                QStringLiteral("system"), QStringLiteral("user")}));
        QCOMPARE(messages(body).at(3).toObject().value(QLatin1String("content")).toString(),
            QStringLiteral("<system-reminder>x</system-reminder>"));
    }

    void toolResultOrdering()
    {
        // [tool_result(text), tool_result(image), text] -> tool, tool, user(image), user(text)  (§8 item 2, P7)
        canon::Request r = basic();
        r.messages.append(assistant({toolCall(QStringLiteral("call_1"), QStringLiteral("Bash"), {}),
            toolCall(QStringLiteral("call_2"), QStringLiteral("Read"), {})}));
        r.messages.append(user({toolResult(QStringLiteral("call_1"),
                                    {text(QStringLiteral("line1")), text(QStringLiteral("line2"))}),
            toolResult(QStringLiteral("call_2"), {image(QStringLiteral("image/png"), QStringLiteral("iVBORw0KGgo="))}),
            text(QStringLiteral("Now summarize."))}));
        const QJsonObject body = encode(r);
        QCOMPARE(roles(body),
            (QStringList {QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("tool"),
                QStringLiteral("tool"), QStringLiteral("user"), QStringLiteral("user")}));
        const QJsonArray m = messages(body);
        QCOMPARE(m.at(2).toObject().value(QLatin1String("tool_call_id")).toString(), QStringLiteral("call_1"));
        QCOMPARE(m.at(2).toObject().value(QLatin1String("content")).toString(), QStringLiteral("line1\nline2"));
        QCOMPARE(m.at(3).toObject().value(QLatin1String("tool_call_id")).toString(), QStringLiteral("call_2"));
        QVERIFY(m.at(3).toObject().value(QLatin1String("content")).isString()); // tool messages are text only
        const QJsonArray imageParts = m.at(4).toObject().value(QLatin1String("content")).toArray();
        QCOMPARE(imageParts.size(), 2);
        QCOMPARE(imageParts.at(0).toObject().value(QLatin1String("text")).toString(),
            QStringLiteral("Image output of tool call_2:"));
        QCOMPARE(imageParts.at(1)
                     .toObject()
                     .value(QLatin1String("image_url"))
                     .toObject()
                     .value(QLatin1String("url"))
                     .toString(),
            QStringLiteral("data:image/png;base64,iVBORw0KGgo="));
        QCOMPARE(m.at(5).toObject().value(QLatin1String("content")).toString(), QStringLiteral("Now summarize."));
    }

    void toolResultContent_data()
    {
        QTest::addColumn<QList<Part>>("content");
        QTest::addColumn<bool>("isError");
        QTest::addColumn<QString>("expected");
        QTest::addRow("text") << QList<Part> {text(QStringLiteral("ok"))} << false << QStringLiteral("ok");
        QTest::addRow("error") << QList<Part> {text(QStringLiteral("boom"))} << true << QStringLiteral("Error: boom");
        QTest::addRow("empty") << QList<Part> {} << false << QStringLiteral("(no output)");
        QTest::addRow("empty error") << QList<Part> {} << true << QStringLiteral("Error: (no output)");
        Part doc;
        doc.kind = PartKind::Document;
        doc.text = QStringLiteral("doc text");
        QTest::addRow("text document") << QList<Part> {doc} << false << QStringLiteral("doc text");
    }

    void toolResultContent()
    {
        QFETCH(QList<Part>, content);
        QFETCH(bool, isError);
        QFETCH(QString, expected);
        canon::Request r = basic();
        r.messages.append(assistant({toolCall(QStringLiteral("call_1"), QStringLiteral("Bash"), {})}));
        r.messages.append(user({toolResult(QStringLiteral("call_1"), content, isError)}));
        const QJsonArray m = messages(encode(r));
        QCOMPARE(m.size(), 3);
        QCOMPARE(m.at(2).toObject().value(QLatin1String("content")).toString(), expected);
    }

    void assistantReasoning_data()
    {
        QTest::addColumn<bool>("echo");
        QTest::addRow("drop thinking") << false;
        QTest::addRow("reasoning echo") << true;
    }

    void assistantReasoning()
    {
        QFETCH(bool, echo);
        canon::Request r = basic();
        Part redacted;
        redacted.kind = PartKind::RedactedReasoning;
        redacted.data = QStringLiteral("opaque");
        const QJsonObject input {{QStringLiteral("file_path"), QStringLiteral("/a")}, {QStringLiteral("limit"), 5}};
        r.messages.append(assistant({reasoning(QStringLiteral("I should read both.")), redacted,
            text(QStringLiteral("Reading.")), toolCall(QStringLiteral("call_a"), QStringLiteral("Read"), input),
            toolCall(QStringLiteral("call_b"), QStringLiteral("Read"),
                QJsonObject {{QStringLiteral("file_path"), QStringLiteral("/b")}})}));
        r.messages.append(user({toolResult(QStringLiteral("call_a"), {text(QStringLiteral("A"))}),
            toolResult(QStringLiteral("call_b"), {text(QStringLiteral("B"))})}));
        // A later tool-call turn without any thinking (DeepSeek needs reasoning_content there too).
        r.messages.append(assistant({toolCall(QStringLiteral("call_c"), QStringLiteral("Bash"), {})}));
        r.messages.append(user({toolResult(QStringLiteral("call_c"), {text(QStringLiteral("C"))})}));
        ModelProfile profile;
        profile.reasoningEcho = echo;
        const QJsonObject body = encode(r, profile);
        QCOMPARE(roles(body),
            (QStringList {QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("tool"),
                QStringLiteral("tool"), QStringLiteral("assistant"), QStringLiteral("tool")}));
        const QJsonObject a = messages(body).at(1).toObject();
        QCOMPARE(a.value(QLatin1String("content")).toString(), QStringLiteral("Reading."));
        const QJsonArray calls = a.value(QLatin1String("tool_calls")).toArray();
        QCOMPARE(calls.size(), 2);
        const QJsonObject fn = calls.at(0).toObject().value(QLatin1String("function")).toObject();
        QCOMPARE(calls.at(0).toObject().value(QLatin1String("id")).toString(), QStringLiteral("call_a"));
        QCOMPARE(calls.at(0).toObject().value(QLatin1String("type")).toString(), QStringLiteral("function"));
        QCOMPARE(fn.value(QLatin1String("name")).toString(), QStringLiteral("Read"));
        QVERIFY(fn.value(QLatin1String("arguments")).isString());
        QCOMPARE(QJsonDocument::fromJson(fn.value(QLatin1String("arguments")).toString().toUtf8()).object(), input);
        QVERIFY(!fn.value(QLatin1String("arguments")).toString().contains(QLatin1Char('\n'))); // compact

        const QJsonObject later = messages(body).at(4).toObject();
        QVERIFY(later.value(QLatin1String("content")).isNull()); // only tool calls
        if (echo) {
            QCOMPARE(a.value(QLatin1String("reasoning_content")).toString(), QStringLiteral("I should read both."));
            QVERIFY(later.contains(QLatin1String("reasoning_content")));
            QCOMPARE(later.value(QLatin1String("reasoning_content")).toString(), QString());
        } else {
            QVERIFY(!a.contains(QLatin1String("reasoning_content")));
            QVERIFY(!later.contains(QLatin1String("reasoning_content")));
        }
        const QByteArray raw = QJsonDocument(body).toJson(QJsonDocument::Compact);
        QVERIFY(!raw.contains("opaque"));
        QVERIFY(!raw.contains("c2lnbmF0dXJl")); // signatures never leave
    }

    void orphanRepair()
    {
        canon::Request r;
        r.maxTokens = 100;
        // A tool result before any assistant message: orphan.
        r.messages.append(
            user({toolResult(QStringLiteral("ghost"), {text(QStringLiteral("?"))}), text(QStringLiteral("hi"))}));
        // Interrupted: call_1 and call_2 made, only call_2 answered; plus a result for a call of an older turn.
        r.messages.append(
            assistant({text(QStringLiteral("Running.")), toolCall(QStringLiteral("call_1"), QStringLiteral("Bash"), {}),
                toolCall(QStringLiteral("call_2"), QStringLiteral("Bash"), {})}));
        r.messages.append(user({toolResult(QStringLiteral("call_2"), {text(QStringLiteral("two"))}),
            toolResult(QStringLiteral("old_call"), {text(QStringLiteral("stale"))}),
            text(QStringLiteral("continue"))}));
        // Interrupted with no user message at all afterwards.
        r.messages.append(assistant({toolCall(QStringLiteral("call_3"), QStringLiteral("Bash"), {})}));
        r.messages.append(user({text(QStringLiteral("I pressed ESC"))}));

        const QJsonObject body = encode(r);
        QCOMPARE(roles(body),
            (QStringList {QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("tool"),
                QStringLiteral("tool"), QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("tool"),
                QStringLiteral("user")}));
        const QJsonArray m = messages(body);
        QCOMPARE(m.at(0).toObject().value(QLatin1String("content")).toString(), QStringLiteral("hi"));
        QCOMPARE(m.at(2).toObject().value(QLatin1String("tool_call_id")).toString(), QStringLiteral("call_2"));
        QCOMPARE(m.at(3).toObject().value(QLatin1String("tool_call_id")).toString(), QStringLiteral("call_1"));
        QCOMPARE(m.at(3).toObject().value(QLatin1String("content")).toString(),
            QStringLiteral("(tool call was interrupted; no result)"));
        QCOMPARE(m.at(6).toObject().value(QLatin1String("tool_call_id")).toString(), QStringLiteral("call_3"));
        QVERIFY(!QJsonDocument(body).toJson().contains("stale"));
        QVERIFY(!QJsonDocument(body).toJson().contains("ghost"));
        // Invariant: every tool message answers a call of the nearest preceding assistant message.
        QSet<QString> open;
        for (const QJsonValue& v : m) {
            const QJsonObject o = v.toObject();
            const QString role = o.value(QLatin1String("role")).toString();
            if (role == QLatin1String("assistant")) {
                QVERIFY(open.isEmpty());
                for (const QJsonValue& c : o.value(QLatin1String("tool_calls")).toArray())
                    open.insert(c.toObject().value(QLatin1String("id")).toString());
            } else if (role == QLatin1String("tool")) {
                QVERIFY(open.remove(o.value(QLatin1String("tool_call_id")).toString()));
            } else {
                QVERIFY(open.isEmpty());
            }
        }
    }

    void toolNames()
    {
        const QString longName
            = QStringLiteral("mcp__claude_in_chrome__") + QString(60, QLatin1Char('x')) + QStringLiteral("_navigate");
        const QString longName2
            = QStringLiteral("mcp__claude_in_chrome__") + QString(60, QLatin1Char('x')) + QStringLiteral("_screenshot");
        const QString invalid = QStringLiteral("my.tool name");
        const QString plain = QStringLiteral("Read");
        canon::Request r = basic();
        r.tools = {tool(longName), tool(longName2), tool(invalid), tool(plain)};
        r.toolChoice.mode = canon::ToolChoice::Mode::Tool;
        r.toolChoice.name = longName;
        r.messages.append(
            assistant({toolCall(QStringLiteral("c1"), longName, {}), toolCall(QStringLiteral("c2"), invalid, {})}));
        r.messages.append(user({toolResult(QStringLiteral("c1"), {text(QStringLiteral("ok"))}),
            toolResult(QStringLiteral("c2"), {text(QStringLiteral("ok"))})}));
        canon::TranslationContext ctx;
        const QJsonObject body = encode(r, {}, &ctx);

        static const QRegularExpression valid(QStringLiteral("^[a-zA-Z0-9_-]{1,64}$"));
        QStringList upstreamNames;
        for (const QJsonValue& t : body.value(QLatin1String("tools")).toArray()) {
            const QString name
                = t.toObject().value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString();
            QVERIFY2(valid.match(name).hasMatch(), qPrintable(name));
            upstreamNames.append(name);
        }
        QCOMPARE(upstreamNames.size(), 4);
        QCOMPARE(QSet<QString>(upstreamNames.begin(), upstreamNames.end()).size(), 4); // unique
        QCOMPARE(upstreamNames.at(3), plain); // valid names untouched
        QCOMPARE(ctx.toolNameToClient.value(upstreamNames.at(0)), longName);
        QCOMPARE(ctx.toolNameToClient.value(upstreamNames.at(1)), longName2);
        QCOMPARE(ctx.toolNameToClient.value(upstreamNames.at(2)), invalid);
        QVERIFY(!ctx.toolNameToClient.contains(plain));
        QVERIFY(upstreamNames.at(0).startsWith(longName.left(55)));

        // History and tool_choice use the same names.
        const QJsonArray calls = messages(body).at(1).toObject().value(QLatin1String("tool_calls")).toArray();
        QCOMPARE(
            calls.at(0).toObject().value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString(),
            upstreamNames.at(0));
        QCOMPARE(
            calls.at(1).toObject().value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString(),
            upstreamNames.at(2));
        QCOMPARE(body.value(QLatin1String("tool_choice"))
                     .toObject()
                     .value(QLatin1String("function"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
            upstreamNames.at(0));

        // Deterministic across requests.
        canon::TranslationContext ctx2;
        const QJsonObject again = encode(r, {}, &ctx2);
        QCOMPARE(again.value(QLatin1String("tools")), body.value(QLatin1String("tools")));

        // The response restores the client's names.
        const QJsonObject call {{QStringLiteral("id"), QStringLiteral("x")},
            {QStringLiteral("type"), QStringLiteral("function")},
            {QStringLiteral("function"),
                QJsonObject {{QStringLiteral("name"), upstreamNames.at(0)},
                    {QStringLiteral("arguments"), QStringLiteral("{}")}}}};
        const QJsonObject choice {{QStringLiteral("index"), 0},
            {QStringLiteral("finish_reason"), QStringLiteral("tool_calls")},
            {QStringLiteral("message"), QJsonObject {{QStringLiteral("tool_calls"), QJsonArray {call}}}}};
        const QByteArray response
            = QJsonDocument(QJsonObject {{QStringLiteral("choices"), QJsonArray {choice}}}).toJson();
        const auto decoded = openaichat::decodeResponse(response, ctx);
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->content.first().name, longName);
    }

    void schemaSanitizing()
    {
        const QJsonObject schema = obj(R"({
            "$schema": "json-schema.org/draft-07/schema",
            "type": "object",
            "properties": {
                "format": {"type": "string", "format": "uri", "description": "output format"},
                "type": {"type": "string", "enum": ["a", "b"]},
                "nested": {"type": "object", "properties": {"$schema": {"type": "string"}}, "additionalProperties": false}
            },
            "required": ["format"],
            "additionalProperties": false
        })");
        canon::Request r = basic();
        r.tools = {tool(QStringLiteral("T"), schema), tool(QStringLiteral("NoArgs"), obj(R"({"type":"object"})")),
            tool(QStringLiteral("Untyped"), obj(R"({"properties":{"x":{"type":"string"}}})"))};
        // An argument value in history that looks like a schema keyword must not be touched.
        r.messages.append(assistant({toolCall(
            QStringLiteral("c1"), QStringLiteral("T"), obj(R"({"format":"json","$schema":"keep me","type":"x"})"))}));
        r.messages.append(user({toolResult(QStringLiteral("c1"), {text(QStringLiteral("ok"))})}));
        const QJsonObject body = encode(r);
        const QJsonArray tools = body.value(QLatin1String("tools")).toArray();
        const QJsonObject params = tools.at(0)
                                       .toObject()
                                       .value(QLatin1String("function"))
                                       .toObject()
                                       .value(QLatin1String("parameters"))
                                       .toObject();
        QVERIFY(!params.contains(QLatin1String("$schema")));
        QJsonObject expected = schema;
        expected.remove(QLatin1String("$schema"));
        QCOMPARE(params, expected); // everything else passes unchanged, incl. properties named "format"/"type"
        QCOMPARE(tools.at(1)
                     .toObject()
                     .value(QLatin1String("function"))
                     .toObject()
                     .value(QLatin1String("parameters"))
                     .toObject(),
            obj(R"({"type":"object","properties":{}})"));
        QCOMPARE(tools.at(2)
                     .toObject()
                     .value(QLatin1String("function"))
                     .toObject()
                     .value(QLatin1String("parameters"))
                     .toObject(),
            obj(R"({"type":"object","properties":{"x":{"type":"string"}}})"));
        QCOMPARE(tools.at(0)
                     .toObject()
                     .value(QLatin1String("function"))
                     .toObject()
                     .value(QLatin1String("description"))
                     .toString(),
            QStringLiteral("Does T"));
        const QString args = messages(body)
                                 .at(1)
                                 .toObject()
                                 .value(QLatin1String("tool_calls"))
                                 .toArray()
                                 .at(0)
                                 .toObject()
                                 .value(QLatin1String("function"))
                                 .toObject()
                                 .value(QLatin1String("arguments"))
                                 .toString();
        QCOMPARE(QJsonDocument::fromJson(args.toUtf8()).object(),
            obj(R"({"format":"json","$schema":"keep me","type":"x"})"));
    }

    void toolChoice_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>("disableParallel");
        QTest::addColumn<bool>("withTools");
        QTest::addColumn<QByteArray>("expectedChoice"); // JSON value, empty: absent
        QTest::addColumn<bool>("expectParallelFalse");
        using M = canon::ToolChoice::Mode;
        for (bool dp : {false, true}) {
            const char* suffix = dp ? " +disable_parallel" : "";
            QTest::addRow("unset%s", suffix) << int(M::Unset) << dp << true << QByteArray() << dp;
            QTest::addRow("auto%s", suffix) << int(M::Auto) << dp << true << QByteArray("\"auto\"") << dp;
            QTest::addRow("any%s", suffix) << int(M::Any) << dp << true << QByteArray("\"required\"") << dp;
            QTest::addRow("tool%s", suffix)
                << int(M::Tool) << dp << true << QByteArray(R"({"type":"function","function":{"name":"Read"}})") << dp;
            QTest::addRow("none%s", suffix) << int(M::None) << dp << true << QByteArray("\"none\"") << dp;
            QTest::addRow("no tools, auto%s", suffix) << int(M::Auto) << dp << false << QByteArray() << false;
            QTest::addRow("no tools, any%s", suffix) << int(M::Any) << dp << false << QByteArray() << false;
        }
    }

    void toolChoice()
    {
        QFETCH(int, mode);
        QFETCH(bool, disableParallel);
        QFETCH(bool, withTools);
        QFETCH(QByteArray, expectedChoice);
        QFETCH(bool, expectParallelFalse);
        canon::Request r = basic();
        if (withTools) {
            r.tools = {tool(QStringLiteral("Read")), tool(QStringLiteral("Bash"))};
        } else {
            canon::Tool web;
            web.name = QStringLiteral("web_search");
            web.builtinType = QStringLiteral("web_search_20250305");
            r.tools = {web}; // builtin tools are dropped, so no tools reach the upstream
        }
        r.toolChoice.mode = canon::ToolChoice::Mode(mode);
        r.toolChoice.name = QStringLiteral("Read");
        r.toolChoice.disableParallel = disableParallel;
        const QJsonObject body = encode(r);
        QCOMPARE(body.contains(QLatin1String("tools")), withTools);
        if (expectedChoice.isEmpty()) {
            QVERIFY(!body.contains(QLatin1String("tool_choice")));
        } else {
            const QJsonValue expected = QJsonDocument::fromJson("[" + expectedChoice + "]").array().at(0);
            QCOMPARE(body.value(QLatin1String("tool_choice")), expected);
        }
        QCOMPARE(body.contains(QLatin1String("parallel_tool_calls")), expectParallelFalse);
        if (expectParallelFalse)
            QCOMPARE(body.value(QLatin1String("parallel_tool_calls")).toBool(true), false);
    }

    void thinking_data()
    {
        QTest::addColumn<QString>("style");
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("budget");
        QTest::addColumn<QString>("effort");
        QTest::addColumn<QByteArray>("expected"); // JSON object of the thinking-related fields
        using M = canon::Thinking::Mode;
        QTest::addRow("effort unset") << QString() << int(M::Unset) << 0 << QString() << QByteArray("{}");
        QTest::addRow("effort disabled") << QStringLiteral("effort") << int(M::Disabled) << 0 << QString()
                                         << QByteArray("{}");
        QTest::addRow("effort 1024") << QString() << int(M::Enabled) << 1024 << QString()
                                     << QByteArray(R"({"reasoning_effort":"low"})");
        QTest::addRow("effort 1025") << QString() << int(M::Enabled) << 1025 << QString()
                                     << QByteArray(R"({"reasoning_effort":"medium"})");
        QTest::addRow("effort 8192") << QString() << int(M::Enabled) << 8192 << QString()
                                     << QByteArray(R"({"reasoning_effort":"medium"})");
        QTest::addRow("effort 30000") << QString() << int(M::Enabled) << 30000 << QString()
                                      << QByteArray(R"({"reasoning_effort":"high"})");
        QTest::addRow("adaptive low") << QString() << int(M::Adaptive) << 0 << QStringLiteral("low")
                                      << QByteArray(R"({"reasoning_effort":"low"})");
        QTest::addRow("adaptive medium") << QString() << int(M::Adaptive) << 0 << QStringLiteral("medium")
                                         << QByteArray(R"({"reasoning_effort":"medium"})");
        QTest::addRow("adaptive high") << QString() << int(M::Adaptive) << 0 << QStringLiteral("high")
                                       << QByteArray(R"({"reasoning_effort":"high"})");
        QTest::addRow("adaptive xhigh") << QString() << int(M::Adaptive) << 0 << QStringLiteral("xhigh")
                                        << QByteArray(R"({"reasoning_effort":"high"})");
        QTest::addRow("adaptive max") << QString() << int(M::Adaptive) << 0 << QStringLiteral("max")
                                      << QByteArray(R"({"reasoning_effort":"high"})");
        QTest::addRow("adaptive no effort")
            << QString() << int(M::Adaptive) << 0 << QString() << QByteArray(R"({"reasoning_effort":"high"})");
        QTest::addRow("deepseek enabled") << QStringLiteral("deepseek") << int(M::Enabled) << 4000 << QString()
                                          << QByteArray(R"({"thinking":{"type":"enabled"}})");
        QTest::addRow("deepseek adaptive")
            << QStringLiteral("deepseek") << int(M::Adaptive) << 0 << QStringLiteral("high")
            << QByteArray(R"({"thinking":{"type":"enabled"}})");
        QTest::addRow("deepseek disabled") << QStringLiteral("deepseek") << int(M::Disabled) << 0 << QString()
                                           << QByteArray(R"({"thinking":{"type":"disabled"}})");
        QTest::addRow("deepseek unset") << QStringLiteral("deepseek") << int(M::Unset) << 0 << QString()
                                        << QByteArray("{}");
        QTest::addRow("openrouter budget") << QStringLiteral("openrouter") << int(M::Enabled) << 8000 << QString()
                                           << QByteArray(R"({"reasoning":{"max_tokens":8000}})");
        QTest::addRow("openrouter adaptive")
            << QStringLiteral("openrouter") << int(M::Adaptive) << 0 << QStringLiteral("medium")
            << QByteArray(R"({"reasoning":{"effort":"medium"}})");
        QTest::addRow("qwen") << QStringLiteral("qwen") << int(M::Enabled) << 8000 << QString()
                              << QByteArray(R"({"enable_thinking":true})");
        QTest::addRow("qwen disabled") << QStringLiteral("qwen") << int(M::Disabled) << 0 << QString()
                                       << QByteArray("{}");
        QTest::addRow("none") << QStringLiteral("none") << int(M::Enabled) << 8000 << QString() << QByteArray("{}");
    }

    void thinking()
    {
        QFETCH(QString, style);
        QFETCH(int, mode);
        QFETCH(int, budget);
        QFETCH(QString, effort);
        QFETCH(QByteArray, expected);
        canon::Request r = basic();
        r.maxTokens = 32000;
        r.thinking.mode = canon::Thinking::Mode(mode);
        r.thinking.budgetTokens = budget;
        r.thinking.effort = effort;
        ModelProfile profile;
        profile.reasoningStyle = style;
        const QJsonObject body = encode(r, profile);
        QJsonObject got;
        for (const char* key : {"reasoning_effort", "thinking", "reasoning", "enable_thinking"}) {
            const QString k = QString::fromLatin1(key);
            if (body.contains(k))
                got.insert(k, body.value(k));
        }
        QCOMPARE(got, obj(expected.constData()));
    }

    void maxTokens_data()
    {
        QTest::addColumn<int>("requested");
        QTest::addColumn<int>("profileMax");
        QTest::addColumn<int>("contextWindow");
        QTest::addColumn<int>("inputWords");
        QTest::addColumn<bool>("completionTokens");
        QTest::addColumn<int>("expected"); // -1: absent, -2: computed from the context window
        QTest::addRow("unclamped") << 32000 << 0 << 0 << 10 << false << 32000;
        QTest::addRow("profile max") << 32000 << 8192 << 0 << 10 << false << 8192;
        QTest::addRow("below profile max") << 4000 << 8192 << 0 << 10 << false << 4000;
        QTest::addRow("max_completion_tokens") << 32000 << 16384 << 0 << 10 << true << 16384;
        QTest::addRow("not given") << 0 << 8192 << 0 << 10 << false << -1;
        QTest::addRow("context window") << 64000 << 0 << 128000 << 70000 << false << -2;
        QTest::addRow("context window floor") << 64000 << 0 << 32000 << 60000 << false << 1024;
        QTest::addRow("small request under floor") << 500 << 0 << 32000 << 60000 << false << 500;
    }

    void maxTokens()
    {
        QFETCH(int, requested);
        QFETCH(int, profileMax);
        QFETCH(int, contextWindow);
        QFETCH(int, inputWords);
        QFETCH(bool, completionTokens);
        QFETCH(int, expected);
        canon::Request r = basic();
        r.maxTokens = requested;
        QStringList words;
        for (int i = 0; i < inputWords; ++i)
            words.append(QStringLiteral("word"));
        r.messages.first().parts.first().text = words.join(QLatin1Char(' '));
        ModelProfile profile;
        profile.maxOutputTokens = profileMax;
        profile.contextWindow = contextWindow;
        profile.useMaxCompletionTokens = completionTokens;
        const QJsonObject body = encode(r, profile);
        const QString key = completionTokens ? QStringLiteral("max_completion_tokens") : QStringLiteral("max_tokens");
        const QString other = completionTokens ? QStringLiteral("max_tokens") : QStringLiteral("max_completion_tokens");
        QVERIFY(!body.contains(other));
        if (expected == -1) {
            QVERIFY(!body.contains(key));
            return;
        }
        const int got = body.value(key).toInt();
        if (expected == -2) {
            const qint64 input = estimateRequestTokens(r);
            QVERIFY(input > 50000);
            QVERIFY(got < requested);
            QVERIFY(got >= 1024);
            QVERIFY(qint64(got) + input <= contextWindow);
            QVERIFY(qint64(got) + input >= contextWindow - contextWindow / 20);
        } else {
            QCOMPARE(got, expected);
        }
    }

    void samplingAndStop()
    {
        canon::Request r = basic();
        r.temperature = 0.7;
        r.topP = 0.9;
        r.topK = 40;
        r.stopSequences = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"),
            QStringLiteral("e"), QStringLiteral("f")};
        const QJsonObject body = encode(r);
        QCOMPARE(body.value(QLatin1String("temperature")).toDouble(), 0.7);
        QCOMPARE(body.value(QLatin1String("top_p")).toDouble(), 0.9);
        QVERIFY(!body.contains(QLatin1String("top_k")));
        QCOMPARE(body.value(QLatin1String("stop")).toArray(),
            (QJsonArray {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")}));
        QVERIFY(!body.contains(QLatin1String("stream")));
        QVERIFY(!body.contains(QLatin1String("stream_options")));
    }

    void streaming_data()
    {
        QTest::addColumn<bool>("sendStreamOptions");
        QTest::addRow("with stream_options") << true;
        QTest::addRow("without stream_options") << false;
    }

    void streaming()
    {
        QFETCH(bool, sendStreamOptions);
        canon::Request r = basic();
        r.stream = true;
        ModelProfile profile;
        profile.sendStreamOptions = sendStreamOptions;
        const QJsonObject body = encode(r, profile);
        QCOMPARE(body.value(QLatin1String("stream")).toBool(), true);
        QCOMPARE(body.contains(QLatin1String("stream_options")), sendStreamOptions);
        if (sendStreamOptions)
            QCOMPARE(body.value(QLatin1String("stream_options")).toObject(), obj(R"({"include_usage":true})"));
    }

    void images_data()
    {
        QTest::addColumn<QString>("mime");
        QTest::addColumn<QString>("data");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("expected");
        for (const char* mime : {"image/jpeg", "image/png", "image/webp", "image/gif"}) {
            QTest::addRow("base64 %s", mime)
                << QString::fromLatin1(mime) << QStringLiteral("AAAA") << QString()
                << QStringLiteral("data:") + QString::fromLatin1(mime) + QStringLiteral(";base64,AAAA");
        }
        QTest::addRow("url") << QString() << QString() << QStringLiteral("https://example.com/a.png")
                             << QStringLiteral("https://example.com/a.png");
    }

    void images()
    {
        QFETCH(QString, mime);
        QFETCH(QString, data);
        QFETCH(QString, url);
        QFETCH(QString, expected);
        canon::Request r = basic();
        Part img = url.isEmpty() ? image(mime, data) : imageUrl(url);
        r.messages.first().parts = {text(QStringLiteral("What is this?")), img};
        const QJsonArray content = messages(encode(r)).at(0).toObject().value(QLatin1String("content")).toArray();
        QCOMPARE(content.size(), 2);
        QCOMPARE(content.at(0).toObject(), obj(R"({"type":"text","text":"What is this?"})"));
        QCOMPARE(content.at(1).toObject().value(QLatin1String("type")).toString(), QStringLiteral("image_url"));
        QCOMPARE(content.at(1)
                     .toObject()
                     .value(QLatin1String("image_url"))
                     .toObject()
                     .value(QLatin1String("url"))
                     .toString(),
            expected);
    }

    void documents()
    {
        canon::Request r = basic();
        Part pdf;
        pdf.kind = PartKind::Document;
        pdf.mediaType = QStringLiteral("application/pdf");
        pdf.data = QStringLiteral("JVBERi0=");
        pdf.title = QStringLiteral("report.pdf");
        Part plain;
        plain.kind = PartKind::Document;
        plain.mediaType = QStringLiteral("text/plain");
        plain.text = QStringLiteral("plain text body");
        r.messages.first().parts = {pdf, plain};
        const QJsonArray content = messages(encode(r)).at(0).toObject().value(QLatin1String("content")).toArray();
        QCOMPARE(content.size(), 2);
        QCOMPARE(content.at(0).toObject(),
            obj(R"({"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,JVBERi0="}})"));
        QCOMPARE(content.at(1).toObject(), obj(R"({"type":"text","text":"plain text body"})"));
    }

    void emptyTextDropped()
    {
        canon::Request r;
        r.maxTokens = 10;
        r.messages.append(user({text(QString()), text(QStringLiteral("  \n")), text(QStringLiteral("real"))}));
        r.messages.append(assistant({text(QString()), toolCall(QStringLiteral("c1"), QStringLiteral("Bash"), {})}));
        r.messages.append(user({toolResult(QStringLiteral("c1"), {text(QStringLiteral("out"))}), text(QString())}));
        r.messages.append(assistant({text(QStringLiteral(" "))})); // nothing left: skipped
        r.messages.append(user({text(QString())})); // nothing left: skipped
        r.messages.append(user({text(QStringLiteral("last"))}));
        const QJsonObject body = encode(r);
        QCOMPARE(roles(body),
            (QStringList {
                QStringLiteral("user"), QStringLiteral("assistant"), QStringLiteral("tool"), QStringLiteral("user")}));
        const QJsonArray m = messages(body);
        QCOMPARE(m.at(0).toObject().value(QLatin1String("content")).toString(), QStringLiteral("real"));
        QVERIFY(m.at(1).toObject().value(QLatin1String("content")).isNull());
        for (const QJsonValue& v : m) {
            const QJsonValue c = v.toObject().value(QLatin1String("content"));
            QVERIFY(c.isNull() || !c.toString().trimmed().isEmpty() || !c.toArray().isEmpty());
        }
    }

    void outputSchemaUserAndNoAnthropicFields()
    {
        canon::Request r = basic();
        r.outputSchema = obj(R"({"type":"object","properties":{"answer":{"type":"string"}}})");
        r.userId
            = QStringLiteral("user_0123456789abcdef_account_x_session_y_and_a_lot_more_characters_than_sixty_four");
        r.tools = {tool(QStringLiteral("Read"))};
        const QJsonObject body = encode(r);
        QCOMPARE(body.value(QLatin1String("response_format")).toObject(),
            obj(R"({"type":"json_schema","json_schema":{"name":"output","schema":{"type":"object","properties":{"answer":{"type":"string"}}},"strict":false}})"));
        const QString u = body.value(QLatin1String("user")).toString();
        QVERIFY(u.size() <= 64 && !u.isEmpty());
        QVERIFY(!u.contains(QLatin1String("user_0123")));
        for (const char* forbidden : {"cache_control", "metadata", "top_k", "anthropic", "betas", "system\":["})
            QVERIFY2(!QJsonDocument(body).toJson(QJsonDocument::Compact).contains(forbidden), forbidden);
        const QStringList allowed = {QStringLiteral("model"), QStringLiteral("messages"), QStringLiteral("tools"),
            QStringLiteral("max_tokens"), QStringLiteral("response_format"), QStringLiteral("user")};
        for (const QString& key : body.keys())
            QVERIFY2(allowed.contains(key), qPrintable(key));
    }

    void roundTrip()
    {
        canon::Request r;
        r.model = QStringLiteral("m");
        r.maxTokens = 2048;
        r.stream = true;
        r.temperature = 0.5;
        r.stopSequences = {QStringLiteral("STOP")};
        r.system = {text(QStringLiteral("You are terse."))};
        r.tools = {tool(QStringLiteral("Read")), tool(QStringLiteral("Bash"))};
        r.toolChoice.mode = canon::ToolChoice::Mode::Any;
        r.toolChoice.disableParallel = true;
        r.thinking.mode = canon::Thinking::Mode::Enabled;
        r.thinking.budgetTokens = 30000;
        const QJsonObject input {
            {QStringLiteral("file_path"), QStringLiteral("/a.txt")}, {QStringLiteral("offset"), 3}};
        r.messages = {
            user({text(QStringLiteral("Read /a.txt please")),
                image(QStringLiteral("image/png"), QStringLiteral("AAAA"))}),
            assistant({reasoning(QStringLiteral("Need to read.")), text(QStringLiteral("Reading.")),
                toolCall(QStringLiteral("call_1"), QStringLiteral("Read"), input),
                toolCall(QStringLiteral("call_2"), QStringLiteral("Bash"),
                    QJsonObject {{QStringLiteral("command"), QStringLiteral("ls")}})}),
            user({toolResult(QStringLiteral("call_1"), {text(QStringLiteral("contents"))}),
                toolResult(QStringLiteral("call_2"), {text(QStringLiteral("denied"))}, true),
                text(QStringLiteral("thanks"))}),
            assistant({text(QStringLiteral("Done."))}),
        };
        ModelProfile profile;
        profile.reasoningEcho = true;
        canon::TranslationContext ctx;
        const QByteArray body = checkedEncode(r, profile, ctx);
        const auto decoded = openaichat::decodeRequest(body);
        QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().message));
        const canon::Request& d = decoded.value();

        QCOMPARE(d.system.size(), 1);
        QCOMPARE(d.system.first().text, QStringLiteral("You are terse."));
        QCOMPARE(d.maxTokens, 2048);
        QVERIFY(d.stream);
        QCOMPARE(*d.temperature, 0.5);
        QCOMPARE(d.stopSequences, r.stopSequences);
        QCOMPARE(d.tools.size(), 2);
        QCOMPARE(d.tools.at(0).name, QStringLiteral("Read"));
        QCOMPARE(d.tools.at(0).description, QStringLiteral("Does Read"));
        QCOMPARE(d.toolChoice.mode, canon::ToolChoice::Mode::Any);
        QVERIFY(d.toolChoice.disableParallel);
        QCOMPARE(d.thinking.mode, canon::Thinking::Mode::Enabled);
        QCOMPARE(d.thinking.effort, QStringLiteral("high"));

        QCOMPARE(d.messages.size(), 4);
        QCOMPARE(d.messages.at(0).role, canon::Role::User);
        QCOMPARE(d.messages.at(0).parts.size(), 2);
        QCOMPARE(d.messages.at(0).parts.at(0).text, QStringLiteral("Read /a.txt please"));
        QCOMPARE(d.messages.at(0).parts.at(1).kind, PartKind::Image);
        QCOMPARE(d.messages.at(0).parts.at(1).mediaType, QStringLiteral("image/png"));
        QCOMPARE(d.messages.at(0).parts.at(1).data, QStringLiteral("AAAA"));

        const canon::Message& a = d.messages.at(1);
        QCOMPARE(a.role, canon::Role::Assistant);
        QCOMPARE(a.parts.size(), 4);
        QCOMPARE(a.parts.at(0).kind, PartKind::Reasoning);
        QCOMPARE(a.parts.at(0).text, QStringLiteral("Need to read."));
        QCOMPARE(canon::gatewaySignatureProvider(a.parts.at(0).signature), QStringLiteral("openai-chat"));
        QCOMPARE(a.parts.at(1).text, QStringLiteral("Reading."));
        QCOMPARE(a.parts.at(2).id, QStringLiteral("call_1"));
        QCOMPARE(a.parts.at(2).name, QStringLiteral("Read"));
        QCOMPARE(a.parts.at(2).input, input);
        QCOMPARE(a.parts.at(3).id, QStringLiteral("call_2"));

        const canon::Message& results = d.messages.at(2);
        QCOMPARE(results.role, canon::Role::User);
        QCOMPARE(results.parts.size(), 3); // both results and the text in one user message
        QCOMPARE(results.parts.at(0).kind, PartKind::ToolResult);
        QCOMPARE(results.parts.at(0).toolCallId, QStringLiteral("call_1"));
        QCOMPARE(results.parts.at(0).content.first().text, QStringLiteral("contents"));
        QVERIFY(!results.parts.at(0).isError);
        QCOMPARE(results.parts.at(1).toolCallId, QStringLiteral("call_2"));
        QVERIFY(results.parts.at(1).isError);
        QCOMPARE(results.parts.at(1).content.first().text, QStringLiteral("denied"));
        QCOMPARE(results.parts.at(2).text, QStringLiteral("thanks"));
        QCOMPARE(d.messages.at(3).parts.first().text, QStringLiteral("Done."));

        // Re-encoding the decoded request gives the same body.
        canon::TranslationContext ctx2;
        QCOMPARE(
            QJsonDocument::fromJson(checkedEncode(d, profile, ctx2)).object(), QJsonDocument::fromJson(body).object());
    }

    void largeRequestSpeed()
    {
        // A Claude Code-sized request: ~60 KB of history, 20 tools with schemas.
        canon::Request r;
        r.maxTokens = 32000;
        r.system = {text(QStringLiteral("You are Claude Code. ").repeated(200))};
        for (int i = 0; i < 20; ++i) {
            r.tools.append(tool(QStringLiteral("Tool") + QString::number(i),
                obj(R"({"type":"object","properties":{"a":{"type":"string","description":"something long enough to matter"},"b":{"type":"integer"}},"required":["a"]})")));
        }
        for (int i = 0; i < 40; ++i) {
            const QString id = QStringLiteral("call_") + QString::number(i);
            r.messages.append(user({text(QStringLiteral("Please look at file number %1 and fix it.").arg(i))}));
            r.messages.append(assistant({text(QStringLiteral("Looking.")),
                toolCall(id, QStringLiteral("Tool1"),
                    QJsonObject {{QStringLiteral("a"), QStringLiteral("/src/file.cpp")}})}));
            r.messages.append(
                user({toolResult(id, {text(QStringLiteral("int main() { return 0; }\n").repeated(50))})}));
        }
        ModelProfile profile;
        profile.contextWindow = 200000; // includes the input estimate for the clamp
        canon::TranslationContext ctx;
        QByteArray body = checkedEncode(r, profile, ctx);
        QVERIFY(body.size() > 60000);
        QElapsedTimer timer;
        timer.start();
        constexpr int Rounds = 20;
        for (int i = 0; i < Rounds; ++i)
            body = openaichat::encodeRequest(r, profile, ctx);
        const double ms = double(timer.nsecsElapsed()) / 1e6 / Rounds;
        qInfo("encodeRequest: %lld bytes in %.2f ms", qint64(body.size()), ms);
        QVERIFY(ms < 100);
    }

    void decodeRequestShapes()
    {
        const QByteArray body = R"({"model":"gpt","messages":[
            {"role":"developer","content":[{"type":"text","text":"dev rules"}]},
            {"role":"system","content":"more rules"},
            {"role":"user","content":"q"},
            {"role":"system","content":"late system"},
            {"role":"assistant","content":null,"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"not json"}}]},
            {"role":"tool","tool_call_id":"a","content":"r1"}],
            "tool_choice":{"type":"function","function":{"name":"f"}},
            "max_tokens":77,"stop":"END","reasoning_effort":"low","top_p":0.3,"user":"u1"})";
        const auto d = openaichat::decodeRequest(body);
        QVERIFY(d.ok());
        QCOMPARE(d->system.size(), 2);
        QCOMPARE(d->messages.size(), 4);
        QCOMPARE(d->messages.at(1).role, canon::Role::System);
        QVERIFY(d->messages.at(2).parts.first().input.isEmpty());
        QCOMPARE(d->toolChoice.mode, canon::ToolChoice::Mode::Tool);
        QCOMPARE(d->toolChoice.name, QStringLiteral("f"));
        QCOMPARE(d->maxTokens, 77);
        QCOMPARE(d->stopSequences, QStringList {QStringLiteral("END")});
        QCOMPARE(d->thinking.effort, QStringLiteral("low"));
        QCOMPARE(d->thinking.budgetTokens, 1024);
        QCOMPARE(*d->topP, 0.3);
        QCOMPARE(d->userId, QStringLiteral("u1"));

        QVERIFY(!openaichat::decodeRequest("nope").ok());
        QCOMPARE(openaichat::decodeRequest("[]").error().httpStatus, 400);
        QCOMPARE(openaichat::decodeRequest(R"({"model":"x"})").error().type, canon::ErrorType::InvalidRequest);
    }

    // encodeRequest writes bytes directly; the reference encoder builds the QJsonObject tree. Over requests derived
    // from every recorded response fixture, a request with every kind of part and quirk, the Anthropic bodies of
    // the tests and the bench, and every profile variant, both give the same bytes.
    void matchesReferenceEncoder()
    {
        QList<canon::Request> requests = {variedRequest(), basic()};
        for (const QString& dialect : {QStringLiteral("anthropic"), QStringLiteral("openai-chat")}) {
            QDir d(sharedDir() + QStringLiteral("/fixtures/upstream/") + dialect);
            for (const QString& f : d.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
                QFile file(d.filePath(f));
                if (!file.open(QIODevice::ReadOnly))
                    continue;
                const QByteArray bytes = file.readAll();
                const auto response = dialect == u"anthropic"
                    ? anthropic::decodeResponse(bytes)
                    : openaichat::decodeResponse(bytes, canon::TranslationContext());
                if (response.ok())
                    requests.append(requestAround(*response));
            }
        }
        QByteArrayList anthropicBodies = {
            "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":\"m\",\"max_tokens\":10,\"system\":\"s\",\"temperature\":1,\"top_p\":0.25,\"stream\":true,"
            "\"stop_sequences\":[\"a\",\"\",\"b\"],\"metadata\":{\"user_id\":\"u\"},\"thinking\":{\"type\":"
            "\"enabled\",\"budget_tokens\":2000},\"tool_choice\":{\"type\":\"tool\",\"name\":\"t\"},\"tools\":[{"
            "\"name\":\"t\",\"description\":\"d\\u00e9\",\"input_schema\":{\"$schema\":\"x\",\"type\":\"object\"}},"
            "{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}],\"messages\":[{\"role\":\"user\",\"content\":"
            "[{\"type\":\"text\",\"text\":\"q \\\"quoted\\\" \\b\\f\\u0001 \\ud83d\\ude00\"}]},{\"role\":\"assistant\","
            "\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\",\"signature\":\"sig\"},{\"type\":\"tool_use\","
            "\"id\":\"c1\",\"name\":\"t\",\"input\":{\"k\":\"v\\n\\\"\",\"n\":[1,2.5,-3e300,true,null]}}]},{\"role\":"
            "\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"c1\",\"is_error\":true,\"content\":"
            "[{\"type\":\"text\",\"text\":\"bad\"}]}]}]}",
        };
        QString benchDir = qEnvironmentVariable("SY_BENCH_DIR");
        if (benchDir.isEmpty())
            benchDir = QDir::homePath() + QStringLiteral("/.cache/switchyard-bench");
        QDir bodies(benchDir + QStringLiteral("/bodies"));
        for (const QString& f : bodies.entryList({QStringLiteral("anthropic*.json")}, QDir::Files, QDir::Name)) {
            QFile file(bodies.filePath(f));
            if (file.open(QIODevice::ReadOnly))
                anthropicBodies.append(file.readAll());
        }
        for (const QByteArray& body : std::as_const(anthropicBodies)) {
            const auto decoded = anthropic::decodeRequest(body);
            QVERIFY2(decoded.ok(), body.constData());
            requests.append(*decoded);
        }
        QVERIFY(requests.size() > 20);

        QList<ModelProfile> profiles(9);
        profiles[1].reasoningEcho = true;
        profiles[1].useMaxCompletionTokens = true;
        profiles[1].sendStreamOptions = true;
        profiles[2].reasoningStyle = QStringLiteral("deepseek");
        profiles[2].reasoningEcho = true;
        profiles[3].reasoningStyle = QStringLiteral("OpenRouter");
        profiles[4].reasoningStyle = QStringLiteral("qwen");
        profiles[5].reasoningStyle = QStringLiteral("none");
        profiles[6].contextWindow = 8000;
        profiles[6].maxOutputTokens = 5000;
        profiles[7].reasoningStyle = QStringLiteral("openrouter");
        profiles[7].sendStreamOptions = true;
        profiles[8].reasoningStyle = QStringLiteral("deepseek");
        int checked = 0;
        for (int i = 0; i < requests.size(); ++i) {
            for (int k = 0; k < profiles.size(); ++k) {
                canon::Request r = requests.at(i);
                // vary the settings each profile sees
                using TM = canon::Thinking::Mode;
                const TM modes[] = {TM::Unset, TM::Enabled, TM::Adaptive, TM::Disabled};
                if (k > 0)
                    r.thinking.mode = modes[(i + k) % 4];
                if (k % 3 == 1)
                    r.thinking.budgetTokens = (i % 2) ? 0 : 5000 * k;
                if (k % 4 == 2)
                    r.thinking.effort = QStringLiteral("XHigh");
                using CM = canon::ToolChoice::Mode;
                const CM choices[] = {CM::Unset, CM::Auto, CM::Any, CM::Tool, CM::None};
                if (k > 0) {
                    r.toolChoice.mode = choices[(i + k) % 5];
                    r.toolChoice.disableParallel = (i + k) % 2;
                    if (r.toolChoice.mode == CM::Tool && k % 2 && !r.tools.isEmpty())
                        r.toolChoice.name = r.tools.first().name;
                }
                canon::TranslationContext ctx;
                if (k % 2)
                    ctx.upstreamModel = QStringLiteral("upstream");
                const QByteArray body = checkedEncode(r, profiles.at(k), ctx);
                if (QTest::currentTestFailed())
                    QFAIL(qPrintable(QStringLiteral("request %1, profile %2").arg(i).arg(k)));
                QVERIFY(QJsonDocument::fromJson(body).isObject());
                ++checked;
            }
        }
        qInfo("%d encodings equal to the reference", checked);
    }
};

QTEST_GUILESS_MAIN(TestOpenAiChatRequest)
#include "tst_openaichatrequest.moc"
