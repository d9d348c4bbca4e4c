#pragma once

// Helpers shared by the Gemini (generativelanguage v1beta / Vertex AI) request, response and stream adapters
// (PROTOCOLS §4, §6.7-6.8, §6.10-6.15). Pure functions, no I/O.

#include "protocol/canonical.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace sy::gemini {

// The provider tag of gateway signatures that carry a Gemini thoughtSignature.
QString signatureProvider();
// A Gemini thoughtSignature wrapped as a gateway signature "sy1.gemini.<base64url of the signature's bytes>".
QString wrapThoughtSignature(const QString& thoughtSignature);
// The thoughtSignature inside a gateway signature tagged "gemini"; empty for anything else (Anthropic-native
// signatures, other providers, untagged or empty gateway signatures).
QString unwrapThoughtSignature(const QString& signature);

// The thoughtSignature a Gemini CLIENT gets for a canonical thinking block (inbound direction). Gemini clients echo
// thoughtSignatures back verbatim but may drop thought parts, so the token must carry everything needed to rebuild the
// block: a "gemini" gateway signature gives the raw Gemini signature back; any other signature (Anthropic-native,
// other gateways) or redacted thinking data is packed with its thinking text as base64("sy-thinking:" + JSON).
// Empty when there is nothing worth replaying.
QString clientThoughtSignature(const QString& signature, const QString& thinking);
QString clientRedactedSignature(const QString& data);
// The inverse: a thoughtSignature from a Gemini client -> the canonical Reasoning / RedactedReasoning part it stands
// for. A raw Gemini signature becomes a Reasoning part (text `thoughtText`) with a "gemini" gateway signature.
canon::Part partFromClientThoughtSignature(const QString& token, const QString& thoughtText = {});

// The sentinel Google documents for replaying function calls that have no real signature (Gemini 3 validation).
QString skipSignatureSentinel();

// usageMetadata -> canonical usage (§6.11). input = promptTokenCount - cachedContentTokenCount (+
// toolUsePromptTokenCount), cacheRead = cachedContentTokenCount, output = candidatesTokenCount + thoughtsTokenCount.
// Fields the chunk does not report stay at -1 (Vertex stream chunks often carry only {"trafficType":...}).
canon::Usage parseUsage(const QJsonObject& usageMetadata);
// The inverse, for Gemini clients: promptTokenCount = input + cacheRead + cacheWrite, cachedContentTokenCount =
// cacheRead (when > 0), candidatesTokenCount = output - reasoning, thoughtsTokenCount = reasoning, totalTokenCount.
// Unknown fields are left out (an empty object when nothing is known).
QJsonObject usageMetadataFor(const canon::Usage& usage);

// finishReason -> stop reason before the tool-use override (§6.10): STOP / OTHER / unknown -> EndTurn, MAX_TOKENS ->
// MaxTokens, the safety family (SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, LANGUAGE, IMAGE_*) -> Refusal.
canon::StopReason stopReasonFromFinish(QStringView finishReason);
// MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS: the model failed to produce a usable call.
bool isToolFailureFinish(QStringView finishReason);
// The inverse of stopReasonFromFinish, for encoding a GenerateContentResponse.
QString finishReasonFor(canon::StopReason reason);

// A function name Gemini accepts ([A-Za-z0-9_.:-], first character a letter or '_', at most 64 characters).
bool isValidToolName(const QString& name);
// The upstream name of a client tool: unchanged when valid, otherwise the sanitized name cut to 55 characters + '_' +
// 8 hex digits of a hash of the original (deterministic).
QString upstreamToolName(const QString& name);

// Seconds to wait from a google.rpc.RetryInfo detail ("retryDelay": "34.4s" -> 35); -1 when there is none.
int retryDelaySeconds(const QJsonObject& error);

// A Google error object ({"code","message","status","details"}) -> canonical error (§6.12). `httpStatus` is the
// exchange's status (0 for an error inside a 200 stream; the error's own code is used then). RetryInfo supplies the
// retry delay when there is no Retry-After header; an API_KEY_INVALID reason becomes an authentication error; context
// overflow messages ("The input token count (N) exceeds the maximum number of tokens allowed (M)") are rewritten to
// Anthropic's "prompt is too long: N tokens > M maximum".
canon::Error errorFromGoogle(int httpStatus, const QJsonObject& error, const QByteArray& retryAfterHeader = {});

// HTTP status <-> google.rpc.Code name (for encoding errors to Gemini clients).
QString statusNameForHttp(int httpStatus);
int httpStatusForError(const canon::Error& error);
// {"error":{"code","message","status"(,"details":[RetryInfo])}} for a canonical error.
QJsonObject googleError(const canon::Error& error);

} // namespace sy::gemini
