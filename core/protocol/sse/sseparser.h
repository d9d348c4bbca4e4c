#pragma once

#include <QByteArray>
#include <QList>

namespace sy {

struct SseEvent
{
    QByteArray event; // empty when the event had no "event:" field
    QByteArray data; // "data:" lines joined with '\n'
    QByteArray raw; // the exact bytes of this event, including the blank line that ended it (if any)
};

// Incremental parser for text/event-stream (WHATWG rules): any split of the input gives the same events.
// Lines end with CRLF, LF or CR; comments (":...") are skipped; one leading space after "field:" is removed.
class SseParser
{
public:
    // Appends the events completed by `bytes` to `out`.
    void feed(QByteArrayView bytes, QList<SseEvent>& out);
    // End of input. A last event without its blank line is returned if it has data; `truncated` tells the caller.
    bool finish(QList<SseEvent>& out);
    // Bytes received but not yet part of a complete event.
    bool hasPendingData() const;
    void setKeepRaw(bool keep) { m_keepRaw = keep; }

private:
    void feedKeepingRaw(QByteArrayView bytes, QList<SseEvent>& out);
    void processLine(QByteArrayView line, QList<SseEvent>& out, qsizetype lineEnd);
    // Without keepRaw: the unfinished last line. With keepRaw: the bytes of the pending event and what follows.
    QByteArray m_buffer;
    // keepRaw only:
    qsizetype m_pos = 0; // first unprocessed byte in m_buffer
    qsizetype m_scanned = 0; // the bytes from m_pos up to here hold no line terminator
    qsizetype m_eventStart = 0; // first byte of the event being built (for raw)
    SseEvent m_current;
    bool m_hasData = false;
    bool m_hasField = false;
    bool m_keepRaw = false;
};

} // namespace sy
