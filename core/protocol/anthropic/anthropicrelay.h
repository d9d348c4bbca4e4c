#pragma once

#include "protocol/canonical.h"
#include "protocol/sse/sseparser.h"

#include <QByteArray>
#include <QHash>

namespace sy::anthropic {

// Anthropic SSE -> Anthropic SSE for same-dialect passthrough. Well-formed events are copied byte for byte; only
// a broken upstream stream is repaired so the client always gets a stream its SDK accepts: a repeated
// message_start is dropped, block indexes that skip or restart are renumbered, a second message spliced into an
// unfinished one or a stream cut before its end becomes an `error` event, anything after message_stop is
// dropped, and a last event missing its blank line is terminated. Usage is read from message_start/message_delta.
class StreamRelay
{
public:
    StreamRelay();
    void feed(QByteArrayView bytes, QByteArray& out);
    void finish(QByteArray& out);

    bool done() const { return m_done; }
    bool failed() const { return m_failed; }
    const canon::Usage& usage() const { return m_usage; }
    canon::StopReason stopReason() const { return m_stop; }

private:
    void handle(const SseEvent& e, QByteArray& out);
    void emitError(const QString& message, QByteArray& out);
    static void writeRaw(const SseEvent& e, QByteArray& out);

    SseParser m_parser;
    QList<SseEvent> m_events;
    QHash<int, int> m_indexMap; // upstream index -> our index
    int m_nextIndex = 0;
    int m_openIndex = -1; // our index of the open block
    bool m_openIsToolInput = false; // the open block streams input_json_delta
    bool m_sawJson = false; // a non-blank JSON fragment arrived for the open block
    bool m_wrappedJson = false; // the upstream left out the object's opening brace; we add it
    QString m_wrappedText; // the repaired block's JSON so far
    bool m_started = false;
    bool m_sawMessageDelta = false;
    bool m_done = false;
    bool m_failed = false;
    canon::Usage m_usage;
    canon::StopReason m_stop = canon::StopReason::None;
};

} // namespace sy::anthropic
