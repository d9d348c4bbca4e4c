#include "responsescommon.h"

#include "common/fastjson.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/signature.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace sy::responses {

namespace {

constexpr qsizetype MaxCallIdLength = 64;
constexpr qsizetype CallIdPrefixLength = 47; // + '_' + 16 hex digits = 64
// Keys of shortened call ids in TranslationContext::toolNameToClient. ':' never occurs in an upstream tool name
// (^[a-zA-Z0-9_-]+$), so these entries cannot collide with tool names.
constexpr QLatin1StringView CallIdKeyPrefix("call_id:");
// encrypted_content given to a Responses client for a signature that is not one of ours.
constexpr QLatin1StringView ForeignSignaturePrefix("sy1sig:");

bool readCount(const QJsonObject& o, QLatin1StringView key, qint64* out)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < 0)
        return false;
    *out = qint64(d);
    return true;
}

QString stringish(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toInteger());
    return {};
}

} // namespace

QString signatureProvider()
{
    return QStringLiteral("openai-responses");
}

QString reasoningSignature(const QString& encryptedContent)
{
    return canon::makeGatewaySignature(signatureProvider(), encryptedContent.toUtf8());
}

QString encryptedContentFromSignature(const QString& signature)
{
    if (canon::signatureOrigin(signature) != canon::SignatureOrigin::Gateway
        || canon::gatewaySignatureProvider(signature) != signatureProvider())
        return {};
    return QString::fromUtf8(canon::gatewaySignaturePayload(signature));
}

QString clientEncryptedContent(const QString& signature)
{
    if (signature.isEmpty())
        return {};
    if (canon::signatureOrigin(signature) == canon::SignatureOrigin::Gateway
        && canon::gatewaySignatureProvider(signature) == signatureProvider())
        return encryptedContentFromSignature(signature);
    return ForeignSignaturePrefix + signature;
}

QString signatureFromClientEncryptedContent(const QString& encryptedContent)
{
    if (encryptedContent.startsWith(ForeignSignaturePrefix))
        return encryptedContent.mid(ForeignSignaturePrefix.size());
    return reasoningSignature(encryptedContent);
}

canon::Usage parseUsage(const QJsonObject& usage)
{
    canon::Usage u;
    if (usage.isEmpty())
        return u;
    qint64 input = -1, output = -1, cached = -1, cacheWrite = -1, reasoning = -1;
    readCount(usage, QLatin1StringView("input_tokens"), &input);
    readCount(usage, QLatin1StringView("output_tokens"), &output);
    const QJsonObject itd = usage.value(QLatin1StringView("input_tokens_details")).toObject();
    const QJsonObject otd = usage.value(QLatin1StringView("output_tokens_details")).toObject();
    readCount(itd, QLatin1StringView("cached_tokens"), &cached);
    readCount(itd, QLatin1StringView("cache_write_tokens"), &cacheWrite);
    readCount(otd, QLatin1StringView("reasoning_tokens"), &reasoning);
    if (cached >= 0)
        u.cacheReadTokens = cached;
    if (cacheWrite >= 0)
        u.cacheWriteTokens = cacheWrite;
    if (input >= 0)
        u.inputTokens = std::max<qint64>(0, input - std::max<qint64>(0, cached) - std::max<qint64>(0, cacheWrite));
    if (output >= 0)
        u.outputTokens = output;
    if (reasoning >= 0)
        u.reasoningTokens = reasoning;
    return u;
}

QJsonObject usageObject(const canon::Usage& u)
{
    const qint64 cached = std::max<qint64>(0, u.cacheReadTokens);
    const qint64 cacheWrite = std::max<qint64>(0, u.cacheWriteTokens);
    const qint64 input = std::max<qint64>(0, u.inputTokens) + cached + cacheWrite;
    const qint64 output = std::max<qint64>(0, u.outputTokens);
    QJsonObject inputDetails {{QStringLiteral("cached_tokens"), cached}};
    if (u.cacheWriteTokens > 0)
        inputDetails.insert(QLatin1StringView("cache_write_tokens"), cacheWrite);
    return QJsonObject {{QStringLiteral("input_tokens"), input}, {QStringLiteral("input_tokens_details"), inputDetails},
        {QStringLiteral("output_tokens"), output},
        {QStringLiteral("output_tokens_details"),
            QJsonObject {{QStringLiteral("reasoning_tokens"), std::max<qint64>(0, u.reasoningTokens)}}},
        {QStringLiteral("total_tokens"), input + output}};
}

canon::StopReason stopReasonFor(QStringView status, QStringView incompleteReason)
{
    if (status == u"incomplete") {
        if (incompleteReason == u"content_filter")
            return canon::StopReason::Refusal;
        return canon::StopReason::MaxTokens; // max_output_tokens, or a reason we do not know: the answer was cut
    }
    return canon::StopReason::EndTurn;
}

canon::Error errorFromObject(int httpStatus, const QJsonObject& errorIn, const QByteArray& retryAfter)
{
    QJsonObject error = errorIn;
    // Nested shape {"type":"error","error":{...}}: use the inner object.
    const QJsonValue inner = error.value(QLatin1StringView("error"));
    if (inner.isObject())
        error = inner.toObject();
    else if (inner.isString() && error.value(QLatin1StringView("message")).toString().isEmpty())
        error.insert(QLatin1StringView("message"), inner.toString());
    if (error.value(QLatin1StringView("type")).toString() == u"error")
        error.remove(QLatin1StringView("type")); // the event's own type, not an error kind

    const QString code = stringish(error.value(QLatin1StringView("code")));
    const QString type = error.value(QLatin1StringView("type")).toString();
    int status = httpStatus;
    if (status < 400) {
        const QString kind = !code.isEmpty() ? code : type;
        if (kind == u"rate_limit_exceeded" || kind == u"insufficient_quota")
            status = 429;
        else if (kind == u"server_error")
            status = 500;
        else if (kind == u"context_length_exceeded" || kind == u"invalid_prompt" || kind.startsWith(u"invalid_image")
            || kind.startsWith(u"image_") || kind == u"empty_image_file" || kind == u"invalid_base64_image"
            || kind == u"unsupported_image_media_type" || kind == u"failed_to_download_image")
            status = 400;
        else if (kind == u"vector_store_timeout")
            status = 504;
    }
    return openaichat::errorFromObject(status, error, retryAfter);
}

QString upstreamCallId(const QString& clientId)
{
    if (clientId.size() <= MaxCallIdLength)
        return clientId;
    const QByteArray hash = QCryptographicHash::hash(clientId.toUtf8(), QCryptographicHash::Sha256).left(8).toHex();
    return clientId.left(CallIdPrefixLength) + QLatin1Char('_') + QString::fromLatin1(hash);
}

void recordCallId(canon::TranslationContext& ctx, const QString& upstreamId, const QString& clientId)
{
    if (upstreamId != clientId)
        ctx.toolNameToClient.insert(CallIdKeyPrefix + upstreamId, clientId);
}

QString clientCallId(const QHash<QString, QString>& toolNameToClient, const QString& upstreamId)
{
    if (upstreamId.size() != MaxCallIdLength || toolNameToClient.isEmpty())
        return upstreamId;
    return toolNameToClient.value(CallIdKeyPrefix + upstreamId, upstreamId);
}

QString clientCallId(const canon::TranslationContext& ctx, const QString& upstreamId)
{
    return clientCallId(ctx.toolNameToClient, upstreamId);
}

QString messageItemText(const QJsonObject& item, bool* refusal)
{
    QString out;
    for (const QJsonValue& v : item.value(QLatin1StringView("content")).toArray()) {
        const QJsonObject part = v.toObject();
        const QString type = part.value(QLatin1StringView("type")).toString();
        if (type == u"output_text") {
            out += part.value(QLatin1StringView("text")).toString();
        } else if (type == u"refusal") {
            out += part.value(QLatin1StringView("refusal")).toString();
            *refusal = true;
        }
    }
    return out;
}

QString reasoningItemText(const QJsonObject& item)
{
    QStringList parts;
    for (const QJsonValue& v : item.value(QLatin1StringView("summary")).toArray()) {
        const QString t = v.toObject().value(QLatin1StringView("text")).toString();
        if (!t.isEmpty())
            parts.append(t);
    }
    if (parts.isEmpty()) {
        for (const QJsonValue& v : item.value(QLatin1StringView("content")).toArray()) {
            const QString t = v.toObject().value(QLatin1StringView("text")).toString();
            if (!t.isEmpty())
                parts.append(t);
        }
    }
    return parts.join(QStringLiteral("\n\n"));
}

bool isParallelWrapperName(QStringView name)
{
    return name == u"multi_tool_use.parallel" || name == u"parallel";
}

bool unwrapParallelCalls(const QString& name, const QString& arguments, QList<WrappedCall>* out)
{
    if (!isParallelWrapperName(name))
        return false;
    const QJsonDocument doc = json::parse(arguments.toUtf8());
    if (!doc.isObject())
        return false;
    const QJsonObject o = doc.object();
    const QJsonValue uses = o.value(QLatin1StringView("tool_uses"));
    if (o.size() != 1 || !uses.isArray() || uses.toArray().isEmpty())
        return false;
    QList<WrappedCall> calls;
    for (const QJsonValue& v : uses.toArray()) {
        const QJsonObject use = v.toObject();
        QString recipient = use.value(QLatin1StringView("recipient_name")).toString();
        const QJsonValue params = use.value(QLatin1StringView("parameters"));
        if (recipient.isEmpty() || !(params.isObject() || params.isUndefined()))
            return false;
        if (recipient.startsWith(QLatin1String("functions.")))
            recipient = recipient.mid(10);
        calls.append(WrappedCall {recipient, params.toObject()});
    }
    *out = calls;
    return true;
}

} // namespace sy::responses
