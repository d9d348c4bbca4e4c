#include "fastjson.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonValue>
#include <QString>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace sy::json {

namespace {

constexpr int MaxDepth = 1024; // QJsonDocument's nesting limit
constexpr qsizetype SmallDocument = 2048;

inline bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Decodes one multi-byte UTF-8 sequence starting at p (*p >= 0x80). Returns its length, or 0 when it is invalid
// (truncated, overlong, an encoded surrogate or beyond U+10FFFF), the same rules as Qt's UTF-8 decoder.
inline int decodeUtf8(const unsigned char* p, const unsigned char* end, char32_t* cp)
{
    const unsigned char b = p[0];
    if (b < 0xc2)
        return 0; // continuation byte or overlong 2-byte lead
    if (b < 0xe0) {
        if (end - p < 2 || (p[1] & 0xc0) != 0x80)
            return 0;
        *cp = (char32_t(b & 0x1f) << 6) | (p[1] & 0x3f);
        return 2;
    }
    if (b < 0xf0) {
        if (end - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        const char32_t c = (char32_t(b & 0x0f) << 12) | (char32_t(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
        if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        *cp = c;
        return 3;
    }
    if (b < 0xf5) {
        if (end - p < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        const char32_t c
            = (char32_t(b & 0x07) << 18) | (char32_t(p[1] & 0x3f) << 12) | (char32_t(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
        if (c < 0x10000 || c > 0x10ffff)
            return 0;
        *cp = c;
        return 4;
    }
    return 0;
}

bool validUtf8(const unsigned char* p, const unsigned char* end)
{
    while (p < end) {
        if (*p < 0x80) {
            ++p;
            continue;
        }
        char32_t cp;
        const int n = decodeUtf8(p, end, &cp);
        if (!n)
            return false;
        p += n;
    }
    return true;
}

inline bool startsWithBom(const char* p, const char* end)
{
    return end - p >= 3 && static_cast<unsigned char>(p[0]) == 0xef && static_cast<unsigned char>(p[1]) == 0xbb
        && static_cast<unsigned char>(p[2]) == 0xbf;
}

// Pointer to the first '"' or '\\' in [p, end) (or end); *high is set when a byte >= 0x80 was passed.
inline const char* scanString(const char* p, const char* end, bool* high)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    int highMask = 0;
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const int stop = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        const int hi = _mm_movemask_epi8(v);
        if (stop) {
            const int at = __builtin_ctz(unsigned(stop));
            highMask |= hi & ((1 << at) - 1);
            *high = *high || highMask;
            return p + at;
        }
        highMask |= hi;
        p += 16;
    }
    *high = *high || highMask;
#endif
    for (; p < end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\')
            return p;
        if (c >= 0x80)
            *high = true;
    }
    return p;
}

// ---- pass 1: the document as a flat tape of nodes (strings unescaped into an arena as UTF-8) ----

} // namespace

namespace detail {

enum class NodeType : quint8 { Object, Array, String, Integer, Double, True, False, Null };

struct Node
{
    NodeType type;
    bool inArena = false; // String: bytes in the arena (unescaped), else in the input
    bool ascii = true; // String: 7-bit only
    quint32 count = 0; // Object: members, Array: elements
    quint32 end = 0; // Object/Array: index one past the subtree
    union {
        qint64 integer;
        double number;
        struct
        {
            quint32 offset;
            quint32 length;
        } str;
    };
};

struct Scratch
{
    std::vector<Node> tape;
    std::string arena;
    std::vector<quint32> members;
    QByteArray cbor;
};

// The tape of a TapeDocument and the input it points into.
struct TapeStorage
{
    Scratch scratch;
    const char* input = nullptr;
    bool inUse = false;
};

} // namespace detail

namespace {

using detail::Node;
using detail::NodeType;
using detail::Scratch;

Scratch& scratch()
{
    static thread_local Scratch s;
    return s;
}

class TapeParser
{
public:
    TapeParser(const char* begin, const char* end, Scratch& s)
        : m_begin(begin)
        , m_p(begin)
        , m_end(end)
        , m_tape(s.tape)
        , m_arena(s.arena)
    {
        m_tape.clear();
        m_arena.clear();
    }

    bool parseDocument()
    {
        if (m_end - m_p >= 3 && static_cast<unsigned char>(m_p[0]) == 0xef && static_cast<unsigned char>(m_p[1]) == 0xbb
            && static_cast<unsigned char>(m_p[2]) == 0xbf)
            m_p += 3;
        skipSpace();
        if (m_p >= m_end || (*m_p != '{' && *m_p != '['))
            return false;
        if (!parseValue(0))
            return false;
        skipSpace();
        return m_p == m_end;
    }

    // Documents this route does not build as Qt does: a \u escape produced a lone surrogate (valid for Qt, but not
    // representable in UTF-8), or a string or key starts with U+FEFF (Qt's UTF-8 decoding drops it in some cases and
    // keeps it in others).
    bool needsQt() const { return m_needsQt; }
    const char* input() const { return m_begin; }

private:
    void skipSpace()
    {
        while (m_p < m_end && isSpace(*m_p))
            ++m_p;
    }

    Node& push(NodeType t)
    {
        m_tape.emplace_back();
        Node& n = m_tape.back();
        n.type = t;
        return n;
    }

    bool parseValue(int depth)
    {
        if (m_p >= m_end)
            return false;
        switch (*m_p) {
        case '{':
            return parseContainer(depth + 1, true);
        case '[':
            return parseContainer(depth + 1, false);
        case '"':
            ++m_p;
            return parseString();
        case 't':
            return literal("true", 4, NodeType::True);
        case 'f':
            return literal("false", 5, NodeType::False);
        case 'n':
            return literal("null", 4, NodeType::Null);
        default:
            return parseNumber();
        }
    }

    bool literal(const char* word, int n, NodeType t)
    {
        if (m_end - m_p < n || std::memcmp(m_p, word, size_t(n)) != 0)
            return false;
        m_p += n;
        push(t);
        return true;
    }

    bool parseNumber()
    {
        const char* start = m_p;
        bool isInt = true;
        if (m_p < m_end && *m_p == '-')
            ++m_p;
        if (m_p < m_end && *m_p == '0') {
            ++m_p;
        } else {
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (m_p < m_end && *m_p == '.') {
            isInt = false;
            ++m_p;
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            isInt = false;
            ++m_p;
            if (m_p < m_end && (*m_p == '-' || *m_p == '+'))
                ++m_p;
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (isInt) {
            // Digits only (after an optional '-'): the exact qint64 when it fits.
            const char* d = start;
            const bool negative = *d == '-';
            if (negative)
                ++d;
            if (d < m_p && m_p - d <= 19) {
                quint64 v = 0;
                for (const char* q = d; q < m_p; ++q)
                    v = v * 10 + quint64(*q - '0');
                const quint64 limit = negative ? quint64(1) << 63 : (quint64(1) << 63) - 1;
                if (v <= limit) {
                    push(NodeType::Integer).integer = negative ? qint64(0 - v) : qint64(v);
                    return true;
                }
            }
        }
        // Everything else the way Qt does it: QByteArray::toDouble (overflow and underflow are errors), then an
        // integral value in qint64's range becomes an integer.
        bool ok = false;
        const double d = QByteArray::fromRawData(start, m_p - start).toDouble(&ok);
        if (!ok)
            return false;
        constexpr double two63 = 9223372036854775808.0;
        if (d >= -two63 && d < two63 && double(qint64(d)) == d)
            push(NodeType::Integer).integer = qint64(d);
        else
            push(NodeType::Double).number = d;
        return true;
    }

    // After the opening quote.
    bool parseString()
    {
        const char* start = m_p;
        bool high = false;
        const char* stop = scanString(m_p, m_end, &high);
        if (stop >= m_end)
            return false;
        if (*stop == '"') {
            if (high
                && !validUtf8(
                    reinterpret_cast<const unsigned char*>(start), reinterpret_cast<const unsigned char*>(stop)))
                return false;
            if (high && startsWithBom(start, stop))
                m_needsQt = true;
            Node& n = push(NodeType::String);
            n.ascii = !high;
            n.str.offset = quint32(start - m_begin);
            n.str.length = quint32(stop - start);
            m_p = stop + 1;
            return true;
        }
        return parseEscapedString(start, stop);
    }

    static void appendUtf8(std::string& out, char32_t c)
    {
        if (c < 0x80) {
            out += char(c);
        } else if (c < 0x800) {
            out += char(0xc0 | (c >> 6));
            out += char(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out += char(0xe0 | (c >> 12));
            out += char(0x80 | ((c >> 6) & 0x3f));
            out += char(0x80 | (c & 0x3f));
        } else {
            out += char(0xf0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3f));
            out += char(0x80 | ((c >> 6) & 0x3f));
            out += char(0x80 | (c & 0x3f));
        }
    }

    static int hex4(const char* p)
    {
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexValue(p[i]);
            if (h < 0)
                return -1;
            v = v * 16 + h;
        }
        return v;
    }

    // The string has escapes: unescape it into the arena. [start, stop) is plain text, stop is the first '\\'.
    bool parseEscapedString(const char* start, const char* stop)
    {
        const size_t offset = m_arena.size();
        bool ascii = true;
        const char* p = start;
        bool high = true; // the first run was scanned before; validate it like any run with high bytes
        for (;;) {
            if (high) {
                const char* q = p;
                while (q < stop) {
                    const unsigned char c = static_cast<unsigned char>(*q);
                    if (c < 0x80) {
                        ++q;
                        continue;
                    }
                    char32_t cp;
                    const int n = decodeUtf8(
                        reinterpret_cast<const unsigned char*>(q), reinterpret_cast<const unsigned char*>(stop), &cp);
                    if (!n)
                        return false;
                    ascii = false;
                    q += n;
                }
            }
            m_arena.append(p, size_t(stop - p));
            p = stop;
            if (*p == '"')
                break;
            // an escape
            ++p;
            if (p >= m_end)
                return false;
            switch (*p) {
            case 'b':
                m_arena += '\b';
                break;
            case 'f':
                m_arena += '\f';
                break;
            case 'n':
                m_arena += '\n';
                break;
            case 'r':
                m_arena += '\r';
                break;
            case 't':
                m_arena += '\t';
                break;
            case 'u': {
                if (m_end - p < 5)
                    return false;
                const int u = hex4(p + 1);
                if (u < 0)
                    return false;
                p += 4;
                char32_t c = char32_t(u);
                if (u >= 0xd800 && u <= 0xdbff && m_end - p >= 7 && p[1] == '\\' && p[2] == 'u') {
                    const int low = hex4(p + 3);
                    if (low >= 0xdc00 && low <= 0xdfff) {
                        c = 0x10000 + ((char32_t(u) - 0xd800) << 10) + (char32_t(low) - 0xdc00);
                        p += 6;
                    }
                }
                if (c >= 0xd800 && c <= 0xdfff) {
                    m_needsQt = true;
                    c = 0xfffd; // placeholder; the document is handed to Qt
                }
                if (c >= 0x80)
                    ascii = false;
                appendUtf8(m_arena, c);
                break;
            }
            default: {
                // '"', '\\', '/' and (like Qt) any other byte stand for themselves, a byte >= 0x80 as U+0080..U+00FF
                const unsigned char c = static_cast<unsigned char>(*p);
                if (c >= 0x80)
                    ascii = false;
                appendUtf8(m_arena, c);
            }
            }
            ++p;
            high = false;
            stop = scanString(p, m_end, &high);
            if (stop >= m_end)
                return false;
        }
        m_p = p + 1;
        if (startsWithBom(m_arena.data() + offset, m_arena.data() + m_arena.size()))
            m_needsQt = true;
        Node& n = push(NodeType::String);
        n.inArena = true;
        n.ascii = ascii;
        n.str.offset = quint32(offset);
        n.str.length = quint32(m_arena.size() - offset);
        return true;
    }

    bool parseContainer(int depth, bool object)
    {
        if (depth > MaxDepth)
            return false;
        ++m_p; // '{' or '['
        const size_t at = m_tape.size();
        push(object ? NodeType::Object : NodeType::Array);
        quint32 count = 0;
        skipSpace();
        const char close = object ? '}' : ']';
        if (m_p < m_end && *m_p == close) {
            ++m_p;
        } else {
            for (;;) {
                skipSpace();
                if (object) {
                    if (m_p >= m_end || *m_p != '"')
                        return false;
                    ++m_p;
                    if (!parseString())
                        return false;
                    skipSpace();
                    if (m_p >= m_end || *m_p != ':')
                        return false;
                    ++m_p;
                    skipSpace();
                }
                if (!parseValue(depth))
                    return false;
                ++count;
                skipSpace();
                if (m_p >= m_end)
                    return false;
                if (*m_p == ',') {
                    ++m_p;
                    continue;
                }
                if (*m_p != close)
                    return false;
                ++m_p;
                break;
            }
        }
        Node& n = m_tape[at];
        n.count = count;
        n.end = quint32(m_tape.size());
        return true;
    }

    const char* m_begin;
    const char* m_p;
    const char* m_end;
    std::vector<Node>& m_tape;
    std::string& m_arena;
    bool m_needsQt = false;
};

// ---- pass 2: the tape as CBOR, object keys in QJsonObject's order (UTF-16 code units), duplicates: last wins ----

class CborWriter
{
public:
    CborWriter(const char* input, Scratch& s)
        : m_input(input)
        , m_tape(s.tape)
        , m_arena(s.arena)
        , m_members(s.members)
        , m_out(s.cbor)
    {
        m_out.resize(0);
        m_members.clear();
    }

    void write(quint32 index = 0) { writeNode(index); }

private:
    QByteArrayView bytes(const Node& n) const
    {
        const char* base = n.inArena ? m_arena.data() : m_input;
        return QByteArrayView(base + n.str.offset, n.str.length);
    }

    // QJsonDocument::fromJson orders keys by code point, which is the byte order of their UTF-8.
    bool keyLess(quint32 a, quint32 b) const { return bytes(m_tape[a]).compare(bytes(m_tape[b])) < 0; }

    bool keyEqual(quint32 a, quint32 b) const { return bytes(m_tape[a]) == bytes(m_tape[b]); }

    void head(quint8 major, quint64 n)
    {
        const char m = char(major << 5);
        if (n < 24) {
            m_out.append(char(m | char(n)));
        } else if (n < 0x100) {
            const char b[2] = {char(m | 24), char(n)};
            m_out.append(b, 2);
        } else if (n < 0x10000) {
            const char b[3] = {char(m | 25), char(n >> 8), char(n)};
            m_out.append(b, 3);
        } else if (n < 0x100000000ull) {
            const char b[5] = {char(m | 26), char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
            m_out.append(b, 5);
        } else {
            char b[9] = {char(m | 27)};
            for (int i = 0; i < 8; ++i)
                b[1 + i] = char(n >> (56 - 8 * i));
            m_out.append(b, 9);
        }
    }

    // Writes the subtree at `i`; returns the index after it.
    quint32 writeNode(quint32 i)
    {
        const Node& n = m_tape[i];
        switch (n.type) {
        case NodeType::String: {
            const QByteArrayView b = bytes(n);
            head(3, quint64(b.size()));
            m_out.append(b.data(), b.size());
            return i + 1;
        }
        case NodeType::Integer:
            if (n.integer >= 0)
                head(0, quint64(n.integer));
            else
                head(1, quint64(-1 - n.integer));
            return i + 1;
        case NodeType::Double: {
            quint64 bits;
            std::memcpy(&bits, &n.number, sizeof bits);
            char b[9] = {char(0xfb)};
            for (int k = 0; k < 8; ++k)
                b[1 + k] = char(bits >> (56 - 8 * k));
            m_out.append(b, 9);
            return i + 1;
        }
        case NodeType::False:
            m_out.append(char(0xf4));
            return i + 1;
        case NodeType::True:
            m_out.append(char(0xf5));
            return i + 1;
        case NodeType::Null:
            m_out.append(char(0xf6));
            return i + 1;
        case NodeType::Array: {
            head(4, n.count);
            quint32 c = i + 1;
            for (quint32 k = 0; k < n.count; ++k)
                c = writeNode(c);
            return n.end;
        }
        case NodeType::Object:
            return writeObject(i);
        }
        return i + 1;
    }

    quint32 writeObject(quint32 i)
    {
        const Node& n = m_tape[i];
        const quint32 count = n.count;
        const quint32 end = n.end;
        // the key node index of each member, in document order
        const size_t base = m_members.size();
        bool sorted = true;
        quint32 c = i + 1;
        for (quint32 k = 0; k < count; ++k) {
            if (sorted && k > 0 && !keyLess(m_members.back(), c))
                sorted = false;
            m_members.push_back(c);
            const Node& value = m_tape[c + 1];
            c = (value.type == NodeType::Object || value.type == NodeType::Array) ? value.end : c + 2;
        }
        auto first = m_members.begin() + qsizetype(base);
        auto last = m_members.end();
        if (!sorted) {
            if (last - first <= 32) {
                // small objects (the usual case): a stable insertion sort, without stable_sort's buffer allocation
                for (auto it = first + 1; it != last; ++it) {
                    const quint32 key = *it;
                    auto hole = it;
                    for (; hole != first && keyLess(key, *(hole - 1)); --hole)
                        *hole = *(hole - 1);
                    *hole = key;
                }
            } else {
                std::stable_sort(first, last, [this](quint32 a, quint32 b) { return keyLess(a, b); });
            }
            // duplicates are adjacent now, in document order: keep the last of each run
            auto out = first;
            for (auto it = first; it != last; ++it) {
                if (it + 1 != last && keyEqual(*it, *(it + 1)))
                    continue;
                *out++ = *it;
            }
            m_members.resize(size_t(out - m_members.begin()));
        }
        const size_t unique = m_members.size() - base;
        head(5, unique);
        for (size_t k = 0; k < unique; ++k) {
            const quint32 key = m_members[base + k];
            writeNode(key);
            writeNode(key + 1);
        }
        m_members.resize(base);
        return end;
    }

    const char* m_input;
    const std::vector<Node>& m_tape;
    const std::string& m_arena;
    std::vector<quint32>& m_members;
    QByteArray& m_out;
};

// QJsonObject and QCborMap (QJsonArray and QCborArray) are the same thing inside: one shared pointer to a
// QCborContainerPrivate. QCborMap::fromJsonObject() shares it one way; this is the other way, valid for a map whose
// keys are strings, sorted and unique, holding only JSON types, which is what CborWriter produces.
static_assert(sizeof(QJsonObject) == sizeof(QCborMap) && sizeof(QJsonArray) == sizeof(QCborArray));

QJsonObject sharedObject(const QCborMap& map)
{
    return *reinterpret_cast<const QJsonObject*>(&map);
}

QJsonArray sharedArray(const QCborArray& array)
{
    return *reinterpret_cast<const QJsonArray*>(&array);
}

// Builds the document from a successfully parsed tape; null when the CBOR route cannot represent it.
// The subtree at `index` of a parsed tape as a QCborValue (invalid on failure).
QCborValue subtreeAsCbor(const char* input, Scratch& s, quint32 index)
{
    CborWriter writer(input, s);
    writer.write(index);
    QCborParserError cborError;
    QCborValue value = QCborValue::fromCbor(s.cbor, &cborError);
    if (cborError.error != QCborError::NoError)
        return QCborValue(QCborValue::Invalid);
    return value;
}

QJsonDocument buildDocument(const TapeParser& parser, Scratch& s)
{
    if (parser.needsQt())
        return {};
    const QCborValue root = subtreeAsCbor(parser.input(), s, 0);
    if (root.isMap())
        return QJsonDocument(sharedObject(root.toMap()));
    if (root.isArray())
        return QJsonDocument(sharedArray(root.toArray()));
    return {};
}

// Whether sharing a CBOR container as a JSON one behaves here as it does with the Qt this was written for: checked
// once per process against Qt's own parser; if it ever fails, every parse goes to QJsonDocument::fromJson.
bool sharingWorks()
{
    static const bool works = [] {
        const QByteArray sample = "{\"z\":[1,-2,2.5,\"x\\n\\u00e9\",true,null,{}],\"a\":{\"k\":\"\xc3\xa9t\xc3\xa9\","
                                  "\"b\":false},\"m\":\"ascii\",\"m\":\"last\"}";
        Scratch s;
        TapeParser parser(sample.constData(), sample.constData() + sample.size(), s);
        if (!parser.parseDocument())
            return false;
        const QJsonDocument ours = buildDocument(parser, s);
        const QJsonDocument qt = QJsonDocument::fromJson(sample);
        const QJsonObject o = ours.object();
        return !ours.isNull() && ours == qt && o.value(QLatin1String("m")).toString() == QLatin1String("last")
            && o.value(QLatin1String("a")).toObject().value(QLatin1String("k")).toString()
            == QString::fromUtf8("\xc3\xa9t\xc3\xa9")
            && o.keys() == qt.object().keys()
            && ours.toJson(QJsonDocument::Compact) == qt.toJson(QJsonDocument::Compact);
    }();
    return works;
}

} // namespace

QJsonDocument parse(QByteArrayView json, QJsonParseError* error)
{
    // Small documents (stream chunks): Qt's parser builds its containers directly and is the fastest way to a
    // QJsonDocument. Large ones (request and response bodies, full of escaped text that Qt decodes one character at a
    // time): our scanner, CBOR, and Qt's CBOR decoder, about 4x faster.
    if (json.size() < SmallDocument) {
        QJsonParseError qtError;
        QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &qtError);
        if (error)
            *error = qtError;
        return doc;
    }
    return parseLarge(json, error);
}

QJsonDocument parseLarge(QByteArrayView json, QJsonParseError* error)
{
    if (sharingWorks()) {
        Scratch& s = scratch();
        TapeParser parser(json.data(), json.data() + json.size(), s);
        if (parser.parseDocument()) {
            QJsonDocument doc = buildDocument(parser, s);
            if (!doc.isNull()) {
                if (error) {
                    error->error = QJsonParseError::NoError;
                    error->offset = 0;
                }
                return doc;
            }
        }
    }
    // Invalid input (or a document the fast route does not take): Qt parses it and describes the error, so messages
    // and offsets stay exactly the ones callers and tests know.
    QJsonParseError qtError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &qtError);
    if (error)
        *error = qtError;
    return doc;
}

QJsonObject parseObject(QByteArrayView json, bool* ok)
{
    const QJsonDocument doc = parse(json);
    if (ok)
        *ok = doc.isObject();
    return doc.object();
}

bool isObject(QByteArrayView json)
{
    const char* p = json.data();
    const char* end = p + json.size();
    if (end - p >= 3 && static_cast<unsigned char>(p[0]) == 0xef && static_cast<unsigned char>(p[1]) == 0xbb
        && static_cast<unsigned char>(p[2]) == 0xbf)
        p += 3;
    while (p < end && isSpace(*p))
        ++p;
    if (p >= end || *p != '{')
        return false;
    Scratch& s = scratch();
    TapeParser parser(json.data(), end, s);
    return parser.parseDocument();
}

// ---- TapeDocument / TapeValue ----

namespace {

detail::TapeStorage& readerStorage()
{
    static thread_local detail::TapeStorage s;
    return s;
}

} // namespace

TapeDocument::TapeDocument()
{
    detail::TapeStorage& shared = readerStorage();
    m_ownStorage = shared.inUse; // a document alive on this thread already: use a tape of our own
    m_storage = m_ownStorage ? new detail::TapeStorage : &shared;
    m_storage->inUse = true;
}

TapeDocument::~TapeDocument()
{
    if (m_ownStorage)
        delete m_storage;
    else
        m_storage->inUse = false;
}

bool TapeDocument::parse(QByteArrayView json)
{
    m_parsed = false;
    if (!sharingWorks())
        return false; // toJsonObject() could not share what Qt's CBOR decoder builds
    TapeParser parser(json.data(), json.data() + json.size(), m_storage->scratch);
    if (!parser.parseDocument() || parser.needsQt())
        return false;
    m_storage->input = json.data();
    m_parsed = true;
    return true;
}

TapeValue TapeDocument::root() const
{
    return m_parsed ? TapeValue(this, 0) : TapeValue();
}

namespace {

inline const Node& nodeOf(const detail::TapeStorage* s, quint32 index)
{
    return s->scratch.tape[index];
}

inline QByteArrayView stringBytes(const detail::TapeStorage* s, const Node& n)
{
    const char* base = n.inArena ? s->scratch.arena.data() : s->input;
    return QByteArrayView(base + n.str.offset, n.str.length);
}

// The index after the value at `index`.
inline quint32 skip(const detail::TapeStorage* s, quint32 index)
{
    const Node& n = nodeOf(s, index);
    return (n.type == NodeType::Object || n.type == NodeType::Array) ? n.end : index + 1;
}

} // namespace

#define SY_TAPE_NODE() nodeOf(m_doc->m_storage, m_index)

bool TapeValue::isNull() const
{
    return m_doc && SY_TAPE_NODE().type == NodeType::Null;
}

bool TapeValue::isBool() const
{
    return m_doc && (SY_TAPE_NODE().type == NodeType::True || SY_TAPE_NODE().type == NodeType::False);
}

bool TapeValue::isDouble() const
{
    return m_doc && (SY_TAPE_NODE().type == NodeType::Integer || SY_TAPE_NODE().type == NodeType::Double);
}

bool TapeValue::isString() const
{
    return m_doc && SY_TAPE_NODE().type == NodeType::String;
}

bool TapeValue::isArray() const
{
    return m_doc && SY_TAPE_NODE().type == NodeType::Array;
}

bool TapeValue::isObject() const
{
    return m_doc && SY_TAPE_NODE().type == NodeType::Object;
}

bool TapeValue::toBool(bool defaultValue) const
{
    if (!isBool())
        return defaultValue;
    return SY_TAPE_NODE().type == NodeType::True;
}

double TapeValue::toDouble(double defaultValue) const
{
    if (!m_doc)
        return defaultValue;
    const Node& n = SY_TAPE_NODE();
    if (n.type == NodeType::Integer)
        return double(n.integer);
    if (n.type == NodeType::Double)
        return n.number;
    return defaultValue;
}

int TapeValue::toInt(int defaultValue) const
{
    if (!m_doc)
        return defaultValue;
    const Node& n = SY_TAPE_NODE();
    if (n.type == NodeType::Integer)
        return qint64(int(n.integer)) == n.integer ? int(n.integer) : defaultValue;
    if (n.type == NodeType::Double) {
        // integral doubles within qint64 are stored as integers, so this one is not an exact int
        const double d = n.number;
        if (d >= double(std::numeric_limits<int>::min()) && d <= double(std::numeric_limits<int>::max())
            && double(int(d)) == d)
            return int(d);
    }
    return defaultValue;
}

QString TapeValue::toString() const
{
    if (!isString())
        return QString();
    const Node& n = SY_TAPE_NODE();
    const QByteArrayView b = stringBytes(m_doc->m_storage, n);
    return n.ascii ? QString::fromLatin1(b.data(), b.size()) : QString::fromUtf8(b);
}

bool TapeValue::equals(QLatin1StringView s) const
{
    if (!isString())
        return false;
    return stringBytes(m_doc->m_storage, SY_TAPE_NODE()) == QByteArrayView(s.data(), s.size());
}

TapeValue TapeValue::value(QLatin1StringView key) const
{
    if (!isObject())
        return TapeValue();
    const detail::TapeStorage* st = m_doc->m_storage;
    const Node& obj = SY_TAPE_NODE();
    const QByteArrayView k(key.data(), key.size());
    quint32 found = 0;
    quint32 c = m_index + 1;
    for (quint32 i = 0; i < obj.count; ++i) {
        if (stringBytes(st, nodeOf(st, c)) == k)
            found = c + 1; // the last one wins
        c = skip(st, c + 1);
    }
    return found ? TapeValue(m_doc, found) : TapeValue();
}

bool TapeValue::contains(QLatin1StringView key) const
{
    return !value(key).isUndefined();
}

qsizetype TapeValue::size() const
{
    if (!isObject() && !isArray())
        return 0;
    return SY_TAPE_NODE().count;
}

TapeValue::const_iterator& TapeValue::const_iterator::operator++()
{
    m_index = skip(m_doc->m_storage, m_index);
    return *this;
}

TapeValue::const_iterator TapeValue::begin() const
{
    return isArray() ? const_iterator(m_doc, m_index + 1) : const_iterator(m_doc, 0);
}

TapeValue::const_iterator TapeValue::end() const
{
    return isArray() ? const_iterator(m_doc, SY_TAPE_NODE().end) : const_iterator(m_doc, 0);
}

QJsonObject TapeValue::toJsonObject() const
{
    if (!isObject())
        return QJsonObject();
    if (SY_TAPE_NODE().count == 0)
        return QJsonObject();
    detail::TapeStorage* st = m_doc->m_storage;
    const QCborValue v = subtreeAsCbor(st->input, st->scratch, m_index);
    return v.isMap() ? sharedObject(v.toMap()) : QJsonObject();
}

QJsonValue TapeValue::toJsonValue() const
{
    if (!m_doc)
        return QJsonValue(QJsonValue::Undefined);
    const Node& n = SY_TAPE_NODE();
    switch (n.type) {
    case NodeType::Object:
        return toJsonObject();
    case NodeType::Array: {
        if (n.count == 0)
            return QJsonArray();
        detail::TapeStorage* st = m_doc->m_storage;
        const QCborValue v = subtreeAsCbor(st->input, st->scratch, m_index);
        return v.isArray() ? QJsonValue(sharedArray(v.toArray())) : QJsonValue(QJsonArray());
    }
    case NodeType::String:
        return toString();
    case NodeType::Integer:
        return QJsonValue(n.integer);
    case NodeType::Double:
        return n.number;
    case NodeType::True:
        return true;
    case NodeType::False:
        return false;
    case NodeType::Null:
        return QJsonValue(QJsonValue::Null);
    }
    return QJsonValue(QJsonValue::Undefined);
}

#undef SY_TAPE_NODE

} // namespace sy::json
