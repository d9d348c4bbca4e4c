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

QList<Part> decodeTextBlocks(const QJsonValue& v, const QString& path, bool* ok, QString* error)
{
    QList<Part> out;
    if (v.isString()) {
        if (!isBlank(v.toString()))
            out.append(Part::makeText(v.toString()));
        return out;
    }
    if (!v.isArray()) {
        *ok = false;
        *error = path + QStringLiteral(": expected a string or a list of text blocks");
        return out;
    }
    const QJsonArray arr = v.toArray();
    for (int i = 0; i < arr.size(); ++i) {
        const QJsonObject b = arr.at(i).toObject();
        if (b.value(QLatin1String("type")).toString() != QLatin1String("text")) {
            *ok = false;
            *error = path + QStringLiteral(".%1: expected a text block").arg(i);
            return out;
        }
        const QString t = b.value(QLatin1String("text")).toString();
        if (!isBlank(t))
            out.append(Part::makeText(t));
    }
    return out;
}

Part decodeSource(const QJsonObject& src, PartKind kind)
{
    Part p;
    p.kind = kind;
    const QString type = src.value(QLatin1String("type")).toString();
    p.mediaType = src.value(QLatin1String("media_type")).toString();
    if (type == QLatin1String("base64")) {
        p.data = src.value(QLatin1String("data")).toString();
    } else if (type == QLatin1String("url")) {
        p.url = src.value(QLatin1String("url")).toString();
    } else if (type == QLatin1String("text")) {
        p.text = src.value(QLatin1String("data")).toString();
        if (p.mediaType.isEmpty())
            p.mediaType = QStringLiteral("text/plain");
    } else if (type == QLatin1String("content")) {
        const QJsonValue c = src.value(QLatin1String("content"));
        if (c.isString()) {
            p.text = c.toString();
        } else {
            QStringList texts;
            for (const QJsonValue& b : c.toArray()) {
                if (b.toObject().value(QLatin1String("type")).toString() == QLatin1String("text"))
                    texts.append(b.toObject().value(QLatin1String("text")).toString());
            }
            p.text = texts.join(QLatin1Char('\n'));
        }
        p.mediaType = QStringLiteral("text/plain");
    }
    return p;
}

} // namespace

Part decodeContentBlock(const QJsonObject& b, bool* ok, QString* error)
{
    Part p;
    const QString type = b.value(QLatin1String("type")).toString();
    if (type == QLatin1String("text")) {
        p.text = b.value(QLatin1String("text")).toString();
    } else if (type == QLatin1String("image")) {
        p = decodeSource(b.value(QLatin1String("source")).toObject(), PartKind::Image);
        if (p.data.isEmpty() && p.url.isEmpty()) {
            *ok = false;
            *error = QStringLiteral("image block needs a base64 or url source");
        }
    } else if (type == QLatin1String("document")) {
        p = decodeSource(b.value(QLatin1String("source")).toObject(), PartKind::Document);
        p.title = b.value(QLatin1String("title")).toString();
    } else if (type == QLatin1String("search_result")) {
        QStringList texts;
        const QString title = b.value(QLatin1String("title")).toString();
        if (!title.isEmpty())
            texts.append(title);
        for (const QJsonValue& c : b.value(QLatin1String("content")).toArray())
            texts.append(c.toObject().value(QLatin1String("text")).toString());
        const QString source = b.value(QLatin1String("source")).toString();
        if (!source.isEmpty())
            texts.append(QStringLiteral("Source: ") + source);
        p.text = texts.join(QLatin1Char('\n'));
    } else if (type == QLatin1String("tool_use")) {
        p.kind = PartKind::ToolCall;
        p.id = b.value(QLatin1String("id")).toString();
        p.name = b.value(QLatin1String("name")).toString();
        p.input = b.value(QLatin1String("input")).toObject();
        if (p.id.isEmpty() || p.name.isEmpty()) {
            *ok = false;
            *error = QStringLiteral("tool_use block needs \"id\" and \"name\"");
        }
    } else if (type == QLatin1String("tool_result")) {
        p.kind = PartKind::ToolResult;
        p.toolCallId = b.value(QLatin1String("tool_use_id")).toString();
        p.isError = b.value(QLatin1String("is_error")).toBool();
        const QJsonValue c = b.value(QLatin1String("content"));
        if (c.isString()) {
            if (!c.toString().isEmpty())
                p.content.append(Part::makeText(c.toString()));
        } else if (c.isArray()) {
            for (const QJsonValue& inner : c.toArray()) {
                Part ip = decodeContentBlock(inner.toObject(), ok, error);
                if (ip.kind == PartKind::Text && ip.text.isEmpty())
                    continue;
                p.content.append(ip);
            }
        }
        if (p.toolCallId.isEmpty()) {
            *ok = false;
            *error = QStringLiteral("tool_result block needs \"tool_use_id\"");
        }
    } else if (type == QLatin1String("thinking")) {
        p.kind = PartKind::Reasoning;
        p.text = b.value(QLatin1String("thinking")).toString();
        p.signature = b.value(QLatin1String("signature")).toString();
    } else if (type == QLatin1String("redacted_thinking")) {
        p.kind = PartKind::RedactedReasoning;
        p.data = b.value(QLatin1String("data")).toString();
    } else {
        // server_tool_use, web_search_tool_result, container_upload, ...: Anthropic-only, kept verbatim.
        p.kind = PartKind::Opaque;
        p.raw = b;
        p.raw.remove(QLatin1String("cache_control"));
    }
    return p;
}

Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, RequestKind kind)
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
    const QJsonObject o = doc.object();
    canon::Request req;

    const QJsonValue model = o.value(QLatin1String("model"));
    if (!model.isString() || model.toString().isEmpty())
        return R::failure(invalid(QStringLiteral("model: Field required (a non-empty string)")));
    req.model = model.toString();

    if (kind == RequestKind::Messages) {
        const QJsonValue mt = o.value(QLatin1String("max_tokens"));
        if (mt.isUndefined())
            return R::failure(invalid(QStringLiteral("max_tokens: Field required")));
        if (!mt.isDouble() || mt.toDouble() < 0 || mt.toDouble() != double(qint64(mt.toDouble())))
            return R::failure(invalid(QStringLiteral("max_tokens: must be a non-negative integer")));
        req.maxTokens = int(std::min<double>(mt.toDouble(), 1e9));
    }

    const QJsonValue messages = o.value(QLatin1String("messages"));
    if (!messages.isArray())
        return R::failure(invalid(QStringLiteral("messages: Field required (a list of messages)")));
    const QJsonArray marr = messages.toArray();
    if (marr.isEmpty())
        return R::failure(invalid(QStringLiteral("messages: at least one message is required")));

    bool ok = true;
    QString error;
    if (o.contains(QLatin1String("system"))) {
        req.system = decodeTextBlocks(o.value(QLatin1String("system")), QStringLiteral("system"), &ok, &error);
        if (!ok)
            return R::failure(invalid(error));
    }

    for (int i = 0; i < marr.size(); ++i) {
        const QString path = QStringLiteral("messages.%1").arg(i);
        if (!marr.at(i).isObject())
            return R::failure(invalid(path + QStringLiteral(": a message must be an object")));
        const QJsonObject m = marr.at(i).toObject();
        const QString role = m.value(QLatin1String("role")).toString();
        canon::Message msg;
        if (role == QLatin1String("user"))
            msg.role = canon::Role::User;
        else if (role == QLatin1String("assistant"))
            msg.role = canon::Role::Assistant;
        else if (role == QLatin1String("system"))
            msg.role = canon::Role::System;
        else
            return R::failure(invalid(path + QStringLiteral(".role: must be \"user\" or \"assistant\"")));
        const QJsonValue content = m.value(QLatin1String("content"));
        if (content.isString()) {
            if (!isBlank(content.toString()))
                msg.parts.append(Part::makeText(content.toString()));
        } else if (content.isArray()) {
            const QJsonArray blocks = content.toArray();
            QList<Part> midSystem;
            for (int j = 0; j < blocks.size(); ++j) {
                const QJsonObject b = blocks.at(j).toObject();
                if (b.value(QLatin1String("type")).toString() == QLatin1String("mid_conv_system")) {
                    midSystem += decodeTextBlocks(b.value(QLatin1String("content")), path, &ok, &error);
                    continue;
                }
                Part p = decodeContentBlock(b, &ok, &error);
                if (!ok)
                    return R::failure(invalid(QStringLiteral("%1.content.%2: %3").arg(path).arg(j).arg(error)));
                if (p.kind == PartKind::Text && isBlank(p.text))
                    continue; // empty text blocks are rejected upstream and carry nothing
                msg.parts.append(p);
            }
            if (!midSystem.isEmpty())
                req.messages.append(canon::Message {canon::Role::System, midSystem});
        } else {
            return R::failure(
                invalid(path + QStringLiteral(".content: Field required (a string or a list of blocks)")));
        }
        if (msg.parts.isEmpty())
            continue;
        req.messages.append(msg);
    }

    for (const QJsonValue& tv : o.value(QLatin1String("tools")).toArray()) {
        const QJsonObject t = tv.toObject();
        canon::Tool tool;
        tool.name = t.value(QLatin1String("name")).toString();
        const QString type = t.value(QLatin1String("type")).toString();
        if (!type.isEmpty() && type != QLatin1String("custom")) {
            tool.builtinType = type;
            tool.raw = t;
        } else {
            tool.description = t.value(QLatin1String("description")).toString();
            tool.inputSchema = t.value(QLatin1String("input_schema")).toObject();
        }
        if (tool.name.isEmpty())
            return R::failure(invalid(QStringLiteral("tools: every tool needs a \"name\"")));
        req.tools.append(tool);
    }

    const QJsonObject tc = o.value(QLatin1String("tool_choice")).toObject();
    if (!tc.isEmpty()) {
        const QString t = tc.value(QLatin1String("type")).toString();
        using M = canon::ToolChoice::Mode;
        req.toolChoice.mode = t == QLatin1String("any") ? M::Any
            : t == QLatin1String("tool")                ? M::Tool
            : t == QLatin1String("none")                ? M::None
                                                        : M::Auto;
        req.toolChoice.name = tc.value(QLatin1String("name")).toString();
        req.toolChoice.disableParallel = tc.value(QLatin1String("disable_parallel_tool_use")).toBool();
    }

    if (o.value(QLatin1String("temperature")).isDouble())
        req.temperature = o.value(QLatin1String("temperature")).toDouble();
    if (o.value(QLatin1String("top_p")).isDouble())
        req.topP = o.value(QLatin1String("top_p")).toDouble();
    if (o.value(QLatin1String("top_k")).isDouble())
        req.topK = o.value(QLatin1String("top_k")).toInt();
    for (const QJsonValue& s : o.value(QLatin1String("stop_sequences")).toArray()) {
        if (s.isString() && !s.toString().isEmpty())
            req.stopSequences.append(s.toString());
    }
    req.stream = o.value(QLatin1String("stream")).toBool();

    const QJsonObject th = o.value(QLatin1String("thinking")).toObject();
    const QString thType = th.value(QLatin1String("type")).toString();
    if (thType == QLatin1String("enabled")) {
        req.thinking.mode = canon::Thinking::Mode::Enabled;
        req.thinking.budgetTokens = th.value(QLatin1String("budget_tokens")).toInt();
    } else if (thType == QLatin1String("adaptive")) {
        req.thinking.mode = canon::Thinking::Mode::Adaptive;
    } else if (thType == QLatin1String("disabled")) {
        req.thinking.mode = canon::Thinking::Mode::Disabled;
    }
    const QJsonObject oc = o.value(QLatin1String("output_config")).toObject();
    req.thinking.effort = oc.value(QLatin1String("effort")).toString();
    const QJsonObject format = oc.value(QLatin1String("format")).toObject();
    if (format.value(QLatin1String("type")).toString() == QLatin1String("json_schema"))
        req.outputSchema = format.value(QLatin1String("schema")).toObject();

    const QJsonValue uid = o.value(QLatin1String("metadata")).toObject().value(QLatin1String("user_id"));
    if (uid.isString())
        req.userId = uid.toString();
    return req;
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
