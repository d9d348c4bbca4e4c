// Differential fuzzing of the fast JSON parser and writer against Qt's: any input must give the same document (or
// both an error), and writing that document back must be byte-identical to Qt's compact JSON.

#include "common/fastjson.h"
#include "common/jsonwriter.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    QJsonParseError qtError;
    const QJsonDocument expected = QJsonDocument::fromJson(input, &qtError);
    QJsonParseError ourError;
    const QJsonDocument ours = sy::json::parse(input, &ourError);
    const QJsonDocument large = sy::json::parseLarge(input, &ourError);
    if ((qtError.error == QJsonParseError::NoError) != (ourError.error == QJsonParseError::NoError))
        std::abort();
    if (ours != expected || large != expected)
        std::abort();
    if (sy::json::isObject(input) != expected.isObject())
        std::abort();
    if (expected.isObject() && sy::compactJson(expected.object()) != expected.toJson(QJsonDocument::Compact))
        std::abort();
    return 0;
}
