#include "canonical.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"

#include <QJsonDocument>

namespace sy::canon {

void Usage::mergeFrom(const Usage& newer)
{
    if (newer.inputTokens >= 0)
        inputTokens = newer.inputTokens;
    if (newer.outputTokens >= 0)
        outputTokens = newer.outputTokens;
    if (newer.cacheReadTokens >= 0)
        cacheReadTokens = newer.cacheReadTokens;
    if (newer.cacheWriteTokens >= 0)
        cacheWriteTokens = newer.cacheWriteTokens;
    if (newer.reasoningTokens >= 0)
        reasoningTokens = newer.reasoningTokens;
}

void ResponseAccumulator::closeOpen()
{
    if (m_open < 0)
        return;
    Part& p = m_response.content[m_open];
    if (p.kind == PartKind::ToolCall) {
        const QJsonDocument doc = json::parse(m_args.toUtf8());
        p.input = doc.isObject() ? doc.object() : QJsonObject();
        m_args.clear();
    }
    m_open = -1;
}

void ResponseAccumulator::add(const StreamEvent& e)
{
    if (m_failed)
        return;
    auto openKind = [this]() { return m_open < 0 ? PartKind::Opaque : m_response.content[m_open].kind; };
    switch (e.type) {
    case StreamEvent::Type::MessageStart:
        if (m_response.id.isEmpty())
            m_response.id = e.id;
        if (m_response.model.isEmpty())
            m_response.model = e.text;
        m_response.usage.mergeFrom(e.usage);
        break;
    case StreamEvent::Type::TextDelta:
        if (e.text.isEmpty())
            break;
        if (openKind() != PartKind::Text || m_open < 0) {
            closeOpen();
            m_response.content.append(Part::makeText({}));
            m_open = int(m_response.content.size()) - 1;
        }
        m_response.content[m_open].text += e.text;
        break;
    case StreamEvent::Type::ReasoningDelta:
        if (m_open < 0 || openKind() != PartKind::Reasoning) {
            closeOpen();
            Part p;
            p.kind = PartKind::Reasoning;
            m_response.content.append(p);
            m_open = int(m_response.content.size()) - 1;
        }
        m_response.content[m_open].text += e.text;
        break;
    case StreamEvent::Type::ReasoningSignature:
        if (m_open < 0 || openKind() != PartKind::Reasoning) {
            closeOpen();
            Part p;
            p.kind = PartKind::Reasoning;
            m_response.content.append(p);
            m_open = int(m_response.content.size()) - 1;
        }
        m_response.content[m_open].signature = e.text;
        break;
    case StreamEvent::Type::RedactedReasoning: {
        closeOpen();
        Part p;
        p.kind = PartKind::RedactedReasoning;
        p.data = e.text;
        m_response.content.append(p);
        break;
    }
    case StreamEvent::Type::ToolCallStart: {
        closeOpen();
        Part p;
        p.kind = PartKind::ToolCall;
        p.id = e.id;
        p.name = e.name;
        m_response.content.append(p);
        m_open = int(m_response.content.size()) - 1;
        break;
    }
    case StreamEvent::Type::ToolCallArgsDelta:
        if (m_open >= 0 && openKind() == PartKind::ToolCall)
            m_args += e.text;
        break;
    case StreamEvent::Type::BlockEnd:
        closeOpen();
        break;
    case StreamEvent::Type::OpaqueBlock: {
        closeOpen();
        Part p;
        p.kind = PartKind::Opaque;
        p.raw = e.raw;
        m_response.content.append(p);
        break;
    }
    case StreamEvent::Type::UsageUpdate:
        m_response.usage.mergeFrom(e.usage);
        break;
    case StreamEvent::Type::Finish:
        closeOpen();
        m_response.stopReason = e.stopReason;
        m_response.stopSequence = e.text;
        m_response.usage.mergeFrom(e.usage);
        m_finished = true;
        break;
    case StreamEvent::Type::Failure:
        closeOpen();
        m_failed = true;
        m_error = e.error;
        break;
    }
}

Response ResponseAccumulator::take()
{
    closeOpen();
    Response r = std::move(m_response);
    m_response = Response();
    return r;
}

StreamEvents eventsFromResponse(const Response& r)
{
    StreamEvents out;
    StreamEvent start = StreamEvent::of(StreamEvent::Type::MessageStart, r.model);
    start.id = r.id;
    out.append(start);
    for (const Part& p : r.content) {
        switch (p.kind) {
        case PartKind::Text:
            if (!p.text.isEmpty()) {
                out.append(StreamEvent::of(StreamEvent::Type::TextDelta, p.text));
                out.append(StreamEvent::of(StreamEvent::Type::BlockEnd));
            }
            break;
        case PartKind::Reasoning:
            out.append(StreamEvent::of(StreamEvent::Type::ReasoningDelta, p.text));
            if (!p.signature.isEmpty())
                out.append(StreamEvent::of(StreamEvent::Type::ReasoningSignature, p.signature));
            out.append(StreamEvent::of(StreamEvent::Type::BlockEnd));
            break;
        case PartKind::RedactedReasoning:
            out.append(StreamEvent::of(StreamEvent::Type::RedactedReasoning, p.data));
            break;
        case PartKind::ToolCall: {
            StreamEvent s = StreamEvent::of(StreamEvent::Type::ToolCallStart);
            s.id = p.id;
            s.name = p.name;
            out.append(s);
            out.append(StreamEvent::of(StreamEvent::Type::ToolCallArgsDelta, QString::fromUtf8(compactJson(p.input))));
            out.append(StreamEvent::of(StreamEvent::Type::BlockEnd));
            break;
        }
        case PartKind::Opaque: {
            StreamEvent o = StreamEvent::of(StreamEvent::Type::OpaqueBlock);
            o.raw = p.raw;
            out.append(o);
            break;
        }
        default:
            break;
        }
    }
    StreamEvent fin = StreamEvent::of(StreamEvent::Type::Finish, r.stopSequence);
    fin.stopReason = r.stopReason;
    fin.usage = r.usage;
    out.append(fin);
    return out;
}

QString stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::None:
    case StopReason::EndTurn:
        return QStringLiteral("end_turn");
    case StopReason::MaxTokens:
        return QStringLiteral("max_tokens");
    case StopReason::StopSequence:
        return QStringLiteral("stop_sequence");
    case StopReason::ToolUse:
        return QStringLiteral("tool_use");
    case StopReason::Refusal:
        return QStringLiteral("refusal");
    case StopReason::PauseTurn:
        return QStringLiteral("pause_turn");
    case StopReason::ContextWindowExceeded:
        return QStringLiteral("model_context_window_exceeded");
    }
    return QStringLiteral("end_turn");
}

StopReason stopReasonFromName(QStringView name)
{
    if (name == u"end_turn")
        return StopReason::EndTurn;
    if (name == u"max_tokens")
        return StopReason::MaxTokens;
    if (name == u"stop_sequence")
        return StopReason::StopSequence;
    if (name == u"tool_use")
        return StopReason::ToolUse;
    if (name == u"refusal")
        return StopReason::Refusal;
    if (name == u"pause_turn")
        return StopReason::PauseTurn;
    if (name == u"model_context_window_exceeded")
        return StopReason::ContextWindowExceeded;
    return StopReason::None;
}

} // namespace sy::canon
