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

#include <optional>

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

// The body is written directly as bytes. Every object's keys are written in QJsonObject's (sorted) order, so the body
// is byte-identical to compactJson() of the equivalent QJsonObject tree (tests/core/tst_openaichatrequest.cpp keeps
// that tree-building encoder as a reference and compares the two).

inline void appendString(QByteArray& out, QStringView s)
{
    appendCompactJsonString(out, s);
}

void appendTextPart(QByteArray& out, QStringView text)
{
    out += "{\"text\":";
    appendString(out, text);
    out += ",\"type\":\"text\"}";
}

// The URL an image part is sent as (empty: nothing to send).
QString imageUrl(const Part& p)
{
    if (!p.data.isEmpty()) {
        const QString mime = p.mediaType.isEmpty() ? QStringLiteral("image/png") : p.mediaType;
        return QStringLiteral("data:") + mime + QStringLiteral(";base64,") + p.data;
    }
    return p.url;
}

void appendImagePart(QByteArray& out, QStringView url)
{
    out += "{\"image_url\":{\"url\":";
    appendString(out, url);
    out += "},\"type\":\"image_url\"}";
}

// A document part as a Chat content part: nothing, a text part (its text) or a file part (its JSON).
struct DocumentPart
{
    enum class Kind { None, Text, File };
    Kind kind = Kind::None;
    QString text;
    QByteArray json;
};

DocumentPart documentPart(const Part& p)
{
    DocumentPart out;
    if (!p.text.isEmpty()) {
        out.kind = DocumentPart::Kind::Text;
        out.text = p.title.isEmpty() ? p.text : p.title + QStringLiteral("\n\n") + p.text;
        return out;
    }
    if (!p.data.isEmpty()) {
        const QString mime = p.mediaType.isEmpty() ? QStringLiteral("application/pdf") : p.mediaType;
        if (mime.startsWith(QLatin1String("text/"))) {
            QString decoded = QString::fromUtf8(QByteArray::fromBase64(p.data.toLatin1()));
            if (!decoded.isEmpty()) {
                out.kind = DocumentPart::Kind::Text;
                out.text = std::move(decoded);
            }
            return out;
        }
        const QString filename = p.title.isEmpty() ? QStringLiteral("document.pdf") : p.title;
        out.kind = DocumentPart::Kind::File;
        out.json = "{\"file\":{\"file_data\":";
        appendString(out.json, QString(QStringLiteral("data:") + mime + QStringLiteral(";base64,") + p.data));
        out.json += ",\"filename\":";
        appendString(out.json, filename);
        out.json += "},\"type\":\"file\"}";
        return out;
    }
    if (!p.url.isEmpty()) {
        out.kind = DocumentPart::Kind::Text;
        out.text = QStringLiteral("Document: ") + p.url;
    }
    return out;
}

// The text of a tool result (Chat tool messages are text only); its images are appended to `images` as parts
// (comma-separated), `imageCount` counts them.
QString toolResultText(const Part& result, QByteArray& images, int& imageCount)
{
    QStringList texts;
    for (const Part& c : result.content) {
        switch (c.kind) {
        case PartKind::Text:
            if (!c.text.isEmpty())
                texts.append(c.text);
            break;
        case PartKind::Image: {
            const QString url = imageUrl(c);
            if (!url.isEmpty()) {
                if (imageCount++)
                    images += ',';
                appendImagePart(images, url);
            }
            break;
        }
        case PartKind::Document: {
            const DocumentPart doc = documentPart(c);
            if (doc.kind == DocumentPart::Kind::Text)
                texts.append(doc.text);
            else if (doc.kind == DocumentPart::Kind::File)
                texts.append(QStringLiteral("(document ") + c.title + QStringLiteral(" omitted)"));
            break;
        }
        default:
            break;
        }
    }
    QString text = texts.join(QLatin1Char('\n'));
    if (text.isEmpty())
        text = imageCount == 0 ? QString(EmptyToolResult) : QStringLiteral("(image output follows)");
    if (result.isError)
        text = QStringLiteral("Error: ") + text;
    return text;
}

// Profile "openai-lenient" (§6.14): only the root is touched; property names are never treated as keywords. Writes
// the schema without "$schema", with "type": "object" and an object "properties".
void appendSanitizedSchema(QByteArray& out, const QJsonObject& schema)
{
    const bool clean = !schema.contains(QLatin1StringView("$schema"))
        && schema.value(QLatin1StringView("type")).toString() == u"object"
        && schema.value(QLatin1StringView("properties")).isObject();
    if (clean) {
        appendCompactJson(out, schema); // the common case: nothing to change
        return;
    }
    QJsonObject fixed = schema;
    fixed.remove(QLatin1StringView("$schema"));
    if (fixed.value(QLatin1StringView("type")).toString() != u"object")
        fixed.insert(QLatin1StringView("type"), QStringLiteral("object"));
    if (!fixed.value(QLatin1StringView("properties")).isObject())
        fixed.insert(QLatin1StringView("properties"), QJsonObject());
    appendCompactJson(out, fixed);
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

// The body members the thinking settings add (at most one of them).
struct ThinkingMembers
{
    std::optional<bool> enableThinking; // "enable_thinking" (qwen)
    int reasoningMaxTokens = 0; // "reasoning": {"max_tokens"} (openrouter)
    QString reasoningEffort; // "reasoning": {"effort"} (openrouter)
    QString effort; // "reasoning_effort"
    QString thinkingType; // "thinking": {"type"} (deepseek)
};

ThinkingMembers encodeThinking(const canon::Thinking& t, const ModelProfile& profile)
{
    ThinkingMembers out;
    const QString style
        = profile.reasoningStyle.isEmpty() ? QStringLiteral("effort") : profile.reasoningStyle.toLower();
    const bool on = t.mode == canon::Thinking::Mode::Enabled || t.mode == canon::Thinking::Mode::Adaptive;
    if (style == u"deepseek") {
        if (on || t.mode == canon::Thinking::Mode::Disabled)
            out.thinkingType = on ? QStringLiteral("enabled") : QStringLiteral("disabled");
        return out;
    }
    if (!on || style == u"none")
        return out;
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
            out.reasoningMaxTokens = t.budgetTokens;
        else
            out.reasoningEffort = effort;
    } else if (style == u"qwen") {
        out.enableThinking = true;
    } else {
        out.effort = effort;
    }
    return out;
}

// One Chat message, written into Encoder::buffer at [begin, end).
struct ChatMessage
{
    enum class Role { System, User, Assistant, Tool };
    Role role = Role::User;
    qsizetype begin = 0;
    qsizetype end = 0;
    QString toolCallId; // Tool
    QStringList callIds; // Assistant: the ids of its tool calls
};

struct Encoder
{
    const canon::Request& req;
    const ModelProfile& profile;
    ToolNameMapper names;
    QByteArray buffer; // the messages' JSON, back to back
    QList<ChatMessage> messages;

    ChatMessage& begin(ChatMessage::Role role)
    {
        ChatMessage& m = messages.emplace_back();
        m.role = role;
        m.begin = buffer.size();
        return m;
    }

    void finish() { messages.last().end = buffer.size(); }

    void addSystemMessage(const QStringList& texts)
    {
        begin(ChatMessage::Role::System);
        buffer += "{\"content\":";
        appendString(buffer, texts.join(QStringLiteral("\n\n")));
        buffer += ",\"role\":\"system\"}";
        finish();
    }

    void addToolMessage(const QString& toolCallId, QStringView text)
    {
        begin(ChatMessage::Role::Tool).toolCallId = toolCallId;
        buffer += "{\"content\":";
        appendString(buffer, text);
        buffer += ",\"role\":\"tool\",\"tool_call_id\":";
        appendString(buffer, toolCallId);
        buffer += '}';
        finish();
    }

    void addSystem(const QList<Part>& parts)
    {
        QStringList texts;
        for (const Part& p : parts) {
            if (p.kind != PartKind::Text || isBlank(p.text) || p.text.startsWith(BillingHeaderPrefix))
                continue;
            texts.append(p.text);
        }
        if (!texts.isEmpty())
            addSystemMessage(texts);
    }

    void addUser(const canon::Message& m)
    {
        QByteArray toolImages; // parts, comma-separated
        QByteArray rest; // parts, comma-separated
        int restCount = 0;
        const QString* singleText = nullptr; // the text when `rest` is one text part
        QString singleTextStorage;
        auto addRest = [&](const QByteArray& json) {
            if (restCount++)
                rest += ',';
            rest += json;
        };
        auto addRestText = [&](const QString& text) {
            if (restCount++)
                rest += ',';
            appendTextPart(rest, text);
            singleText = &text;
        };
        for (const Part& p : m.parts) {
            switch (p.kind) {
            case PartKind::ToolResult: {
                QByteArray images;
                int imageCount = 0;
                const QString text = toolResultText(p, images, imageCount);
                addToolMessage(p.toolCallId, text);
                if (imageCount > 0) {
                    if (!toolImages.isEmpty())
                        toolImages += ',';
                    appendTextPart(
                        toolImages, QString(QStringLiteral("Image output of tool ") + p.toolCallId + QLatin1Char(':')));
                    toolImages += ',';
                    toolImages += images;
                }
                break;
            }
            case PartKind::Text:
                if (!isBlank(p.text))
                    addRestText(p.text);
                break;
            case PartKind::Image: {
                const QString url = imageUrl(p);
                if (!url.isEmpty()) {
                    QByteArray json;
                    appendImagePart(json, url);
                    addRest(json);
                }
                break;
            }
            case PartKind::Document: {
                DocumentPart doc = documentPart(p);
                if (doc.kind == DocumentPart::Kind::Text) {
                    singleTextStorage = std::move(doc.text);
                    addRestText(singleTextStorage);
                } else if (doc.kind == DocumentPart::Kind::File) {
                    addRest(doc.json);
                }
                break;
            }
            default:
                break; // tool calls, reasoning and opaque blocks cannot appear in a Chat user message
            }
        }
        if (!toolImages.isEmpty()) {
            begin(ChatMessage::Role::User);
            buffer += "{\"content\":[";
            buffer += toolImages;
            buffer += "],\"role\":\"user\"}";
            finish();
        }
        if (restCount == 0)
            return;
        begin(ChatMessage::Role::User);
        buffer += "{\"content\":";
        if (restCount == 1 && singleText) {
            appendString(buffer, *singleText);
        } else {
            buffer += '[';
            buffer += rest;
            buffer += ']';
        }
        buffer += ",\"role\":\"user\"}";
        finish();
    }

    void addAssistant(const canon::Message& m)
    {
        QStringList texts;
        QStringList reasoning;
        QByteArray toolCalls; // comma-separated
        QStringList callIds;
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
                if (!callIds.isEmpty())
                    toolCalls += ',';
                callIds.append(p.id);
                toolCalls += "{\"function\":{\"arguments\":";
                // compactJson is valid UTF-8 without control characters: escaping its bytes gives what escaping
                // its text gives
                appendJsonString(toolCalls, QByteArrayView(compactJson(p.input)));
                toolCalls += ",\"name\":";
                appendString(toolCalls, names.map(p.name));
                toolCalls += "},\"id\":";
                appendString(toolCalls, p.id);
                toolCalls += ",\"type\":\"function\"}";
                break;
            default:
                break; // redacted reasoning and Anthropic-only blocks are dropped
            }
        }
        if (texts.isEmpty() && callIds.isEmpty())
            return;
        ChatMessage& msg = begin(ChatMessage::Role::Assistant);
        buffer += "{\"content\":";
        if (!texts.isEmpty())
            appendString(buffer, texts.join(QStringLiteral("\n\n")));
        else
            buffer += "null";
        if (profile.reasoningEcho && (!reasoning.isEmpty() || !callIds.isEmpty())) {
            buffer += ",\"reasoning_content\":";
            appendString(buffer, reasoning.join(QStringLiteral("\n\n")));
        }
        buffer += ",\"role\":\"assistant\"";
        if (!callIds.isEmpty()) {
            buffer += ",\"tool_calls\":[";
            buffer += toolCalls;
            buffer += ']';
        }
        buffer += '}';
        msg.callIds = std::move(callIds);
        finish();
    }

    void addMidConversationSystem(const canon::Message& m)
    {
        QStringList texts;
        for (const Part& p : m.parts) {
            if (p.kind == PartKind::Text && !isBlank(p.text))
                texts.append(p.text);
        }
        if (!texts.isEmpty())
            addSystemMessage(texts);
    }

    // P4: every tool call answered right after its assistant message; tool messages only as such answers. Appends
    // the messages array to `out`.
    void appendRepaired(QByteArray& out) const
    {
        out += '[';
        bool first = true;
        auto append = [&](const ChatMessage& m) {
            if (!first)
                out += ',';
            first = false;
            out += QByteArrayView(buffer).sliced(m.begin, m.end - m.begin);
        };
        const qsizetype n = messages.size();
        for (qsizetype i = 0; i < n; ++i) {
            const ChatMessage& m = messages.at(i);
            if (m.role == ChatMessage::Role::Tool)
                continue; // not directly after an assistant message with tool calls: orphan
            append(m);
            if (m.role != ChatMessage::Role::Assistant || m.callIds.isEmpty())
                continue;
            const QStringList& ids = m.callIds;
            QSet<QString> answered;
            qsizetype j = i + 1;
            for (; j < n && messages.at(j).role == ChatMessage::Role::Tool; ++j) {
                const QString& id = messages.at(j).toolCallId;
                if (ids.contains(id) && !answered.contains(id)) {
                    answered.insert(id);
                    append(messages.at(j));
                }
            }
            for (const QString& id : ids) {
                if (!answered.contains(id)) {
                    if (!first)
                        out += ',';
                    first = false;
                    out += "{\"content\":";
                    appendString(out, QString(InterruptedToolResult));
                    out += ",\"role\":\"tool\",\"tool_call_id\":";
                    appendString(out, id);
                    out += '}';
                }
            }
            i = j - 1;
        }
        out += ']';
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
    Encoder enc {req, profile, ToolNameMapper(ctx), {}, {}};

    // Tools first, so names declared by the client get their mapping before history names are seen.
    QByteArray tools;
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
        tools += tools.isEmpty() ? "[" : ",";
        tools += "{\"function\":{";
        if (!t.description.isEmpty()) {
            tools += "\"description\":";
            appendString(tools, t.description);
            tools += ',';
        }
        tools += "\"name\":";
        appendString(tools, name);
        tools += ",\"parameters\":";
        appendSanitizedSchema(tools, t.inputSchema);
        tools += "},\"type\":\"function\"}";
    }
    if (!tools.isEmpty())
        tools += ']';

    enc.buffer.reserve(4096);
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

    // The members in QJsonObject's key order.
    QByteArray body;
    body.reserve(enc.buffer.size() + tools.size() + 1024);
    const ThinkingMembers thinking = encodeThinking(req.thinking, profile);
    body += '{';
    if (thinking.enableThinking)
        body += *thinking.enableThinking ? "\"enable_thinking\":true," : "\"enable_thinking\":false,";
    const int maxTokens = clampMaxTokens(req, profile);
    if (maxTokens > 0) {
        body += profile.useMaxCompletionTokens ? "\"max_completion_tokens\":" : "\"max_tokens\":";
        body += QByteArray::number(maxTokens);
        body += ',';
    }
    body += "\"messages\":";
    enc.appendRepaired(body);
    body += ",\"model\":";
    appendString(body, ctx.upstreamModel.isEmpty() ? req.model : ctx.upstreamModel);
    if (!tools.isEmpty() && req.toolChoice.disableParallel)
        body += ",\"parallel_tool_calls\":false";
    if (thinking.reasoningMaxTokens > 0) {
        body += ",\"reasoning\":{\"max_tokens\":";
        body += QByteArray::number(thinking.reasoningMaxTokens);
        body += '}';
    } else if (!thinking.reasoningEffort.isEmpty()) {
        body += ",\"reasoning\":{\"effort\":";
        appendString(body, thinking.reasoningEffort);
        body += '}';
    }
    if (!thinking.effort.isEmpty()) {
        body += ",\"reasoning_effort\":";
        appendString(body, thinking.effort);
    }
    if (!req.outputSchema.isEmpty()) {
        body += ",\"response_format\":{\"json_schema\":{\"name\":\"output\",\"schema\":";
        appendCompactJson(body, req.outputSchema);
        body += ",\"strict\":false},\"type\":\"json_schema\"}";
    }
    if (!req.stopSequences.isEmpty()) {
        int count = 0;
        for (const QString& s : req.stopSequences) {
            if (s.isEmpty())
                continue;
            body += count == 0 ? ",\"stop\":[" : ",";
            appendString(body, s);
            if (++count == MaxStopSequences)
                break;
        }
        if (count > 0)
            body += ']';
    }
    if (req.stream) {
        body += ",\"stream\":true";
        if (profile.sendStreamOptions)
            body += ",\"stream_options\":{\"include_usage\":true}";
    }
    if (req.temperature) {
        body += ",\"temperature\":";
        appendCompactJson(body, QJsonValue(*req.temperature));
    }
    if (!thinking.thinkingType.isEmpty()) {
        body += ",\"thinking\":{\"type\":";
        appendString(body, thinking.thinkingType);
        body += '}';
    }
    if (!tools.isEmpty()) {
        switch (req.toolChoice.mode) {
        case canon::ToolChoice::Mode::Auto:
            body += ",\"tool_choice\":\"auto\"";
            break;
        case canon::ToolChoice::Mode::Any:
            body += ",\"tool_choice\":\"required\"";
            break;
        case canon::ToolChoice::Mode::Tool:
            if (functionNames.contains(req.toolChoice.name)) {
                body += ",\"tool_choice\":{\"function\":{\"name\":";
                appendString(body, enc.names.map(req.toolChoice.name));
                body += "},\"type\":\"function\"}";
            } else {
                body += ",\"tool_choice\":\"required\"";
            }
            break;
        case canon::ToolChoice::Mode::None:
            body += ",\"tool_choice\":\"none\"";
            break;
        case canon::ToolChoice::Mode::Unset:
            break;
        }
        body += ",\"tools\":";
        body += tools;
    }
    if (req.topP) {
        body += ",\"top_p\":";
        appendCompactJson(body, QJsonValue(*req.topP));
    }
    if (!req.userId.isEmpty()) {
        body += ",\"user\":\""; // 64 hex characters
        body += QCryptographicHash::hash(req.userId.toUtf8(), QCryptographicHash::Sha256).toHex();
        body += '"';
    }
    body += '}';
    return body;
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
