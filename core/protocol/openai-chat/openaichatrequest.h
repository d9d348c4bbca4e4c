#pragma once

// Canonical request <-> OpenAI Chat Completions request body (PROTOCOLS §2.2-2.4, §6.2). Pure functions, no I/O.

#include "common/result.h"
#include "config/config.h"
#include "protocol/canonical.h"

#include <QByteArray>

namespace sy::openaichat {

// Canonical -> Chat Completions JSON body for `ctx.upstreamModel` (falls back to req.model when empty).
// Tool names the upstream would reject (longer than 64 characters or outside [A-Za-z0-9_-]) are shortened
// deterministically and recorded in ctx.toolNameToClient (upstream name -> client name), so the response decoders
// can restore them. The conversation is repaired so the upstream's ordering rules hold (PROTOCOLS §7 P4):
// an unanswered tool call gets a placeholder tool message; a tool result that does not answer a call of the
// immediately preceding assistant message is dropped.
QByteArray encodeRequest(const canon::Request& req, const ModelProfile& profile, canon::TranslationContext& ctx);

// Chat Completions JSON body -> canonical request (used for round-trip tests and an inbound /v1/chat/completions).
// Fails with a 400 invalid_request_error for bodies that are not JSON objects or have no messages array.
Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body);

// Thinking budget -> reasoning_effort bucket: <= 1024 "low", <= 8192 "medium", otherwise "high".
QString reasoningEffortForBudget(int budgetTokens);

// The max_tokens value sent upstream (0: omit): the request's value clamped to the profile's output limit and, when
// the context window is known, to window - estimated input - margin (never below min(requested, 1024)).
int clampMaxTokens(const canon::Request& req, const ModelProfile& profile);

} // namespace sy::openaichat
