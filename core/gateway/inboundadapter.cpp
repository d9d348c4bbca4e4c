#include "inboundadapter.h"

#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/gemini/geminirequest.h"
#include "protocol/gemini/geminiresponse.h"
#include "protocol/gemini/geministream.h"
#include "protocol/openai-chat/openaichatencoder.h"
#include "protocol/openai-responses/responsesrequest.h"
#include "protocol/openai-responses/responsesresponse.h"
#include "protocol/openai-responses/responsesstream.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/openai-chat/openaichatresponse.h"

namespace sy {

namespace {

template<typename Encoder> class EncoderAdapter : public DownstreamEncoder
{
public:
    template<typename... Args>
    explicit EncoderAdapter(Args&&... args)
        : m_encoder(std::forward<Args>(args)...)
    {
    }
    void encode(const canon::StreamEvent& event, QByteArray& out) override { m_encoder.encode(event, out); }
    void fail(const canon::Error& error, QByteArray& out) override { m_encoder.fail(error, out); }
    void ping(QByteArray& out) override { m_encoder.ping(out); }
    bool finished() const override { return m_encoder.finished(); }
    bool failed() const override { return m_encoder.failed(); }
    canon::Usage usage() const override { return m_encoder.usage(); }
    canon::StopReason stopReason() const override { return m_encoder.stopReason(); }

private:
    Encoder m_encoder;
};

class AnthropicInbound : public InboundAdapter
{
public:
    QString name() const override { return QStringLiteral("anthropic"); }
    bool relaysTo(ProviderKind kind) const override { return kind == ProviderKind::Anthropic; }
    Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, bool countTokens) const override
    {
        return anthropic::decodeRequest(
            body, countTokens ? anthropic::RequestKind::CountTokens : anthropic::RequestKind::Messages);
    }
    std::unique_ptr<DownstreamEncoder> streamEncoder(const QString& clientModel) const override
    {
        // message_start carries 0 input tokens; the upstream's real count follows in message_delta.
        return std::make_unique<EncoderAdapter<anthropic::SseEncoder>>(clientModel, qint64(0));
    }
    QByteArray encodeResponse(const canon::Response& response, const QString& clientModel) const override
    {
        return anthropic::encodeResponse(response, clientModel);
    }
    QByteArray encodeError(const canon::Error& error, const QString& requestId) const override
    {
        return anthropic::encodeError(error, requestId);
    }
};

class OpenAiChatInbound : public InboundAdapter
{
public:
    QString name() const override { return QStringLiteral("openai-chat"); }
    bool relaysTo(ProviderKind kind) const override { return kind == ProviderKind::OpenAiChat; }
    Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, bool) const override
    {
        return openaichat::decodeRequest(body);
    }
    std::unique_ptr<DownstreamEncoder> streamEncoder(const QString& clientModel) const override
    {
        return std::make_unique<EncoderAdapter<openaichat::SseEncoder>>(clientModel, true);
    }
    QByteArray encodeResponse(const canon::Response& response, const QString& clientModel) const override
    {
        return openaichat::encodeResponse(response, clientModel);
    }
    QByteArray encodeError(const canon::Error& error, const QString&) const override
    {
        return openaichat::encodeError(error);
    }
};

// Gemini's encoder does not track outcome and usage itself: observe the events it is given.
class GeminiEncoder : public DownstreamEncoder
{
public:
    GeminiEncoder(const QString& model, bool jsonArray)
        : m_encoder(model)
    {
        m_encoder.setJsonArray(jsonArray);
    }
    void encode(const canon::StreamEvent& event, QByteArray& out) override
    {
        if (event.type == canon::StreamEvent::Type::Failure) {
            m_failed = !m_encoder.finished();
        } else if (!m_encoder.finished()) {
            m_usage.mergeFrom(event.usage);
            if (event.type == canon::StreamEvent::Type::ToolCallStart)
                m_sawTool = true;
            if (event.type == canon::StreamEvent::Type::Finish)
                m_stop = m_sawTool ? canon::StopReason::ToolUse : event.stopReason;
        }
        m_encoder.encode(event, out);
    }
    void fail(const canon::Error& error, QByteArray& out) override
    {
        m_failed = m_failed || !m_encoder.finished();
        m_encoder.fail(error, out);
    }
    void ping(QByteArray&) override { } // comments would break the JSON-array framing; Gemini clients wait
    bool finished() const override { return m_encoder.finished(); }
    bool failed() const override { return m_failed; }
    canon::Usage usage() const override { return m_usage; }
    canon::StopReason stopReason() const override { return m_stop; }

private:
    gemini::SseEncoder m_encoder;
    canon::Usage m_usage;
    canon::StopReason m_stop = canon::StopReason::None;
    bool m_sawTool = false;
    bool m_failed = false;
};

// The Responses encoder writes failures as events itself; this tracks outcome and usage around it.
class ResponsesEncoder : public DownstreamEncoder
{
public:
    explicit ResponsesEncoder(const QString& model)
        : m_encoder(model)
    {
    }
    void encode(const canon::StreamEvent& event, QByteArray& out) override
    {
        if (!m_encoder.finished()) {
            if (event.type == canon::StreamEvent::Type::Failure)
                m_failed = true;
            m_usage.mergeFrom(event.usage);
            if (event.type == canon::StreamEvent::Type::ToolCallStart)
                m_sawTool = true;
            if (event.type == canon::StreamEvent::Type::Finish)
                m_stop = m_sawTool ? canon::StopReason::ToolUse : event.stopReason;
        }
        m_encoder.encode(event, out);
    }
    void fail(const canon::Error& error, QByteArray& out) override
    {
        canon::StreamEvent e = canon::StreamEvent::of(canon::StreamEvent::Type::Failure);
        e.error = error;
        encode(e, out);
    }
    void ping(QByteArray& out) override
    {
        if (!m_encoder.finished())
            out.append(": keep-alive\n\n");
    }
    bool finished() const override { return m_encoder.finished(); }
    bool failed() const override { return m_failed; }
    canon::Usage usage() const override { return m_usage; }
    canon::StopReason stopReason() const override { return m_stop; }

private:
    responses::SseEncoder m_encoder;
    canon::Usage m_usage;
    canon::StopReason m_stop = canon::StopReason::None;
    bool m_sawTool = false;
    bool m_failed = false;
};

class OpenAiResponsesInbound : public InboundAdapter
{
public:
    QString name() const override { return QStringLiteral("openai-responses"); }
    bool relaysTo(ProviderKind kind) const override { return kind == ProviderKind::OpenAiResponses; }
    Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, bool) const override
    {
        return responses::decodeRequest(body);
    }
    std::unique_ptr<DownstreamEncoder> streamEncoder(const QString& clientModel) const override
    {
        return std::make_unique<ResponsesEncoder>(clientModel);
    }
    QByteArray encodeResponse(const canon::Response& response, const QString& clientModel) const override
    {
        return responses::encodeResponse(response, clientModel);
    }
    QByteArray encodeError(const canon::Error& error, const QString&) const override
    {
        return responses::encodeError(error);
    }
};

class GeminiInbound : public InboundAdapter
{
public:
    explicit GeminiInbound(bool jsonArray)
        : m_jsonArray(jsonArray)
    {
    }
    QString name() const override { return QStringLiteral("gemini"); }
    bool relaysTo(ProviderKind kind) const override { return kind == ProviderKind::Gemini; }
    Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, bool) const override
    {
        return gemini::decodeRequest(body, QString());
    }
    std::unique_ptr<DownstreamEncoder> streamEncoder(const QString& clientModel) const override
    {
        return std::make_unique<GeminiEncoder>(clientModel, m_jsonArray);
    }
    QByteArray encodeResponse(const canon::Response& response, const QString& clientModel) const override
    {
        return gemini::encodeResponse(response, clientModel);
    }
    QByteArray encodeError(const canon::Error& error, const QString&) const override
    {
        return gemini::encodeError(error);
    }
    int errorStatus(const canon::Error& error) const override { return gemini::errorHttpStatus(error); }
    QByteArray streamContentType() const override
    {
        return m_jsonArray ? QByteArrayLiteral("application/json") : QByteArrayLiteral("text/event-stream");
    }
    QByteArray encodeTokenCount(qint64 tokens) const override
    {
        return R"({"totalTokens":)" + QByteArray::number(tokens) + '}';
    }

private:
    bool m_jsonArray;
};

} // namespace

QByteArray InboundAdapter::encodeTokenCount(qint64 tokens) const
{
    return R"({"input_tokens":)" + QByteArray::number(tokens) + '}';
}

const InboundAdapter& geminiInbound(bool jsonArray)
{
    static const GeminiInbound sse(false);
    static const GeminiInbound array(true);
    return jsonArray ? array : sse;
}

const InboundAdapter& anthropicInbound()
{
    static const AnthropicInbound adapter;
    return adapter;
}

const InboundAdapter& openAiResponsesInbound()
{
    static const OpenAiResponsesInbound adapter;
    return adapter;
}

const InboundAdapter& openAiChatInbound()
{
    static const OpenAiChatInbound adapter;
    return adapter;
}

const InboundAdapter& inboundForPath(const QByteArray& path)
{
    if (path == "/v1/chat/completions")
        return openAiChatInbound();
    if (path == "/v1/responses")
        return openAiResponsesInbound();
    if (path.startsWith("/v1beta/"))
        return geminiInbound();
    return anthropicInbound();
}

} // namespace sy
