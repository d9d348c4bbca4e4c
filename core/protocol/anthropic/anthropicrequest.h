#pragma once

#include "common/result.h"
#include "protocol/canonical.h"

#include <QByteArray>

namespace sy::anthropic {

enum class RequestKind { Messages, CountTokens };

// Anthropic Messages JSON -> canonical request. Lenient on unknown fields, strict on what the API requires; errors
// are 400 invalid_request_error with a message naming the field.
// Reads the body's JSON tape directly (json::TapeDocument); bodies the tape does not take go to decodeRequestViaQJson.
Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, RequestKind kind = RequestKind::Messages);
// The same decoder over the QJsonObject that json::parse builds: the route for invalid JSON (its error message) and
// rare documents, and the reference the tape route is tested against. Same results for every body.
Result<canon::Request, canon::Error> decodeRequestViaQJson(
    const QByteArray& body, RequestKind kind = RequestKind::Messages);

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
