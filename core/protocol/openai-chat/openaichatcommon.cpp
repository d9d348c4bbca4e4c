#include "openaichatcommon.h"

#include "common/fastjson.h"
#include "protocol/signature.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <cmath>

namespace sy::openaichat {

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

bool isValidToolChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'_' || u == u'-';
}

// Seconds from a Retry-After value: delta-seconds (possibly fractional) or an HTTP-date. -1 if unusable.
int parseRetryAfter(const QByteArray& raw)
{
    const QByteArray value = raw.trimmed();
    if (value.isEmpty())
        return -1;
    bool ok = false;
    const double secs = value.toDouble(&ok);
    if (ok) {
        if (!std::isfinite(secs) || secs < 0)
            return -1;
        return int(std::min(std::ceil(secs), 86400.0));
    }
    const QString text = QString::fromLatin1(value);
    QDateTime when = QDateTime::fromString(text, Qt::RFC2822Date);
    if (!when.isValid()) {
        // IMF-fixdate with a literal GMT, which not every Qt version accepts as RFC 2822.
        QString s = text;
        if (s.endsWith(QLatin1String(" GMT")))
            s.chop(4);
        when = QLocale::c().toDateTime(s, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
        if (when.isValid())
            when.setTimeSpec(Qt::UTC);
    }
    if (!when.isValid())
        return -1;
    const qint64 delta = QDateTime::currentDateTimeUtc().secsTo(when);
    return int(std::clamp<qint64>(delta, 0, 86400));
}

int parseRetryAfterMs(const QByteArray& raw)
{
    bool ok = false;
    const double ms = raw.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(ms) || ms < 0)
        return -1;
    return int(std::min(std::ceil(ms / 1000.0), 86400.0));
}

// "Please try again in 20s" / "in 1.5s" / "in 300ms" inside OpenAI rate-limit messages.
int retryHintFromMessage(const QString& message)
{
    static const QRegularExpression re(QStringLiteral(R"(try again in\s+(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?)\b)"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(message);
    if (!m.hasMatch())
        return -1;
    double v = m.captured(1).toDouble();
    if (m.captured(2).compare(QLatin1String("ms"), Qt::CaseInsensitive) == 0)
        v /= 1000.0;
    return int(std::min(std::ceil(v), 86400.0));
}

bool isContextLengthError(const QString& code, const QString& message)
{
    if (code == u"context_length_exceeded")
        return true;
    if (code == u"string_above_max_length")
        return false;
    static const QRegularExpression re(
        QStringLiteral(
            R"(maximum context length|context[ _]length|context window|prompt is too long|too many tokens|)"
            R"(input token count|exceeds the maximum number of tokens|maximum input length|input is too long|)"
            R"(reduce the length of the messages)"),
        QRegularExpression::CaseInsensitiveOption);
    return re.match(message).hasMatch();
}

qint64 parseNumber(const QString& digits)
{
    QString d = digits;
    d.remove(QLatin1Char(','));
    return d.toLongLong();
}

// Rewrites a provider's context-overflow message into Anthropic's wording so Claude Code's overflow handling
// recognises it: "prompt is too long: <requested> tokens > <maximum> maximum (<original>)".
QString contextLengthMessage(const QString& message)
{
    if (message.startsWith(QLatin1String("prompt is too long")))
        return message;
    static const QRegularExpression maxRe(
        QStringLiteral(R"((?:maximum context length|context length|context window|maximum number of tokens allowed|)"
                       R"(maximum input length|limit)(?:\s+of|\s+is)?[^0-9]{0,24}?(\d[\d,]*))"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression reqRe(
        QStringLiteral(R"((?:you requested|requested|resulted in|request has|input token count|prompt has|)"
                       R"(prompt contains|you sent|received)[^0-9]{0,24}?(\d[\d,]*))"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch mm = maxRe.match(message);
    const QRegularExpressionMatch rm = reqRe.match(message);
    if (mm.hasMatch() && rm.hasMatch()) {
        const qint64 maximum = parseNumber(mm.captured(1));
        const qint64 requested = parseNumber(rm.captured(1));
        if (maximum > 0 && requested > 0) {
            return QStringLiteral("prompt is too long: ") + QString::number(requested) + QStringLiteral(" tokens > ")
                + QString::number(maximum) + QStringLiteral(" maximum (") + message + QLatin1Char(')');
        }
    }
    return QStringLiteral("prompt is too long: ") + message;
}

int statusFromErrorKind(const QString& kind)
{
    const QString k = kind.toLower();
    if (k.isEmpty())
        return 0;
    if (k == u"insufficient_quota")
        return 429;
    if (k.contains(u"rate_limit") || k == u"resource_exhausted" || k == u"throttling" || k == u"too_many_requests")
        return 429;
    if (k.contains(u"context_length") || k.contains(u"invalid_request") || k == u"invalid_argument"
        || k == u"unsupported_parameter" || k.contains(u"invalid_parameter") || k == u"bad_request")
        return 400;
    if (k.contains(u"authentication") || k == u"invalid_api_key" || k == u"unauthenticated" || k == u"unauthorized")
        return 401;
    if (k.contains(u"billing") || k == u"payment_required")
        return 402;
    if (k.contains(u"permission") || k == u"forbidden")
        return 403;
    if (k.contains(u"not_found"))
        return 404;
    if (k.contains(u"timeout") || k == u"deadline_exceeded")
        return 504;
    if (k.contains(u"overloaded") || k == u"unavailable" || k == u"service_unavailable"
        || k == u"insufficient_system_resource")
        return 529;
    if (k == u"server_error" || k == u"api_error" || k == u"internal" || k == u"internal_error"
        || k == u"internal_server_error")
        return 500;
    return 0;
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
    return QStringLiteral("openai-chat");
}

const QString& reasoningSignature()
{
    static const QString sig = canon::makeGatewaySignature(signatureProvider());
    return sig;
}

canon::Usage parseUsage(const QJsonObject& usage)
{
    canon::Usage u;
    if (usage.isEmpty())
        return u;
    qint64 prompt = -1, completion = -1;
    readCount(usage, QLatin1StringView("prompt_tokens"), &prompt);
    readCount(usage, QLatin1StringView("completion_tokens"), &completion);

    const QJsonObject ptd = usage.value(QLatin1StringView("prompt_tokens_details")).toObject();
    const QJsonObject ctd = usage.value(QLatin1StringView("completion_tokens_details")).toObject();

    qint64 cached = -1, cacheWrite = -1, hit = -1, miss = -1, reasoning = -1;
    if (!readCount(ptd, QLatin1StringView("cached_tokens"), &cached))
        readCount(usage, QLatin1StringView("cached_tokens"), &cached); // Kimi
    readCount(ptd, QLatin1StringView("cache_write_tokens"), &cacheWrite);
    readCount(usage, QLatin1StringView("prompt_cache_hit_tokens"), &hit);
    readCount(usage, QLatin1StringView("prompt_cache_miss_tokens"), &miss);
    if (!readCount(ctd, QLatin1StringView("reasoning_tokens"), &reasoning))
        readCount(usage, QLatin1StringView("reasoning_tokens"), &reasoning);

    if (hit >= 0 || miss >= 0) {
        // DeepSeek: hit + miss == prompt_tokens.
        const qint64 h = hit >= 0 ? hit : std::max<qint64>(0, prompt - miss);
        u.cacheReadTokens = h;
        u.inputTokens = miss >= 0 ? miss : std::max<qint64>(0, prompt - h);
        u.cacheWriteTokens = cacheWrite >= 0 ? cacheWrite : 0;
    } else {
        if (cached >= 0)
            u.cacheReadTokens = cached;
        if (cacheWrite >= 0)
            u.cacheWriteTokens = cacheWrite;
        if (prompt >= 0)
            u.inputTokens = std::max<qint64>(0, prompt - std::max<qint64>(0, cached) - std::max<qint64>(0, cacheWrite));
    }
    // output_tokens is completion_tokens as reported (§6.11), also for xAI, whose completion_tokens leave out the
    // reasoning tokens it reports separately (kept in reasoningTokens for the usage log).
    if (completion >= 0)
        u.outputTokens = completion;
    if (reasoning >= 0)
        u.reasoningTokens = reasoning;
    return u;
}

canon::StopReason stopReasonFromFinish(QStringView finishReason)
{
    if (finishReason == u"length" || finishReason == u"max_tokens")
        return canon::StopReason::MaxTokens;
    if (finishReason == u"tool_calls" || finishReason == u"function_call" || finishReason == u"tool_use")
        return canon::StopReason::ToolUse;
    if (finishReason == u"content_filter")
        return canon::StopReason::Refusal;
    return canon::StopReason::EndTurn;
}

QString finishReasonFor(canon::StopReason reason)
{
    switch (reason) {
    case canon::StopReason::MaxTokens:
    case canon::StopReason::ContextWindowExceeded:
        return QStringLiteral("length");
    case canon::StopReason::ToolUse:
        return QStringLiteral("tool_calls");
    case canon::StopReason::Refusal:
        return QStringLiteral("content_filter");
    default:
        return QStringLiteral("stop");
    }
}

canon::StopReason applyToolUseOverride(canon::StopReason reason, bool sawToolCall)
{
    if (sawToolCall)
        return canon::StopReason::ToolUse;
    if (reason == canon::StopReason::ToolUse)
        return canon::StopReason::EndTurn;
    return reason;
}

QString generateToolCallId()
{
    quint32 words[3];
    QRandomGenerator::global()->fillRange(words);
    QByteArray bytes(reinterpret_cast<const char*>(words), sizeof(words));
    return QStringLiteral("toolu_") + QString::fromLatin1(bytes.toHex());
}

QString sanitizeToolCallId(const QString& id)
{
    if (id.isEmpty())
        return generateToolCallId();
    QString out = id;
    for (QChar& c : out) {
        if (!isValidToolChar(c))
            c = QLatin1Char('_');
    }
    return out;
}

QString shortenToolName(const QString& name)
{
    bool valid = !name.isEmpty() && name.size() <= 64;
    for (qsizetype i = 0; valid && i < name.size(); ++i)
        valid = isValidToolChar(name.at(i));
    if (valid)
        return name;
    QString sanitized = name.left(55);
    for (QChar& c : sanitized) {
        if (!isValidToolChar(c))
            c = QLatin1Char('_');
    }
    const QByteArray hash = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).left(4).toHex();
    if (sanitized.isEmpty())
        sanitized = QStringLiteral("tool");
    return sanitized + QLatin1Char('_') + QString::fromLatin1(hash);
}

namespace {

enum class Expect { Key, Colon, Value, CommaOrEnd };

struct JsonFrame
{
    bool object = true;
    Expect expect = Expect::Key;
    bool afterComma = false;
};

bool isHexDigit(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F');
}

bool isLiteralChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'z') || u == u'-' || u == u'+' || u == u'.' || u == u'E';
}

bool isCompleteLiteral(const QString& t)
{
    if (t == u"true" || t == u"false" || t == u"null")
        return true;
    static const QRegularExpression number(QStringLiteral(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$)"));
    return number.match(t).hasMatch();
}

// The rest of a partial literal ("tr" -> "ue", "1." -> "0"); false if it cannot be completed.
bool completeLiteral(const QString& t, QString* rest)
{
    for (QLatin1StringView word : {QLatin1StringView("true"), QLatin1StringView("false"), QLatin1StringView("null")}) {
        if (QLatin1StringView(word).startsWith(t)) {
            *rest = QString(word).mid(t.size());
            return true;
        }
    }
    if (isCompleteLiteral(t)) {
        rest->clear();
        return true;
    }
    if (isCompleteLiteral(t + QLatin1Char('0'))) {
        *rest = QStringLiteral("0");
        return true;
    }
    return false;
}

} // namespace

bool jsonObjectCompletion(QStringView s, QString* suffix)
{
    QList<JsonFrame> stack;
    bool started = false;
    bool inString = false;
    bool escape = false;
    bool stringIsKey = false;
    int unicodeLeft = 0;
    QString literal;

    auto endLiteral = [&]() -> bool {
        if (literal.isEmpty())
            return true;
        if (!isCompleteLiteral(literal))
            return false;
        literal.clear();
        stack.last().expect = Expect::CommaOrEnd;
        return true;
    };

    for (const QChar c : s) {
        if (inString) {
            if (unicodeLeft > 0) {
                if (!isHexDigit(c))
                    return false;
                --unicodeLeft;
            } else if (escape) {
                escape = false;
                if (c == u'u')
                    unicodeLeft = 4;
            } else if (c == u'\\') {
                escape = true;
            } else if (c == u'"') {
                inString = false;
                stack.last().expect = stringIsKey ? Expect::Colon : Expect::CommaOrEnd;
            }
            continue;
        }
        if (c.isSpace()) {
            if (!stack.isEmpty() && !endLiteral())
                return false;
            continue;
        }
        if (!started) {
            if (c != u'{')
                return false;
            started = true;
            stack.append(JsonFrame {true, Expect::Key, false});
            continue;
        }
        if (stack.isEmpty())
            return false; // text after the complete object
        if (!literal.isEmpty() && isLiteralChar(c)) {
            literal += c;
            continue;
        }
        if (!endLiteral())
            return false;
        JsonFrame& f = stack.last();
        switch (c.unicode()) {
        case u'{':
        case u'[':
            if (f.expect != Expect::Value)
                return false;
            f.expect = Expect::CommaOrEnd;
            stack.append(JsonFrame {c == u'{', c == u'{' ? Expect::Key : Expect::Value, false});
            break;
        case u'}':
            if (!f.object || f.expect == Expect::Colon || f.expect == Expect::Value
                || (f.expect == Expect::Key && f.afterComma))
                return false;
            stack.removeLast();
            break;
        case u']':
            if (f.object || (f.expect == Expect::Value && f.afterComma))
                return false;
            stack.removeLast();
            break;
        case u',':
            if (f.expect != Expect::CommaOrEnd)
                return false;
            f.expect = f.object ? Expect::Key : Expect::Value;
            f.afterComma = true;
            break;
        case u':':
            if (!f.object || f.expect != Expect::Colon)
                return false;
            f.expect = Expect::Value;
            break;
        case u'"':
            if (f.object && f.expect == Expect::Key)
                stringIsKey = true;
            else if (f.expect == Expect::Value)
                stringIsKey = false;
            else
                return false;
            inString = true;
            break;
        default:
            if (f.expect != Expect::Value || !isLiteralChar(c))
                return false;
            literal += c;
            break;
        }
    }
    if (!started || stack.isEmpty())
        return false;

    QString out;
    if (inString) {
        if (unicodeLeft > 0)
            out += QString(unicodeLeft, QLatin1Char('0'));
        else if (escape)
            out += QLatin1Char('\\');
        out += QLatin1Char('"');
        stack.last().expect = stringIsKey ? Expect::Colon : Expect::CommaOrEnd;
    } else if (!literal.isEmpty()) {
        QString rest;
        if (!completeLiteral(literal, &rest))
            return false;
        out += rest;
        stack.last().expect = Expect::CommaOrEnd;
    }
    for (qsizetype i = stack.size() - 1; i >= 0; --i) {
        const JsonFrame& f = stack.at(i);
        if (f.object) {
            if (f.expect == Expect::Key && f.afterComma)
                out += QStringLiteral("\"\":null");
            else if (f.expect == Expect::Colon)
                out += QStringLiteral(":null");
            else if (f.expect == Expect::Value)
                out += QStringLiteral("null");
            out += QLatin1Char('}');
        } else {
            if (f.expect == Expect::Value && f.afterComma)
                out += QStringLiteral("null");
            out += QLatin1Char(']');
        }
    }
    const QString full = s.toString() + out;
    if (!json::isObject(full.toUtf8()))
        return false;
    *suffix = out;
    return true;
}

bool parseDataUrl(const QString& url, QString* mediaType, QString* data)
{
    if (!url.startsWith(QLatin1String("data:")))
        return false;
    const qsizetype comma = url.indexOf(QLatin1Char(','));
    if (comma < 0)
        return false;
    const QStringView header = QStringView(url).mid(5, comma - 5);
    if (!header.endsWith(QLatin1String(";base64")))
        return false;
    QStringView mime = header.chopped(7);
    const qsizetype semi = mime.indexOf(QLatin1Char(';'));
    if (semi >= 0)
        mime = mime.left(semi);
    if (mediaType)
        *mediaType = mime.toString();
    if (data)
        *data = url.mid(comma + 1);
    return true;
}

canon::Error errorFromObject(
    int httpStatus, const QJsonObject& error, const QByteArray& retryAfter, const QByteArray& retryAfterMs)
{
    QString message = error.value(QLatin1StringView("message")).toString();
    if (message.isEmpty())
        message = error.value(QLatin1StringView("msg")).toString();
    if (message.isEmpty())
        message = error.value(QLatin1StringView("detail")).toString();
    const QJsonValue codeValue = error.value(QLatin1StringView("code"));
    const QString code = stringish(codeValue);
    const QString type = error.value(QLatin1StringView("type")).toString();
    const QString statusText = error.value(QLatin1StringView("status")).toString();

    int status = httpStatus;
    if (status < 400) {
        status = 0;
        if (codeValue.isDouble() && codeValue.toInt() >= 400 && codeValue.toInt() <= 599)
            status = codeValue.toInt();
        if (status == 0)
            status = statusFromErrorKind(code);
        if (status == 0)
            status = statusFromErrorKind(type);
        if (status == 0)
            status = statusFromErrorKind(statusText);
        if (status == 0)
            status = 500;
    }
    if (message.isEmpty())
        message = !code.isEmpty() ? code : (!type.isEmpty() ? type : QStringLiteral("upstream error"));

    const bool quota = code == u"insufficient_quota" || type == u"insufficient_quota";
    canon::Error e;
    switch (status) {
    case 400:
    case 422:
        e = canon::Error::make(400, canon::ErrorType::InvalidRequest, message);
        if (isContextLengthError(code, message))
            e.message = contextLengthMessage(message);
        break;
    case 401:
        e = canon::Error::make(401, canon::ErrorType::Authentication,
            QStringLiteral("the provider rejected the gateway's API key for this provider "
                           "(check the credential configured for it): ")
                + message);
        break;
    case 402:
        e = canon::Error::make(402, canon::ErrorType::Billing, message);
        e.shouldRetry = false;
        break;
    case 403:
        e = canon::Error::make(403, canon::ErrorType::Permission, message);
        break;
    case 404:
        e = canon::Error::make(404, canon::ErrorType::NotFound, message);
        break;
    case 408:
    case 504:
        e = canon::Error::make(504, canon::ErrorType::Timeout, message);
        break;
    case 409:
        e = canon::Error::make(409, canon::ErrorType::Conflict, message);
        break;
    case 413:
        e = canon::Error::make(413, canon::ErrorType::RequestTooLarge, message);
        break;
    case 429:
        e = canon::Error::make(429, canon::ErrorType::RateLimit, message);
        if (quota)
            e.shouldRetry = false;
        break;
    case 500:
        e = canon::Error::make(500, canon::ErrorType::Api, message);
        break;
    case 502:
    case 503:
    case 529:
        e = canon::Error::make(529, canon::ErrorType::Overloaded, message);
        break;
    default:
        if (status >= 500)
            e = canon::Error::make(500, canon::ErrorType::Api, message);
        else if (status >= 400)
            e = canon::Error::make(400, canon::ErrorType::InvalidRequest, message);
        else
            e = canon::Error::make(500, canon::ErrorType::Api, message);
        break;
    }
    if (e.shouldRetry && (e.httpStatus == 429 || e.httpStatus == 529 || e.httpStatus == 500 || e.httpStatus == 504)) {
        int secs = parseRetryAfterMs(retryAfterMs);
        if (secs < 0)
            secs = parseRetryAfter(retryAfter);
        if (secs < 0 && e.httpStatus == 429)
            secs = retryHintFromMessage(message);
        e.retryAfterSeconds = secs;
    }
    return e;
}

} // namespace sy::openaichat
