// Gemini stream decoder: every recorded Gemini stream (SSE with CRLF framing, and the same chunks as a streamed JSON
// array), any byte split, truncation, malformed input, and the synthetic cases of PROTOCOLS §6.8 / §6.10-6.12 / §6.21.

#include "fakeupstream.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/gemini/geminicommon.h"
#include "protocol/gemini/geministream.h"
#include "protocol/signature.h"
#include "ssevalidator.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <optional>

using namespace sy;
using canon::StreamEvent;
using Type = canon::StreamEvent::Type;

namespace {

QString fixtureDir()
{
    return sharedDir() + QStringLiteral("/fixtures/upstream/gemini");
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Stems INDEX.md marks "Malformed upstream = yes" in the gemini section.
QStringList malformedStems()
{
    const QByteArray index = readShared(QStringLiteral("fixtures/upstream/INDEX.md"));
    QStringList out;
    bool inSection = false;
    for (const QByteArray& line : index.split('\n')) {
        if (line.startsWith("## "))
            inSection = line.trimmed() == "## gemini";
        if (!inSection || !line.startsWith("| `"))
            continue;
        const QList<QByteArray> cols = line.split('|');
        if (cols.size() > 6 && cols.at(6).trimmed() == "yes") {
            const QString name = QString::fromUtf8(cols.at(1).trimmed()).section(QLatin1Char('`'), 1, 1);
            out.append(name.section(QLatin1Char('.'), 0, -2));
        }
    }
    return out;
}

enum class Split { Whole, OneByte, Random };

canon::StreamEvents decode(
    const QByteArray& bytes, Split split, const canon::TranslationContext& ctx = {}, quint32 seed = 1)
{
    gemini::StreamDecoder d(ctx);
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

// The JSON payloads of an SSE body, split independently of the decoder (blank-line framing after CRLF -> LF).
struct RawEvent
{
    QByteArray data;
    bool complete = true;
};

QList<RawEvent> rawEvents(const QByteArray& body)
{
    QByteArray normalized = body;
    normalized.replace("\r\n", "\n");
    QList<RawEvent> out;
    qsizetype pos = 0;
    while (pos < normalized.size()) {
        qsizetype end = normalized.indexOf("\n\n", pos);
        const bool complete = end >= 0;
        if (!complete)
            end = normalized.size();
        QByteArray data;
        for (const QByteArray& line : normalized.mid(pos, end - pos).split('\n')) {
            if (line.startsWith("data:")) {
                if (!data.isEmpty())
                    data.append('\n');
                data.append(line.mid(line.startsWith("data: ") ? 6 : 5));
            }
        }
        if (!data.isEmpty())
            out.append({data, complete});
        pos = complete ? end + 2 : end;
    }
    return out;
}

// The same chunks as the JSON array streamGenerateContent sends without alt=sse.
QByteArray asJsonArray(const QByteArray& sse)
{
    QByteArray out = "[";
    bool first = true;
    for (const RawEvent& ev : rawEvents(sse)) {
        if (!first)
            out += ",\r\n";
        out += ev.data;
        first = false;
    }
    out += "]";
    return out;
}

// Reference: what the chunks say, computed without the decoder (after the acceptance replay's expect.mjs).
struct Expected
{
    QString text;
    QString thinking;
    struct Call
    {
        QString name;
        QJsonObject args;
    };
    QList<Call> calls;
    QString finishReason;
    QString blockReason;
    qint64 outputTokens = -1;
    bool hasError = false;
};

QJsonValue setAt(const QJsonValue& node, const QList<QVariant>& segs, int i, const QJsonValue& value, bool append)
{
    if (i == segs.size()) {
        if (append && node.isString() && value.isString())
            return QString(node.toString() + value.toString());
        return value;
    }
    const QVariant seg = segs.at(i);
    if (seg.typeId() == QMetaType::Int) {
        QJsonArray a = node.toArray();
        const int index = seg.toInt();
        while (a.size() <= index)
            a.append(QJsonValue());
        a[index] = setAt(a.at(index), segs, i + 1, value, append);
        return a;
    }
    QJsonObject o = node.toObject();
    o.insert(seg.toString(), setAt(o.value(seg.toString()), segs, i + 1, value, append));
    return o;
}

void applyPartial(QJsonObject& args, const QJsonArray& partials)
{
    static const QRegularExpression re(QStringLiteral("\\.([^.\\[\\]]+)|\\[(\\d+)\\]|\\['([^']*)'\\]"));
    for (const QJsonValue& pv : partials) {
        const QJsonObject pa = pv.toObject();
        const QString path = pa.value(QLatin1String("jsonPath")).toString();
        if (path.isEmpty())
            continue;
        QJsonValue v;
        bool isString = false;
        if (pa.contains(QLatin1String("stringValue"))) {
            v = pa.value(QLatin1String("stringValue"));
            isString = true;
        } else if (pa.contains(QLatin1String("numberValue"))) {
            v = pa.value(QLatin1String("numberValue"));
        } else if (pa.contains(QLatin1String("boolValue"))) {
            v = pa.value(QLatin1String("boolValue"));
        } else if (pa.contains(QLatin1String("nullValue"))) {
            v = QJsonValue(QJsonValue::Null);
        } else {
            continue;
        }
        QList<QVariant> segs;
        auto it = re.globalMatch(path.mid(path.startsWith(QLatin1Char('$')) ? 1 : 0));
        while (it.hasNext()) {
            const auto m = it.next();
            if (!m.captured(2).isEmpty())
                segs.append(m.captured(2).toInt());
            else
                segs.append(m.captured(1).isEmpty() ? m.captured(3) : m.captured(1));
        }
        if (!segs.isEmpty())
            args = setAt(args, segs, 0, v, isString).toObject();
    }
}

Expected reference(const QList<QJsonObject>& chunks)
{
    Expected x;
    std::optional<Expected::Call> cur;
    auto close = [&]() {
        if (cur) {
            x.calls.append(*cur);
            cur.reset();
        }
    };
    for (const QJsonObject& d : chunks) {
        if (d.contains(QLatin1String("error"))) {
            x.hasError = true;
            return x;
        }
        const QJsonObject u = d.value(QLatin1String("usageMetadata")).toObject();
        if (u.contains(QLatin1String("candidatesTokenCount")) || u.contains(QLatin1String("thoughtsTokenCount")))
            x.outputTokens = u.value(QLatin1String("candidatesTokenCount")).toInteger()
                + u.value(QLatin1String("thoughtsTokenCount")).toInteger();
        const QJsonArray candidates = d.value(QLatin1String("candidates")).toArray();
        const QString block
            = d.value(QLatin1String("promptFeedback")).toObject().value(QLatin1String("blockReason")).toString();
        if (!block.isEmpty() && candidates.isEmpty())
            x.blockReason = block;
        for (const QJsonValue& cv : candidates) {
            const QJsonObject c = cv.toObject();
            if (c.value(QLatin1String("index")).toInt(0) != 0)
                continue;
            for (const QJsonValue& pv :
                c.value(QLatin1String("content")).toObject().value(QLatin1String("parts")).toArray()) {
                const QJsonObject p = pv.toObject();
                if (p.contains(QLatin1String("functionCall"))) {
                    const QJsonObject fc = p.value(QLatin1String("functionCall")).toObject();
                    const bool more = fc.value(QLatin1String("willContinue")).toBool();
                    if (fc.contains(QLatin1String("name"))) {
                        close();
                        cur = Expected::Call {
                            fc.value(QLatin1String("name")).toString(), fc.value(QLatin1String("args")).toObject()};
                        applyPartial(cur->args, fc.value(QLatin1String("partialArgs")).toArray());
                        if (!more)
                            close();
                    } else if (cur) {
                        applyPartial(cur->args, fc.value(QLatin1String("partialArgs")).toArray());
                        if (!more)
                            close();
                    }
                    continue;
                }
                close();
                if (p.value(QLatin1String("text")).isString()) {
                    if (p.value(QLatin1String("thought")).toBool())
                        x.thinking += p.value(QLatin1String("text")).toString();
                    else
                        x.text += p.value(QLatin1String("text")).toString();
                }
            }
            const QString fr = c.value(QLatin1String("finishReason")).toString();
            if (!fr.isEmpty())
                x.finishReason = fr;
        }
    }
    close();
    return x;
}

QList<QJsonObject> chunksOf(const QByteArray& sse)
{
    QList<QJsonObject> out;
    for (const RawEvent& ev : rawEvents(sse)) {
        const QJsonDocument doc = QJsonDocument::fromJson(ev.data);
        if (doc.isObject())
            out.append(doc.object());
    }
    return out;
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

// Test JSON written with ' for " (no escaping needed here).
QByteArray J(const char* text)
{
    QByteArray out(text);
    out.replace('\'', '"');
    return out;
}

QByteArray sse(const QList<QByteArray>& chunks)
{
    QByteArray out;
    for (const QByteArray& c : chunks)
        out += "data: " + c + "\r\n\r\n";
    return out;
}

QString anthropicProblem(
    const canon::StreamEvents& events, QJsonObject* message = nullptr, bool* endedWithError = nullptr)
{
    anthropic::SseEncoder enc(QStringLiteral("claude-test"), 10);
    QByteArray out;
    enc.encode(events, out);
    return validateAnthropicStream(out, message, endedWithError);
}

} // namespace

class TestGeminiStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixtures_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("malformed");
        QTest::addColumn<bool>("jsonArray");
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        const QStringList malformed = malformedStems();
        QVERIFY2(malformed.size() >= 2, "INDEX.md malformed list not found");
        const QStringList files = dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 15);
        for (const QString& f : files) {
            const bool bad = malformed.contains(f.section(QLatin1Char('.'), 0, -2));
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f) << bad << false;
            QTest::addRow("%s as json array", qPrintable(f)) << dir.filePath(f) << bad << true;
        }
    }

    void fixtures()
    {
        QFETCH(QString, path);
        QFETCH(bool, malformed);
        QFETCH(bool, jsonArray);
        const QByteArray sseBody = readFile(path);
        QVERIFY(!sseBody.isEmpty());
        const QByteArray body = jsonArray ? asJsonArray(sseBody) : sseBody;

        // Any byte split gives the same events; both framings give the same events.
        const canon::StreamEvents whole = decode(body, Split::Whole);
        const QStringList expectedEvents = describeAll(whole);
        QCOMPARE(describeAll(decode(body, Split::OneByte)), expectedEvents);
        for (quint32 seed = 1; seed <= 5; ++seed)
            QCOMPARE(describeAll(decode(body, Split::Random, {}, seed)), expectedEvents);
        if (jsonArray)
            QCOMPARE(expectedEvents, describeAll(decode(sseBody, Split::Whole)));

        // Exactly one terminal event, at the end; MessageStart first.
        QVERIFY(!whole.isEmpty());
        QCOMPARE(countType(whole, Type::Finish) + countType(whole, Type::Failure), 1);
        const Type last = whole.last().type;
        QVERIFY(last == Type::Finish || last == Type::Failure);
        QCOMPARE(countType(whole, Type::MessageStart), 1);
        QCOMPARE(whole.first().type, Type::MessageStart);

        const Expected x = reference(chunksOf(sseBody));
        bool failed = false;
        bool finished = false;
        const canon::Response r = accumulate(whole, &failed, &finished);
        if (x.hasError) {
            QVERIFY(failed);
            return;
        }
        if (x.finishReason.isEmpty() && x.blockReason.isEmpty()) {
            QVERIFY2(failed, "a stream without finishReason must fail");
            return;
        }
        QVERIFY2(finished, qPrintable(QStringLiteral("stream did not finish cleanly (malformed=%1)").arg(malformed)));

        QCOMPARE(joined(r, canon::PartKind::Text), x.text);
        QCOMPARE(squash(joined(r, canon::PartKind::Reasoning)), squash(x.thinking));
        for (const canon::Part& p : r.content) {
            if (p.kind == canon::PartKind::Text)
                QVERIFY(!p.text.isEmpty());
            if (p.kind == canon::PartKind::Reasoning && !p.signature.isEmpty())
                QCOMPARE(canon::gatewaySignatureProvider(p.signature), QStringLiteral("gemini"));
        }

        // Tool calls: same order, names and arguments; ids valid for Anthropic and unique.
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), x.calls.size());
        static const QRegularExpression idRe(QStringLiteral("^[a-zA-Z0-9_-]+$"));
        QSet<QString> ids;
        for (qsizetype i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls.at(i).name, x.calls.at(i).name);
            QCOMPARE(calls.at(i).input, x.calls.at(i).args);
            QVERIFY(idRe.match(calls.at(i).id).hasMatch());
            QVERIFY(!ids.contains(calls.at(i).id));
            ids.insert(calls.at(i).id);
        }

        // Stop reason (§6.10 with the tool-use override) and usage (§6.11).
        canon::StopReason stop
            = x.blockReason.isEmpty() ? gemini::stopReasonFromFinish(x.finishReason) : canon::StopReason::Refusal;
        if (!calls.isEmpty())
            stop = canon::StopReason::ToolUse;
        QCOMPARE(r.stopReason, stop);
        QCOMPARE(r.usage.outputTokens, x.outputTokens);

        // The events make a valid Anthropic SSE answer with the same text, thinking and calls.
        QJsonObject message;
        const QString problem = anthropicProblem(whole, &message);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QString text;
        QString thinking;
        int toolUses = 0;
        for (const QJsonValue& b : message.value(QLatin1String("content")).toArray()) {
            const QJsonObject o = b.toObject();
            if (o.value(QLatin1String("type")).toString() == QLatin1String("text"))
                text += o.value(QLatin1String("text")).toString();
            else if (o.value(QLatin1String("type")).toString() == QLatin1String("thinking"))
                thinking += o.value(QLatin1String("thinking")).toString();
            else if (o.value(QLatin1String("type")).toString() == QLatin1String("tool_use"))
                ++toolUses;
        }
        QCOMPARE(text, x.text);
        QCOMPARE(squash(thinking), squash(x.thinking));
        QCOMPARE(toolUses, int(x.calls.size()));
        QCOMPARE(message.value(QLatin1String("stop_reason")).toString(), canon::stopReasonName(stop));
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
            for (double fraction : {0.0, 0.05, 0.33, 0.5, 0.77, 0.95, 0.999})
                QTest::addRow("%s@%.3f", qPrintable(f), fraction) << dir.filePath(f) << fraction;
        }
    }

    void truncated()
    {
        QFETCH(QString, path);
        QFETCH(double, fraction);
        const QByteArray full = readFile(path);
        const QByteArray prefix = full.left(qsizetype(double(full.size()) * fraction));

        // A clean Finish only if the prefix holds a complete chunk with a finishReason (or a prompt block).
        QList<QJsonObject> chunks;
        for (const RawEvent& ev : rawEvents(prefix)) {
            const QJsonDocument doc = QJsonDocument::fromJson(ev.data);
            if (doc.isObject())
                chunks.append(doc.object());
        }
        const Expected x = reference(chunks);
        const bool expectFinish = !x.hasError && (!x.finishReason.isEmpty() || !x.blockReason.isEmpty());

        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::StreamEvents events = decode(prefix, split);
            QVERIFY(!events.isEmpty());
            QCOMPARE(countType(events, Type::Finish) + countType(events, Type::Failure), 1);
            QCOMPARE(events.last().type, expectFinish ? Type::Finish : Type::Failure);
            if (!expectFinish && !x.hasError)
                QCOMPARE(events.last().error.message, QStringLiteral("upstream stream ended prematurely"));
            bool endedWithError = false;
            const QString problem = anthropicProblem(events, nullptr, &endedWithError);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
            QCOMPARE(endedWithError, !expectFinish);
        }
    }

    // Random garbage and random cuts never crash, always end with exactly one terminal event, and always give a
    // valid Anthropic stream.
    void fuzz()
    {
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        QRandomGenerator rng(42);
        for (const QString& f : dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name)) {
            const QByteArray body = readFile(dir.filePath(f));
            for (int round = 0; round < 20; ++round) {
                QByteArray mutated = round % 2 ? asJsonArray(body) : body;
                const int edits = 1 + int(rng.bounded(4));
                for (int e = 0; e < edits && !mutated.isEmpty(); ++e) {
                    const qsizetype at = rng.bounded(int(mutated.size()));
                    switch (rng.bounded(3)) {
                    case 0:
                        mutated[at] = char(rng.bounded(256));
                        break;
                    case 1:
                        mutated.remove(at, 1 + rng.bounded(40));
                        break;
                    default:
                        mutated.insert(at, QByteArray(1 + int(rng.bounded(5)), char(rng.bounded(32, 127))));
                        break;
                    }
                }
                const canon::StreamEvents events = decode(mutated, Split::Random, {}, quint32(round + 1));
                QCOMPARE(countType(events, Type::Finish) + countType(events, Type::Failure), 1);
                const Type last = events.last().type;
                QVERIFY(last == Type::Finish || last == Type::Failure);
                const QString problem = anthropicProblem(events);
                QVERIFY2(problem.isEmpty(), qPrintable(f + QStringLiteral(": ") + problem));
            }
        }
    }

    void emptyAndGarbage_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("blank") << QByteArray("\r\n\r\n  ");
        QTest::addRow("html") << QByteArray("<html><body>502 Bad Gateway</body></html>");
        QTest::addRow("bad data line") << QByteArray("data: {not json\r\n\r\n");
        QTest::addRow("json garbage") << QByteArray("[{\"candidates\":[]}, 17 ");
        QTest::addRow("cut array") << QByteArray("[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi");
    }

    void emptyAndGarbage()
    {
        QFETCH(QByteArray, body);
        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::StreamEvents events = decode(body, split);
            QCOMPARE(events.size() - countType(events, Type::MessageStart) - countType(events, Type::TextDelta)
                    - countType(events, Type::BlockEnd),
                1);
            QCOMPARE(events.last().type, Type::Failure);
            QCOMPARE(events.last().error.type, canon::ErrorType::Api);
        }
    }

    // §6.21: the signature of a functionCall lands on the thinking block before the call; the trailing empty part's
    // signature becomes an empty signed thinking block, never an empty text block; usage arithmetic with cache hits.
    void workedExample()
    {
        const QByteArray body = sse({J("{'candidates':[{'content':{'role':'model','parts':[{'text':'Let me look',"
                                       "'thought':true}]}}],'responseId':'r1','modelVersion':'gemini-3-pro',"
                                       "'usageMetadata':{'promptTokenCount':900,'cachedContentTokenCount':800}}"),
            J("{'candidates':[{'content':{'role':'model','parts':[{'functionCall':{'name':'Read','args':{'file_path':"
              "'main.cpp'}},'thoughtSignature':'U0lHMQ=='}]}}]}"),
            J("{'candidates':[{'content':{'role':'model','parts':[{'text':''}]},'finishReason':'STOP'}],"
              "'usageMetadata':{'promptTokenCount':900,'cachedContentTokenCount':800,'candidatesTokenCount':20,"
              "'thoughtsTokenCount':30}}")});
        const canon::StreamEvents events = decode(body, Split::Whole);
        QStringList types;
        for (const StreamEvent& e : events)
            types.append(QString::number(int(e.type)));
        const QStringList expected {QString::number(int(Type::MessageStart)),
            QString::number(int(Type::ReasoningDelta)), QString::number(int(Type::ReasoningSignature)),
            QString::number(int(Type::BlockEnd)), QString::number(int(Type::ToolCallStart)),
            QString::number(int(Type::ToolCallArgsDelta)), QString::number(int(Type::BlockEnd)),
            QString::number(int(Type::Finish))};
        QCOMPARE(types, expected);
        QCOMPARE(events.at(0).id, QStringLiteral("r1"));
        QCOMPARE(events.at(0).text, QStringLiteral("gemini-3-pro"));
        QCOMPARE(events.at(0).usage.inputTokens, 100);
        QCOMPARE(events.at(2).text, gemini::wrapThoughtSignature(QStringLiteral("U0lHMQ==")));
        QCOMPARE(gemini::unwrapThoughtSignature(events.at(2).text), QStringLiteral("U0lHMQ=="));
        QVERIFY(events.at(4).id.startsWith(QLatin1String("toolu_")));
        QCOMPARE(events.at(4).name, QStringLiteral("Read"));
        QCOMPARE(events.at(5).text, QStringLiteral("{\"file_path\":\"main.cpp\"}"));
        const StreamEvent& fin = events.last();
        QCOMPARE(fin.stopReason, canon::StopReason::ToolUse);
        QCOMPARE(fin.usage.inputTokens, 100);
        QCOMPARE(fin.usage.cacheReadTokens, 800);
        QCOMPARE(fin.usage.outputTokens, 50);
        QCOMPARE(fin.usage.reasoningTokens, 30);

        const canon::Response r = accumulate(events);
        QCOMPARE(r.content.size(), 2);
        QCOMPARE(r.content.at(0).kind, canon::PartKind::Reasoning);
        QCOMPARE(r.content.at(0).text, QStringLiteral("Let me look"));
        QCOMPARE(r.content.at(1).kind, canon::PartKind::ToolCall);
        QCOMPARE(r.content.at(1).input.value(QLatin1String("file_path")).toString(), QStringLiteral("main.cpp"));
        QVERIFY(anthropicProblem(events).isEmpty());
    }

    void signaturePlacement()
    {
        // Text, then a trailing empty part with a signature: [text, thinking(signature)].
        canon::Response r = accumulate(decode(sse({J("{'candidates':[{'content':{'parts':[{'text':'4'}]}}]}"),
                                                  J("{'candidates':[{'content':{'parts':[{'text':'','thoughtSignature':"
                                                    "'QUJD'}]},'finishReason':'STOP'}]}")}),
            Split::Whole));
        QCOMPARE(r.content.size(), 2);
        QCOMPARE(r.content.at(0).text, QStringLiteral("4"));
        QCOMPARE(r.content.at(1).kind, canon::PartKind::Reasoning);
        QVERIFY(r.content.at(1).text.isEmpty());
        QCOMPARE(gemini::unwrapThoughtSignature(r.content.at(1).signature), QStringLiteral("QUJD"));

        // A signed text part: the signature goes on a thinking block right before that text.
        r = accumulate(decode(sse({J("{'candidates':[{'content':{'parts':[{'text':'a'}]}}]}"),
                                  J("{'candidates':[{'content':{'parts':[{'text':'b','thoughtSignature':'WFla'}]},"
                                    "'finishReason':'STOP'}]}")}),
            Split::Whole));
        QCOMPARE(r.content.size(), 3);
        QCOMPARE(r.content.at(0).text, QStringLiteral("a"));
        QCOMPARE(r.content.at(1).kind, canon::PartKind::Reasoning);
        QCOMPARE(gemini::unwrapThoughtSignature(r.content.at(1).signature), QStringLiteral("WFla"));
        QCOMPARE(r.content.at(2).text, QStringLiteral("b"));

        // Parallel calls: only the first carries a signature; the thought's own signature stays on its block.
        r = accumulate(
            decode(sse({J("{'candidates':[{'content':{'parts':[{'text':'think','thought':true,"
                          "'thoughtSignature':'VDE='},{'functionCall':{'name':'a','args':{'x':1},'id':'id1'},"
                          "'thoughtSignature':'RkMx'},{'functionCall':{'name':'b','args':{},'id':'id1'}}]},"
                          "'finishReason':'STOP'}]}")}),
                Split::Whole));
        QCOMPARE(r.content.size(), 4);
        QCOMPARE(r.content.at(0).text, QStringLiteral("think"));
        QCOMPARE(gemini::unwrapThoughtSignature(r.content.at(0).signature), QStringLiteral("VDE="));
        QVERIFY(r.content.at(1).text.isEmpty());
        QCOMPARE(gemini::unwrapThoughtSignature(r.content.at(1).signature), QStringLiteral("RkMx"));
        QCOMPARE(r.content.at(2).id, QStringLiteral("id1"));
        QCOMPARE(r.content.at(3).id, QStringLiteral("id1_2")); // duplicate upstream ids made unique
        QCOMPARE(r.stopReason, canon::StopReason::ToolUse);
    }

    void stopReasons_data()
    {
        QTest::addColumn<QString>("finish");
        QTest::addColumn<bool>("withText");
        QTest::addColumn<int>("stop"); // -1: Failure
        QTest::addRow("STOP") << QStringLiteral("STOP") << true << int(canon::StopReason::EndTurn);
        QTest::addRow("MAX_TOKENS") << QStringLiteral("MAX_TOKENS") << true << int(canon::StopReason::MaxTokens);
        QTest::addRow("OTHER") << QStringLiteral("OTHER") << true << int(canon::StopReason::EndTurn);
        QTest::addRow("UNSPECIFIED") << QStringLiteral("FINISH_REASON_UNSPECIFIED") << true
                                     << int(canon::StopReason::EndTurn);
        for (const char* r : {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE",
                 "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"})
            QTest::addRow("%s", r) << QString::fromLatin1(r) << false << int(canon::StopReason::Refusal);
        QTest::addRow("unknown") << QStringLiteral("SOMETHING_NEW") << true << int(canon::StopReason::EndTurn);
        for (const char* r : {"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"}) {
            QTest::addRow("%s empty", r) << QString::fromLatin1(r) << false << -1;
            QTest::addRow("%s after text", r) << QString::fromLatin1(r) << true << int(canon::StopReason::EndTurn);
        }
    }

    void stopReasons()
    {
        QFETCH(QString, finish);
        QFETCH(bool, withText);
        QFETCH(int, stop);
        QByteArray last = J("{'candidates':[{'content':{'parts':[{'text':'TEXT'}]},'finishReason':'FR',"
                            "'finishMessage':'bad call'}]}");
        last.replace("TEXT", withText ? "hello" : "");
        last.replace("FR", finish.toLatin1());
        const canon::StreamEvents events = decode(sse({last}), Split::Whole);
        if (stop < 0) {
            QCOMPARE(events.last().type, Type::Failure);
            QCOMPARE(events.last().error.type, canon::ErrorType::Api);
            QVERIFY(events.last().error.shouldRetry);
            QVERIFY(events.last().error.message.contains(finish));
            QVERIFY(events.last().error.message.contains(QLatin1String("bad call")));
        } else {
            QCOMPARE(events.last().type, Type::Finish);
            QCOMPARE(int(events.last().stopReason), stop);
        }
        QVERIFY(anthropicProblem(events).isEmpty());
    }

    void promptBlocked()
    {
        const canon::StreamEvents events
            = decode(sse({J("{'promptFeedback':{'blockReason':'SAFETY'},'usageMetadata':{'promptTokenCount':9}}")}),
                Split::Whole);
        const canon::Response r = accumulate(events);
        QVERIFY(r.content.isEmpty());
        QCOMPARE(r.stopReason, canon::StopReason::Refusal);
        QCOMPARE(r.usage.inputTokens, 9);
        QJsonObject message;
        QVERIFY(anthropicProblem(events, &message).isEmpty());
        QCOMPARE(message.value(QLatin1String("stop_reason")).toString(), QStringLiteral("refusal"));
        QVERIFY(message.value(QLatin1String("content")).toArray().isEmpty());
    }

    void errorChunks_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("retryAfter");
        const QByteArray text = J("{'candidates':[{'content':{'parts':[{'text':'partial'}]}}]}");
        QTest::addRow("429 retry info") << sse({text,
            J("{'error':{'code':429,'message':'quota','status':'RESOURCE_EXHAUSTED','details':[{'@type':"
              "'type.googleapis.com/google.rpc.RetryInfo','retryDelay':'34.4s'}]}}")})
                                        << 429 << int(canon::ErrorType::RateLimit) << 35;
        QTest::addRow("503 first") << sse({J("{'error':{'code':503,'message':'The model is overloaded.','status':"
                                             "'UNAVAILABLE'}}")})
                                   << 529 << int(canon::ErrorType::Overloaded) << -1;
        QTest::addRow("500 no code") << sse({text, J("{'error':{'message':'boom','status':'INTERNAL'}}")}) << 500
                                     << int(canon::ErrorType::Api) << -1;
        QTest::addRow("json array") << QByteArray(
            "[{\"error\":{\"code\":400,\"message\":\"bad\",\"status\":\"INVALID_ARGUMENT\"}}]")
                                    << 400 << int(canon::ErrorType::InvalidRequest) << -1;
        QTest::addRow("plain object") << QByteArray("{\"error\":{\"code\":404,\"message\":\"no model\",\"status\":"
                                                    "\"NOT_FOUND\"}}")
                                      << 404 << int(canon::ErrorType::NotFound) << -1;
    }

    void errorChunks()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(int, type);
        QFETCH(int, retryAfter);
        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::StreamEvents events = decode(body, split);
            QCOMPARE(events.last().type, Type::Failure);
            QCOMPARE(events.last().error.httpStatus, status);
            QCOMPARE(int(events.last().error.type), type);
            QCOMPARE(events.last().error.retryAfterSeconds, retryAfter);
            bool endedWithError = false;
            QVERIFY(anthropicProblem(events, nullptr, &endedWithError).isEmpty());
            QVERIFY(endedWithError);
        }
    }

    void toolNamesRestored()
    {
        canon::TranslationContext ctx;
        ctx.toolNameToClient.insert(QStringLiteral("mcp_tool_abcd1234"), QStringLiteral("mcp tool/with spaces"));
        const canon::StreamEvents events = decode(
            sse({J("{'candidates':[{'content':{'parts':[{'functionCall':{'name':'mcp_tool_abcd1234','args':{}}}]},"
                   "'finishReason':'STOP'}]}")}),
            Split::Whole, ctx);
        const QList<canon::Part> calls = toolCalls(accumulate(events));
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.at(0).name, QStringLiteral("mcp tool/with spaces"));
    }

    void partialArgs()
    {
        // Out-of-order paths, numbers, booleans, null, nested arrays, quoted keys, appended strings, and a final
        // chunk without willContinue that closes the call (no terminating {} part).
        const QByteArray body
            = sse({J("{'candidates':[{'content':{'parts':[{'functionCall':{'name':'f','willContinue':"
                     "true,'partialArgs':[{'jsonPath':'$.b','stringValue':'he','willContinue':true}]}}]"
                     "}}]}"),
                J("{'candidates':[{'content':{'parts':[{'functionCall':{'willContinue':true,'partialArgs':[{'jsonPath':"
                  "'$.b','stringValue':'llo'},{'jsonPath':'$.a[1][0]','numberValue':2.5},{'jsonPath':'$.a[0]',"
                  "'boolValue':true}]}}]}}]}"),
                J("{'candidates':[{'content':{'parts':[{'functionCall':{'willContinue':true}}]}}]}"),
                QByteArray(
                    "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"partialArgs\":[{\"jsonPath\":"
                    "\"$['odd key'].n\",\"nullValue\":null},{\"jsonPath\":\"$.c\",\"structValue\":{\"k\":[1]}},"
                    "{\"jsonPath\":\"bad path\",\"stringValue\":\"x\"}]}}]}}]}"),
                J("{'candidates':[{'content':{'parts':[{'text':''}]},'finishReason':'STOP'}]}")});
        const canon::StreamEvents events = decode(body, Split::OneByte);
        const QList<canon::Part> calls = toolCalls(accumulate(events));
        QCOMPARE(calls.size(), 1);
        const QJsonObject expected = QJsonDocument::fromJson(J("{'b':'hello','a':[true,[2.5]],'odd key':{'n':null},"
                                                               "'c':{'k':[1]}}"))
                                         .object();
        QCOMPARE(calls.at(0).input, expected);
        QCOMPARE(countType(events, Type::ToolCallArgsDelta), 1);
        QVERIFY(anthropicProblem(events).isEmpty());
    }

    void streamedCallThenText()
    {
        // A part of another kind ends a streamed call; the call is emitted before the text.
        const QByteArray body = sse({J("{'candidates':[{'content':{'parts':[{'functionCall':{'name':'f','willContinue':"
                                       "true}},{'functionCall':{'partialArgs':[{'jsonPath':'$.x','numberValue':1}],"
                                       "'willContinue':true}},{'text':'after'}]},'finishReason':'STOP'}]}")});
        const canon::Response r = accumulate(decode(body, Split::Whole));
        QCOMPARE(r.content.size(), 2);
        QCOMPARE(r.content.at(0).kind, canon::PartKind::ToolCall);
        QCOMPARE(r.content.at(0).input, QJsonObject({{QStringLiteral("x"), 1}}));
        QCOMPARE(r.content.at(1).text, QStringLiteral("after"));
    }

    void trailingGarbageAfterFinish()
    {
        QByteArray body = sse({J("{'candidates':[{'content':{'parts':[{'text':'ok'}]},'finishReason':'STOP'}]}")});
        body += "data: {oops\r\n\r\n";
        const canon::StreamEvents events = decode(body, Split::Whole);
        QCOMPARE(events.last().type, Type::Finish);
        // An unterminated but complete last event counts; an incomplete one after finishReason is ignored.
        QByteArray noBlank
            = "data: " + J("{'candidates':[{'content':{'parts':[{'text':'ok'}]},'finishReason':'STOP'}]}");
        QCOMPARE(decode(noBlank, Split::OneByte).last().type, Type::Finish);
        QByteArray cut = "data: " + J("{'candidates':[{'content':{'parts':[{'text':'ok'}]}");
        QCOMPARE(decode(cut, Split::Whole).last().type, Type::Failure);
    }

    void byteOrderMarkAndLf()
    {
        QByteArray body = "\xEF\xBB\xBF";
        body += "data:" + J("{'candidates':[{'content':{'parts':[{'text':'x\\u00e9'}]},'finishReason':'STOP'}]}")
            + "\n\n";
        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::Response r = accumulate(decode(body, split));
            QCOMPARE(joined(r, canon::PartKind::Text), QString::fromUtf8("x\xC3\xA9"));
        }
    }

    void afterDoneIgnored()
    {
        gemini::StreamDecoder d({});
        canon::StreamEvents out;
        d.feed(sse({J("{'error':{'code':500,'message':'x'}}")}), out);
        QVERIFY(d.done());
        const qsizetype n = out.size();
        d.feed(sse({J("{'candidates':[{'content':{'parts':[{'text':'late'}]},'finishReason':'STOP'}]}")}), out);
        d.finish(out);
        QCOMPARE(out.size(), n);
    }

    void largeStreamedArgumentsAreLinear()
    {
        // 20,000 string fragments for one argument: must not copy the growing value each time.
        QByteArray body = sse({J("{'candidates':[{'content':{'parts':[{'functionCall':{'name':'Write','willContinue':"
                                 "true}}]}}]}")});
        const QByteArray fragment = sse({J("{'candidates':[{'content':{'parts':[{'functionCall':{'willContinue':true,"
                                           "'partialArgs':[{'jsonPath':'$.content','stringValue':"
                                           "'0123456789abcdefghij0123456789abcdefghij','willContinue':true}]}}]}}]}")});
        for (int i = 0; i < 20000; ++i)
            body += fragment;
        body += sse({J("{'candidates':[{'content':{'parts':[{'functionCall':{}}]},'finishReason':'STOP'}]}")});
        QElapsedTimer timer;
        timer.start();
        const canon::StreamEvents events = decode(body, Split::Random);
        const QList<canon::Part> calls = toolCalls(accumulate(events));
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.at(0).input.value(QLatin1String("content")).toString().size(), 20000 * 40);
        QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
    }

    // Priority 2: SseEncoder output (both framings), re-decoded by StreamDecoder, equals the accumulated response.
    void encoderRoundTrip_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("jsonArray");
        const QDir dir(fixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        for (const QString& f : dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name)) {
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f) << false;
            QTest::addRow("%s as json array", qPrintable(f)) << dir.filePath(f) << true;
        }
    }

    void encoderRoundTrip()
    {
        QFETCH(QString, path);
        QFETCH(bool, jsonArray);
        const canon::StreamEvents events = decode(readFile(path), Split::Whole);
        bool failed = false;
        const canon::Response original = accumulate(events, &failed);

        gemini::SseEncoder enc(original.model);
        enc.setJsonArray(jsonArray);
        QByteArray wire;
        enc.encode(events, wire);
        QVERIFY(enc.finished());
        if (jsonArray) {
            QVERIFY(QJsonDocument::fromJson(wire).isArray());
        } else {
            for (const RawEvent& ev : rawEvents(wire))
                QVERIFY2(QJsonDocument::fromJson(ev.data).isObject(), ev.data.constData());
        }

        const canon::StreamEvents again = decode(wire, Split::OneByte);
        bool failedAgain = false;
        const canon::Response back = accumulate(again, &failedAgain);
        QCOMPARE(failedAgain, failed);
        if (failed)
            return;
        QCOMPARE(back.id, original.id);
        QCOMPARE(back.model, original.model);
        QCOMPARE(back.stopReason, original.stopReason);
        QCOMPARE(back.usage.inputTokens, original.usage.inputTokens);
        QCOMPARE(back.usage.outputTokens, original.usage.outputTokens);
        QCOMPARE(back.usage.cacheReadTokens, original.usage.cacheReadTokens);
        QCOMPARE(back.content.size(), original.content.size());
        for (qsizetype i = 0; i < back.content.size(); ++i) {
            const canon::Part& a = back.content.at(i);
            const canon::Part& b = original.content.at(i);
            QCOMPARE(int(a.kind), int(b.kind));
            QCOMPARE(a.text, b.text);
            QCOMPARE(a.signature, b.signature);
            QCOMPARE(a.name, b.name);
            QCOMPARE(a.input, b.input);
            QCOMPARE(a.id, b.id); // ids are sent to the client in functionCall.id
        }
    }

    void encoderShapes()
    {
        // Anthropic-style events: thinking with a native signature, text, a tool call with arguments in pieces.
        canon::StreamEvents events;
        StreamEvent start = StreamEvent::of(Type::MessageStart, QStringLiteral("claude-x"));
        start.id = QStringLiteral("msg_1");
        start.usage.inputTokens = 10;
        events << start << StreamEvent::of(Type::ReasoningDelta, QStringLiteral("hmm "))
               << StreamEvent::of(Type::ReasoningDelta, QStringLiteral("ok"))
               << StreamEvent::of(Type::ReasoningSignature, QStringLiteral("NATIVE")) << StreamEvent::of(Type::BlockEnd)
               << StreamEvent::of(Type::TextDelta, QStringLiteral("Hi")) << StreamEvent::of(Type::BlockEnd);
        StreamEvent call = StreamEvent::of(Type::ToolCallStart);
        call.id = QStringLiteral("toolu_9");
        call.name = QStringLiteral("Read");
        events << call << StreamEvent::of(Type::ToolCallArgsDelta, QStringLiteral("{\"path\":"))
               << StreamEvent::of(Type::ToolCallArgsDelta, QStringLiteral("\"a\"}")) << StreamEvent::of(Type::BlockEnd);
        StreamEvent fin = StreamEvent::of(Type::Finish);
        fin.stopReason = canon::StopReason::ToolUse;
        fin.usage.outputTokens = 30;
        fin.usage.reasoningTokens = 12;
        fin.usage.cacheReadTokens = 5;
        events << fin;
        gemini::SseEncoder enc({});
        QByteArray wire;
        enc.encode(events, wire);
        const QList<RawEvent> chunks = rawEvents(wire);
        QCOMPARE(chunks.size(), 5);
        QVERIFY(wire.contains("\r\n\r\n"));
        auto part = [&](int i) {
            return QJsonDocument::fromJson(chunks.at(i).data)
                .object()
                .value(QLatin1String("candidates"))
                .toArray()
                .at(0)
                .toObject()
                .value(QLatin1String("content"))
                .toObject()
                .value(QLatin1String("parts"))
                .toArray()
                .at(0)
                .toObject();
        };
        QCOMPARE(part(0), QJsonDocument::fromJson(J("{'text':'hmm ','thought':true}")).object());
        QCOMPARE(part(1), QJsonDocument::fromJson(J("{'text':'ok','thought':true}")).object());
        QCOMPARE(part(2).value(QLatin1String("text")).toString(), QStringLiteral("Hi"));
        const QString token = part(2).value(QLatin1String("thoughtSignature")).toString();
        const canon::Part rebuilt = gemini::partFromClientThoughtSignature(token);
        QCOMPARE(rebuilt.text, QStringLiteral("hmm ok"));
        QCOMPARE(rebuilt.signature, QStringLiteral("NATIVE"));
        QCOMPARE(part(3),
            QJsonDocument::fromJson(J("{'functionCall':{'name':'Read','args':{'path':'a'},'id':'toolu_9'}}")).object());
        const QJsonObject last = QJsonDocument::fromJson(chunks.at(4).data).object();
        QCOMPARE(last.value(QLatin1String("modelVersion")).toString(), QStringLiteral("claude-x"));
        QCOMPARE(last.value(QLatin1String("responseId")).toString(), QStringLiteral("msg_1"));
        QCOMPARE(last.value(QLatin1String("candidates"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("finishReason"))
                     .toString(),
            QStringLiteral("STOP"));
        QCOMPARE(last.value(QLatin1String("usageMetadata")).toObject(),
            QJsonDocument::fromJson(J("{'promptTokenCount':15,'cachedContentTokenCount':5,'candidatesTokenCount':18,"
                                      "'thoughtsTokenCount':12,'totalTokenCount':45}"))
                .object());

        // Cut tool arguments are completed; a failure becomes an error chunk with RetryInfo.
        gemini::SseEncoder enc2(QStringLiteral("m"));
        QByteArray wire2;
        StreamEvent c2 = StreamEvent::of(Type::ToolCallStart);
        c2.name = QStringLiteral("W");
        enc2.encode(c2, wire2);
        enc2.encode(StreamEvent::of(Type::ToolCallArgsDelta, QStringLiteral("{\"a\":\"x")), wire2);
        StreamEvent failure = StreamEvent::of(Type::Failure);
        failure.error = canon::Error::make(429, canon::ErrorType::RateLimit, QStringLiteral("slow"));
        failure.error.retryAfterSeconds = 12;
        enc2.encode(StreamEvent::of(Type::BlockEnd), wire2);
        enc2.encode(failure, wire2);
        enc2.encode(StreamEvent::of(Type::TextDelta, QStringLiteral("ignored")), wire2);
        const QList<RawEvent> c = rawEvents(wire2);
        QCOMPARE(c.size(), 2);
        QCOMPARE(QJsonDocument::fromJson(c.at(0).data)
                     .object()
                     .value(QLatin1String("candidates"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("content"))
                     .toObject()
                     .value(QLatin1String("parts"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("functionCall"))
                     .toObject()
                     .value(QLatin1String("args"))
                     .toObject(),
            QJsonDocument::fromJson(J("{'a':'x'}")).object());
        const canon::StreamEvents back = decode(wire2, Split::Whole);
        QCOMPARE(back.last().type, Type::Failure);
        QCOMPARE(back.last().error.httpStatus, 429);
        QCOMPARE(back.last().error.retryAfterSeconds, 12);
        QCOMPARE(back.last().error.message, QStringLiteral("slow"));
    }
};

QTEST_GUILESS_MAIN(TestGeminiStream)
#include "tst_geministream.moc"
