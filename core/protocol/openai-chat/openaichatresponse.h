#pragma once

// Non-streaming OpenAI Chat Completions responses and error bodies <-> canonical (PROTOCOLS §2.5, §2.7, §6.3,
// §6.10-6.12). Pure functions, no I/O.

#include "common/result.h"
#include "protocol/canonical.h"

#include <QByteArray>
#include <QString>

namespace sy::openaichat {

// chat.completion JSON -> canonical response: [reasoning?] [text?] [tool calls*]. Reasoning (reasoning_content,
// reasoning, or Mistral "thinking" content parts) carries a gateway signature. Tool-call ids are sanitized (or
// generated), names restored through ctx.toolNameToClient, arguments that are not a JSON object become {}.
// message.refusal is kept as text and turns an ordinary stop into StopReason::Refusal. An {"error":...} body, an
// unparseable body, a body without choices, and the finish reasons "insufficient_system_resource" / "error" give an
// Error.
Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body, const canon::TranslationContext& ctx);

// Canonical response -> chat.completion JSON (for round trips and an inbound /v1/chat/completions).
QByteArray encodeResponse(const canon::Response& r, const QString& model);

// An upstream HTTP error (status + body + Retry-After) -> canonical error (PROTOCOLS §6.12, §2.7). The provider's
// own message is kept; the caller prefixes the provider id. `retryAfterHeader` is Retry-After (delta-seconds or an
// HTTP-date), `retryAfterMsHeader` the optional retry-after-ms.
canon::Error decodeError(int httpStatus, const QByteArray& body, const QByteArray& retryAfterHeader,
    const QByteArray& retryAfterMsHeader = {});

} // namespace sy::openaichat
