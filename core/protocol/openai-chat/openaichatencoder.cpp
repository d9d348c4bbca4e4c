#include "openaichatencoder.h"

#include "common/jsonwriter.h"
#include "protocol/anthropic/anthropicresponse.h"

#include <QDateTime>

namespace sy::openaichat {

using Type = canon::StreamEvent::Type;

namespace {
const char* finishReasonName(canon::StopReason r)
{
    switch (r) {
    case canon::StopReason::MaxTokens:
    case canon::StopReason::ContextWindowExceeded:
        return "length";
    case canon::StopReason::ToolUse:
        return "tool_calls";
    case canon::StopReason::Refusal:
        return "content_filter";
    default:
        return "stop";
    }
}

QString errorTypeFor(canon::ErrorType type)
{
    switch (type) {
    case canon::ErrorType::Api:
    case canon::ErrorType::Overloaded:
        return QStringLiteral("server_error");
    case canon::ErrorType::RateLimit:
        return QStringLiteral("rate_limit_error");
    default:
        return anthropic::errorTypeName(type);
    }
}
} // namespace

SseEncoder::SseEncoder(const QString& model, bool includeUsage)
    : m_id(QStringLiteral("chatcmpl-") + anthropic::newMessageId().mid(4))
    , m_model(model)
    , m_created(QDateTime::currentSecsSinceEpoch())
    , m_includeUsage(includeUsage)
{
}

void SseEncoder::chunk(QByteArray& out, const QByteArray& delta, const char* finishReason)
{
    out.append(R"(data: {"id":")");
    out.append(m_id.toLatin1());
    out.append(R"(","object":"chat.completion.chunk","created":)");
    out.append(QByteArray::number(m_created));
    out.append(R"(,"model":)");
    appendJsonString(out, m_model);
    out.append(R"(,"choices":[{"index":0,"delta":)");
    out.append(delta);
    out.append(R"(,"finish_reason":)");
    if (finishReason) {
        out.append('"');
        out.append(finishReason);
        out.append('"');
    } else {
        out.append("null");
    }
    out.append("}]}\n\n");
}

void SseEncoder::encode(const canon::StreamEvent& e, QByteArray& out)
{
    if (m_finished)
        return;
    if (e.type == Type::Failure)
        return fail(e.error, out);
    m_started = true;
    if (!m_sentRole) {
        m_sentRole = true;
        chunk(out, R"({"role":"assistant","content":""})");
    }
    switch (e.type) {
    case Type::MessageStart:
    case Type::UsageUpdate:
        m_usage.mergeFrom(e.usage);
        break;
    case Type::TextDelta:
        if (!e.text.isEmpty()) {
            QByteArray d = R"({"content":)";
            appendJsonString(d, e.text);
            chunk(out, d + '}');
        }
        break;
    case Type::ReasoningDelta:
        if (!e.text.isEmpty()) {
            QByteArray d = R"({"reasoning_content":)";
            appendJsonString(d, e.text);
            chunk(out, d + '}');
        }
        break;
    case Type::ToolCallStart: {
        ++m_toolIndex;
        m_inTool = true;
        QByteArray d = R"({"tool_calls":[{"index":)" + QByteArray::number(m_toolIndex) + R"(,"id":)";
        appendJsonString(d, e.id);
        d.append(R"(,"type":"function","function":{"name":)");
        appendJsonString(d, e.name);
        d.append(R"(,"arguments":""}}]})");
        chunk(out, d);
        break;
    }
    case Type::ToolCallArgsDelta:
        if (m_inTool && !e.text.isEmpty()) {
            QByteArray d
                = R"({"tool_calls":[{"index":)" + QByteArray::number(m_toolIndex) + R"(,"function":{"arguments":)";
            appendJsonString(d, e.text);
            chunk(out, d + "}}]}");
        }
        break;
    case Type::BlockEnd:
        m_inTool = false;
        break;
    case Type::Finish: {
        m_usage.mergeFrom(e.usage);
        m_stop = m_toolIndex >= 0                        ? canon::StopReason::ToolUse
            : e.stopReason == canon::StopReason::ToolUse ? canon::StopReason::EndTurn
                                                         : e.stopReason;
        chunk(out, "{}", finishReasonName(m_stop));
        if (m_includeUsage) {
            const qint64 cached = qMax<qint64>(0, m_usage.cacheReadTokens);
            const qint64 prompt
                = qMax<qint64>(0, m_usage.inputTokens) + cached + qMax<qint64>(0, m_usage.cacheWriteTokens);
            const qint64 completion = qMax<qint64>(0, m_usage.outputTokens);
            out.append(R"(data: {"id":")" + m_id.toLatin1() + R"(","object":"chat.completion.chunk","created":)"
                + QByteArray::number(m_created) + R"(,"model":)");
            appendJsonString(out, m_model);
            out.append(R"(,"choices":[],"usage":{"prompt_tokens":)" + QByteArray::number(prompt)
                + R"(,"completion_tokens":)" + QByteArray::number(completion) + R"(,"total_tokens":)"
                + QByteArray::number(prompt + completion) + R"(,"prompt_tokens_details":{"cached_tokens":)"
                + QByteArray::number(cached) + R"(},"completion_tokens_details":{"reasoning_tokens":)"
                + QByteArray::number(qMax<qint64>(0, m_usage.reasoningTokens)) + "}}}\n\n");
        }
        out.append("data: [DONE]\n\n");
        m_finished = true;
        break;
    }
    case Type::ReasoningSignature:
    case Type::RedactedReasoning:
    case Type::OpaqueBlock:
    case Type::Failure:
        break;
    }
}

void SseEncoder::fail(const canon::Error& error, QByteArray& out)
{
    if (m_finished)
        return;
    out.append("data: ");
    out.append(encodeError(error));
    out.append("\n\n");
    m_finished = true;
    m_failed = true;
}

void SseEncoder::ping(QByteArray& out)
{
    if (!m_finished)
        out.append(": keep-alive\n\n");
}

QByteArray encodeError(const canon::Error& error)
{
    QByteArray out = R"({"error":{"message":)";
    appendJsonString(out, error.message);
    out.append(R"(,"type":)");
    appendJsonString(out, errorTypeFor(error.type));
    out.append(R"(,"param":null,"code":)");
    if (!error.code.isEmpty())
        appendJsonString(out, error.code);
    else if (error.type == canon::ErrorType::RateLimit)
        out.append(R"("rate_limit_exceeded")");
    else
        out.append("null");
    out.append("}}");
    return out;
}

} // namespace sy::openaichat
