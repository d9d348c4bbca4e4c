#include "geminicommon.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/signature.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace sy::gemini {

namespace {

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

bool isNameChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'_' || u == u'-'
        || u == u'.' || u == u':';
}

bool isNameStart(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || u == u'_';
}

// "34.4s", "1s", "0.5s" (proto Duration JSON); also tolerates "500ms" and a bare number of seconds.
int parseDuration(const QString& text)
{
    QString t = text.trimmed();
    double scale = 1.0;
    if (t.endsWith(QLatin1String("ms"))) {
        t.chop(2);
        scale = 0.001;
    } else if (t.endsWith(QLatin1Char('s'))) {
        t.chop(1);
    }
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < 0)
        return -1;
    return int(std::min(std::ceil(v * scale), 86400.0));
}

} // namespace

QString signatureProvider()
{
    return QStringLiteral("gemini");
}

QString wrapThoughtSignature(const QString& thoughtSignature)
{
    return canon::makeGatewaySignature(signatureProvider(), thoughtSignature.toUtf8());
}

QString unwrapThoughtSignature(const QString& signature)
{
    if (canon::signatureOrigin(signature) != canon::SignatureOrigin::Gateway)
        return {};
    if (canon::gatewaySignatureProvider(signature) != signatureProvider())
        return {};
    return QString::fromUtf8(canon::gatewaySignaturePayload(signature));
}

namespace {
constexpr QByteArrayView ClientTokenPrefix("sy-thinking:");

QString packClientToken(const QJsonObject& o)
{
    QByteArray raw = ClientTokenPrefix.toByteArray();
    raw += compactJson(o);
    return QString::fromLatin1(raw.toBase64());
}
} // namespace

QString clientThoughtSignature(const QString& signature, const QString& thinking)
{
    if (signature.isEmpty())
        return {};
    const QString raw = unwrapThoughtSignature(signature);
    if (!raw.isEmpty())
        return raw;
    if (canon::signatureOrigin(signature) == canon::SignatureOrigin::Gateway
        && canon::gatewaySignaturePayload(signature).isEmpty() && thinking.isEmpty())
        return {}; // an empty gateway signature on an empty block: nothing to replay
    return packClientToken(
        QJsonObject {{QStringLiteral("signature"), signature}, {QStringLiteral("thinking"), thinking}});
}

QString clientRedactedSignature(const QString& data)
{
    if (data.isEmpty())
        return {};
    return packClientToken(QJsonObject {{QStringLiteral("redacted"), data}});
}

canon::Part partFromClientThoughtSignature(const QString& token, const QString& thoughtText)
{
    canon::Part p;
    p.kind = canon::PartKind::Reasoning;
    const QByteArray decoded = QByteArray::fromBase64(
        token.toLatin1(), QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.startsWith(ClientTokenPrefix)) {
        const QJsonObject o = json::parseObject(decoded.mid(ClientTokenPrefix.size()));
        if (o.contains(QLatin1StringView("redacted"))) {
            p.kind = canon::PartKind::RedactedReasoning;
            p.data = o.value(QLatin1StringView("redacted")).toString();
            return p;
        }
        if (o.contains(QLatin1StringView("signature"))) {
            p.text = o.value(QLatin1StringView("thinking")).toString();
            p.signature = o.value(QLatin1StringView("signature")).toString();
            return p;
        }
    }
    p.text = thoughtText;
    p.signature = wrapThoughtSignature(token);
    return p;
}

QString skipSignatureSentinel()
{
    return QStringLiteral("skip_thought_signature_validator");
}

canon::Usage parseUsage(const QJsonObject& usage)
{
    canon::Usage u;
    if (usage.isEmpty())
        return u;
    qint64 prompt = -1, cached = -1, candidates = -1, thoughts = -1, toolUse = -1;
    readCount(usage, QLatin1StringView("promptTokenCount"), &prompt);
    readCount(usage, QLatin1StringView("cachedContentTokenCount"), &cached);
    readCount(usage, QLatin1StringView("candidatesTokenCount"), &candidates);
    readCount(usage, QLatin1StringView("thoughtsTokenCount"), &thoughts);
    readCount(usage, QLatin1StringView("toolUsePromptTokenCount"), &toolUse);
    if (prompt >= 0 || toolUse >= 0) {
        // promptTokenCount includes the cached tokens; tool-use prompt tokens (server tools) are billed as input.
        u.inputTokens = std::max<qint64>(0, std::max<qint64>(0, prompt) - std::max<qint64>(0, cached))
            + std::max<qint64>(0, toolUse);
        u.cacheReadTokens = std::max<qint64>(0, cached);
    } else if (cached >= 0) {
        u.cacheReadTokens = cached;
    }
    if (candidates >= 0 || thoughts >= 0)
        u.outputTokens = std::max<qint64>(0, candidates) + std::max<qint64>(0, thoughts);
    if (thoughts >= 0)
        u.reasoningTokens = thoughts;
    return u;
}

QJsonObject usageMetadataFor(const canon::Usage& u)
{
    QJsonObject o;
    const bool promptKnown = u.inputTokens >= 0 || u.cacheReadTokens >= 0 || u.cacheWriteTokens >= 0;
    const qint64 prompt = std::max<qint64>(0, u.inputTokens) + std::max<qint64>(0, u.cacheReadTokens)
        + std::max<qint64>(0, u.cacheWriteTokens);
    const qint64 thoughts
        = u.reasoningTokens >= 0 && u.outputTokens >= 0 ? std::min(u.reasoningTokens, u.outputTokens) : -1;
    const qint64 candidates = u.outputTokens >= 0 ? u.outputTokens - std::max<qint64>(0, thoughts) : -1;
    if (promptKnown)
        o.insert(QLatin1StringView("promptTokenCount"), prompt);
    if (candidates >= 0)
        o.insert(QLatin1StringView("candidatesTokenCount"), candidates);
    if (thoughts >= 0)
        o.insert(QLatin1StringView("thoughtsTokenCount"), thoughts);
    if (u.cacheReadTokens > 0)
        o.insert(QLatin1StringView("cachedContentTokenCount"), u.cacheReadTokens);
    if (promptKnown || candidates >= 0)
        o.insert(
            QLatin1StringView("totalTokenCount"), (promptKnown ? prompt : 0) + std::max<qint64>(0, u.outputTokens));
    return o;
}

canon::StopReason stopReasonFromFinish(QStringView r)
{
    if (r == u"MAX_TOKENS")
        return canon::StopReason::MaxTokens;
    if (r == u"SAFETY" || r == u"RECITATION" || r == u"BLOCKLIST" || r == u"PROHIBITED_CONTENT" || r == u"SPII"
        || r == u"LANGUAGE" || r == u"IMAGE_SAFETY" || r == u"IMAGE_PROHIBITED_CONTENT" || r == u"IMAGE_RECITATION")
        return canon::StopReason::Refusal;
    return canon::StopReason::EndTurn;
}

bool isToolFailureFinish(QStringView r)
{
    return r == u"MALFORMED_FUNCTION_CALL" || r == u"UNEXPECTED_TOOL_CALL" || r == u"TOO_MANY_TOOL_CALLS";
}

QString finishReasonFor(canon::StopReason reason)
{
    switch (reason) {
    case canon::StopReason::MaxTokens:
    case canon::StopReason::ContextWindowExceeded:
        return QStringLiteral("MAX_TOKENS");
    case canon::StopReason::Refusal:
        return QStringLiteral("SAFETY");
    default:
        return QStringLiteral("STOP");
    }
}

bool isValidToolName(const QString& name)
{
    if (name.isEmpty() || name.size() > 64 || !isNameStart(name.at(0)))
        return false;
    for (QChar c : name) {
        if (!isNameChar(c))
            return false;
    }
    return true;
}

QString upstreamToolName(const QString& name)
{
    if (isValidToolName(name))
        return name;
    QString sanitized = name.left(55);
    for (QChar& c : sanitized) {
        if (!isNameChar(c))
            c = QLatin1Char('_');
    }
    if (sanitized.isEmpty() || !isNameStart(sanitized.at(0)))
        sanitized = QLatin1Char('_') + sanitized.left(54);
    const QByteArray hash = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).left(4).toHex();
    return sanitized + QLatin1Char('_') + QString::fromLatin1(hash);
}

int retryDelaySeconds(const QJsonObject& error)
{
    for (const QJsonValue& v : error.value(QLatin1StringView("details")).toArray()) {
        const QJsonObject d = v.toObject();
        if (!d.value(QLatin1StringView("@type")).toString().endsWith(QLatin1String("google.rpc.RetryInfo")))
            continue;
        const QJsonValue delay = d.value(QLatin1StringView("retryDelay"));
        if (delay.isString())
            return parseDuration(delay.toString());
        if (delay.isObject()) { // {"seconds": 34, "nanos": 400000000}
            const QJsonObject o = delay.toObject();
            const double secs = o.value(QLatin1StringView("seconds")).toVariant().toDouble()
                + o.value(QLatin1StringView("nanos")).toDouble() / 1e9;
            if (std::isfinite(secs) && secs >= 0)
                return int(std::min(std::ceil(secs), 86400.0));
        }
    }
    return -1;
}

canon::Error errorFromGoogle(int httpStatus, const QJsonObject& error, const QByteArray& retryAfterHeader)
{
    int status = httpStatus;
    bool badKey = false;
    for (const QJsonValue& v : error.value(QLatin1StringView("details")).toArray()) {
        const QJsonObject d = v.toObject();
        if (d.value(QLatin1StringView("@type")).toString().endsWith(QLatin1String("google.rpc.ErrorInfo"))
            && d.value(QLatin1StringView("reason")).toString() == u"API_KEY_INVALID")
            badKey = true;
    }
    if (badKey)
        status = 401;
    QByteArray retryAfter = retryAfterHeader.trimmed();
    if (retryAfter.isEmpty()) {
        const int secs = retryDelaySeconds(error);
        if (secs >= 0)
            retryAfter = QByteArray::number(secs);
    }
    QJsonObject e = error;
    if (e.value(QLatin1StringView("message")).toString().isEmpty() && !e.value(QLatin1StringView("status")).isString())
        e.insert(QLatin1StringView("message"), QStringLiteral("upstream error"));
    return openaichat::errorFromObject(status, e, retryAfter);
}

QString statusNameForHttp(int httpStatus)
{
    switch (httpStatus) {
    case 400:
        return QStringLiteral("INVALID_ARGUMENT");
    case 401:
        return QStringLiteral("UNAUTHENTICATED");
    case 402:
        return QStringLiteral("FAILED_PRECONDITION");
    case 403:
        return QStringLiteral("PERMISSION_DENIED");
    case 404:
        return QStringLiteral("NOT_FOUND");
    case 409:
        return QStringLiteral("ABORTED");
    case 413:
        return QStringLiteral("INVALID_ARGUMENT");
    case 429:
        return QStringLiteral("RESOURCE_EXHAUSTED");
    case 499:
        return QStringLiteral("CANCELLED");
    case 501:
        return QStringLiteral("UNIMPLEMENTED");
    case 503:
        return QStringLiteral("UNAVAILABLE");
    case 504:
        return QStringLiteral("DEADLINE_EXCEEDED");
    default:
        return httpStatus >= 500 ? QStringLiteral("INTERNAL") : QStringLiteral("INVALID_ARGUMENT");
    }
}

int httpStatusForError(const canon::Error& error)
{
    switch (error.type) {
    case canon::ErrorType::InvalidRequest:
        return 400;
    case canon::ErrorType::Authentication:
        return 401;
    case canon::ErrorType::Billing:
        return 400; // FAILED_PRECONDITION is reported with 400 by Google
    case canon::ErrorType::Permission:
        return 403;
    case canon::ErrorType::NotFound:
        return 404;
    case canon::ErrorType::RequestTooLarge:
        return 413;
    case canon::ErrorType::RateLimit:
        return 429;
    case canon::ErrorType::Api:
        return 500;
    case canon::ErrorType::Timeout:
        return 504;
    case canon::ErrorType::Overloaded:
        return 503;
    case canon::ErrorType::Conflict:
        return 409;
    }
    return 500;
}

QJsonObject googleError(const canon::Error& error)
{
    const int status = httpStatusForError(error);
    QJsonObject err {{QStringLiteral("code"), status}, {QStringLiteral("message"), error.message},
        {QStringLiteral("status"),
            error.type == canon::ErrorType::Billing ? QStringLiteral("FAILED_PRECONDITION")
                                                    : statusNameForHttp(status)}};
    if (error.retryAfterSeconds >= 0) {
        err.insert(QLatin1StringView("details"),
            QJsonArray {QJsonObject {
                {QStringLiteral("@type"), QStringLiteral("type.googleapis.com/google.rpc.RetryInfo")},
                {QStringLiteral("retryDelay"), QString(QString::number(error.retryAfterSeconds) + QLatin1Char('s'))}}});
    }
    return QJsonObject {{QStringLiteral("error"), err}};
}

} // namespace sy::gemini
