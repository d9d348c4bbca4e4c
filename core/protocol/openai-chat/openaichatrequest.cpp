#include "openaichatrequest.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "openaichatcommon.h"
#include "protocol/signature.h"
#include "protocol/tokencount.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace sy::openaichat {

namespace {

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
    return QString::fromUtf8(sy::compactJson(o));
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
        if (shortenToolName(name) == name) {
            m_toUpstream.insert(name, name);
            m_toClient.insert(name, name);
        }
    }

    QString map(const QString& client)
    {
        const auto it = m_toUpstream.constFind(client);
        if (it != m_toUpstream.constEnd())
            return it.value();
        QString candidate = shortenToolName(client);
        int salt = 0;
        while (m_toClient.contains(candidate) && m_toClient.value(candidate) != client)
            candidate = shortenToolName(client + QChar(0x1) + QString::number(++salt));
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
        effort = reasoningEffortForBudget(t.budgetTokens);
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

} // namespace

QString reasoningEffortForBudget(int budgetTokens)
{
    if (budgetTokens <= 1024)
        return QStringLiteral("low");
    if (budgetTokens <= 8192)
        return QStringLiteral("medium");
    return QStringLiteral("high");
}

int clampMaxTokens(const canon::Request& req, const ModelProfile& profile)
{
    int out = req.maxTokens;
    if (out <= 0)
        return 0;
    if (profile.maxOutputTokens > 0)
        out = std::min(out, profile.maxOutputTokens);
    if (profile.contextWindow > 0) {
        const qint64 input = estimateRequestTokens(req);
        const qint64 margin = std::max<qint64>(256, profile.contextWindow / 50);
        const qint64 room = qint64(profile.contextWindow) - input - margin;
        const int floor = std::min(out, MinClampedOutputTokens);
        out = int(std::max<qint64>(floor, std::min<qint64>(out, room)));
    }
    return out;
}

QByteArray encodeRequest(const canon::Request& req, const ModelProfile& profile, canon::TranslationContext& ctx)
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

    const int maxTokens = clampMaxTokens(req, profile);
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

// ---------------------------------------------------------------------------------------------------------------
// decodeRequest

namespace {

canon::Error badRequest(const QString& message)
{
    canon::Error e = canon::Error::make(400, canon::ErrorType::InvalidRequest, message);
    e.shouldRetry = false;
    return e;
}

// Text of a content value that may be a string or an array of text parts.
QString contentText(const QJsonValue& content)
{
    if (content.isString())
        return content.toString();
    QString out;
    for (const QJsonValue& v : content.toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1StringView("type")).toString() == u"text")
            out += o.value(QLatin1StringView("text")).toString();
    }
    return out;
}

int budgetForEffort(const QString& effort)
{
    if (effort == u"minimal")
        return 512;
    if (effort == u"low")
        return 1024;
    if (effort == u"medium")
        return 8192;
    if (effort == u"xhigh")
        return 32768;
    if (effort == u"max")
        return 128000;
    return 24576;
}

QList<Part> userParts(const QJsonValue& content)
{
    QList<Part> parts;
    if (content.isString()) {
        if (!content.toString().isEmpty())
            parts.append(Part::makeText(content.toString()));
        return parts;
    }
    for (const QJsonValue& v : content.toArray()) {
        const QJsonObject o = v.toObject();
        const QString type = o.value(QLatin1StringView("type")).toString();
        if (type == u"text") {
            const QString t = o.value(QLatin1StringView("text")).toString();
            if (!t.isEmpty())
                parts.append(Part::makeText(t));
        } else if (type == u"image_url") {
            const QJsonValue iu = o.value(QLatin1StringView("image_url"));
            const QString url
                = iu.isString() ? iu.toString() : iu.toObject().value(QLatin1StringView("url")).toString();
            Part p;
            p.kind = PartKind::Image;
            if (!parseDataUrl(url, &p.mediaType, &p.data))
                p.url = url;
            parts.append(p);
        } else if (type == u"file") {
            const QJsonObject f = o.value(QLatin1StringView("file")).toObject();
            Part p;
            p.kind = PartKind::Document;
            p.title = f.value(QLatin1StringView("filename")).toString();
            if (parseDataUrl(f.value(QLatin1StringView("file_data")).toString(), &p.mediaType, &p.data))
                parts.append(p);
        }
    }
    return parts;
}

} // namespace

Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body)
{
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(body, &perr);
    if (!doc.isObject())
        return Result<canon::Request, canon::Error>::failure(
            badRequest(QStringLiteral("request body is not a JSON object: ") + perr.errorString()));
    const QJsonObject o = doc.object();
    const QJsonValue messagesValue = o.value(QLatin1StringView("messages"));
    if (!messagesValue.isArray())
        return Result<canon::Request, canon::Error>::failure(badRequest(QStringLiteral("messages: expected an array")));

    canon::Request req;
    req.model = o.value(QLatin1StringView("model")).toString();

    bool leading = true;
    bool lastUserFromTools = false; // the last canonical message is a user message built from tool messages
    for (const QJsonValue& mv : messagesValue.toArray()) {
        const QJsonObject m = mv.toObject();
        const QString role = m.value(QLatin1StringView("role")).toString();
        const QJsonValue content = m.value(QLatin1StringView("content"));
        if (role == u"system" || role == u"developer") {
            const QString text = contentText(content);
            if (text.isEmpty())
                continue;
            if (leading) {
                req.system.append(Part::makeText(text));
            } else {
                canon::Message sm;
                sm.role = canon::Role::System;
                sm.parts.append(Part::makeText(text));
                req.messages.append(sm);
                lastUserFromTools = false;
            }
            continue;
        }
        leading = false;
        if (role == u"tool" || role == u"function") {
            Part r;
            r.kind = PartKind::ToolResult;
            r.toolCallId = m.value(QLatin1StringView("tool_call_id")).toString();
            QString text = contentText(content);
            if (text.startsWith(QLatin1String("Error: "))) {
                r.isError = true;
                text = text.mid(7);
            }
            if (!text.isEmpty() && text != EmptyToolResult)
                r.content.append(Part::makeText(text));
            if (lastUserFromTools && !req.messages.isEmpty()) {
                req.messages.last().parts.append(r);
            } else {
                canon::Message um;
                um.role = canon::Role::User;
                um.parts.append(r);
                req.messages.append(um);
                lastUserFromTools = true;
            }
            continue;
        }
        if (role == u"assistant") {
            canon::Message am;
            am.role = canon::Role::Assistant;
            QString reasoning = m.value(QLatin1StringView("reasoning_content")).toString();
            if (reasoning.isEmpty())
                reasoning = m.value(QLatin1StringView("reasoning")).toString();
            if (!reasoning.isEmpty()) {
                Part p;
                p.kind = PartKind::Reasoning;
                p.text = reasoning;
                p.signature = reasoningSignature();
                am.parts.append(p);
            }
            const QString text = contentText(content);
            if (!text.isEmpty())
                am.parts.append(Part::makeText(text));
            for (const QJsonValue& cv : m.value(QLatin1StringView("tool_calls")).toArray()) {
                const QJsonObject c = cv.toObject();
                const QJsonObject fn = c.value(QLatin1StringView("function")).toObject();
                Part p;
                p.kind = PartKind::ToolCall;
                p.id = c.value(QLatin1StringView("id")).toString();
                p.name = fn.value(QLatin1StringView("name")).toString();
                const QJsonValue args = fn.value(QLatin1StringView("arguments"));
                if (args.isObject())
                    p.input = args.toObject();
                else
                    p.input = json::parseObject(args.toString().toUtf8());
                am.parts.append(p);
            }
            if (!am.parts.isEmpty())
                req.messages.append(am);
            lastUserFromTools = false;
            continue;
        }
        // user (and anything unknown)
        const QList<Part> parts = userParts(content);
        if (parts.isEmpty())
            continue;
        if (lastUserFromTools && !req.messages.isEmpty()) {
            req.messages.last().parts.append(parts);
        } else {
            canon::Message um;
            um.role = canon::Role::User;
            um.parts = parts;
            req.messages.append(um);
        }
        lastUserFromTools = false;
    }

    for (const QJsonValue& tv : o.value(QLatin1StringView("tools")).toArray()) {
        const QJsonObject t = tv.toObject();
        if (t.value(QLatin1StringView("type")).toString() != u"function")
            continue;
        const QJsonObject fn = t.value(QLatin1StringView("function")).toObject();
        canon::Tool tool;
        tool.name = fn.value(QLatin1StringView("name")).toString();
        tool.description = fn.value(QLatin1StringView("description")).toString();
        tool.inputSchema = fn.value(QLatin1StringView("parameters")).toObject();
        req.tools.append(tool);
    }
    const QJsonValue tc = o.value(QLatin1StringView("tool_choice"));
    if (tc.isString()) {
        const QString s = tc.toString();
        if (s == u"auto")
            req.toolChoice.mode = canon::ToolChoice::Mode::Auto;
        else if (s == u"required")
            req.toolChoice.mode = canon::ToolChoice::Mode::Any;
        else if (s == u"none")
            req.toolChoice.mode = canon::ToolChoice::Mode::None;
    } else if (tc.isObject()) {
        req.toolChoice.mode = canon::ToolChoice::Mode::Tool;
        req.toolChoice.name
            = tc.toObject().value(QLatin1StringView("function")).toObject().value(QLatin1StringView("name")).toString();
    }
    if (o.value(QLatin1StringView("parallel_tool_calls")).isBool()
        && !o.value(QLatin1StringView("parallel_tool_calls")).toBool())
        req.toolChoice.disableParallel = true;

    const QJsonValue mct = o.value(QLatin1StringView("max_completion_tokens"));
    const QJsonValue mt = o.value(QLatin1StringView("max_tokens"));
    if (mct.isDouble())
        req.maxTokens = mct.toInt();
    else if (mt.isDouble())
        req.maxTokens = mt.toInt();
    const QJsonValue stop = o.value(QLatin1StringView("stop"));
    if (stop.isString()) {
        req.stopSequences.append(stop.toString());
    } else {
        for (const QJsonValue& s : stop.toArray())
            req.stopSequences.append(s.toString());
    }
    if (o.value(QLatin1StringView("temperature")).isDouble())
        req.temperature = o.value(QLatin1StringView("temperature")).toDouble();
    if (o.value(QLatin1StringView("top_p")).isDouble())
        req.topP = o.value(QLatin1StringView("top_p")).toDouble();
    if (o.value(QLatin1StringView("top_k")).isDouble())
        req.topK = o.value(QLatin1StringView("top_k")).toInt();
    req.stream = o.value(QLatin1StringView("stream")).toBool();

    const QString effort = o.value(QLatin1StringView("reasoning_effort")).toString();
    const QJsonObject reasoning = o.value(QLatin1StringView("reasoning")).toObject();
    const QString thinkingType
        = o.value(QLatin1StringView("thinking")).toObject().value(QLatin1StringView("type")).toString();
    if (!effort.isEmpty()) {
        if (effort == u"none") {
            req.thinking.mode = canon::Thinking::Mode::Disabled;
        } else {
            req.thinking.mode = canon::Thinking::Mode::Enabled;
            req.thinking.effort = effort;
            req.thinking.budgetTokens = budgetForEffort(effort);
        }
    } else if (!reasoning.isEmpty()) {
        req.thinking.mode = canon::Thinking::Mode::Enabled;
        if (reasoning.value(QLatin1StringView("max_tokens")).isDouble()) {
            req.thinking.budgetTokens = reasoning.value(QLatin1StringView("max_tokens")).toInt();
        } else {
            req.thinking.effort = reasoning.value(QLatin1StringView("effort")).toString();
            req.thinking.budgetTokens = budgetForEffort(req.thinking.effort);
        }
    } else if (thinkingType == u"enabled") {
        req.thinking.mode = canon::Thinking::Mode::Enabled;
    } else if (thinkingType == u"disabled") {
        req.thinking.mode = canon::Thinking::Mode::Disabled;
    } else if (o.value(QLatin1StringView("enable_thinking")).isBool()) {
        req.thinking.mode = o.value(QLatin1StringView("enable_thinking")).toBool() ? canon::Thinking::Mode::Enabled
                                                                                   : canon::Thinking::Mode::Disabled;
    }

    const QJsonObject rf = o.value(QLatin1StringView("response_format")).toObject();
    if (rf.value(QLatin1StringView("type")).toString() == u"json_schema")
        req.outputSchema
            = rf.value(QLatin1StringView("json_schema")).toObject().value(QLatin1StringView("schema")).toObject();
    req.userId = o.value(QLatin1StringView("user")).toString();
    return req;
}

} // namespace sy::openaichat
