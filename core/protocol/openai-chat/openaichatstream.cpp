#include "openaichatstream.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "common/logging.h"
#include "openaichatcommon.h"
#include "openaichatresponse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sy::openaichat {

namespace {

using canon::StreamEvent;
using Type = canon::StreamEvent::Type;

bool isBlank(QStringView s)
{
    for (QChar c : s) {
        if (!c.isSpace())
            return false;
    }
    return true;
}

bool isJsonObject(const QString& text)
{
    return json::isObject(text.toUtf8());
}

QString reasoningDetailsText(const QJsonArray& details)
{
    QString out;
    for (const QJsonValue& v : details) {
        const QJsonObject d = v.toObject();
        const QString type = d.value(QLatin1StringView("type")).toString();
        if (type == u"reasoning.text")
            out += d.value(QLatin1StringView("text")).toString();
        else if (type == u"reasoning.summary")
            out += d.value(QLatin1StringView("summary")).toString();
    }
    return out;
}

constexpr qsizetype MaxPlainBodyBytes = 8 * 1024 * 1024;

canon::Error prematureEnd()
{
    return canon::Error::make(500, canon::ErrorType::Api, QStringLiteral("upstream stream ended prematurely"));
}

} // namespace

StreamDecoder::StreamDecoder(const canon::TranslationContext& ctx)
    : m_toolNameToClient(ctx.toolNameToClient)
{
}

void StreamDecoder::feed(QByteArrayView bytes, canon::StreamEvents& out)
{
    if (m_done)
        return;
    if (!m_sawEvent) {
        if (m_rawPrefix.size() + bytes.size() <= MaxPlainBodyBytes) {
            m_rawPrefix.append(bytes.data(), bytes.size());
        } else {
            m_sawEvent = true; // too big to be a plain answer; stop keeping bytes
            m_rawPrefix = QByteArray();
        }
    }
    m_events.clear();
    m_parser.feed(bytes, m_events);
    if (!m_events.isEmpty() && !m_sawEvent) {
        m_sawEvent = true;
        m_rawPrefix = QByteArray();
    }
    for (const SseEvent& e : std::as_const(m_events)) {
        if (m_done)
            break;
        handleEvent(e, out);
    }
    m_events.clear();
}

void StreamDecoder::finish(canon::StreamEvents& out)
{
    if (m_done)
        return;
    m_events.clear();
    const bool truncated = m_parser.finish(m_events);
    if (!m_sawEvent && !m_rawPrefix.isEmpty()) {
        // Not an event stream at all: perhaps a plain JSON answer or error (the upstream ignored stream:true).
        const QJsonDocument doc = json::parse(m_rawPrefix);
        if (doc.isObject()) {
            const QJsonObject o = doc.object();
            const QJsonValue err = o.value(QLatin1StringView("error"));
            if (err.isObject() || (err.isString() && !err.toString().isEmpty())) {
                handleChunk(o, out); // reports the error as a Failure
                return;
            }
            if (o.contains(QLatin1StringView("choices"))) {
                canon::TranslationContext ctx;
                ctx.toolNameToClient = m_toolNameToClient;
                const auto response = decodeResponse(m_rawPrefix, ctx);
                if (response.ok())
                    out.append(canon::eventsFromResponse(response.value()));
                else
                    fail(response.error(), out);
                m_done = true;
                return;
            }
        }
    }
    for (qsizetype i = 0; i < m_events.size() && !m_done; ++i) {
        const SseEvent& e = m_events.at(i);
        const bool last = i == m_events.size() - 1;
        if (truncated && last) {
            // An event without its terminating blank line counts only if it is complete.
            // After a finish_reason the answer is complete; a cut trailing (usage) chunk only loses usage.
            const QByteArray data = e.data.trimmed();
            if (data != "[DONE]" && !json::isObject(data)) {
                if (!m_finishSeen)
                    fail(prematureEnd(), out);
                break;
            }
        }
        handleEvent(e, out);
    }
    m_events.clear();
    if (m_done)
        return;
    if (m_finishSeen)
        emitFinish(out);
    else
        fail(prematureEnd(), out);
}

void StreamDecoder::handleEvent(const SseEvent& event, canon::StreamEvents& out)
{
    const QByteArray data = event.data.trimmed();
    if (data.isEmpty())
        return;
    if (data == "[DONE]") {
        emitFinish(out);
        return;
    }
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(data, &perr);
    if (event.event == "error") {
        const QJsonObject o = doc.object();
        const QJsonValue ev = o.value(QLatin1StringView("error"));
        QJsonObject err = ev.isObject() ? ev.toObject() : o;
        if (err.isEmpty())
            err.insert(QLatin1StringView("message"), QString::fromUtf8(data.left(500)));
        fail(errorFromObject(0, err), out);
        return;
    }
    if (perr.error != QJsonParseError::NoError) {
        fail(canon::Error::make(500, canon::ErrorType::Api,
                 QStringLiteral("upstream sent malformed stream data: ") + QString::fromUtf8(data.left(200))),
            out);
        return;
    }
    if (doc.isObject())
        handleChunk(doc.object(), out);
}

void StreamDecoder::handleChunk(const QJsonObject& chunk, canon::StreamEvents& out)
{
    const QJsonValue errorValue = chunk.value(QLatin1StringView("error"));
    if (errorValue.isObject() || (errorValue.isString() && !errorValue.toString().isEmpty())) {
        QJsonObject err = errorValue.isObject() ? errorValue.toObject()
                                                : QJsonObject {{QStringLiteral("message"), errorValue.toString()}};
        fail(errorFromObject(0, err), out);
        return;
    }

    const QJsonArray choices = chunk.value(QLatin1StringView("choices")).toArray();
    QJsonObject usageObject = chunk.value(QLatin1StringView("usage")).toObject();
    if (usageObject.isEmpty())
        usageObject = chunk.value(QLatin1StringView("x_groq")).toObject().value(QLatin1StringView("usage")).toObject();
    const canon::Usage usage = parseUsage(usageObject);

    if (!m_started) {
        const QString id = chunk.value(QLatin1StringView("id")).toString();
        const QString model = chunk.value(QLatin1StringView("model")).toString();
        if (!id.isEmpty() || !model.isEmpty() || !choices.isEmpty()) {
            m_id = id;
            m_model = model;
            m_usage.mergeFrom(usage);
            ensureStarted(out);
        }
    }

    // n is always 1 for the gateway; use the choice with index 0 (or the first one).
    QJsonObject choice;
    for (const QJsonValue& v : choices) {
        const QJsonObject c = v.toObject();
        if (c.value(QLatin1StringView("index")).toInt(0) == 0) {
            choice = c;
            break;
        }
    }
    if (!choice.isEmpty()) {
        // P19: reasoning -> content -> tool calls -> finish -> usage, all from the same chunk.
        handleDelta(choice.value(QLatin1StringView("delta")).toObject(), out);
        if (m_done)
            return;
        const QString finish = choice.value(QLatin1StringView("finish_reason")).toString();
        if (!finish.isEmpty()) {
            if (finish == u"error") {
                const QJsonObject err = choice.value(QLatin1StringView("error")).toObject();
                canon::Error e = canon::Error::make(
                    500, canon::ErrorType::Api, err.value(QLatin1StringView("message")).toString());
                if (e.message.isEmpty())
                    e.message = QStringLiteral("upstream ended the stream with finish_reason \"error\"");
                fail(e, out);
                return;
            }
            if (finish == u"insufficient_system_resource") {
                fail(canon::Error::make(529, canon::ErrorType::Overloaded,
                         QStringLiteral("upstream ran out of resources (insufficient_system_resource)")),
                    out);
                return;
            }
            m_finishReason = finish;
            m_finishSeen = true;
            closeOpen(out);
            flushCalls(out);
        }
    }

    if (!usageObject.isEmpty()) {
        m_usage.mergeFrom(usage);
        if (m_finishSeen)
            emitFinish(out);
    }
}

void StreamDecoder::handleDelta(const QJsonObject& delta, canon::StreamEvents& out)
{
    if (delta.isEmpty())
        return;
    QString reasoning = delta.value(QLatin1StringView("reasoning_content")).toString();
    if (reasoning.isEmpty())
        reasoning = delta.value(QLatin1StringView("reasoning")).toString();
    if (reasoning.isEmpty())
        reasoning = reasoningDetailsText(delta.value(QLatin1StringView("reasoning_details")).toArray());
    if (!reasoning.isEmpty())
        reasoningDelta(reasoning, out);

    const QJsonValue content = delta.value(QLatin1StringView("content"));
    if (content.isString()) {
        textDelta(content.toString(), out);
    } else if (content.isArray()) {
        // Mistral/Magistral: typed parts, {type:"thinking", thinking:[{type:"text", text}]} and {type:"text", text}.
        for (const QJsonValue& v : content.toArray()) {
            const QJsonObject part = v.toObject();
            const QString type = part.value(QLatin1StringView("type")).toString();
            if (type == u"text") {
                textDelta(part.value(QLatin1StringView("text")).toString(), out);
            } else if (type == u"thinking") {
                const QJsonValue thinking = part.value(QLatin1StringView("thinking"));
                if (thinking.isString()) {
                    reasoningDelta(thinking.toString(), out);
                } else {
                    for (const QJsonValue& tv : thinking.toArray())
                        reasoningDelta(tv.toObject().value(QLatin1StringView("text")).toString(), out);
                }
            }
        }
    }

    const QString refusal = delta.value(QLatin1StringView("refusal")).toString();
    if (!refusal.isEmpty()) {
        textDelta(refusal, out);
        m_refused = true;
    }

    for (const QJsonValue& f : delta.value(QLatin1StringView("tool_calls")).toArray())
        handleToolFragment(f.toObject(), out);
}

void StreamDecoder::reasoningDelta(const QString& text, canon::StreamEvents& out)
{
    if (text.isEmpty())
        return;
    if (m_open != Open::Reasoning) {
        closeOpen(out);
        m_open = Open::Reasoning;
    }
    out.append(StreamEvent::of(Type::ReasoningDelta, text));
}

void StreamDecoder::textDelta(const QString& text, canon::StreamEvents& out)
{
    if (text.isEmpty())
        return;
    if (m_open != Open::Text) {
        closeOpen(out);
        m_open = Open::Text;
    }
    out.append(StreamEvent::of(Type::TextDelta, text));
}

void StreamDecoder::closeOpen(canon::StreamEvents& out)
{
    switch (m_open) {
    case Open::None:
        return;
    case Open::Reasoning:
        out.append(StreamEvent::of(Type::ReasoningSignature, reasoningSignature()));
        out.append(StreamEvent::of(Type::BlockEnd));
        break;
    case Open::Text:
        out.append(StreamEvent::of(Type::BlockEnd));
        break;
    case Open::Tool:
        closeCall(m_openCall, out);
        break;
    }
    m_open = Open::None;
    m_openCall = -1;
}

void StreamDecoder::handleToolFragment(const QJsonObject& fragment, canon::StreamEvents& out)
{
    if (fragment.isEmpty())
        return;
    const QJsonValue indexValue = fragment.value(QLatin1StringView("index"));
    const int index = indexValue.isDouble() ? indexValue.toInt() : -1;
    const QString id = fragment.value(QLatin1StringView("id")).toString();
    const QJsonObject fn = fragment.value(QLatin1StringView("function")).toObject();
    const QString name = fn.value(QLatin1StringView("name")).toString();
    const QJsonValue argsValue = fn.value(QLatin1StringView("arguments"));
    QString args;
    if (argsValue.isString())
        args = argsValue.toString();
    else if (argsValue.isObject())
        args = QString::fromUtf8(compactJson(argsValue.toObject()));

    const int pos = resolveCall(index, id);
    ToolCall& call = m_calls[size_t(pos)];
    if (call.id.isEmpty() && !id.isEmpty()) {
        call.id = id;
        m_byId.insert(id, pos);
    }
    if (call.name.isEmpty() && !name.isEmpty())
        call.name = name;
    call.args += args;
    advanceCall(pos, out);
}

int StreamDecoder::resolveCall(int index, const QString& id)
{
    if (!id.isEmpty()) {
        const auto byId = m_byId.constFind(id);
        if (byId != m_byId.constEnd())
            return byId.value();
    }
    if (index >= 0) {
        const auto byIndex = m_byIndex.constFind(index);
        // Same index and either no id in this fragment or no id known yet for that call: a continuation.
        // A different non-empty id on a known index is a new call (Ollama reuses index 0, P16).
        if (byIndex != m_byIndex.constEnd() && (id.isEmpty() || m_calls[size_t(byIndex.value())].id.isEmpty()))
            return byIndex.value();
    } else if (id.isEmpty() && !m_calls.empty()) {
        return int(m_calls.size()) - 1;
    }
    ToolCall call;
    call.index = index;
    m_calls.push_back(call);
    const int pos = int(m_calls.size()) - 1;
    if (index >= 0)
        m_byIndex.insert(index, pos);
    return pos;
}

void StreamDecoder::advanceCall(int pos, canon::StreamEvents& out)
{
    ToolCall& call = m_calls[size_t(pos)];
    switch (call.state) {
    case CallState::Open:
        if (call.args.size() > call.emitted) {
            out.append(StreamEvent::of(Type::ToolCallArgsDelta, call.args.mid(call.emitted)));
            call.emitted = call.args.size();
        }
        return;
    case CallState::Closed:
        if (call.args.size() > call.emitted) {
            qCWarning(lcProtocol) << "openai-chat: argument fragment for tool call" << call.id
                                  << "arrived after its block was closed; it cannot be delivered";
            call.emitted = call.args.size();
        }
        return;
    case CallState::Pending:
        break;
    }
    if (m_buffering || call.id.isEmpty() || call.name.isEmpty())
        return;
    for (int i = 0; i < pos; ++i) {
        if (m_calls[size_t(i)].state == CallState::Pending) {
            m_buffering = true; // keep first-seen order: an earlier call is still waiting
            return;
        }
    }
    if (m_open == Open::Tool && !isJsonObject(m_calls[size_t(m_openCall)].args)) {
        // The open call is not finished yet, so fragments of both may interleave: hold this and later calls.
        m_buffering = true;
        return;
    }
    startCall(pos, out);
}

QString StreamDecoder::uniqueId(const QString& upstreamId)
{
    QString id = sanitizeToolCallId(upstreamId);
    while (m_emittedIds.contains(id))
        id = generateToolCallId();
    m_emittedIds.insert(id);
    return id;
}

void StreamDecoder::startCall(int pos, canon::StreamEvents& out)
{
    closeOpen(out);
    ensureStarted(out);
    ToolCall& call = m_calls[size_t(pos)];
    StreamEvent start = StreamEvent::of(Type::ToolCallStart);
    start.id = uniqueId(call.id);
    start.name = m_toolNameToClient.value(call.name, call.name);
    out.append(start);
    m_sawToolCall = true;
    call.state = CallState::Open;
    m_open = Open::Tool;
    m_openCall = pos;
    if (!call.args.isEmpty())
        out.append(StreamEvent::of(Type::ToolCallArgsDelta, call.args));
    call.emitted = call.args.size();
}

void StreamDecoder::closeCall(int pos, canon::StreamEvents& out)
{
    ToolCall& call = m_calls[size_t(pos)];
    if (isBlank(call.args)) {
        out.append(StreamEvent::of(Type::ToolCallArgsDelta, QStringLiteral("{}")));
    } else if (!isJsonObject(call.args)) {
        QString suffix;
        if (jsonObjectCompletion(call.args, &suffix)) {
            out.append(StreamEvent::of(Type::ToolCallArgsDelta, suffix));
        } else {
            qCWarning(lcProtocol) << "openai-chat: tool call" << call.id << "has arguments that are not a JSON object";
        }
    }
    out.append(StreamEvent::of(Type::BlockEnd));
    call.state = CallState::Closed;
    call.emitted = call.args.size();
}

void StreamDecoder::emitBufferedCall(int pos, canon::StreamEvents& out)
{
    ToolCall& call = m_calls[size_t(pos)];
    call.state = CallState::Closed;
    call.emitted = call.args.size();
    if (call.name.isEmpty() && isBlank(call.args)) {
        qCWarning(lcProtocol) << "openai-chat: dropping a tool call with neither name nor arguments";
        return;
    }
    QString args;
    if (isJsonObject(call.args)) {
        args = call.args;
    } else {
        QString suffix;
        if (!isBlank(call.args) && jsonObjectCompletion(call.args, &suffix)) {
            args = call.args + suffix;
        } else {
            if (!isBlank(call.args))
                qCWarning(lcProtocol) << "openai-chat: tool call" << call.id << "has invalid arguments; using {}";
            args = QStringLiteral("{}");
        }
    }
    closeOpen(out);
    ensureStarted(out);
    StreamEvent start = StreamEvent::of(Type::ToolCallStart);
    start.id = uniqueId(call.id);
    start.name = call.name.isEmpty() ? QStringLiteral("tool_") + QString::number(pos)
                                     : m_toolNameToClient.value(call.name, call.name);
    out.append(start);
    out.append(StreamEvent::of(Type::ToolCallArgsDelta, args));
    out.append(StreamEvent::of(Type::BlockEnd));
    m_sawToolCall = true;
}

void StreamDecoder::flushCalls(canon::StreamEvents& out)
{
    if (m_open == Open::Tool)
        closeOpen(out);
    for (size_t i = 0; i < m_calls.size(); ++i) {
        if (m_calls[i].state == CallState::Pending)
            emitBufferedCall(int(i), out);
    }
    m_buffering = false;
}

void StreamDecoder::ensureStarted(canon::StreamEvents& out)
{
    if (m_started)
        return;
    m_started = true;
    StreamEvent start = StreamEvent::of(Type::MessageStart, m_model);
    start.id = m_id;
    start.usage = m_usage;
    out.append(start);
}

void StreamDecoder::emitFinish(canon::StreamEvents& out)
{
    if (m_done)
        return;
    closeOpen(out);
    flushCalls(out);
    ensureStarted(out);
    StreamEvent fin = StreamEvent::of(Type::Finish);
    fin.stopReason = applyToolUseOverride(stopReasonFromFinish(m_finishReason), m_sawToolCall);
    if (m_refused && fin.stopReason == canon::StopReason::EndTurn)
        fin.stopReason = canon::StopReason::Refusal;
    fin.usage = m_usage;
    out.append(fin);
    m_done = true;
}

void StreamDecoder::fail(const canon::Error& error, canon::StreamEvents& out)
{
    if (m_done)
        return;
    StreamEvent e = StreamEvent::of(Type::Failure, error.message);
    e.error = error;
    out.append(e);
    m_done = true;
}

} // namespace sy::openaichat
