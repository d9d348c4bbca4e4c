// OpenAI Chat Completions stream decoder: every recorded openai-chat stream, any byte split, truncation, and the
// synthetic edge cases of PROTOCOLS §6.4 / §7 (P16-P21).

#include "protocol/anthropic/anthropicsse.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-chat/openaichatresponse.h"
#include "protocol/openai-chat/openaichatstream.h"
#include "protocol/signature.h"
#include "ssevalidator.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace sy;
using canon::StreamEvent;
using Type = canon::StreamEvent::Type;

namespace {

QString sharedDir()
{
    const QByteArray env = qgetenv("SWITCHYARD_SHARED_DIR");
    return env.isEmpty() ? QString::fromUtf8(SWITCHYARD_SHARED_DIR) : QString::fromLocal8Bit(env);
}

QString chatFixtureDir()
{
    return sharedDir() + QStringLiteral("/fixtures/upstream/openai-chat");
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Files INDEX.md marks "Malformed upstream = yes" (by stem).
QStringList malformedStems()
{
    const QByteArray index = readFile(sharedDir() + QStringLiteral("/fixtures/upstream/INDEX.md"));
    QStringList out;
    bool inChat = false;
    for (const QByteArray& line : index.split('\n')) {
        if (line.startsWith("## "))
            inChat = line.trimmed() == "## openai-chat";
        if (!inChat || !line.startsWith("| `"))
            continue;
        const QList<QByteArray> cols = line.split('|');
        if (cols.size() > 6 && cols.at(6).trimmed() == "yes") {
            const QString name = QString::fromUtf8(cols.at(1).trimmed()).section(QLatin1Char('`'), 1, 1);
            out.append(name.section(QLatin1Char('.'), 0, 0));
        }
    }
    return out;
}

enum class Split { Whole, OneByte, Random };

canon::StreamEvents decode(
    const QByteArray& bytes, Split split, const canon::TranslationContext& ctx = {}, quint32 seed = 1)
{
    openaichat::StreamDecoder d(ctx);
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

// The JSON payloads of an OpenAI-style SSE body, split independently of the decoder (blank-line framing).
struct RawEvent
{
    QByteArray data;
    bool complete = true; // terminated by a blank line
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

// Expected result computed from the raw chunks with a simple reference accumulator keyed by (index, id).
struct Expected
{
    QString text;
    QString reasoning;
    struct Call
    {
        int index = -1;
        QString id;
        QString name;
        QString args;
    };
    QList<Call> calls;
    QString finishReason;
    qint64 outputTokens = -1;
    bool hasError = false;
};

Expected reference(const QByteArray& body)
{
    Expected x;
    for (const RawEvent& ev : rawEvents(body)) {
        const QJsonObject chunk = QJsonDocument::fromJson(ev.data).object();
        if (chunk.isEmpty())
            continue;
        if (chunk.contains(QLatin1String("error")))
            x.hasError = true;
        QJsonObject usage = chunk.value(QLatin1String("usage")).toObject();
        if (usage.isEmpty())
            usage = chunk.value(QLatin1String("x_groq")).toObject().value(QLatin1String("usage")).toObject();
        if (usage.contains(QLatin1String("completion_tokens"))) {
            // output_tokens = completion_tokens as reported (§6.11), whatever the provider.
            x.outputTokens = usage.value(QLatin1String("completion_tokens")).toInteger();
        }
        for (const QJsonValue& cv : chunk.value(QLatin1String("choices")).toArray()) {
            const QJsonObject choice = cv.toObject();
            const QJsonObject delta = choice.value(QLatin1String("delta")).toObject();
            QString r = delta.value(QLatin1String("reasoning_content")).toString();
            if (r.isEmpty())
                r = delta.value(QLatin1String("reasoning")).toString();
            x.reasoning += r;
            const QJsonValue content = delta.value(QLatin1String("content"));
            if (content.isString()) {
                x.text += content.toString();
            } else {
                for (const QJsonValue& pv : content.toArray()) {
                    const QJsonObject part = pv.toObject();
                    if (part.value(QLatin1String("type")).toString() == QLatin1String("text"))
                        x.text += part.value(QLatin1String("text")).toString();
                    for (const QJsonValue& tv : part.value(QLatin1String("thinking")).toArray())
                        x.reasoning += tv.toObject().value(QLatin1String("text")).toString();
                }
            }
            for (const QJsonValue& fv : delta.value(QLatin1String("tool_calls")).toArray()) {
                const QJsonObject f = fv.toObject();
                const int index = f.contains(QLatin1String("index")) ? f.value(QLatin1String("index")).toInt() : -1;
                const QString id = f.value(QLatin1String("id")).toString();
                const QJsonObject fn = f.value(QLatin1String("function")).toObject();
                Expected::Call* target = nullptr;
                for (auto& c : x.calls) {
                    if (!id.isEmpty() && c.id == id)
                        target = &c;
                }
                if (!target && index >= 0) {
                    for (qsizetype i = x.calls.size() - 1; i >= 0; --i) {
                        if (x.calls[i].index == index) {
                            if (id.isEmpty() || x.calls[i].id.isEmpty())
                                target = &x.calls[i];
                            break;
                        }
                    }
                }
                if (!target && index < 0 && id.isEmpty() && !x.calls.isEmpty())
                    target = &x.calls.last();
                if (!target) {
                    x.calls.append(Expected::Call {index, {}, {}, {}});
                    target = &x.calls.last();
                }
                if (target->id.isEmpty())
                    target->id = id;
                if (target->name.isEmpty())
                    target->name = fn.value(QLatin1String("name")).toString();
                target->args += fn.value(QLatin1String("arguments")).toString();
            }
            const QString fr = choice.value(QLatin1String("finish_reason")).toString();
            if (!fr.isEmpty())
                x.finishReason = fr;
        }
    }
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

// Test JSON written with ' for " and ` for an escaped quote (\"), so it needs no escaping here.
QByteArray J(const char* text)
{
    QByteArray out(text);
    out.replace('\'', '"');
    out.replace('`', "\\\"");
    return out;
}

QByteArray sse(const QList<QByteArray>& chunks, bool done = true)
{
    QByteArray out;
    for (const QByteArray& c : chunks)
        out += "data: " + c + "\n\n";
    if (done)
        out += "data: [DONE]\n\n";
    return out;
}

// Decodes with the fast path on or off (every other argument as in decode()).
canon::StreamEvents decodeWith(
    const QByteArray& bytes, bool fast, Split split, quint32 seed = 1, qsizetype* fastChunks = nullptr)
{
    openaichat::StreamDecoder d({});
    d.setFastPathEnabled(fast);
    canon::StreamEvents out;
    if (split == Split::Whole) {
        d.feed(bytes, out);
    } else {
        QRandomGenerator rng(seed);
        qsizetype i = 0;
        while (i < bytes.size()) {
            const qsizetype n
                = split == Split::OneByte ? 1 : std::min<qsizetype>(bytes.size() - i, 1 + rng.bounded(97));
            d.feed(QByteArrayView(bytes).sliced(i, n), out);
            i += n;
        }
    }
    d.finish(out);
    if (fastChunks)
        *fastChunks = d.fastPathChunks();
    return out;
}

// Empty when both event lists are equal field by field (generated tool-call ids aside), else the first difference.
QString compareEvents(const canon::StreamEvents& a, const canon::StreamEvents& b)
{
    if (a.size() != b.size())
        return QStringLiteral("%1 events instead of %2").arg(a.size()).arg(b.size());
    const auto usage = [](const canon::Usage& u) {
        return QList<qint64> {u.inputTokens, u.outputTokens, u.cacheReadTokens, u.cacheWriteTokens, u.reasoningTokens};
    };
    const auto generated = [](const QString& id) { return id.startsWith(QLatin1String("toolu_")); };
    for (qsizetype i = 0; i < a.size(); ++i) {
        const StreamEvent& x = a.at(i);
        const StreamEvent& y = b.at(i);
        const bool same = x.type == y.type && x.text == y.text && (x.id == y.id || (generated(x.id) && generated(y.id)))
            && x.name == y.name && usage(x.usage) == usage(y.usage) && x.stopReason == y.stopReason
            && x.error.httpStatus == y.error.httpStatus && x.error.type == y.error.type
            && x.error.message == y.error.message && x.error.retryAfterSeconds == y.error.retryAfterSeconds
            && x.error.shouldRetry == y.error.shouldRetry && x.error.code == y.error.code
            && x.error.details == y.error.details && x.raw == y.raw;
        if (!same)
            return QStringLiteral("event %1: %2 instead of %3").arg(i).arg(describe(x), describe(y));
    }
    return {};
}

// The fast path and the general path give the same events for `body` (whole and split); returns the chunks the fast
// path took.
qsizetype checkBothPaths(const QByteArray& body, QString* problem)
{
    qsizetype fastChunks = 0;
    const canon::StreamEvents general = decodeWith(body, false, Split::Whole);
    QString diff = compareEvents(decodeWith(body, true, Split::Whole, 1, &fastChunks), general);
    if (diff.isEmpty())
        diff = compareEvents(decodeWith(body, true, Split::OneByte), general);
    if (diff.isEmpty())
        diff = compareEvents(decodeWith(body, true, Split::Random, 7), general);
    if (!diff.isEmpty())
        *problem = diff;
    return fastChunks;
}

} // namespace

class TestOpenAiChatStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixtures_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("malformed");
        const QDir dir(chatFixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        const QStringList malformed = malformedStems();
        QVERIFY2(malformed.size() >= 5, "INDEX.md malformed list not found");
        const QStringList files = dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 30);
        for (const QString& f : files)
            QTest::addRow("%s", qPrintable(f))
                << dir.filePath(f) << malformed.contains(f.section(QLatin1Char('.'), 0, 0));
    }

    void fixtures()
    {
        QFETCH(QString, path);
        QFETCH(bool, malformed);
        const QByteArray body = readFile(path);
        QVERIFY(!body.isEmpty());

        // Any byte split gives the same events.
        const canon::StreamEvents whole = decode(body, Split::Whole);
        const QStringList expectedEvents = describeAll(whole);
        QCOMPARE(describeAll(decode(body, Split::OneByte)), expectedEvents);
        for (quint32 seed = 1; seed <= 5; ++seed)
            QCOMPARE(describeAll(decode(body, Split::Random, {}, seed)), expectedEvents);

        // Exactly one terminal event, at the end; MessageStart first.
        QVERIFY(!whole.isEmpty());
        QCOMPARE(countType(whole, Type::Finish) + countType(whole, Type::Failure), 1);
        const Type last = whole.last().type;
        QVERIFY(last == Type::Finish || last == Type::Failure);
        QCOMPARE(countType(whole, Type::MessageStart), 1);
        QCOMPARE(whole.first().type, Type::MessageStart);

        const Expected x = reference(body);
        bool failed = false;
        bool finished = false;
        const canon::Response r = accumulate(whole, &failed, &finished);
        if (x.hasError) {
            QVERIFY(failed);
            return;
        }
        QVERIFY2(finished, qPrintable(QStringLiteral("stream did not finish cleanly (malformed=%1)").arg(malformed)));

        QCOMPARE(joined(r, canon::PartKind::Text), x.text);
        QCOMPARE(joined(r, canon::PartKind::Reasoning), x.reasoning);
        for (const canon::Part& p : r.content) {
            if (p.kind == canon::PartKind::Reasoning)
                QCOMPARE(canon::gatewaySignatureProvider(p.signature), QStringLiteral("openai-chat"));
            if (p.kind == canon::PartKind::Text)
                QVERIFY(!p.text.isEmpty());
        }

        // Tool calls: same order, names, parsed arguments; ids valid for Anthropic.
        QList<Expected::Call> expectedCalls;
        for (const auto& c : x.calls) {
            if (!c.name.isEmpty() || !c.args.trimmed().isEmpty())
                expectedCalls.append(c);
        }
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), expectedCalls.size());
        static const QRegularExpression idRe(QStringLiteral("^[a-zA-Z0-9_-]+$"));
        for (qsizetype i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls.at(i).name, expectedCalls.at(i).name);
            const QJsonObject args = QJsonDocument::fromJson(expectedCalls.at(i).args.toUtf8()).object();
            QCOMPARE(calls.at(i).input, args);
            QVERIFY(idRe.match(calls.at(i).id).hasMatch());
            if (!expectedCalls.at(i).id.isEmpty())
                QCOMPARE(calls.at(i).id, openaichat::sanitizeToolCallId(expectedCalls.at(i).id));
        }

        // Stop reason (§6.10 with the tool-use override) and usage.
        canon::StopReason stop = openaichat::stopReasonFromFinish(x.finishReason);
        stop = openaichat::applyToolUseOverride(stop, !calls.isEmpty());
        QCOMPARE(r.stopReason, stop);
        QCOMPARE(r.usage.outputTokens, x.outputTokens);
        if (x.outputTokens >= 0)
            QVERIFY(r.usage.inputTokens >= 0);

        // The events make a valid Anthropic SSE answer.
        anthropic::SseEncoder enc(QStringLiteral("claude-test"), 10);
        QByteArray out;
        enc.encode(whole, out);
        QJsonObject message;
        const QString problem = validateAnthropicStream(out, &message);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // The fast path (a scanner for common chunk shapes) must be invisible: every recorded stream gives the same
    // events with and without it, and it does take the ordinary chunks.
    void fastPathMatchesGeneralPath_data() { fixtures_data(); }

    void fastPathMatchesGeneralPath()
    {
        QFETCH(QString, path);
        const QByteArray body = readFile(path);
        QVERIFY(!body.isEmpty());
        QString problem;
        const qsizetype fastChunks = checkBothPaths(body, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QString name = QFileInfo(path).fileName();
        if (name.startsWith(QLatin1String("openai-text")) || name.startsWith(QLatin1String("deepseek-reasoning"))
            || name.startsWith(QLatin1String("groq-text")) || name.startsWith(QLatin1String("xai-openai-compatible")))
            QVERIFY2(fastChunks >= rawEvents(body).size() - 2, qPrintable(QString::number(fastChunks)));
    }

    // Every recorded chunk, damaged in small ways, decodes the same with and without the fast path.
    void fastPathMatchesOnMutatedChunks()
    {
        const QDir dir(chatFixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        static const QByteArray alphabet = QByteArray("\"\\{}[],:0-1.e nutl\t\x01", 20) + "\xc3\xa9\xed\xa0\x80\xf0";
        QRandomGenerator rng(20240611);
        const QByteArray first = J("{'id':'x','model':'m','choices':[{'index':0,'delta':{'role':'assistant'}}]}");
        const QByteArray stop = J("{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}");
        int cases = 0;
        for (const QString& f : dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name)) {
            const QList<RawEvent> events = rawEvents(readFile(dir.filePath(f)));
            for (qsizetype e = 0; e < events.size() && e < 40; ++e) {
                const QByteArray chunk = events.at(e).data;
                if (chunk == "[DONE]")
                    continue;
                for (int m = 0; m < 3; ++m) {
                    QByteArray mutated = chunk;
                    const qsizetype at = rng.bounded(int(mutated.size() + 1));
                    const char c = alphabet.at(rng.bounded(int(alphabet.size())));
                    switch (rng.bounded(3)) {
                    case 0:
                        mutated.insert(at, c);
                        break;
                    case 1:
                        if (at < mutated.size())
                            mutated.remove(at, 1);
                        break;
                    default:
                        if (at < mutated.size())
                            mutated[at] = c;
                        break;
                    }
                    const QByteArray body = sse({first, mutated, stop});
                    QString problem;
                    checkBothPaths(body, &problem);
                    QVERIFY2(problem.isEmpty(),
                        qPrintable(f + QStringLiteral(": ") + QString::fromUtf8(mutated.toPercentEncoding("{}[]\":,_ "))
                            + QStringLiteral(": ") + problem));
                    ++cases;
                }
            }
        }
        QVERIFY(cases > 1000);
    }

    void fastPathEdgeCases_data()
    {
        QTest::addColumn<QByteArray>("chunk");
        QTest::addColumn<bool>("fast"); // the fast path is expected to take it
        const auto row
            = [](const char* name, const QByteArray& chunk, bool fast) { QTest::newRow(name) << chunk << fast; };
        row("plain", J("{'id':'a','choices':[{'index':0,'delta':{'content':'hi'},'finish_reason':null}]}"), true);
        row("any key order, spaces",
            J(" { 'choices' : [ { 'finish_reason' : null , 'delta' : { 'content' : 'hi' } , 'index' : 0 } ] ,\t"
              "'model' : 'm' , 'id' : 'a' }\r\n"),
            true);
        row("full OpenAI shape",
            J("{'id':'chatcmpl-1','object':'chat.completion.chunk','created':1741,'model':'gpt-4o',"
              "'system_fingerprint':'fp_1','service_tier':'default','choices':[{'index':0,'delta':{'content':'x',"
              "'refusal':null},'logprobs':null,'finish_reason':null}],'usage':null,'obfuscation':'abc'}"),
            true);
        row("escapes", J("{'choices':[{'index':0,'delta':{'content':'a\\n\\t\\r\\b\\f\\/\\\\`z\\u00e9\\u0000'}}]}"),
            true);
        row("surrogate pair escape", J("{'choices':[{'index':0,'delta':{'content':'\\ud83d\\ude00!'}}]}"), true);
        row("lone surrogate escape", J("{'choices':[{'index':0,'delta':{'content':'\\ud800x\\udc00'}}]}"), true);
        row("utf-8",
            J("{'choices':[{'index':0,'delta':{'content':'\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xef\xbb\xbf'}}]}"),
            true);
        row("bom at start of text", J("{'choices':[{'index':0,'delta':{'content':'\xef\xbb\xbfx'}}]}"), false);
        row("bom at start of key",
            J("{'choices':[{'index':0,'delta':{'\xef\xbb\xbf"
              "content':'x'}}]}"),
            false);
        row("escaped bom", J("{'choices':[{'index':0,'delta':{'content':'\\ufeffx\\n'}}]}"), true);
        row("raw tab", J("{'choices':[{'index':0,'delta':{'content':'a\tb'}}]}"), true);
        row("overlong utf-8", J("{'choices':[{'index':0,'delta':{'content':'\xc0\x80'}}]}"), false);
        row("encoded surrogate", J("{'choices':[{'index':0,'delta':{'content':'\xed\xa0\x80'}}]}"), false);
        row("beyond U+10FFFF", J("{'choices':[{'index':0,'delta':{'content':'\xf4\x90\x80\x80'}}]}"), false);
        row("truncated utf-8", J("{'choices':[{'index':0,'delta':{'content':'\xe4\xb8'}}]}"), false);
        row("bad utf-8 in unknown member", J("{'zz':'\xff','choices':[{'index':0,'delta':{'content':'a'}}]}"), false);
        row("unknown escape", J("{'choices':[{'index':0,'delta':{'content':'\\x'}}]}"), false);
        row("bad \\u escape", J("{'choices':[{'index':0,'delta':{'content':'\\u12g4'}}]}"), false);
        row("escaped key", J("{'choices':[{'index':0,'delta':{'\\u0063ontent':'a'}}]}"), false);
        row("non-ascii key", J("{'choices':[{'index':0,'delta':{'cont\xc3\xa9nt':'a','content':'b'}}]}"), true);
        row("duplicate content", J("{'choices':[{'index':0,'delta':{'content':'a','content':'b'}}]}"), false);
        row("duplicate choices", J("{'choices':[],'choices':[{'index':0,'delta':{'content':'b'}}]}"), false);
        row("duplicate id", J("{'id':'a','id':'b','choices':[{'index':0,'delta':{'content':'b'}}]}"), false);
        row("duplicate unknown", J("{'p':1,'p':2,'choices':[{'index':0,'delta':{'content':'b'}}]}"), true);
        row("index 1", J("{'choices':[{'index':1,'delta':{'content':'a'}}]}"), false);
        row("index null", J("{'choices':[{'index':null,'delta':{'content':'a'}}]}"), true);
        row("index string", J("{'choices':[{'index':'0','delta':{'content':'a'}}]}"), false);
        row("index 0.0", J("{'choices':[{'index':0.0,'delta':{'content':'a'}}]}"), false);
        row("no index", J("{'choices':[{'delta':{'content':'a'}}]}"), true);
        row("two choices", J("{'choices':[{'index':1,'delta':{'content':'a'}},{'index':0,'delta':{'content':'b'}}]}"),
            false);
        row("empty choice", J("{'id':'a','choices':[{}]}"), true);
        row("choice not an object", J("{'id':'a','choices':[1]}"), false);
        row("choices null", J("{'id':'a','choices':null}"), true);
        row("choices object", J("{'id':'a','choices':{}}"), false);
        row("delta null", J("{'choices':[{'index':0,'delta':null,'finish_reason':'stop'}]}"), true);
        row("delta string", J("{'choices':[{'index':0,'delta':'x'}]}"), false);
        row("delta empty", J("{'choices':[{'index':0,'delta':{}}]}"), true);
        row("content null", J("{'choices':[{'index':0,'delta':{'role':'assistant','content':null}}]}"), true);
        row("content number", J("{'choices':[{'index':0,'delta':{'content':12}}]}"), true);
        row("content parts", J("{'choices':[{'index':0,'delta':{'content':[{'type':'text','text':'a'}]}}]}"), false);
        row("reasoning then content", J("{'choices':[{'index':0,'delta':{'content':'c','reasoning_content':'r'}}]}"),
            true);
        row("reasoning fallback", J("{'choices':[{'index':0,'delta':{'reasoning_content':'','reasoning':'r'}}]}"),
            true);
        row("reasoning null", J("{'choices':[{'index':0,'delta':{'reasoning_content':null,'reasoning':'r'}}]}"), true);
        row("reasoning details",
            J("{'choices':[{'index':0,'delta':{'reasoning_details':[{'type':'reasoning.text','text':'r'}]}}]}"), false);
        row("refusal", J("{'choices':[{'index':0,'delta':{'refusal':'no'}}]}"), true);
        row("tool calls empty", J("{'choices':[{'index':0,'delta':{'content':'a','tool_calls':[ ]}}]}"), true);
        row("tool calls null", J("{'choices':[{'index':0,'delta':{'content':'a','tool_calls':null}}]}"), true);
        row("tool calls",
            J("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'c1','function':{'name':'f',"
              "'arguments':'{}'}}]}}]}"),
            false);
        row("finish length", J("{'choices':[{'index':0,'delta':{},'finish_reason':'length'}]}"), true);
        row("finish escaped", J("{'choices':[{'index':0,'delta':{},'finish_reason':'st\\u006fp'}]}"), false);
        row("finish error", J("{'choices':[{'index':0,'delta':{},'finish_reason':'error','error':{'message':'bad'}}]}"),
            false);
        row("finish resources",
            J("{'choices':[{'index':0,'delta':{},'finish_reason':'insufficient_system_resource'}]}"), false);
        row("finish number", J("{'choices':[{'index':0,'delta':{},'finish_reason':3}]}"), true);
        row("usage with finish",
            J("{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}],'usage':{'prompt_tokens':10,"
              "'completion_tokens':5,'prompt_tokens_details':{'cached_tokens':4},'completion_tokens_details':"
              "{'reasoning_tokens':2}}}"),
            true);
        row("usage deepseek",
            J("{'choices':[],'usage':{'prompt_tokens':10,'completion_tokens':5,'prompt_cache_hit_tokens':6,"
              "'prompt_cache_miss_tokens':4}}"),
            true);
        row("usage empty", J("{'choices':[],'usage':{}}"), true);
        row("usage x_groq", J("{'choices':[],'x_groq':{'id':'q','usage':{'prompt_tokens':3,'completion_tokens':4}}}"),
            true);
        row("usage and x_groq",
            J("{'choices':[],'usage':{'prompt_tokens':1},'x_groq':{'usage':{'prompt_tokens':3,'completion_tokens':4}}"
              "}"),
            true);
        row("error object", J("{'error':{'message':'boom','type':'server_error'}}"), false);
        row("error string", J("{'error':'boom'}"), false);
        row("error empty string", J("{'error':'','choices':[{'index':0,'delta':{'content':'a'}}]}"), true);
        row("error null", J("{'error':null,'choices':[{'index':0,'delta':{'content':'a'}}]}"), true);
        row("error number", J("{'error':5,'choices':[{'index':0,'delta':{'content':'a'}}]}"), true);
        row("numbers", J("{'a':-0,'b':1.5,'c':-12.25,'d':123456789012345678901234,'choices':[]}"), true);
        row("exponent", J("{'a':1e5,'choices':[]}"), false);
        row("leading zero", J("{'a':01,'choices':[]}"), false);
        row("bare dot", J("{'a':1.,'choices':[]}"), false);
        row("literals", J("{'a':true,'b':false,'c':null,'d':[true,[],{}],'choices':[]}"), true);
        row("bad literal", J("{'a':tru,'choices':[]}"), false);
        row("deep nesting", "{\"a\":" + QByteArray(80, '[') + QByteArray(80, ']') + ",\"choices\":[]}", false);
        row("trailing garbage", J("{'choices':[]}x"), false);
        row("trailing comma", J("{'choices':[],}"), false);
        row("missing brace", J("{'choices':[]"), false);
        row("empty object", J("{}"), true);
        row("array root", J("[1]"), false);
        row("string root", J("'x'"), false);
        row("id and model only", J("{'id':'a\\u00e9','model':'m\xc3\xa9'}"), true);
    }

    void fastPathEdgeCases()
    {
        QFETCH(QByteArray, chunk);
        QFETCH(bool, fast);
        const QByteArray first = J("{'id':'x','model':'m','choices':[{'index':0,'delta':{'role':'assistant'}}]}");
        const QByteArray stop = J("{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}");
        const QByteArray usage = J("{'choices':[],'usage':{'prompt_tokens':1,'completion_tokens':2}}");
        // The chunk first (it starts the message), after an ordinary start, and between text and a finish.
        const QList<QByteArray> bodies = {sse({chunk, stop}), sse({first, chunk, stop}),
            sse({first, J("{'choices':[{'index':0,'delta':{'content':'t'}}]}"), chunk, stop, usage}),
            sse({first, J("{'choices':[{'index':0,'delta':{'reasoning':'r'}}]}"), chunk, stop}, false)};
        for (const QByteArray& body : bodies) {
            QString problem;
            checkBothPaths(body, &problem);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        // Whether the fast path took it (the chunk alone, before a [DONE]).
        qsizetype fastChunks = 0;
        decodeWith(sse({chunk}), true, Split::Whole, 1, &fastChunks);
        QCOMPARE(fastChunks > 0, fast);
    }

    void truncated_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<double>("fraction");
        const QDir dir(chatFixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        for (const QString& f : dir.entryList({QStringLiteral("*.sse")}, QDir::Files, QDir::Name)) {
            for (double fraction : {0.1, 0.33, 0.5, 0.77, 0.95})
                QTest::addRow("%s@%.2f", qPrintable(f), fraction) << dir.filePath(f) << fraction;
        }
    }

    void truncated()
    {
        QFETCH(QString, path);
        QFETCH(double, fraction);
        const QByteArray full = readFile(path);
        const QByteArray prefix = full.left(qsizetype(double(full.size()) * fraction));

        // Expected: a clean Finish only if the prefix holds [DONE] or a complete chunk with a finish_reason.
        bool expectFinish = false;
        for (const RawEvent& ev : rawEvents(prefix)) {
            if (ev.data.trimmed() == "[DONE]" && ev.complete) {
                expectFinish = true;
                break;
            }
            const QJsonObject chunk = QJsonDocument::fromJson(ev.data).object();
            for (const QJsonValue& c : chunk.value(QLatin1String("choices")).toArray()) {
                if (!c.toObject().value(QLatin1String("finish_reason")).toString().isEmpty())
                    expectFinish = true;
            }
        }
        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::StreamEvents events = decode(prefix, split);
            QVERIFY(!events.isEmpty());
            QCOMPARE(countType(events, Type::Finish) + countType(events, Type::Failure), 1);
            QCOMPARE(events.last().type, expectFinish ? Type::Finish : Type::Failure);
            if (!expectFinish)
                QCOMPARE(events.last().error.type, canon::ErrorType::Api);
        }
    }

    void parallelIndexReuse()
    {
        // Ollama style (P16): every call has index 0 but its own id; arguments in two fragments each.
        const QByteArray body = sse({
            J("{'id':'c1','model':'m','choices':[{'index':0,'delta':{'role':'assistant','content':''}}]}"),
            J("{'id':'c1','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_a','type':'"
              "function','function':{'name':'Read','arguments':'{`file_path`:'}}]}}]}"),
            J("{'id':'c1','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'"
              "`a.txt`}'}}]}}]}"),
            J("{'id':'c1','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_b','type':'"
              "function','function':{'name':'Read','arguments':'{`file_path`:`b.txt`}'}}]}}]}"),
            J("{'id':'c1','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_c','type':'"
              "function','function':{'name':'Grep','arguments':'{`pattern`:'}}]}}]}"),
            J("{'id':'c1','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'"
              "`x`}'}}]}}]}"),
            J("{'id':'c1','model':'m','choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}"),
        });
        const canon::StreamEvents events = decode(body, Split::OneByte);
        const canon::Response r = accumulate(events);
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), 3);
        QCOMPARE(calls.at(0).id, QStringLiteral("call_a"));
        QCOMPARE(calls.at(0).input.value(QLatin1String("file_path")).toString(), QStringLiteral("a.txt"));
        QCOMPARE(calls.at(1).id, QStringLiteral("call_b"));
        QCOMPARE(calls.at(1).input.value(QLatin1String("file_path")).toString(), QStringLiteral("b.txt"));
        QCOMPARE(calls.at(2).name, QStringLiteral("Grep"));
        QCOMPARE(calls.at(2).input.value(QLatin1String("pattern")).toString(), QStringLiteral("x"));
        QCOMPARE(r.stopReason, canon::StopReason::ToolUse);
        // Sequential calls are streamed incrementally: call_a's second fragment is a delta of its own.
        QCOMPARE(countType(events, Type::ToolCallArgsDelta), 5);
    }

    void interleavedParallelCalls()
    {
        // Fragments of two calls interleave: the first keeps streaming, the second is buffered; both end correct.
        const QByteArray body = sse({
            J("{'id':'c2','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_a','function':"
              "{'name':'Read','arguments':'{`p`:'}}]}}]}"),
            J("{'id':'c2','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'id':'call_b','function':"
              "{'name':'Write','arguments':'{`q`:'}}]}}]}"),
            J("{'id':'c2','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'"
              "1}'}}]}}]}"),
            J("{'id':'c2','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'function':{'arguments':'"
              "2}'}}]}}]}"),
            J("{'id':'c2','model':'m','choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}"),
        });
        const canon::Response r = accumulate(decode(body, Split::Random, {}, 7));
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).name, QStringLiteral("Read"));
        QCOMPARE(calls.at(0).input, QJsonObject({{QStringLiteral("p"), 1}}));
        QCOMPARE(calls.at(1).name, QStringLiteral("Write"));
        QCOMPARE(calls.at(1).input, QJsonObject({{QStringLiteral("q"), 2}}));
    }

    void nameInLaterFragment()
    {
        const QByteArray body = sse({
            J("{'id':'c3','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_x','function':"
              "{'arguments':''}}]}}]}"),
            J("{'id':'c3','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'name':'Bash'"
              ",'arguments':'{`command`'}}]}}]}"),
            J("{'id':'c3','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'name':'','"
              "arguments':':`ls`}'}}]}}]}"),
            J("{'id':'c3','model':'m','choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}],'usage':{'prompt_"
              "tokens':10,'completion_tokens':5}}"),
        });
        const canon::StreamEvents events = decode(body, Split::Whole);
        QCOMPARE(countType(events, Type::ToolCallStart), 1);
        const canon::Response r = accumulate(events);
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.at(0).name, QStringLiteral("Bash"));
        QCOMPARE(calls.at(0).input.value(QLatin1String("command")).toString(), QStringLiteral("ls"));
        QCOMPARE(r.usage.outputTokens, 5);
    }

    void emptyArguments()
    {
        const QByteArray body = sse({
            J("{'id':'c4','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_e','function':"
              "{'name':'List','arguments':''}}]}}]}"),
            J("{'id':'c4','model':'m','choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}"),
        });
        const canon::StreamEvents events = decode(body, Split::Whole);
        bool sawBraces = false;
        for (const StreamEvent& e : events)
            sawBraces = sawBraces || (e.type == Type::ToolCallArgsDelta && e.text == QLatin1String("{}"));
        QVERIFY(sawBraces);
        const QList<canon::Part> calls = toolCalls(accumulate(events));
        QCOMPARE(calls.size(), 1);
        QVERIFY(calls.at(0).input.isEmpty());
    }

    void truncatedArgumentsAreCompleted()
    {
        const QByteArray body = sse({
            J("{'id':'c5','model':'m','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_w','function':"
              "{'name':'Write','arguments':'{`path`:`a.txt`,`content`:`hel'}}]}}]}"),
            J("{'id':'c5','model':'m','choices':[{'index':0,'delta':{},'finish_reason':'length'}]}"),
        });
        const canon::Response r = accumulate(decode(body, Split::OneByte));
        const QList<canon::Part> calls = toolCalls(r);
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.at(0).input.value(QLatin1String("path")).toString(), QStringLiteral("a.txt"));
        QCOMPARE(calls.at(0).input.value(QLatin1String("content")).toString(), QStringLiteral("hel"));
        QCOMPARE(r.stopReason, canon::StopReason::ToolUse);
    }

    void combinedChunk()
    {
        // P19: reasoning, content, tool call, finish_reason and usage in one chunk.
        const QByteArray body = sse(
            {
                J("{'id':'c6','model':'m','choices':[{'index':0,'delta':{'reasoning_content':'hmm','content':'Checking."
                  "','tool_calls':[{'index':0,'id':'call_1','type':'function','function':{'name':'Read','arguments':'{`"
                  "file_path`:`x`}'}}]},'finish_reason':'tool_calls'}],'usage':{'prompt_tokens':900,'completion_tokens'"
                  ":40,'prompt_tokens_details':{'cached_tokens':800}}}"),
            },
            false);
        const canon::StreamEvents events = decode(body, Split::Whole);
        QStringList types;
        for (const StreamEvent& e : events)
            types.append(QString::number(int(e.type)));
        const QList<Type> expected
            = {Type::MessageStart, Type::ReasoningDelta, Type::ReasoningSignature, Type::BlockEnd, Type::TextDelta,
                Type::BlockEnd, Type::ToolCallStart, Type::ToolCallArgsDelta, Type::BlockEnd, Type::Finish};
        QCOMPARE(events.size(), expected.size());
        for (qsizetype i = 0; i < events.size(); ++i)
            QCOMPARE(events.at(i).type, expected.at(i));
        const canon::Response r = accumulate(events);
        QCOMPARE(r.stopReason, canon::StopReason::ToolUse);
        QCOMPARE(r.usage.inputTokens, 100);
        QCOMPARE(r.usage.cacheReadTokens, 800);
        QCOMPARE(r.usage.outputTokens, 40);
    }

    void usageOnlyTrailingChunk()
    {
        const QByteArray body = sse(
            {
                J("{'id':'c7','model':'m','choices':[{'index':0,'delta':{'content':'Hi'}}]}"),
                J("{'id':'c7','model':'m','choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}"),
                J("{'id':'c7','model':'m','choices':[],'usage':{'prompt_tokens':12,'completion_tokens':3,'total_tokens'"
                  ":15}}"),
            },
            false);
        canon::StreamEvents out;
        openaichat::StreamDecoder d({});
        d.feed(body, out);
        // Finish comes with the usage chunk, before [DONE] and before EOF.
        QVERIFY(d.done());
        QCOMPARE(out.last().type, Type::Finish);
        QCOMPARE(out.last().usage.inputTokens, 12);
        QCOMPARE(out.last().usage.outputTokens, 3);
        QCOMPARE(out.last().stopReason, canon::StopReason::EndTurn);
        // Anything after Finish is ignored.
        const qsizetype n = out.size();
        d.feed("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"late\"}}]}\n\ndata: [DONE]\n\n", out);
        d.finish(out);
        QCOMPARE(out.size(), n);
    }

    void finishWaitsForUsage()
    {
        // A finish_reason without usage does not end the stream yet: a usage chunk may follow.
        openaichat::StreamDecoder d({});
        canon::StreamEvents out;
        d.feed(
            sse({J("{'id':'c8','model':'m','choices':[{'index':0,'delta':{'content':'Hi'},'finish_reason':'stop'}]}")},
                false),
            out);
        QVERIFY(!d.done());
        QCOMPARE(countType(out, Type::Finish), 0);
        d.feed("data: [DONE]\n\n", out);
        QVERIFY(d.done());
        QCOMPARE(out.last().type, Type::Finish);
        QCOMPARE(out.last().usage.outputTokens, -1); // no usage at all
    }

    void noUsageCleanEof()
    {
        const canon::StreamEvents events = decode(sse({J("{'id':'c9','model':'m','choices':[{'index':0,'delta':{'"
                                                         "content':'Hi'},'finish_reason':'length'}]}")},
                                                      false),
            Split::Whole);
        QCOMPARE(events.last().type, Type::Finish);
        QCOMPARE(events.last().stopReason, canon::StopReason::MaxTokens);
        QVERIFY(events.last().usage.isEmpty());
    }

    void doneWithoutFinishReason()
    {
        const canon::StreamEvents events = decode(
            sse({J("{'id':'c10','model':'m','choices':[{'index':0,'delta':{'content':'Hi'}}]}")}), Split::Whole);
        QCOMPARE(events.last().type, Type::Finish);
        QCOMPARE(events.last().stopReason, canon::StopReason::EndTurn);
    }

    void prematureEof()
    {
        const canon::StreamEvents events = decode(
            sse({J("{'id':'c11','model':'m','choices':[{'index':0,'delta':{'content':'Hi'}}]}")}, false), Split::Whole);
        QCOMPARE(events.last().type, Type::Failure);
        QCOMPARE(events.last().error.type, canon::ErrorType::Api);
        QVERIFY(events.last().error.message.contains(QLatin1String("ended prematurely")));
        // Nothing at all.
        const canon::StreamEvents none = decode(QByteArray(), Split::Whole);
        QCOMPARE(none.size(), 1);
        QCOMPARE(none.last().type, Type::Failure);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("startedFirst");
        QTest::addRow("error chunk mid-stream")
            << sse({J("{'id':'e1','model':'m','choices':[{'index':0,'delta':{'content':'Hi'}}]}"),
                   J("{'error':{'message':'Provider returned error','type':'server_error','code':null}}"),
                   J("{'id':'e1','model':'m','choices':[{'index':0,'delta':{'content':'more'}}]}")})
            << int(canon::ErrorType::Api) << 500 << true;
        QTest::addRow("rate limit before content")
            << sse({J("{'error':{'message':'Rate limit exceeded','code':429}}")}, false)
            << int(canon::ErrorType::RateLimit) << 429 << false;
        QTest::addRow("overloaded code string") << sse({J("{'error':{'message':'busy','code':'overloaded'}}")}, false)
                                                << int(canon::ErrorType::Overloaded) << 529 << false;
        QTest::addRow("openrouter finish error")
            << sse({J("{'id':'e2','model':'m','choices':[{'index':0,'delta':{'content':'Hi'}}]}"),
                   J("{'id':'e2','model':'m','choices':[{'index':0,'delta':{'content':''},'finish_reason':'error'}]}")})
            << int(canon::ErrorType::Api) << 500 << true;
        QTest::addRow("deepseek insufficient resource")
            << sse({J("{'id':'e3','model':'m','choices':[{'index':0,'delta':{'content':'Hi'},'finish_reason':'"
                      "insufficient_system_resource'}]}")})
            << int(canon::ErrorType::Overloaded) << 529 << true;
        QTest::addRow("non-json data") << QByteArray(
            "data: {\"id\":\"e4\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
            "data: <html>502 Bad Gateway</html>\n\ndata: [DONE]\n\n")
                                       << int(canon::ErrorType::Api) << 500 << true;
        QTest::addRow("event error") << QByteArray(
            "event: error\ndata: {\"error\":{\"message\":\"quota\",\"type\":\"insufficient_quota\"}}\n\n")
                                     << int(canon::ErrorType::RateLimit) << 429 << false;
    }

    void errors()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, type);
        QFETCH(int, status);
        QFETCH(bool, startedFirst);
        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::StreamEvents events = decode(body, split);
            QCOMPARE(countType(events, Type::Failure), 1);
            QCOMPARE(countType(events, Type::Finish), 0);
            QCOMPARE(events.last().type, Type::Failure);
            QCOMPARE(int(events.last().error.type), type);
            QCOMPARE(events.last().error.httpStatus, status);
            QVERIFY(!events.last().error.message.isEmpty());
            QCOMPARE(events.first().type == Type::MessageStart, startedFirst);
        }
    }

    void reasoningSignedBeforeText()
    {
        const QByteArray body = sse({
            J("{'id':'r1','model':'m','choices':[{'index':0,'delta':{'reasoning':'Let me'}}]}"),
            J("{'id':'r1','model':'m','choices':[{'index':0,'delta':{'reasoning':' think'}}]}"),
            J("{'id':'r1','model':'m','choices':[{'index':0,'delta':{'content':'Answer'},'finish_reason':'stop'}]}"),
        });
        const canon::StreamEvents events = decode(body, Split::Whole);
        qsizetype sig = -1;
        qsizetype text = -1;
        for (qsizetype i = 0; i < events.size(); ++i) {
            if (events.at(i).type == Type::ReasoningSignature && sig < 0)
                sig = i;
            if (events.at(i).type == Type::TextDelta && text < 0)
                text = i;
        }
        QVERIFY(sig >= 0 && text > sig);
        QCOMPARE(events.at(sig).text, canon::makeGatewaySignature(QStringLiteral("openai-chat")));
        const canon::Response r = accumulate(events);
        QCOMPARE(r.content.size(), 2);
        QCOMPARE(r.content.at(0).kind, canon::PartKind::Reasoning);
        QCOMPARE(r.content.at(0).text, QStringLiteral("Let me think"));
        QCOMPARE(canon::signatureOrigin(r.content.at(0).signature), canon::SignatureOrigin::Gateway);
        QCOMPARE(r.content.at(1).text, QStringLiteral("Answer"));
    }

    void reasoningDetailsAndKeepAlive()
    {
        const QByteArray body = ": OPENROUTER PROCESSING\n\n"
            + sse({
                J("{'id':'o1','model':'m','choices':[{'index':0,'delta':{'reasoning_details':[{'type':'reasoning.text',"
                  "'text':'abc'}]}}]}"),
                J("{'id':'o1','model':'m','choices':[{'index':0,'delta':{'reasoning':'def','reasoning_details':[{'type'"
                  ":'reasoning.text','text':'def'}]}}]}"),
                J("{'id':'o1','model':'m','choices':[{'index':0,'delta':{'content':'ok'},'finish_reason':'stop'}]}"),
            });
        const canon::Response r = accumulate(decode(body, Split::OneByte));
        QCOMPARE(joined(r, canon::PartKind::Reasoning), QStringLiteral("abcdef"));
        QCOMPARE(joined(r, canon::PartKind::Text), QStringLiteral("ok"));
    }

    void idsSanitizedAndNamesRestored()
    {
        canon::TranslationContext ctx;
        const QString longName
            = QStringLiteral("mcp__very_long_server_name_for_testing__and_an_even_longer_tool_name_here");
        const QString shortName = openaichat::shortenToolName(longName);
        ctx.toolNameToClient.insert(shortName, longName);
        const QByteArray body = sse({
            QByteArray(J("{'id':'k1','model':'kimi','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'"
                         "functions.Bash:0','function':{'name':'"))
                + shortName.toUtf8() + J("','arguments':'{}'}}]}}]}"),
            J("{'id':'k1','model':'kimi','choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'function':{'name':'"
              "Read','arguments':'{}'}}]}}]}"),
            J("{'id':'k1','model':'kimi','choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}"),
        });
        const QList<canon::Part> calls = toolCalls(accumulate(decode(body, Split::Whole, ctx)));
        QCOMPARE(calls.size(), 2);
        QCOMPARE(calls.at(0).id, QStringLiteral("functions_Bash_0"));
        QCOMPARE(calls.at(0).name, longName);
        QVERIFY(calls.at(1).id.startsWith(QLatin1String("toolu_")));
        QCOMPARE(calls.at(1).name, QStringLiteral("Read"));
    }

    void placeholderFirstChunk()
    {
        const QByteArray body = sse({
            J("{'choices':[],'created':0,'id':'','model':'','object':'','prompt_filter_results':[{'prompt_index':0}]}"),
            J("{'choices':[{'delta':{'content':'Hello','role':'assistant'},'finish_reason':null,'index':0}],'id':'"
              "chatcmpl-9','model':'gpt-x'}"),
            J("{'choices':[{'delta':{},'finish_reason':'stop','index':0}],'id':'chatcmpl-9','model':'gpt-x'}"),
        });
        const canon::StreamEvents events = decode(body, Split::Whole);
        QCOMPARE(events.first().type, Type::MessageStart);
        QCOMPARE(events.first().id, QStringLiteral("chatcmpl-9"));
        QCOMPARE(events.first().text, QStringLiteral("gpt-x"));
        QCOMPARE(events.last().type, Type::Finish);
    }

    void groqUsage()
    {
        const QByteArray body = sse({
            J("{'id':'g1','model':'llama','choices':[{'index':0,'delta':{'content':'Hi'}}]}"),
            J("{'id':'g1','model':'llama','choices':[{'index':0,'delta':{},'finish_reason':'stop'}],'x_groq':{'usage':{"
              "'prompt_tokens':45,'completion_tokens':7}}}"),
        });
        const canon::Response r = accumulate(decode(body, Split::Whole));
        QCOMPARE(r.usage.inputTokens, 45);
        QCOMPARE(r.usage.outputTokens, 7);
    }

    void refusal()
    {
        const QByteArray body = sse({
            J("{'id':'f1','model':'gpt','choices':[{'index':0,'delta':{'role':'assistant','content':null,'refusal':''}}"
              "]}"),
            J("{'id':'f1','model':'gpt','choices':[{'index':0,'delta':{'refusal':'I cannot help with that.'}}]}"),
            J("{'id':'f1','model':'gpt','choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}"),
        });
        const canon::Response r = accumulate(decode(body, Split::Whole));
        QCOMPARE(joined(r, canon::PartKind::Text), QStringLiteral("I cannot help with that."));
        QCOMPARE(r.stopReason, canon::StopReason::Refusal);
        const canon::Response filtered
            = accumulate(decode(sse({J("{'id':'f2','model':'gpt','choices':[{'index':0,'delta':{'content':'Part'},'"
                                       "finish_reason':'content_filter'}]}")}),
                Split::Whole));
        QCOMPARE(filtered.stopReason, canon::StopReason::Refusal);
    }

    void plainJsonBody_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(chatFixtureDir());
        if (!dir.exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        for (const QString& f : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
    }

    void plainJsonBody()
    {
        // The upstream ignored stream:true and answered with one JSON body (§6.20): same result as decodeResponse.
        QFETCH(QString, path);
        const QByteArray body = readFile(path);
        const auto expected = openaichat::decodeResponse(body, {});
        for (Split split : {Split::Whole, Split::OneByte}) {
            const canon::StreamEvents events = decode(body, split);
            QCOMPARE(countType(events, Type::Finish) + countType(events, Type::Failure), 1);
            bool failed = false;
            const canon::Response r = accumulate(events, &failed);
            QCOMPARE(failed, !expected.ok());
            if (!expected.ok()) {
                QCOMPARE(events.last().error.httpStatus, expected.error().httpStatus);
                QCOMPARE(events.last().error.message, expected.error().message);
                continue;
            }
            QCOMPARE(joined(r, canon::PartKind::Text), joined(expected.value(), canon::PartKind::Text));
            QCOMPARE(joined(r, canon::PartKind::Reasoning), joined(expected.value(), canon::PartKind::Reasoning));
            QCOMPARE(toolCalls(r).size(), toolCalls(expected.value()).size());
            for (qsizetype i = 0; i < toolCalls(r).size(); ++i)
                QCOMPARE(toolCalls(r).at(i).input, toolCalls(expected.value()).at(i).input);
            QCOMPARE(r.stopReason, expected->stopReason);
            QCOMPARE(r.usage.outputTokens, expected->usage.outputTokens);
        }
    }

    void streamSpeed()
    {
        const QByteArray body = readFile(chatFixtureDir() + QStringLiteral("/openai-text.sse"));
        if (body.isEmpty())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        QElapsedTimer timer;
        timer.start();
        constexpr int Rounds = 20;
        qsizetype events = 0;
        for (int i = 0; i < Rounds; ++i)
            events += decode(body, Split::Random, {}, quint32(i + 1)).size();
        const double ms = double(timer.nsecsElapsed()) / 1e6 / Rounds;
        qInfo("StreamDecoder: %lld bytes, %lld events in %.2f ms", qint64(body.size()), qint64(events / Rounds), ms);
        QVERIFY(ms < 100);
    }

    void jsonCompletion_data()
    {
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("suffix");
        QTest::addRow("open string") << QString::fromUtf8(J("{'a':'x")) << true << QString::fromUtf8(J("'}"));
        QTest::addRow("array after comma") << QString::fromUtf8(J("{'a':[1,")) << true << QStringLiteral("null]}");
        QTest::addRow("key only") << QString::fromUtf8(J("{'a'")) << true << QStringLiteral(":null}");
        QTest::addRow("partial key") << QString::fromUtf8(J("{'ab")) << true << QString::fromUtf8(J("':null}"));
        QTest::addRow("after colon") << QString::fromUtf8(J("{'a': ")) << true << QStringLiteral("null}");
        QTest::addRow("partial literal") << QString::fromUtf8(J("{'a':tr")) << true << QStringLiteral("ue}");
        QTest::addRow("partial number") << QString::fromUtf8(J("{'a':1.")) << true << QStringLiteral("0}");
        QTest::addRow("pending escape") << QString::fromUtf8(J("{'a':'x\\")) << true << QString::fromUtf8(J("`}"));
        QTest::addRow("partial unicode") << QString::fromUtf8(J("{'a':'\\u00")) << true << QString::fromUtf8(J("00'}"));
        QTest::addRow("nested") << QString::fromUtf8(J("{'a':{'b':[{'c':'d'")) << true << QStringLiteral("}]}}");
        QTest::addRow("trailing comma") << QString::fromUtf8(J("{'a':1,")) << true << QString::fromUtf8(J("'':null}"));
        QTest::addRow("just brace") << QStringLiteral("{") << true << QStringLiteral("}");
        QTest::addRow("complete") << QString::fromUtf8(J("{'a':1}")) << false << QString();
        QTest::addRow("not an object") << QStringLiteral("[1,2") << false << QString();
        QTest::addRow("garbage") << QString::fromUtf8(J("{'a' 1")) << false << QString();
        QTest::addRow("empty") << QString() << false << QString();
    }

    void jsonCompletion()
    {
        QFETCH(QString, prefix);
        QFETCH(bool, ok);
        QFETCH(QString, suffix);
        QString got;
        QCOMPARE(openaichat::jsonObjectCompletion(prefix, &got), ok);
        if (ok) {
            QCOMPARE(got, suffix);
            QVERIFY(QJsonDocument::fromJson((prefix + got).toUtf8()).isObject());
        }
    }
};

QTEST_GUILESS_MAIN(TestOpenAiChatStream)
#include "tst_openaichatstream.moc"
