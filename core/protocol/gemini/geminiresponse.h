#pragma once

// Non-streaming Gemini GenerateContentResponse bodies and error bodies <-> canonical (PROTOCOLS §4.7, §4.10, §6.8,
// §6.10-6.12). Pure functions, no I/O.

#include "common/result.h"
#include "protocol/canonical.h"

#include <QByteArray>
#include <QString>

namespace sy::gemini {

// GenerateContentResponse JSON (or a JSON array of streamed chunks, as streamGenerateContent without alt=sse
// answers) -> canonical response. The parts are read exactly as StreamDecoder reads them (same blocks, signatures and
// stop reasons; see geministream.h), so a non-streamed answer equals the accumulated stream. A missing finishReason is
// an ordinary end_turn here. An {"error":...} body, a body that is not JSON, a body with neither candidates nor
// promptFeedback.blockReason, and MALFORMED_FUNCTION_CALL with nothing produced give an Error.
Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body, const canon::TranslationContext& ctx);

// An upstream HTTP error -> canonical error (§6.12). Understands {"error":{"code","message","status","details"}}, the
// same wrapped in an array, and non-JSON bodies. `retryAfterHeader` is Retry-After; without it a RetryInfo
// retryDelay ("34.4s") gives the retry delay (35). The provider's message is kept; the caller prefixes the provider.
canon::Error decodeError(int httpStatus, const QByteArray& body, const QByteArray& retryAfterHeader = {});

// Canonical response -> GenerateContentResponse JSON (inbound Gemini clients): candidates[0].content.parts (thought
// parts, text, functionCall with args and id; each thinking block's signature rides on the next part as a
// clientThoughtSignature token, exactly as SseEncoder does), finishReason (finishReasonFor), usageMetadata
// (usageMetadataFor), modelVersion (`model`, else the response's model), responseId.
QByteArray encodeResponse(const canon::Response& r, const QString& model);

// Canonical error -> Google error body {"error":{"code","message","status"}} (+ RetryInfo when a retry delay is
// known), and the HTTP status to send it with.
QByteArray encodeError(const canon::Error& error);
int errorHttpStatus(const canon::Error& error);

} // namespace sy::gemini
