#pragma once

// Helpers shared by the OpenAI Responses request, response and stream adapters (PROTOCOLS §3, §6.5-6.6).

#include "protocol/canonical.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace sy::responses {

// The provider tag of gateway signatures that wrap a Responses reasoning item ("sy1.openai-responses.<payload>").
QString signatureProvider();
// The signature of a reasoning item: its encrypted_content (UTF-8 bytes) as the payload; empty payload if none.
QString reasoningSignature(const QString& encryptedContent);
// The encrypted_content wrapped in `signature`; empty for anything that is not one of our non-empty signatures.
QString encryptedContentFromSignature(const QString& signature);

// Inbound direction (a Responses client such as Codex keeps our reasoning items and sends them back): the
// `encrypted_content` we give the client for a reasoning block's signature, and the signature we rebuild from it.
// Our own signatures carry the upstream's encrypted_content, which is passed through unchanged; any other non-empty
// signature (Anthropic-native, another provider's gateway signature) travels as "sy1sig:<signature>", so a later
// turn restores it byte-exact (Anthropic needs the thinking block of a tool-use turn back with its signature).
QString clientEncryptedContent(const QString& signature);
QString signatureFromClientEncryptedContent(const QString& encryptedContent);

// Responses `usage` -> canonical usage (PROTOCOLS §6.11): input = input_tokens - cached_tokens - cache_write_tokens
// (floor 0; input_tokens includes both), cacheRead = cached_tokens, cacheWrite = cache_write_tokens, output =
// output_tokens (includes reasoning), reasoning = output_tokens_details.reasoning_tokens. Unreported fields stay -1.
canon::Usage parseUsage(const QJsonObject& usage);
// The inverse, for the inbound direction (Responses usage object).
QJsonObject usageObject(const canon::Usage& usage);

// response.status + incomplete_details.reason -> stop reason before the tool-use override: "incomplete" with
// "max_output_tokens" (or any other/unknown reason) -> MaxTokens, with "content_filter" -> Refusal, else EndTurn.
canon::StopReason stopReasonFor(QStringView status, QStringView incompleteReason);

// An error object of a Responses body, `error` event or failed response ({code, message, type?, param?}, flat or
// nested under "error") -> canonical error. Responses-specific codes get their status first (rate_limit_exceeded 429,
// insufficient_quota 429 without retry, server_error 500, context_length_exceeded 400 "prompt is too long: ...",
// invalid_prompt / invalid_image* 400, vector_store_timeout 504); the rest follows openaichat::errorFromObject.
canon::Error errorFromObject(int httpStatus, const QJsonObject& error, const QByteArray& retryAfter = {});

// Responses limits call_id to 64 characters (P23): longer ids become their first 47 characters + '_' + 16 hex
// digits of a SHA-256 of the whole id (deterministic, so a call and its output always agree).
QString upstreamCallId(const QString& clientId);
// Remembers a shortened call id in ctx (under a key no tool name can have) so decoders can restore it.
void recordCallId(canon::TranslationContext& ctx, const QString& upstreamId, const QString& clientId);
// The client's id for an upstream call_id: the recorded original if it was shortened, else the id itself.
QString clientCallId(const canon::TranslationContext& ctx, const QString& upstreamId);
QString clientCallId(const QHash<QString, QString>& toolNameToClient, const QString& upstreamId);

// Final text of a message output item: its output_text parts and refusal parts (refusal set if any).
QString messageItemText(const QJsonObject& item, bool* refusal);
// Text of a reasoning item: its summary parts, else its reasoning_text content parts, joined with blank lines.
QString reasoningItemText(const QJsonObject& item);

// The `multi_tool_use.parallel` leak (§3.5 notes): a function call named "parallel" / "multi_tool_use.parallel" whose
// arguments are {"tool_uses":[{"recipient_name":"functions.<name>","parameters":{...}}, ...]}. Returns false unless
// the name and the arguments have exactly that shape; otherwise fills `out` with (name, arguments) pairs, the
// "functions." prefix stripped.
struct WrappedCall
{
    QString name;
    QJsonObject arguments;
};
bool isParallelWrapperName(QStringView name);
bool unwrapParallelCalls(const QString& name, const QString& arguments, QList<WrappedCall>* out);

} // namespace sy::responses
