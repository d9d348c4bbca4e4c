#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QStringView>

namespace sy {

// Appends `s` as a quoted JSON string (UTF-8, minimal escaping). Faster than building QJsonDocuments on hot paths.
void appendJsonString(QByteArray& out, QStringView s);
void appendJsonString(QByteArray& out, QByteArrayView utf8);
// Compact JSON of an object.
QByteArray compactJson(const QJsonObject& o);

} // namespace sy
