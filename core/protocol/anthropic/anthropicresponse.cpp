#include "anthropicresponse.h"

#include "anthropicrequest.h"
#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "protocol/signature.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

namespace sy::anthropic {

using canon::ErrorType;

QString errorTypeName(ErrorType type)
{
    switch (type) {
    case ErrorType::InvalidRequest:
        return QStringLiteral("invalid_request_error");
    case ErrorType::Authentication:
        return QStringLiteral("authentication_error");
    case ErrorType::Billing:
        return QStringLiteral("billing_error");
    case ErrorType::Permission:
        return QStringLiteral("permission_error");
    case ErrorType::NotFound:
        return QStringLiteral("not_found_error");
    case ErrorType::RequestTooLarge:
        return QStringLiteral("request_too_large");
    case ErrorType::RateLimit:
        return QStringLiteral("rate_limit_error");
    case ErrorType::Api:
        return QStringLiteral("api_error");
    case ErrorType::Timeout:
        return QStringLiteral("timeout_error");
    case ErrorType::Overloaded:
        return QStringLiteral("overloaded_error");
    case ErrorType::Conflict:
        return QStringLiteral("conflict_error");
    }
    return QStringLiteral("api_error");
}

ErrorType errorTypeFromName(QStringView name)
{
    static const ErrorType all[] = {ErrorType::InvalidRequest, ErrorType::Authentication, ErrorType::Billing,
        ErrorType::Permission, ErrorType::NotFound, ErrorType::RequestTooLarge, ErrorType::RateLimit, ErrorType::Api,
        ErrorType::Timeout, ErrorType::Overloaded, ErrorType::Conflict};
    for (ErrorType t : all) {
        if (errorTypeName(t) == name)
            return t;
    }
    return ErrorType::Api;
}

int statusForErrorType(ErrorType type)
{
    switch (type) {
    case ErrorType::InvalidRequest:
        return 400;
    case ErrorType::Authentication:
        return 401;
    case ErrorType::Billing:
        return 402;
    case ErrorType::Permission:
        return 403;
    case ErrorType::NotFound:
        return 404;
    case ErrorType::RequestTooLarge:
        return 413;
    case ErrorType::RateLimit:
        return 429;
    case ErrorType::Api:
        return 500;
    case ErrorType::Timeout:
        return 504;
    case ErrorType::Overloaded:
        return 529;
    case ErrorType::Conflict:
        return 409;
    }
    return 500;
}

QByteArray encodeError(const canon::Error& error, const QString& requestId)
{
    QByteArray out;
    out.reserve(128 + error.message.size());
    out.append(R"({"type":"error","error":{"type":)");
    appendJsonString(out, errorTypeName(error.type));
    out.append(R"(,"message":)");
    appendJsonString(out, error.message);
    if (!error.code.isEmpty()) {
        out.append(R"(,"code":)");
        appendJsonString(out, error.code);
    }
    if (!error.details.isEmpty()) {
        out.append(R"(,"details":)");
        out.append(compactJson(error.details));
    }
    out.append('}');
    if (!requestId.isEmpty()) {
        out.append(R"(,"request_id":)");
        appendJsonString(out, requestId);
    }
    out.append('}');
    return out;
}

canon::Error decodeError(int httpStatus, const QByteArray& body)
{
    canon::Error e;
    e.httpStatus = httpStatus;
    const QJsonObject o = json::parseObject(body);
    const QJsonObject err = o.value(QLatin1String("error")).toObject();
    const QString type = err.value(QLatin1String("type")).toString();
    e.message = err.value(QLatin1String("message")).toString();
    if (!type.isEmpty())
        e.type = errorTypeFromName(type);
    else if (httpStatus == 429)
        e.type = ErrorType::RateLimit;
    else if (httpStatus == 529 || httpStatus == 503 || httpStatus == 502)
        e.type = ErrorType::Overloaded;
    else if (httpStatus >= 500)
        e.type = ErrorType::Api;
    else
        e.type = ErrorType::InvalidRequest;
    if (e.message.isEmpty())
        e.message = QString::fromUtf8(body.left(500)).trimmed();
    if (e.message.isEmpty())
        e.message = QStringLiteral("upstream answered HTTP %1").arg(httpStatus);
    return e;
}

canon::Usage usageFromJson(const QJsonObject& u)
{
    canon::Usage usage;
    auto num = [&u](const char* k) {
        const QJsonValue v = u.value(QLatin1String(k));
        return v.isDouble() ? qint64(v.toDouble()) : qint64(-1);
    };
    usage.inputTokens = num("input_tokens");
    usage.outputTokens = num("output_tokens");
    usage.cacheReadTokens = num("cache_read_input_tokens");
    usage.cacheWriteTokens = num("cache_creation_input_tokens");
    return usage;
}

QString newMessageId()
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QString id = QStringLiteral("msg_");
    id.reserve(28);
    auto* rng = QRandomGenerator::global();
    for (int i = 0; i < 24; ++i)
        id.append(QLatin1Char(alphabet[rng->bounded(62)]));
    return id;
}

QString sanitizeToolId(const QString& id)
{
    if (id.isEmpty())
        return QStringLiteral("toolu_") + newMessageId().mid(4);
    QString out = id;
    for (QChar& c : out) {
        const ushort u = c.unicode();
        const bool ok
            = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' || u == '-';
        if (!ok)
            c = QLatin1Char('_');
    }
    return out;
}

QByteArray encodeResponse(const canon::Response& r, const QString& model)
{
    QJsonArray content;
    bool sawToolUse = false;
    for (const canon::Part& p : r.content) {
        canon::Part q = p;
        switch (p.kind) {
        case canon::PartKind::Text:
            if (p.text.isEmpty())
                continue;
            break;
        case canon::PartKind::ToolCall:
            q.id = sanitizeToolId(p.id);
            sawToolUse = true;
            break;
        case canon::PartKind::Reasoning:
            if (q.signature.isEmpty())
                q.signature = canon::makeGatewaySignature(QStringLiteral("none"));
            break;
        default:
            break;
        }
        content.append(encodePart(q));
    }
    canon::StopReason stop = r.stopReason;
    if (sawToolUse)
        stop = canon::StopReason::ToolUse;
    else if (stop == canon::StopReason::ToolUse || stop == canon::StopReason::None)
        stop = canon::StopReason::EndTurn;

    QJsonObject usage;
    usage.insert(QLatin1String("input_tokens"), qMax<qint64>(0, r.usage.inputTokens));
    usage.insert(QLatin1String("cache_creation_input_tokens"), qMax<qint64>(0, r.usage.cacheWriteTokens));
    usage.insert(QLatin1String("cache_read_input_tokens"), qMax<qint64>(0, r.usage.cacheReadTokens));
    usage.insert(QLatin1String("output_tokens"), qMax<qint64>(0, r.usage.outputTokens));

    QJsonObject o;
    o.insert(QLatin1String("id"), r.id.startsWith(QLatin1String("msg_")) ? r.id : newMessageId());
    o.insert(QLatin1String("type"), QStringLiteral("message"));
    o.insert(QLatin1String("role"), QStringLiteral("assistant"));
    o.insert(QLatin1String("model"), model);
    o.insert(QLatin1String("content"), content);
    o.insert(QLatin1String("stop_reason"), canon::stopReasonName(stop));
    o.insert(QLatin1String("stop_sequence"),
        stop == canon::StopReason::StopSequence && !r.stopSequence.isEmpty() ? QJsonValue(r.stopSequence)
                                                                             : QJsonValue(QJsonValue::Null));
    o.insert(QLatin1String("usage"), usage);
    return compactJson(o);
}

Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body)
{
    using R = Result<canon::Response, canon::Error>;
    const QJsonDocument doc = json::parse(body);
    const QJsonObject o = doc.object();
    if (!doc.isObject() || o.value(QLatin1String("type")).toString() == QLatin1String("error"))
        return R::failure(decodeError(doc.isObject() ? 500 : 502, body));
    canon::Response r;
    r.id = o.value(QLatin1String("id")).toString();
    r.model = o.value(QLatin1String("model")).toString();
    bool ok = true;
    QString error;
    for (const QJsonValue& b : o.value(QLatin1String("content")).toArray())
        r.content.append(decodeContentBlock(b.toObject(), &ok, &error));
    r.stopReason = canon::stopReasonFromName(o.value(QLatin1String("stop_reason")).toString());
    r.stopSequence = o.value(QLatin1String("stop_sequence")).toString();
    r.usage = usageFromJson(o.value(QLatin1String("usage")).toObject());
    return r;
}

} // namespace sy::anthropic
