#pragma once

// OpenAI Chat Completions stream (SSE of chat.completion.chunk) -> canonical stream events (PROTOCOLS §2.6, §6.4).
// Pure: bytes in, events out; any split of the input gives the same events.
//
// Event shape:
//  * MessageStart once, from the first chunk that has an id, a model or choices (Azure's leading placeholder chunk
//    with `choices: []` and `prompt_filter_results` does not count), with the upstream id and model (text) and any
//    usage that chunk carried.
//  * ReasoningDelta for delta.reasoning_content | delta.reasoning | reasoning_details text | Mistral "thinking"
//    content parts. A reasoning block is closed with ReasoningSignature (a gateway signature tagged "openai-chat")
//    + BlockEnd before the next non-reasoning event, so every thinking block carries a signature.
//  * TextDelta for non-empty content (string or text parts) and for delta.refusal (which also turns an ordinary
//    stop into StopReason::Refusal); a text block is closed with BlockEnd.
//    `<think>` tags inside content are left as text.
//  * Tool calls: fragments are keyed by (index, id) (PROTOCOLS P16): a fragment with a non-empty id different from
//    the id stored for its index starts a new call; without an index, by id, else the latest call. The first
//    non-empty name wins. Strategy: INCREMENTAL WITH BUFFERED FALLBACK. A call is opened (ToolCallStart with its
//    sanitized id and restored name) as soon as its id and name are known and nothing blocks it, and its argument
//    fragments are forwarded as ToolCallArgsDelta as they arrive. A new call closes the open one only when the open
//    call's arguments already form complete JSON; otherwise (parallel calls with interleaved fragments) the decoder
//    switches to buffering: the open call keeps streaming, and every later call is held and emitted whole
//    (ToolCallStart + one ToolCallArgsDelta + BlockEnd, in first-seen order) at finish_reason / [DONE] / EOF, so
//    interleaved fragments still produce the right arguments. When a call is closed, empty arguments become "{}"
//    and arguments cut short are completed with a suffix that makes them a JSON object where possible (buffered
//    calls with hopeless arguments fall back to "{}"). Known limit: a fragment for a call that was already closed
//    (because text arrived in between, or its arguments already looked complete) cannot be delivered and is logged.
//  * Usage from `usage` or `x_groq.usage` on any chunk is merged (cumulative) and reported in Finish; no UsageUpdate
//    events are produced.
//  * Finish exactly once: when usage arrives after a finish_reason, at `[DONE]`, or at a clean EOF after a
//    finish_reason. Stop reason per §6.10 with the override tool_use iff at least one tool call was emitted.
//  * Failure (terminal) for an {"error":...} chunk or `event: error` (type per §6.12), finish_reason "error"
//    (api_error) or "insufficient_system_resource" (overloaded_error), a data line that is not JSON, and EOF without
//    finish_reason and without [DONE] ("upstream stream ended prematurely").
//  * Stream/non-stream mismatch (§6.20): if the upstream ignored `stream:true` and sent one plain JSON body (no SSE
//    event at all), finish() decodes it like a non-streaming answer (events as from canon::eventsFromResponse), or
//    reports the {"error":...} it contains as a Failure.
//  * After Finish or Failure everything is ignored.

#include "protocol/canonical.h"
#include "protocol/sse/sseparser.h"

#include <QByteArrayView>
#include <QHash>
#include <QSet>

#include <vector>

namespace sy::openaichat {

class StreamDecoder
{
public:
    explicit StreamDecoder(const canon::TranslationContext& ctx);

    void feed(QByteArrayView bytes, canon::StreamEvents& out);
    // Upstream EOF.
    void finish(canon::StreamEvents& out);
    // Finish or Failure was emitted; later input is ignored.
    bool done() const { return m_done; }

    // The fast path reads the common chunk shapes without building a JSON document; it is on by default and gives
    // exactly the events of the general path (tests switch it off to compare).
    void setFastPathEnabled(bool enabled) { m_fastPath = enabled; }
    // Chunks the fast path decoded (for tests and diagnostics).
    qsizetype fastPathChunks() const { return m_fastChunks; }

private:
    enum class Open { None, Reasoning, Text, Tool };
    enum class CallState { Pending, Open, Closed };
    struct ToolCall
    {
        int index = -1;
        QString id; // upstream id (first non-empty)
        QString name; // upstream name (first non-empty)
        QString args;
        qsizetype emitted = 0; // characters of args already forwarded
        CallState state = CallState::Pending;
    };

    void handleEvent(const SseEvent& event, canon::StreamEvents& out);
    bool handleFast(QByteArrayView data, canon::StreamEvents& out);
    void handleChunk(const QJsonObject& chunk, canon::StreamEvents& out);
    void handleDelta(const QJsonObject& delta, canon::StreamEvents& out);
    void handleToolFragment(const QJsonObject& fragment, canon::StreamEvents& out);
    int resolveCall(int index, const QString& id);
    void advanceCall(int pos, canon::StreamEvents& out);
    void startCall(int pos, canon::StreamEvents& out);
    void closeCall(int pos, canon::StreamEvents& out);
    void emitBufferedCall(int pos, canon::StreamEvents& out);
    void flushCalls(canon::StreamEvents& out);

    void reasoningDelta(QString text, canon::StreamEvents& out);
    void textDelta(QString text, canon::StreamEvents& out);
    void closeOpen(canon::StreamEvents& out);
    void ensureStarted(canon::StreamEvents& out);
    void emitFinish(canon::StreamEvents& out);
    void fail(const canon::Error& error, canon::StreamEvents& out);
    QString uniqueId(const QString& upstreamId);

    QHash<QString, QString> m_toolNameToClient;
    SseParser m_parser;
    QList<SseEvent> m_events;
    QByteArray m_rawPrefix; // bytes received before the first SSE event (for a plain JSON body), capped
    bool m_sawEvent = false; // an SSE event was seen (or the prefix grew too big): stop keeping bytes
    bool m_fastPath = true;
    qsizetype m_fastChunks = 0;

    bool m_started = false;
    bool m_done = false;
    bool m_finishSeen = false;
    bool m_buffering = false;
    bool m_sawToolCall = false;
    bool m_refused = false;
    QString m_finishReason;
    QString m_id;
    QString m_model;
    canon::Usage m_usage;

    Open m_open = Open::None;
    int m_openCall = -1;
    std::vector<ToolCall> m_calls;
    QHash<int, int> m_byIndex;
    QHash<QString, int> m_byId;
    QSet<QString> m_emittedIds;
};

} // namespace sy::openaichat
