#include "openaichatstream.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "common/logging.h"
#include "openaichatcommon.h"
#include "openaichatresponse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

// ---- Fast path: a pull scanner for the common chat.completion.chunk shapes --------------------------------------
//
// It reads a data payload once, without building a document, and records where the members handleChunk() and
// handleDelta() read are. It gives up (and the chunk goes to the QJsonObject path) on anything whose meaning it does
// not reproduce exactly: tool calls, content parts, reasoning_details, errors, finish_reason "error" /
// "insufficient_system_resource", several choices, a choice index other than 0, a duplicate member it reads, an
// escaped key, and every input it is not sure QJsonDocument::fromJson would accept the same way (numbers with an
// exponent or longer than 32 characters, unknown escapes, nesting deeper than 64, a string starting with a BOM).
// Within that subset the rules are Qt's: UTF-8 must be valid (no overlongs, no encoded surrogates, nothing above
// U+10FFFF), raw control characters in strings are kept, \u escapes are UTF-16 code units.

// A value found by the scanner. A string spans the text between its quotes (still escaped); an object or array spans
// the whole value, brackets included.
struct RawValue
{
    enum Kind : quint8 { Absent, Null, String, Object, Array, Other };
    Kind kind = Absent;
    bool escaped = false; // a string with a backslash escape
    bool high = false; // a string with bytes >= 0x80
    const char* begin = nullptr;
    const char* end = nullptr;

    QByteArrayView view() const { return QByteArrayView(begin, end - begin); }
    bool isNonEmptyString() const { return kind == String && end != begin; }
};

// What a chunk the fast path understood holds.
struct FastChunk
{
    RawValue id;
    RawValue model;
    RawValue error;
    RawValue usage;
    RawValue xGroq;
    RawValue choices;
    bool choicesNonEmpty = false;
    bool hasChoice = false; // choices[0] is an object with at least one member
    RawValue index;
    RawValue delta;
    bool deltaNonEmpty = false;
    RawValue finishReason;
    RawValue reasoningContent;
    RawValue reasoning;
    RawValue reasoningDetails;
    RawValue content;
    RawValue refusal;
    RawValue toolCalls;
};

template<qsizetype N> inline bool keyIs(QByteArrayView key, const char (&name)[N])
{
    return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

inline int hexDigit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Length of the valid multi-byte UTF-8 sequence at p (*p >= 0x80) and its code point, or 0 when it is not one
// (truncated, overlong, an encoded surrogate, above U+10FFFF): what Qt's JSON parser rejects.
inline int utf8Sequence(const unsigned char* p, const unsigned char* end, char32_t* cp)
{
    const unsigned char lead = *p;
    const auto cont = [&](int i) { return end - p > i && (p[i] & 0xc0) == 0x80; };
    if (lead >= 0xc2 && lead < 0xe0) {
        if (!cont(1))
            return 0;
        *cp = (char32_t(lead & 0x1f) << 6) | char32_t(p[1] & 0x3f);
        return 2;
    }
    if (lead >= 0xe0 && lead < 0xf0) {
        if (!cont(1) || !cont(2))
            return 0;
        const char32_t c = (char32_t(lead & 0x0f) << 12) | (char32_t(p[1] & 0x3f) << 6) | char32_t(p[2] & 0x3f);
        if (c < 0x800 || (c >= 0xd800 && c < 0xe000))
            return 0;
        *cp = c;
        return 3;
    }
    if (lead >= 0xf0 && lead < 0xf5) {
        if (!cont(1) || !cont(2) || !cont(3))
            return 0;
        const char32_t c = (char32_t(lead & 0x07) << 18) | (char32_t(p[1] & 0x3f) << 12) | (char32_t(p[2] & 0x3f) << 6)
            | char32_t(p[3] & 0x3f);
        if (c < 0x10000 || c > 0x10ffff)
            return 0;
        *cp = c;
        return 4;
    }
    return 0;
}

// The first '"' or '\\' in [p, end), or end. Sets *high when a byte >= 0x80 comes before it.
inline const char* findQuoteOrEscape(const char* p, const char* end, bool* high)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const unsigned stop
            = unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
        const unsigned hi = unsigned(_mm_movemask_epi8(v));
        if (stop) {
            const int at = __builtin_ctz(stop);
            if (hi & ((1u << at) - 1))
                *high = true;
            return p + at;
        }
        if (hi)
            *high = true;
        p += 16;
    }
#endif
    for (; p < end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\')
            return p;
        if (c >= 0x80)
            *high = true;
    }
    return end;
}

class ChunkScanner
{
public:
    explicit ChunkScanner(QByteArrayView json)
        : m_p(json.data())
        , m_end(json.data() + json.size())
    {
    }

    // Whether the payload is one of the shapes the fast path reproduces exactly; `c` describes it.
    bool scan(FastChunk& c)
    {
        skipSpace();
        if (m_p >= m_end || *m_p != '{')
            return false;
        const bool ok = members([&](QByteArrayView key) {
            if (keyIs(key, "choices"))
                return choices(c);
            if (keyIs(key, "id"))
                return record(c.id);
            if (keyIs(key, "model"))
                return record(c.model);
            if (keyIs(key, "usage"))
                return record(c.usage);
            if (keyIs(key, "error"))
                return record(c.error);
            if (keyIs(key, "x_groq"))
                return record(c.xGroq);
            return value(nullptr, 1);
        });
        if (!ok)
            return false;
        skipSpace();
        if (m_p != m_end)
            return false;
        // What the fast path leaves to handleChunk().
        if (c.error.kind == RawValue::Object || c.error.isNonEmptyString())
            return false;
        if (!(c.index.kind == RawValue::Absent || c.index.kind == RawValue::Null
                || (c.index.kind == RawValue::Other && c.index.end - c.index.begin == 1 && *c.index.begin == '0')))
            return false;
        if (c.finishReason.kind == RawValue::String
            && (c.finishReason.escaped || c.finishReason.view() == "error"
                || c.finishReason.view() == "insufficient_system_resource"))
            return false;
        if (c.content.kind == RawValue::Array || c.reasoningDetails.kind == RawValue::Array)
            return false;
        if (c.toolCalls.kind == RawValue::Array && !isEmptyContainer(c.toolCalls))
            return false;
        return true;
    }

private:
    static constexpr int MaxDepth = 64;

    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }

    static bool isEmptyContainer(const RawValue& v)
    {
        for (const char* p = v.begin + 1; p < v.end - 1; ++p) {
            if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
                return false;
        }
        return true;
    }

    // A member value the decoder reads; a second one with the same key is left to Qt (last one wins there).
    bool record(RawValue& slot)
    {
        if (slot.kind != RawValue::Absent)
            return false;
        return value(&slot, 1);
    }

    // m_p is at '{'. Calls onMember(key) with m_p at each member's value; onMember consumes the value.
    template<typename F> bool members(F&& onMember)
    {
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == '}') {
            ++m_p;
            return true;
        }
        for (;;) {
            skipSpace();
            if (m_p >= m_end || *m_p != '"')
                return false;
            RawValue key;
            if (!string(key) || key.escaped)
                return false;
            skipSpace();
            if (m_p >= m_end || *m_p != ':')
                return false;
            ++m_p;
            skipSpace();
            if (!onMember(key.view()))
                return false;
            skipSpace();
            if (m_p >= m_end)
                return false;
            if (*m_p == ',') {
                ++m_p;
                continue;
            }
            if (*m_p != '}')
                return false;
            ++m_p;
            return true;
        }
    }

    bool choices(FastChunk& c)
    {
        if (c.choices.kind != RawValue::Absent || m_p >= m_end)
            return false;
        if (*m_p != '[')
            return value(&c.choices, 1) && c.choices.kind == RawValue::Null;
        c.choices.kind = RawValue::Array;
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == ']') {
            ++m_p;
            return true;
        }
        c.choicesNonEmpty = true;
        if (m_p >= m_end || *m_p != '{')
            return false;
        int count = 0;
        const bool ok = members([&](QByteArrayView key) {
            ++count;
            if (keyIs(key, "delta"))
                return delta(c);
            if (keyIs(key, "finish_reason"))
                return record(c.finishReason);
            if (keyIs(key, "index"))
                return record(c.index);
            return value(nullptr, 2);
        });
        if (!ok)
            return false;
        c.hasChoice = count > 0;
        skipSpace();
        if (m_p >= m_end || *m_p != ']') // a second choice, or garbage
            return false;
        ++m_p;
        return true;
    }

    bool delta(FastChunk& c)
    {
        if (c.delta.kind != RawValue::Absent || m_p >= m_end)
            return false;
        if (*m_p != '{')
            return value(&c.delta, 2) && c.delta.kind == RawValue::Null;
        c.delta.kind = RawValue::Object;
        int count = 0;
        const bool ok = members([&](QByteArrayView key) {
            ++count;
            if (keyIs(key, "content"))
                return record(c.content);
            if (keyIs(key, "reasoning_content"))
                return record(c.reasoningContent);
            if (keyIs(key, "reasoning"))
                return record(c.reasoning);
            if (keyIs(key, "tool_calls"))
                return record(c.toolCalls);
            if (keyIs(key, "refusal"))
                return record(c.refusal);
            if (keyIs(key, "reasoning_details"))
                return record(c.reasoningDetails);
            return value(nullptr, 3);
        });
        c.deltaNonEmpty = count > 0;
        return ok;
    }

    // Any value at m_p, validated; described in *out when given.
    bool value(RawValue* out, int depth)
    {
        if (m_p >= m_end)
            return false;
        const char* start = m_p;
        RawValue::Kind kind = RawValue::Other;
        switch (*m_p) {
        case '"': {
            RawValue s;
            if (!string(s))
                return false;
            if (out)
                *out = s;
            return true;
        }
        case '{':
            if (depth >= MaxDepth)
                return false;
            if (!members([&](QByteArrayView) { return value(nullptr, depth + 1); }))
                return false;
            kind = RawValue::Object;
            break;
        case '[':
            if (depth >= MaxDepth || !array(depth + 1))
                return false;
            kind = RawValue::Array;
            break;
        case 't':
            if (!literal("true", 4))
                return false;
            break;
        case 'f':
            if (!literal("false", 5))
                return false;
            break;
        case 'n':
            if (!literal("null", 4))
                return false;
            kind = RawValue::Null;
            break;
        default:
            if (!number())
                return false;
            break;
        }
        if (out) {
            out->kind = kind;
            out->begin = start;
            out->end = m_p;
        }
        return true;
    }

    bool array(int depth)
    {
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == ']') {
            ++m_p;
            return true;
        }
        for (;;) {
            skipSpace();
            if (!value(nullptr, depth))
                return false;
            skipSpace();
            if (m_p >= m_end)
                return false;
            if (*m_p == ',') {
                ++m_p;
                continue;
            }
            if (*m_p != ']')
                return false;
            ++m_p;
            return true;
        }
    }

    bool literal(const char* word, qsizetype n)
    {
        if (m_end - m_p < n || std::memcmp(m_p, word, size_t(n)) != 0)
            return false;
        m_p += n;
        return true;
    }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?, at most 32 characters: a number Qt reads without overflow or underflow.
    bool number()
    {
        const char* start = m_p;
        const auto digit = [this] { return m_p < m_end && *m_p >= '0' && *m_p <= '9'; };
        if (*m_p == '-')
            ++m_p;
        if (m_p >= m_end)
            return false;
        if (*m_p == '0') {
            ++m_p;
        } else if (digit()) {
            while (digit())
                ++m_p;
        } else {
            return false;
        }
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (!digit())
                return false;
            while (digit())
                ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E'))
            return false;
        return m_p - start <= 32;
    }

    // m_p is at the opening quote.
    bool string(RawValue& out)
    {
        const char* start = ++m_p;
        bool high = false;
        bool escaped = false;
        for (;;) {
            const char* stop = findQuoteOrEscape(m_p, m_end, &high);
            if (stop >= m_end)
                return false;
            if (*stop == '"') {
                m_p = stop;
                break;
            }
            escaped = true;
            if (m_end - stop < 2)
                return false;
            switch (stop[1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                m_p = stop + 2;
                break;
            case 'u':
                if (m_end - stop < 6)
                    return false;
                for (int i = 2; i < 6; ++i) {
                    if (hexDigit(static_cast<unsigned char>(stop[i])) < 0)
                        return false;
                }
                m_p = stop + 6;
                break;
            default:
                return false; // Qt reads an unknown escape as the byte itself; left to it
            }
        }
        if (high) {
            const auto* p = reinterpret_cast<const unsigned char*>(start);
            const auto* end = reinterpret_cast<const unsigned char*>(m_p);
            // Qt drops a BOM at the start of a string without escapes (QString::fromUtf8): left to it.
            if (end - p >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
                return false;
            while (p < end) {
                if (*p < 0x80) {
                    ++p;
                    continue;
                }
                char32_t cp;
                const int n = utf8Sequence(p, end, &cp);
                if (!n)
                    return false;
                p += n;
            }
        }
        out.kind = RawValue::String;
        out.escaped = escaped;
        out.high = high;
        out.begin = start;
        out.end = m_p;
        ++m_p; // the closing quote
        return true;
    }

    const char* m_p;
    const char* m_end;
};

// The text of a string the scanner validated, as QJsonValue::toString() would give it; empty for any other value.
QString stringValue(const RawValue& v)
{
    if (v.kind != RawValue::String)
        return {};
    const qsizetype n = v.end - v.begin;
    if (!v.escaped && !v.high)
        return QString::fromLatin1(v.begin, n);
    // UTF-16 never needs more units than the UTF-8 (or escape) bytes it comes from.
    QString out(n, Qt::Uninitialized);
    char16_t* const first = reinterpret_cast<char16_t*>(out.data());
    char16_t* d = first;
    const auto* p = reinterpret_cast<const unsigned char*>(v.begin);
    const auto* end = reinterpret_cast<const unsigned char*>(v.end);
    while (p < end) {
        const unsigned char c = *p;
        if (c == '\\') {
            switch (p[1]) {
            case 'b':
                *d++ = u'\b';
                break;
            case 'f':
                *d++ = u'\f';
                break;
            case 'n':
                *d++ = u'\n';
                break;
            case 'r':
                *d++ = u'\r';
                break;
            case 't':
                *d++ = u'\t';
                break;
            case 'u':
                *d++
                    = char16_t((hexDigit(p[2]) << 12) | (hexDigit(p[3]) << 8) | (hexDigit(p[4]) << 4) | hexDigit(p[5]));
                p += 4;
                break;
            default: // '"', '\\', '/'
                *d++ = char16_t(p[1]);
                break;
            }
            p += 2;
        } else if (c < 0x80) {
            *d++ = c;
            ++p;
        } else {
            char32_t cp = 0;
            p += utf8Sequence(p, end, &cp); // validated by the scanner
            if (cp >= 0x10000) {
                *d++ = char16_t(0xd800 + ((cp - 0x10000) >> 10));
                *d++ = char16_t(0xdc00 + ((cp - 0x10000) & 0x3ff));
            } else {
                *d++ = char16_t(cp);
            }
        }
    }
    out.truncate(d - first);
    return out;
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
    const QByteArrayView data = QByteArrayView(event.data).trimmed();
    if (data.isEmpty())
        return;
    if (data.size() == 6 && keyIs(data, "[DONE]")) {
        emitFinish(out);
        return;
    }
    const bool errorEvent = !event.event.isEmpty() && event.event == "error";
    if (m_fastPath && !errorEvent && handleFast(data, out))
        return;
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(data, &perr);
    if (errorEvent) {
        const QJsonObject o = doc.object();
        const QJsonValue ev = o.value(QLatin1StringView("error"));
        QJsonObject err = ev.isObject() ? ev.toObject() : o;
        if (err.isEmpty())
            err.insert(QLatin1StringView("message"), QString::fromUtf8(data.first(qMin<qsizetype>(500, data.size()))));
        fail(errorFromObject(0, err), out);
        return;
    }
    if (perr.error != QJsonParseError::NoError) {
        fail(canon::Error::make(500, canon::ErrorType::Api,
                 QStringLiteral("upstream sent malformed stream data: ")
                     + QString::fromUtf8(data.first(qMin<qsizetype>(200, data.size())))),
            out);
        return;
    }
    if (doc.isObject())
        handleChunk(doc.object(), out);
}

bool StreamDecoder::handleFast(QByteArrayView data, canon::StreamEvents& out)
{
    FastChunk c;
    if (!ChunkScanner(data).scan(c))
        return false;
    ++m_fastChunks;

    // handleChunk() for what the scanner found, in the same order. Usage objects are rare (once per stream): they are
    // read with the ordinary parser from their own bytes, which gives the object the whole document would have.
    QJsonObject usageObject;
    if (c.usage.kind == RawValue::Object)
        usageObject = json::parseObject(c.usage.view());
    if (usageObject.isEmpty() && c.xGroq.kind == RawValue::Object)
        usageObject = json::parseObject(c.xGroq.view()).value(QLatin1StringView("usage")).toObject();
    const canon::Usage usage = parseUsage(usageObject);

    if (!m_started && (c.id.isNonEmptyString() || c.model.isNonEmptyString() || c.choicesNonEmpty)) {
        m_id = stringValue(c.id);
        m_model = stringValue(c.model);
        m_usage.mergeFrom(usage);
        ensureStarted(out);
    }

    if (c.hasChoice) {
        if (c.deltaNonEmpty) {
            // handleDelta(): reasoning -> content -> refusal (no tool calls, parts or reasoning_details here).
            QString reasoning = stringValue(c.reasoningContent);
            if (reasoning.isEmpty())
                reasoning = stringValue(c.reasoning);
            if (!reasoning.isEmpty())
                reasoningDelta(std::move(reasoning), out);
            if (c.content.isNonEmptyString())
                textDelta(stringValue(c.content), out);
            if (c.refusal.isNonEmptyString()) {
                textDelta(stringValue(c.refusal), out);
                m_refused = true;
            }
        }
        if (c.finishReason.isNonEmptyString()) {
            m_finishReason = stringValue(c.finishReason);
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
    return true;
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

void StreamDecoder::reasoningDelta(QString text, canon::StreamEvents& out)
{
    if (text.isEmpty())
        return;
    if (m_open != Open::Reasoning) {
        closeOpen(out);
        m_open = Open::Reasoning;
    }
    StreamEvent& e = out.emplaceBack(); // built in place: no temporary event to move and destroy
    e.type = Type::ReasoningDelta;
    e.text = std::move(text);
}

void StreamDecoder::textDelta(QString text, canon::StreamEvents& out)
{
    if (text.isEmpty())
        return;
    if (m_open != Open::Text) {
        closeOpen(out);
        m_open = Open::Text;
    }
    StreamEvent& e = out.emplaceBack(); // built in place: no temporary event to move and destroy
    e.type = Type::TextDelta;
    e.text = std::move(text);
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
