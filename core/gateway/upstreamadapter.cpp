#include "upstreamadapter.h"

#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/gemini/geminirequest.h"
#include "protocol/gemini/geminiresponse.h"
#include "protocol/gemini/geministream.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/openai-responses/responsesrequest.h"
#include "protocol/openai-responses/responsesresponse.h"
#include "protocol/openai-responses/responsesstream.h"
#include "protocol/openai-chat/openaichatresponse.h"
#include "protocol/openai-chat/openaichatstream.h"

namespace sy {

namespace {

template<typename Decoder> class StreamDecoderAdapter : public UpstreamStreamDecoder
{
public:
    explicit StreamDecoderAdapter(const canon::TranslationContext& ctx)
        : m_decoder(ctx)
    {
    }
    void feed(QByteArrayView bytes, canon::StreamEvents& out) override { m_decoder.feed(bytes, out); }
    void finish(canon::StreamEvents& out) override { m_decoder.finish(out); }

private:
    Decoder m_decoder;
};

class OpenAiChatAdapter : public UpstreamAdapter
{
public:
    QByteArray encodeRequest(
        const canon::Request& request, const ModelProfile& profile, canon::TranslationContext& ctx) const override
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
    Result<canon::Response, canon::Error> decodeResponse(
        const QByteArray& body, const canon::TranslationContext& ctx) const override
    {
        return openaichat::decodeResponse(body, ctx);
    }
    canon::Error decodeError(int status, const QByteArray& body, const QByteArray& retryAfter) const override
    {
        return openaichat::decodeError(status, body, retryAfter);
    }
};

// OpenAI Responses (the OpenAI API, and Codex-style backends with a configurable base URL).
class OpenAiResponsesAdapter : public UpstreamAdapter
{
public:
    QByteArray encodeRequest(
        const canon::Request& request, const ModelProfile& profile, canon::TranslationContext& ctx) const override
    {
        return responses::encodeRequest(request, profile, ctx);
    }
    QString path(const QString&, bool) const override { return QStringLiteral("/responses"); }
    HeaderList authHeaders(const QByteArray& secret) const override
    {
        return {qMakePair(QByteArrayLiteral("authorization"), QByteArray("Bearer " + secret))};
    }
    std::unique_ptr<UpstreamStreamDecoder> streamDecoder(const canon::TranslationContext& ctx) const override
    {
        return std::make_unique<StreamDecoderAdapter<responses::StreamDecoder>>(ctx);
    }
    Result<canon::Response, canon::Error> decodeResponse(
        const QByteArray& body, const canon::TranslationContext& ctx) const override
    {
        return responses::decodeResponse(body, ctx);
    }
    canon::Error decodeError(int status, const QByteArray& body, const QByteArray& retryAfter) const override
    {
        return responses::decodeError(status, body, retryAfter);
    }
};

// Google Gemini (AI Studio v1beta, or Vertex with an API key or a bearer token).
class GeminiAdapter : public UpstreamAdapter
{
public:
    QByteArray encodeRequest(
        const canon::Request& request, const ModelProfile& profile, canon::TranslationContext& ctx) const override
    {
        return gemini::encodeRequest(request, profile, ctx);
    }
    QString path(const QString& model, bool stream) const override
    {
        return QLatin1Char('/') + (stream ? gemini::streamPath(model) : gemini::generatePath(model));
    }
    HeaderList authHeaders(const QByteArray& secret) const override
    {
        if (secret.startsWith("ya29.")) // an OAuth access token (Vertex, Google login)
            return {qMakePair(QByteArrayLiteral("authorization"), QByteArray("Bearer " + secret))};
        return {qMakePair(QByteArrayLiteral("x-goog-api-key"), secret)};
    }
    std::unique_ptr<UpstreamStreamDecoder> streamDecoder(const canon::TranslationContext& ctx) const override
    {
        return std::make_unique<StreamDecoderAdapter<gemini::StreamDecoder>>(ctx);
    }
    Result<canon::Response, canon::Error> decodeResponse(
        const QByteArray& body, const canon::TranslationContext& ctx) const override
    {
        return gemini::decodeResponse(body, ctx);
    }
    canon::Error decodeError(int status, const QByteArray& body, const QByteArray& retryAfter) const override
    {
        return gemini::decodeError(status, body, retryAfter);
    }
};

// Anthropic as a translated upstream: used when the client speaks another dialect.
class AnthropicAdapter : public UpstreamAdapter
{
public:
    QByteArray encodeRequest(
        const canon::Request& request, const ModelProfile& profile, canon::TranslationContext& ctx) const override
    {
        canon::Request r = request;
        r.model = ctx.upstreamModel;
        if (profile.maxOutputTokens > 0 && (r.maxTokens <= 0 || r.maxTokens > profile.maxOutputTokens))
            r.maxTokens = profile.maxOutputTokens;
        if (r.maxTokens <= 0)
            r.maxTokens = 8192; // Anthropic requires it; other dialects may leave it out
        return anthropic::encodeRequest(r);
    }
    QString path(const QString&, bool) const override { return QStringLiteral("/v1/messages"); }
    HeaderList authHeaders(const QByteArray& secret) const override
    {
        HeaderList h {qMakePair(QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("2023-06-01"))};
        if (secret.startsWith("sk-ant-oat"))
            h.append(qMakePair(QByteArrayLiteral("authorization"), QByteArray("Bearer " + secret)));
        else
            h.append(qMakePair(QByteArrayLiteral("x-api-key"), secret));
        return h;
    }
    std::unique_ptr<UpstreamStreamDecoder> streamDecoder(const canon::TranslationContext&) const override
    {
        return std::make_unique<AnthropicStreamDecoder>();
    }
    Result<canon::Response, canon::Error> decodeResponse(
        const QByteArray& body, const canon::TranslationContext&) const override
    {
        return anthropic::decodeResponse(body);
    }
    canon::Error decodeError(int status, const QByteArray& body, const QByteArray& retryAfter) const override
    {
        canon::Error e = anthropic::decodeError(status, body);
        bool ok = false;
        const int seconds = retryAfter.trimmed().toInt(&ok);
        if (ok)
            e.retryAfterSeconds = seconds;
        return e;
    }

private:
    class AnthropicStreamDecoder : public UpstreamStreamDecoder
    {
    public:
        void feed(QByteArrayView bytes, canon::StreamEvents& out) override { m_decoder.feed(bytes, out); }
        void finish(canon::StreamEvents& out) override { m_decoder.finish(out); }

    private:
        anthropic::StreamDecoder m_decoder;
    };
};

} // namespace

const UpstreamAdapter* upstreamAdapter(ProviderKind kind)
{
    static const OpenAiChatAdapter chat;
    static const AnthropicAdapter anthropicUpstream;
    static const GeminiAdapter geminiUpstream;
    static const OpenAiResponsesAdapter responsesUpstream;
    switch (kind) {
    case ProviderKind::OpenAiChat:
        return &chat;
    case ProviderKind::Anthropic:
        return &anthropicUpstream;
    case ProviderKind::Gemini:
        return &geminiUpstream;
    case ProviderKind::OpenAiResponses:
        return &responsesUpstream;
    }
    return nullptr;
}

} // namespace sy
