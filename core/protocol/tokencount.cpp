#include "tokencount.h"

#include "common/jsonwriter.h"

#include <QJsonDocument>

#include <array>
#include <cmath>

namespace sy {

namespace {

// Calibrated constants (see tests/core/tst_tokencount.cpp for the data and the measured error).
constexpr int SingleTokenWordLength = 8; // ASCII words up to this many letters are one token
constexpr int LettersPerExtraToken = 7; // each further 7 letters cost one more token
constexpr int PunctuationPerToken = 3; // mixed ASCII punctuation runs: ~3 characters per token
constexpr int RepeatedPerToken = 4; // runs of one repeated character ("----", "====")
constexpr int WhitespacePerToken = 16; // long whitespace runs (indentation)
constexpr double OtherScriptLettersPerToken = 2.5;

constexpr qint64 MessageOverhead = 4;
constexpr qint64 ToolCallOverhead = 8;
constexpr qint64 ToolResultOverhead = 8;
constexpr qint64 ToolDefinitionOverhead = 10;
constexpr qint64 BuiltinToolTokens = 300;
constexpr qint64 RequestPriming = 3;
constexpr qint64 DefaultImageTokens = 1500;

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

// ---- ASCII fast path: one piece of the pre-tokenizer when every character it looks at is ASCII ----

enum AsciiClass : quint8 {
    Letter = 1,
    Upper = 2,
    Lower = 4,
    Digit = 8,
    Space = 16, // ' ' and \t \n \v \f \r
    Newline = 32, // \n \r
    Punct = 64, // everything else (ASCII punctuation, symbols and control characters)
};

constexpr std::array<quint8, 128> makeAsciiClasses()
{
    std::array<quint8, 128> t {};
    for (int c = 0; c < 128; ++c) {
        if (c >= 'a' && c <= 'z')
            t[c] = Letter | Lower;
        else if (c >= 'A' && c <= 'Z')
            t[c] = Letter | Upper;
        else if (c >= '0' && c <= '9')
            t[c] = Digit;
        else if (c == '\n' || c == '\r')
            t[c] = Space | Newline;
        else if (c == ' ' || (c >= 9 && c <= 13))
            t[c] = Space;
        else
            t[c] = Punct;
    }
    return t;
}

constexpr std::array<quint8, 128> AsciiClasses = makeAsciiClasses();

// The class of s[i] when it is ASCII, 0 when it is not (the generic path must decide then).
inline quint8 asciiClass(const char16_t* s, qsizetype i)
{
    const char16_t u = s[i];
    return u < 128 ? AsciiClasses[u] : 0;
}

// One step of estimateTextTokens at i (s[i] is ASCII), exactly as the generic step computes it, as long as every
// character the step examines is ASCII. Returns false (nothing consumed) when it meets one that is not.
bool asciiStep(const char16_t* s, qsizetype n, qsizetype& i, qint64& tokens)
{
    const char16_t c = s[i];
    const quint8 cls = AsciiClasses[c];

    // 1. contractions
    if (c == u'\'' && i + 1 < n) {
        const quint8 ca = asciiClass(s, i + 1);
        if (!ca)
            return false;
        const char16_t a = (ca & Upper) ? char16_t(s[i + 1] + 32) : s[i + 1];
        if (a == u's' || a == u'd' || a == u'm' || a == u't') {
            ++tokens;
            i += 2;
            return true;
        }
        if (a == u'l' || a == u'v' || a == u'r') {
            char16_t b = 0;
            if (i + 2 < n) {
                const quint8 cb = asciiClass(s, i + 2);
                if (!cb)
                    return false;
                b = (cb & Upper) ? char16_t(s[i + 2] + 32) : s[i + 2];
            }
            if ((a == u'l' && b == u'l') || (a == u'v' && b == u'e') || (a == u'r' && b == u'e')) {
                ++tokens;
                i += 3;
                return true;
            }
        }
    }

    // 2. a letter run, optionally led by one character that is not a letter, digit or newline
    qsizetype start = -1;
    if (cls & Letter) {
        start = i;
    } else if (!(cls & (Newline | Digit)) && i + 1 < n) {
        const quint8 next = asciiClass(s, i + 1);
        if (!next)
            return false;
        if (next & Letter)
            start = i + 1;
    }
    if (start >= 0) {
        qint64 upper = 0;
        qint64 caseChanges = 0;
        bool prevLower = false;
        qsizetype j = start;
        for (; j < n; ++j) {
            const quint8 k = asciiClass(s, j);
            if (!k)
                return false; // maybe a letter of another script
            if (!(k & Letter))
                break;
            if (k & Upper) {
                ++upper;
                if (prevLower)
                    ++caseChanges;
            }
            prevLower = k & Lower;
        }
        const qint64 letters = j - start;
        qint64 t
            = letters <= SingleTokenWordLength ? 1 : 1 + ceilDiv(letters - SingleTokenWordLength, LettersPerExtraToken);
        if (letters > 1 && upper == letters)
            t = std::max<qint64>(t, qint64(std::ceil(double(letters) / 2.5)));
        else
            t += caseChanges;
        tokens += t;
        i = j;
        return true;
    }

    // 3. digit groups of up to 3
    if (cls & Digit) {
        qsizetype j = i + 1;
        for (int count = 1; j < n && count < 3; ++count, ++j) {
            const quint8 k = asciiClass(s, j);
            if (!k)
                return false; // maybe a digit of another script
            if (!(k & Digit))
                break;
        }
        ++tokens;
        i = j;
        return true;
    }

    // 4. punctuation run with an optional leading space and trailing newlines
    bool punct = cls & Punct;
    if (!punct && c == u' ' && i + 1 < n) {
        const quint8 next = asciiClass(s, i + 1);
        if (!next)
            return false;
        punct = next & Punct;
    }
    if (punct) {
        const qsizetype coreStart = (cls & Punct) ? i : i + 1;
        const char16_t first = s[coreStart];
        bool repeated = true;
        qsizetype j = coreStart;
        for (; j < n; ++j) {
            const quint8 k = asciiClass(s, j);
            if (!k)
                return false; // maybe a symbol
            if (!(k & Punct))
                break;
            if (s[j] != first)
                repeated = false;
        }
        tokens += std::max<qint64>(1, ceilDiv(j - coreStart, repeated ? RepeatedPerToken : PunctuationPerToken));
        while (j < n && (s[j] == u'\n' || s[j] == u'\r'))
            ++j;
        i = j;
        return true;
    }

    // 5. whitespace (c is a space: every ASCII character is in exactly one class)
    qsizetype j = i;
    qsizetype lastNewline = -1;
    for (; j < n; ++j) {
        const quint8 k = asciiClass(s, j);
        if (!k)
            return false; // maybe a space of another script
        if (!(k & Space))
            break;
        if (k & Newline)
            lastNewline = j;
    }
    if (lastNewline >= 0) {
        tokens += whitespaceTokens(lastNewline + 1 - i);
        i = lastNewline + 1;
        return true;
    }
    qsizetype len = j - i;
    if (j < n && len > 1)
        len -= 1; // the last space belongs to the next piece
    tokens += whitespaceTokens(len);
    i += len;
    return true;
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

QString compact(const QJsonObject& o)
{
    return QString::fromUtf8(compactJson(o));
}

qint64 partTokens(const canon::Part& p);

qint64 contentTokens(const QList<canon::Part>& parts)
{
    qint64 t = 0;
    for (const canon::Part& p : parts)
        t += partTokens(p);
    return t;
}

qint64 partTokens(const canon::Part& p)
{
    switch (p.kind) {
    case canon::PartKind::Text:
    case canon::PartKind::Reasoning:
        return estimateTextTokens(p.text);
    case canon::PartKind::Image:
        return estimateImageTokens(p);
    case canon::PartKind::Document:
        if (!p.text.isEmpty())
            return estimateTextTokens(p.text) + estimateTextTokens(p.title);
        if (!p.data.isEmpty()) {
            const qint64 bytes = p.data.size() * 3 / 4;
            return std::max<qint64>(DefaultImageTokens, bytes / 50);
        }
        return DefaultImageTokens;
    case canon::PartKind::ToolCall:
        return ToolCallOverhead + estimateTextTokens(p.name) + estimateTextTokens(compact(p.input));
    case canon::PartKind::ToolResult:
        return ToolResultOverhead + contentTokens(p.content);
    case canon::PartKind::RedactedReasoning:
        return 0;
    case canon::PartKind::Opaque:
        return estimateTextTokens(compact(p.raw));
    }
    return 0;
}

} // namespace

qint64 estimateTextTokens(QStringView s)
{
    const qsizetype n = s.size();
    const char16_t* const data = s.utf16();
    qint64 tokens = 0;
    qsizetype i = 0;
    while (i < n) {
        if (data[i] < 128 && asciiStep(data, n, i, tokens))
            continue;
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

qint64 estimateImageTokens(const canon::Part& image)
{
    if (image.data.isEmpty())
        return DefaultImageTokens;
    // Images are resized to about 1.15 megapixels (~1,600 tokens) at most; small images cost less. The decoded
    // size is a rough proxy for the pixel count of compressed screenshots.
    const qint64 bytes = image.data.size() * 3 / 4;
    return std::clamp<qint64>(bytes / 100, 100, 1600);
}

qint64 estimateRequestTokens(const canon::Request& req)
{
    qint64 total = RequestPriming;
    if (!req.system.isEmpty())
        total += MessageOverhead + contentTokens(req.system);
    for (const canon::Message& m : req.messages)
        total += MessageOverhead + contentTokens(m.parts);
    for (const canon::Tool& t : req.tools) {
        if (!t.builtinType.isEmpty()) {
            total += BuiltinToolTokens;
            continue;
        }
        total += ToolDefinitionOverhead + estimateTextTokens(t.name) + estimateTextTokens(t.description)
            + estimateTextTokens(compact(t.inputSchema));
    }
    if (!req.outputSchema.isEmpty())
        total += ToolDefinitionOverhead + estimateTextTokens(compact(req.outputSchema));
    return total;
}

} // namespace sy
