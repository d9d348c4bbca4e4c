#include "sseparser.h"

namespace sy {

namespace {

// The end of the line starting at d[i] (the first CR or LF at or after i), or -1 when [i, n) holds no terminator.
qsizetype lineTerminator(const char* d, qsizetype i, qsizetype n)
{
    const char* lf = static_cast<const char*>(memchr(d + i, '\n', size_t(n - i)));
    const qsizetype limit = lf ? lf - d : n;
    const char* cr = static_cast<const char*>(memchr(d + i, '\r', size_t(limit - i)));
    if (cr)
        return cr - d;
    return lf ? limit : -1;
}

} // namespace

void SseParser::feed(QByteArrayView bytes, QList<SseEvent>& out)
{
    if (bytes.isEmpty())
        return;
    if (m_keepRaw) {
        feedKeepingRaw(bytes, out);
        return;
    }
    // Lines are read straight from `bytes`; m_buffer only holds an unfinished line (a line ends at LF, CRLF or CR;
    // a CR at the very end stays in m_buffer until the next byte tells whether an LF belongs to it).
    const char* d = bytes.data();
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    if (!m_buffer.isEmpty()) {
        if (m_buffer.endsWith('\r')) {
            processLine(QByteArrayView(m_buffer).chopped(1), out, 0);
            i = d[0] == '\n' ? 1 : 0;
        } else {
            const qsizetype end = lineTerminator(d, 0, n);
            if (end < 0 || (d[end] == '\r' && end + 1 == n)) {
                m_buffer.append(d, n);
                return;
            }
            m_buffer.append(d, end);
            processLine(m_buffer, out, 0);
            i = end + 1 + (d[end] == '\r' && d[end + 1] == '\n' ? 1 : 0);
        }
        m_buffer.clear();
    }
    while (i < n) {
        const qsizetype end = lineTerminator(d, i, n);
        if (end < 0 || (d[end] == '\r' && end + 1 == n)) {
            m_buffer.append(d + i, n - i);
            return;
        }
        processLine(QByteArrayView(d + i, end - i), out, 0);
        i = end + 1 + (d[end] == '\r' && d[end + 1] == '\n' ? 1 : 0);
    }
}

void SseParser::feedKeepingRaw(QByteArrayView bytes, QList<SseEvent>& out)
{
    m_buffer.append(bytes.data(), bytes.size());
    // Resume the newline search where the previous feed stopped: a long line arriving in small pieces is scanned once.
    qsizetype i = qMax(m_pos, m_scanned);
    const qsizetype n = m_buffer.size();
    const char* d = m_buffer.constData();
    while (i < n) {
        const char* hit = static_cast<const char*>(memchr(d + i, '\n', size_t(n - i)));
        const char* cr = static_cast<const char*>(memchr(d + i, '\r', size_t((hit ? hit - d : n) - i)));
        qsizetype lineEnd;
        qsizetype next;
        if (cr) {
            lineEnd = cr - d;
            if (lineEnd + 1 >= n) {
                i = lineEnd; // a CR at the end: wait for the next byte to know whether an LF belongs to it
                break;
            }
            next = lineEnd + 1 + (d[lineEnd + 1] == '\n' ? 1 : 0);
        } else if (hit) {
            lineEnd = hit - d;
            next = lineEnd + 1;
        } else {
            i = n;
            break;
        }
        processLine(QByteArrayView(d + m_pos, lineEnd - m_pos), out, next);
        i = next;
        m_pos = next;
    }
    m_scanned = i;
    // Compact: drop bytes that belong to no pending event.
    const qsizetype keepFrom = m_keepRaw ? m_eventStart : m_pos;
    if (keepFrom > 0 && keepFrom > m_buffer.size() / 2) {
        m_buffer.remove(0, keepFrom);
        m_pos -= keepFrom;
        m_eventStart -= keepFrom;
        m_scanned -= keepFrom;
    }
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent>& out, qsizetype lineEnd)
{
    if (line.isEmpty()) {
        if (m_hasData || !m_current.event.isEmpty()) {
            if (m_keepRaw)
                m_current.raw = m_buffer.mid(m_eventStart, lineEnd - m_eventStart);
            if (m_hasData)
                out.append(std::move(m_current));
        }
        m_current = SseEvent();
        m_hasData = false;
        m_hasField = false;
        m_eventStart = lineEnd;
        return;
    }
    if (line.front() == ':') {
        if (!m_hasField)
            m_eventStart = lineEnd; // a comment between events belongs to no event
        return;
    }
    m_hasField = true;
    qsizetype colon = line.indexOf(':');
    QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value;
    if (colon >= 0) {
        value = line.sliced(colon + 1);
        if (!value.isEmpty() && value.front() == ' ')
            value = value.sliced(1);
    }
    if (field == "data") {
        if (m_hasData) {
            m_current.data.append('\n');
            m_current.data.append(value.data(), value.size());
        } else {
            m_current.data = value.toByteArray(); // the usual single data line: one exact copy
        }
        m_hasData = true;
    } else if (field == "event") {
        m_current.event = value.toByteArray();
    }
    // "id" and "retry" are not used by any LLM API; ignored.
}

bool SseParser::finish(QList<SseEvent>& out)
{
    // A final line without its newline still counts as a line (a CR waiting for its LF stays part of it).
    if (!m_keepRaw && !m_buffer.isEmpty()) {
        processLine(m_buffer, out, 0);
        m_buffer.clear();
    } else if (m_pos < m_buffer.size()) {
        processLine(QByteArrayView(m_buffer).sliced(m_pos), out, m_buffer.size());
        m_pos = m_buffer.size();
    }
    const bool truncated = m_hasData;
    if (m_hasData) {
        if (m_keepRaw)
            m_current.raw = m_buffer.mid(m_eventStart);
        out.append(std::move(m_current));
    }
    m_current = SseEvent();
    m_hasData = false;
    m_hasField = false;
    m_buffer.clear();
    m_pos = 0;
    m_scanned = 0;
    m_eventStart = 0;
    return truncated;
}

bool SseParser::hasPendingData() const
{
    return m_hasData || (m_keepRaw ? m_pos < m_buffer.size() : !m_buffer.isEmpty());
}

} // namespace sy
