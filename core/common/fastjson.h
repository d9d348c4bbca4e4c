#pragma once

// A fast JSON reader that produces the Qt JSON types the rest of the code uses. It accepts exactly what
// QJsonDocument::fromJson accepts and builds equal documents (tests/core/tst_fastjson.cpp holds it to that):
//  * the root is an object or an array, optionally after a UTF-8 BOM; whitespace is space, tab, CR, LF;
//  * numbers without fraction or exponent that fit qint64 are integers; every other number is parsed as a double and
//    stored as an integer when it is integral and fits qint64 (1.0 and 1e2 are integers, like Qt); a number that
//    overflows or underflows a double is an error;
//  * strings must be valid UTF-8 (no overlongs, no encoded surrogates); like Qt, raw control characters are kept, an
//    unknown escape `\x` stands for `x`, and \u escapes are UTF-16 code units (a lone surrogate stays one);
//  * duplicate keys: the last one wins; nesting deeper than Qt's limit (1024) is an error.
// How: small documents go to QJsonDocument::fromJson, which is fastest for them. Large ones are scanned into a tape
// (strings unescaped as UTF-8), written as CBOR with object keys in QJsonObject's order, and decoded by
// QCborValue::fromCbor, whose containers are the ones QJsonObject/QJsonArray use (shared, not converted). Documents
// that route cannot carry (lone surrogate escapes, strings starting with U+FEFF) and invalid input go to Qt's parser,
// so on an error the result is a null document and `error` is exactly what QJsonDocument::fromJson reports.

#include <QByteArrayView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QString>

namespace sy::json {

QJsonDocument parse(QByteArrayView json, QJsonParseError* error = nullptr);
// parse() without the small-document shortcut: always the scanner route (tests use it to cover that route).
QJsonDocument parseLarge(QByteArrayView json, QJsonParseError* error = nullptr);

// The root object of `json`; an empty object when it is not a JSON object (like
// QJsonDocument::fromJson(json).object()). `ok` (optional) says whether `json` was a valid JSON object.
QJsonObject parseObject(QByteArrayView json, bool* ok = nullptr);

// Whether `json` is a complete, valid JSON object document (like QJsonDocument::fromJson(json).isObject()).
bool isObject(QByteArrayView json);

namespace detail {
struct TapeStorage;
}

class TapeDocument;

// A value inside a TapeDocument: the reading side of QJsonValue, QJsonObject and QJsonArray in one type, without
// building Qt containers. Strings become QStrings only when asked; a subtree becomes a QJsonObject only when asked.
// Every accessor answers what the same accessor of the QJsonValue (QJsonObject, QJsonArray) that parse() builds
// answers: value() of a missing key or of a non-object is undefined, duplicate keys: the last one wins, toString() of
// a non-string is empty, toInt() like QJsonValue::toInt(). Valid while its document lives.
class TapeValue
{
public:
    TapeValue() = default; // undefined

    bool isUndefined() const { return !m_doc; }
    bool isNull() const;
    bool isBool() const;
    bool isDouble() const; // any number, like QJsonValue::isDouble()
    bool isString() const;
    bool isArray() const;
    bool isObject() const;

    bool toBool(bool defaultValue = false) const;
    double toDouble(double defaultValue = 0) const;
    int toInt(int defaultValue = 0) const;
    QString toString() const;
    // Whether this is a string equal to `s`.
    bool equals(QLatin1StringView s) const;

    // Object members (an undefined value for a non-object or a missing key).
    TapeValue value(QLatin1StringView key) const;
    bool contains(QLatin1StringView key) const;
    // Array elements or object members (a key with duplicates counts once per occurrence); 0 for scalars.
    qsizetype size() const;
    bool isEmpty() const { return size() == 0; }

    // The elements of an array (nothing for anything else), in order.
    class const_iterator
    {
    public:
        TapeValue operator*() const { return TapeValue(m_doc, m_index); }
        const_iterator& operator++();
        bool operator!=(const const_iterator& o) const { return m_index != o.m_index; }
        bool operator==(const const_iterator& o) const { return m_index == o.m_index; }

    private:
        friend class TapeValue;
        const_iterator(const TapeDocument* doc, quint32 index)
            : m_doc(doc)
            , m_index(index)
        {
        }
        const TapeDocument* m_doc;
        quint32 m_index;
    };
    const_iterator begin() const;
    const_iterator end() const;

    // The value as Qt builds it (parse()'s result for the same text): a QJsonObject when this is an object (else an
    // empty one), a QJsonValue of any kind.
    QJsonObject toJsonObject() const;
    QJsonValue toJsonValue() const;

private:
    friend class TapeDocument;
    TapeValue(const TapeDocument* doc, quint32 index)
        : m_doc(doc)
        , m_index(index)
    {
    }
    const TapeDocument* m_doc = nullptr;
    quint32 m_index = 0;
};

// A JSON document parsed into a flat tape (see parse()) and read through TapeValues.
class TapeDocument
{
public:
    TapeDocument();
    ~TapeDocument();
    TapeDocument(const TapeDocument&) = delete;
    TapeDocument& operator=(const TapeDocument&) = delete;

    // Parses `json`, which must outlive the document's use. False for what parse() rejects and for documents the
    // tape cannot represent as parse() would (a \u escape of a lone surrogate, a string starting with U+FEFF): use
    // parse() for those.
    bool parse(QByteArrayView json);
    // The root object or array (undefined before a successful parse).
    TapeValue root() const;

private:
    friend class TapeValue;
    detail::TapeStorage* m_storage;
    bool m_ownStorage;
    bool m_parsed = false;
};

} // namespace sy::json
