#include "responsesrequest.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "responsescommon.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace sy::responses {

namespace {

constexpr QLatin1StringView BillingHeaderPrefix("x-anthropic-billing-header:");
constexpr QLatin1StringView InterruptedToolResult("(tool call was interrupted; no result)");
constexpr QLatin1StringView EmptyToolResult("(no output)");
constexpr QLatin1StringView ErrorPrefix("Error: ");
constexpr int MinOutputTokens = 16; // the smallest max_output_tokens the Responses API accepts

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

// Client tool names -> names the upstream accepts, unique, with the reverse mapping recorded in ctx.
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
    QHash<QString, QString> m_toUpstream;
    QHash<QString, QString> m_toClient;
};

QJsonObject typed(QLatin1StringView type, QLatin1StringView key, const QJsonValue& value)
{
    return QJsonObject {{QStringLiteral("type"), QString(type)}, {QString(key), value}};
}

QJsonObject inputText(const QString& text)
{
    return typed(QLatin1StringView("input_text"), QLatin1StringView("text"), text);
}

QJsonObject inputImage(const Part& p)
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
    return QJsonObject {{QStringLiteral("type"), QStringLiteral("input_image")}, {QStringLiteral("image_url"), url},
        {QStringLiteral("detail"), QStringLiteral("auto")}};
}

// A document as an input part (empty object: nothing to send).
QJsonObject inputDocument(const Part& p)
{
    if (!p.text.isEmpty())
        return inputText(p.title.isEmpty() ? p.text : QString(p.title + QStringLiteral("\n\n") + p.text));
    if (!p.data.isEmpty()) {
        const QString mime = p.mediaType.isEmpty() ? QStringLiteral("application/pdf") : p.mediaType;
        if (mime.startsWith(QLatin1String("text/"))) {
            const QString decoded = QString::fromUtf8(QByteArray::fromBase64(p.data.toLatin1()));
            return decoded.isEmpty() ? QJsonObject() : inputText(decoded);
        }
        const QString filename = p.title.isEmpty() ? QStringLiteral("document.pdf") : p.title;
        return QJsonObject {{QStringLiteral("type"), QStringLiteral("input_file")},
            {QStringLiteral("filename"), filename},
            {QStringLiteral("file_data"),
                QString(QStringLiteral("data:") + mime + QStringLiteral(";base64,") + p.data)}};
    }
    if (!p.url.isEmpty())
        return QJsonObject {
            {QStringLiteral("type"), QStringLiteral("input_file")}, {QStringLiteral("file_url"), p.url}};
    return {};
}

// The `output` of a function_call_output: a string, or a list when the result carries images or files.
QJsonValue toolOutput(const Part& result)
{
    QStringList texts;
    QJsonArray media;
    for (const Part& c : result.content) {
        switch (c.kind) {
        case PartKind::Text:
            if (!c.text.isEmpty())
                texts.append(c.text);
            break;
        case PartKind::Image: {
            const QJsonObject img = inputImage(c);
            if (!img.isEmpty())
                media.append(img);
            break;
        }
        case PartKind::Document: {
            const QJsonObject doc = inputDocument(c);
            if (doc.value(QLatin1StringView("type")).toString() == u"input_text")
                texts.append(doc.value(QLatin1StringView("text")).toString());
            else if (!doc.isEmpty())
                media.append(doc);
            break;
        }
        default:
            break;
        }
    }
    QString text = texts.join(QLatin1Char('\n'));
    if (media.isEmpty()) {
        if (text.isEmpty())
            text = EmptyToolResult;
        return result.isError ? QString(ErrorPrefix + text) : text;
    }
    QJsonArray out;
    if (result.isError)
        text = ErrorPrefix + text;
    if (!text.isEmpty())
        out.append(inputText(text));
    for (const QJsonValue& m : std::as_const(media))
        out.append(m);
    return out;
}

QJsonObject sanitizeSchema(const QJsonObject& schema)
{
    // Profile "openai-lenient" (§6.14): only the root is touched.
    QJsonObject out = schema;
    out.remove(QLatin1StringView("$schema"));
    if (out.value(QLatin1StringView("type")).toString() != u"object")
        out.insert(QLatin1StringView("type"), QStringLiteral("object"));
    if (!out.value(QLatin1StringView("properties")).isObject())
        out.insert(QLatin1StringView("properties"), QJsonObject());
    return out;
}

QString effortFor(const canon::Thinking& t, const ModelProfile& profile)
{
    const bool xhigh = profile.reasoningStyle.compare(QLatin1String("xhigh"), Qt::CaseInsensitive) == 0;
    if (!t.effort.isEmpty()) {
        const QString e = t.effort.toLower();
        if (e == u"low" || e == u"minimal")
            return QStringLiteral("low");
        if (e == u"medium")
            return QStringLiteral("medium");
        if ((e == u"xhigh" || e == u"max") && xhigh)
            return QStringLiteral("xhigh");
        return QStringLiteral("high");
    }
    if (t.mode == canon::Thinking::Mode::Enabled && t.budgetTokens > 0)
        return openaichat::reasoningEffortForBudget(t.budgetTokens);
    if (t.mode == canon::Thinking::Mode::Enabled)
        return QStringLiteral("medium");
    return QStringLiteral("high");
}

struct Encoder
{
    canon::TranslationContext& ctx;
    ToolNameMapper names;
    QJsonArray input;
    QStringList pending; // upstream call ids of the last assistant turn not answered yet, in order
    QSet<QString> calls; // every call id sent so far
    QSet<QString> answered;

    QString callId(const QString& clientId)
    {
        const QString id = upstreamCallId(clientId);
        recordCallId(ctx, id, clientId);
        return id;
    }

    void output(const QString& id, const QJsonValue& value)
    {
        input.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call_output")},
            {QStringLiteral("call_id"), id}, {QStringLiteral("output"), value}});
        answered.insert(id);
    }

    void answerPending()
    {
        for (const QString& id : std::as_const(pending))
            output(id, QString(InterruptedToolResult));
        pending.clear();
    }

    void addMessage(QLatin1StringView role, const QJsonArray& content)
    {
        if (content.isEmpty())
            return;
        input.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("message")}, {QStringLiteral("role"), role},
            {QStringLiteral("content"), content}});
    }

    void addSystem(const canon::Message& m)
    {
        QJsonArray content;
        for (const Part& p : m.parts) {
            if (p.kind == PartKind::Text && !isBlank(p.text))
                content.append(inputText(p.text));
        }
        addMessage(QLatin1StringView("developer"), content);
    }

    void addUser(const canon::Message& m)
    {
        QJsonArray content;
        for (const Part& p : m.parts) {
            switch (p.kind) {
            case PartKind::ToolResult: {
                const QString id = upstreamCallId(p.toolCallId);
                const qsizetype at = pending.indexOf(id);
                if (at < 0)
                    break; // no unanswered call with this id: the upstream would reject the output (P4)
                pending.removeAt(at);
                output(id, toolOutput(p));
                break;
            }
            case PartKind::Text:
                if (!isBlank(p.text))
                    content.append(inputText(p.text));
                break;
            case PartKind::Image: {
                const QJsonObject img = inputImage(p);
                if (!img.isEmpty())
                    content.append(img);
                break;
            }
            case PartKind::Document: {
                const QJsonObject doc = inputDocument(p);
                if (!doc.isEmpty())
                    content.append(doc);
                break;
            }
            default:
                break; // tool calls, reasoning and opaque blocks cannot appear in a user message
            }
        }
        answerPending();
        addMessage(QLatin1StringView("user"), content);
    }

    void addAssistant(const canon::Message& m)
    {
        answerPending();
        QJsonArray text;
        auto flushText = [&]() {
            addMessage(QLatin1StringView("assistant"), text);
            text = QJsonArray();
        };
        for (const Part& p : m.parts) {
            switch (p.kind) {
            case PartKind::Text:
                if (!isBlank(p.text))
                    text.append(typed(QLatin1StringView("output_text"), QLatin1StringView("text"), p.text));
                break;
            case PartKind::Reasoning: {
                const QString encrypted = encryptedContentFromSignature(p.signature);
                if (encrypted.isEmpty())
                    break; // not ours (or nothing to replay): drop (§6.13)
                flushText();
                input.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("reasoning")},
                    {QStringLiteral("summary"), QJsonArray()}, {QStringLiteral("encrypted_content"), encrypted}});
                break;
            }
            case PartKind::ToolCall: {
                flushText();
                QString id = callId(p.id);
                if (id.isEmpty() || calls.contains(id))
                    break; // a call id must be unique within the conversation
                calls.insert(id);
                pending.append(id);
                input.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call")},
                    {QStringLiteral("call_id"), id}, {QStringLiteral("name"), names.map(p.name)},
                    {QStringLiteral("arguments"), compactJsonText(p.input)}});
                break;
            }
            default:
                break; // redacted reasoning and Anthropic-only blocks are dropped
            }
        }
        flushText();
    }
};

} // namespace

QByteArray encodeRequest(const canon::Request& req, const ModelProfile& profile, canon::TranslationContext& ctx)
{
    Encoder enc {ctx, ToolNameMapper(ctx), {}, {}, {}, {}};

    // Tools first, so the names the client declared are mapped before names seen in the history.
    QJsonArray tools;
    QSet<QString> functionNames;
    for (const canon::Tool& t : req.tools) {
        if (t.builtinType.isEmpty())
            enc.names.reserveValid(t.name);
    }
    for (const canon::Tool& t : req.tools) {
        if (!t.builtinType.isEmpty())
            continue; // provider-executed Anthropic tools are not forwarded
        functionNames.insert(t.name);
        QJsonObject tool {{QStringLiteral("type"), QStringLiteral("function")},
            {QStringLiteral("name"), enc.names.map(t.name)},
            {QStringLiteral("parameters"), sanitizeSchema(t.inputSchema)}, {QStringLiteral("strict"), false}};
        if (!t.description.isEmpty())
            tool.insert(QLatin1StringView("description"), t.description);
        tools.append(tool);
    }

    QStringList system;
    for (const Part& p : req.system) {
        if (p.kind == PartKind::Text && !isBlank(p.text) && !p.text.startsWith(BillingHeaderPrefix))
            system.append(p.text);
    }
    for (const canon::Message& m : req.messages) {
        switch (m.role) {
        case canon::Role::System:
            enc.addSystem(m);
            break;
        case canon::Role::User:
            enc.addUser(m);
            break;
        case canon::Role::Assistant:
            enc.addAssistant(m);
            break;
        }
    }
    enc.answerPending();

    QJsonObject body;
    body.insert(QLatin1StringView("model"), ctx.upstreamModel.isEmpty() ? req.model : ctx.upstreamModel);
    if (!system.isEmpty())
        body.insert(QLatin1StringView("instructions"), system.join(QStringLiteral("\n\n")));
    body.insert(QLatin1StringView("input"), enc.input);
    body.insert(QLatin1StringView("store"), false);
    body.insert(QLatin1StringView("stream"), req.stream);

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
                        {QStringLiteral("name"), enc.names.map(req.toolChoice.name)}});
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
    if (maxTokens > 0)
        body.insert(QLatin1StringView("max_output_tokens"), std::max(maxTokens, MinOutputTokens));
    if (req.temperature)
        body.insert(QLatin1StringView("temperature"), *req.temperature);
    if (req.topP)
        body.insert(QLatin1StringView("top_p"), *req.topP);

    const bool thinking
        = req.thinking.mode == canon::Thinking::Mode::Enabled || req.thinking.mode == canon::Thinking::Mode::Adaptive;
    if (thinking && profile.reasoningStyle.compare(QLatin1String("none"), Qt::CaseInsensitive) != 0) {
        body.insert(QLatin1StringView("reasoning"),
            QJsonObject {{QStringLiteral("effort"), effortFor(req.thinking, profile)},
                {QStringLiteral("summary"), QStringLiteral("auto")}});
        body.insert(QLatin1StringView("include"), QJsonArray {QStringLiteral("reasoning.encrypted_content")});
    }
    if (!req.outputSchema.isEmpty()) {
        body.insert(QLatin1StringView("text"),
            QJsonObject {{QStringLiteral("format"),
                QJsonObject {{QStringLiteral("type"), QStringLiteral("json_schema")},
                    {QStringLiteral("name"), QStringLiteral("output")}, {QStringLiteral("schema"), req.outputSchema},
                    {QStringLiteral("strict"), false}}}});
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

// Text of a content value that is a string or a list of text parts (input_text, output_text, text, refusal).
QString contentText(const QJsonValue& content)
{
    if (content.isString())
        return content.toString();
    QStringList out;
    for (const QJsonValue& v : content.toArray()) {
        const QJsonObject o = v.toObject();
        const QString type = o.value(QLatin1StringView("type")).toString();
        if (type == u"input_text" || type == u"output_text" || type == u"text")
            out.append(o.value(QLatin1StringView("text")).toString());
        else if (type == u"refusal")
            out.append(o.value(QLatin1StringView("refusal")).toString());
    }
    return out.join(QString());
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

// One input part (input_text / input_image / input_file) -> canonical part; false if unusable.
bool inputPart(const QJsonObject& o, Part* out)
{
    const QString type = o.value(QLatin1StringView("type")).toString();
    Part p;
    if (type == u"input_text" || type == u"output_text" || type == u"text") {
        p.text = o.value(QLatin1StringView("text")).toString();
        if (p.text.isEmpty())
            return false;
    } else if (type == u"input_image") {
        const QJsonValue iu = o.value(QLatin1StringView("image_url"));
        const QString url = iu.isString() ? iu.toString() : iu.toObject().value(QLatin1StringView("url")).toString();
        if (url.isEmpty())
            return false;
        p.kind = PartKind::Image;
        if (!openaichat::parseDataUrl(url, &p.mediaType, &p.data))
            p.url = url;
    } else if (type == u"input_file") {
        p.kind = PartKind::Document;
        p.title = o.value(QLatin1StringView("filename")).toString();
        const QString data = o.value(QLatin1StringView("file_data")).toString();
        if (!data.isEmpty()) {
            if (!openaichat::parseDataUrl(data, &p.mediaType, &p.data)) {
                p.mediaType = QStringLiteral("application/pdf");
                p.data = data; // bare base64
            }
        } else {
            p.url = o.value(QLatin1StringView("file_url")).toString();
            if (p.url.isEmpty())
                return false; // file_id references cannot be resolved by a gateway
        }
    } else {
        return false;
    }
    *out = p;
    return true;
}

QList<Part> inputParts(const QJsonValue& content)
{
    QList<Part> parts;
    if (content.isString()) {
        if (!content.toString().isEmpty())
            parts.append(Part::makeText(content.toString()));
        return parts;
    }
    for (const QJsonValue& v : content.toArray()) {
        Part p;
        if (inputPart(v.toObject(), &p))
            parts.append(p);
    }
    return parts;
}

struct Decoder
{
    canon::Request& req;
    bool leading = true;
    bool lastUserFromTools = false; // the last message is a user message that so far holds only tool results

    canon::Message& assistant()
    {
        if (req.messages.isEmpty() || req.messages.last().role != canon::Role::Assistant) {
            canon::Message m;
            m.role = canon::Role::Assistant;
            req.messages.append(m);
        }
        lastUserFromTools = false;
        return req.messages.last();
    }

    void system(const QString& text)
    {
        if (text.isEmpty())
            return;
        if (leading) {
            req.system.append(Part::makeText(text));
            return;
        }
        canon::Message m;
        m.role = canon::Role::System;
        m.parts.append(Part::makeText(text));
        req.messages.append(m);
        lastUserFromTools = false;
    }

    void user(const QList<Part>& parts)
    {
        leading = false;
        if (parts.isEmpty())
            return;
        if (lastUserFromTools && !req.messages.isEmpty()) {
            req.messages.last().parts.append(parts);
        } else {
            canon::Message m;
            m.role = canon::Role::User;
            m.parts = parts;
            req.messages.append(m);
        }
        lastUserFromTools = false;
    }

    void toolResult(const Part& result)
    {
        leading = false;
        if (lastUserFromTools && !req.messages.isEmpty()) {
            req.messages.last().parts.append(result);
            return;
        }
        canon::Message m;
        m.role = canon::Role::User;
        m.parts.append(result);
        req.messages.append(m);
        lastUserFromTools = true;
    }

    void item(const QJsonObject& it)
    {
        QString type = it.value(QLatin1StringView("type")).toString();
        const QString role = it.value(QLatin1StringView("role")).toString();
        if (type.isEmpty() && !role.isEmpty())
            type = QStringLiteral("message");
        if (type == u"message") {
            const QJsonValue content = it.value(QLatin1StringView("content"));
            if (role == u"system" || role == u"developer") {
                system(contentText(content));
            } else if (role == u"assistant") {
                leading = false;
                const QString text = contentText(content);
                if (!text.isEmpty())
                    assistant().parts.append(Part::makeText(text));
            } else {
                user(inputParts(content));
            }
            return;
        }
        leading = false;
        if (type == u"function_call") {
            Part p;
            p.kind = PartKind::ToolCall;
            p.id = it.value(QLatin1StringView("call_id")).toString();
            if (p.id.isEmpty())
                p.id = it.value(QLatin1StringView("id")).toString();
            p.name = it.value(QLatin1StringView("name")).toString();
            const QJsonValue args = it.value(QLatin1StringView("arguments"));
            p.input = args.isObject() ? args.toObject() : json::parseObject(args.toString().toUtf8());
            assistant().parts.append(p);
        } else if (type == u"function_call_output") {
            Part r;
            r.kind = PartKind::ToolResult;
            r.toolCallId = it.value(QLatin1StringView("call_id")).toString();
            const QJsonValue output = it.value(QLatin1StringView("output"));
            r.content = inputParts(output);
            if (!r.content.isEmpty() && r.content.first().kind == PartKind::Text) {
                QString& t = r.content.first().text;
                if (t.startsWith(ErrorPrefix)) {
                    r.isError = true;
                    t = t.mid(ErrorPrefix.size());
                }
                if (t.isEmpty() || (r.content.size() == 1 && t == EmptyToolResult))
                    r.content.removeFirst();
            }
            toolResult(r);
        } else if (type == u"reasoning") {
            const QString encrypted = it.value(QLatin1StringView("encrypted_content")).toString();
            const QString text = reasoningItemText(it);
            if (encrypted.isEmpty() && text.isEmpty())
                return;
            Part p;
            p.kind = PartKind::Reasoning;
            p.text = text;
            p.signature = signatureFromClientEncryptedContent(encrypted);
            assistant().parts.append(p);
        }
        // item_reference, custom/local-shell/hosted tool items and their outputs, compaction: not representable.
    }
};

} // namespace

Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body)
{
    using R = Result<canon::Request, canon::Error>;
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(body, &perr);
    if (!doc.isObject())
        return R::failure(badRequest(QStringLiteral("request body is not a JSON object: ") + perr.errorString()));
    const QJsonObject o = doc.object();
    const QJsonValue inputValue = o.value(QLatin1StringView("input"));
    if (!inputValue.isArray() && !inputValue.isString())
        return R::failure(badRequest(QStringLiteral("input: expected a string or an array of items")));

    canon::Request req;
    req.model = o.value(QLatin1StringView("model")).toString();
    Decoder dec {req};
    dec.system(o.value(QLatin1StringView("instructions")).toString());
    if (inputValue.isString()) {
        dec.user(inputParts(inputValue));
    } else {
        for (const QJsonValue& v : inputValue.toArray())
            dec.item(v.toObject());
    }
    // Drop assistant messages left empty.
    for (qsizetype i = req.messages.size() - 1; i >= 0; --i) {
        if (req.messages.at(i).parts.isEmpty())
            req.messages.removeAt(i);
    }

    for (const QJsonValue& tv : o.value(QLatin1StringView("tools")).toArray()) {
        const QJsonObject t = tv.toObject();
        if (t.value(QLatin1StringView("type")).toString() != u"function")
            continue;
        canon::Tool tool;
        tool.name = t.value(QLatin1StringView("name")).toString();
        tool.description = t.value(QLatin1StringView("description")).toString();
        tool.inputSchema = t.value(QLatin1StringView("parameters")).toObject();
        if (!tool.name.isEmpty())
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
        const QJsonObject c = tc.toObject();
        if (c.value(QLatin1StringView("type")).toString() == u"function") {
            req.toolChoice.mode = canon::ToolChoice::Mode::Tool;
            req.toolChoice.name = c.value(QLatin1StringView("name")).toString();
        } else {
            req.toolChoice.mode = canon::ToolChoice::Mode::Auto; // allowed_tools / hosted-tool choices
        }
    }
    const QJsonValue parallel = o.value(QLatin1StringView("parallel_tool_calls"));
    if (parallel.isBool() && !parallel.toBool())
        req.toolChoice.disableParallel = true;

    const QJsonValue mot = o.value(QLatin1StringView("max_output_tokens"));
    if (mot.isDouble())
        req.maxTokens = mot.toInt();
    if (o.value(QLatin1StringView("temperature")).isDouble())
        req.temperature = o.value(QLatin1StringView("temperature")).toDouble();
    if (o.value(QLatin1StringView("top_p")).isDouble())
        req.topP = o.value(QLatin1StringView("top_p")).toDouble();
    req.stream = o.value(QLatin1StringView("stream")).toBool();

    const QString effort
        = o.value(QLatin1StringView("reasoning")).toObject().value(QLatin1StringView("effort")).toString().toLower();
    if (effort == u"none") {
        req.thinking.mode = canon::Thinking::Mode::Disabled;
    } else if (!effort.isEmpty()) {
        req.thinking.mode = canon::Thinking::Mode::Adaptive;
        req.thinking.effort = effort == u"minimal" ? QStringLiteral("low") : effort;
        req.thinking.budgetTokens = budgetForEffort(effort);
    }

    const QJsonObject format
        = o.value(QLatin1StringView("text")).toObject().value(QLatin1StringView("format")).toObject();
    if (format.value(QLatin1StringView("type")).toString() == u"json_schema")
        req.outputSchema = format.value(QLatin1StringView("schema")).toObject();
    req.userId = o.value(QLatin1StringView("user")).toString();
    if (req.userId.isEmpty())
        req.userId = o.value(QLatin1StringView("safety_identifier")).toString();
    return req;
}

} // namespace sy::responses
