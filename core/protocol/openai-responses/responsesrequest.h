#pragma once

// Canonical request <-> OpenAI Responses request body (PROTOCOLS §3.2-3.3, §6.5). Pure functions, no I/O.

#include "common/result.h"
#include "config/config.h"
#include "protocol/canonical.h"

#include <QByteArray>

namespace sy::responses {

// Canonical -> Responses JSON body for `ctx.upstreamModel` (falls back to req.model when empty). Always stateless:
// `store:false`, no item `id`s (P14), `stream` as requested.
//  * System text (minus Claude Code's `x-anthropic-billing-header:` block) -> `instructions`; a Role::System message
//    later in the conversation -> a `developer` message item at that point.
//  * User text / image (data URL or URL) / document (PDF -> input_file, text -> input_text) -> one `message` item;
//    assistant text -> `message` with output_text parts; ToolCall -> `function_call` (arguments as a JSON string);
//    ToolResult -> `function_call_output` (a string, or a list with input_text / input_image / input_file when the
//    result holds images or PDFs; `is_error` prefixes "Error: ").
//  * A Reasoning part whose signature is a gateway signature of this adapter with a payload -> a `reasoning` item
//    {summary:[], encrypted_content} at its place, i.e. before the message / function_call it preceded. Any other
//    reasoning (Anthropic-native, other providers, redacted) is dropped.
//  * call_ids longer than 64 characters are shortened (upstreamCallId) and recorded in ctx; tool names outside
//    ^[a-zA-Z0-9_-]{1,64}$ are shortened and recorded in ctx.toolNameToClient.
//  * Pairing repair: a function_call_output without an earlier function_call is dropped, and a call left unanswered
//    by the next user message gets a placeholder output, so the upstream never sees an unpaired item.
//  * Tools -> flat `{type:"function", name, description, parameters (lenient sanitize), strict:false}`; builtin
//    (server) tools are dropped; tool_choice auto/any/tool/none -> "auto"/"required"/{type:"function",name}/"none";
//    disable_parallel -> parallel_tool_calls:false.
//  * max_output_tokens = openaichat::clampMaxTokens (at least 16); temperature/top_p passed; stop sequences dropped
//    (Responses has none, §8.10); outputSchema -> text.format json_schema (strict:false).
//  * Thinking on (enabled/adaptive) -> reasoning:{effort, summary:"auto"} + include:["reasoning.encrypted_content"].
//    Effort: thinking.effort (low/medium/high; xhigh and max -> "high", or "xhigh" when profile.reasoningStyle is
//    "xhigh"), else the budget bucket (<=1024 low, <=8192 medium, else high), else medium (enabled) / high
//    (adaptive). profile.reasoningStyle "none" sends no reasoning parameters.
QByteArray encodeRequest(const canon::Request& req, const ModelProfile& profile, canon::TranslationContext& ctx);

// Responses JSON body -> canonical request (inbound /v1/responses, e.g. Codex CLI). `input` as a string is one user
// message. instructions and leading system/developer items -> system; later ones -> Role::System messages.
// function_call items join the preceding assistant message (tool calls after its text), function_call_output items
// become ToolResult parts of a user message ("Error: " prefix -> is_error); reasoning items with encrypted_content
// or summary text become Reasoning parts (summary text as their text, signature =
// signatureFromClientEncryptedContent, so signatures we handed out come back unchanged). Tools: `function` tools only
// (namespace, custom, hosted and other tool types are dropped). reasoning.effort -> Thinking::Adaptive + effort ("none"
// -> disabled); max_output_tokens, temperature, top_p, tool_choice, parallel_tool_calls, stream and text.format
// json_schema are read; store, include, previous_response_id and the rest are ignored. Fails with a 400
// invalid_request_error for bodies that are not JSON objects or have no input.
Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body);

} // namespace sy::responses
