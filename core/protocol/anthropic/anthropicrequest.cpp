#include "anthropicrequest.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "protocol/signature.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sy::anthropic {

using canon::Part;
using canon::PartKind;

namespace {

canon::Error invalid(const QString& message)
{
    return canon::Error::make(400, canon::ErrorType::InvalidRequest, message);
}

bool isBlank(const QString& s)
{
    for (QChar c : s) {
        if (!c.isSpace())
            return false;
    }
    return true;
}

// The decoder is written once over a JSON value type V with QJsonValue's reading API, and runs over TapeValue (the
// fast route: no Qt containers but for tool schemas, tool inputs and opaque blocks) or QJsonValue (the route for
// documents the tape does not take, and for decodeContentBlock's callers). A few helpers bridge the two.

inline QJsonValue member(const QJsonValue& v, QLatin1StringView key)
{
    return v.toObject().value(key);
}

inline json::TapeValue member(const json::TapeValue& v, QLatin1StringView key)
{
    return v.value(key);
}

inline bool hasMember(const QJsonValue& v, QLatin1StringView key)
{
    return v.toObject().contains(key);
}

inline bool hasMember(const json::TapeValue& v, QLatin1StringView key)
{
    return v.contains(key);
}

// A string equal to `s` (s non-empty).
inline bool isText(const QJsonValue& v, QLatin1StringView s)
{
    return v.isString() && v.toString() == s;
}

inline bool isText(const json::TapeValue& v, QLatin1StringView s)
{
    return v.equals(s);
}

// The elements of an array (none for anything else).
inline QJsonArray elements(const QJsonValue& v)
{
    return v.toArray();
}

inline json::TapeValue elements(const json::TapeValue& v)
{
    return v;
}

inline QJsonObject jsonObject(const QJsonValue& v)
{
    return v.toObject();
}

inline QJsonObject jsonObject(const json::TapeValue& v)
{
    return v.toJsonObject();
}

// An array without elements (or not an array).
inline bool isEmptyArray(const QJsonValue& v)
{
    return v.toArray().isEmpty();
}

inline bool isEmptyArray(const json::TapeValue& v)
{
    return v.isEmpty();
}

// An object with at least one member.
inline bool isNonEmptyObject(const QJsonValue& v)
{
    return !v.toObject().isEmpty();
}

inline bool isNonEmptyObject(const json::TapeValue& v)
{
    return v.isObject() && !v.isEmpty();
}

template<typename V> QList<Part> decodeTextBlocks(const V& v, const QString& path, bool* ok, QString* error)
{
    QList<Part> out;
    if (v.isString()) {
        QString t = v.toString();
        if (!isBlank(t))
            out.append(Part::makeText(t));
        return out;
    }
    if (!v.isArray()) {
        *ok = false;
        *error = path + QStringLiteral(": expected a string or a list of text blocks");
        return out;
    }
    int i = 0;
    for (const auto& b : elements(v)) {
        if (!isText(member(b, QLatin1String("type")), QLatin1String("text"))) {
            *ok = false;
            *error = path + QStringLiteral(".%1: expected a text block").arg(i);
            return out;
        }
        QString t = member(b, QLatin1String("text")).toString();
        if (!isBlank(t))
            out.append(Part::makeText(t));
        ++i;
    }
    return out;
}

template<typename V> Part decodeSource(const V& src, PartKind kind)
{
    Part p;
    p.kind = kind;
    const auto type = member(src, QLatin1String("type"));
    p.mediaType = member(src, QLatin1String("media_type")).toString();
    if (isText(type, QLatin1String("base64"))) {
        p.data = member(src, QLatin1String("data")).toString();
    } else if (isText(type, QLatin1String("url"))) {
        p.url = member(src, QLatin1String("url")).toString();
    } else if (isText(type, QLatin1String("text"))) {
        p.text = member(src, QLatin1String("data")).toString();
        if (p.mediaType.isEmpty())
            p.mediaType = QStringLiteral("text/plain");
    } else if (isText(type, QLatin1String("content"))) {
        const auto c = member(src, QLatin1String("content"));
        if (c.isString()) {
            p.text = c.toString();
        } else {
            QStringList texts;
            for (const auto& b : elements(c)) {
                if (isText(member(b, QLatin1String("type")), QLatin1String("text")))
                    texts.append(member(b, QLatin1String("text")).toString());
            }
            p.text = texts.join(QLatin1Char('\n'));
        }
        p.mediaType = QStringLiteral("text/plain");
    }
    return p;
}

template<typename V> Part decodeBlock(const V& b, bool* ok, QString* error)
{
    Part p;
    const auto type = member(b, QLatin1String("type"));
    if (isText(type, QLatin1String("text"))) {
        p.text = member(b, QLatin1String("text")).toString();
    } else if (isText(type, QLatin1String("image"))) {
        p = decodeSource(member(b, QLatin1String("source")), PartKind::Image);
        if (p.data.isEmpty() && p.url.isEmpty()) {
            *ok = false;
            *error = QStringLiteral("image block needs a base64 or url source");
        }
    } else if (isText(type, QLatin1String("document"))) {
        p = decodeSource(member(b, QLatin1String("source")), PartKind::Document);
        p.title = member(b, QLatin1String("title")).toString();
    } else if (isText(type, QLatin1String("search_result"))) {
        QStringList texts;
        const QString title = member(b, QLatin1String("title")).toString();
        if (!title.isEmpty())
            texts.append(title);
        for (const auto& c : elements(member(b, QLatin1String("content"))))
            texts.append(member(c, QLatin1String("text")).toString());
        const QString source = member(b, QLatin1String("source")).toString();
        if (!source.isEmpty())
            texts.append(QStringLiteral("Source: ") + source);
        p.text = texts.join(QLatin1Char('\n'));
    } else if (isText(type, QLatin1String("tool_use"))) {
        p.kind = PartKind::ToolCall;
        p.id = member(b, QLatin1String("id")).toString();
        p.name = member(b, QLatin1String("name")).toString();
        p.input = jsonObject(member(b, QLatin1String("input")));
        if (p.id.isEmpty() || p.name.isEmpty()) {
            *ok = false;
            *error = QStringLiteral("tool_use block needs \"id\" and \"name\"");
        }
    } else if (isText(type, QLatin1String("tool_result"))) {
        p.kind = PartKind::ToolResult;
        p.toolCallId = member(b, QLatin1String("tool_use_id")).toString();
        p.isError = member(b, QLatin1String("is_error")).toBool();
        const auto c = member(b, QLatin1String("content"));
        if (c.isString()) {
            QString t = c.toString();
            if (!t.isEmpty())
                p.content.append(Part::makeText(t));
        } else if (c.isArray()) {
            for (const auto& inner : elements(c)) {
                // like decodeContentBlock(inner.toObject()): a non-object element is an empty block
                Part ip = decodeBlock(inner.isObject() ? V(inner) : V(), ok, error);
                if (ip.kind == PartKind::Text && ip.text.isEmpty())
                    continue;
                p.content.append(ip);
            }
        }
        if (p.toolCallId.isEmpty()) {
            *ok = false;
            *error = QStringLiteral("tool_result block needs \"tool_use_id\"");
        }
    } else if (isText(type, QLatin1String("thinking"))) {
        p.kind = PartKind::Reasoning;
        p.text = member(b, QLatin1String("thinking")).toString();
        p.signature = member(b, QLatin1String("signature")).toString();
    } else if (isText(type, QLatin1String("redacted_thinking"))) {
        p.kind = PartKind::RedactedReasoning;
        p.data = member(b, QLatin1String("data")).toString();
    } else {
        // server_tool_use, web_search_tool_result, container_upload, ...: Anthropic-only, kept verbatim.
        p.kind = PartKind::Opaque;
        p.raw = jsonObject(b);
        p.raw.remove(QLatin1String("cache_control"));
    }
    return p;
}

template<typename V> Result<canon::Request, canon::Error> decodeRoot(const V& o, RequestKind kind)
{
    using R = Result<canon::Request, canon::Error>;
    canon::Request req;

    const auto model = member(o, QLatin1String("model"));
    if (!model.isString())
        return R::failure(invalid(QStringLiteral("model: Field required (a non-empty string)")));
    req.model = model.toString();
    if (req.model.isEmpty())
        return R::failure(invalid(QStringLiteral("model: Field required (a non-empty string)")));

    if (kind == RequestKind::Messages) {
        const auto mt = member(o, QLatin1String("max_tokens"));
        if (mt.isUndefined())
            return R::failure(invalid(QStringLiteral("max_tokens: Field required")));
        if (!mt.isDouble() || mt.toDouble() < 0 || mt.toDouble() != double(qint64(mt.toDouble())))
            return R::failure(invalid(QStringLiteral("max_tokens: must be a non-negative integer")));
        req.maxTokens = int(std::min<double>(mt.toDouble(), 1e9));
    }

    const auto messages = member(o, QLatin1String("messages"));
    if (!messages.isArray())
        return R::failure(invalid(QStringLiteral("messages: Field required (a list of messages)")));
    if (isEmptyArray(messages))
        return R::failure(invalid(QStringLiteral("messages: at least one message is required")));

    bool ok = true;
    QString error;
    if (hasMember(o, QLatin1String("system"))) {
        req.system = decodeTextBlocks(member(o, QLatin1String("system")), QStringLiteral("system"), &ok, &error);
        if (!ok)
            return R::failure(invalid(error));
    }

    int i = 0;
    for (const auto& mv : elements(messages)) {
        auto path = [i] { return QStringLiteral("messages.%1").arg(i); };
        ++i;
        if (!mv.isObject())
            return R::failure(invalid(path() + QStringLiteral(": a message must be an object")));
        const auto role = member(mv, QLatin1String("role"));
        canon::Message msg;
        if (isText(role, QLatin1String("user")))
            msg.role = canon::Role::User;
        else if (isText(role, QLatin1String("assistant")))
            msg.role = canon::Role::Assistant;
        else if (isText(role, QLatin1String("system")))
            msg.role = canon::Role::System;
        else
            return R::failure(invalid(path() + QStringLiteral(".role: must be \"user\" or \"assistant\"")));
        const auto content = member(mv, QLatin1String("content"));
        if (content.isString()) {
            QString t = content.toString();
            if (!isBlank(t))
                msg.parts.append(Part::makeText(t));
        } else if (content.isArray()) {
            QList<Part> midSystem;
            int j = 0;
            for (const auto& bv : elements(content)) {
                // like .toObject(): a block that is not an object reads as an empty one
                const V b = bv.isObject() ? V(bv) : V();
                if (isText(member(b, QLatin1String("type")), QLatin1String("mid_conv_system"))) {
                    midSystem += decodeTextBlocks(member(b, QLatin1String("content")), path(), &ok, &error);
                    ++j;
                    continue;
                }
                Part p = decodeBlock(b, &ok, &error);
                if (!ok)
                    return R::failure(invalid(QStringLiteral("%1.content.%2: %3").arg(path()).arg(j).arg(error)));
                ++j;
                if (p.kind == PartKind::Text && isBlank(p.text))
                    continue; // empty text blocks are rejected upstream and carry nothing
                msg.parts.append(p);
            }
            if (!midSystem.isEmpty())
                req.messages.append(canon::Message {canon::Role::System, midSystem});
        } else {
            return R::failure(
                invalid(path() + QStringLiteral(".content: Field required (a string or a list of blocks)")));
        }
        if (msg.parts.isEmpty())
            continue;
        req.messages.append(msg);
    }

    for (const auto& tv : elements(member(o, QLatin1String("tools")))) {
        const V t = tv.isObject() ? V(tv) : V();
        canon::Tool tool;
        tool.name = member(t, QLatin1String("name")).toString();
        const QString type = member(t, QLatin1String("type")).toString();
        if (!type.isEmpty() && type != QLatin1String("custom")) {
            tool.builtinType = type;
            tool.raw = jsonObject(t);
        } else {
            tool.description = member(t, QLatin1String("description")).toString();
            tool.inputSchema = jsonObject(member(t, QLatin1String("input_schema")));
        }
        if (tool.name.isEmpty())
            return R::failure(invalid(QStringLiteral("tools: every tool needs a \"name\"")));
        req.tools.append(tool);
    }

    const auto tc = member(o, QLatin1String("tool_choice"));
    if (isNonEmptyObject(tc)) {
        const auto t = member(tc, QLatin1String("type"));
        using M = canon::ToolChoice::Mode;
        req.toolChoice.mode = isText(t, QLatin1String("any")) ? M::Any
            : isText(t, QLatin1String("tool"))                ? M::Tool
            : isText(t, QLatin1String("none"))                ? M::None
                                                              : M::Auto;
        req.toolChoice.name = member(tc, QLatin1String("name")).toString();
        req.toolChoice.disableParallel = member(tc, QLatin1String("disable_parallel_tool_use")).toBool();
    }

    const auto temperature = member(o, QLatin1String("temperature"));
    if (temperature.isDouble())
        req.temperature = temperature.toDouble();
    const auto topP = member(o, QLatin1String("top_p"));
    if (topP.isDouble())
        req.topP = topP.toDouble();
    const auto topK = member(o, QLatin1String("top_k"));
    if (topK.isDouble())
        req.topK = topK.toInt();
    for (const auto& s : elements(member(o, QLatin1String("stop_sequences")))) {
        if (s.isString()) {
            QString t = s.toString();
            if (!t.isEmpty())
                req.stopSequences.append(t);
        }
    }
    req.stream = member(o, QLatin1String("stream")).toBool();

    const auto thType = member(member(o, QLatin1String("thinking")), QLatin1String("type"));
    if (isText(thType, QLatin1String("enabled"))) {
        req.thinking.mode = canon::Thinking::Mode::Enabled;
        req.thinking.budgetTokens
            = member(member(o, QLatin1String("thinking")), QLatin1String("budget_tokens")).toInt();
    } else if (isText(thType, QLatin1String("adaptive"))) {
        req.thinking.mode = canon::Thinking::Mode::Adaptive;
    } else if (isText(thType, QLatin1String("disabled"))) {
        req.thinking.mode = canon::Thinking::Mode::Disabled;
    }
    const auto oc = member(o, QLatin1String("output_config"));
    req.thinking.effort = member(oc, QLatin1String("effort")).toString();
    const auto format = member(oc, QLatin1String("format"));
    if (isText(member(format, QLatin1String("type")), QLatin1String("json_schema")))
        req.outputSchema = jsonObject(member(format, QLatin1String("schema")));

    const auto uid = member(member(o, QLatin1String("metadata")), QLatin1String("user_id"));
    if (uid.isString())
        req.userId = uid.toString();
    return req;
}

} // namespace

Part decodeContentBlock(const QJsonObject& b, bool* ok, QString* error)
{
    return decodeBlock(QJsonValue(b), ok, error);
}

Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, RequestKind kind)
{
    json::TapeDocument doc;
    if (doc.parse(body) && doc.root().isObject())
        return decodeRoot(doc.root(), kind);
    return decodeRequestViaQJson(body, kind); // invalid JSON (its error message), not an object, or rare escapes
}

Result<canon::Request, canon::Error> decodeRequestViaQJson(const QByteArray& body, RequestKind kind)
{
    using R = Result<canon::Request, canon::Error>;
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(body, &perr);
    if (perr.error != QJsonParseError::NoError)
        return R::failure(invalid(QStringLiteral("the request body is not valid JSON: %1 at offset %2")
                                      .arg(perr.errorString())
                                      .arg(perr.offset)));
    if (!doc.isObject())
        return R::failure(invalid(QStringLiteral("the request body must be a JSON object")));
    return decodeRoot(QJsonValue(doc.object()), kind);
}

QJsonObject encodePart(const Part& p)
{
    QJsonObject b;
    auto source = [&p]() {
        QJsonObject s;
        if (!p.url.isEmpty()) {
            s.insert(QLatin1String("type"), QStringLiteral("url"));
            s.insert(QLatin1String("url"), p.url);
        } else if (p.kind == PartKind::Document && p.data.isEmpty()) {
            s.insert(QLatin1String("type"), QStringLiteral("text"));
            s.insert(QLatin1String("media_type"), p.mediaType.isEmpty() ? QStringLiteral("text/plain") : p.mediaType);
            s.insert(QLatin1String("data"), p.text);
        } else {
            s.insert(QLatin1String("type"), QStringLiteral("base64"));
            s.insert(QLatin1String("media_type"), p.mediaType);
            s.insert(QLatin1String("data"), p.data);
        }
        return s;
    };
    switch (p.kind) {
    case PartKind::Text:
        b.insert(QLatin1String("type"), QStringLiteral("text"));
        b.insert(QLatin1String("text"), p.text);
        break;
    case PartKind::Image:
        b.insert(QLatin1String("type"), QStringLiteral("image"));
        b.insert(QLatin1String("source"), source());
        break;
    case PartKind::Document:
        b.insert(QLatin1String("type"), QStringLiteral("document"));
        b.insert(QLatin1String("source"), source());
        if (!p.title.isEmpty())
            b.insert(QLatin1String("title"), p.title);
        break;
    case PartKind::ToolCall:
        b.insert(QLatin1String("type"), QStringLiteral("tool_use"));
        b.insert(QLatin1String("id"), p.id);
        b.insert(QLatin1String("name"), p.name);
        b.insert(QLatin1String("input"), p.input);
        break;
    case PartKind::ToolResult: {
        b.insert(QLatin1String("type"), QStringLiteral("tool_result"));
        b.insert(QLatin1String("tool_use_id"), p.toolCallId);
        QJsonArray content;
        for (const Part& c : p.content)
            content.append(encodePart(c));
        b.insert(QLatin1String("content"), content);
        if (p.isError)
            b.insert(QLatin1String("is_error"), true);
        break;
    }
    case PartKind::Reasoning:
        b.insert(QLatin1String("type"), QStringLiteral("thinking"));
        b.insert(QLatin1String("thinking"), p.text);
        b.insert(QLatin1String("signature"), p.signature);
        break;
    case PartKind::RedactedReasoning:
        b.insert(QLatin1String("type"), QStringLiteral("redacted_thinking"));
        b.insert(QLatin1String("data"), p.data);
        break;
    case PartKind::Opaque:
        b = p.raw;
        break;
    }
    return b;
}

QByteArray encodeRequest(const canon::Request& r, const EncodeOptions& options)
{
    QJsonObject o;
    o.insert(QLatin1String("model"), r.model);
    if (r.maxTokens > 0)
        o.insert(QLatin1String("max_tokens"), r.maxTokens);
    if (!r.system.isEmpty()) {
        QJsonArray sys;
        for (const Part& p : r.system)
            sys.append(encodePart(p));
        o.insert(QLatin1String("system"), sys);
    }
    auto keepPart = [&options](const Part& p) {
        if (!options.forAnthropicUpstream)
            return true;
        if (p.kind == PartKind::Reasoning)
            return canon::signatureOrigin(p.signature) == canon::SignatureOrigin::Anthropic;
        return true;
    };
    QJsonArray messages;
    for (const canon::Message& m : r.messages) {
        QJsonArray content;
        for (const Part& p : m.parts) {
            if (keepPart(p))
                content.append(encodePart(p));
        }
        if (content.isEmpty())
            continue;
        QJsonObject mo;
        mo.insert(QLatin1String("role"),
            m.role == canon::Role::Assistant    ? QStringLiteral("assistant")
                : m.role == canon::Role::System ? QStringLiteral("system")
                                                : QStringLiteral("user"));
        mo.insert(QLatin1String("content"), content);
        messages.append(mo);
    }
    o.insert(QLatin1String("messages"), messages);
    if (!r.tools.isEmpty()) {
        QJsonArray tools;
        for (const canon::Tool& t : r.tools) {
            if (!t.builtinType.isEmpty()) {
                tools.append(t.raw);
                continue;
            }
            QJsonObject to;
            to.insert(QLatin1String("name"), t.name);
            if (!t.description.isEmpty())
                to.insert(QLatin1String("description"), t.description);
            to.insert(QLatin1String("input_schema"), t.inputSchema);
            tools.append(to);
        }
        o.insert(QLatin1String("tools"), tools);
    }
    using M = canon::ToolChoice::Mode;
    if (r.toolChoice.mode != M::Unset) {
        QJsonObject tc;
        tc.insert(QLatin1String("type"),
            r.toolChoice.mode == M::Any        ? QStringLiteral("any")
                : r.toolChoice.mode == M::Tool ? QStringLiteral("tool")
                : r.toolChoice.mode == M::None ? QStringLiteral("none")
                                               : QStringLiteral("auto"));
        if (r.toolChoice.mode == M::Tool)
            tc.insert(QLatin1String("name"), r.toolChoice.name);
        if (r.toolChoice.disableParallel && r.toolChoice.mode != M::None)
            tc.insert(QLatin1String("disable_parallel_tool_use"), true);
        o.insert(QLatin1String("tool_choice"), tc);
    }
    if (r.temperature)
        o.insert(QLatin1String("temperature"), *r.temperature);
    if (r.topP)
        o.insert(QLatin1String("top_p"), *r.topP);
    if (r.topK)
        o.insert(QLatin1String("top_k"), *r.topK);
    if (!r.stopSequences.isEmpty())
        o.insert(QLatin1String("stop_sequences"), QJsonArray::fromStringList(r.stopSequences));
    if (r.stream)
        o.insert(QLatin1String("stream"), true);
    using T = canon::Thinking::Mode;
    if (r.thinking.mode != T::Unset) {
        QJsonObject th;
        th.insert(QLatin1String("type"),
            r.thinking.mode == T::Enabled        ? QStringLiteral("enabled")
                : r.thinking.mode == T::Adaptive ? QStringLiteral("adaptive")
                                                 : QStringLiteral("disabled"));
        if (r.thinking.mode == T::Enabled)
            th.insert(QLatin1String("budget_tokens"), r.thinking.budgetTokens);
        o.insert(QLatin1String("thinking"), th);
    }
    QJsonObject oc;
    if (!r.thinking.effort.isEmpty())
        oc.insert(QLatin1String("effort"), r.thinking.effort);
    if (!r.outputSchema.isEmpty())
        oc.insert(QLatin1String("format"),
            QJsonObject {
                {QLatin1String("type"), QStringLiteral("json_schema")}, {QLatin1String("schema"), r.outputSchema}});
    if (!oc.isEmpty())
        o.insert(QLatin1String("output_config"), oc);
    if (!r.userId.isEmpty())
        o.insert(QLatin1String("metadata"), QJsonObject {{QLatin1String("user_id"), r.userId}});
    return compactJson(o);
}

} // namespace sy::anthropic
