#include "jsonschema.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace sy {

namespace {

QString typeOf(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double:
        return v.toDouble() == double(qint64(v.toDouble())) ? QStringLiteral("integer") : QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

bool typeMatches(const QString& actual, const QString& wanted)
{
    return actual == wanted || (wanted == QLatin1String("number") && actual == QLatin1String("integer"));
}

QString join(const QString& path, const QString& key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString describe(const QJsonValue& v)
{
    if (v.isString())
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    return QString::fromUtf8(QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

} // namespace

JsonSchema::JsonSchema(const QJsonObject& schema)
    : m_root(schema)
{
}

const JsonSchema& JsonSchema::configSchema()
{
    static const JsonSchema schema = []() {
        QFile f(QStringLiteral(":/core/config.schema.json"));
        f.open(QIODevice::ReadOnly);
        return JsonSchema(QJsonDocument::fromJson(f.readAll()).object());
    }();
    return schema;
}

JsonSchema::Violation JsonSchema::validate(const QJsonValue& value) const
{
    return check(value, m_root, QString());
}

QJsonObject JsonSchema::resolve(const QJsonObject& schema) const
{
    const QString ref = schema.value(QLatin1String("$ref")).toString();
    if (!ref.startsWith(QLatin1String("#/$defs/")))
        return schema;
    return m_root.value(QLatin1String("$defs")).toObject().value(ref.mid(8)).toObject();
}

JsonSchema::Violation JsonSchema::check(
    const QJsonValue& value, const QJsonObject& rawSchema, const QString& path) const
{
    const QJsonObject schema = resolve(rawSchema);
    const QString actual = typeOf(value);
    const QString what = schema.value(QLatin1String("description")).toString();

    const QJsonValue type = schema.value(QLatin1String("type"));
    if (!type.isUndefined()) {
        QStringList wanted;
        if (type.isArray()) {
            for (const QJsonValue& t : type.toArray())
                wanted.append(t.toString());
        } else {
            wanted.append(type.toString());
        }
        bool ok = false;
        for (const QString& t : wanted)
            ok = ok || typeMatches(actual, t);
        if (!ok)
            return {path,
                QStringLiteral("must be %1%2, not %3")
                    .arg(wanted.join(QStringLiteral(" or ")),
                        what.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(what), actual)};
    }

    const QJsonArray enumValues = schema.value(QLatin1String("enum")).toArray();
    if (!enumValues.isEmpty() && !enumValues.contains(value)) {
        QStringList names;
        for (const QJsonValue& e : enumValues)
            names.append(describe(e));
        return {path, QStringLiteral("%1 is not one of %2").arg(describe(value), names.join(QStringLiteral(", ")))};
    }
    if (schema.contains(QLatin1String("const")) && schema.value(QLatin1String("const")) != value)
        return {path, QStringLiteral("must be %1").arg(describe(schema.value(QLatin1String("const"))))};

    if (value.isDouble()) {
        if (schema.contains(QLatin1String("minimum"))
            && value.toDouble() < schema.value(QLatin1String("minimum")).toDouble())
            return {path, QStringLiteral("must be at least %1").arg(schema.value(QLatin1String("minimum")).toDouble())};
        if (schema.contains(QLatin1String("maximum"))
            && value.toDouble() > schema.value(QLatin1String("maximum")).toDouble())
            return {path, QStringLiteral("must be at most %1").arg(schema.value(QLatin1String("maximum")).toDouble())};
    }
    if (value.isString()) {
        const QString s = value.toString();
        if (schema.contains(QLatin1String("minLength")) && s.size() < schema.value(QLatin1String("minLength")).toInt())
            return {path,
                s.isEmpty() ? QStringLiteral("must not be empty")
                            : QStringLiteral("must have at least %1 characters")
                                  .arg(schema.value(QLatin1String("minLength")).toInt())};
        const QString pattern = schema.value(QLatin1String("pattern")).toString();
        if (!pattern.isEmpty() && !QRegularExpression(pattern).match(s).hasMatch())
            return {path,
                QStringLiteral("%1 does not have the expected form%2")
                    .arg(describe(value), what.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(what))};
    }
    if (value.isArray()) {
        const QJsonArray arr = value.toArray();
        if (schema.contains(QLatin1String("minItems")) && arr.size() < schema.value(QLatin1String("minItems")).toInt())
            return {
                path, QStringLiteral("needs at least %1 item(s)").arg(schema.value(QLatin1String("minItems")).toInt())};
        const QJsonObject items = schema.value(QLatin1String("items")).toObject();
        if (!items.isEmpty()) {
            for (int i = 0; i < arr.size(); ++i) {
                Violation v = check(arr.at(i), items, path + QStringLiteral("[%1]").arg(i));
                if (!v.isEmpty())
                    return v;
            }
        }
    }
    if (value.isObject()) {
        const QJsonObject obj = value.toObject();
        for (const QJsonValue& r : schema.value(QLatin1String("required")).toArray()) {
            if (!obj.contains(r.toString()))
                return {join(path, r.toString()), QStringLiteral("is required")};
        }
        const QJsonObject props = schema.value(QLatin1String("properties")).toObject();
        const QJsonValue additional = schema.value(QLatin1String("additionalProperties"));
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            const QString childPath = join(path, it.key());
            if (props.contains(it.key())) {
                Violation v = check(it.value(), props.value(it.key()).toObject(), childPath);
                if (!v.isEmpty())
                    return v;
            } else if (additional.isBool() && !additional.toBool()) {
                QStringList known = props.keys();
                return {childPath,
                    QStringLiteral("unknown field (expected one of %1)").arg(known.join(QStringLiteral(", ")))};
            } else if (additional.isObject()) {
                Violation v = check(it.value(), additional.toObject(), childPath);
                if (!v.isEmpty())
                    return v;
            }
        }
    }
    const QJsonArray anyOf = schema.value(QLatin1String("anyOf")).toArray();
    const QJsonArray oneOf = schema.value(QLatin1String("oneOf")).toArray();
    const QJsonArray alternatives = anyOf.isEmpty() ? oneOf : anyOf;
    if (!alternatives.isEmpty()) {
        Violation best;
        int passed = 0;
        for (const QJsonValue& alt : alternatives) {
            const Violation v = check(value, alt.toObject(), path);
            if (v.isEmpty())
                ++passed;
            else if (best.isEmpty() || v.path.size() > best.path.size())
                best = v; // the alternative that got furthest explains best
        }
        if (passed == 0)
            return best;
        if (!oneOf.isEmpty() && passed > 1)
            return {path, QStringLiteral("matches more than one allowed form")};
    }
    return {};
}

} // namespace sy
