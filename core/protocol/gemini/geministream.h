#pragma once

// Gemini streamGenerateContent -> canonical stream events (PROTOCOLS §4.7-4.8, §6.8, §6.10-6.12). Pure: bytes in,
// events out; any split of the input gives the same events.
//
// Framing: `alt=sse` (data: <GenerateContentResponse>, CRLF or LF) or, for a request without alt=sse, one streamed JSON
// array `[{...},{...}]` (a plain JSON object is accepted too). The framing is chosen from the first non-blank byte.
//
// Event shape:
//  * MessageStart once, from the first chunk (id = responseId, text = modelVersion, usage of that chunk).
//  * Parts of candidates[0], in order:
//    - thought:true text -> ReasoningDelta. A thoughtSignature on a thought part follows its text (ReasoningSignature
//      + BlockEnd).
//    - a thoughtSignature on any other part -> ReasoningSignature (a gateway signature tagged "gemini" wrapping the
//      signature) on the open unsigned thinking block, or on a new empty one, then BlockEnd, BEFORE that part's own
//      events: the thinking block that precedes a text/functionCall block carries that part's signature, so
//      encodeRequest can put it back on exactly that part (§6.21). A signature on an empty text part (the usual
//      trailing one) therefore becomes an empty signed thinking block and never an empty text block.
//    - non-empty text -> TextDelta (a text block is closed with BlockEnd before any other block).
//    - functionCall with args -> ToolCallStart (id = the Gemini id, sanitized, else a generated "toolu_..."; name
//      restored through ctx.toolNameToClient) + one ToolCallArgsDelta (compact JSON, "{}" when absent) + BlockEnd.
//    - Vertex streamed arguments: a functionCall with a name and willContinue:true opens the call (ToolCallStart at
//      once); following nameless functionCall parts add partialArgs (jsonPath + string/number/bool/null/struct/list
//      value; strings append) until one arrives without willContinue (or a `{}` part, a part of another kind, a new
//      named call, or the finish); then the assembled arguments go out as one ToolCallArgsDelta + BlockEnd.
//    - inlineData / fileData / executableCode / codeExecutionResult parts carry no text for the client: only their
//      signature is kept.
//  * usageMetadata on every chunk is a running total: input = prompt - cached (+ toolUsePrompt), cacheRead = cached,
//    output = candidates + thoughts; reported in Finish.
//  * Finish (at EOF, after the chunk with finishReason) with §6.10 stop reasons and the override tool_use iff a call
//    was emitted; safety reasons give Refusal. A prompt blocked with no candidates (promptFeedback.blockReason) gives
//    an empty answer with Refusal. MALFORMED_FUNCTION_CALL / UNEXPECTED_TOOL_CALL / TOO_MANY_TOOL_CALLS give a
//    retryable Failure (api_error) when nothing was produced, else an ordinary end_turn.
//  * Failure (terminal) for an {"error":{...}} chunk (§6.12 mapping, RetryInfo -> retryAfterSeconds), data that is not
//    JSON (before the finish), and EOF without finishReason ("upstream stream ended prematurely").
//  * After Finish or Failure everything is ignored.

#include "protocol/canonical.h"
#include "protocol/sse/sseparser.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <memory>

namespace sy::gemini {

class StreamDecoder
{
public:
    explicit StreamDecoder(const canon::TranslationContext& ctx);
    ~StreamDecoder();
    StreamDecoder(const StreamDecoder&) = delete;
    StreamDecoder& operator=(const StreamDecoder&) = delete;

    void feed(QByteArrayView bytes, canon::StreamEvents& out);
    // Upstream EOF.
    void finish(canon::StreamEvents& out);
    // Finish or Failure was emitted; later input is ignored.
    bool done() const { return m_done; }

    // The input is one complete non-streamed body: a missing finishReason ends the answer normally (end_turn) instead
    // of counting as a truncated stream.
    void setWholeBody(bool whole) { m_wholeBody = whole; }

private:
    enum class Framing { Unknown, Sse, Json };
    enum class Open { None, Reasoning, Text, Tool };
    struct ArgNode;

    void feedJson(QByteArrayView bytes, canon::StreamEvents& out);
    void handleData(const QByteArray& data, canon::StreamEvents& out);
    void handleChunk(const QJsonObject& chunk, canon::StreamEvents& out);
    void handlePart(const QJsonObject& part, canon::StreamEvents& out);
    void handleFunctionCall(const QJsonObject& call, const QString& signature, canon::StreamEvents& out);
    void applyPartialArgs(const QJsonArray& partialArgs);
    void closeOpen(canon::StreamEvents& out);
    void signature(const QString& thoughtSignature, canon::StreamEvents& out);
    void emitFinish(canon::StreamEvents& out);
    void fail(const canon::Error& error, canon::StreamEvents& out);
    QString callId(const QString& upstreamId);

    QHash<QString, QString> m_toolNameToClient;
    bool m_wholeBody = false;

    Framing m_framing = Framing::Unknown;
    QByteArray m_pending; // bytes seen before the framing was known (only blanks)
    SseParser m_parser;
    QList<SseEvent> m_events;
    // JSON-array framing: the unconsumed bytes, the scan position and the lexer state of the object being read.
    QByteArray m_json;
    qsizetype m_scan = 0;
    qsizetype m_objectStart = -1;
    int m_depth = 0;
    bool m_inString = false;
    bool m_escape = false;

    bool m_started = false;
    bool m_done = false;
    bool m_produced = false; // any text, reasoning or tool call was emitted
    bool m_sawToolCall = false;
    QString m_finishReason;
    QString m_finishMessage;
    QString m_blockReason;
    canon::Usage m_usage;

    Open m_open = Open::None;
    std::unique_ptr<ArgNode> m_args; // arguments of the open streamed call
    QSet<QString> m_ids;
};

// Canonical stream events -> streamGenerateContent output for Gemini clients (inbound direction): one
// `data: <GenerateContentResponse>\r\n\r\n` chunk per text / thought delta and per complete function call (or, with
// setJsonArray(true), the same chunks as one streamed JSON array, for requests without alt=sse).
//  * Parts live in candidates[0].content (role "model"); every chunk carries modelVersion and responseId.
//  * Thinking text -> {"text","thought":true} parts. A thinking block's signature becomes the thoughtSignature of the
//    NEXT part (clientThoughtSignature: raw Gemini signatures go back unchanged, others are packed with their thinking
//    text so they survive a client that drops thought parts); with no next part it rides on an empty text part.
//    Redacted thinking is packed the same way.
//  * Tool calls are buffered until their block ends and sent whole: {"functionCall":{"name","args","id"}}.
//  * Finish -> a last chunk with an empty text part (carrying any leftover signature), finishReason (finishReasonFor)
//    and usageMetadata (promptTokenCount = input + cached, cachedContentTokenCount, candidatesTokenCount = output -
//    reasoning, thoughtsTokenCount = reasoning, totalTokenCount).
//  * Failure -> an {"error":{"code","message","status"}} chunk (+ RetryInfo); nothing follows.
class SseEncoder
{
public:
    // `model` is reported as modelVersion (the upstream's model when empty).
    explicit SseEncoder(const QString& model);

    void setJsonArray(bool on) { m_jsonArray = on; }
    void encode(const canon::StreamEvent& event, QByteArray& out);
    void encode(const canon::StreamEvents& events, QByteArray& out)
    {
        for (const auto& e : events)
            encode(e, out);
    }
    // Ends the stream with an error chunk (no-op once finished).
    void fail(const canon::Error& error, QByteArray& out);

    bool started() const { return m_wroteChunk; }
    bool finished() const { return m_finished; }

private:
    friend QByteArray encodeResponse(const canon::Response& r, const QString& model);
    enum class Block { None, Reasoning, Text, Tool };

    void emitPart(QJsonObject part, QByteArray& out, bool carriesSignature = true);
    void flushSignature(QByteArray& out);
    void emitCall(QByteArray& out);
    void writeChunk(QJsonObject chunk, QByteArray& out);
    QJsonObject candidate(const QJsonArray& parts) const;

    QString m_model;
    QString m_id;
    canon::Usage m_usage;
    bool m_jsonArray = false;
    bool m_wroteChunk = false;
    bool m_finished = false;
    Block m_open = Block::None;
    QString m_reasoningText;
    QString m_pendingSignature;
    QString m_callId;
    QString m_callName;
    QString m_callArgs;
    // encodeResponse: parts are collected instead of written.
    QJsonArray* m_collect = nullptr;
    QString m_finishReason;
};

} // namespace sy::gemini
