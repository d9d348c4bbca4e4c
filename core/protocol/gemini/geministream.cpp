#include "geministream.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "geminicommon.h"
#include "protocol/openai-chat/openaichatcommon.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <utility>
#include <vector>

namespace sy::gemini {

namespace {

using canon::StreamEvent;
using Type = canon::StreamEvent::Type;

constexpr int MaxPathSegments = 64;
constexpr int MaxArrayIndex = 100000;
constexpr qsizetype MaxLeadingBlanks = 64 * 1024;

canon::Error prematureEnd()
{
    return canon::Error::make(500, canon::ErrorType::Api, QStringLiteral("upstream stream ended prematurely"));
}

canon::Error malformed(const QByteArray& data)
{
    return canon::Error::make(500, canon::ErrorType::Api,
        QStringLiteral("upstream sent malformed stream data: ") + QString::fromUtf8(data.left(200)));
}

bool isBlankByte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct PathSegment
{
    bool isIndex = false;
    int index = 0;
    QString key;
};

// "$.a.b[0]['c d']" -> segments; false for anything else.
bool parsePath(const QString& path, QList<PathSegment>* out)
{
    qsizetype pos = path.startsWith(QLatin1Char('$')) ? 1 : 0;
    const qsizetype n = path.size();
    while (pos < n) {
        if (out->size() >= MaxPathSegments)
            return false;
        const QChar c = path.at(pos);
        if (c == u'.') {
            const qsizetype start = ++pos;
            while (pos < n && path.at(pos) != u'.' && path.at(pos) != u'[')
                ++pos;
            if (pos == start)
                return false;
            out->append(PathSegment {false, 0, path.mid(start, pos - start)});
        } else if (c == u'[') {
            ++pos;
            if (pos < n && (path.at(pos) == u'\'' || path.at(pos) == u'"')) {
                const QChar quote = path.at(pos);
                const qsizetype start = ++pos;
                while (pos < n && path.at(pos) != quote)
                    ++pos;
                if (pos + 1 >= n || path.at(pos + 1) != u']')
                    return false;
                out->append(PathSegment {false, 0, path.mid(start, pos - start)});
                pos += 2;
            } else {
                const qsizetype start = pos;
                while (pos < n && path.at(pos) != u']')
                    ++pos;
                if (pos >= n)
                    return false;
                bool ok = false;
                const int index = path.mid(start, pos - start).toInt(&ok);
                if (!ok || index < 0 || index > MaxArrayIndex)
                    return false;
                out->append(PathSegment {true, index, {}});
                ++pos;
            }
        } else {
            return false;
        }
    }
    return true;
}

} // namespace

// A mutable JSON tree for arguments assembled from Vertex partialArgs (string values grow in place: no quadratic
// copying of QJsonValue trees).
struct StreamDecoder::ArgNode
{
    enum class Kind { Null, Value, String, Object, Array };
    Kind kind = Kind::Null;
    QJsonValue value;
    QString string;
    std::vector<std::pair<QString, std::unique_ptr<ArgNode>>> members;
    std::vector<std::unique_ptr<ArgNode>> items;

    void reset(Kind k)
    {
        kind = k;
        value = QJsonValue();
        string.clear();
        members.clear();
        items.clear();
    }

    void assign(const QJsonValue& v)
    {
        if (v.isObject()) {
            reset(Kind::Object);
            const QJsonObject o = v.toObject();
            for (auto it = o.constBegin(); it != o.constEnd(); ++it)
                member(it.key())->assign(it.value());
        } else if (v.isArray()) {
            reset(Kind::Array);
            for (const QJsonValue& item : v.toArray()) {
                items.push_back(std::make_unique<ArgNode>());
                items.back()->assign(item);
            }
        } else if (v.isString()) {
            reset(Kind::String);
            string = v.toString();
        } else if (v.isNull() || v.isUndefined()) {
            reset(Kind::Null);
        } else {
            reset(Kind::Value);
            value = v;
        }
    }

    ArgNode* member(const QString& key)
    {
        if (kind != Kind::Object)
            reset(Kind::Object);
        for (auto& m : members) {
            if (m.first == key)
                return m.second.get();
        }
        members.emplace_back(key, std::make_unique<ArgNode>());
        return members.back().second.get();
    }

    ArgNode* item(int index)
    {
        if (kind != Kind::Array)
            reset(Kind::Array);
        while (int(items.size()) <= index)
            items.push_back(std::make_unique<ArgNode>());
        return items[size_t(index)].get();
    }

    QJsonValue toJson() const
    {
        switch (kind) {
        case Kind::Null:
            return QJsonValue(QJsonValue::Null);
        case Kind::Value:
            return value;
        case Kind::String:
            return string;
        case Kind::Object: {
            QJsonObject o;
            for (const auto& m : members)
                o.insert(m.first, m.second->toJson());
            return o;
        }
        case Kind::Array: {
            QJsonArray a;
            for (const auto& i : items)
                a.append(i->toJson());
            return a;
        }
        }
        return QJsonValue(QJsonValue::Null);
    }
};

StreamDecoder::StreamDecoder(const canon::TranslationContext& ctx)
    : m_toolNameToClient(ctx.toolNameToClient)
{
}

StreamDecoder::~StreamDecoder() = default;

void StreamDecoder::feed(QByteArrayView bytes, canon::StreamEvents& out)
{
    if (m_done || bytes.isEmpty())
        return;
    if (m_framing == Framing::Unknown) {
        m_pending.append(bytes.data(), bytes.size());
        // A UTF-8 byte order mark is dropped (it may arrive split).
        static const QByteArray bom("\xEF\xBB\xBF");
        if (bom.startsWith(m_pending))
            return;
        if (m_pending.startsWith(bom))
            m_pending.remove(0, bom.size());
        qsizetype i = 0;
        while (i < m_pending.size() && isBlankByte(m_pending.at(i)))
            ++i;
        if (i == m_pending.size() && m_pending.size() < MaxLeadingBlanks)
            return;
        const char c = i < m_pending.size() ? m_pending.at(i) : ' ';
        m_framing = c == '[' || c == '{' ? Framing::Json : Framing::Sse;
        const QByteArray all = std::exchange(m_pending, QByteArray());
        if (m_framing == Framing::Json) {
            feedJson(all, out);
        } else {
            m_events.clear();
            m_parser.feed(all, m_events);
            for (const SseEvent& e : std::as_const(m_events)) {
                if (m_done)
                    break;
                handleData(e.data, out);
            }
            m_events.clear();
        }
        return;
    }
    if (m_framing == Framing::Json) {
        feedJson(bytes, out);
        return;
    }
    m_events.clear();
    m_parser.feed(bytes, m_events);
    for (const SseEvent& e : std::as_const(m_events)) {
        if (m_done)
            break;
        handleData(e.data, out);
    }
    m_events.clear();
}

void StreamDecoder::feedJson(QByteArrayView bytes, canon::StreamEvents& out)
{
    m_json.append(bytes.data(), bytes.size());
    for (; m_scan < m_json.size() && !m_done; ++m_scan) {
        const char c = m_json.at(m_scan);
        if (m_depth == 0) {
            if (c == '{') {
                m_objectStart = m_scan;
                m_depth = 1;
            } else if (!isBlankByte(c) && c != '[' && c != ']' && c != ',') {
                // Something other than an array of objects: garbage unless the answer is already complete.
                if (m_finishReason.isEmpty() && m_blockReason.isEmpty()) {
                    fail(malformed(m_json.mid(m_scan, 200)), out);
                    return;
                }
            }
            continue;
        }
        if (m_inString) {
            if (m_escape)
                m_escape = false;
            else if (c == '\\')
                m_escape = true;
            else if (c == '"')
                m_inString = false;
            continue;
        }
        if (c == '"') {
            m_inString = true;
        } else if (c == '{' || c == '[') {
            ++m_depth;
        } else if (c == '}' || c == ']') {
            if (--m_depth == 0) {
                const QByteArray object = m_json.mid(m_objectStart, m_scan - m_objectStart + 1);
                m_objectStart = -1;
                handleData(object, out);
            }
        }
    }
    // Drop consumed bytes; keep only the object being read.
    const qsizetype keepFrom = m_depth > 0 ? m_objectStart : m_scan;
    if (keepFrom > 0) {
        m_json.remove(0, keepFrom);
        m_scan -= keepFrom;
        if (m_objectStart >= 0)
            m_objectStart -= keepFrom;
    }
}

void StreamDecoder::finish(canon::StreamEvents& out)
{
    if (m_done)
        return;
    if (m_framing == Framing::Sse) {
        m_events.clear();
        const bool truncated = m_parser.finish(m_events);
        for (qsizetype i = 0; i < m_events.size() && !m_done; ++i) {
            const SseEvent& e = m_events.at(i);
            if (truncated && i == m_events.size() - 1) {
                // An event without its blank line counts only if its data is complete JSON.
                const QJsonDocument doc = json::parse(e.data.trimmed());
                if (!doc.isObject() && !doc.isArray())
                    break;
            }
            handleData(e.data, out);
        }
        m_events.clear();
    }
    if (m_done)
        return;
    const bool answered = !m_finishReason.isEmpty() || !m_blockReason.isEmpty();
    const bool cutObject = m_framing == Framing::Json && m_depth > 0;
    if (answered || (m_wholeBody && m_started && !cutObject))
        emitFinish(out);
    else
        fail(prematureEnd(), out);
}

void StreamDecoder::handleData(const QByteArray& raw, canon::StreamEvents& out)
{
    const QByteArray data = raw.trimmed();
    if (data.isEmpty() || data == "[DONE]")
        return;
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(data, &perr);
    if (perr.error != QJsonParseError::NoError) {
        if (m_finishReason.isEmpty() && m_blockReason.isEmpty())
            fail(malformed(data), out);
        return; // trailing garbage after a complete answer is ignored
    }
    if (doc.isObject()) {
        handleChunk(doc.object(), out);
        return;
    }
    for (const QJsonValue& v : doc.array()) {
        if (m_done)
            break;
        if (v.isObject())
            handleChunk(v.toObject(), out);
    }
}

void StreamDecoder::handleChunk(const QJsonObject& chunk, canon::StreamEvents& out)
{
    if (m_done)
        return;
    const QJsonValue errorValue = chunk.value(QLatin1StringView("error"));
    if (errorValue.isObject() || (errorValue.isString() && !errorValue.toString().isEmpty())) {
        const QJsonObject err = errorValue.isObject()
            ? errorValue.toObject()
            : QJsonObject {{QStringLiteral("message"), errorValue.toString()}};
        fail(errorFromGoogle(0, err), out);
        return;
    }
    const canon::Usage usage = parseUsage(chunk.value(QLatin1StringView("usageMetadata")).toObject());
    m_usage.mergeFrom(usage);
    if (!m_started) {
        m_started = true;
        StreamEvent start
            = StreamEvent::of(Type::MessageStart, chunk.value(QLatin1StringView("modelVersion")).toString());
        start.id = chunk.value(QLatin1StringView("responseId")).toString();
        start.usage = usage;
        out.append(start);
    }
    const QJsonArray candidates = chunk.value(QLatin1StringView("candidates")).toArray();
    if (candidates.isEmpty()) {
        const QString block = chunk.value(QLatin1StringView("promptFeedback"))
                                  .toObject()
                                  .value(QLatin1StringView("blockReason"))
                                  .toString();
        if (!block.isEmpty())
            m_blockReason = block;
        return;
    }
    // candidateCount is always 1 for the gateway: the candidate with index 0 (a missing index means 0).
    for (const QJsonValue& cv : candidates) {
        const QJsonObject candidate = cv.toObject();
        if (candidate.value(QLatin1StringView("index")).toInt(0) != 0)
            continue;
        const QJsonArray parts
            = candidate.value(QLatin1StringView("content")).toObject().value(QLatin1StringView("parts")).toArray();
        for (const QJsonValue& pv : parts) {
            if (m_done)
                return;
            if (pv.isObject())
                handlePart(pv.toObject(), out);
        }
        const QString finish = candidate.value(QLatin1StringView("finishReason")).toString();
        if (!finish.isEmpty()) {
            m_finishReason = finish;
            m_finishMessage = candidate.value(QLatin1StringView("finishMessage")).toString();
        }
        break;
    }
}

void StreamDecoder::handlePart(const QJsonObject& part, canon::StreamEvents& out)
{
    const QString sig = part.value(QLatin1StringView("thoughtSignature")).toString();
    const QJsonValue fc = part.value(QLatin1StringView("functionCall"));
    if (fc.isObject()) {
        handleFunctionCall(fc.toObject(), sig, out);
        return;
    }
    if (m_open == Open::Tool)
        closeOpen(out); // any other part ends a streamed call
    const QString text = part.value(QLatin1StringView("text")).toString();
    if (part.value(QLatin1StringView("thought")).toBool()) {
        if (!text.isEmpty()) {
            if (m_open != Open::Reasoning) {
                closeOpen(out);
                m_open = Open::Reasoning;
            }
            out.append(StreamEvent::of(Type::ReasoningDelta, text));
            m_produced = true;
        }
        if (!sig.isEmpty())
            signature(sig, out);
        return;
    }
    if (!sig.isEmpty())
        signature(sig, out);
    if (!text.isEmpty()) {
        if (m_open != Open::Text) {
            closeOpen(out);
            m_open = Open::Text;
        }
        out.append(StreamEvent::of(Type::TextDelta, text));
        m_produced = true;
    }
    // inlineData, fileData, executableCode, codeExecutionResult: nothing for the client beyond the signature.
}

void StreamDecoder::handleFunctionCall(const QJsonObject& fc, const QString& sig, canon::StreamEvents& out)
{
    const QString name = fc.value(QLatin1StringView("name")).toString();
    const bool willContinue = fc.value(QLatin1StringView("willContinue")).toBool();
    if (!name.isEmpty()) {
        if (m_open == Open::Tool)
            closeOpen(out);
        if (!sig.isEmpty())
            signature(sig, out);
        else
            closeOpen(out);
        StreamEvent start = StreamEvent::of(Type::ToolCallStart);
        start.id = callId(fc.value(QLatin1StringView("id")).toString());
        start.name = m_toolNameToClient.value(name, name);
        out.append(start);
        m_sawToolCall = true;
        m_produced = true;
        m_args = std::make_unique<ArgNode>();
        const QJsonValue args = fc.value(QLatin1StringView("args"));
        if (args.isObject())
            m_args->assign(args);
        else
            m_args->reset(ArgNode::Kind::Object);
        m_open = Open::Tool;
        applyPartialArgs(fc.value(QLatin1StringView("partialArgs")).toArray());
        if (!willContinue)
            closeOpen(out);
        return;
    }
    if (m_open == Open::Tool) {
        applyPartialArgs(fc.value(QLatin1StringView("partialArgs")).toArray());
        if (!willContinue)
            closeOpen(out);
        return;
    }
    // A nameless call with no call open: nothing usable but its signature.
    if (!sig.isEmpty())
        signature(sig, out);
}

void StreamDecoder::applyPartialArgs(const QJsonArray& partialArgs)
{
    if (!m_args)
        return;
    for (const QJsonValue& pv : partialArgs) {
        const QJsonObject pa = pv.toObject();
        const QString path = pa.value(QLatin1StringView("jsonPath")).toString();
        if (path.isEmpty())
            continue;
        QJsonValue value;
        bool isString = false;
        if (pa.contains(QLatin1StringView("stringValue"))) {
            value = pa.value(QLatin1StringView("stringValue")).toString();
            isString = true;
        } else if (pa.contains(QLatin1StringView("numberValue"))) {
            value = pa.value(QLatin1StringView("numberValue"));
        } else if (pa.contains(QLatin1StringView("boolValue"))) {
            value = pa.value(QLatin1StringView("boolValue"));
        } else if (pa.contains(QLatin1StringView("nullValue"))) {
            value = QJsonValue(QJsonValue::Null);
        } else if (pa.contains(QLatin1StringView("structValue"))) {
            value = pa.value(QLatin1StringView("structValue"));
        } else if (pa.contains(QLatin1StringView("listValue"))) {
            value = pa.value(QLatin1StringView("listValue"));
        } else {
            continue;
        }
        QList<PathSegment> segments;
        if (!parsePath(path, &segments))
            continue;
        ArgNode* node = m_args.get();
        for (const PathSegment& s : std::as_const(segments))
            node = s.isIndex ? node->item(s.index) : node->member(s.key);
        if (isString && node->kind == ArgNode::Kind::String)
            node->string += value.toString();
        else
            node->assign(value);
    }
}

void StreamDecoder::closeOpen(canon::StreamEvents& out)
{
    switch (m_open) {
    case Open::None:
        return;
    case Open::Tool: {
        QString args = QStringLiteral("{}");
        if (m_args && m_args->kind == ArgNode::Kind::Object)
            args = QString::fromUtf8(compactJson(m_args->toJson().toObject()));
        m_args.reset();
        out.append(StreamEvent::of(Type::ToolCallArgsDelta, args));
        out.append(StreamEvent::of(Type::BlockEnd));
        break;
    }
    case Open::Reasoning:
    case Open::Text:
        out.append(StreamEvent::of(Type::BlockEnd));
        break;
    }
    m_open = Open::None;
}

void StreamDecoder::signature(const QString& thoughtSignature, canon::StreamEvents& out)
{
    if (m_open != Open::Reasoning)
        closeOpen(out);
    out.append(StreamEvent::of(Type::ReasoningSignature, wrapThoughtSignature(thoughtSignature)));
    out.append(StreamEvent::of(Type::BlockEnd));
    m_open = Open::None;
}

void StreamDecoder::emitFinish(canon::StreamEvents& out)
{
    closeOpen(out);
    canon::StopReason stop = canon::StopReason::EndTurn;
    if (!m_blockReason.isEmpty()) {
        stop = canon::StopReason::Refusal;
    } else if (isToolFailureFinish(m_finishReason) && !m_produced) {
        QString message = QStringLiteral("the model did not produce a usable answer (finishReason ") + m_finishReason
            + QLatin1Char(')');
        if (!m_finishMessage.isEmpty())
            message += QStringLiteral(": ") + m_finishMessage;
        fail(canon::Error::make(500, canon::ErrorType::Api, message), out);
        return;
    } else {
        stop = stopReasonFromFinish(m_finishReason);
    }
    StreamEvent fin = StreamEvent::of(Type::Finish);
    fin.stopReason = openaichat::applyToolUseOverride(stop, m_sawToolCall);
    fin.usage = m_usage;
    out.append(fin);
    m_done = true;
}

void StreamDecoder::fail(const canon::Error& error, canon::StreamEvents& out)
{
    StreamEvent e = StreamEvent::of(Type::Failure);
    e.error = error;
    out.append(e);
    m_done = true;
    m_open = Open::None;
    m_args.reset();
}

QString StreamDecoder::callId(const QString& upstreamId)
{
    QString id = upstreamId.isEmpty() ? openaichat::generateToolCallId() : openaichat::sanitizeToolCallId(upstreamId);
    for (int n = 2; m_ids.contains(id); ++n)
        id = upstreamId.isEmpty() ? openaichat::generateToolCallId()
                                  : openaichat::sanitizeToolCallId(upstreamId) + QLatin1Char('_') + QString::number(n);
    m_ids.insert(id);
    return id;
}

// ---------------------------------------------------------------------------------------------------------------
// SseEncoder (canonical -> Gemini clients)

SseEncoder::SseEncoder(const QString& model)
    : m_model(model)
{
}

QJsonObject SseEncoder::candidate(const QJsonArray& parts) const
{
    return QJsonObject {
        {QStringLiteral("content"),
            QJsonObject {{QStringLiteral("role"), QStringLiteral("model")}, {QStringLiteral("parts"), parts}}},
        {QStringLiteral("index"), 0}};
}

void SseEncoder::writeChunk(QJsonObject chunk, QByteArray& out)
{
    if (!m_model.isEmpty())
        chunk.insert(QLatin1StringView("modelVersion"), m_model);
    if (!m_id.isEmpty())
        chunk.insert(QLatin1StringView("responseId"), m_id);
    const QByteArray json = compactJson(chunk);
    if (m_jsonArray) {
        out.append(m_wroteChunk ? ",\r\n" : "[");
        out.append(json);
    } else {
        out.append("data: ");
        out.append(json);
        out.append("\r\n\r\n");
    }
    m_wroteChunk = true;
}

void SseEncoder::emitPart(QJsonObject part, QByteArray& out, bool carriesSignature)
{
    if (carriesSignature && !m_pendingSignature.isEmpty()) {
        part.insert(QLatin1StringView("thoughtSignature"), m_pendingSignature);
        m_pendingSignature.clear();
    }
    if (m_collect) {
        m_collect->append(part);
        return;
    }
    writeChunk(QJsonObject {{QStringLiteral("candidates"), QJsonArray {candidate(QJsonArray {part})}}}, out);
}

void SseEncoder::flushSignature(QByteArray& out)
{
    if (!m_pendingSignature.isEmpty())
        emitPart(QJsonObject {{QStringLiteral("text"), QString()}}, out);
}

void SseEncoder::emitCall(QByteArray& out)
{
    QJsonObject args = json::parseObject(m_callArgs.toUtf8());
    if (args.isEmpty() && !m_callArgs.trimmed().isEmpty()) {
        QString suffix;
        if (openaichat::jsonObjectCompletion(m_callArgs, &suffix))
            args = json::parseObject(QString(m_callArgs + suffix).toUtf8());
    }
    QJsonObject fc {{QStringLiteral("name"), m_callName}, {QStringLiteral("args"), args}};
    if (!m_callId.isEmpty())
        fc.insert(QLatin1StringView("id"), m_callId);
    m_callArgs.clear();
    m_open = Block::None;
    emitPart(QJsonObject {{QStringLiteral("functionCall"), fc}}, out);
}

void SseEncoder::encode(const StreamEvent& e, QByteArray& out)
{
    if (m_finished)
        return;
    switch (e.type) {
    case Type::MessageStart:
        if (m_id.isEmpty())
            m_id = e.id;
        if (m_model.isEmpty())
            m_model = e.text;
        m_usage.mergeFrom(e.usage);
        break;
    case Type::TextDelta:
        if (e.text.isEmpty())
            break;
        if (m_open == Block::Tool)
            emitCall(out);
        m_open = Block::Text;
        emitPart(QJsonObject {{QStringLiteral("text"), e.text}}, out);
        break;
    case Type::ReasoningDelta:
        if (m_open == Block::Tool)
            emitCall(out);
        if (m_open != Block::Reasoning) {
            flushSignature(out); // the previous block's signature must not ride on a thought part
            m_reasoningText.clear();
            m_open = Block::Reasoning;
        }
        if (!e.text.isEmpty()) {
            m_reasoningText += e.text;
            emitPart(QJsonObject {{QStringLiteral("text"), e.text}, {QStringLiteral("thought"), true}}, out, false);
        }
        break;
    case Type::ReasoningSignature: {
        if (m_open == Block::Tool)
            emitCall(out);
        if (m_open != Block::Reasoning)
            m_reasoningText.clear();
        flushSignature(out);
        m_pendingSignature = clientThoughtSignature(e.text, m_reasoningText);
        m_reasoningText.clear();
        m_open = Block::None;
        break;
    }
    case Type::RedactedReasoning:
        if (m_open == Block::Tool)
            emitCall(out);
        flushSignature(out);
        m_pendingSignature = clientRedactedSignature(e.text);
        m_open = Block::None;
        break;
    case Type::ToolCallStart:
        if (m_open == Block::Tool)
            emitCall(out);
        m_open = Block::Tool;
        m_callId = e.id;
        m_callName = e.name;
        m_callArgs.clear();
        break;
    case Type::ToolCallArgsDelta:
        if (m_open == Block::Tool)
            m_callArgs += e.text;
        break;
    case Type::BlockEnd:
        if (m_open == Block::Tool)
            emitCall(out);
        m_open = Block::None;
        m_reasoningText.clear();
        break;
    case Type::OpaqueBlock:
        if (m_open == Block::Tool)
            emitCall(out);
        m_open = Block::None;
        break;
    case Type::UsageUpdate:
        m_usage.mergeFrom(e.usage);
        break;
    case Type::Finish: {
        if (m_open == Block::Tool)
            emitCall(out);
        m_usage.mergeFrom(e.usage);
        m_finishReason = finishReasonFor(e.stopReason);
        m_finished = true;
        if (m_collect) {
            flushSignature(out);
            break;
        }
        QJsonObject last {{QStringLiteral("text"), QString()}};
        if (!m_pendingSignature.isEmpty())
            last.insert(QLatin1StringView("thoughtSignature"), std::exchange(m_pendingSignature, QString()));
        QJsonObject cand = candidate(QJsonArray {last});
        cand.insert(QLatin1StringView("finishReason"), m_finishReason);
        QJsonObject chunk {{QStringLiteral("candidates"), QJsonArray {cand}}};
        const QJsonObject usage = usageMetadataFor(m_usage);
        if (!usage.isEmpty())
            chunk.insert(QLatin1StringView("usageMetadata"), usage);
        writeChunk(chunk, out);
        if (m_jsonArray)
            out.append("]");
        break;
    }
    case Type::Failure:
        fail(e.error, out);
        break;
    }
}

void SseEncoder::fail(const canon::Error& error, QByteArray& out)
{
    if (m_finished)
        return;
    m_finished = true;
    const QByteArray json = compactJson(googleError(error));
    if (m_jsonArray) {
        out.append(m_wroteChunk ? ",\r\n" : "[");
        out.append(json);
        out.append("]");
    } else {
        out.append("data: ");
        out.append(json);
        out.append("\r\n\r\n");
    }
    m_wroteChunk = true;
}

} // namespace sy::gemini
