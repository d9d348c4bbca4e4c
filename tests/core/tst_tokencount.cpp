// Token estimator: unit behaviour, and calibration against the output token counts that providers reported for the
// recorded fixtures (OpenAI Chat, OpenAI Responses, Gemini).

#include "protocol/openai-chat/openaichatresponse.h"
#include "protocol/openai-chat/openaichatstream.h"
#include "protocol/tokencount.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace sy;

// The estimator as it was before its ASCII fast path (one code point at a time): estimateTextTokens must give
// exactly its results (see matchesReference).
namespace reference {

constexpr int SingleTokenWordLength = 8; // ASCII words up to this many letters are one token
constexpr int LettersPerExtraToken = 7; // each further 7 letters cost one more token
constexpr int PunctuationPerToken = 3; // mixed ASCII punctuation runs: ~3 characters per token
constexpr int RepeatedPerToken = 4; // runs of one repeated character ("----", "====")
constexpr int WhitespacePerToken = 16; // long whitespace runs (indentation)
constexpr double OtherScriptLettersPerToken = 2.5;

struct Cp
{
    char32_t ucs4;
    int width; // 1 or 2 UTF-16 units
};

inline Cp codePointAt(QStringView s, qsizetype i)
{
    const QChar c = s[i];
    if (c.isHighSurrogate() && i + 1 < s.size() && s[i + 1].isLowSurrogate())
        return {QChar::surrogateToUcs4(c, s[i + 1]), 2};
    return {c.unicode(), 1};
}

inline bool isNewline(char32_t u)
{
    return u == u'\n' || u == u'\r';
}

inline bool isLetter(char32_t u)
{
    if (u < 128)
        return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
    return QChar::isLetter(u);
}

inline bool isDigit(char32_t u)
{
    if (u < 128)
        return u >= '0' && u <= '9';
    return QChar::isNumber(u);
}

inline bool isSpace(char32_t u)
{
    if (u < 128)
        return u == ' ' || (u >= 9 && u <= 13);
    return QChar::isSpace(u);
}

inline bool isPunct(char32_t u)
{
    return !isSpace(u) && !isLetter(u) && !isDigit(u);
}

inline bool isCjk(char32_t u)
{
    return (u >= 0x3040 && u <= 0x30FF) || (u >= 0x3400 && u <= 0x4DBF) || (u >= 0x4E00 && u <= 0x9FFF)
        || (u >= 0xAC00 && u <= 0xD7AF) || (u >= 0xF900 && u <= 0xFAFF) || (u >= 0x20000 && u <= 0x2FFFF);
}

inline bool isUpperAscii(char32_t u)
{
    return u >= 'A' && u <= 'Z';
}

inline bool isLowerAscii(char32_t u)
{
    return u >= 'a' && u <= 'z';
}

qint64 ceilDiv(qint64 a, qint64 b)
{
    return (a + b - 1) / b;
}

// A run of letters [begin, end).
qint64 wordTokens(QStringView s, qsizetype begin, qsizetype end)
{
    qint64 letters = 0;
    qint64 cjk = 0;
    qint64 nonAscii = 0;
    qint64 upper = 0;
    qint64 caseChanges = 0;
    char32_t prev = 0;
    for (qsizetype i = begin; i < end;) {
        const Cp cp = codePointAt(s, i);
        ++letters;
        if (cp.ucs4 >= 128) {
            ++nonAscii;
            if (isCjk(cp.ucs4))
                ++cjk;
        } else if (isUpperAscii(cp.ucs4)) {
            ++upper;
            if (isLowerAscii(prev))
                ++caseChanges;
        }
        prev = cp.ucs4;
        i += cp.width;
    }
    if (nonAscii > 0) {
        const qint64 other = letters - cjk;
        return cjk
            + (other > 0 ? std::max<qint64>(1, qint64(std::ceil(double(other) / OtherScriptLettersPerToken))) : 0);
    }
    qint64 t
        = letters <= SingleTokenWordLength ? 1 : 1 + ceilDiv(letters - SingleTokenWordLength, LettersPerExtraToken);
    if (letters > 1 && upper == letters)
        t = std::max<qint64>(t, qint64(std::ceil(double(letters) / 2.5)));
    else
        t += caseChanges;
    return t;
}

// A punctuation/symbol run [begin, end) without its optional leading space and trailing newlines.
qint64 punctuationTokens(QStringView s, qsizetype begin, qsizetype end)
{
    qint64 ascii = 0;
    qint64 other = 0;
    bool repeated = true;
    char32_t first = 0;
    for (qsizetype i = begin; i < end;) {
        const Cp cp = codePointAt(s, i);
        if (cp.ucs4 < 128) {
            if (ascii == 0)
                first = cp.ucs4;
            else if (cp.ucs4 != first)
                repeated = false;
            ++ascii;
        } else {
            ++other;
        }
        i += cp.width;
    }
    qint64 t = other;
    if (ascii > 0)
        t += ceilDiv(ascii, repeated ? RepeatedPerToken : PunctuationPerToken);
    return std::max<qint64>(1, t);
}

qint64 whitespaceTokens(qsizetype length)
{
    return length <= WhitespacePerToken ? 1 : ceilDiv(length, WhitespacePerToken);
}

bool matchContraction(QStringView s, qsizetype i, qsizetype* end)
{
    // 's 't 're 've 'm 'll 'd (case-insensitive), as GPT pre-tokenizers split them.
    if (i + 1 >= s.size())
        return false;
    const char16_t a = s[i + 1].toLower().unicode();
    const char16_t b = i + 2 < s.size() ? s[i + 2].toLower().unicode() : 0;
    if (a == u's' || a == u'd' || a == u'm' || a == u't') {
        *end = i + 2;
        return true;
    }
    if ((a == u'l' && b == u'l') || (a == u'v' && b == u'e') || (a == u'r' && b == u'e')) {
        *end = i + 3;
        return true;
    }
    return false;
}

qint64 referenceEstimateTextTokens(QStringView s)
{
    const qsizetype n = s.size();
    qint64 tokens = 0;
    qsizetype i = 0;
    while (i < n) {
        const Cp cp = codePointAt(s, i);
        const char32_t c = cp.ucs4;

        // 1. contractions
        qsizetype end = 0;
        if ((c == u'\'' || c == u'\u2019') && matchContraction(s, i, &end)) {
            ++tokens;
            i = end;
            continue;
        }
        // 2. a letter run, optionally led by one character that is not a letter, digit or newline
        qsizetype start = -1;
        if (isLetter(c)) {
            start = i;
        } else if (!isNewline(c) && !isDigit(c) && i + cp.width < n && isLetter(codePointAt(s, i + cp.width).ucs4)) {
            start = i + cp.width;
        }
        if (start >= 0) {
            qsizetype j = start;
            while (j < n) {
                const Cp next = codePointAt(s, j);
                if (!isLetter(next.ucs4))
                    break;
                j += next.width;
            }
            tokens += wordTokens(s, start, j);
            i = j;
            continue;
        }
        // 3. digit groups of up to 3
        if (isDigit(c)) {
            int count = 0;
            qsizetype j = i;
            while (j < n && count < 3) {
                const Cp next = codePointAt(s, j);
                if (!isDigit(next.ucs4))
                    break;
                j += next.width;
                ++count;
            }
            ++tokens;
            i = j;
            continue;
        }
        // 4. punctuation run with an optional leading space and trailing newlines
        if (isPunct(c) || (c == u' ' && i + 1 < n && isPunct(codePointAt(s, i + 1).ucs4))) {
            const qsizetype coreStart = isPunct(c) ? i : i + 1;
            qsizetype j = coreStart;
            while (j < n) {
                const Cp next = codePointAt(s, j);
                if (!isPunct(next.ucs4))
                    break;
                j += next.width;
            }
            tokens += punctuationTokens(s, coreStart, j);
            while (j < n && isNewline(s[j].unicode()))
                ++j;
            i = j;
            continue;
        }
        // 5. whitespace
        qsizetype j = i;
        qsizetype lastNewline = -1;
        while (j < n) {
            const char16_t u = s[j].unicode();
            if (!isSpace(u))
                break;
            if (isNewline(u))
                lastNewline = j;
            ++j;
        }
        if (j == i) {
            // Not reachable for well-formed text (every code point falls in one class); stay safe.
            ++tokens;
            i += cp.width;
            continue;
        }
        if (lastNewline >= 0) {
            tokens += whitespaceTokens(lastNewline + 1 - i);
            i = lastNewline + 1;
            continue;
        }
        qsizetype len = j - i;
        if (j < n && len > 1)
            len -= 1; // the last space belongs to the next piece
        tokens += whitespaceTokens(len);
        i += len;
    }
    return tokens;
}

} // namespace reference

namespace {

QString sharedDir()
{
    const QByteArray env = qgetenv("SWITCHYARD_SHARED_DIR");
    return env.isEmpty() ? QString::fromUtf8(SWITCHYARD_SHARED_DIR) : QString::fromLocal8Bit(env);
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// One response's visible output and the output token count its provider reported.
struct Sample
{
    QString name;
    QString text; // answer text
    QString reasoning; // visible reasoning text
    QStringList args; // tool-call arguments (JSON)
    qint64 reported = -1;
};

// Per-call framing the models emit around tool calls (name, delimiters), not visible in the arguments.
constexpr qint64 ToolCallOutputOverhead = 10;

qint64 estimate(const Sample& s)
{
    qint64 t = estimateTextTokens(s.text) + estimateTextTokens(s.reasoning);
    for (const QString& a : s.args)
        t += estimateTextTokens(a) + ToolCallOutputOverhead;
    return t;
}

qint64 visibleChars(const Sample& s)
{
    qint64 n = s.text.size() + s.reasoning.size();
    for (const QString& a : s.args)
        n += a.size();
    return n;
}

// INDEX.md: files that are synthetic (hand-written counts), not wire payloads, or malformed are not calibration data.
QSet<QString> unusableFixtures()
{
    QSet<QString> out;
    const QByteArray index = readFile(sharedDir() + QStringLiteral("/fixtures/upstream/INDEX.md"));
    QString section;
    for (const QByteArray& line : index.split('\n')) {
        if (line.startsWith("## "))
            section = QString::fromUtf8(line.mid(3).trimmed());
        if (!line.startsWith("| `"))
            continue;
        const QList<QByteArray> cols = line.split('|');
        if (cols.size() < 7)
            continue;
        const QByteArray provenance = cols.at(5).trimmed();
        const bool malformed = cols.at(6).trimmed() == "yes";
        if (!malformed && provenance.startsWith("live"))
            continue;
        const QString names = QString::fromUtf8(cols.at(1));
        for (int i = 1;; i += 2) {
            const QString name = names.section(QLatin1Char('`'), i, i);
            if (name.isEmpty())
                break;
            out.insert(section + QLatin1Char('/') + name);
            if (name.endsWith(QLatin1String(".chunks.txt")))
                out.insert(section + QLatin1Char('/') + name.chopped(11) + QStringLiteral(".sse"));
        }
    }
    return out;
}

QList<QJsonObject> sseObjects(const QByteArray& body)
{
    QList<QJsonObject> out;
    QByteArray normalized = body;
    normalized.replace("\r\n", "\n");
    for (const QByteArray& block : normalized.split('\n')) {
        if (!block.startsWith("data:"))
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(block.mid(5).trimmed());
        if (doc.isObject())
            out.append(doc.object());
    }
    return out;
}

QString compactJson(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

bool chatSample(const QString& path, Sample* s)
{
    canon::Response r;
    const QByteArray body = readFile(path);
    if (path.endsWith(QLatin1String(".sse"))) {
        openaichat::StreamDecoder d({});
        canon::StreamEvents events;
        d.feed(body, events);
        d.finish(events);
        canon::ResponseAccumulator acc;
        acc.add(events);
        if (!acc.finished())
            return false;
        r = acc.take();
    } else {
        const auto decoded = openaichat::decodeResponse(body, {});
        if (!decoded.ok())
            return false;
        r = decoded.value();
    }
    for (const canon::Part& p : r.content) {
        if (p.kind == canon::PartKind::Text)
            s->text += p.text;
        else if (p.kind == canon::PartKind::Reasoning)
            s->reasoning += p.text;
        else if (p.kind == canon::PartKind::ToolCall)
            s->args.append(compactJson(p.input));
    }
    // The raw usage (last one reported), read here rather than through the gateway's usage policy: calibration needs
    // every generated token, and xAI's completion_tokens leave out the reasoning (total = prompt + completion +
    // reasoning) although the reasoning text is in the sample.
    QJsonObject usage;
    const QList<QJsonObject> objects = path.endsWith(QLatin1String(".sse"))
        ? sseObjects(body)
        : QList<QJsonObject> {QJsonDocument::fromJson(body).object()};
    for (const QJsonObject& o : objects) {
        if (o.value(QLatin1String("usage")).isObject())
            usage = o.value(QLatin1String("usage")).toObject();
    }
    if (!usage.contains(QLatin1String("completion_tokens")))
        return false;
    const qint64 completion = usage.value(QLatin1String("completion_tokens")).toInteger();
    const qint64 prompt = usage.value(QLatin1String("prompt_tokens")).toInteger();
    const qint64 total = usage.value(QLatin1String("total_tokens")).toInteger(-1);
    qint64 reasoning = usage.value(QLatin1String("completion_tokens_details"))
                           .toObject()
                           .value(QLatin1String("reasoning_tokens"))
                           .toInteger(0);
    if (reasoning == 0)
        reasoning = usage.value(QLatin1String("reasoning_tokens")).toInteger(0);
    s->reported = completion;
    if (reasoning > 0 && total == prompt + completion + reasoning)
        s->reported += reasoning;
    // Reasoning the provider counted but did not show (OpenAI reasoning models) is not calibration data.
    else if (reasoning > 0 && s->reasoning.isEmpty())
        s->reported -= reasoning;
    return s->reported >= 0;
}

bool responsesSample(const QString& path, Sample* s)
{
    const QByteArray body = readFile(path);
    QJsonObject response;
    if (path.endsWith(QLatin1String(".sse"))) {
        QString args;
        for (const QJsonObject& e : sseObjects(body)) {
            const QString type = e.value(QLatin1String("type")).toString();
            if (type == QLatin1String("response.output_text.delta"))
                s->text += e.value(QLatin1String("delta")).toString();
            else if (type == QLatin1String("response.function_call_arguments.delta"))
                args += e.value(QLatin1String("delta")).toString();
            else if (type == QLatin1String("response.completed") || type == QLatin1String("response.incomplete"))
                response = e.value(QLatin1String("response")).toObject();
        }
        if (!args.isEmpty())
            s->args.append(args);
    } else {
        response = QJsonDocument::fromJson(body).object();
        for (const QJsonValue& v : response.value(QLatin1String("output")).toArray()) {
            const QJsonObject item = v.toObject();
            if (item.value(QLatin1String("type")).toString() == QLatin1String("function_call"))
                s->args.append(item.value(QLatin1String("arguments")).toString());
            for (const QJsonValue& c : item.value(QLatin1String("content")).toArray()) {
                if (c.toObject().value(QLatin1String("type")).toString() == QLatin1String("output_text"))
                    s->text += c.toObject().value(QLatin1String("text")).toString();
            }
        }
    }
    const QJsonArray output = response.value(QLatin1String("output")).toArray();
    if (output.isEmpty())
        return false;
    for (const QJsonValue& v : output) {
        // Server tools (web search, code interpreter, ...) produce output the text does not show.
        const QString type = v.toObject().value(QLatin1String("type")).toString();
        if (type != QLatin1String("message") && type != QLatin1String("function_call")
            && type != QLatin1String("reasoning"))
            return false;
    }
    const QJsonObject usage = response.value(QLatin1String("usage")).toObject();
    if (!usage.contains(QLatin1String("output_tokens")))
        return false;
    // Reasoning is hidden (only summaries at best): compare the visible part.
    s->reported = usage.value(QLatin1String("output_tokens")).toInteger()
        - usage.value(QLatin1String("output_tokens_details"))
              .toObject()
              .value(QLatin1String("reasoning_tokens"))
              .toInteger();
    return true;
}

bool geminiSample(const QString& path, Sample* s)
{
    const QByteArray body = readFile(path);
    QList<QJsonObject> objects;
    if (path.endsWith(QLatin1String(".sse"))) {
        objects = sseObjects(body);
    } else {
        const QJsonDocument doc = QJsonDocument::fromJson(body);
        if (doc.isObject())
            objects.append(doc.object());
        for (const QJsonValue& v : doc.array())
            objects.append(v.toObject());
    }
    QJsonObject usage;
    for (const QJsonObject& o : objects) {
        if (o.contains(QLatin1String("usageMetadata")))
            usage = o.value(QLatin1String("usageMetadata")).toObject();
        for (const QJsonValue& c : o.value(QLatin1String("candidates")).toArray()) {
            const QJsonArray parts
                = c.toObject().value(QLatin1String("content")).toObject().value(QLatin1String("parts")).toArray();
            for (const QJsonValue& pv : parts) {
                const QJsonObject p = pv.toObject();
                if (p.value(QLatin1String("thought")).toBool())
                    continue; // thoughts are counted in thoughtsTokenCount, not candidatesTokenCount
                s->text += p.value(QLatin1String("text")).toString();
                if (p.contains(QLatin1String("functionCall")))
                    s->args.append(compactJson(
                        p.value(QLatin1String("functionCall")).toObject().value(QLatin1String("args")).toObject()));
            }
        }
    }
    if (!usage.contains(QLatin1String("candidatesTokenCount")))
        return false;
    s->reported = usage.value(QLatin1String("candidatesTokenCount")).toInteger();
    return true;
}

} // namespace

class TestTokenCount : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void text_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected");
        QTest::addRow("empty") << QString() << qint64(0);
        QTest::addRow("word") << QStringLiteral("hello") << qint64(1);
        QTest::addRow("sentence") << QStringLiteral("Hello, world!") << qint64(4);
        QTest::addRow("long word") << QStringLiteral("internationalization") << qint64(3);
        QTest::addRow("digits grouped by 3") << QStringLiteral("1234567") << qint64(3);
        QTest::addRow("contraction") << QStringLiteral("don't") << qint64(2);
        QTest::addRow("cjk per character") << QStringLiteral("\u4f60\u597d\u4e16\u754c") << qint64(4);
        QTest::addRow("emoji") << QStringLiteral("\U0001F600\U0001F680") << qint64(2);
        QTest::addRow("indentation") << QStringLiteral("    return x;") << qint64(4);
        QTest::addRow("newlines") << QStringLiteral("a\n\n\nb") << qint64(3);
        QTest::addRow("markdown rule") << QStringLiteral("--------") << qint64(2);
        QTest::addRow("camelCase") << QStringLiteral("camelCaseName") << qint64(4);
        QTest::addRow("json") << QStringLiteral(R"({"file_path":"/tmp/a.txt"})") << qint64(9);
    }

    void text()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        QCOMPARE(estimateTextTokens(text), expected);
    }

    void notCharsDividedByFour()
    {
        // Prose of short words is ~1 token per word; code and JSON are denser than chars/4 suggests.
        const QString prose = QStringLiteral("the cat sat on the mat and it was a good day for a nap ").repeated(20);
        QVERIFY(qAbs(estimateTextTokens(prose) - 15 * 20) <= 5);
        const QString cjk = QString(400, QChar(0x6587));
        QCOMPARE(estimateTextTokens(cjk), 400);
    }

    void request()
    {
        canon::Request r;
        const qint64 empty = estimateRequestTokens(r);
        QVERIFY(empty >= 0 && empty < 10);

        r.system.append(canon::Part::makeText(QStringLiteral("You are a helpful assistant.")));
        r.messages.append({canon::Role::User, {canon::Part::makeText(QStringLiteral("Read the file please."))}});
        const qint64 base = estimateRequestTokens(r);
        QVERIFY(base > empty + 10);

        // Tool definitions count (name, description, schema).
        canon::Tool t;
        t.name = QStringLiteral("Read");
        t.description = QStringLiteral("Reads a file from the local filesystem. ").repeated(10);
        t.inputSchema = QJsonDocument::fromJson(
            R"({"type":"object","properties":{"file_path":{"type":"string","description":"absolute path"}},"required":["file_path"]})")
                            .object();
        r.tools.append(t);
        const qint64 withTool = estimateRequestTokens(r);
        QVERIFY(withTool > base + 80);

        // Tool-call input and tool results count.
        canon::Part call;
        call.kind = canon::PartKind::ToolCall;
        call.id = QStringLiteral("c1");
        call.name = QStringLiteral("Read");
        call.input = QJsonObject {
            {QStringLiteral("file_path"), QStringLiteral("/very/long/path/to/some/file/in/the/project.cpp")}};
        r.messages.append({canon::Role::Assistant, {call}});
        const qint64 withCall = estimateRequestTokens(r);
        QVERIFY(withCall > withTool + 15);
        canon::Part result;
        result.kind = canon::PartKind::ToolResult;
        result.toolCallId = QStringLiteral("c1");
        result.content.append(canon::Part::makeText(QStringLiteral("int main() { return 0; }\n").repeated(50)));
        r.messages.append({canon::Role::User, {result}});
        const qint64 withResult = estimateRequestTokens(r);
        QVERIFY(withResult > withCall + 300);

        // Images: fixed-ish cost, bounded.
        canon::Part img;
        img.kind = canon::PartKind::Image;
        img.mediaType = QStringLiteral("image/png");
        img.data = QString(400000, QLatin1Char('A'));
        QCOMPARE(estimateImageTokens(img), 1600);
        img.data = QString(4000, QLatin1Char('A'));
        QCOMPARE(estimateImageTokens(img), 100);
        canon::Part remote;
        remote.kind = canon::PartKind::Image;
        remote.url = QStringLiteral("https://example.com/x.png");
        QCOMPARE(estimateImageTokens(remote), 1500);
        r.messages.append({canon::Role::User, {remote}});
        QCOMPARE(estimateRequestTokens(r), withResult + 4 + 1500);
    }

    void speed()
    {
        // 60 KB requests are common; the estimator must be linear and cheap.
        const QString big
            = QStringLiteral("Lorem ipsum dolor sit amet, consectetur adipiscing elit; {\"k\": [1, 2, 3]}\n")
                  .repeated(20000);
        QElapsedTimer timer;
        timer.start();
        const qint64 tokens = estimateTextTokens(big);
        const qint64 ms = timer.elapsed();
        qInfo("estimateTextTokens: %lld chars -> %lld tokens in %lld ms", qint64(big.size()), tokens, ms);
        QVERIFY(tokens > 300000);
        QVERIFY(ms < 2000);
    }

    // The ASCII fast path changes no result: random mixes of every character class (ASCII, other scripts, CJK,
    // surrogate pairs, lone surrogates, non-ASCII spaces, digits and apostrophes), and the fixture texts.
    void matchesReference()
    {
        const QList<QChar> pool = {QLatin1Char('a'), QLatin1Char('Z'), QLatin1Char('q'), QLatin1Char('L'),
            QLatin1Char('0'), QLatin1Char('7'), QLatin1Char(' '), QLatin1Char(' '), QLatin1Char('\n'),
            QLatin1Char('\r'), QLatin1Char('\t'), QLatin1Char('\''), QLatin1Char('s'), QLatin1Char('l'),
            QLatin1Char('e'), QLatin1Char('v'), QLatin1Char('D'), QLatin1Char('-'), QLatin1Char('{'), QLatin1Char('"'),
            QChar(0x01), QChar(0x7f), QChar(0xe9), QChar(0xc9), QChar(0x4e2d), QChar(0x3042), QChar(0x2019),
            QChar(0x00a0), QChar(0x2003), QChar(0x0663), QChar(0x00b2), QChar(0x2014), QChar(0x00a9), QChar(0xd83d),
            QChar(0xde00), QChar(0x017f), QChar(0x0130), QChar(0x212a), QChar(0x0085), QChar(0x03a9)};
        QRandomGenerator rng(1234);
        for (int round = 0; round < 20000; ++round) {
            QString s;
            const int len = int(rng.bounded(24));
            const bool mostlyAscii = round % 2;
            for (int k = 0; k < len; ++k) {
                const int limit = mostlyAscii && rng.bounded(8) ? 20 : int(pool.size());
                s += pool.at(int(rng.bounded(limit)));
            }
            if (estimateTextTokens(s) != reference::referenceEstimateTextTokens(s)) {
                QString codes;
                for (QChar c : std::as_const(s))
                    codes += QString::number(c.unicode(), 16) + QLatin1Char(' ');
                QFAIL(qPrintable(QStringLiteral("differs for: ") + codes));
            }
        }
        const QString root = sharedDir() + QStringLiteral("/fixtures/upstream/");
        QDirIterator it(root, {QStringLiteral("*.json"), QStringLiteral("*.sse"), QStringLiteral("*.txt")}, QDir::Files,
            QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            const QString text = QString::fromUtf8(readFile(it.next()));
            QCOMPARE(estimateTextTokens(text), reference::referenceEstimateTextTokens(text));
            ++files;
        }
        qInfo("fast path equal to the reference on %d fixture files", files);
    }

    void calibration()
    {
        const QString root = sharedDir() + QStringLiteral("/fixtures/upstream/");
        if (!QDir(root).exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        const QSet<QString> unusable = unusableFixtures();
        QVERIFY(unusable.size() > 20);
        // Captures whose visible reasoning is only part of what was counted (xAI returns a shortened
        // reasoning_content for some requests) - the counts cannot be matched by any tokenizer.
        const QSet<QString> excluded = {QStringLiteral("openai-chat/xai-tool-call.json"),
            QStringLiteral("openai-chat/xai-text.json"), QStringLiteral("openai-chat/xai-issue-17936-chat.json")};

        QList<Sample> samples;
        int skipped = 0;
        using Extractor = bool (*)(const QString&, Sample*);
        const QList<QPair<QString, Extractor>> dialects = {{QStringLiteral("openai-chat"), &chatSample},
            {QStringLiteral("openai-responses"), &responsesSample}, {QStringLiteral("gemini"), &geminiSample}};
        for (const auto& [dialect, extract] : dialects) {
            const QDir dir(root + dialect);
            for (const QString& f :
                dir.entryList({QStringLiteral("*.sse"), QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
                const QString name = dialect + QLatin1Char('/') + f;
                if (unusable.contains(name) || excluded.contains(name))
                    continue;
                Sample s;
                s.name = name;
                if (!extract(dir.filePath(f), &s))
                    continue;
                // Tiny outputs are dominated by framing tokens; excerpts (a few chunks kept, usage of the whole
                // answer) and hidden output show fewer than 1.5 visible characters per reported token.
                if (s.reported < 20 || double(visibleChars(s)) / double(s.reported) < 1.5) {
                    ++skipped;
                    continue;
                }
                samples.append(s);
            }
        }
        qInfo("calibration: %lld samples (%d skipped as tiny/excerpt/hidden)", qint64(samples.size()), skipped);
        QVERIFY(samples.size() >= 40);

        qint64 totalEstimate = 0;
        qint64 totalReported = 0;
        double sumApe = 0;
        double worst = 0;
        QString worstName;
        for (const Sample& s : samples) {
            const qint64 e = estimate(s);
            totalEstimate += e;
            totalReported += s.reported;
            const double ape = double(qAbs(e - s.reported)) / double(s.reported);
            sumApe += ape;
            if (ape > worst) {
                worst = ape;
                worstName = s.name;
            }
            qInfo("  %-75s reported %5lld  estimated %5lld  (%+.0f%%)", qPrintable(s.name), s.reported, e,
                100.0 * double(e - s.reported) / double(s.reported));
        }
        const double ratio = double(totalEstimate) / double(totalReported);
        const double mape = sumApe / double(samples.size());
        qInfo("calibration: total estimated/reported = %.3f (%lld / %lld), MAPE = %.1f%%, worst %.0f%% (%s)", ratio,
            totalEstimate, totalReported, 100.0 * mape, 100.0 * worst, qPrintable(worstName));
        QVERIFY2(ratio > 0.9 && ratio < 1.1, qPrintable(QString::number(ratio)));
        QVERIFY2(mape < 0.12, qPrintable(QString::number(mape)));
        QVERIFY2(worst < 0.45, qPrintable(worstName));
    }
};

QTEST_GUILESS_MAIN(TestTokenCount)
#include "tst_tokencount.moc"
