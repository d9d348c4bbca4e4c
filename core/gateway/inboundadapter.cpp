#include "inboundadapter.h"

#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/openai-chat/openaichatencoder.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/openai-chat/openaichatresponse.h"

namespace sy {

namespace {

template<typename Encoder>
class EncoderAdapter : public DownstreamEncoder {
public:
    template<typename... Args>
    explicit EncoderAdapter(Args&&... args) : m_encoder(std::forward<Args>(args)...)
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

class AnthropicInbound : public InboundAdapter {
public:
    QString name() const override { return QStringLiteral("anthropic"); }
    bool relaysTo(ProviderKind kind) const override { return kind == ProviderKind::Anthropic; }
    Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, bool countTokens) const override
    {
        return anthropic::decodeRequest(body, countTokens ? anthropic::RequestKind::CountTokens
                                                          : anthropic::RequestKind::Messages);
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

class OpenAiChatInbound : public InboundAdapter {
public:
    QString name() const override { return QStringLiteral("openai-chat"); }
    bool relaysTo(ProviderKind) const override { return false; }
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

} // namespace

const InboundAdapter& anthropicInbound()
{
    static const AnthropicInbound adapter;
    return adapter;
}

const InboundAdapter& openAiChatInbound()
{
    static const OpenAiChatInbound adapter;
    return adapter;
}

} // namespace sy
