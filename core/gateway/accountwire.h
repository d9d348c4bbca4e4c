#pragma once

#include "gateway/upstreamadapter.h"

#include <QByteArray>
#include <QString>

namespace sy {

// What subscription backends need beyond their public API's dialect. Pure functions, no I/O.

// The ChatGPT Codex backend speaks Responses but requires stream:true, store:false, a non-empty `instructions` and
// include:["reasoning.encrypted_content"], and refuses max_output_tokens and sampling parameters.
QByteArray codexRequestBody(const QByteArray& responsesBody);

// Google Code Assist (the endpoint a Gemini CLI login's token is valid for) wraps a Gemini request:
// {"model", "project", "user_prompt_id", "request": <GenerateContentRequest>}.
QByteArray wrapCodeAssistRequest(
    const QByteArray& geminiBody, const QString& model, const QString& project, const QString& promptId);
// ... and wraps each answer (and each streamed chunk) in {"response": <GenerateContentResponse>, "traceId"}.
QByteArray unwrapCodeAssistResponse(const QByteArray& body);

// The Gemini adapter for Code Assist: paths ":generateContent" / ":streamGenerateContent?alt=sse" on the account's
// base URL, answers unwrapped before the Gemini decoders see them. encodeRequest() gives the bare Gemini body; the
// exchange wraps it with the account's project.
const UpstreamAdapter* codeAssistAdapter();

} // namespace sy
