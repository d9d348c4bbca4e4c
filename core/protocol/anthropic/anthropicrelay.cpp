#include "anthropicrelay.h"

#include "anthropicresponse.h"
#include "common/fastjson.h"
#include "common/jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sy::anthropic {

namespace {

// The value of the first "index" key, or -1. Only used on delta/stop events, whose other strings are escaped.
int scanIndex(const QByteArray& data)
{
    const qsizetype at = data.indexOf("\"index\"");
    if (at < 0)
        return -1;
    qsizetype i = at + 7;
    while (i < data.size() && (data.at(i) == ' ' || data.at(i) == ':'))
        ++i;
    int value = 0;
    const qsizetype start = i;
    while (i < data.size() && data.at(i) >= '0' && data.at(i) <= '9' && i - start < 9)
        value = value * 10 + (data.at(i++) - '0');
    return i == start ? -1 : value;
}

QByteArray eventType(const SseEvent& e)
{
    if (!e.event.isEmpty())
        return e.event;
    // No event line: take "type" from the payload.
    const qsizetype at = e.data.indexOf("\"type\"");
    if (at < 0)
        return {};
    const qsizetype q1 = e.data.indexOf('"', e.data.indexOf(':', at) + 1);
    const qsizetype q2 = q1 < 0 ? -1 : e.data.indexOf('"', q1 + 1);
    return q2 < 0 ? QByteArray() : e.data.mid(q1 + 1, q2 - q1 - 1);
}
} // namespace

StreamRelay::StreamRelay()
{
    m_parser.setKeepRaw(true);
}

void StreamRelay::writeRaw(const SseEvent& e, QByteArray& out)
{
    out.append(e.raw);
    if (!e.raw.endsWith("\n\n") && !e.raw.endsWith("\r\n\r\n") && !e.raw.endsWith("\r\r")) {
        // The upstream's last event had no blank line after it.
        if (e.raw.endsWith('\n') || e.raw.endsWith('\r'))
            out.append('\n');
        else
            out.append("\n\n");
    }
}

void StreamRelay::emitError(const QString& message, QByteArray& out)
{
    QByteArray j = R"({"type":"error","error":{"type":"api_error","message":)";
    appendJsonString(j, message);
    j.append("}}");
    out.append("event: error\ndata: ");
    out.append(j);
    out.append("\n\n");
    m_done = true;
    m_failed = true;
}

void StreamRelay::feed(QByteArrayView bytes, QByteArray& out)
{
    m_events.clear();
    m_parser.feed(bytes, m_events);
    for (const SseEvent& e : std::as_const(m_events))
        handle(e, out);
}

void StreamRelay::finish(QByteArray& out)
{
    m_events.clear();
    m_parser.finish(m_events);
    for (const SseEvent& e : std::as_const(m_events))
        handle(e, out);
    if (m_done)
        return;
    if (m_started && m_sawMessageDelta && m_openIndex < 0) {
        out.append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        m_done = true;
        return;
    }
    emitError(QStringLiteral("upstream stream ended prematurely"), out);
}

void StreamRelay::handle(const SseEvent& e, QByteArray& out)
{
    if (m_done)
        return;
    const QByteArray type = eventType(e);
    if (type == "ping") {
        writeRaw(e, out);
        return;
    }
    if (type == "error") {
        writeRaw(e, out);
        m_done = true;
        m_failed = true;
        return;
    }
    if (type == "message_start") {
        if (!m_started) {
            m_started = true;
            QJsonObject root = json::parseObject(e.data);
            QJsonObject msg = root.value(QLatin1String("message")).toObject();
            m_usage.mergeFrom(usageFromJson(msg.value(QLatin1String("usage")).toObject()));
            if (msg.value(QLatin1String("content")).isArray() && msg.contains(QLatin1String("role"))) {
                writeRaw(e, out);
            } else {
                // A message_start without the fields clients build on: complete it.
                if (!msg.value(QLatin1String("content")).isArray())
                    msg.insert(QLatin1String("content"), QJsonArray());
                if (!msg.contains(QLatin1String("type")))
                    msg.insert(QLatin1String("type"), QStringLiteral("message"));
                if (!msg.contains(QLatin1String("role")))
                    msg.insert(QLatin1String("role"), QStringLiteral("assistant"));
                if (!msg.contains(QLatin1String("stop_reason")))
                    msg.insert(QLatin1String("stop_reason"), QJsonValue());
                if (!msg.contains(QLatin1String("stop_sequence")))
                    msg.insert(QLatin1String("stop_sequence"), QJsonValue());
                root.insert(QLatin1String("message"), msg);
                out.append("event: message_start\ndata: " + compactJson(root) + "\n\n");
            }
        } else if (m_nextIndex > 0 || m_openIndex >= 0) {
            emitError(QStringLiteral("upstream started a second message inside an unfinished one"), out);
        }
        return; // a repeated message_start before any block carries nothing new
    }
    if (!m_started) {
        emitError(QStringLiteral("upstream stream did not begin with message_start"), out);
        return;
    }
    if (type == "content_block_start" || type == "content_block_delta" || type == "content_block_stop") {
        // Deltas are the bulk of a stream: read their index without parsing the JSON; parse only what needs
        // looking into (block starts, the first fragment of tool input, events that must be rewritten).
        const bool isStart = type == "content_block_start";
        QJsonObject o;
        bool parsed = false;
        auto object = [&]() -> QJsonObject& {
            if (!parsed) {
                o = json::parseObject(e.data);
                parsed = true;
            }
            return o;
        };
        int upstreamIndex = isStart ? -1 : scanIndex(e.data);
        if (upstreamIndex < 0) {
            const QJsonValue iv = object().value(QLatin1String("index"));
            if (!iv.isDouble()) {
                emitError(QStringLiteral("upstream sent a content block event without an index"), out);
                return;
            }
            upstreamIndex = iv.toInt();
        }
        int ours;
        if (type == "content_block_start") {
            if (m_openIndex >= 0) {
                // The upstream started a block without stopping the previous one: close it for the client.
                out.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"
                    + QByteArray::number(m_openIndex) + "}\n\n");
            }
            ours = m_nextIndex++;
            m_indexMap.insert(upstreamIndex, ours);
            m_openIndex = ours;
            const QString bt
                = object().value(QLatin1String("content_block")).toObject().value(QLatin1String("type")).toString();
            m_openIsToolInput = bt.endsWith(QLatin1String("tool_use"));
            m_sawJson = false;
            m_wrappedJson = false;
        } else {
            auto it = m_indexMap.constFind(upstreamIndex);
            if (it == m_indexMap.constEnd() || it.value() != m_openIndex)
                return; // delta or stop for a block that is not open: nothing the client could use
            ours = it.value();
            if (type == "content_block_stop") {
                m_openIndex = -1;
                if (m_wrappedJson && !json::isObject(m_wrappedText.toUtf8())) {
                    out.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"
                        + QByteArray::number(ours)
                        + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"}\"}}\n\n");
                }
                m_wrappedJson = false;
                m_wrappedText.clear();
            } else if (m_wrappedJson) {
                m_wrappedText += object()
                                     .value(QLatin1String("delta"))
                                     .toObject()
                                     .value(QLatin1String("partial_json"))
                                     .toString();
            } else if (m_openIsToolInput && !m_sawJson) {
                QJsonObject delta = object().value(QLatin1String("delta")).toObject();
                const QString pj = delta.value(QLatin1String("partial_json")).toString();
                if (!pj.trimmed().isEmpty()) {
                    m_sawJson = true;
                    if (!pj.trimmed().startsWith(QLatin1Char('{'))) {
                        // Tool input must be an object; this upstream dropped its opening brace.
                        m_wrappedJson = true;
                        m_wrappedText = QLatin1Char('{') + pj;
                        delta.insert(QLatin1String("partial_json"), QString(QLatin1Char('{') + pj));
                        o.insert(QLatin1String("delta"), delta);
                        o.insert(QLatin1String("index"), ours);
                        out.append("event: content_block_delta\ndata: " + compactJson(o) + "\n\n");
                        return;
                    }
                }
            }
        }
        if (ours == upstreamIndex) {
            writeRaw(e, out);
        } else {
            object().insert(QLatin1String("index"), ours);
            out.append("event: " + type + "\ndata: " + compactJson(o) + "\n\n");
        }
        return;
    }
    if (type == "message_delta") {
        if (m_openIndex >= 0) {
            out.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"
                + QByteArray::number(m_openIndex) + "}\n\n");
            m_openIndex = -1;
        }
        const QJsonObject o = json::parseObject(e.data);
        const QString sr = o.value(QLatin1String("delta")).toObject().value(QLatin1String("stop_reason")).toString();
        if (!sr.isEmpty())
            m_stop = canon::stopReasonFromName(sr);
        m_usage.mergeFrom(usageFromJson(o.value(QLatin1String("usage")).toObject()));
        m_sawMessageDelta = true;
        writeRaw(e, out);
        return;
    }
    if (type == "message_stop") {
        if (m_openIndex >= 0) {
            emitError(QStringLiteral("upstream ended the message inside an unfinished content block"), out);
            return;
        }
        writeRaw(e, out);
        m_done = true;
        return;
    }
    writeRaw(e, out); // unknown event types pass through
}

} // namespace sy::anthropic
