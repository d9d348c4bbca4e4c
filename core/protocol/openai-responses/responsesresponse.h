#pragma once

// Non-streaming OpenAI Responses bodies and error bodies <-> canonical (PROTOCOLS §3.4, §3.6, §6.6, §6.10-6.12).
// Pure functions, no I/O.

#include "common/result.h"
#include "protocol/canonical.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace sy::responses {

// Response object -> canonical response, output[] in order: reasoning -> Reasoning (summary text, else
// reasoning_text; signed with the "openai-responses" gateway signature wrapping encrypted_content; items with
// neither text nor encrypted_content are dropped), message -> one Text part per item (output_text + refusal parts; a
// refusal turns an ordinary stop into Refusal), function_call -> ToolCall (id = call_id restored/sanitized/unique,
// name restored, arguments that are not a JSON object -> {}; the multi_tool_use.parallel wrapper is unwrapped).
// Hosted and other items are skipped. Stop per §6.10 with the tool-use override; usage per §6.11. An {"error":...}
// body, status "failed" and an unparseable body give an Error.
Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body, const canon::TranslationContext& ctx);

// An upstream HTTP error -> canonical error. The body is the Chat Completions envelope {"error":{message,type,
// param,code}} (§3.6), mapped by openaichat::decodeError after Responses-specific codes got their status.
canon::Error decodeError(int httpStatus, const QByteArray& body, const QByteArray& retryAfterHeader);

// Canonical response -> Responses JSON (inbound /v1/responses, non-streaming). MaxTokens / ContextWindowExceeded ->
// status "incomplete" (max_output_tokens), Refusal -> "incomplete" (content_filter), else "completed". Reasoning
// -> a reasoning item with its text as one summary part and encrypted_content = clientEncryptedContent(signature).
QByteArray encodeResponse(const canon::Response& r, const QString& model);

// Canonical error -> OpenAI error body {"error":{"message","type","param","code"}} (the HTTP status is
// error.httpStatus, chosen by the caller). A context overflow ("prompt is too long") gets code
// "context_length_exceeded", a quota error "insufficient_quota", a rate limit "rate_limit_exceeded".
QByteArray encodeError(const canon::Error& error);
// The {"message","type","param","code"} object of encodeError.
QJsonObject errorObject(const canon::Error& error);

} // namespace sy::responses
