#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace sy {

// A validator for the subset of JSON Schema (draft 2020-12) that the config schema uses: type (one name or a
// list), properties, required, additionalProperties (bool or schema), items, enum, const, minimum, maximum,
// minLength, minItems, pattern, anyOf, oneOf, $ref to "#/$defs/<name>". Reports the first violation as
// {path, message}, with paths written like "providers[0].kind".
class JsonSchema
{
public:
    explicit JsonSchema(const QJsonObject& schema);

    struct Violation
    {
        QString path;
        QString message;
        bool isEmpty() const { return message.isEmpty(); }
    };
    Violation validate(const QJsonValue& value) const;

    // The schema shipped in resources/ (:/core/config.schema.json).
    static const JsonSchema& configSchema();

private:
    Violation check(const QJsonValue& value, const QJsonObject& schema, const QString& path) const;
    QJsonObject resolve(const QJsonObject& schema) const;
    QJsonObject m_root;
};

} // namespace sy
