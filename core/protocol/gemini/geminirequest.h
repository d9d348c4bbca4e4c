#pragma once

// Canonical request <-> Gemini GenerateContentRequest (PROTOCOLS §4.2-4.6, §6.7, §6.13-6.15, §6.21). Pure functions,
// no I/O.

#include "common/result.h"
#include "config/config.h"
#include "protocol/canonical.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace sy::gemini {

// Request paths relative to the API base (".../v1beta/"): "models/<model>:streamGenerateContent?alt=sse" and
// "models/<model>:generateContent". A leading "models/" in `model` is not doubled.
QString streamPath(const QString& model);
QString generatePath(const QString& model);

// Canonical -> GenerateContentRequest JSON (the model goes in the URL, not the body).
//  * systemInstruction from the system text parts (the x-anthropic-billing-header block dropped) and from system
//    messages before the first user/assistant message; later system messages become user text.
//  * contents alternate user/model (consecutive same-role turns merged), start with a user turn, and follow the
//    conversation-shape rules of §4.6 / P25: every model turn with functionCalls is followed by ONE user turn holding
//    exactly one functionResponse per call, in call order (missing results are synthesized as an "interrupted"
//    error, results that answer no call of the preceding model turn are dropped), then the images of those results as
//    inlineData; other user content of the same message goes into a separate following user turn.
//  * functionResponse.name is the name of the matching call (looked up by id in the preceding model turn);
//    functionCall.id / functionResponse.id are sent when the call id came from Gemini (not toolu_/call_/fc_ ids).
//  * A Reasoning part whose signature is a gateway signature tagged "gemini" puts its thoughtSignature back on the
//    part that follows it in the same assistant message (a text or functionCall part: a SIBLING of functionCall);
//    if nothing follows, or another signed Reasoning part follows, it becomes its own part ({"text":"","thought
//    Signature"} or {"text":<thinking>,"thought":true,"thoughtSignature"}). Other reasoning is dropped. For Gemini 3+
//    models the first functionCall of a model turn that has no signature gets skipSignatureSentinel().
//  * tools: one {"functionDeclarations":[...]} with parametersJsonSchema = sanitizeToolSchema(input_schema); names
//    outside [A-Za-z0-9_.:-]{1,64} are renamed (upstreamToolName) and recorded in ctx.toolNameToClient; builtin
//    (provider-executed Anthropic) tools are dropped.
//  * toolConfig.functionCallingConfig: auto -> AUTO, any -> ANY, tool -> ANY + allowedFunctionNames, none -> NONE.
//  * generationConfig: maxOutputTokens (openaichat::clampMaxTokens), temperature, topP, topK, stopSequences (<= 5),
//    thinkingConfig {thinkingBudget, includeThoughts:true} when thinking is enabled/adaptive (a budget not below
//    maxOutputTokens is cut to half of it, at least 512), responseMimeType +
//    responseJsonSchema for a structured-output schema.
QByteArray encodeRequest(const canon::Request& req, const ModelProfile& profile, canon::TranslationContext& ctx);

// The §6.14 "gemini" schema profile for one tool's parameters (the root is always an object with properties).
// Resolves local $ref against $defs/definitions (cycles cut), const -> enum, enum values -> strings (enums on
// non-string types dropped), allOf merged, oneOf -> anyOf, {type:"null"} branches and type arrays -> nullable,
// several non-null types -> anyOf, integer exclusiveMinimum/Maximum -> inclusive minimum/maximum, string formats
// other than enum/date-time dropped, objects get properties:{}, required pruned to existing properties, and every
// keyword outside the Schema subset removed. Only schema positions are walked; property NAMES are never touched.
QJsonObject sanitizeToolSchema(const QJsonObject& schema);
// Same profile for any schema (structured output), without forcing an object root.
QJsonObject sanitizeSchema(const QJsonObject& schema);

// thinkingConfig.thinkingBudget for the request's thinking settings, or false when no thinkingConfig is sent
// (thinking unset or disabled). Budget: the given budget clamped to [512, 24576]; effort low 1024, medium 8192,
// high/xhigh/max 24576, minimal 512; -1 (dynamic) when neither is given.
bool thinkingBudget(const canon::Thinking& thinking, int* budget);

// GenerateContentRequest JSON -> canonical request (inbound Gemini clients, and round-trip tests). `model` comes from
// the URL. functionCall parts without ids get deterministic ids "call_<content index>_<part index>" (the same
// history gives the same ids on every turn), and functionResponse parts are paired with the calls of the preceding
// model turn by id, else by name in order, else by position. A thoughtSignature becomes the Reasoning (or
// RedactedReasoning) part placed before the part it rode on (partFromClientThoughtSignature); unsigned thought parts
// are display-only and dropped. Tools: functionDeclarations (parametersJsonSchema, or parameters converted from the
// proto Schema), googleSearch -> the web_search builtin. toolConfig, generationConfig (maxOutputTokens, sampling,
// stopSequences, thinkingConfig budget/level, response schema) map onto the canonical fields. Fails with a 400 for a
// body that is not a JSON object.
Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, const QString& model);

} // namespace sy::gemini
