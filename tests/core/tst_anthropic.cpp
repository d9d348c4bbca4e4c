// The Anthropic adapter: request decoding, the SSE encoder's invariants, the passthrough relay, and the round-trip
// property (fixture -> canonical -> Anthropic keeps what a client or the next turn needs).

#include "fakeupstream.h"
#include "ssevalidator.h"

#include "protocol/anthropic/anthropicrelay.h"
#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/signature.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using namespace sy;
using canon::StreamEvent;
using Type = canon::StreamEvent::Type;

namespace {

QStringList fixtureFiles(const QString& dialect, const QString& suffix)
{
    QDir d(sharedDir() + QStringLiteral("/fixtures/upstream/") + dialect);
    QStringList out;
    for (const QString& f : d.entryList({QStringLiteral("*") + suffix}, QDir::Files, QDir::Name))
        out.append(d.filePath(f));
    return out;
}

QStringList malformedFixtures()
{
    const QByteArray index = readShared(QStringLiteral("fixtures/upstream/INDEX.md"));
    QStringList out;
    const qsizetype start = index.indexOf("Files marked malformed upstream");
    const qsizetype end = index.indexOf("## Counts");
    const QByteArray section = index.mid(start, end - start);
    static const QRegularExpression name(QStringLiteral("`([^`]+)\\.(chunks\\.txt|json|sse)`"));
    auto it = name.globalMatch(QString::fromUtf8(section));
    while (it.hasNext())
        out.append(it.next().captured(1));
    return out;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Feeds `bytes` in random pieces.
template<typename Fn> void feedSplit(const QByteArray& bytes, quint32 seed, Fn&& feed)
{
    QRandomGenerator rng(seed);
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        const qsizetype n = qMin<qsizetype>(bytes.size() - pos, 1 + rng.bounded(seed == 0 ? 1 : 40));
        feed(QByteArrayView(bytes).sliced(pos, n));
        pos += n;
    }
}

// The first difference between two canonical parts / requests ("" when equal in every field).
QString partDiff(const canon::Part& a, const canon::Part& b, const QString& at)
{
    auto field = [&at](const char* name) -> QString { return at + QLatin1Char('.') + QLatin1String(name); };
    if (a.kind != b.kind)
        return field("kind");
    const std::pair<const char*, std::pair<const QString*, const QString*>> strings[] = {{"text", {&a.text, &b.text}},
        {"mediaType", {&a.mediaType, &b.mediaType}}, {"data", {&a.data, &b.data}}, {"url", {&a.url, &b.url}},
        {"title", {&a.title, &b.title}}, {"id", {&a.id, &b.id}}, {"name", {&a.name, &b.name}},
        {"toolCallId", {&a.toolCallId, &b.toolCallId}}, {"signature", {&a.signature, &b.signature}}};
    for (const auto& [name, pair] : strings) {
        if (*pair.first != *pair.second)
            return field(name);
    }
    if (a.input != b.input || a.input.keys() != b.input.keys())
        return field("input");
    if (a.raw != b.raw || a.raw.keys() != b.raw.keys())
        return field("raw");
    if (a.isError != b.isError)
        return field("isError");
    if (a.content.size() != b.content.size())
        return field("content.size");
    for (qsizetype i = 0; i < a.content.size(); ++i) {
        const QString d = partDiff(a.content.at(i), b.content.at(i), field("content.") + QString::number(i));
        if (!d.isEmpty())
            return d;
    }
    return {};
}

QString requestDiff(const canon::Request& a, const canon::Request& b)
{
    if (a.model != b.model)
        return QStringLiteral("model");
    if (a.system.size() != b.system.size())
        return QStringLiteral("system.size");
    for (qsizetype i = 0; i < a.system.size(); ++i) {
        const QString d = partDiff(a.system.at(i), b.system.at(i), QStringLiteral("system.") + QString::number(i));
        if (!d.isEmpty())
            return d;
    }
    if (a.messages.size() != b.messages.size())
        return QStringLiteral("messages.size");
    for (qsizetype i = 0; i < a.messages.size(); ++i) {
        const canon::Message& x = a.messages.at(i);
        const canon::Message& y = b.messages.at(i);
        const QString at = QStringLiteral("messages.") + QString::number(i);
        if (x.role != y.role || x.parts.size() != y.parts.size())
            return at;
        for (qsizetype j = 0; j < x.parts.size(); ++j) {
            const QString d = partDiff(x.parts.at(j), y.parts.at(j), at + QStringLiteral(".") + QString::number(j));
            if (!d.isEmpty())
                return d;
        }
    }
    if (a.tools.size() != b.tools.size())
        return QStringLiteral("tools.size");
    for (qsizetype i = 0; i < a.tools.size(); ++i) {
        const canon::Tool& x = a.tools.at(i);
        const canon::Tool& y = b.tools.at(i);
        if (x.name != y.name || x.description != y.description || x.inputSchema != y.inputSchema
            || x.inputSchema.keys() != y.inputSchema.keys() || x.builtinType != y.builtinType || x.raw != y.raw)
            return QStringLiteral("tools.") + QString::number(i);
    }
    if (a.toolChoice.mode != b.toolChoice.mode || a.toolChoice.name != b.toolChoice.name
        || a.toolChoice.disableParallel != b.toolChoice.disableParallel)
        return QStringLiteral("toolChoice");
    if (a.maxTokens != b.maxTokens)
        return QStringLiteral("maxTokens");
    if (a.temperature != b.temperature || a.topP != b.topP || a.topK != b.topK)
        return QStringLiteral("sampling");
    if (a.stopSequences != b.stopSequences)
        return QStringLiteral("stopSequences");
    if (a.stream != b.stream)
        return QStringLiteral("stream");
    if (a.thinking.mode != b.thinking.mode || a.thinking.budgetTokens != b.thinking.budgetTokens
        || a.thinking.effort != b.thinking.effort)
        return QStringLiteral("thinking");
    if (a.outputSchema != b.outputSchema)
        return QStringLiteral("outputSchema");
    if (a.userId != b.userId)
        return QStringLiteral("userId");
    return {};
}

// anthropic::decodeRequest (the tape route), checked against decodeRequestViaQJson: the same request in every field,
// or the same error (a mismatch fails the running test).
Result<canon::Request, canon::Error> checkedDecode(
    const QByteArray& body, anthropic::RequestKind kind = anthropic::RequestKind::Messages)
{
    auto fast = anthropic::decodeRequest(body, kind);
    const auto reference = anthropic::decodeRequestViaQJson(body, kind);
    QString diff;
    if (fast.ok() != reference.ok())
        diff = QStringLiteral("ok");
    else if (!fast.ok())
        diff = fast.error().message == reference.error().message
                && fast.error().httpStatus == reference.error().httpStatus
            ? QString()
            : QStringLiteral("error: ") + fast.error().message + QStringLiteral(" / ") + reference.error().message;
    else
        diff = requestDiff(*fast, *reference);
    if (!diff.isEmpty())
        qWarning("decodeRequest differs from decodeRequestViaQJson at %s for %s", qPrintable(diff),
            body.left(300).constData());
    QTest::qVerify(
        diff.isEmpty(), "diff.isEmpty()", "the tape route differs from the QJsonObject route", __FILE__, __LINE__);
    return fast;
}

QByteArray encodeEvents(const canon::StreamEvents& events)
{
    anthropic::SseEncoder enc(QStringLiteral("client-model"), 10);
    QByteArray out;
    enc.encode(events, out);
    return out;
}

} // namespace

class TestAnthropic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesClaudeCodeRequest()
    {
        const QByteArray body
            = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":64000,\"stream\":true,\n"
              "          \"system\":[{\"type\":\"text\",\"text\":\"x-anthropic-billing-header: "
              "cc_version=1\"},{\"type\":\"text\",\"text\":\"You are Claude "
              "Code.\",\"cache_control\":{\"type\":\"ephemeral\"}}],\n"
              "          \"messages\":[\n"
              "            "
              "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"<system-reminder>r</"
              "system-reminder>\"},{\"type\":\"text\",\"text\":\"  \"},{\"type\":\"text\",\"text\":\"List files\"}]},\n"
              "            {\"role\":\"system\",\"content\":\"mid-conversation instructions\"},\n"
              "            "
              "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"plan\",\"signature\":"
              "\"EqQBCkYIBxgCKkA\"},{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{\"command\":"
              "\"ls\"}}]},\n"
              "            "
              "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":[{"
              "\"type\":\"text\",\"text\":\"a.txt\"},{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_"
              "type\":\"image/"
              "png\",\"data\":\"iVBO\"}}],\"is_error\":false,\"cache_control\":{\"type\":\"ephemeral\"}}]}],\n"
              "          "
              "\"tools\":[{\"name\":\"Bash\",\"description\":\"Run\",\"input_schema\":{\"type\":\"object\","
              "\"properties\":{\"command\":{\"type\":\"string\"}}}},{\"type\":\"web_search_20250305\",\"name\":\"web_"
              "search\",\"max_uses\":5}],\n"
              "          \"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true},\n"
              "          "
              "\"thinking\":{\"type\":\"adaptive\"},\"output_config\":{\"effort\":\"high\"},\"context_management\":{"
              "\"edits\":[]},\n"
              "          "
              "\"metadata\":{\"user_id\":\"{\\\"session_id\\\":\\\"s\\\"}\"},\"stop_sequences\":[\"END\"],"
              "\"temperature\":1}";
        auto r = checkedDecode(body);
        QVERIFY(r.ok());
        const canon::Request& q = *r;
        QCOMPARE(q.model, QStringLiteral("claude-opus-4-8"));
        QCOMPARE(q.maxTokens, 64000);
        QVERIFY(q.stream);
        QCOMPARE(q.system.size(), 2);
        QCOMPARE(q.messages.size(), 4);
        QCOMPARE(q.messages.at(0).parts.size(), 2); // the blank text block is dropped
        QCOMPARE(q.messages.at(1).role, canon::Role::System);
        QCOMPARE(q.messages.at(2).parts.at(0).kind, canon::PartKind::Reasoning);
        QCOMPARE(q.messages.at(2).parts.at(0).signature, QStringLiteral("EqQBCkYIBxgCKkA"));
        QCOMPARE(q.messages.at(2).parts.at(1).input.value(QLatin1String("command")).toString(), QStringLiteral("ls"));
        const canon::Part& result = q.messages.at(3).parts.at(0);
        QCOMPARE(result.kind, canon::PartKind::ToolResult);
        QCOMPARE(result.content.size(), 2);
        QCOMPARE(result.content.at(1).kind, canon::PartKind::Image);
        QCOMPARE(q.tools.size(), 2);
        QCOMPARE(q.tools.at(1).builtinType, QStringLiteral("web_search_20250305"));
        QCOMPARE(q.toolChoice.mode, canon::ToolChoice::Mode::Any);
        QVERIFY(q.toolChoice.disableParallel);
        QCOMPARE(q.thinking.mode, canon::Thinking::Mode::Adaptive);
        QCOMPARE(q.thinking.effort, QStringLiteral("high"));
        QCOMPARE(q.stopSequences, QStringList {QStringLiteral("END")});
        QCOMPARE(q.userId, QStringLiteral("{\"session_id\":\"s\"}"));
    }

    void rejectsBadRequests_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("not json") << QByteArray("{\"model\"") << QStringLiteral("JSON");
        QTest::addRow("array") << QByteArray("[]") << QStringLiteral("object");
        QTest::addRow("no model") << QByteArray(
            "{\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                                  << QStringLiteral("model");
        QTest::addRow("no max_tokens") << QByteArray(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                                       << QStringLiteral("max_tokens");
        QTest::addRow("no messages") << QByteArray("{\"model\":\"m\",\"max_tokens\":1}") << QStringLiteral("messages");
        QTest::addRow("empty messages") << QByteArray("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}")
                                        << QStringLiteral("messages");
        QTest::addRow("bad role") << QByteArray(
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}")
                                  << QStringLiteral("role");
        QTest::addRow("tool_use without id")
            << QByteArray("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"assistant\",\"content\":[{"
                          "\"type\":\"tool_use\",\"name\":\"x\",\"input\":{}}]}]}")
            << QStringLiteral("messages.0.content.0");
    }
    void rejectsBadRequests()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        auto r = checkedDecode(body);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().httpStatus, 400);
        QCOMPARE(r.error().type, canon::ErrorType::InvalidRequest);
        QVERIFY2(r.error().message.contains(mentions), qPrintable(r.error().message));
    }

    void requestRoundTrip()
    {
        const QByteArray body
            = "{\"model\":\"m\",\"max_tokens\":100,\"system\":[{\"type\":\"text\",\"text\":\"sys\"}],\n"
              "          "
              "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"image\","
              "\"source\":{\"type\":\"url\",\"url\":\"https:\\/\\/x\\/y.png\"}}]},\n"
              "                      "
              "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"t\",\"signature\":\"sigA\"},{"
              "\"type\":\"thinking\",\"thinking\":\"t2\",\"signature\":\"sy1.openai-chat.\"},{\"type\":\"text\","
              "\"text\":\"ok\"},{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"Read\",\"input\":{\"file_path\":"
              "\"a\"}}]},\n"
              "                      "
              "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_9\",\"content\":"
              "\"data\",\"is_error\":true}]}],\n"
              "          "
              "\"tools\":[{\"name\":\"Read\",\"description\":\"d\",\"input_schema\":{\"type\":\"object\"}}],\"tool_"
              "choice\":{\"type\":\"tool\",\"name\":\"Read\"},\n"
              "          "
              "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048},\"stop_sequences\":[\"x\"],\"top_k\":5}";
        auto first = checkedDecode(body);
        QVERIFY(first.ok());
        anthropic::EncodeOptions keepAll;
        keepAll.forAnthropicUpstream = false;
        auto second = checkedDecode(anthropic::encodeRequest(*first, keepAll));
        QVERIFY(second.ok());
        QCOMPARE(anthropic::encodeRequest(*second, keepAll), anthropic::encodeRequest(*first, keepAll));
        // For an Anthropic upstream the gateway-signed thinking block is dropped, the native one kept byte-exact.
        const QByteArray forAnthropic = anthropic::encodeRequest(*first);
        QVERIFY(forAnthropic.contains("\"signature\":\"sigA\""));
        QVERIFY(!forAnthropic.contains("sy1.openai-chat"));
    }

    void encoderHoldsInvariants()
    {
        canon::StreamEvents ev;
        ev << StreamEvent::of(Type::MessageStart) << StreamEvent::of(Type::TextDelta, QString())
           << StreamEvent::of(Type::ReasoningDelta, QStringLiteral("think"))
           << StreamEvent::of(Type::TextDelta, QStringLiteral("a"))
           << StreamEvent::of(Type::TextDelta, QStringLiteral("b"));
        StreamEvent tool = StreamEvent::of(Type::ToolCallStart);
        tool.id = QStringLiteral("functions.Bash:0");
        tool.name = QStringLiteral("Bash");
        ev << tool << StreamEvent::of(Type::ToolCallArgsDelta, QStringLiteral("{\"command\":"))
           << StreamEvent::of(Type::ToolCallArgsDelta, QStringLiteral("\"ls\"}"));
        StreamEvent fin = StreamEvent::of(Type::Finish);
        fin.stopReason = canon::StopReason::EndTurn; // upstream said stop although it called a tool
        fin.usage.outputTokens = 9;
        ev << fin << StreamEvent::of(Type::TextDelta, QStringLiteral("after the end"));
        const QByteArray sse = encodeEvents(ev);
        QJsonObject msg;
        QCOMPARE(validateAnthropicStream(sse, &msg), QString());
        QCOMPARE(msg.value(QLatin1String("stop_reason")).toString(), QStringLiteral("tool_use"));
        const QJsonArray content = msg.value(QLatin1String("content")).toArray();
        QCOMPARE(content.size(), 3);
        QVERIFY(
            content.at(0).toObject().value(QLatin1String("signature")).toString().startsWith(QLatin1String("sy1.")));
        QCOMPARE(content.at(1).toObject().value(QLatin1String("text")).toString(), QStringLiteral("ab"));
        QCOMPARE(content.at(2).toObject().value(QLatin1String("id")).toString(), QStringLiteral("functions_Bash_0"));
        QCOMPARE(content.at(2)
                     .toObject()
                     .value(QLatin1String("input"))
                     .toObject()
                     .value(QLatin1String("command"))
                     .toString(),
            QStringLiteral("ls"));
        QVERIFY(!sse.contains("after the end"));
    }

    // The exact bytes of every event kind the streaming hot path writes (block indexes past 9, escaping, UTF-8).
    void encoderExactBytes()
    {
        canon::StreamEvents ev;
        StreamEvent start = StreamEvent::of(Type::MessageStart, QStringLiteral("upstream-model"));
        start.id = QStringLiteral("chatcmpl-1");
        ev << start
           << StreamEvent::of(Type::TextDelta,
                  QStringLiteral("a\"b\\c\n") + QChar(0xe9) + QChar(0xd83d) + QChar(0xde00) + QChar(0x01))
           << StreamEvent::of(Type::ReasoningDelta, QStringLiteral("think"))
           << StreamEvent::of(Type::ReasoningSignature, QStringLiteral("sig")) << StreamEvent::of(Type::BlockEnd);
        for (int i = 0; i < 10; ++i)
            ev << StreamEvent::of(Type::TextDelta, QStringLiteral("t")) << StreamEvent::of(Type::BlockEnd);
        StreamEvent tool = StreamEvent::of(Type::ToolCallStart);
        tool.id = QStringLiteral("call 1");
        tool.name = QStringLiteral("f");
        StreamEvent fin = StreamEvent::of(Type::Finish);
        fin.stopReason = canon::StopReason::EndTurn;
        fin.usage.inputTokens = 3;
        fin.usage.outputTokens = 7;
        ev << tool << StreamEvent::of(Type::ToolCallArgsDelta, QStringLiteral("{\"x\":1}")) << fin;

        // JSON written with ' for " and ` for an escaped quote.
        const auto event = [](const char* name, QByteArray j) -> QByteArray {
            j.replace('\'', '"');
            j.replace('`', "\\\"");
            return "event: " + QByteArray(name) + "\ndata: " + j + "\n\n";
        };
        QByteArray expected = event("message_start",
            "{'type':'message_start','message':{'id':'msg_chatcmpl-1','type':'message','role':'assistant',"
            "'model':'client-model','content':[],'stop_reason':null,'stop_sequence':null,'usage':{'input_tokens':10,"
            "'cache_creation_input_tokens':0,'cache_read_input_tokens':0,'output_tokens':1}}}");
        expected += event("content_block_start",
            "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}");
        expected += event("content_block_delta",
            "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'a`b\\\\c\\n\xc3\xa9"
            "\xf0\x9f\x98\x80\\u0001'}}");
        expected += event("content_block_stop", "{'type':'content_block_stop','index':0}");
        expected += event("content_block_start",
            "{'type':'content_block_start','index':1,'content_block':{'type':'thinking','thinking':'','signature':''}"
            "}");
        expected += event("content_block_delta",
            "{'type':'content_block_delta','index':1,'delta':{'type':'thinking_delta','thinking':'think'}}");
        expected += event("content_block_delta",
            "{'type':'content_block_delta','index':1,'delta':{'type':'signature_delta','signature':'sig'}}");
        expected += event("content_block_stop", "{'type':'content_block_stop','index':1}");
        for (int i = 2; i < 12; ++i) {
            const QByteArray n = QByteArray::number(i);
            expected += event("content_block_start",
                QByteArray(
                    "{'type':'content_block_start','index':" + n + ",'content_block':{'type':'text','text':''}}"));
            expected += event("content_block_delta",
                QByteArray(
                    "{'type':'content_block_delta','index':" + n + ",'delta':{'type':'text_delta','text':'t'}}"));
            expected += event("content_block_stop", QByteArray("{'type':'content_block_stop','index':" + n + "}"));
        }
        expected += event("content_block_start",
            "{'type':'content_block_start','index':12,'content_block':{'type':'tool_use','id':'call_1','name':'f',"
            "'input':{}}}");
        expected += event("content_block_delta",
            "{'type':'content_block_delta','index':12,'delta':{'type':'input_json_delta','partial_json':'{`x`:1}'}}");
        expected += event("content_block_stop", "{'type':'content_block_stop','index':12}");
        expected += event("message_delta",
            "{'type':'message_delta','delta':{'stop_reason':'tool_use','stop_sequence':null},'usage':"
            "{'input_tokens':3,'output_tokens':7}}");
        expected += event("message_stop", "{'type':'message_stop'}");
        const QByteArray actual = encodeEvents(ev);
        if (actual != expected) {
            qsizetype i = 0;
            while (i < actual.size() && i < expected.size() && actual.at(i) == expected.at(i))
                ++i;
            qWarning("differs at %lld: actual %s\nexpected %s", qlonglong(i), actual.mid(i - 40, 160).constData(),
                expected.mid(i - 40, 160).constData());
        }
        QCOMPARE(actual, expected);
    }

    void encoderToolUseStopNeedsATool()
    {
        canon::StreamEvents ev {StreamEvent::of(Type::TextDelta, QStringLiteral("x"))};
        StreamEvent fin = StreamEvent::of(Type::Finish);
        fin.stopReason = canon::StopReason::ToolUse;
        ev << fin;
        QJsonObject msg;
        QCOMPARE(validateAnthropicStream(encodeEvents(ev), &msg), QString());
        QCOMPARE(msg.value(QLatin1String("stop_reason")).toString(), QStringLiteral("end_turn"));
    }

    void encoderFailureIsTerminalErrorEvent()
    {
        canon::StreamEvents ev {StreamEvent::of(Type::TextDelta, QStringLiteral("partial"))};
        StreamEvent f = StreamEvent::of(Type::Failure);
        f.error = canon::Error::make(529, canon::ErrorType::Overloaded, QStringLiteral("busy"));
        ev << f << StreamEvent::of(Type::TextDelta, QStringLiteral("more"));
        const QByteArray sse = encodeEvents(ev);
        bool error = false;
        QCOMPARE(validateAnthropicStream(sse, nullptr, &error), QString());
        QVERIFY(error);
        QVERIFY(sse.endsWith("\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n"));
    }

    void errorBodies()
    {
        canon::Error e = canon::Error::make(429, canon::ErrorType::RateLimit, QStringLiteral("slow \"down\""));
        const QJsonObject o = QJsonDocument::fromJson(anthropic::encodeError(e, QStringLiteral("req_1"))).object();
        QCOMPARE(o.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(o.value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString(),
            QStringLiteral("rate_limit_error"));
        QCOMPARE(o.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
            QStringLiteral("slow \"down\""));
        QCOMPARE(o.value(QLatin1String("request_id")).toString(), QStringLiteral("req_1"));
    }

    // Round trip over every Anthropic fixture: decode to canonical, encode back, and compare what matters.
    void streamFixturesRoundTrip_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = fixtureFiles(QStringLiteral("anthropic"), QStringLiteral(".sse"));
        if (files.isEmpty())
            QSKIP("no fixtures in ../shared");
        for (const QString& f : files)
            QTest::addRow("%s", qPrintable(QFileInfo(f).completeBaseName())) << f;
    }
    void streamFixturesRoundTrip()
    {
        QFETCH(QString, path);
        const QByteArray bytes = readFile(path);
        const bool malformed = malformedFixtures().contains(QFileInfo(path).completeBaseName());
        canon::StreamEvents whole;
        {
            anthropic::StreamDecoder d;
            d.feed(bytes, whole);
            d.finish(whole);
        }
        for (quint32 seed : {0u, 7u, 42u}) {
            anthropic::StreamDecoder d;
            canon::StreamEvents split;
            feedSplit(bytes, seed, [&](QByteArrayView piece) { d.feed(piece, split); });
            d.finish(split);
            QCOMPARE(encodeEvents(split).size(), encodeEvents(whole).size());
        }
        const QByteArray sse = encodeEvents(whole);
        bool error = false;
        QJsonObject msg;
        const QString problem = validateAnthropicStream(sse, &msg, &error);
        if (malformed && !problem.isEmpty())
            return; // e.g. partial tool JSON from the upstream: decoded without crash or hang is what counts
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        if (error)
            return; // an upstream error or a cut stream: a clean error is the right answer
        // What the client and the next turn need survives: text, thinking + signature, tool calls.
        canon::ResponseAccumulator acc;
        acc.add(whole);
        const canon::Response original = acc.take();
        QJsonArray content = msg.value(QLatin1String("content")).toArray();
        int j = 0;
        for (const canon::Part& p : original.content) {
            if (p.kind == canon::PartKind::Text && p.text.isEmpty())
                continue;
            QVERIFY2(j < content.size(), "block missing");
            const QJsonObject b = content.at(j++).toObject();
            if (p.kind == canon::PartKind::Text)
                QCOMPARE(b.value(QLatin1String("text")).toString(), p.text);
            if (p.kind == canon::PartKind::Reasoning) {
                QCOMPARE(b.value(QLatin1String("thinking")).toString(), p.text);
                if (!p.signature.isEmpty())
                    QCOMPARE(b.value(QLatin1String("signature")).toString(), p.signature);
            }
            if (p.kind == canon::PartKind::ToolCall) {
                QCOMPARE(b.value(QLatin1String("name")).toString(), p.name);
                QCOMPARE(b.value(QLatin1String("input")).toObject(), p.input);
            }
        }
    }

    void jsonFixturesRoundTrip_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = fixtureFiles(QStringLiteral("anthropic"), QStringLiteral(".json"));
        if (files.isEmpty())
            QSKIP("no fixtures in ../shared");
        for (const QString& f : files)
            QTest::addRow("%s", qPrintable(QFileInfo(f).completeBaseName())) << f;
    }
    void jsonFixturesRoundTrip()
    {
        QFETCH(QString, path);
        const QByteArray bytes = readFile(path);
        auto first = anthropic::decodeResponse(bytes);
        if (!first.ok()) {
            QVERIFY(!first.error().message.isEmpty());
            return;
        }
        auto second = anthropic::decodeResponse(anthropic::encodeResponse(*first, first->model));
        QVERIFY(second.ok());
        QCOMPARE(second->model, first->model);
        int j = 0;
        for (const canon::Part& p : first->content) {
            if (p.kind == canon::PartKind::Text && p.text.isEmpty())
                continue;
            const canon::Part& q = second->content.at(j++);
            QCOMPARE(int(q.kind), int(p.kind));
            QCOMPARE(q.text, p.text);
            QCOMPARE(q.name, p.name);
            QCOMPARE(q.input, p.input);
            QCOMPARE(q.raw, p.raw);
            if (!p.signature.isEmpty())
                QCOMPARE(q.signature, p.signature);
        }
        QCOMPARE(second->content.size(), j);
        const bool hasTool = std::any_of(first->content.begin(), first->content.end(),
            [](const canon::Part& p) { return p.kind == canon::PartKind::ToolCall; });
        QCOMPARE(second->stopReason == canon::StopReason::ToolUse, hasTool);
        if (first->usage.outputTokens >= 0)
            QCOMPARE(second->usage.outputTokens, first->usage.outputTokens);
        if (first->usage.cacheReadTokens >= 0)
            QCOMPARE(second->usage.cacheReadTokens, first->usage.cacheReadTokens);
    }

    // The passthrough relay: well-formed streams byte for byte, broken ones repaired, any split the same.
    void relayFixtures_data() { streamFixturesRoundTrip_data(); }
    void relayFixtures()
    {
        QFETCH(QString, path);
        const QByteArray bytes = readFile(path);
        const bool malformed = malformedFixtures().contains(QFileInfo(path).completeBaseName());
        QByteArray whole;
        {
            anthropic::StreamRelay relay;
            relay.feed(bytes, whole);
            relay.finish(whole);
        }
        for (quint32 seed : {0u, 3u, 99u}) {
            anthropic::StreamRelay relay;
            QByteArray out;
            feedSplit(bytes, seed, [&](QByteArrayView piece) { relay.feed(piece, out); });
            relay.finish(out);
            QCOMPARE(out, whole);
        }
        bool error = false;
        const QString problem = validateAnthropicStream(whole, nullptr, &error, true);
        const bool concatenated = bytes.count("event: message_start") > 1;
        if (!malformed && !concatenated) {
            // A well-formed upstream stream comes out unchanged (a missing final blank line aside).
            QVERIFY(whole.startsWith(bytes.trimmed()) || whole == bytes);
        }
        if (problem.contains(QLatin1String("message_stop without message_delta")))
            return; // a provider quirk a pass-through keeps (the SDK accepts it)
        if (malformed && problem.startsWith(QLatin1String("tool input is not a JSON object")))
            return; // partial tool JSON from the upstream is forwarded as the upstream sent it
        QVERIFY2(problem.isEmpty() || error, qPrintable(problem));
    }

    void relayRepairs()
    {
        const QByteArray start = "event: message_start\ndata: "
                                 "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":"
                                 "\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":5}}}\n\n";
        const QByteArray block0
            = "event: content_block_start\ndata: "
              "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
              "event: content_block_delta\ndata: "
              "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n"
              "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        const QByteArray end = "event: message_delta\ndata: "
                               "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{"
                               "\"output_tokens\":2}}\n\n"
                               "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        auto relay = [](const QByteArray& in) {
            anthropic::StreamRelay r;
            QByteArray out;
            r.feed(in, out);
            r.finish(out);
            return out;
        };
        // duplicate message_start before any block: dropped
        QCOMPARE(relay(start + start + block0 + end), start + block0 + end);
        // cut before the end: error event
        bool error = false;
        QCOMPARE(validateAnthropicStream(relay(start + block0), nullptr, &error), QString());
        QVERIFY(error);
        // a second message after message_stop: dropped
        QCOMPARE(relay(start + block0 + end + start + block0 + end), start + block0 + end);
        // indexes starting at 3: renumbered
        QByteArray shifted = block0;
        shifted.replace("\"index\":0", "\"index\":3");
        const QByteArray fixed = relay(start + shifted + end);
        QCOMPARE(validateAnthropicStream(fixed), QString());
        // a bare message_start is completed with the fields clients build on
        const QByteArray bare
            = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n";
        QJsonObject msg;
        QCOMPARE(validateAnthropicStream(relay(bare + block0 + end), &msg), QString());
        QVERIFY(relay(bare + block0 + end).contains("\"content\":[]"));
        // tool input whose opening brace the upstream dropped gets it back
        const QByteArray tool = "event: content_block_start\ndata: "
                                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_"
                                "use\",\"id\":\"t1\",\"name\":\"x\",\"input\":{}}}\n\n"
                                "event: content_block_delta\ndata: "
                                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_"
                                "delta\",\"partial_json\":\"\\\"a\\\":1\"}}\n\n"
                                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        const QByteArray toolEnd = "event: message_delta\ndata: "
                                   "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{"
                                   "\"output_tokens\":2}}\n\n"
                                   "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        QCOMPARE(validateAnthropicStream(relay(start + tool + toolEnd), &msg), QString());
        QCOMPARE(msg.value(QLatin1String("content"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("input"))
                     .toObject()
                     .value(QLatin1String("a"))
                     .toInt(),
            1);
        // usage is read
        anthropic::StreamRelay r;
        QByteArray out;
        r.feed(QByteArray(start + block0 + end), out);
        QCOMPARE(r.usage().inputTokens, 5);
        QCOMPARE(r.usage().outputTokens, 2);
        QCOMPARE(r.stopReason(), canon::StopReason::EndTurn);
    }

    // The tape route of decodeRequest against the QJsonObject route, over the bench bodies, bodies built around
    // every Anthropic fixture's content, and variations that hit every branch and error.
    void tapeRouteMatchesQJsonRoute()
    {
        QByteArrayList bodies;
        QString benchDir = qEnvironmentVariable("SY_BENCH_DIR");
        if (benchDir.isEmpty())
            benchDir = QDir::homePath() + QStringLiteral("/.cache/switchyard-bench");
        QDir benchBodies(benchDir + QStringLiteral("/bodies"));
        for (const QString& f : benchBodies.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
            bodies.append(readFile(benchBodies.filePath(f)));
        for (const QString& f : fixtureFiles(QStringLiteral("anthropic"), QStringLiteral(".json"))) {
            const QByteArray bytes = readFile(f);
            bodies.append(bytes); // a response, not a request: an error, the same one
            const QJsonObject response = QJsonDocument::fromJson(bytes).object();
            QJsonObject request {{QStringLiteral("model"), QStringLiteral("m")}, {QStringLiteral("max_tokens"), 100},
                {QStringLiteral("messages"),
                    QJsonArray {QJsonObject {{QStringLiteral("role"), QStringLiteral("user")},
                                    {QStringLiteral("content"), QStringLiteral("go")}},
                        QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                            {QStringLiteral("content"), response.value(QLatin1String("content"))}}}}};
            bodies.append(QJsonDocument(request).toJson(QJsonDocument::Compact));
            bodies.append(QJsonDocument(request).toJson(QJsonDocument::Indented));
        }
        const char* variants[] = {
            "{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"max_tokens\":\"1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"max_tokens\":1e12,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":5,\"max_tokens\":1,\"messages\":[]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":{}}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[3]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":5}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[5,\"s\",{}]}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"system\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"system\":[{\"type\":\"image\"}],\"messages\":[{\"role\":\"user\","
            "\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"system\":[3],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"model\":\"last\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\" "
            "\"},{\"role\":\"user\",\"content\":\"\\u0041\\u00e9\\ud83d\\ude00\"}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800 lone\"}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
            "\"mid_conv_system\",\"content\":[{\"type\":\"text\",\"text\":\"a\"}]},{\"type\":\"mid_conv_system\","
            "\"content\":5},{\"type\":\"text\",\"text\":\"b\"}]}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
            "\"mid_conv_system\",\"content\":\"only\"}]}],\"tools\":[{\"name\":\"\"}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
            "\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\"}}]}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\","
            "\"title\":\"T\",\"source\":{\"type\":\"content\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{"
            "\"type\":\"image\"},{\"type\":\"text\",\"text\":\"b\"}]}},{\"type\":\"document\",\"source\":{\"type\":"
            "\"text\",\"data\":\"plain\"}},{\"type\":\"document\",\"source\":{\"type\":\"content\",\"content\":"
            "\"str\"}},{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"u\",\"media_type\":\"x\"}},{"
            "\"type\":\"search_result\",\"title\":\"S\",\"source\":\"src\",\"content\":[{\"type\":\"text\",\"text\":"
            "\"r1\"},7]},{\"type\":\"redacted_thinking\",\"data\":\"zz\"},{\"type\":\"web_search_tool_result\","
            "\"tool_use_id\":\"t\",\"content\":[],\"cache_control\":{\"type\":\"ephemeral\"}}]}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
            "\"tool_use_id\":\"t\",\"content\":[{\"type\":\"text\",\"text\":\"\"},3,{\"type\":\"tool_use\"}]}]}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
            "\"content\":\"x\"}]}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":"
            "\"tool_use\",\"id\":\"i\",\"name\":\"n\",\"input\":[1]},{\"type\":\"thinking\",\"thinking\":5}]}],"
            "\"tool_choice\":{\"type\":\"none\",\"name\":7},\"temperature\":\"hot\",\"top_p\":1,\"top_k\":2.5,"
            "\"stop_sequences\":[\"\",\"a\",3],\"stream\":1,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":"
            "1e10},\"output_config\":{\"effort\":\"max\",\"format\":{\"type\":\"json_schema\",\"schema\":{\"b\":1,"
            "\"a\":[{}]}}},\"metadata\":{\"user_id\":5}}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[3,{"
            "\"name\":\"a\",\"type\":\"custom\",\"input_schema\":{\"type\":\"object\",\"type\":\"array\"}},{\"name\":"
            "\"b\",\"type\":\"bash_20250124\",\"cache_control\":{}},{\"name\":\"c\",\"input_schema\":5}],"
            "\"tool_choice\":{}}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":5,"
            "\"tool_choice\":{\"type\":\"tool\",\"name\":\"a\",\"disable_parallel_tool_use\":true},\"thinking\":{"
            "\"type\":\"adaptive\"}}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"m\"  ,  \"max_tokens\" : 1 , \"messages\":[{\"role\":\"user\",\"content\":\"x\"}] } ",
            "\xef\xbb\xbf{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} trailing",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"\\ufeffuser\",\"content\":[{\"\\ufefftype\":"
            "\"text\",\"text\":\"x\"},{\"type\":\"\xef\xbb\xbftext\",\"text\":\"y\"}]}]}",
            "[1,2]",
            "",
            "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"\xff\"}]}",
        };
        for (const char* v : variants)
            bodies.append(QByteArray(v));
        bodies.append(
            QByteArray("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .insert(1, QByteArray(3000, ' '))); // a large document
        int compared = 0;
        for (const QByteArray& body : std::as_const(bodies)) {
            for (auto kind : {anthropic::RequestKind::Messages, anthropic::RequestKind::CountTokens}) {
                checkedDecode(body, kind);
                if (QTest::currentTestFailed())
                    return;
                ++compared;
            }
        }
        qInfo("%d decodes equal on both routes", compared);
    }
};

QTEST_GUILESS_MAIN(TestAnthropic)
#include "tst_anthropic.moc"
