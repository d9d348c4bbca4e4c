#include "openaichatresponse.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "openaichatcommon.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace sy::openaichat {

namespace {

using canon::Part;
using canon::PartKind;

constexpr qsizetype MaxQuotedBody = 500;

QString quoteBody(const QByteArray& body)
{
    QString text = QString::fromUtf8(body.left(MaxQuotedBody * 2)).trimmed();
    if (text.size() > MaxQuotedBody) {
        text.truncate(MaxQuotedBody);
        text += QStringLiteral("...");
    }
    return text;
}

void appendReasoning(QList<Part>& parts, const QString& text)
{
    if (text.isEmpty())
        return;
    if (!parts.isEmpty() && parts.last().kind == PartKind::Reasoning) {
        parts.last().text += text;
        return;
    }
    Part p;
    p.kind = PartKind::Reasoning;
    p.text = text;
    p.signature = reasoningSignature();
    parts.append(p);
}

void appendText(QList<Part>& parts, const QString& text)
{
    if (text.isEmpty())
        return;
    if (!parts.isEmpty() && parts.last().kind == PartKind::Text) {
        parts.last().text += text;
        return;
    }
    parts.append(Part::makeText(text));
}

QString reasoningDetailsText(const QJsonArray& details)
{
    QString out;
    for (const QJsonValue& v : details) {
        const QJsonObject d = v.toObject();
        const QString type = d.value(QLatin1StringView("type")).toString();
        if (type == u"reasoning.text")
            out += d.value(QLatin1StringView("text")).toString();
        else if (type == u"reasoning.summary")
            out += d.value(QLatin1StringView("summary")).toString();
    }
    return out;
}

QJsonObject parseArguments(const QJsonValue& args)
{
    if (args.isObject())
        return args.toObject();
    const QJsonDocument doc = json::parse(args.toString().toUtf8());
    return doc.isObject() ? doc.object() : QJsonObject();
}

canon::Error unparseable(const QByteArray& body)
{
    return canon::Error::make(500, canon::ErrorType::Api,
        QStringLiteral("upstream returned a response that is not valid JSON: ") + quoteBody(body));
}

} // namespace

canon::Error decodeError(
    int httpStatus, const QByteArray& body, const QByteArray& retryAfterHeader, const QByteArray& retryAfterMsHeader)
{
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(body, &perr);
    QJsonObject error;
    if (doc.isObject()) {
        const QJsonObject o = doc.object();
        const QJsonValue ev = o.value(QLatin1StringView("error"));
        if (ev.isObject()) {
            error = ev.toObject();
        } else if (ev.isString()) {
            error = o;
            error.insert(QLatin1StringView("message"), ev.toString());
        } else {
            error = o;
        }
    } else if (doc.isArray() && !doc.array().isEmpty()) {
        const QJsonObject first = doc.array().first().toObject();
        error = first.value(QLatin1StringView("error")).isObject() ? first.value(QLatin1StringView("error")).toObject()
                                                                   : first;
    }
    if (error.value(QLatin1StringView("message")).toString().isEmpty()) {
        QString text = doc.isNull() ? quoteBody(body) : QString();
        if (text.isEmpty() && error.isEmpty())
            text = QStringLiteral("HTTP ") + QString::number(httpStatus) + QStringLiteral(" with no error message");
        if (!text.isEmpty())
            error.insert(QLatin1StringView("message"), text);
    }
    return errorFromObject(httpStatus, error, retryAfterHeader, retryAfterMsHeader);
}

Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body, const canon::TranslationContext& ctx)
{
    using R = Result<canon::Response, canon::Error>;
    const QJsonDocument doc = json::parse(body);
    if (!doc.isObject())
        return R::failure(unparseable(body));
    const QJsonObject o = doc.object();
    const QJsonValue errorValue = o.value(QLatin1StringView("error"));
    if (errorValue.isObject() || (errorValue.isString() && !errorValue.toString().isEmpty()))
        return R::failure(decodeError(200, body, {}));
    const QJsonArray choices = o.value(QLatin1StringView("choices")).toArray();
    if (choices.isEmpty())
        return R::failure(
            canon::Error::make(500, canon::ErrorType::Api, QStringLiteral("upstream response contained no choices")));
    const QJsonObject choice = choices.first().toObject();
    const QJsonObject message = choice.value(QLatin1StringView("message")).toObject();
    const QString finish = choice.value(QLatin1StringView("finish_reason")).toString();
    if (finish == u"insufficient_system_resource")
        return R::failure(canon::Error::make(529, canon::ErrorType::Overloaded,
            QStringLiteral("upstream ran out of resources (insufficient_system_resource)")));
    if (finish == u"error")
        return R::failure(canon::Error::make(
            500, canon::ErrorType::Api, QStringLiteral("upstream finished the response with an error")));

    canon::Response r;
    r.id = o.value(QLatin1StringView("id")).toString();
    r.model = o.value(QLatin1StringView("model")).toString();

    QString reasoning = message.value(QLatin1StringView("reasoning_content")).toString();
    if (reasoning.isEmpty())
        reasoning = message.value(QLatin1StringView("reasoning")).toString();
    if (reasoning.isEmpty())
        reasoning = reasoningDetailsText(message.value(QLatin1StringView("reasoning_details")).toArray());
    appendReasoning(r.content, reasoning);

    const QJsonValue content = message.value(QLatin1StringView("content"));
    if (content.isString()) {
        appendText(r.content, content.toString());
    } else if (content.isArray()) {
        for (const QJsonValue& v : content.toArray()) {
            const QJsonObject part = v.toObject();
            const QString type = part.value(QLatin1StringView("type")).toString();
            if (type == u"text") {
                appendText(r.content, part.value(QLatin1StringView("text")).toString());
            } else if (type == u"thinking") {
                const QJsonValue thinking = part.value(QLatin1StringView("thinking"));
                if (thinking.isString()) {
                    appendReasoning(r.content, thinking.toString());
                } else {
                    QString t;
                    for (const QJsonValue& tv : thinking.toArray())
                        t += tv.toObject().value(QLatin1StringView("text")).toString();
                    appendReasoning(r.content, t);
                }
            }
        }
    }

    const QString refusal = message.value(QLatin1StringView("refusal")).toString();
    appendText(r.content, refusal);

    QSet<QString> ids;
    for (const QJsonValue& cv : message.value(QLatin1StringView("tool_calls")).toArray()) {
        const QJsonObject c = cv.toObject();
        const QJsonObject fn = c.value(QLatin1StringView("function")).toObject();
        Part p;
        p.kind = PartKind::ToolCall;
        p.id = sanitizeToolCallId(c.value(QLatin1StringView("id")).toString());
        while (ids.contains(p.id))
            p.id = generateToolCallId();
        ids.insert(p.id);
        const QString name = fn.value(QLatin1StringView("name")).toString();
        p.name = ctx.toolNameToClient.value(name, name);
        p.input = parseArguments(fn.value(QLatin1StringView("arguments")));
        if (p.name.isEmpty() && p.input.isEmpty())
            continue; // neither a name nor arguments: nothing usable
        if (p.name.isEmpty())
            p.name = QStringLiteral("tool_") + QString::number(ids.size());
        r.content.append(p);
    }

    bool sawToolCall = false;
    for (const Part& p : std::as_const(r.content))
        sawToolCall = sawToolCall || p.kind == PartKind::ToolCall;
    r.stopReason = applyToolUseOverride(stopReasonFromFinish(finish), sawToolCall);
    if (!refusal.isEmpty() && r.stopReason == canon::StopReason::EndTurn)
        r.stopReason = canon::StopReason::Refusal;
    r.usage = parseUsage(o.value(QLatin1StringView("usage")).toObject());
    return r;
}

QByteArray encodeResponse(const canon::Response& r, const QString& model)
{
    QString text;
    QString reasoning;
    QJsonArray toolCalls;
    for (const Part& p : r.content) {
        switch (p.kind) {
        case PartKind::Text:
            text += p.text;
            break;
        case PartKind::Reasoning:
            reasoning += p.text;
            break;
        case PartKind::ToolCall:
            toolCalls.append(
                QJsonObject {{QStringLiteral("id"), p.id}, {QStringLiteral("type"), QStringLiteral("function")},
                    {QStringLiteral("function"),
                        QJsonObject {{QStringLiteral("name"), p.name},
                            {QStringLiteral("arguments"), QString::fromUtf8(compactJson(p.input))}}}});
            break;
        default:
            break;
        }
    }
    QJsonObject message {{QStringLiteral("role"), QStringLiteral("assistant")}};
    message.insert(QLatin1StringView("content"),
        text.isEmpty() && !toolCalls.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text));
    if (!reasoning.isEmpty())
        message.insert(QLatin1StringView("reasoning_content"), reasoning);
    if (!toolCalls.isEmpty())
        message.insert(QLatin1StringView("tool_calls"), toolCalls);

    QJsonObject choice {{QStringLiteral("index"), 0}, {QStringLiteral("message"), message},
        {QStringLiteral("finish_reason"), finishReasonFor(r.stopReason)}};
    QJsonObject out {
        {QStringLiteral("id"), r.id.isEmpty() ? QStringLiteral("chatcmpl-") + generateToolCallId().mid(6) : r.id},
        {QStringLiteral("object"), QStringLiteral("chat.completion")},
        {QStringLiteral("created"), QDateTime::currentSecsSinceEpoch()}, {QStringLiteral("model"), model},
        {QStringLiteral("choices"), QJsonArray {choice}}};

    const canon::Usage& u = r.usage;
    if (!u.isEmpty()) {
        const qint64 cacheRead = std::max<qint64>(0, u.cacheReadTokens);
        const qint64 cacheWrite = std::max<qint64>(0, u.cacheWriteTokens);
        const qint64 prompt = std::max<qint64>(0, u.inputTokens) + cacheRead + cacheWrite;
        const qint64 completion = std::max<qint64>(0, u.outputTokens);
        QJsonObject details {{QStringLiteral("cached_tokens"), cacheRead}};
        if (cacheWrite > 0)
            details.insert(QLatin1StringView("cache_write_tokens"), cacheWrite);
        QJsonObject usage {{QStringLiteral("prompt_tokens"), prompt}, {QStringLiteral("completion_tokens"), completion},
            {QStringLiteral("total_tokens"), prompt + completion}, {QStringLiteral("prompt_tokens_details"), details}};
        if (u.reasoningTokens >= 0) {
            usage.insert(QLatin1StringView("completion_tokens_details"),
                QJsonObject {{QStringLiteral("reasoning_tokens"), u.reasoningTokens}});
        }
        out.insert(QLatin1StringView("usage"), usage);
    }
    return compactJson(out);
}

} // namespace sy::openaichat
