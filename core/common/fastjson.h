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
// that route cannot carry (lone surrogate escapes) and invalid input go to Qt's parser, so on an error the result is
// a null document and `error` is exactly what QJsonDocument::fromJson reports.

#include <QByteArrayView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace sy::json {

QJsonDocument parse(QByteArrayView json, QJsonParseError* error = nullptr);
// parse() without the small-document shortcut: always the scanner route (tests use it to cover that route).
QJsonDocument parseLarge(QByteArrayView json, QJsonParseError* error = nullptr);

// The root object of `json`; an empty object when it is not a JSON object (like
// QJsonDocument::fromJson(json).object()). `ok` (optional) says whether `json` was a valid JSON object.
QJsonObject parseObject(QByteArrayView json, bool* ok = nullptr);

// Whether `json` is a complete, valid JSON object document (like QJsonDocument::fromJson(json).isObject()).
bool isObject(QByteArrayView json);

} // namespace sy::json
