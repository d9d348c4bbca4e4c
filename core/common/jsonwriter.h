#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringView>

namespace sy {

// Appends `s` as a quoted JSON string (UTF-8, minimal escaping). Faster than building QJsonDocuments on hot paths.
// The QStringView overload writes what the UTF-8 overload writes for s.toUtf8() (a lone surrogate becomes '?').
void appendJsonString(QByteArray& out, QStringView s);
void appendJsonString(QByteArray& out, QByteArrayView utf8);

// Compact JSON, byte-identical to QJsonDocument(...).toJson(QJsonDocument::Compact) (same key order, escaping and
// number formatting), several times faster.
QByteArray compactJson(const QJsonObject& o);
QByteArray compactJson(const QJsonArray& a);
// A single value; an object or array as above, a string quoted, a number formatted like inside a document.
QByteArray compactJson(const QJsonValue& v);
void appendCompactJson(QByteArray& out, const QJsonObject& o);
void appendCompactJson(QByteArray& out, const QJsonArray& a);
void appendCompactJson(QByteArray& out, const QJsonValue& v);
// A string exactly as compactJson writes a string value (Qt's escaping: \b and \f, a lone surrogate as \uXXXX), for
// writers that build documents byte-identical to compactJson of a QJsonObject without building the object.
void appendCompactJsonString(QByteArray& out, QStringView s);

} // namespace sy
