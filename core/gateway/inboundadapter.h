#pragma once

#include "common/result.h"
#include "config/config.h"
#include "protocol/canonical.h"

#include <QByteArray>

#include <memory>

namespace sy {

// Encodes the canonical stream in the client's dialect (SSE).
class DownstreamEncoder
{
public:
    virtual ~DownstreamEncoder() = default;
    virtual void encode(const canon::StreamEvent& event, QByteArray& out) = 0;
    virtual void fail(const canon::Error& error, QByteArray& out) = 0;
    virtual void ping(QByteArray& out) = 0;
    virtual bool finished() const = 0;
    virtual bool failed() const = 0;
    virtual canon::Usage usage() const = 0;
    virtual canon::StopReason stopReason() const = 0;
};

// One client-facing dialect: how requests are read and answers, streams and errors written.
class InboundAdapter
{
public:
    virtual ~InboundAdapter() = default;
    virtual QString name() const = 0;
    // True when a provider of this kind speaks the client's dialect: the request is relayed, not translated.
    virtual bool relaysTo(ProviderKind kind) const = 0;
    virtual Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, bool countTokens) const = 0;
    virtual std::unique_ptr<DownstreamEncoder> streamEncoder(const QString& clientModel) const = 0;
    virtual QByteArray encodeResponse(const canon::Response& response, const QString& clientModel) const = 0;
    virtual QByteArray encodeError(const canon::Error& error, const QString& requestId) const = 0;
    // The HTTP status an error gets in this dialect (Google has no 529, for one).
    virtual int errorStatus(const canon::Error& error) const { return error.httpStatus; }
    virtual QByteArray streamContentType() const { return QByteArrayLiteral("text/event-stream; charset=utf-8"); }
    // The body answering a token count.
    virtual QByteArray encodeTokenCount(qint64 tokens) const;
};

const InboundAdapter& anthropicInbound();
// The dialect of an endpoint, for answers made before the request is read (errors): Anthropic unless the path is an
// OpenAI or Gemini one.
const InboundAdapter& inboundForPath(const QByteArray& path);
const InboundAdapter& openAiChatInbound();
const InboundAdapter& openAiResponsesInbound();
// Gemini generateContent / streamGenerateContent; `jsonArray` for streams requested without alt=sse.
const InboundAdapter& geminiInbound(bool jsonArray = false);

} // namespace sy
