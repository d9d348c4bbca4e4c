#include "responsesresponse.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-chat/openaichatresponse.h"
#include "responsescommon.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace sy::responses {

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

QJsonObject parseArguments(const QJsonValue& args)
{
    if (args.isObject())
        return args.toObject();
    const QJsonDocument doc = json::parse(args.toString().toUtf8());
    return doc.isObject() ? doc.object() : QJsonObject();
}

QString randomHex(int bytes)
{
    // Ids only need to be unique; reuse the tool-id generator's randomness ("toolu_" + 24 hex).
    QString out;
    while (out.size() < bytes * 2)
        out += openaichat::generateToolCallId().mid(6);
    return out.left(bytes * 2);
}

} // namespace

canon::Error decodeError(int httpStatus, const QByteArray& body, const QByteArray& retryAfterHeader)
{
    if (httpStatus < 400) {
        const QJsonDocument doc = json::parse(body);
        if (doc.isObject())
            return errorFromObject(0, doc.object(), retryAfterHeader);
    }
    return openaichat::decodeError(httpStatus, body, retryAfterHeader);
}

Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body, const canon::TranslationContext& ctx)
{
    using R = Result<canon::Response, canon::Error>;
    const QJsonDocument doc = json::parse(body);
    if (!doc.isObject())
        return R::failure(canon::Error::make(500, canon::ErrorType::Api,
            QStringLiteral("upstream returned a response that is not valid JSON: ") + quoteBody(body)));
    const QJsonObject o = doc.object();
    const QString status = o.value(QLatin1StringView("status")).toString();
    const QJsonValue errorValue = o.value(QLatin1StringView("error"));
    const bool hasError = errorValue.isObject() || (errorValue.isString() && !errorValue.toString().isEmpty());
    if (status == u"failed" || (hasError && !o.value(QLatin1StringView("output")).isArray())) {
        QJsonObject err = errorValue.isObject() ? errorValue.toObject() : QJsonObject();
        if (errorValue.isString())
            err.insert(QLatin1StringView("message"), errorValue.toString());
        if (err.value(QLatin1StringView("message")).toString().isEmpty())
            err.insert(QLatin1StringView("message"), QStringLiteral("upstream response failed"));
        return R::failure(errorFromObject(0, err));
    }
    if (!o.value(QLatin1StringView("output")).isArray())
        return R::failure(
            canon::Error::make(500, canon::ErrorType::Api, QStringLiteral("upstream response contained no output")));

    canon::Response r;
    r.id = o.value(QLatin1StringView("id")).toString();
    r.model = o.value(QLatin1StringView("model")).toString();
    bool refusal = false;
    QSet<QString> ids;
    auto addCall = [&](const QString& callId, const QString& name, const QJsonObject& input) {
        Part p;
        p.kind = PartKind::ToolCall;
        p.id = openaichat::sanitizeToolCallId(clientCallId(ctx, callId));
        while (ids.contains(p.id))
            p.id = openaichat::generateToolCallId();
        ids.insert(p.id);
        p.name = name.isEmpty() ? QStringLiteral("tool") : ctx.toolNameToClient.value(name, name);
        p.input = input;
        r.content.append(p);
    };
    for (const QJsonValue& v : o.value(QLatin1StringView("output")).toArray()) {
        const QJsonObject item = v.toObject();
        const QString type = item.value(QLatin1StringView("type")).toString();
        if (type == u"reasoning") {
            const QString text = reasoningItemText(item);
            const QString encrypted = item.value(QLatin1StringView("encrypted_content")).toString();
            if (text.isEmpty() && encrypted.isEmpty())
                continue;
            Part p;
            p.kind = PartKind::Reasoning;
            p.text = text;
            p.signature = reasoningSignature(encrypted);
            r.content.append(p);
        } else if (type == u"message") {
            const QString text = messageItemText(item, &refusal);
            if (!text.isEmpty())
                r.content.append(Part::makeText(text));
        } else if (type == u"function_call") {
            QString callId = item.value(QLatin1StringView("call_id")).toString();
            if (callId.isEmpty())
                callId = item.value(QLatin1StringView("id")).toString();
            const QString name = item.value(QLatin1StringView("name")).toString();
            const QJsonValue args = item.value(QLatin1StringView("arguments"));
            QList<WrappedCall> wrapped;
            if (args.isString() && unwrapParallelCalls(name, args.toString(), &wrapped)) {
                int n = 0;
                for (const WrappedCall& c : std::as_const(wrapped))
                    addCall(callId + QLatin1Char('_') + QString::number(n++), c.name, c.arguments);
            } else {
                addCall(callId, name, parseArguments(args));
            }
        }
        // Hosted tool items (their results are in the message text) and other client-side items are skipped.
    }

    const QString reason
        = o.value(QLatin1StringView("incomplete_details")).toObject().value(QLatin1StringView("reason")).toString();
    r.stopReason = openaichat::applyToolUseOverride(stopReasonFor(status, reason), !ids.isEmpty());
    if (refusal && r.stopReason == canon::StopReason::EndTurn)
        r.stopReason = canon::StopReason::Refusal;
    r.usage = parseUsage(o.value(QLatin1StringView("usage")).toObject());
    return r;
}

QByteArray encodeResponse(const canon::Response& r, const QString& model)
{
    QJsonArray output;
    for (const Part& p : r.content) {
        switch (p.kind) {
        case PartKind::Text:
            if (p.text.isEmpty())
                break;
            output.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("message")},
                {QStringLiteral("id"), QString(QStringLiteral("msg_") + randomHex(16))},
                {QStringLiteral("status"), QStringLiteral("completed")},
                {QStringLiteral("role"), QStringLiteral("assistant")},
                {QStringLiteral("content"),
                    QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("output_text")},
                        {QStringLiteral("text"), p.text}, {QStringLiteral("annotations"), QJsonArray()}}}}});
            break;
        case PartKind::Reasoning: {
            QJsonArray summary;
            if (!p.text.isEmpty()) {
                summary.append(QJsonObject {
                    {QStringLiteral("type"), QStringLiteral("summary_text")}, {QStringLiteral("text"), p.text}});
            }
            QJsonObject item {{QStringLiteral("type"), QStringLiteral("reasoning")},
                {QStringLiteral("id"), QString(QStringLiteral("rs_") + randomHex(16))},
                {QStringLiteral("summary"), summary}};
            const QString encrypted = clientEncryptedContent(p.signature);
            if (!encrypted.isEmpty())
                item.insert(QLatin1StringView("encrypted_content"), encrypted);
            output.append(item);
            break;
        }
        case PartKind::ToolCall:
            output.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call")},
                {QStringLiteral("id"), QString(QStringLiteral("fc_") + randomHex(16))},
                {QStringLiteral("status"), QStringLiteral("completed")}, {QStringLiteral("call_id"), p.id},
                {QStringLiteral("name"), p.name},
                {QStringLiteral("arguments"), QString::fromUtf8(compactJson(p.input))}});
            break;
        default:
            break; // redacted reasoning and Anthropic-only blocks have no Responses form
        }
    }
    QString status = QStringLiteral("completed");
    QJsonValue incomplete = QJsonValue::Null;
    if (r.stopReason == canon::StopReason::MaxTokens || r.stopReason == canon::StopReason::ContextWindowExceeded) {
        status = QStringLiteral("incomplete");
        incomplete = QJsonObject {{QStringLiteral("reason"), QStringLiteral("max_output_tokens")}};
    } else if (r.stopReason == canon::StopReason::Refusal) {
        status = QStringLiteral("incomplete");
        incomplete = QJsonObject {{QStringLiteral("reason"), QStringLiteral("content_filter")}};
    }
    QString id = r.id;
    if (!id.startsWith(QLatin1String("resp_")))
        id = QStringLiteral("resp_") + (id.isEmpty() ? randomHex(16) : openaichat::sanitizeToolCallId(id));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject out {{QStringLiteral("id"), id}, {QStringLiteral("object"), QStringLiteral("response")},
        {QStringLiteral("created_at"), now}, {QStringLiteral("completed_at"), now}, {QStringLiteral("status"), status},
        {QStringLiteral("error"), QJsonValue::Null}, {QStringLiteral("incomplete_details"), incomplete},
        {QStringLiteral("model"), model}, {QStringLiteral("output"), output},
        {QStringLiteral("parallel_tool_calls"), true}, {QStringLiteral("store"), false},
        {QStringLiteral("usage"), usageObject(r.usage)}};
    return compactJson(out);
}

QJsonObject errorObject(const canon::Error& e)
{
    QString type;
    QString code = e.code;
    switch (e.type) {
    case canon::ErrorType::InvalidRequest:
        type = QStringLiteral("invalid_request_error");
        if (code.isEmpty() && e.message.startsWith(QLatin1String("prompt is too long")))
            code = QStringLiteral("context_length_exceeded");
        break;
    case canon::ErrorType::Authentication:
        type = QStringLiteral("authentication_error");
        if (code.isEmpty())
            code = QStringLiteral("invalid_api_key");
        break;
    case canon::ErrorType::Billing:
        type = QStringLiteral("insufficient_quota");
        if (code.isEmpty())
            code = QStringLiteral("insufficient_quota");
        break;
    case canon::ErrorType::Permission:
        type = QStringLiteral("permission_error");
        break;
    case canon::ErrorType::NotFound:
        type = QStringLiteral("invalid_request_error");
        if (code.isEmpty())
            code = QStringLiteral("not_found");
        break;
    case canon::ErrorType::RequestTooLarge:
        type = QStringLiteral("invalid_request_error");
        if (code.isEmpty())
            code = QStringLiteral("request_too_large");
        break;
    case canon::ErrorType::RateLimit:
        type = e.shouldRetry ? QStringLiteral("rate_limit_error") : QStringLiteral("insufficient_quota");
        if (code.isEmpty())
            code = e.shouldRetry ? QStringLiteral("rate_limit_exceeded") : QStringLiteral("insufficient_quota");
        break;
    case canon::ErrorType::Conflict:
        type = QStringLiteral("invalid_request_error");
        if (code.isEmpty())
            code = QStringLiteral("conflict");
        break;
    case canon::ErrorType::Timeout:
        type = QStringLiteral("server_error");
        if (code.isEmpty())
            code = QStringLiteral("timeout");
        break;
    case canon::ErrorType::Overloaded:
        type = QStringLiteral("server_error");
        if (code.isEmpty())
            code = QStringLiteral("server_is_overloaded");
        break;
    case canon::ErrorType::Api:
        type = QStringLiteral("server_error");
        if (code.isEmpty())
            code = QStringLiteral("server_error");
        break;
    }
    return QJsonObject {{QStringLiteral("message"), e.message}, {QStringLiteral("type"), type},
        {QStringLiteral("param"), QJsonValue::Null},
        {QStringLiteral("code"), code.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(code)}};
}

QByteArray encodeError(const canon::Error& e)
{
    return compactJson(QJsonObject {{QStringLiteral("error"), errorObject(e)}});
}

} // namespace sy::responses
