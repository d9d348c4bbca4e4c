#pragma once

// OpenAI Responses stream (semantic SSE events, PROTOCOLS §3.5) -> canonical stream events (§6.6), and canonical
// stream events -> Responses SSE for the inbound direction. Pure: bytes in, events out; any split of the input gives
// the same events.

#include "protocol/canonical.h"
#include "protocol/sse/sseparser.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

namespace sy::responses {

// Decoder. Events are keyed off `data.type` (the `event:` line is only a fallback), items by output_index (ids may
// rotate on every event, as on GitHub Copilot), else by item_id.
//  * MessageStart once, from response.created / response.in_progress (id, model), or before the first content if
//    the stream has no response.created.
//  * Reasoning items: reasoning_summary_text.delta and reasoning_text.delta -> ReasoningDelta (parts of one item are
//    separated by "\n\n"); at the item's output_item.done: its summary text if no delta was seen, then
//    ReasoningSignature = gateway signature "openai-responses" wrapping the DONE item's encrypted_content (empty
//    payload if none) and BlockEnd. A reasoning item with neither text nor encrypted_content produces nothing.
//  * Message items: output_text.delta -> TextDelta; refusal.delta -> TextDelta and the stop reason becomes Refusal.
//    If an item had no delta at all, its final text (output_text + refusal parts) is sent at output_item.done. Each
//    message item is one text block (BlockEnd at its end).
//  * function_call items: ToolCallStart at output_item.added (id = the call_id, restored if the request shortened
//    it, sanitized for Anthropic and unique; name restored through ctx.toolNameToClient), ToolCallArgsDelta for
//    function_call_arguments.delta, BlockEnd at output_item.done. If no delta was forwarded, the final arguments of
//    the done item (or of function_call_arguments.done) are sent in one piece; empty arguments become "{}", cut ones
//    are completed to a JSON object where possible. A call without a name yet is held until its name is known.
//    The `multi_tool_use.parallel` wrapper (§3.5 notes) is held until done and unwrapped into one call per entry.
//  * Everything else is not tool_use: hosted tools (web_search_call, file_search_call, code_interpreter_call,
//    image_generation_call, mcp_*, x_search_call, ...) are skipped, their results arrive as message text; the other
//    client-side items (custom_tool_call, local_shell_call, shell_call, apply_patch_call, mcp_approval_request,
//    client tool_search_call) are dropped too, because an Anthropic client never declared such tools.
//  * response.completed -> Finish (ToolUse if a tool call was emitted, else Refusal after a refusal, else EndTurn;
//    usage per §6.11). response.incomplete -> Finish with MaxTokens (max_output_tokens or an unknown reason) or
//    Refusal (content_filter).
//  * response.failed and `error` events (flat or nested) -> Failure with the mapped error (responses::errorFromObject).
//    A data payload that is not JSON -> Failure (api_error). EOF without a terminal event -> Failure api_error
//    "upstream stream ended prematurely" (P21).
//  * Stream/non-stream mismatch (§6.20): a plain JSON body instead of SSE is decoded like a non-streaming answer
//    (events as from canon::eventsFromResponse), or its {"error":...} reported as a Failure.
//  * After Finish or Failure everything is ignored.
class StreamDecoder
{
public:
    explicit StreamDecoder(const canon::TranslationContext& ctx);

    void feed(QByteArrayView bytes, canon::StreamEvents& out);
    // Upstream EOF.
    void finish(canon::StreamEvents& out);
    // Finish or Failure was emitted; later input is ignored.
    bool done() const { return m_done; }

private:
    enum class Open { None, Reasoning, Text, Tool };
    struct Item
    {
        QString type;
        QString callId;
        QString name;
        QString args; // argument text received so far (function_call)
        QString argsDone; // function_call_arguments.done
        QString encrypted; // reasoning encrypted_content seen at output_item.added
        QString partKey; // reasoning: the summary/content part the last delta belonged to
        qsizetype emitted = 0; // characters of args forwarded
        bool deltaSeen = false;
        bool newPart = false; // reasoning: the next text starts a new part
        bool hasText = false; // reasoning: text was emitted
        bool started = false; // a block was opened for this item
        bool closed = false; // its block was closed
        bool wrapper = false; // multi_tool_use.parallel: held until done
    };

    void handleEvent(const SseEvent& event, canon::StreamEvents& out);
    void handle(const QString& type, const QJsonObject& d, canon::StreamEvents& out);
    int itemIndex(const QJsonObject& d, QStringView impliedType);
    void itemAdded(const QJsonObject& d, canon::StreamEvents& out);
    void itemDone(const QJsonObject& d, canon::StreamEvents& out);
    void textDelta(int index, const QString& text, canon::StreamEvents& out);
    void reasoningDelta(int index, QString text, canon::StreamEvents& out);
    void argsDelta(int index, const QString& delta, canon::StreamEvents& out);
    void startCall(int index, canon::StreamEvents& out);
    void forwardArgs(int index, canon::StreamEvents& out);
    void closeCall(int index, canon::StreamEvents& out);
    void emitWholeCall(const QString& callId, const QString& name, const QString& args, canon::StreamEvents& out);
    void closeOpen(canon::StreamEvents& out);
    void ensureStarted(canon::StreamEvents& out);
    void emitFinish(canon::StopReason stop, canon::StreamEvents& out);
    void fail(const canon::Error& error, canon::StreamEvents& out);
    QString uniqueId(const QString& upstreamId);

    QHash<QString, QString> m_toolNameToClient;
    SseParser m_parser;
    QList<SseEvent> m_events;
    QByteArray m_rawPrefix; // bytes before the first SSE event (for a plain JSON body), capped
    bool m_sawEvent = false;

    bool m_started = false;
    bool m_done = false;
    bool m_sawToolCall = false;
    bool m_refused = false;
    QString m_id;
    QString m_model;
    canon::Usage m_usage;

    QHash<int, Item> m_items; // by output_index
    QHash<QString, int> m_byItemId;
    int m_nextSynthetic = -1; // keys for items without output_index
    Open m_open = Open::None;
    int m_openItem = 0;
    QSet<QString> m_emittedIds;
};

// Encoder for the inbound direction (a Responses client such as Codex CLI): canonical events -> Responses SSE
// (`event: <type>\ndata: <json>\n\n`, sequence_number increasing from 0). response.created + response.in_progress
// first; each block becomes one output item (reasoning -> reasoning item with one summary part and
// encrypted_content = clientEncryptedContent(signature); text -> message item with content_part and
// output_text events; tool call -> function_call item with function_call_arguments events); Finish ->
// response.completed (or response.incomplete for MaxTokens / Refusal-by-filter) with usage and the full output;
// Failure -> an `error` event followed by response.failed.
class SseEncoder
{
public:
    explicit SseEncoder(const QString& model);

    void encode(const canon::StreamEvent& event, QByteArray& out);
    void encode(const canon::StreamEvents& events, QByteArray& out)
    {
        for (const auto& e : events)
            encode(e, out);
    }
    bool finished() const { return m_finished; }

private:
    enum class Block { None, Reasoning, Text, Tool };
    void start(QByteArray& out);
    void openBlock(Block kind, QByteArray& out, const QString& id = {}, const QString& name = {});
    void closeBlock(QByteArray& out);
    void write(QByteArray& out, const QString& type, QJsonObject data);
    QJsonObject responseObject(const QString& status) const;

    QString m_model;
    QString m_responseId;
    qint64 m_createdAt = 0;
    int m_sequence = 0;
    bool m_started = false;
    bool m_finished = false;
    Block m_open = Block::None;
    QString m_itemId;
    QString m_text; // text / reasoning summary / arguments of the open item
    QString m_callId;
    QString m_name;
    QString m_signature;
    bool m_signed = false;
    bool m_summaryStarted = false;
    QJsonArray m_output; // completed items
    canon::Usage m_usage;
};

} // namespace sy::responses
