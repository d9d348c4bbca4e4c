#include "upstreamadapter.h"

#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/openai-chat/openaichatresponse.h"
#include "protocol/openai-chat/openaichatstream.h"

namespace sy {

namespace {

template<typename Decoder>
class StreamDecoderAdapter : public UpstreamStreamDecoder {
public:
    explicit StreamDecoderAdapter(const canon::TranslationContext& ctx) : m_decoder(ctx) { }
    void feed(QByteArrayView bytes, canon::StreamEvents& out) override { m_decoder.feed(bytes, out); }
    void finish(canon::StreamEvents& out) override { m_decoder.finish(out); }

private:
    Decoder m_decoder;
};

class OpenAiChatAdapter : public UpstreamAdapter {
public:
    QByteArray encodeRequest(const canon::Request& request, const ModelProfile& profile,
                             canon::TranslationContext& ctx) const override
    {
        return openaichat::encodeRequest(request, profile, ctx);
    }
    QString path(const QString&, bool) const override { return QStringLiteral("/chat/completions"); }
    HeaderList authHeaders(const QByteArray& secret) const override
    {
        return {qMakePair(QByteArrayLiteral("authorization"), QByteArray("Bearer " + secret))};
    }
    std::unique_ptr<UpstreamStreamDecoder> streamDecoder(const canon::TranslationContext& ctx) const override
    {
        return std::make_unique<StreamDecoderAdapter<openaichat::StreamDecoder>>(ctx);
    }
    Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body,
                                                         const canon::TranslationContext& ctx) const override
    {
        return openaichat::decodeResponse(body, ctx);
    }
    canon::Error decodeError(int status, const QByteArray& body, const QByteArray& retryAfter) const override
    {
        return openaichat::decodeError(status, body, retryAfter);
    }
};

} // namespace

const UpstreamAdapter* upstreamAdapter(ProviderKind kind)
{
    static const OpenAiChatAdapter chat;
    switch (kind) {
    case ProviderKind::OpenAiChat:
        return &chat;
    case ProviderKind::Anthropic:
    case ProviderKind::OpenAiResponses:
    case ProviderKind::Gemini:
        return nullptr;
    }
    return nullptr;
}

} // namespace sy
