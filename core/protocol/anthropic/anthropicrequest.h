#pragma once

#include "common/result.h"
#include "protocol/canonical.h"

#include <QByteArray>

namespace sy::anthropic {

enum class RequestKind { Messages, CountTokens };

// Anthropic Messages JSON -> canonical request. Lenient on unknown fields, strict on what the API requires; errors
// are 400 invalid_request_error with a message naming the field.
Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, RequestKind kind = RequestKind::Messages);

struct EncodeOptions
{
    // Drop thinking blocks whose signature Anthropic would reject (gateway-made or empty) and redact nothing else.
    bool forAnthropicUpstream = true;
};

// Canonical request -> Anthropic Messages JSON.
QByteArray encodeRequest(const canon::Request& request, const EncodeOptions& options = {});

// Helpers shared by the Anthropic encoders and decoders.
canon::Part decodeContentBlock(const QJsonObject& block, bool* ok, QString* error);
QJsonObject encodePart(const canon::Part& part);

} // namespace sy::anthropic
