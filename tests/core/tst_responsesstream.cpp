// OpenAI Responses stream decoder: every recorded openai-responses stream (any byte split, concatenated recordings
// split at response.created, compared with a reference computed from the raw events), truncation, the edge cases of
// PROTOCOLS §3.5 / §6.6 / P21, and the inbound SseEncoder round trip.

#include "fakeupstream.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-responses/responsescommon.h"
#include "protocol/openai-responses/responsesstream.h"
#include "protocol/signature.h"
#include "ssevalidator.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <map>

using namespace sy;
using canon::StreamEvent;
using Type = canon::StreamEvent::Type;

namespace {

QString fixtureDir()
{
    return sharedDir() + QStringLiteral("/fixtures/upstream/openai-responses");
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Stems INDEX.md marks "Malformed upstream = yes" in the openai-responses table.
QStringList malformedStems()
{
    const QByteArray index = readShared(QStringLiteral("fixtures/upstream/INDEX.md"));
    QStringList out;
    bool inSection = false;
    for (const QByteArray& line : index.split('\n')) {
        if (line.startsWith("## "))
            inSection = line.trimmed() == "## openai-responses";
        if (!inSection || !line.startsWith("| `"))
            continue;
        const QList<QByteArray> cols = line.split('|');
        if (cols.size() > 6 && cols.at(6).trimmed() == "yes") {
            const QString name = QString::fromUtf8(cols.at(1).trimmed()).section(QLatin1Char('`'), 1, 1);
            out.append(name.section(QLatin1String(".chunks.txt"), 0, 0).section(QLatin1String(".json"), 0, 0));
        }
    }
    return out;
}

enum class Split { Whole, OneByte, Random };

canon::StreamEvents decode(
    const QByteArray& bytes, Split split, const canon::TranslationContext& ctx = {}, quint32 seed = 1)
{
    responses::StreamDecoder d(ctx);
    canon::StreamEvents out;
    switch (split) {
    case Split::Whole:
        d.feed(bytes, out);
        break;
    case Split::OneByte:
        for (qsizetype i = 0; i < bytes.size(); ++i)
            d.feed(QByteArrayView(bytes).sliced(i, 1), out);
        break;
    case Split::Random: {
        QRandomGenerator rng(seed);
        qsizetype i = 0;
        while (i < bytes.size()) {
            const qsizetype n = std::min<qsizetype>(bytes.size() - i, 1 + rng.bounded(97));
            d.feed(QByteArrayView(bytes).sliced(i, n), out);
            i += n;
        }
        break;
    }
    }
    d.finish(out);
    return out;
}

QString describe(const StreamEvent& e)
{
    // Generated tool-call ids are random; everything else must be identical.
    const QString id = e.id.startsWith(QLatin1String("toolu_")) ? QStringLiteral("toolu_*") : e.id;
    return QString::number(int(e.type)) + QLatin1Char('|') + e.text + QLatin1Char('|') + id + QLatin1Char('|') + e.name
        + QLatin1Char('|') + QString::number(int(e.stopReason)) + QLatin1Char('|')
        + QString::number(e.usage.inputTokens) + QLatin1Char(',') + QString::number(e.usage.outputTokens)
        + QLatin1Char(',') + QString::number(e.usage.cacheReadTokens) + QLatin1Char('|')
        + QString::number(int(e.error.type)) + QLatin1Char('|') + e.error.message;
}

QStringList describeAll(const canon::StreamEvents& events)
{
    QStringList out;
    for (const StreamEvent& e : events)
        out.append(describe(e));
    return out;
}

int countType(const canon::StreamEvents& events, Type t)
{
    int n = 0;
    for (const StreamEvent& e : events)
        n += e.type == t ? 1 : 0;
    return n;
}

// SSE events of a body, framed independently of the decoder (blank-line separated, LF or CRLF).
struct RawEvent
{
    qsizetype start = 0; // byte offset of the event in the body
    QByteArray name;
    QByteArray data;
    bool complete = true; // terminated by a blank line
};

QList<RawEvent> rawEvents(const QByteArray& body)
{
    QList<RawEvent> out;
    qsizetype pos = 0;
    while (pos < body.size()) {
        // Skip blank lines between events.
        while (pos < body.size() && (body.at(pos) == '\n' || body.at(pos) == '\r'))
            ++pos;
        if (pos >= body.size())
            break;
        RawEvent ev;
        ev.start = pos;
        qsizetype end = body.indexOf("\n\n", pos);
        const qsizetype endCrlf = body.indexOf("\r\n\r\n", pos);
        qsizetype sep = 2;
        if (endCrlf >= 0 && (end < 0 || endCrlf < end)) {
            end = endCrlf;
            sep = 4;
        }
        ev.complete = end >= 0;
        if (!ev.complete)
            end = body.size();
        for (QByteArray line : body.mid(pos, end - pos).split('\n')) {
            if (line.endsWith('\r'))
                line.chop(1);
            if (line.startsWith("data:")) {
                if (!ev.data.isEmpty())
                    ev.data.append('\n');
                ev.data.append(line.mid(line.startsWith("data: ") ? 6 : 5));
            } else if (line.startsWith("event:")) {
                ev.name = line.mid(6).trimmed();
            }
        }
        out.append(ev);
        pos = ev.complete ? end + sep : end;
    }
    return out;
}

QString eventType(const RawEvent& ev, const QJsonObject& d)
{
    const QString t = d.value(QLatin1String("type")).toString();
    return t.isEmpty() ? QString::fromUtf8(ev.name) : t;
}

// The recordings of a concatenated capture, cut before each later response.created.
QList<QByteArray> splitRecordings(const QByteArray& body)
{
    QList<qsizetype> cuts;
    for (const RawEvent& ev : rawEvents(body)) {
        const QJsonObject d = QJsonDocument::fromJson(ev.data).object();
        if (eventType(ev, d) == u"response.created" && ev.start > 0)
            cuts.append(ev.start);
    }
    QList<QByteArray> parts;
    qsizetype from = 0;
    for (qsizetype cut : std::as_const(cuts)) {
        parts.append(body.mid(from, cut - from));
        from = cut;
    }
    parts.append(body.mid(from));
    return parts;
}

// What a correct decoder must produce, computed from the raw events like the acceptance checker does: items by
// output_index, text = the item's deltas (else its final text), reasoning = its deltas per part (else its summary),
// function calls from the final item (else arguments.done, else the deltas).
struct Expected
{
    QString text;
    QString thinking;
    struct Call
    {
        QString callId;
        QString name;
        QJsonObject input;
    };
    QList<Call> calls;
    QList<canon::StopReason> stops; // accepted when no tool call was emitted
    qint64 outputTokens = -1;
    bool error = false;
    bool truncated = false;
};

Expected reference(const QByteArray& body)
{
    struct ItemState
    {
        QJsonObject item;
        bool done = false;
        bool hasText = false;
        QString text;
        bool refusal = false;
        QStringList reasoning;
        QString reasoningKey;
        bool hasArgDeltas = false;
        QString argDeltas;
        bool hasArgsDone = false;
        QString argsDone;
    };
    std::map<int, ItemState> items;
    QHash<QString, int> byId;
    Expected x;
    QJsonObject terminal;
    bool sawTerminal = false;
    auto find = [&](const QJsonObject& d) -> ItemState* {
        const QJsonValue oi = d.value(QLatin1String("output_index"));
        if (oi.isDouble() && items.count(oi.toInt()))
            return &items[oi.toInt()];
        const QString id = d.value(QLatin1String("item_id")).toString();
        if (byId.contains(id))
            return &items[byId.value(id)];
        return nullptr;
    };
    for (const RawEvent& ev : rawEvents(body)) {
        const QJsonObject d = QJsonDocument::fromJson(ev.data).object();
        if (d.isEmpty())
            continue;
        const QString t = eventType(ev, d);
        if (t == u"error" || t == u"response.failed") {
            x.error = true;
            return x;
        }
        if (t == u"response.output_item.added" || t == u"response.output_item.done") {
            const int oi = d.value(QLatin1String("output_index")).toInt();
            ItemState& st = items[oi];
            const QJsonObject item = d.value(QLatin1String("item")).toObject();
            for (auto it = item.begin(); it != item.end(); ++it)
                st.item.insert(it.key(), it.value());
            if (t == u"response.output_item.done")
                st.done = true;
            if (item.contains(QLatin1String("id")))
                byId.insert(item.value(QLatin1String("id")).toString(), oi);
        } else if (t == u"response.output_text.delta" || t == u"response.refusal.delta") {
            if (ItemState* st = find(d)) {
                st->hasText = true;
                st->text += d.value(QLatin1String("delta")).toString();
                st->refusal = st->refusal || t == u"response.refusal.delta";
            }
        } else if (t == u"response.reasoning_summary_text.delta" || t == u"response.reasoning_text.delta") {
            if (ItemState* st = find(d)) {
                const bool summary = t == u"response.reasoning_summary_text.delta";
                const QString key = QString(summary ? QLatin1Char('s') : QLatin1Char('c'))
                    + QString::number(
                        d.value(summary ? QLatin1String("summary_index") : QLatin1String("content_index")).toInt());
                if (st->reasoningKey != key) {
                    st->reasoning.append(QString());
                    st->reasoningKey = key;
                }
                st->reasoning.last() += d.value(QLatin1String("delta")).toString();
            }
        } else if (t == u"response.function_call_arguments.delta") {
            if (ItemState* st = find(d)) {
                st->hasArgDeltas = true;
                st->argDeltas += d.value(QLatin1String("delta")).toString();
            }
        } else if (t == u"response.function_call_arguments.done") {
            if (ItemState* st = find(d)) {
                st->hasArgsDone = true;
                st->argsDone = d.value(QLatin1String("arguments")).toString();
            }
        } else if (t == u"response.completed" || t == u"response.incomplete") {
            terminal = d.value(QLatin1String("response")).toObject();
            sawTerminal = true;
            break;
        }
    }
    bool refusal = false;
    QStringList thinking;
    for (auto& [index, st] : items) {
        const QString type = st.item.value(QLatin1String("type")).toString();
        if (type == u"message") {
            if (st.hasText) {
                x.text += st.text;
                refusal = refusal || st.refusal;
            } else {
                for (const QJsonValue& v : st.item.value(QLatin1String("content")).toArray()) {
                    const QJsonObject p = v.toObject();
                    if (p.value(QLatin1String("type")).toString() == u"output_text")
                        x.text += p.value(QLatin1String("text")).toString();
                    if (p.value(QLatin1String("type")).toString() == u"refusal") {
                        x.text += p.value(QLatin1String("refusal")).toString();
                        refusal = true;
                    }
                }
            }
        } else if (type == u"reasoning") {
            if (!st.reasoning.isEmpty()) {
                thinking += st.reasoning;
            } else {
                for (const QJsonValue& v : st.item.value(QLatin1String("summary")).toArray())
                    thinking.append(v.toObject().value(QLatin1String("text")).toString());
                if (st.item.value(QLatin1String("summary")).toArray().isEmpty()) {
                    for (const QJsonValue& v : st.item.value(QLatin1String("content")).toArray())
                        thinking.append(v.toObject().value(QLatin1String("text")).toString());
                }
            }
        } else if (type == u"function_call") {
            QString args = st.item.value(QLatin1String("arguments")).toString();
            if (!st.done)
                args = st.hasArgsDone ? st.argsDone : (st.hasArgDeltas ? st.argDeltas : args);
            x.calls.append({st.item.value(QLatin1String("call_id")).toString(),
                st.item.value(QLatin1String("name")).toString(), QJsonDocument::fromJson(args.toUtf8()).object()});
        }
    }
    x.thinking = thinking.join(QString());
    if (!sawTerminal) {
        x.truncated = true;
        return x;
    }
    const QString status = terminal.value(QLatin1String("status")).toString();
    const QString reason
        = terminal.value(QLatin1String("incomplete_details")).toObject().value(QLatin1String("reason")).toString();
    if (status == u"incomplete") {
        if (reason == u"max_output_tokens")
            x.stops = {canon::StopReason::MaxTokens};
        else if (reason == u"content_filter")
            x.stops = {canon::StopReason::Refusal};
        else
            x.stops = {canon::StopReason::EndTurn, canon::StopReason::MaxTokens};
    } else {
        x.stops = {canon::StopReason::EndTurn};
    }
    if (refusal)
        x.stops = {canon::StopReason::Refusal};
    const QJsonValue out = terminal.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens"));
    if (out.isDouble())
        x.outputTokens = out.toInteger();
    return x;
}

canon::Response accumulate(const canon::StreamEvents& events, bool* failed = nullptr, bool* finished = nullptr)
{
    canon::ResponseAccumulator acc;
    acc.add(events);
    if (failed)
        *failed = acc.failed();
    if (finished)
        *finished = acc.finished();
    return acc.take();
}

QString joined(const canon::Response& r, canon::PartKind kind)
{
    QString out;
    for (const canon::Part& p : r.content) {
        if (p.kind == kind)
            out += p.text;
    }
    return out;
}

QList<canon::Part> toolCalls(const canon::Response& r)
{
    QList<canon::Part> out;
    for (const canon::Part& p : r.content) {
        if (p.kind == canon::PartKind::ToolCall)
            out.append(p);
    }
    return out;
}

QString squash(QString s)
{
    s.remove(QRegularExpression(QStringLiteral("\\s+")));
    return s;
}

QString anthropicProblem(const canon::StreamEvents& events, QJsonObject* message = nullptr, bool* error = nullptr)
{
    anthropic::SseEncoder enc(QStringLiteral("claude-test"), 10);
    QByteArray out;
    enc.encode(events, out);
    return validateAnthropicStream(out, message, error);
}

// Test JSON written with ' for " and ` for an escaped quote (\"), so it needs no escaping here.
QByteArray J(const char* text)
{
    QByteArray out(text);
    out.replace('\'', '"');
    out.replace('`', "\\\"");
    return out;
}

// `event: <type>\ndata: <json>\n\n` per payload (type read from the payload).
QByteArray sse(const QList<QByteArray>& payloads)
{
    QByteArray out;
    for (const QByteArray& p : payloads) {
        const QByteArray type = QJsonDocument::fromJson(p).object().value(QLatin1String("type")).toString().toUtf8();
        out += "event: " + type + "\ndata: " + p + "\n\n";
    }
    return out;
}

const char* Created = "{'type':'response.created','response':{'id':'resp_1','model':'gpt-x','status':'in_progress'}}";
const char* Completed = "{'type':'response.completed','response':{'id':'resp_1','status':'completed','usage':"
                        "{'input_tokens':100,'input_tokens_details':{'cached_tokens':40},'output_tokens':30,"
                        "'output_tokens_details':{'reasoning_tokens':12},'total_tokens':130}}}";

} // namespace

class TestResponsesStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixtures_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("malformed");
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        const QStringList malformed = malformedStems();
        QVERIFY2(malformed.size() >= 5, "INDEX.md malformed list not found");
        const QStringList files = dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 60);
        for (const QString& f : files) {
            const QString stem = f.chopped(4);
            const bool bad = malformed.contains(stem);
            const QByteArray body = readFile(dir.filePath(f));
            // Concatenated recordings are split at response.created (never the malformed ones: there the shape is
            // the fault under test).
            const QList<QByteArray> parts = bad ? QList<QByteArray> {body} : splitRecordings(body);
            for (qsizetype k = 0; k < parts.size(); ++k) {
                if (parts.size() == 1)
                    QTest::addRow("%s", qPrintable(f)) << parts.at(k) << bad;
                else
                    QTest::addRow("%s.part%d", qPrintable(stem), int(k + 1)) << parts.at(k) << bad;
            }
        }
    }

    void fixtures()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, malformed);
        QVERIFY(!body.isEmpty());

        // Any byte split gives the same events.
        const canon::StreamEvents whole = decode(body, Split::Whole);
        const QStringList expectedEvents = describeAll(whole);
        QCOMPARE(describeAll(decode(body, Split::OneByte)), expectedEvents);
        for (quint32 seed = 1; seed <= 5; ++seed)
            QCOMPARE(describeAll(decode(body, Split::Random, {}, seed)), expectedEvents);

        // Exactly one terminal event, at the end.
        QVERIFY(!whole.isEmpty());
        QCOMPARE(countType(whole, Type::Finish) + countType(whole, Type::Failure), 1);
        const Type last = whole.last().type;
        QVERIFY(last == Type::Finish || last == Type::Failure);
        QVERIFY(countType(whole, Type::MessageStart) <= 1);
        if (last == Type::Finish)
            QCOMPARE(whole.first().type, Type::MessageStart);

        // Whatever happened, the events make a valid Anthropic answer (a message or a terminal error event).
        QJsonObject message;
        bool endedWithError = false;
        const QString problem = anthropicProblem(whole, &message, &endedWithError);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(endedWithError, last == Type::Failure);
        if (malformed)
            return;

        const Expected x = reference(body);
        bool failed = false;
        bool finished = false;
        const canon::Response r = accumulate(whole, &failed, &finished);
        if (x.error || x.truncated) {
            QVERIFY(failed);
            if (x.truncated)
                QCOMPARE(whole.last().error.message, QStringLiteral("upstream stream ended prematurely"));
            return;
        }
        QVERIFY(finished);

        QCOMPARE(joined(r, canon::PartKind::Text), x.text);
        QCOMPARE(squash(joined(r, canon::PartKind::Reasoning)), squash(x.thinking));
        for (const canon::Part& p : r.content) {
            if (p.kind == canon::PartKind::Reasoning) {
                QCOMPARE(canon::gatewaySignatureProvider(p.signature), responses::signatureProvider());
                QVERIFY(!p.text.isEmpty() || !responses::encryptedContentFromSignature(p.signature).isEmpty());
            }
            if (p.kind == canon::PartKind::Text)
                QVERIFY(!p.text.isEmpty());
        }

        // Tool calls: same order, names, parsed arguments; ids valid for Anthropic and equal to the call_id.
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), x.calls.size());
        static const QRegularExpression idRe(QStringLiteral("^[a-zA-Z0-9_-]+$"));
        for (qsizetype i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls.at(i).name, x.calls.at(i).name);
            QCOMPARE(calls.at(i).input, x.calls.at(i).input);
            QVERIFY(idRe.match(calls.at(i).id).hasMatch());
            QCOMPARE(calls.at(i).id, openaichat::sanitizeToolCallId(x.calls.at(i).callId));
        }

        if (!calls.isEmpty())
            QCOMPARE(r.stopReason, canon::StopReason::ToolUse);
        else
            QVERIFY2(x.stops.contains(r.stopReason), qPrintable(canon::stopReasonName(r.stopReason)));
        QCOMPARE(r.usage.outputTokens, x.outputTokens);

        // The Anthropic message says the same.
        QCOMPARE(message.value(QLatin1String("stop_reason")).toString(), canon::stopReasonName(r.stopReason));
        if (x.outputTokens >= 0)
            QCOMPARE(message.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens")).toInteger(),
                x.outputTokens);
    }

    void truncated_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<double>("fraction");
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        for (const QString& f : dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name)) {
            for (double fraction : {0.0, 0.1, 0.33, 0.5, 0.77, 0.95, 0.999})
                QTest::addRow("%s@%.3f", qPrintable(f), fraction) << dir.filePath(f) << fraction;
        }
    }

    void truncated()
    {
        QFETCH(QString, path);
        QFETCH(double, fraction);
        const QByteArray full = readFile(path);
        const QByteArray prefix = full.left(qsizetype(double(full.size()) * fraction));

        // Expected: Finish only if the prefix holds a complete response.completed / response.incomplete before any
        // error; otherwise a Failure (an upstream error, malformed data or the premature end).
        bool expectFinish = false;
        for (const RawEvent& ev : rawEvents(prefix)) {
            const QJsonDocument doc = QJsonDocument::fromJson(ev.data);
            if (!doc.isObject()) {
                if (ev.complete && !ev.data.trimmed().isEmpty())
                    break; // malformed data: Failure
                continue;
            }
            const QString t = eventType(ev, doc.object());
            if (t == u"error" || t == u"response.failed")
                break;
            if (t == u"response.completed" || t == u"response.incomplete") {
                expectFinish = true;
                break;
            }
        }
        // (Whole and random pieces: single bytes are covered by fixtures(); here they would only cost time.)
        for (Split split : {Split::Whole, Split::Random}) {
            const canon::StreamEvents events = decode(prefix, split, {}, quint32(fraction * 1000) + 1);
            QVERIFY(!events.isEmpty());
            QCOMPARE(countType(events, Type::Finish) + countType(events, Type::Failure), 1);
            QCOMPARE(events.last().type, expectFinish ? Type::Finish : Type::Failure);
            const QString problem = anthropicProblem(events);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }

    void garbage_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("binary") << QByteArray("\x00\xff\xfe\x01\x02", 5);
        QTest::newRow("not json") << QByteArray("data: {nope\n\n");
        QTest::newRow("html") << QByteArray("<html><body>502 Bad Gateway</body></html>");
        QTest::newRow("array data") << QByteArray("data: [1,2,3]\n\n");
        QTest::newRow("only comments") << QByteArray(": keep-alive\n\n: again\n\n");
        QTest::newRow("unknown events") << QByteArray("event: x\ndata: {\"type\":\"x\"}\n\n");
        QTest::newRow("delta without item") << sse({J("{'type':'response.output_text.delta','delta':'hi'}"),
            J("{'type':'response.function_call_arguments.delta','delta':'{`a`:1'}")});
        QTest::newRow("done without added") << sse({J(Created),
            J("{'type':'response.output_item.done','output_index':3,'item':{'type':'function_call','call_id':'c1',"
              "'name':'f','arguments':'{`x`:1}'}}"),
            J(Completed)});
        QTest::newRow("bad types") << sse({J("{'type':'response.created','response':'x'}"),
            J("{'type':'response.output_item.added','output_index':'a','item':7}"),
            J("{'type':'response.output_text.delta','output_index':0,'delta':5}"),
            J("{'type':'response.completed','response':[]}")});
    }

    void garbage()
    {
        QFETCH(QByteArray, body);
        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::StreamEvents events = decode(body, split);
            QVERIFY(!events.isEmpty());
            QCOMPARE(countType(events, Type::Finish) + countType(events, Type::Failure), 1);
            const QString problem = anthropicProblem(events);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }

    void mutated()
    {
        // Recorded streams with bytes flipped, dropped or duplicated: always one terminal event, a valid answer.
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        QRandomGenerator rng(42);
        int runs = 0;
        for (const QString& f : dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name)) {
            const QByteArray body = readFile(dir.filePath(f));
            if (body.size() > 40000)
                continue;
            for (int round = 0; round < 6; ++round) {
                QByteArray m = body;
                const int edits = 1 + int(rng.bounded(8));
                for (int e = 0; e < edits && !m.isEmpty(); ++e) {
                    const qsizetype at = rng.bounded(int(m.size()));
                    switch (rng.bounded(4)) {
                    case 0:
                        m[at] = char(rng.bounded(256));
                        break;
                    case 1:
                        m.remove(at, 1 + rng.bounded(40));
                        break;
                    case 2:
                        m.insert(at, m.mid(rng.bounded(int(m.size())), 1 + rng.bounded(200)));
                        break;
                    default:
                        m.insert(at, "\n\n");
                        break;
                    }
                }
                const canon::StreamEvents events = decode(m, Split::Random, {}, quint32(round + 1));
                QVERIFY(!events.isEmpty());
                QCOMPARE(countType(events, Type::Finish) + countType(events, Type::Failure), 1);
                const Type last = events.last().type;
                QVERIFY(last == Type::Finish || last == Type::Failure);
                const QString problem = anthropicProblem(events);
                QVERIFY2(problem.isEmpty(), qPrintable(f + QStringLiteral(": ") + problem));
                ++runs;
            }
        }
        QVERIFY(runs > 100);
    }

    void textAndUsage()
    {
        const QByteArray body = sse({J(Created),
            J("{'type':'response.output_item.added','output_index':0,'item':{'type':'message','id':'msg_1'}}"),
            J("{'type':'response.output_text.delta','output_index':0,'item_id':'msg_1','delta':'Hel'}"),
            J("{'type':'response.output_text.delta','output_index':0,'item_id':'msg_1','delta':'lo \\u00e9'}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'message','id':'msg_1',"
              "'content':[{'type':'output_text','text':'ignored'}]}}"),
            J(Completed)});
        const canon::StreamEvents events = decode(body, Split::Whole);
        QCOMPARE(events.first().type, Type::MessageStart);
        QCOMPARE(events.first().id, QStringLiteral("resp_1"));
        QCOMPARE(events.first().text, QStringLiteral("gpt-x"));
        const canon::Response r = accumulate(events);
        QCOMPARE(joined(r, canon::PartKind::Text), QString::fromUtf8("Hello \xc3\xa9"));
        QCOMPARE(r.stopReason, canon::StopReason::EndTurn);
        QCOMPARE(r.usage.inputTokens, 60);
        QCOMPARE(r.usage.cacheReadTokens, 40);
        QCOMPARE(r.usage.outputTokens, 30);
        QCOMPARE(r.usage.reasoningTokens, 12);
    }

    void textOnlyInDoneItem()
    {
        const QByteArray body = sse(
            {J(Created), J("{'type':'response.output_item.added','output_index':0,'item':{'type':'message','id':'m'}}"),
                J("{'type':'response.output_item.done','output_index':0,'item':{'type':'message','id':'m','content':"
                  "[{'type':'output_text','text':'A'},{'type':'output_text','text':'B'}]}}"),
                J(Completed)});
        const canon::Response r = accumulate(decode(body, Split::Whole));
        QCOMPARE(joined(r, canon::PartKind::Text), QStringLiteral("AB"));
    }

    void refusal()
    {
        const QByteArray body = sse(
            {J(Created), J("{'type':'response.output_item.added','output_index':0,'item':{'type':'message','id':'m'}}"),
                J("{'type':'response.refusal.delta','output_index':0,'item_id':'m','delta':'I cannot '}"),
                J("{'type':'response.refusal.delta','output_index':0,'item_id':'m','delta':'help.'}"),
                J("{'type':'response.output_item.done','output_index':0,'item':{'type':'message','id':'m'}}"),
                J(Completed)});
        const canon::Response r = accumulate(decode(body, Split::Whole));
        QCOMPARE(joined(r, canon::PartKind::Text), QStringLiteral("I cannot help."));
        QCOMPARE(r.stopReason, canon::StopReason::Refusal);
    }

    void reasoningPartsAndSignature()
    {
        const QByteArray body = sse({J(Created),
            J("{'type':'response.output_item.added','output_index':0,'item':{'type':'reasoning','id':'rs_1',"
              "'summary':[],'encrypted_content':'early'}}"),
            J("{'type':'response.reasoning_summary_part.added','output_index':0,'item_id':'rs_1','summary_index':0}"),
            J("{'type':'response.reasoning_summary_text.delta','output_index':0,'item_id':'rs_1','summary_index':0,"
              "'delta':'First'}"),
            J("{'type':'response.reasoning_summary_part.added','output_index':0,'item_id':'rs_1','summary_index':1}"),
            J("{'type':'response.reasoning_summary_text.delta','output_index':0,'item_id':'rs_1','summary_index':1,"
              "'delta':'Second'}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'reasoning','id':'rs_1',"
              "'summary':[{'type':'summary_text','text':'First'},{'type':'summary_text','text':'Second'}],"
              "'encrypted_content':'gAAAA-final=='}}"),
            J("{'type':'response.output_item.added','output_index':1,'item':{'type':'message','id':'m'}}"),
            J("{'type':'response.output_text.delta','output_index':1,'item_id':'m','delta':'Answer'}"), J(Completed)});
        const canon::StreamEvents events = decode(body, Split::Whole);
        const canon::Response r = accumulate(events);
        QCOMPARE(r.content.size(), 2);
        QCOMPARE(r.content.at(0).kind, canon::PartKind::Reasoning);
        QCOMPARE(r.content.at(0).text, QStringLiteral("First\n\nSecond"));
        QCOMPARE(responses::encryptedContentFromSignature(r.content.at(0).signature), QStringLiteral("gAAAA-final=="));
        QCOMPARE(canon::gatewaySignatureProvider(r.content.at(0).signature), QStringLiteral("openai-responses"));
        QCOMPARE(r.content.at(1).text, QStringLiteral("Answer"));
        QVERIFY(anthropicProblem(events).isEmpty());
    }

    void reasoningWithoutSummary()
    {
        // Encrypted content only: a signature-only thinking block, so the next turn can replay it.
        QByteArray body = sse({J(Created),
            J("{'type':'response.output_item.added','output_index':0,'item':{'type':'reasoning','id':'rs','summary':[]}"
              "}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'reasoning','id':'rs','summary':[],"
              "'encrypted_content':'ENC'}}"),
            J(Completed)});
        canon::Response r = accumulate(decode(body, Split::Whole));
        QCOMPARE(r.content.size(), 1);
        QCOMPARE(r.content.at(0).kind, canon::PartKind::Reasoning);
        QVERIFY(r.content.at(0).text.isEmpty());
        QCOMPARE(responses::encryptedContentFromSignature(r.content.at(0).signature), QStringLiteral("ENC"));

        // Neither text nor encrypted content: nothing at all.
        body = sse({J(Created),
            J("{'type':'response.output_item.added','output_index':0,'item':{'type':'reasoning','id':'rs','summary':[]}"
              "}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'reasoning','id':'rs','summary':[]}"
              "}"),
            J(Completed)});
        r = accumulate(decode(body, Split::Whole));
        QVERIFY(r.content.isEmpty());

        // Raw reasoning_text (open-weight models), several content parts.
        body = sse({J(Created),
            J("{'type':'response.output_item.added','output_index':0,'item':{'type':'reasoning','id':'rs'}}"),
            J("{'type':'response.reasoning_text.delta','output_index':0,'content_index':0,'delta':'a'}"),
            J("{'type':'response.reasoning_text.delta','output_index':0,'content_index':1,'delta':'b'}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'reasoning','id':'rs'}}"),
            J(Completed)});
        r = accumulate(decode(body, Split::Whole));
        QCOMPARE(r.content.size(), 1);
        QCOMPARE(r.content.at(0).text, QStringLiteral("a\n\nb"));
        QCOMPARE(r.content.at(0).signature, responses::reasoningSignature({}));
    }

    void toolCall_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("args");
        const QByteArray added = J("{'type':'response.output_item.added','output_index':0,'item':{'type':"
                                   "'function_call','id':'fc_1','call_id':'call_1','name':'get_weather',"
                                   "'arguments':''}}");
        QTest::newRow("deltas") << sse({J(Created), added,
            J("{'type':'response.function_call_arguments.delta','output_index':0,'item_id':'fc_1','delta':'{`city`'}"),
            J("{'type':'response.function_call_arguments.delta','output_index':0,'item_id':'fc_1','delta':':`Rome`}'}"),
            J("{'type':'response.function_call_arguments.done','output_index':0,'item_id':'fc_1',"
              "'arguments':'{`city`:`Rome`}'}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'function_call','id':'fc_1',"
              "'call_id':'call_1','name':'get_weather','arguments':'{`city`:`Rome`}'}}"),
            J(Completed)}) << QStringLiteral("{\"city\":\"Rome\"}");
        QTest::newRow("done only") << sse({J(Created), added,
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'function_call','id':'fc_1',"
              "'call_id':'call_1','name':'get_weather','arguments':'{`city`:`Oslo`}'}}"),
            J(Completed)}) << QStringLiteral("{\"city\":\"Oslo\"}");
        QTest::newRow("arguments.done only") << sse({J(Created), added,
            J("{'type':'response.function_call_arguments.done','output_index':0,'item_id':'fc_1',"
              "'arguments':'{`city`:`Lima`}'}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'function_call','id':'fc_1',"
              "'call_id':'call_1','name':'get_weather'}}"),
            J(Completed)}) << QStringLiteral("{\"city\":\"Lima\"}");
        QTest::newRow("empty") << sse({J(Created), added,
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'function_call','id':'fc_1',"
              "'call_id':'call_1','name':'get_weather','arguments':''}}"),
            J(Completed)}) << QStringLiteral("{}");
        QTest::newRow("rotating item ids") << sse({J(Created), added,
            J("{'type':'response.function_call_arguments.delta','output_index':0,'item_id':'x1','delta':'{`city`'}"),
            J("{'type':'response.function_call_arguments.delta','output_index':0,'item_id':'x2','delta':':`Rio`}'}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'function_call','id':'x3',"
              "'call_id':'call_1','name':'get_weather','arguments':'{`city`:`Rio`}'}}"),
            J(Completed)}) << QStringLiteral("{\"city\":\"Rio\"}");
        QTest::newRow("no output_index") << sse({J(Created),
            J("{'type':'response.output_item.added','item':{'type':'function_call','id':'fc_1','call_id':'call_1',"
              "'name':'get_weather','arguments':''}}"),
            J("{'type':'response.function_call_arguments.delta','item_id':'fc_1','delta':'{`city`:`Bern`}'}"),
            J("{'type':'response.output_item.done','item':{'type':'function_call','id':'fc_1','call_id':'call_1',"
              "'name':'get_weather','arguments':'{`city`:`Bern`}'}}"),
            J(Completed)}) << QStringLiteral("{\"city\":\"Bern\"}");
        QTest::newRow("cut at completion") << sse({J(Created), added,
            J("{'type':'response.function_call_arguments.delta','output_index':0,'delta':'{`city`:`Ki'}"),
            J("{'type':'response.incomplete','response':{'status':'incomplete','incomplete_details':"
              "{'reason':'max_output_tokens'}}}")})
                                           << QStringLiteral("{\"city\":\"Ki\"}");
    }

    void toolCall()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, args);
        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::StreamEvents events = decode(body, split);
            const canon::Response r = accumulate(events);
            const QList<canon::Part> calls = toolCalls(r);
            QCOMPARE(calls.size(), 1);
            QCOMPARE(calls.at(0).id, QStringLiteral("call_1"));
            QCOMPARE(calls.at(0).name, QStringLiteral("get_weather"));
            QCOMPARE(calls.at(0).input, QJsonDocument::fromJson(args.toUtf8()).object());
            QCOMPARE(r.stopReason, canon::StopReason::ToolUse);
            QVERIFY(anthropicProblem(events).isEmpty());
        }
    }

    void idsAndNamesRestored()
    {
        canon::TranslationContext ctx;
        const QString longId = QStringLiteral("toolu_") + QString(80, QLatin1Char('x'));
        const QString shortId = responses::upstreamCallId(longId);
        QCOMPARE(shortId.size(), 64);
        responses::recordCallId(ctx, shortId, longId);
        ctx.toolNameToClient.insert(QStringLiteral("mcp__srv__tool_1a2b3c4d"), QStringLiteral("mcp__srv__tool.long"));
        const QByteArray body = sse({J(Created),
            QByteArray("{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":"
                       "\"function_call\",\"id\":\"fc\",\"call_id\":\"")
                + shortId.toUtf8() + "\",\"name\":\"mcp__srv__tool_1a2b3c4d\",\"arguments\":\"{}\"}}",
            J("{'type':'response.output_item.added','output_index':1,'item':{'type':'function_call','id':'fc2',"
              "'call_id':'functions.Bash:0','name':'Bash','arguments':'{}'}}"),
            J("{'type':'response.output_item.added','output_index':2,'item':{'type':'function_call','id':'fc3',"
              "'call_id':'functions.Bash:0','name':'Bash','arguments':'{}'}}"),
            J(Completed)});
        const canon::Response r = accumulate(decode(body, Split::Whole, ctx));
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), 3);
        QCOMPARE(calls.at(0).id, longId);
        QCOMPARE(calls.at(0).name, QStringLiteral("mcp__srv__tool.long"));
        QCOMPARE(calls.at(1).id, QStringLiteral("functions_Bash_0"));
        QVERIFY(calls.at(2).id != calls.at(1).id); // unique
        QCOMPARE(calls.at(1).name, QStringLiteral("Bash"));
    }

    void hostedToolsAreNotToolUse()
    {
        const QByteArray body = sse({J(Created),
            J("{'type':'response.output_item.added','output_index':0,'item':{'type':'web_search_call','id':'ws'}}"),
            J("{'type':'response.web_search_call.searching','output_index':0,'item_id':'ws'}"),
            J("{'type':'response.output_item.done','output_index':0,'item':{'type':'web_search_call','id':'ws',"
              "'action':{'type':'search','query':'q'}}}"),
            J("{'type':'response.output_item.added','output_index':1,'item':{'type':'custom_tool_call','id':'ct',"
              "'call_id':'c','name':'apply_patch','input':''}}"),
            J("{'type':'response.custom_tool_call_input.delta','output_index':1,'item_id':'ct','delta':'x'}"),
            J("{'type':'response.output_item.done','output_index':1,'item':{'type':'custom_tool_call','id':'ct',"
              "'call_id':'c','name':'apply_patch','input':'x'}}"),
            J("{'type':'response.output_item.added','output_index':2,'item':{'type':'message','id':'m'}}"),
            J("{'type':'response.output_text.delta','output_index':2,'delta':'Found it.'}"), J(Completed)});
        const canon::Response r = accumulate(decode(body, Split::Whole));
        QVERIFY(toolCalls(r).isEmpty());
        QCOMPARE(joined(r, canon::PartKind::Text), QStringLiteral("Found it."));
        QCOMPARE(r.stopReason, canon::StopReason::EndTurn);
    }

    void parallelWrapperUnwrapped()
    {
        const QByteArray args = J("{`tool_uses`:[{`recipient_name`:`functions.weather`,`parameters`:{`location`:`SF`}},"
                                  "{`recipient_name`:`functions.cityAttractions`,`parameters`:{`city`:`Rome`}}]}");
        const QByteArray body = sse({J(Created),
            J("{'type':'response.output_item.added','output_index':0,'item':{'type':'function_call','id':'fc',"
              "'call_id':'call_p','name':'multi_tool_use.parallel','arguments':''}}"),
            "{\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,\"delta\":\"" + args + "\"}",
            "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"function_call\","
            "\"id\":\"fc\",\"call_id\":\"call_p\",\"name\":\"multi_tool_use.parallel\",\"arguments\":\""
                + args + "\"}}",
            J(Completed)});
        const canon::StreamEvents events = decode(body, Split::Whole);
        const QList<canon::Part> calls = toolCalls(accumulate(events));
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).name, QStringLiteral("weather"));
        QCOMPARE(calls.at(0).input.value(QLatin1String("location")).toString(), QStringLiteral("SF"));
        QCOMPARE(calls.at(1).name, QStringLiteral("cityAttractions"));
        QVERIFY(calls.at(0).id != calls.at(1).id);
        QVERIFY(anthropicProblem(events).isEmpty());
    }

    void incomplete_data()
    {
        QTest::addColumn<QByteArray>("reason");
        QTest::addColumn<int>("stop");
        QTest::newRow("max_output_tokens") << QByteArray("max_output_tokens") << int(canon::StopReason::MaxTokens);
        QTest::newRow("content_filter") << QByteArray("content_filter") << int(canon::StopReason::Refusal);
        QTest::newRow("unknown") << QByteArray("server_timeout") << int(canon::StopReason::MaxTokens);
    }

    void incomplete()
    {
        QFETCH(QByteArray, reason);
        QFETCH(int, stop);
        const QByteArray body
            = sse({J(Created), J("{'type':'response.output_text.delta','output_index':0,'delta':'partial'}"),
                "{\"type\":\"response.incomplete\",\"response\":{\"status\":\"incomplete\",\"incomplete_details\":"
                "{\"reason\":\""
                    + reason + "\"},\"usage\":{\"input_tokens\":5,\"output_tokens\":7}}}"});
        const canon::StreamEvents events = decode(body, Split::Whole);
        QCOMPARE(events.last().type, Type::Finish);
        QCOMPARE(int(events.last().stopReason), stop);
        QCOMPARE(events.last().usage.outputTokens, 7);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("event");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        QTest::addColumn<bool>("retry");
        QTest::addColumn<QString>("messageStart");
        using ET = canon::ErrorType;
        QTest::newRow("nested insufficient_quota")
            << J("{'type':'error','error':{'type':'insufficient_quota','code':'insufficient_quota','message':'quota'}}")
            << 429 << int(ET::RateLimit) << false << QStringLiteral("quota");
        QTest::newRow("flat rate_limit_exceeded")
            << J("{'type':'error','code':'rate_limit_exceeded','message':'slow down','param':null}") << 429
            << int(ET::RateLimit) << true << QStringLiteral("slow down");
        QTest::newRow("server_error null code")
            << J("{'type':'error','error':{'type':'server_error','code':null,'message':'Sorry'}}") << 500
            << int(ET::Api) << true << QStringLiteral("Sorry");
        QTest::newRow("context_length_exceeded")
            << J("{'type':'error','code':'context_length_exceeded','message':'Your input exceeds the context window "
                 "of this model.'}")
            << 400 << int(ET::InvalidRequest) << true << QStringLiteral("prompt is too long");
        QTest::newRow("failed rate limit")
            << J("{'type':'response.failed','response':{'status':'failed','error':{'code':'rate_limit_exceeded',"
                 "'message':'Request too large'}}}")
            << 429 << int(ET::RateLimit) << true << QStringLiteral("Request too large");
        QTest::newRow("failed server_error")
            << J("{'type':'response.failed','response':{'status':'failed','error':{'code':'server_error',"
                 "'message':'boom'}}}")
            << 500 << int(ET::Api) << true << QStringLiteral("boom");
        QTest::newRow("failed invalid_prompt")
            << J("{'type':'response.failed','response':{'status':'failed','error':{'code':'invalid_prompt',"
                 "'message':'flagged'}}}")
            << 400 << int(ET::InvalidRequest) << true << QStringLiteral("flagged");
        QTest::newRow("failed without error") << J("{'type':'response.failed','response':{'status':'failed'}}") << 500
                                              << int(ET::Api) << true << QStringLiteral("upstream response failed");
    }

    void errors()
    {
        QFETCH(QByteArray, event);
        QFETCH(int, status);
        QFETCH(int, type);
        QFETCH(bool, retry);
        QFETCH(QString, messageStart);
        const QByteArray body
            = sse({J(Created), J("{'type':'response.output_text.delta','delta':'x'}"), event, J(Completed)});
        const canon::StreamEvents events = decode(body, Split::Whole);
        QCOMPARE(events.last().type, Type::Failure);
        QCOMPARE(countType(events, Type::Finish), 0);
        QCOMPARE(events.last().error.httpStatus, status);
        QCOMPARE(int(events.last().error.type), type);
        QCOMPARE(events.last().error.shouldRetry, retry);
        QVERIFY2(events.last().error.message.startsWith(messageStart), qPrintable(events.last().error.message));
        bool endedWithError = false;
        QVERIFY(anthropicProblem(events, nullptr, &endedWithError).isEmpty());
        QVERIFY(endedWithError);
    }

    void prematureEnd()
    {
        const QByteArray body = sse({J(Created), J("{'type':'response.output_text.delta','delta':'half'}")});
        const canon::StreamEvents events = decode(body, Split::Whole);
        QCOMPARE(events.last().type, Type::Failure);
        QCOMPARE(events.last().error.type, canon::ErrorType::Api);
        QCOMPARE(events.last().error.message, QStringLiteral("upstream stream ended prematurely"));
        // A last event without its blank line still counts when its data is complete.
        QByteArray unterminated = sse({J(Created)}) + "event: response.completed\ndata: " + J(Completed);
        QCOMPARE(decode(unterminated, Split::OneByte).last().type, Type::Finish);
        unterminated.chop(3);
        QCOMPARE(decode(unterminated, Split::OneByte).last().type, Type::Failure);
    }

    void noEventLinesAndCrlf()
    {
        QByteArray body;
        for (const char* p :
            {Created, "{'type':'response.output_text.delta','output_index':0,'delta':'ok'}", Completed})
            body += "data: " + J(p) + "\r\n\r\n";
        const canon::Response r = accumulate(decode(body, Split::OneByte));
        QCOMPARE(joined(r, canon::PartKind::Text), QStringLiteral("ok"));
        QCOMPARE(r.stopReason, canon::StopReason::EndTurn);
    }

    void afterTerminalIgnored()
    {
        const QByteArray body = sse({J(Created), J(Completed), J(Created),
            J("{'type':'response.output_text.delta','delta':'second'}"), J(Completed)});
        responses::StreamDecoder d({});
        canon::StreamEvents out;
        d.feed(body, out);
        QVERIFY(d.done());
        d.finish(out);
        QCOMPARE(countType(out, Type::Finish), 1);
        QCOMPARE(countType(out, Type::TextDelta), 0);
    }

    void plainJsonBody_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::newRow("response") << J("{'id':'resp_9','object':'response','status':'completed','model':'m','output':"
                                       "[{'type':'message','content':[{'type':'output_text','text':'plain'}]}],"
                                       "'usage':{'input_tokens':3,'output_tokens':2}}")
                                  << true;
        QTest::newRow("error") << J(
            "{'error':{'message':'bad key','type':'invalid_request_error','code':'invalid_api_key'}}")
                               << false;
    }

    void plainJsonBody()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        const canon::StreamEvents events = decode(body, Split::OneByte);
        QCOMPARE(events.last().type, ok ? Type::Finish : Type::Failure);
        if (ok) {
            const canon::Response r = accumulate(events);
            QCOMPARE(joined(r, canon::PartKind::Text), QStringLiteral("plain"));
            QCOMPARE(r.usage.outputTokens, 2);
        }
    }

    void streamSpeed()
    {
        // 40 000 deltas (about 5 MB): linear time, fed in small pieces.
        QList<QByteArray> payloads {
            J(Created), J("{'type':'response.output_item.added','output_index':0,'item':{'type':'message','id':'m'}}")};
        for (int i = 0; i < 40000; ++i) {
            payloads.append("{\"type\":\"response.output_text.delta\",\"output_index\":0,\"item_id\":\"m\","
                            "\"sequence_number\":"
                + QByteArray::number(i) + ",\"delta\":\"word" + QByteArray::number(i) + " \",\"logprobs\":[]}");
        }
        payloads.append(J(Completed));
        const QByteArray body = sse(payloads);
        QElapsedTimer timer;
        timer.start();
        const canon::StreamEvents events = decode(body, Split::Random);
        const qint64 ms = timer.elapsed();
        QCOMPARE(countType(events, Type::TextDelta), 40000);
        QVERIFY2(ms < 20000, qPrintable(QString::number(ms)));
        qInfo() << "decoded" << body.size() << "bytes in" << ms << "ms";
    }

    // Inbound direction: canonical events -> Responses SSE -> our decoder gives the same response.
    void encoderRoundTrip_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        for (const QString& f : dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name))
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
    }

    void encoderRoundTrip()
    {
        QFETCH(QString, path);
        const QByteArray upstream = splitRecordings(readFile(path)).first();
        const canon::StreamEvents events = decode(upstream, Split::Whole);

        responses::SseEncoder enc(QStringLiteral("codex-model"));
        QByteArray sseOut;
        enc.encode(events, sseOut);
        QVERIFY(enc.finished());

        // Grammar: every event has a matching event: line and type, sequence numbers increase from 0.
        int expectedSeq = 0;
        for (const RawEvent& ev : rawEvents(sseOut)) {
            const QJsonObject d = QJsonDocument::fromJson(ev.data).object();
            QCOMPARE(d.value(QLatin1String("type")).toString(), QString::fromUtf8(ev.name));
            QCOMPARE(d.value(QLatin1String("sequence_number")).toInt(), expectedSeq++);
        }

        const canon::StreamEvents again = decode(sseOut, Split::Random);
        bool failedA = false, failedB = false;
        const canon::Response a = accumulate(events, &failedA);
        const canon::Response b = accumulate(again, &failedB);
        QCOMPARE(failedB, failedA);
        if (failedA) {
            QCOMPARE(again.last().error.httpStatus, events.last().error.httpStatus);
            return;
        }
        QCOMPARE(b.content.size(), a.content.size());
        for (qsizetype i = 0; i < a.content.size(); ++i) {
            QCOMPARE(b.content.at(i).kind, a.content.at(i).kind);
            QCOMPARE(b.content.at(i).text, a.content.at(i).text);
            QCOMPARE(b.content.at(i).id, a.content.at(i).id);
            QCOMPARE(b.content.at(i).name, a.content.at(i).name);
            QCOMPARE(b.content.at(i).input, a.content.at(i).input);
            QCOMPARE(b.content.at(i).signature, a.content.at(i).signature);
        }
        QCOMPARE(b.stopReason, a.stopReason);
        QCOMPARE(b.usage.outputTokens, std::max<qint64>(0, a.usage.outputTokens));
        QCOMPARE(b.usage.inputTokens, std::max<qint64>(0, a.usage.inputTokens));
        QCOMPARE(b.usage.cacheReadTokens, std::max<qint64>(0, a.usage.cacheReadTokens));
    }

    void encoderFailure()
    {
        responses::SseEncoder enc(QStringLiteral("m"));
        QByteArray out;
        canon::StreamEvent fail = StreamEvent::of(Type::Failure);
        fail.error = canon::Error::make(429, canon::ErrorType::RateLimit, QStringLiteral("slow"));
        enc.encode(StreamEvent::of(Type::MessageStart), out);
        enc.encode(StreamEvent::of(Type::TextDelta, QStringLiteral("x")), out);
        enc.encode(fail, out);
        enc.encode(StreamEvent::of(Type::TextDelta, QStringLiteral("after")), out);
        QVERIFY(enc.finished());
        const QList<RawEvent> evs = rawEvents(out);
        QCOMPARE(evs.at(evs.size() - 2).name, QByteArray("error"));
        QCOMPARE(evs.last().name, QByteArray("response.failed"));
        QVERIFY(!out.contains("after"));
        const canon::StreamEvents back = decode(out, Split::Whole);
        QCOMPARE(back.last().type, Type::Failure);
        QCOMPARE(back.last().error.httpStatus, 429);
        QCOMPARE(back.last().error.message, QStringLiteral("slow"));
    }
};

QTEST_GUILESS_MAIN(TestResponsesStream)
#include "tst_responsesstream.moc"
