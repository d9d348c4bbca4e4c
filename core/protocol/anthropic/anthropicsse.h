#pragma once

#include "protocol/canonical.h"
#include "protocol/sse/sseparser.h"

#include <QByteArray>

namespace sy::anthropic {

// Canonical stream events -> Anthropic SSE. Owns block indexes and every output invariant of PROTOCOLS.md §6.0:
// message_start first, blocks numbered 0..n-1 in start order and never interleaved, each closed exactly once,
// deltas only inside their block, no empty text blocks, every thinking block signed, stop_reason tool_use exactly
// when a tool_use block was emitted, message_delta after the last block, then message_stop; or a terminal error.
class SseEncoder
{
public:
    SseEncoder(const QString& clientModel, qint64 inputTokenEstimate);

    void encode(const canon::StreamEvent& event, QByteArray& out);
    void encode(const canon::StreamEvents& events, QByteArray& out)
    {
        for (const auto& e : events)
            encode(e, out);
    }
    // Ends the stream with an error event (no-op once finished).
    void fail(const canon::Error& error, QByteArray& out);
    void ping(QByteArray& out);

    bool started() const { return m_started; }
    bool finished() const { return m_finished; }
    bool failed() const { return m_failed; }
    const canon::Usage& usage() const { return m_usage; }
    canon::StopReason stopReason() const { return m_stopReason; }

private:
    enum class Block { None, Text, Thinking, Tool };
    void start(QByteArray& out);
    void openBlock(Block kind, QByteArray& out, const QString& id = {}, const QString& name = {});
    void closeBlock(QByteArray& out);
    void writeEvent(QByteArray& out, const char* name, const QByteArray& json);

    QString m_model;
    QString m_messageId;
    qint64 m_inputEstimate;
    canon::Usage m_usage;
    Block m_open = Block::None;
    int m_nextIndex = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    bool m_sawToolUse = false;
    bool m_thinkingSigned = false;
    canon::StopReason m_stopReason = canon::StopReason::None;
};

// Anthropic SSE (from an Anthropic-compatible upstream) -> canonical stream events.
class StreamDecoder
{
public:
    void feed(QByteArrayView bytes, canon::StreamEvents& out);
    void finish(canon::StreamEvents& out);
    bool done() const { return m_done; }

private:
    void handle(const SseEvent& event, canon::StreamEvents& out);
    SseParser m_parser;
    QList<SseEvent> m_events;
    QHash<int, QString> m_blockTypes;
    bool m_started = false;
    bool m_done = false;
    canon::Usage m_usage;
    canon::StopReason m_stop = canon::StopReason::None;
    QString m_stopSequence;
    bool m_sawDelta = false;
};

} // namespace sy::anthropic
