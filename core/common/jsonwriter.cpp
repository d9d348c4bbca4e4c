#include "jsonwriter.h"

#include <QJsonDocument>
#include <QLocale>
#include <QVariant>

#include <cmath>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace sy {

namespace {

const char hexDigits[] = "0123456789abcdef";

// Grows `out` by at most `extra` bytes and returns where to write; finish with out.resize(written end).
inline char* grow(QByteArray& out, qsizetype extra)
{
    const qsizetype old = out.size();
    out.resize(old + extra);
    return out.data() + old;
}

inline char* writeUnicodeEscape(char* d, char16_t u)
{
    *d++ = '\\';
    *d++ = 'u';
    *d++ = hexDigits[(u >> 12) & 15];
    *d++ = hexDigits[(u >> 8) & 15];
    *d++ = hexDigits[(u >> 4) & 15];
    *d++ = hexDigits[u & 15];
    return d;
}

// UTF-16 -> UTF-8 JSON string body. QtStyle: escapes exactly like QJsonDocument's writer (\b \f, lone surrogates as
// \uXXXX); otherwise like appendJsonString's UTF-8 overload applied to toUtf8() (\u0008 \u000c, lone surrogates '?').
template<bool QtStyle> void appendUtf16(QByteArray& out, QStringView s)
{
    const char16_t* p = s.utf16();
    const char16_t* end = p + s.size();
    char* const begin = grow(out, 6 * s.size() + 2);
    char* d = begin;
    *d++ = '"';
    while (p < end) {
#ifdef __SSE2__
        // 8 plain ASCII characters (0x20..0x7f, no '"' or '\\') at a time, the common case.
        while (end - p >= 8) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            // signed compares: every unit >= 0x80 (and >= 0x8000) fails "> 0x1f && < 0x80"
            const __m128i ok
                = _mm_and_si128(_mm_cmpgt_epi16(v, _mm_set1_epi16(0x1f)), _mm_cmplt_epi16(v, _mm_set1_epi16(0x80)));
            const __m128i special
                = _mm_or_si128(_mm_cmpeq_epi16(v, _mm_set1_epi16('"')), _mm_cmpeq_epi16(v, _mm_set1_epi16('\\')));
            if (_mm_movemask_epi8(_mm_andnot_si128(special, ok)) != 0xffff)
                break;
            _mm_storel_epi64(reinterpret_cast<__m128i*>(d), _mm_packus_epi16(v, v));
            d += 8;
            p += 8;
        }
        if (p >= end)
            break;
#endif
        const char16_t u = *p++;
        if (u < 0x80) {
            if (u >= 0x20 && u != '"' && u != '\\') {
                *d++ = char(u);
                continue;
            }
            *d++ = '\\';
            switch (u) {
            case '"':
                *d++ = '"';
                break;
            case '\\':
                *d++ = '\\';
                break;
            case '\n':
                *d++ = 'n';
                break;
            case '\r':
                *d++ = 'r';
                break;
            case '\t':
                *d++ = 't';
                break;
            case '\b':
                if (QtStyle) {
                    *d++ = 'b';
                    break;
                }
                Q_FALLTHROUGH();
            case '\f':
                if (QtStyle && u == '\f') {
                    *d++ = 'f';
                    break;
                }
                Q_FALLTHROUGH();
            default:
                --d;
                d = writeUnicodeEscape(d, u);
            }
        } else if (u < 0x800) {
            *d++ = char(0xc0 | (u >> 6));
            *d++ = char(0x80 | (u & 0x3f));
        } else if (u >= 0xd800 && u <= 0xdfff) {
            if (u <= 0xdbff && p < end && *p >= 0xdc00 && *p <= 0xdfff) {
                const char32_t c = 0x10000 + ((char32_t(u) - 0xd800) << 10) + (char32_t(*p++) - 0xdc00);
                *d++ = char(0xf0 | (c >> 18));
                *d++ = char(0x80 | ((c >> 12) & 0x3f));
                *d++ = char(0x80 | ((c >> 6) & 0x3f));
                *d++ = char(0x80 | (c & 0x3f));
            } else if (QtStyle) {
                d = writeUnicodeEscape(d, u);
            } else {
                *d++ = '?';
            }
        } else {
            *d++ = char(0xe0 | (u >> 12));
            *d++ = char(0x80 | ((u >> 6) & 0x3f));
            *d++ = char(0x80 | (u & 0x3f));
        }
    }
    *d++ = '"';
    out.resize(out.size() - (6 * s.size() + 2) + (d - begin));
}

void appendNumber(QByteArray& out, const QJsonValue& v)
{
    const QVariant var = v.toVariant();
    if (var.typeId() == QMetaType::LongLong) {
        out += QByteArray::number(var.toLongLong());
        return;
    }
    const double d = v.toDouble();
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    if (d != std::trunc(d)) {
        out += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
        return;
    }
    if (std::abs(d) < 9007199254740992.0 && !(d == 0 && std::signbit(d))) {
        out += QByteArray::number(qint64(d)); // what the 'f' shortest form of an exact integer is
        return;
    }
    // Rare (huge integral doubles, -0.0): let Qt format it, inside an array, and keep the element.
    const QByteArray doc = QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact);
    out += QByteArrayView(doc).sliced(1, doc.size() - 2);
}

void appendValue(QByteArray& out, const QJsonValue& v);

void appendObject(QByteArray& out, const QJsonObject& o)
{
    out += '{';
    bool first = true;
    for (auto it = o.constBegin(), end = o.constEnd(); it != end; ++it) {
        if (!first)
            out += ',';
        first = false;
        appendUtf16<true>(out, it.key());
        out += ':';
        appendValue(out, it.value());
    }
    out += '}';
}

void appendArray(QByteArray& out, const QJsonArray& a)
{
    out += '[';
    bool first = true;
    for (const auto& v : a) {
        if (!first)
            out += ',';
        first = false;
        appendValue(out, v);
    }
    out += ']';
}

void appendValue(QByteArray& out, const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += v.toBool() ? QByteArrayView("true") : QByteArrayView("false");
        break;
    case QJsonValue::Double:
        appendNumber(out, v);
        break;
    case QJsonValue::String:
        appendUtf16<true>(out, v.toString());
        break;
    case QJsonValue::Array:
        appendArray(out, v.toArray());
        break;
    case QJsonValue::Object:
        appendObject(out, v.toObject());
        break;
    }
}

} // namespace

void appendJsonString(QByteArray& out, QByteArrayView utf8)
{
    out.reserve(out.size() + utf8.size() + 2);
    out.append('"');
    const char* p = utf8.data();
    const char* end = p + utf8.size();
    const char* run = p;
    for (; p < end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out.append("\\\"", 2);
            break;
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        default: {
            const char esc[6] = {'\\', 'u', '0', '0', hexDigits[c >> 4], hexDigits[c & 15]};
            out.append(esc, 6);
        }
        }
    }
    out.append(run, end - run);
    out.append('"');
}

void appendJsonString(QByteArray& out, QStringView s)
{
    appendUtf16<false>(out, s);
}

void appendCompactJsonString(QByteArray& out, QStringView s)
{
    appendUtf16<true>(out, s);
}

void appendCompactJson(QByteArray& out, const QJsonObject& o)
{
    appendObject(out, o);
}

void appendCompactJson(QByteArray& out, const QJsonArray& a)
{
    appendArray(out, a);
}

void appendCompactJson(QByteArray& out, const QJsonValue& v)
{
    appendValue(out, v);
}

QByteArray compactJson(const QJsonObject& o)
{
    QByteArray out;
    out.reserve(256);
    appendObject(out, o);
    return out;
}

QByteArray compactJson(const QJsonArray& a)
{
    QByteArray out;
    out.reserve(256);
    appendArray(out, a);
    return out;
}

QByteArray compactJson(const QJsonValue& v)
{
    QByteArray out;
    appendValue(out, v);
    return out;
}

} // namespace sy
