#include "gateway/accountwire.h"

#include "protocol/gemini/geminiresponse.h"
#include "protocol/gemini/geministream.h"
#include "protocol/sse/sseparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sy {

QByteArray codexRequestBody(const QByteArray& responsesBody)
{
    QJsonObject o = QJsonDocument::fromJson(responsesBody).object();
    o.insert(QLatin1String("stream"), true);
    o.insert(QLatin1String("store"), false);
    if (o.value(QLatin1String("instructions")).toString().trimmed().isEmpty())
        o.insert(QLatin1String("instructions"), QLatin1String("You are a helpful coding assistant."));
    QJsonArray include = o.value(QLatin1String("include")).toArray();
    if (!include.contains(QLatin1String("reasoning.encrypted_content")))
        include.append(QLatin1String("reasoning.encrypted_content"));
    o.insert(QLatin1String("include"), include);
    for (const char* refused : {"max_output_tokens", "temperature", "top_p", "previous_response_id"})
        o.remove(QLatin1String(refused));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray wrapCodeAssistRequest(
    const QByteArray& geminiBody, const QString& model, const QString& project, const QString& promptId)
{
    QJsonObject request = QJsonDocument::fromJson(geminiBody).object();
    request.remove(QLatin1String("model"));
    QJsonObject o;
    o.insert(QLatin1String("model"), model);
    o.insert(QLatin1String("project"), project);
    o.insert(QLatin1String("user_prompt_id"), promptId);
    o.insert(QLatin1String("request"), request);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray unwrapCodeAssistResponse(const QByteArray& body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    const QJsonObject o = doc.object();
    if (!o.contains(QLatin1String("response")))
        return body; // errors and already-bare answers pass as they are
    QJsonObject inner = o.value(QLatin1String("response")).toObject();
    if (!inner.contains(QLatin1String("responseId")) && o.contains(QLatin1String("traceId")))
        inner.insert(QLatin1String("responseId"), o.value(QLatin1String("traceId")));
    return QJsonDocument(inner).toJson(QJsonDocument::Compact);
}

namespace {

class CodeAssistStreamDecoder : public UpstreamStreamDecoder
{
public:
    explicit CodeAssistStreamDecoder(const canon::TranslationContext& ctx)
        : m_inner(ctx)
    {
    }
    void feed(QByteArrayView bytes, canon::StreamEvents& out) override
    {
        QList<SseEvent> events;
        m_parser.feed(bytes, events);
        forward(events, out);
    }
    void finish(canon::StreamEvents& out) override
    {
        QList<SseEvent> events;
        m_parser.finish(events);
        forward(events, out);
        m_inner.finish(out);
    }

private:
    void forward(const QList<SseEvent>& events, canon::StreamEvents& out)
    {
        for (const SseEvent& e : events) {
            if (e.data.isEmpty())
                continue;
            const QByteArray chunk = "data: " + unwrapCodeAssistResponse(e.data) + "\r\n\r\n";
            m_inner.feed(chunk, out);
        }
    }
    SseParser m_parser;
    gemini::StreamDecoder m_inner;
};

class CodeAssistAdapter : public UpstreamAdapter
{
public:
    QByteArray encodeRequest(
        const canon::Request& request, const ModelProfile& profile, canon::TranslationContext& ctx) const override
    {
        return upstreamAdapter(ProviderKind::Gemini)->encodeRequest(request, profile, ctx);
    }
    QString path(const QString&, bool stream) const override
    {
        return stream ? QStringLiteral(":streamGenerateContent?alt=sse") : QStringLiteral(":generateContent");
    }
    HeaderList authHeaders(const QByteArray& secret) const override
    {
        return {qMakePair(QByteArrayLiteral("authorization"), QByteArray("Bearer " + secret))};
    }
    std::unique_ptr<UpstreamStreamDecoder> streamDecoder(const canon::TranslationContext& ctx) const override
    {
        return std::make_unique<CodeAssistStreamDecoder>(ctx);
    }
    Result<canon::Response, canon::Error> decodeResponse(
        const QByteArray& body, const canon::TranslationContext& ctx) const override
    {
        return gemini::decodeResponse(unwrapCodeAssistResponse(body), ctx);
    }
    canon::Error decodeError(int status, const QByteArray& body, const QByteArray& retryAfter) const override
    {
        return gemini::decodeError(status, body, retryAfter);
    }
};

} // namespace

const UpstreamAdapter* codeAssistAdapter()
{
    static const CodeAssistAdapter adapter;
    return &adapter;
}

} // namespace sy
