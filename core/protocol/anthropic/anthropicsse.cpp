#include "anthropicsse.h"

#include "anthropicrequest.h"
#include "anthropicresponse.h"
#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "protocol/signature.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstring>

namespace sy::anthropic {

using canon::StreamEvent;
using Type = canon::StreamEvent::Type;

namespace {

// Writes the decimal digits of `v` (what QByteArray::number(v) gives) at `d` (room for 20 characters); returns the end.
char* writeNumber(char* d, qint64 v)
{
    char buf[24];
    char* end = buf + sizeof(buf);
    char* p = end;
    quint64 u = v < 0 ? 0 - quint64(v) : quint64(v);
    do {
        *--p = char('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    std::memcpy(d, p, size_t(end - p));
    return d + (end - p);
}

// out.append(s, n) without QByteArray::insert's generality (several times cheaper for short pieces).
inline void appendBytes(QByteArray& out, const char* s, qsizetype n)
{
    const qsizetype old = out.size();
    out.resize(old + n);
    std::memcpy(out.data() + old, s, size_t(n));
}

void appendNumber(QByteArray& out, qint64 v)
{
    char buf[24];
    out.append(buf, writeNumber(buf, v) - buf);
}

} // namespace

SseEncoder::SseEncoder(const QString& clientModel, qint64 inputTokenEstimate)
    : m_model(clientModel)
    , m_inputEstimate(inputTokenEstimate)
{
}

void SseEncoder::writeEvent(QByteArray& out, const char* name, const QByteArray& json)
{
    out.append("event: ");
    out.append(name);
    out.append("\ndata: ");
    out.append(json);
    out.append("\n\n");
}

void SseEncoder::start(QByteArray& out)
{
    if (m_started)
        return;
    m_started = true;
    if (m_messageId.isEmpty())
        m_messageId = newMessageId();
    QByteArray j;
    j.reserve(256);
    j.append(R"({"type":"message_start","message":{"id":)");
    appendJsonString(j, m_messageId);
    j.append(R"(,"type":"message","role":"assistant","model":)");
    appendJsonString(j, m_model);
    j.append(R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":)");
    j.append(QByteArray::number(m_usage.inputTokens >= 0 ? m_usage.inputTokens : qMax<qint64>(0, m_inputEstimate)));
    j.append(R"(,"cache_creation_input_tokens":)");
    j.append(QByteArray::number(qMax<qint64>(0, m_usage.cacheWriteTokens)));
    j.append(R"(,"cache_read_input_tokens":)");
    j.append(QByteArray::number(qMax<qint64>(0, m_usage.cacheReadTokens)));
    j.append(R"(,"output_tokens":1}}})");
    writeEvent(out, "message_start", j);
}

void SseEncoder::openBlock(Block kind, QByteArray& out, const QString& id, const QString& name)
{
    closeBlock(out);
    QByteArray j;
    j.reserve(128);
    j.append(R"({"type":"content_block_start","index":)");
    appendNumber(j, m_nextIndex);
    switch (kind) {
    case Block::Text:
        j.append(R"(,"content_block":{"type":"text","text":""}})");
        break;
    case Block::Thinking:
        j.append(R"(,"content_block":{"type":"thinking","thinking":"","signature":""}})");
        m_thinkingSigned = false;
        break;
    case Block::Tool:
        j.append(R"(,"content_block":{"type":"tool_use","id":)");
        appendJsonString(j, sanitizeToolId(id));
        j.append(R"(,"name":)");
        appendJsonString(j, name);
        j.append(R"(,"input":{}}})");
        m_sawToolUse = true;
        break;
    case Block::None:
        return;
    }
    writeEvent(out, "content_block_start", j);
    m_open = kind;
}

void SseEncoder::closeBlock(QByteArray& out)
{
    if (m_open == Block::None)
        return;
    const int index = m_nextIndex;
    if (m_open == Block::Thinking && !m_thinkingSigned) {
        QByteArray j = R"({"type":"content_block_delta","index":)" + QByteArray::number(index)
            + R"(,"delta":{"type":"signature_delta","signature":)";
        appendJsonString(j, canon::makeGatewaySignature(QStringLiteral("none")));
        j.append("}}");
        writeEvent(out, "content_block_delta", j);
    }
    out.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":");
    appendNumber(out, index);
    out.append("}\n\n");
    m_open = Block::None;
    ++m_nextIndex;
}

void SseEncoder::encode(const StreamEvent& e, QByteArray& out)
{
    if (m_finished)
        return;
    if (e.type == Type::Failure) {
        fail(e.error, out);
        return;
    }
    if (e.type == Type::MessageStart) {
        if (!m_started && !e.id.isEmpty())
            m_messageId = e.id.startsWith(QLatin1String("msg_")) ? e.id : QStringLiteral("msg_") + sanitizeToolId(e.id);
        m_usage.mergeFrom(e.usage);
        start(out);
        return;
    }
    if (e.type == Type::UsageUpdate) {
        m_usage.mergeFrom(e.usage);
        return;
    }
    start(out);
    // content_block_delta, written straight into `out` (the hot path: one per upstream chunk).
    auto delta = [&](QByteArrayView head, const QString& text) {
        static constexpr char prefix[]
            = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":";
        char buf[sizeof(prefix) + 24 + 64];
        std::memcpy(buf, prefix, sizeof(prefix) - 1);
        char* p = writeNumber(buf + sizeof(prefix) - 1, m_nextIndex);
        Q_ASSERT(head.size() <= 64);
        std::memcpy(p, head.data(), size_t(head.size()));
        appendBytes(out, buf, p + head.size() - buf);
        appendJsonString(out, text);
        appendBytes(out, "}}\n\n", 4);
    };
    switch (e.type) {
    case Type::TextDelta:
        if (e.text.isEmpty())
            return;
        if (m_open != Block::Text)
            openBlock(Block::Text, out);
        delta(R"(,"delta":{"type":"text_delta","text":)", e.text);
        break;
    case Type::ReasoningDelta:
        if (m_open != Block::Thinking || m_thinkingSigned)
            openBlock(Block::Thinking, out);
        if (!e.text.isEmpty())
            delta(R"(,"delta":{"type":"thinking_delta","thinking":)", e.text);
        break;
    case Type::ReasoningSignature:
        if (m_open != Block::Thinking || m_thinkingSigned)
            openBlock(Block::Thinking, out);
        delta(R"(,"delta":{"type":"signature_delta","signature":)", e.text);
        m_thinkingSigned = true;
        break;
    case Type::RedactedReasoning: {
        closeBlock(out);
        QByteArray j = R"({"type":"content_block_start","index":)" + QByteArray::number(m_nextIndex)
            + R"(,"content_block":{"type":"redacted_thinking","data":)";
        appendJsonString(j, e.text);
        j.append("}}");
        writeEvent(out, "content_block_start", j);
        writeEvent(out, "content_block_stop",
            R"({"type":"content_block_stop","index":)" + QByteArray::number(m_nextIndex) + '}');
        ++m_nextIndex;
        break;
    }
    case Type::ToolCallStart:
        openBlock(Block::Tool, out, e.id, e.name);
        break;
    case Type::ToolCallArgsDelta:
        if (m_open == Block::Tool && !e.text.isEmpty())
            delta(R"(,"delta":{"type":"input_json_delta","partial_json":)", e.text);
        break;
    case Type::BlockEnd:
        closeBlock(out);
        break;
    case Type::OpaqueBlock: {
        closeBlock(out);
        QByteArray j = R"({"type":"content_block_start","index":)" + QByteArray::number(m_nextIndex)
            + R"(,"content_block":)" + compactJson(e.raw) + '}';
        writeEvent(out, "content_block_start", j);
        writeEvent(out, "content_block_stop",
            R"({"type":"content_block_stop","index":)" + QByteArray::number(m_nextIndex) + '}');
        ++m_nextIndex;
        break;
    }
    case Type::Finish: {
        closeBlock(out);
        m_usage.mergeFrom(e.usage);
        canon::StopReason stop = e.stopReason;
        if (m_sawToolUse)
            stop = canon::StopReason::ToolUse;
        else if (stop == canon::StopReason::ToolUse || stop == canon::StopReason::None)
            stop = canon::StopReason::EndTurn;
        m_stopReason = stop;
        QByteArray j;
        j.append(R"({"type":"message_delta","delta":{"stop_reason":)");
        appendJsonString(j, canon::stopReasonName(stop));
        j.append(R"(,"stop_sequence":)");
        if (stop == canon::StopReason::StopSequence && !e.text.isEmpty())
            appendJsonString(j, e.text);
        else
            j.append("null");
        j.append(R"(},"usage":{)");
        if (m_usage.inputTokens >= 0)
            j.append(R"("input_tokens":)" + QByteArray::number(m_usage.inputTokens) + ',');
        if (m_usage.cacheWriteTokens >= 0)
            j.append(R"("cache_creation_input_tokens":)" + QByteArray::number(m_usage.cacheWriteTokens) + ',');
        if (m_usage.cacheReadTokens >= 0)
            j.append(R"("cache_read_input_tokens":)" + QByteArray::number(m_usage.cacheReadTokens) + ',');
        j.append(R"("output_tokens":)" + QByteArray::number(qMax<qint64>(0, m_usage.outputTokens)) + "}}");
        writeEvent(out, "message_delta", j);
        writeEvent(out, "message_stop", R"({"type":"message_stop"})");
        m_finished = true;
        break;
    }
    case Type::MessageStart:
    case Type::UsageUpdate:
    case Type::Failure:
        break;
    }
}

void SseEncoder::fail(const canon::Error& error, QByteArray& out)
{
    if (m_finished)
        return;
    start(out);
    QByteArray j = R"({"type":"error","error":{"type":)";
    appendJsonString(j, errorTypeName(error.type));
    j.append(R"(,"message":)");
    appendJsonString(j, error.message);
    j.append("}}");
    writeEvent(out, "error", j);
    m_finished = true;
    m_failed = true;
}

void SseEncoder::ping(QByteArray& out)
{
    if (m_started && !m_finished)
        writeEvent(out, "ping", R"({"type":"ping"})");
}

// ---------------------------------------------------------------------------------------------------------------

void StreamDecoder::feed(QByteArrayView bytes, canon::StreamEvents& out)
{
    m_events.clear();
    m_parser.feed(bytes, m_events);
    for (const SseEvent& e : std::as_const(m_events))
        handle(e, out);
}

void StreamDecoder::finish(canon::StreamEvents& out)
{
    m_events.clear();
    m_parser.finish(m_events);
    for (const SseEvent& e : std::as_const(m_events))
        handle(e, out);
    if (!m_done) {
        m_done = true;
        if (m_stop != canon::StopReason::None) {
            // message_delta arrived but message_stop did not: the answer is complete.
            StreamEvent f = StreamEvent::of(Type::Finish, m_stopSequence);
            f.stopReason = m_stop;
            f.usage = m_usage;
            out.append(f);
        } else {
            StreamEvent f = StreamEvent::of(Type::Failure);
            f.error
                = canon::Error::make(502, canon::ErrorType::Api, QStringLiteral("upstream stream ended prematurely"));
            out.append(f);
        }
    }
}

void StreamDecoder::handle(const SseEvent& ev, canon::StreamEvents& out)
{
    if (m_done)
        return;
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(ev.data, &perr);
    if (!doc.isObject()) {
        m_done = true;
        StreamEvent f = StreamEvent::of(Type::Failure);
        f.error = canon::Error::make(
            502, canon::ErrorType::Api, QStringLiteral("upstream sent an unreadable stream event"));
        out.append(f);
        return;
    }
    const QJsonObject o = doc.object();
    const QString type = o.value(QLatin1String("type")).toString();
    if (type == QLatin1String("message_start")) {
        if (m_started)
            return; // a repeated message_start carries nothing new
        m_started = true;
        const QJsonObject msg = o.value(QLatin1String("message")).toObject();
        StreamEvent s = StreamEvent::of(Type::MessageStart, msg.value(QLatin1String("model")).toString());
        s.id = msg.value(QLatin1String("id")).toString();
        s.usage = usageFromJson(msg.value(QLatin1String("usage")).toObject());
        m_usage.mergeFrom(s.usage);
        out.append(s);
        // Some upstreams put complete blocks into message_start.
        bool ok = true;
        QString err;
        for (const QJsonValue& b : msg.value(QLatin1String("content")).toArray()) {
            const canon::Part p = decodeContentBlock(b.toObject(), &ok, &err);
            canon::StreamEvents replay = canon::eventsFromResponse(canon::Response {{}, {}, {p}, {}, {}, {}});
            for (int i = 1; i + 1 < replay.size(); ++i)
                out.append(replay.at(i));
        }
    } else if (type == QLatin1String("content_block_start")) {
        const int index = o.value(QLatin1String("index")).toInt();
        const QJsonObject b = o.value(QLatin1String("content_block")).toObject();
        const QString bt = b.value(QLatin1String("type")).toString();
        m_blockTypes.insert(index, bt);
        if (bt == QLatin1String("text")) {
            out.append(StreamEvent::of(Type::BlockEnd));
            const QString t = b.value(QLatin1String("text")).toString();
            if (!t.isEmpty())
                out.append(StreamEvent::of(Type::TextDelta, t));
        } else if (bt == QLatin1String("thinking")) {
            out.append(StreamEvent::of(Type::BlockEnd));
            out.append(StreamEvent::of(Type::ReasoningDelta, b.value(QLatin1String("thinking")).toString()));
            const QString sig = b.value(QLatin1String("signature")).toString();
            if (!sig.isEmpty())
                out.append(StreamEvent::of(Type::ReasoningSignature, sig));
        } else if (bt == QLatin1String("redacted_thinking")) {
            out.append(StreamEvent::of(Type::RedactedReasoning, b.value(QLatin1String("data")).toString()));
        } else if (bt == QLatin1String("tool_use")) {
            StreamEvent s = StreamEvent::of(Type::ToolCallStart);
            s.id = b.value(QLatin1String("id")).toString();
            s.name = b.value(QLatin1String("name")).toString();
            out.append(s);
            const QJsonObject input = b.value(QLatin1String("input")).toObject();
            if (!input.isEmpty())
                out.append(StreamEvent::of(Type::ToolCallArgsDelta, QString::fromUtf8(compactJson(input))));
        } else {
            StreamEvent s = StreamEvent::of(Type::OpaqueBlock);
            s.raw = b;
            out.append(s);
        }
    } else if (type == QLatin1String("content_block_delta")) {
        const QJsonObject d = o.value(QLatin1String("delta")).toObject();
        const QString dt = d.value(QLatin1String("type")).toString();
        if (dt == QLatin1String("text_delta"))
            out.append(StreamEvent::of(Type::TextDelta, d.value(QLatin1String("text")).toString()));
        else if (dt == QLatin1String("thinking_delta"))
            out.append(StreamEvent::of(Type::ReasoningDelta, d.value(QLatin1String("thinking")).toString()));
        else if (dt == QLatin1String("signature_delta"))
            out.append(StreamEvent::of(Type::ReasoningSignature, d.value(QLatin1String("signature")).toString()));
        else if (dt == QLatin1String("input_json_delta"))
            out.append(StreamEvent::of(Type::ToolCallArgsDelta, d.value(QLatin1String("partial_json")).toString()));
    } else if (type == QLatin1String("content_block_stop")) {
        const QString bt = m_blockTypes.value(o.value(QLatin1String("index")).toInt());
        if (bt == QLatin1String("text") || bt == QLatin1String("thinking") || bt == QLatin1String("tool_use"))
            out.append(StreamEvent::of(Type::BlockEnd));
    } else if (type == QLatin1String("message_delta")) {
        const QJsonObject d = o.value(QLatin1String("delta")).toObject();
        const QString sr = d.value(QLatin1String("stop_reason")).toString();
        if (!sr.isEmpty())
            m_stop = canon::stopReasonFromName(sr);
        m_stopSequence = d.value(QLatin1String("stop_sequence")).toString();
        m_usage.mergeFrom(usageFromJson(o.value(QLatin1String("usage")).toObject()));
    } else if (type == QLatin1String("message_stop")) {
        m_done = true;
        StreamEvent f = StreamEvent::of(Type::Finish, m_stopSequence);
        f.stopReason = m_stop == canon::StopReason::None ? canon::StopReason::EndTurn : m_stop;
        f.usage = m_usage;
        out.append(f);
    } else if (type == QLatin1String("error")) {
        m_done = true;
        const QJsonObject err = o.value(QLatin1String("error")).toObject();
        StreamEvent f = StreamEvent::of(Type::Failure);
        f.error.type = errorTypeFromName(err.value(QLatin1String("type")).toString());
        f.error.httpStatus = statusForErrorType(f.error.type);
        f.error.message = err.value(QLatin1String("message")).toString();
        out.append(f);
    }
    // ping and unknown events are ignored
}

} // namespace sy::anthropic
