#pragma once

#include "common/result.h"
#include "config/config.h"
#include "protocol/canonical.h"
#include "upstream/upstreamclient.h"

#include <memory>

namespace sy {

// A translated upstream dialect's decoder of a streamed answer.
class UpstreamStreamDecoder
{
public:
    virtual ~UpstreamStreamDecoder() = default;
    virtual void feed(QByteArrayView bytes, canon::StreamEvents& out) = 0;
    virtual void finish(canon::StreamEvents& out) = 0;
};

// Everything the exchange needs to talk to one kind of provider through the canonical model: the request body,
// where it goes and how it authenticates, and how answers and errors come back.
class UpstreamAdapter
{
public:
    virtual ~UpstreamAdapter() = default;
    virtual QByteArray encodeRequest(
        const canon::Request& request, const ModelProfile& profile, canon::TranslationContext& ctx) const = 0;
    // Path appended to the provider's base_url.
    virtual QString path(const QString& model, bool stream) const = 0;
    virtual HeaderList authHeaders(const QByteArray& secret) const = 0;
    virtual std::unique_ptr<UpstreamStreamDecoder> streamDecoder(const canon::TranslationContext& ctx) const = 0;
    virtual Result<canon::Response, canon::Error> decodeResponse(
        const QByteArray& body, const canon::TranslationContext& ctx) const = 0;
    virtual canon::Error decodeError(int status, const QByteArray& body, const QByteArray& retryAfter) const = 0;
};

// The adapter for a provider kind when the request is translated; nullptr for kinds this build cannot reach.
const UpstreamAdapter* upstreamAdapter(ProviderKind kind);

} // namespace sy
