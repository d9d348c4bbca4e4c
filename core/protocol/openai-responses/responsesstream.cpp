#include "responsesstream.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "common/logging.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "responsescommon.h"
#include "responsesresponse.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace sy::responses {

namespace {

using canon::StreamEvent;
using Type = canon::StreamEvent::Type;

constexpr qsizetype MaxPlainBodyBytes = 8 * 1024 * 1024;

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

canon::Error prematureEnd()
{
    return canon::Error::make(500, canon::ErrorType::Api, QStringLiteral("upstream stream ended prematurely"));
}

QString argumentsText(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isObject())
        return QString::fromUtf8(compactJson(v.toObject()));
    return {};
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
    if (!m_sawEvent && !m_rawPrefix.isEmpty() && m_events.isEmpty()) {
        // Not an event stream: perhaps a plain JSON answer or error (the upstream ignored stream:true).
        const QJsonDocument doc = json::parse(m_rawPrefix);
        if (doc.isObject()) {
            const QJsonObject o = doc.object();
            const QJsonValue err = o.value(QLatin1StringView("error"));
            const bool hasError = err.isObject() || (err.isString() && !err.toString().isEmpty());
            if (hasError && !o.contains(QLatin1StringView("output"))) {
                fail(errorFromObject(0, o), out);
                return;
            }
            if (o.contains(QLatin1StringView("output")) || hasError) {
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
        if (truncated && i == m_events.size() - 1 && !json::isObject(e.data.trimmed()))
            break; // an event cut short counts only if its data is complete
        handleEvent(e, out);
    }
    m_events.clear();
    if (!m_done)
        fail(prematureEnd(), out);
}

void StreamDecoder::handleEvent(const SseEvent& event, canon::StreamEvents& out)
{
    const QByteArray data = event.data.trimmed();
    if (data.isEmpty() || data == "[DONE]")
        return;
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(data, &perr);
    if (!doc.isObject()) {
        if (event.event == "error") {
            fail(errorFromObject(0, QJsonObject {{QStringLiteral("message"), QString::fromUtf8(data.left(500))}}), out);
            return;
        }
        fail(canon::Error::make(500, canon::ErrorType::Api,
                 QStringLiteral("upstream sent malformed stream data: ") + QString::fromUtf8(data.left(200))),
            out);
        return;
    }
    const QJsonObject d = doc.object();
    QString type = d.value(QLatin1StringView("type")).toString();
    if (type.isEmpty())
        type = QString::fromUtf8(event.event);
    handle(type, d, out);
}

void StreamDecoder::handle(const QString& type, const QJsonObject& d, canon::StreamEvents& out)
{
    if (type == u"response.output_text.delta" || type == u"response.refusal.delta") {
        const int index = itemIndex(d, u"message");
        m_items[index].deltaSeen = true;
        if (type == u"response.refusal.delta")
            m_refused = true;
        textDelta(index, d.value(QLatin1StringView("delta")).toString(), out);
    } else if (type == u"response.reasoning_summary_text.delta" || type == u"response.reasoning_text.delta") {
        const int index = itemIndex(d, u"reasoning");
        Item& item = m_items[index];
        item.deltaSeen = true;
        const bool summary = type == u"response.reasoning_summary_text.delta";
        const QJsonValue part
            = d.value(summary ? QLatin1StringView("summary_index") : QLatin1StringView("content_index"));
        const QString key = (summary ? QStringLiteral("s") : QStringLiteral("c")) + QString::number(part.toInt());
        if (item.partKey != key) {
            item.partKey = key;
            item.newPart = true;
        }
        reasoningDelta(index, d.value(QLatin1StringView("delta")).toString(), out);
    } else if (type == u"response.function_call_arguments.delta") {
        argsDelta(itemIndex(d, u"function_call"), argumentsText(d.value(QLatin1StringView("delta"))), out);
    } else if (type == u"response.function_call_arguments.done") {
        Item& item = m_items[itemIndex(d, u"function_call")];
        item.argsDone = argumentsText(d.value(QLatin1StringView("arguments")));
        if (item.name.isEmpty())
            item.name = d.value(QLatin1StringView("name")).toString();
    } else if (type == u"response.output_item.added") {
        itemAdded(d, out);
    } else if (type == u"response.output_item.done") {
        itemDone(d, out);
    } else if (type == u"response.created" || type == u"response.in_progress" || type == u"response.queued") {
        if (!m_started) {
            const QJsonObject r = d.value(QLatin1StringView("response")).toObject();
            m_id = r.value(QLatin1StringView("id")).toString();
            m_model = r.value(QLatin1StringView("model")).toString();
            ensureStarted(out);
        }
    } else if (type == u"response.completed" || type == u"response.incomplete") {
        const QJsonObject r = d.value(QLatin1StringView("response")).toObject();
        m_usage.mergeFrom(parseUsage(r.value(QLatin1StringView("usage")).toObject()));
        if (m_id.isEmpty())
            m_id = r.value(QLatin1StringView("id")).toString();
        if (m_model.isEmpty())
            m_model = r.value(QLatin1StringView("model")).toString();
        QString status = r.value(QLatin1StringView("status")).toString();
        if (status.isEmpty() || type == u"response.incomplete")
            status = type == u"response.incomplete" ? QStringLiteral("incomplete") : QStringLiteral("completed");
        const QString reason
            = r.value(QLatin1StringView("incomplete_details")).toObject().value(QLatin1StringView("reason")).toString();
        emitFinish(stopReasonFor(status, reason), out);
    } else if (type == u"response.failed") {
        const QJsonObject r = d.value(QLatin1StringView("response")).toObject();
        QJsonObject err = r.value(QLatin1StringView("error")).toObject();
        if (err.value(QLatin1StringView("message")).toString().isEmpty()) {
            QString message = QStringLiteral("upstream response failed");
            const QString code = err.value(QLatin1StringView("code")).toString();
            if (!code.isEmpty())
                message += QStringLiteral(" (") + code + QLatin1Char(')');
            err.insert(QLatin1StringView("message"), message);
        }
        fail(errorFromObject(0, err), out);
    } else if (type == u"error") {
        QJsonObject err = d;
        if (!err.value(QLatin1StringView("error")).isObject()
            && err.value(QLatin1StringView("message")).toString().isEmpty())
            err.insert(QLatin1StringView("message"), QStringLiteral("upstream reported an error in the stream"));
        fail(errorFromObject(0, err), out);
    }
    // Everything else (in_progress markers, content_part / *.done events, annotations, hosted-tool progress,
    // custom/shell/apply_patch deltas) carries nothing the canonical stream needs.
}

int StreamDecoder::itemIndex(const QJsonObject& d, QStringView impliedType)
{
    const QJsonValue oi = d.value(QLatin1StringView("output_index"));
    const QString itemId = d.value(QLatin1StringView("item_id")).toString();
    int index;
    if (oi.isDouble()) {
        index = oi.toInt();
    } else if (!itemId.isEmpty() && m_byItemId.contains(itemId)) {
        return m_byItemId.value(itemId);
    } else if (itemId.isEmpty() && m_open != Open::None && m_items.value(m_openItem).type == impliedType) {
        return m_openItem; // no way to tell: the item being streamed
    } else {
        index = m_nextSynthetic--;
    }
    auto it = m_items.find(index);
    if (it == m_items.end()) {
        Item item;
        item.type = impliedType.toString(); // a delta for an item that was never announced
        it = m_items.insert(index, item);
    }
    if (!itemId.isEmpty())
        m_byItemId.insert(itemId, index);
    return index;
}

void StreamDecoder::itemAdded(const QJsonObject& d, canon::StreamEvents& out)
{
    const QJsonObject obj = d.value(QLatin1StringView("item")).toObject();
    const QJsonValue oi = d.value(QLatin1StringView("output_index"));
    const QString itemId = obj.value(QLatin1StringView("id")).toString();
    int index
        = oi.isDouble() ? oi.toInt() : (m_byItemId.contains(itemId) ? m_byItemId.value(itemId) : m_nextSynthetic--);
    Item& item = m_items[index];
    item.type = obj.value(QLatin1StringView("type")).toString();
    if (!itemId.isEmpty())
        m_byItemId.insert(itemId, index);
    if (item.type == u"reasoning") {
        item.encrypted = obj.value(QLatin1StringView("encrypted_content")).toString();
        return; // the thinking block opens with the first text
    }
    if (item.type != u"function_call")
        return; // messages open lazily; hosted and other items are not forwarded
    item.callId = obj.value(QLatin1StringView("call_id")).toString();
    if (item.callId.isEmpty())
        item.callId = itemId;
    item.name = obj.value(QLatin1StringView("name")).toString();
    const QString args = argumentsText(obj.value(QLatin1StringView("arguments")));
    if (!args.isEmpty())
        item.args = args + item.args;
    item.wrapper = isParallelWrapperName(item.name);
    if (!item.wrapper && !item.name.isEmpty())
        startCall(index, out);
}

void StreamDecoder::itemDone(const QJsonObject& d, canon::StreamEvents& out)
{
    const QJsonObject obj = d.value(QLatin1StringView("item")).toObject();
    const QJsonValue oi = d.value(QLatin1StringView("output_index"));
    const QString itemId = obj.value(QLatin1StringView("id")).toString();
    int index
        = oi.isDouble() ? oi.toInt() : (m_byItemId.contains(itemId) ? m_byItemId.value(itemId) : m_nextSynthetic--);
    Item& item = m_items[index];
    const QString type = obj.value(QLatin1StringView("type")).toString();
    if (!type.isEmpty())
        item.type = type;

    if (item.type == u"reasoning") {
        if (!item.deltaSeen)
            reasoningDelta(index, reasoningItemText(obj), out);
        QString encrypted = obj.value(QLatin1StringView("encrypted_content")).toString();
        if (encrypted.isEmpty())
            encrypted = item.encrypted;
        const bool open = m_open == Open::Reasoning && m_openItem == index;
        if (!open && (item.started || encrypted.isEmpty()))
            return; // closed earlier (interleaved items), or nothing worth a block
        if (!open) {
            closeOpen(out);
            ensureStarted(out);
            item.started = true;
        }
        out.append(StreamEvent::of(Type::ReasoningSignature, reasoningSignature(encrypted)));
        out.append(StreamEvent::of(Type::BlockEnd));
        item.closed = true;
        m_open = Open::None;
        return;
    }
    if (item.type == u"message") {
        if (!item.deltaSeen) {
            bool refusal = false;
            const QString text = messageItemText(obj, &refusal);
            m_refused = m_refused || refusal;
            textDelta(index, text, out);
        }
        if (m_open == Open::Text && m_openItem == index)
            closeOpen(out);
        item.closed = true;
        return;
    }
    if (item.type != u"function_call")
        return;

    if (item.callId.isEmpty()) {
        item.callId = obj.value(QLatin1StringView("call_id")).toString();
        if (item.callId.isEmpty())
            item.callId = itemId;
    }
    if (item.name.isEmpty())
        item.name = obj.value(QLatin1StringView("name")).toString();
    QString final = argumentsText(obj.value(QLatin1StringView("arguments")));
    if (final.isEmpty())
        final = !item.argsDone.isEmpty() ? item.argsDone : item.args;

    if (!item.started && (item.wrapper || isParallelWrapperName(item.name))) {
        item.started = item.closed = true;
        QList<WrappedCall> calls;
        if (unwrapParallelCalls(item.name, final, &calls)) {
            int n = 0;
            for (const WrappedCall& c : std::as_const(calls)) {
                emitWholeCall(item.callId + QLatin1Char('_') + QString::number(n++), c.name,
                    QString::fromUtf8(compactJson(c.arguments)), out);
            }
        } else {
            emitWholeCall(item.callId, item.name, final, out);
        }
        return;
    }
    if (!item.started) {
        if (item.name.isEmpty())
            item.name = QStringLiteral("tool");
        startCall(index, out);
    }
    if (item.closed)
        return; // closed earlier because another item interrupted it
    if (item.emitted == 0 && !final.isEmpty())
        item.args = final; // nothing forwarded yet: send the final arguments in one piece
    else if (final.size() > item.args.size() && final.startsWith(item.args))
        item.args = final; // deltas were missing the tail
    forwardArgs(index, out);
    closeCall(index, out);
}

void StreamDecoder::textDelta(int index, const QString& text, canon::StreamEvents& out)
{
    if (text.isEmpty())
        return;
    if (m_open != Open::Text || m_openItem != index) {
        closeOpen(out);
        ensureStarted(out);
        m_open = Open::Text;
        m_openItem = index;
        m_items[index].started = true;
    }
    out.append(StreamEvent::of(Type::TextDelta, text));
}

void StreamDecoder::reasoningDelta(int index, QString text, canon::StreamEvents& out)
{
    if (text.isEmpty())
        return;
    Item& item = m_items[index];
    if (item.newPart && item.hasText)
        text.prepend(QStringLiteral("\n\n"));
    item.newPart = false;
    item.hasText = true;
    if (m_open != Open::Reasoning || m_openItem != index) {
        closeOpen(out);
        ensureStarted(out);
        m_open = Open::Reasoning;
        m_openItem = index;
        m_items[index].started = true;
    }
    out.append(StreamEvent::of(Type::ReasoningDelta, text));
}

void StreamDecoder::argsDelta(int index, const QString& delta, canon::StreamEvents& out)
{
    Item& item = m_items[index];
    item.deltaSeen = true;
    item.args += delta;
    if (m_open == Open::Tool && m_openItem == index) {
        forwardArgs(index, out);
    } else if (item.closed && !delta.isEmpty()) {
        qCWarning(lcProtocol) << "openai-responses: argument delta for tool call" << item.callId
                              << "arrived after its block was closed; it cannot be delivered";
    }
}

QString StreamDecoder::uniqueId(const QString& upstreamId)
{
    QString id = openaichat::sanitizeToolCallId(clientCallId(m_toolNameToClient, upstreamId));
    while (m_emittedIds.contains(id))
        id = openaichat::generateToolCallId();
    m_emittedIds.insert(id);
    return id;
}

void StreamDecoder::startCall(int index, canon::StreamEvents& out)
{
    closeOpen(out);
    ensureStarted(out);
    Item& item = m_items[index];
    StreamEvent start = StreamEvent::of(Type::ToolCallStart);
    start.id = uniqueId(item.callId);
    start.name = m_toolNameToClient.value(item.name, item.name);
    out.append(start);
    m_sawToolCall = true;
    item.started = true;
    m_open = Open::Tool;
    m_openItem = index;
    forwardArgs(index, out);
}

void StreamDecoder::forwardArgs(int index, canon::StreamEvents& out)
{
    Item& item = m_items[index];
    if (item.args.size() > item.emitted) {
        out.append(StreamEvent::of(Type::ToolCallArgsDelta, item.args.mid(item.emitted)));
        item.emitted = item.args.size();
    }
}

void StreamDecoder::closeCall(int index, canon::StreamEvents& out)
{
    Item& item = m_items[index];
    if (isBlank(item.args)) {
        out.append(StreamEvent::of(Type::ToolCallArgsDelta, QStringLiteral("{}")));
    } else if (!isJsonObject(item.args)) {
        QString suffix;
        if (openaichat::jsonObjectCompletion(item.args, &suffix))
            out.append(StreamEvent::of(Type::ToolCallArgsDelta, suffix));
        else
            qCWarning(lcProtocol) << "openai-responses: tool call" << item.callId
                                  << "has arguments that are not a JSON object";
    }
    out.append(StreamEvent::of(Type::BlockEnd));
    item.closed = true;
    item.emitted = item.args.size();
    m_open = Open::None;
}

void StreamDecoder::emitWholeCall(
    const QString& callId, const QString& name, const QString& args, canon::StreamEvents& out)
{
    closeOpen(out);
    ensureStarted(out);
    StreamEvent start = StreamEvent::of(Type::ToolCallStart);
    start.id = uniqueId(callId);
    start.name = name.isEmpty() ? QStringLiteral("tool") : m_toolNameToClient.value(name, name);
    out.append(start);
    QString text = args;
    if (!isJsonObject(text)) {
        QString suffix;
        if (!isBlank(text) && openaichat::jsonObjectCompletion(text, &suffix))
            text += suffix;
        else
            text = QStringLiteral("{}");
    }
    out.append(StreamEvent::of(Type::ToolCallArgsDelta, text));
    out.append(StreamEvent::of(Type::BlockEnd));
    m_sawToolCall = true;
}

void StreamDecoder::closeOpen(canon::StreamEvents& out)
{
    switch (m_open) {
    case Open::None:
        return;
    case Open::Reasoning: {
        // Interrupted before its output_item.done: sign with what is known so far.
        Item& item = m_items[m_openItem];
        out.append(StreamEvent::of(Type::ReasoningSignature, reasoningSignature(item.encrypted)));
        out.append(StreamEvent::of(Type::BlockEnd));
        item.closed = true;
        break;
    }
    case Open::Text:
        out.append(StreamEvent::of(Type::BlockEnd));
        m_items[m_openItem].closed = true;
        break;
    case Open::Tool:
        closeCall(m_openItem, out);
        break;
    }
    m_open = Open::None;
}

void StreamDecoder::ensureStarted(canon::StreamEvents& out)
{
    if (m_started)
        return;
    m_started = true;
    StreamEvent start = StreamEvent::of(Type::MessageStart, m_model);
    start.id = m_id;
    out.append(start);
}

void StreamDecoder::emitFinish(canon::StopReason stop, canon::StreamEvents& out)
{
    if (m_done)
        return;
    closeOpen(out);
    // Calls still held (a wrapper or a call without a name whose output_item.done never came).
    QList<int> held;
    for (auto it = m_items.cbegin(); it != m_items.cend(); ++it) {
        if (it->type == u"function_call" && !it->started && (!it->name.isEmpty() || !isBlank(it->args)))
            held.append(it.key());
    }
    std::sort(held.begin(), held.end());
    for (int index : std::as_const(held)) {
        Item& item = m_items[index];
        item.started = item.closed = true;
        emitWholeCall(item.callId, item.name, item.argsDone.isEmpty() ? item.args : item.argsDone, out);
    }
    ensureStarted(out);
    StreamEvent fin = StreamEvent::of(Type::Finish);
    fin.stopReason = openaichat::applyToolUseOverride(stop, m_sawToolCall);
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

// ---------------------------------------------------------------------------------------------------------------
// SseEncoder

namespace {

QString randomHex()
{
    return openaichat::generateToolCallId().mid(6); // 24 random hex digits
}

} // namespace

SseEncoder::SseEncoder(const QString& model)
    : m_model(model)
    , m_createdAt(QDateTime::currentSecsSinceEpoch())
{
}

void SseEncoder::write(QByteArray& out, const QString& type, QJsonObject data)
{
    data.insert(QLatin1StringView("type"), type);
    data.insert(QLatin1StringView("sequence_number"), m_sequence++);
    out += "event: ";
    out += type.toUtf8();
    out += "\ndata: ";
    out += compactJson(data);
    out += "\n\n";
}

QJsonObject SseEncoder::responseObject(const QString& status) const
{
    const bool inProgress = status == u"in_progress";
    return QJsonObject {{QStringLiteral("id"), m_responseId}, {QStringLiteral("object"), QStringLiteral("response")},
        {QStringLiteral("created_at"), m_createdAt}, {QStringLiteral("status"), status},
        {QStringLiteral("error"), QJsonValue::Null}, {QStringLiteral("incomplete_details"), QJsonValue::Null},
        {QStringLiteral("model"), m_model}, {QStringLiteral("output"), inProgress ? QJsonArray() : m_output},
        {QStringLiteral("parallel_tool_calls"), true}, {QStringLiteral("store"), false},
        {QStringLiteral("usage"), inProgress ? QJsonValue(QJsonValue::Null) : QJsonValue(usageObject(m_usage))}};
}

void SseEncoder::start(QByteArray& out)
{
    if (m_started)
        return;
    m_started = true;
    if (m_responseId.isEmpty())
        m_responseId = QStringLiteral("resp_") + randomHex();
    write(out, QStringLiteral("response.created"),
        QJsonObject {{QStringLiteral("response"), responseObject(QStringLiteral("in_progress"))}});
    write(out, QStringLiteral("response.in_progress"),
        QJsonObject {{QStringLiteral("response"), responseObject(QStringLiteral("in_progress"))}});
}

void SseEncoder::openBlock(Block kind, QByteArray& out, const QString& id, const QString& name)
{
    closeBlock(out);
    m_open = kind;
    m_text.clear();
    m_signature.clear();
    m_signed = false;
    m_summaryStarted = false;
    const qsizetype index = m_output.size();
    QJsonObject item;
    switch (kind) {
    case Block::Text:
        m_itemId = QStringLiteral("msg_") + randomHex();
        item = QJsonObject {{QStringLiteral("id"), m_itemId}, {QStringLiteral("type"), QStringLiteral("message")},
            {QStringLiteral("status"), QStringLiteral("in_progress")},
            {QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), QJsonArray()}};
        break;
    case Block::Reasoning:
        m_itemId = QStringLiteral("rs_") + randomHex();
        item = QJsonObject {{QStringLiteral("id"), m_itemId}, {QStringLiteral("type"), QStringLiteral("reasoning")},
            {QStringLiteral("summary"), QJsonArray()}};
        break;
    case Block::Tool:
        m_itemId = QStringLiteral("fc_") + randomHex();
        m_callId = id.isEmpty() ? QStringLiteral("call_") + randomHex() : id;
        m_name = name;
        item = QJsonObject {{QStringLiteral("id"), m_itemId}, {QStringLiteral("type"), QStringLiteral("function_call")},
            {QStringLiteral("status"), QStringLiteral("in_progress")}, {QStringLiteral("call_id"), m_callId},
            {QStringLiteral("name"), m_name}, {QStringLiteral("arguments"), QString()}};
        break;
    case Block::None:
        return;
    }
    write(out, QStringLiteral("response.output_item.added"),
        QJsonObject {{QStringLiteral("output_index"), index}, {QStringLiteral("item"), item}});
    if (kind == Block::Text) {
        write(out, QStringLiteral("response.content_part.added"),
            QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), index},
                {QStringLiteral("content_index"), 0},
                {QStringLiteral("part"),
                    QJsonObject {{QStringLiteral("type"), QStringLiteral("output_text")},
                        {QStringLiteral("text"), QString()}, {QStringLiteral("annotations"), QJsonArray()}}}});
    }
}

void SseEncoder::closeBlock(QByteArray& out)
{
    const qsizetype index = m_output.size();
    QJsonObject item;
    switch (m_open) {
    case Block::None:
        return;
    case Block::Text: {
        write(out, QStringLiteral("response.output_text.done"),
            QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), index},
                {QStringLiteral("content_index"), 0}, {QStringLiteral("text"), m_text},
                {QStringLiteral("logprobs"), QJsonArray()}});
        const QJsonObject part {{QStringLiteral("type"), QStringLiteral("output_text")},
            {QStringLiteral("text"), m_text}, {QStringLiteral("annotations"), QJsonArray()}};
        write(out, QStringLiteral("response.content_part.done"),
            QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), index},
                {QStringLiteral("content_index"), 0}, {QStringLiteral("part"), part}});
        item = QJsonObject {{QStringLiteral("id"), m_itemId}, {QStringLiteral("type"), QStringLiteral("message")},
            {QStringLiteral("status"), QStringLiteral("completed")},
            {QStringLiteral("role"), QStringLiteral("assistant")}, {QStringLiteral("content"), QJsonArray {part}}};
        break;
    }
    case Block::Reasoning: {
        QJsonArray summary;
        if (m_summaryStarted) {
            const QJsonObject part {
                {QStringLiteral("type"), QStringLiteral("summary_text")}, {QStringLiteral("text"), m_text}};
            write(out, QStringLiteral("response.reasoning_summary_text.done"),
                QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), index},
                    {QStringLiteral("summary_index"), 0}, {QStringLiteral("text"), m_text}});
            write(out, QStringLiteral("response.reasoning_summary_part.done"),
                QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), index},
                    {QStringLiteral("summary_index"), 0}, {QStringLiteral("part"), part}});
            summary.append(part);
        }
        item = QJsonObject {{QStringLiteral("id"), m_itemId}, {QStringLiteral("type"), QStringLiteral("reasoning")},
            {QStringLiteral("summary"), summary}};
        const QString encrypted = clientEncryptedContent(m_signature);
        if (!encrypted.isEmpty())
            item.insert(QLatin1StringView("encrypted_content"), encrypted);
        break;
    }
    case Block::Tool: {
        const QString args = isBlank(m_text) ? QStringLiteral("{}") : m_text;
        write(out, QStringLiteral("response.function_call_arguments.done"),
            QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), index},
                {QStringLiteral("arguments"), args}});
        item = QJsonObject {{QStringLiteral("id"), m_itemId}, {QStringLiteral("type"), QStringLiteral("function_call")},
            {QStringLiteral("status"), QStringLiteral("completed")}, {QStringLiteral("call_id"), m_callId},
            {QStringLiteral("name"), m_name}, {QStringLiteral("arguments"), args}};
        break;
    }
    }
    write(out, QStringLiteral("response.output_item.done"),
        QJsonObject {{QStringLiteral("output_index"), index}, {QStringLiteral("item"), item}});
    m_output.append(item);
    m_open = Block::None;
    m_text.clear();
}

void SseEncoder::encode(const StreamEvent& e, QByteArray& out)
{
    if (m_finished)
        return;
    switch (e.type) {
    case Type::MessageStart:
        if (!m_started && m_responseId.isEmpty() && !e.id.isEmpty()) {
            m_responseId = e.id.startsWith(QLatin1String("resp_"))
                ? e.id
                : QString(QStringLiteral("resp_") + openaichat::sanitizeToolCallId(e.id));
        }
        m_usage.mergeFrom(e.usage);
        start(out);
        break;
    case Type::UsageUpdate:
        m_usage.mergeFrom(e.usage);
        break;
    case Type::TextDelta:
        if (e.text.isEmpty())
            return;
        start(out);
        if (m_open != Block::Text)
            openBlock(Block::Text, out);
        m_text += e.text;
        write(out, QStringLiteral("response.output_text.delta"),
            QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), m_output.size()},
                {QStringLiteral("content_index"), 0}, {QStringLiteral("delta"), e.text},
                {QStringLiteral("logprobs"), QJsonArray()}});
        break;
    case Type::ReasoningDelta:
        start(out);
        if (m_open != Block::Reasoning || m_signed)
            openBlock(Block::Reasoning, out);
        if (e.text.isEmpty())
            return;
        if (!m_summaryStarted) {
            m_summaryStarted = true;
            write(out, QStringLiteral("response.reasoning_summary_part.added"),
                QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), m_output.size()},
                    {QStringLiteral("summary_index"), 0},
                    {QStringLiteral("part"),
                        QJsonObject {{QStringLiteral("type"), QStringLiteral("summary_text")},
                            {QStringLiteral("text"), QString()}}}});
        }
        m_text += e.text;
        write(out, QStringLiteral("response.reasoning_summary_text.delta"),
            QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), m_output.size()},
                {QStringLiteral("summary_index"), 0}, {QStringLiteral("delta"), e.text}});
        break;
    case Type::ReasoningSignature:
        start(out);
        if (m_open != Block::Reasoning || m_signed)
            openBlock(Block::Reasoning, out);
        m_signature = e.text;
        m_signed = true;
        break;
    case Type::ToolCallStart:
        start(out);
        openBlock(Block::Tool, out, e.id, e.name);
        break;
    case Type::ToolCallArgsDelta:
        if (m_open != Block::Tool || e.text.isEmpty())
            return;
        m_text += e.text;
        write(out, QStringLiteral("response.function_call_arguments.delta"),
            QJsonObject {{QStringLiteral("item_id"), m_itemId}, {QStringLiteral("output_index"), m_output.size()},
                {QStringLiteral("delta"), e.text}});
        break;
    case Type::BlockEnd:
    case Type::RedactedReasoning:
    case Type::OpaqueBlock:
        closeBlock(out); // redacted reasoning and Anthropic-only blocks have no Responses form
        break;
    case Type::Finish: {
        start(out);
        closeBlock(out);
        m_usage.mergeFrom(e.usage);
        QJsonObject response;
        QString type = QStringLiteral("response.completed");
        if (e.stopReason == canon::StopReason::MaxTokens || e.stopReason == canon::StopReason::ContextWindowExceeded
            || e.stopReason == canon::StopReason::Refusal) {
            type = QStringLiteral("response.incomplete");
            response = responseObject(QStringLiteral("incomplete"));
            response.insert(QLatin1StringView("incomplete_details"),
                QJsonObject {{QStringLiteral("reason"),
                    e.stopReason == canon::StopReason::Refusal ? QStringLiteral("content_filter")
                                                               : QStringLiteral("max_output_tokens")}});
        } else {
            response = responseObject(QStringLiteral("completed"));
        }
        response.insert(QLatin1StringView("completed_at"), QDateTime::currentSecsSinceEpoch());
        write(out, type, QJsonObject {{QStringLiteral("response"), response}});
        m_finished = true;
        break;
    }
    case Type::Failure: {
        start(out);
        const QJsonObject err = errorObject(e.error);
        write(out, QStringLiteral("error"),
            QJsonObject {{QStringLiteral("code"), err.value(QLatin1StringView("code"))},
                {QStringLiteral("message"), err.value(QLatin1StringView("message"))},
                {QStringLiteral("param"), QJsonValue::Null}});
        QJsonObject response = responseObject(QStringLiteral("failed"));
        response.insert(QLatin1StringView("error"),
            QJsonObject {{QStringLiteral("code"), err.value(QLatin1StringView("code"))},
                {QStringLiteral("message"), err.value(QLatin1StringView("message"))}});
        write(out, QStringLiteral("response.failed"), QJsonObject {{QStringLiteral("response"), response}});
        m_finished = true;
        break;
    }
    }
}

} // namespace sy::responses
