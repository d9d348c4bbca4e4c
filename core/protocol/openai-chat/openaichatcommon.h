#pragma once

// Helpers shared by the OpenAI Chat Completions request, response and stream adapters.

#include "protocol/canonical.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace sy::openaichat {

// The provider tag used in gateway signatures of thinking blocks produced by this adapter.
QString signatureProvider();
// makeGatewaySignature(signatureProvider()), computed once.
const QString& reasoningSignature();

// Usage object (`usage`, `x_groq.usage`) -> canonical usage (PROTOCOLS §6.11). Fields the upstream did not report stay
// at -1. Handles prompt_tokens_details.cached_tokens / cache_write_tokens, Kimi's top-level cached_tokens, DeepSeek's
// prompt_cache_hit_tokens / prompt_cache_miss_tokens and reasoning_tokens (in completion_tokens_details or top level).
// outputTokens is completion_tokens as reported (§6.11), also for xAI, whose completion_tokens leave out the reasoning
// tokens it reports separately (those stay visible in reasoningTokens).
canon::Usage parseUsage(const QJsonObject& usage);

// finish_reason -> stop reason before the tool-use override (PROTOCOLS §6.10). Unknown or empty values give EndTurn.
canon::StopReason stopReasonFromFinish(QStringView finishReason);
// The inverse, for encoding a chat.completion.
QString finishReasonFor(canon::StopReason reason);

// Applies the global override of §6.10: tool_use iff at least one tool call was emitted.
canon::StopReason applyToolUseOverride(canon::StopReason reason, bool sawToolCall);

// A tool-call id Anthropic accepts (^[a-zA-Z0-9_-]+$): invalid characters become '_'; an empty id becomes a fresh
// "toolu_<24 hex>".
QString sanitizeToolCallId(const QString& id);
QString generateToolCallId();

// The upstream name of a client tool: unchanged when it already matches ^[a-zA-Z0-9_-]{1,64}$, otherwise the
// sanitized name cut to 55 characters + '_' + 8 hex digits of a hash of the original (deterministic).
QString shortenToolName(const QString& name);

// An error object as found in bodies and stream chunks ({"message","type","code",...}) -> canonical error.
// `httpStatus` is the HTTP status of the exchange (0 or 200 when the error arrived inside a successful response; the
// status is then derived from the error's own code/type).
canon::Error errorFromObject(
    int httpStatus, const QJsonObject& error, const QByteArray& retryAfter = {}, const QByteArray& retryAfterMs = {});

// For tool arguments cut short (max_tokens, dropped connection): the text to APPEND to `prefix` so that it becomes a
// complete JSON object (closing strings, completing literals, adding `null` for a missing value, closing brackets).
// Returns false when no suffix can make it an object (e.g. the prefix is not the start of an object, or is already
// complete/invalid). "{\"a\":\"x" -> "\"}"; "{\"a\":[1," -> "null]}"; "{\"a\"" -> ":null}".
bool jsonObjectCompletion(QStringView prefix, QString* suffix);

// Parses "data:<mime>;base64,<payload>". Returns false for anything else.
bool parseDataUrl(const QString& url, QString* mediaType, QString* data);

} // namespace sy::openaichat
