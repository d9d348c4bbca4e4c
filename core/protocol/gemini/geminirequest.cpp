#include "geminirequest.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "geminicommon.h"
#include "protocol/openai-chat/openaichatcommon.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/signature.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <cmath>

namespace sy::gemini {

namespace {

using canon::Part;
using canon::PartKind;

constexpr QLatin1StringView BillingHeaderPrefix("x-anthropic-billing-header:");
constexpr QLatin1StringView InterruptedToolResult("(tool call was interrupted; no result)");
constexpr QLatin1StringView LeadingUserText("(continue)");
constexpr int MaxStopSequences = 5;
constexpr int MaxSchemaDepth = 48;
constexpr int MaxRefDepth = 24;
constexpr int MinThinkingBudget = 512;
constexpr int MaxThinkingBudget = 24576;

bool isBlank(const QString& s)
{
    for (QChar c : s) {
        if (!c.isSpace())
            return false;
    }
    return true;
}

QString compactJsonText(const QJsonValue& v)
{
    if (v.isObject())
        return QString::fromUtf8(sy::compactJson(v.toObject()));
    if (v.isArray())
        return QString::fromUtf8(sy::compactJson(v.toArray()));
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e15)
            return QString::number(qint64(d));
        return QString::number(d, 'g', 17);
    }
    return QStringLiteral("null");
}

// ---------------------------------------------------------------------------------------------------------------
// Schema sanitizer (§6.14 profile "gemini")

const QSet<QString>& allowedKeywords()
{
    static const QSet<QString> keys {QStringLiteral("type"), QStringLiteral("format"), QStringLiteral("title"),
        QStringLiteral("description"), QStringLiteral("nullable"), QStringLiteral("enum"), QStringLiteral("maxItems"),
        QStringLiteral("minItems"), QStringLiteral("properties"), QStringLiteral("required"),
        QStringLiteral("minProperties"), QStringLiteral("maxProperties"), QStringLiteral("minLength"),
        QStringLiteral("maxLength"), QStringLiteral("pattern"), QStringLiteral("example"), QStringLiteral("anyOf"),
        QStringLiteral("propertyOrdering"), QStringLiteral("default"), QStringLiteral("items"),
        QStringLiteral("minimum"), QStringLiteral("maximum")};
    return keys;
}

// Keywords that only make sense for one JSON type (used when a multi-type schema is split into anyOf branches).
QStringList keywordsForType(const QString& type)
{
    if (type == u"string")
        return {QStringLiteral("format"), QStringLiteral("enum"), QStringLiteral("const"), QStringLiteral("minLength"),
            QStringLiteral("maxLength"), QStringLiteral("pattern")};
    if (type == u"integer" || type == u"number")
        return {QStringLiteral("format"), QStringLiteral("enum"), QStringLiteral("const"), QStringLiteral("minimum"),
            QStringLiteral("maximum"), QStringLiteral("exclusiveMinimum"), QStringLiteral("exclusiveMaximum"),
            QStringLiteral("multipleOf")};
    if (type == u"array")
        return {QStringLiteral("items"), QStringLiteral("prefixItems"), QStringLiteral("minItems"),
            QStringLiteral("maxItems"), QStringLiteral("uniqueItems")};
    if (type == u"object")
        return {QStringLiteral("properties"), QStringLiteral("required"), QStringLiteral("additionalProperties"),
            QStringLiteral("minProperties"), QStringLiteral("maxProperties"), QStringLiteral("patternProperties"),
            QStringLiteral("propertyNames")};
    if (type == u"boolean")
        return {QStringLiteral("enum"), QStringLiteral("const")};
    return {};
}

bool isOnlyNullType(const QJsonObject& s)
{
    const QJsonValue t = s.value(QLatin1StringView("type"));
    if (t.isString())
        return t.toString() == u"null";
    if (t.isArray()) {
        const QJsonArray a = t.toArray();
        return a.size() == 1 && a.at(0).toString() == u"null";
    }
    return false;
}

class SchemaSanitizer
{
public:
    explicit SchemaSanitizer(const QJsonObject& root)
        : m_root(root)
    {
    }

    QJsonObject run(const QJsonObject& node, int depth)
    {
        if (depth > MaxSchemaDepth)
            return {};
        QJsonObject s = node;

        // 1. Local $ref: inline the target (sibling keywords win), cut cycles.
        const QJsonValue refValue = s.value(QLatin1StringView("$ref"));
        if (refValue.isString()) {
            const QString ref = refValue.toString();
            s.remove(QLatin1StringView("$ref"));
            QJsonObject target;
            if (lookup(ref, &target)) {
                if (m_refs.contains(ref) || m_refs.size() >= MaxRefDepth)
                    return cutCycle(s, target);
                QJsonObject merged = target;
                for (auto it = s.constBegin(); it != s.constEnd(); ++it)
                    merged.insert(it.key(), it.value());
                m_refs.append(ref);
                const QJsonObject out = run(merged, depth + 1);
                m_refs.removeLast();
                return out;
            }
        }

        // 2. allOf: merge the branches into this schema.
        const QJsonValue allOf = s.value(QLatin1StringView("allOf"));
        s.remove(QLatin1StringView("allOf"));
        if (allOf.isArray()) {
            for (const QJsonValue& bv : allOf.toArray()) {
                if (!bv.isObject())
                    continue;
                const QJsonObject b = run(bv.toObject(), depth + 1);
                mergeInto(s, b);
            }
        }

        // 3. Types: arrays of types -> one type (+ nullable) or anyOf branches.
        bool nullable = s.value(QLatin1StringView("nullable")).toBool();
        QStringList types;
        const QJsonValue typeValue = s.value(QLatin1StringView("type"));
        if (typeValue.isArray()) {
            for (const QJsonValue& t : typeValue.toArray()) {
                const QString name = t.toString();
                if (name == u"null")
                    nullable = true;
                else if (!name.isEmpty() && !types.contains(name))
                    types.append(name);
            }
            if (types.isEmpty() && nullable)
                types.append(QStringLiteral("null"));
        } else if (typeValue.isString() && !typeValue.toString().isEmpty()) {
            types.append(typeValue.toString());
        }
        s.remove(QLatin1StringView("type"));
        const bool hasBranches
            = s.value(QLatin1StringView("anyOf")).isArray() || s.value(QLatin1StringView("oneOf")).isArray();
        if (types.size() > 1 && !hasBranches) {
            QJsonArray branches;
            QSet<QString> moved;
            for (const QString& t : std::as_const(types)) {
                QJsonObject b {{QStringLiteral("type"), t}};
                for (const QString& k : keywordsForType(t)) {
                    if (s.contains(k)) {
                        b.insert(k, s.value(k));
                        moved.insert(k);
                    }
                }
                branches.append(b);
            }
            for (const QString& k : std::as_const(moved))
                s.remove(k);
            s.insert(QLatin1StringView("anyOf"), branches);
            types.clear();
        } else if (types.size() > 1) {
            types = QStringList {types.first()};
        }
        QString type = types.isEmpty() ? QString() : types.first();

        // 4. anyOf / oneOf -> anyOf of sanitized branches; null branches -> nullable; a single branch is merged.
        QJsonArray branches;
        for (QLatin1StringView key : {QLatin1StringView("anyOf"), QLatin1StringView("oneOf")}) {
            const QJsonValue v = s.value(key);
            s.remove(key);
            for (const QJsonValue& bv : v.toArray()) {
                if (!bv.isObject())
                    continue;
                if (isOnlyNullType(bv.toObject())) {
                    nullable = true;
                    continue;
                }
                const QJsonObject b = run(bv.toObject(), depth + 1);
                if (b.value(QLatin1StringView("nullable")).toBool() && b.size() == 1) {
                    nullable = true;
                    continue;
                }
                branches.append(b);
            }
        }
        if (branches.size() == 1) {
            QJsonObject b = branches.at(0).toObject();
            if (b.value(QLatin1StringView("nullable")).toBool())
                nullable = true;
            b.remove(QLatin1StringView("nullable"));
            for (auto it = b.constBegin(); it != b.constEnd(); ++it) {
                if (it.key() == u"type") {
                    if (type.isEmpty())
                        type = it.value().toString();
                } else if (it.key() == u"description" || it.key() == u"title") {
                    if (!s.contains(it.key()))
                        s.insert(it.key(), it.value());
                } else {
                    s.insert(it.key(), it.value());
                }
            }
        } else if (branches.size() > 1) {
            s.insert(QLatin1StringView("anyOf"), branches);
        }

        // 5. const -> enum.
        if (s.contains(QLatin1StringView("const"))) {
            const QJsonValue c = s.value(QLatin1StringView("const"));
            s.remove(QLatin1StringView("const"));
            if (c.isNull())
                nullable = true;
            else
                s.insert(QLatin1StringView("enum"), QJsonArray {c});
        }

        // 6. enum: strings only, and only on strings.
        if (s.contains(QLatin1StringView("enum"))) {
            const QJsonValue ev = s.value(QLatin1StringView("enum"));
            s.remove(QLatin1StringView("enum"));
            const bool stringish = type.isEmpty() || type == u"string";
            if (ev.isArray() && stringish) {
                QJsonArray values;
                QSet<QString> seen;
                for (const QJsonValue& v : ev.toArray()) {
                    if (v.isNull()) {
                        nullable = true;
                        continue;
                    }
                    const QString text = compactJsonText(v);
                    if (!seen.contains(text)) {
                        seen.insert(text);
                        values.append(text);
                    }
                }
                if (!values.isEmpty()) {
                    s.insert(QLatin1StringView("enum"), values);
                    type = QStringLiteral("string");
                }
            }
        }

        // 7. Exclusive bounds -> inclusive bounds for integers; dropped otherwise.
        const QJsonValue exMin = s.value(QLatin1StringView("exclusiveMinimum"));
        const QJsonValue exMax = s.value(QLatin1StringView("exclusiveMaximum"));
        s.remove(QLatin1StringView("exclusiveMinimum"));
        s.remove(QLatin1StringView("exclusiveMaximum"));
        if (type == u"integer") {
            const QJsonValue min = s.value(QLatin1StringView("minimum"));
            const QJsonValue max = s.value(QLatin1StringView("maximum"));
            if (exMin.isDouble()) {
                const double bound = std::floor(exMin.toDouble()) + 1;
                if (!min.isDouble() || min.toDouble() < bound)
                    s.insert(QLatin1StringView("minimum"), bound);
            } else if (exMin.isBool() && exMin.toBool() && min.isDouble()) { // draft-04
                s.insert(QLatin1StringView("minimum"), std::floor(min.toDouble()) + 1);
            }
            if (exMax.isDouble()) {
                const double bound = std::ceil(exMax.toDouble()) - 1;
                if (!max.isDouble() || max.toDouble() > bound)
                    s.insert(QLatin1StringView("maximum"), bound);
            } else if (exMax.isBool() && exMax.toBool() && max.isDouble()) {
                s.insert(QLatin1StringView("maximum"), std::ceil(max.toDouble()) - 1);
            }
        }

        // 8. format: strings keep enum/date-time, numbers keep the proto number formats.
        if (s.contains(QLatin1StringView("format"))) {
            const QString f = s.value(QLatin1StringView("format")).toString();
            bool keep = false;
            if (type == u"string")
                keep = f == u"enum" || f == u"date-time";
            else if (type == u"integer")
                keep = f == u"int32" || f == u"int64";
            else if (type == u"number")
                keep = f == u"float" || f == u"double";
            if (!keep)
                s.remove(QLatin1StringView("format"));
        }

        // 9. Children, through schema positions only. Property names are data, never keywords.
        if (s.contains(QLatin1StringView("properties"))) {
            const QJsonValue pv = s.value(QLatin1StringView("properties"));
            QJsonObject props;
            if (pv.isObject()) {
                const QJsonObject in = pv.toObject();
                for (auto it = in.constBegin(); it != in.constEnd(); ++it)
                    props.insert(
                        it.key(), it.value().isObject() ? run(it.value().toObject(), depth + 1) : QJsonObject());
            }
            s.insert(QLatin1StringView("properties"), props);
        }
        QJsonValue items = s.value(QLatin1StringView("items"));
        if (items.isArray()) // draft-04 tuple
            items = items.toArray().isEmpty() ? QJsonValue() : items.toArray().at(0);
        if (!items.isObject()) {
            const QJsonArray prefix = s.value(QLatin1StringView("prefixItems")).toArray();
            if (!prefix.isEmpty() && prefix.at(0).isObject())
                items = prefix.at(0);
        }
        s.remove(QLatin1StringView("items"));
        if (items.isObject())
            s.insert(QLatin1StringView("items"), run(items.toObject(), depth + 1));
        if (type.isEmpty() && s.contains(QLatin1StringView("items")))
            type = QStringLiteral("array");

        // 10. Objects: properties always present, required pruned to existing properties.
        if (type.isEmpty() && s.value(QLatin1StringView("properties")).isObject())
            type = QStringLiteral("object");
        if (type == u"object") {
            if (!s.value(QLatin1StringView("properties")).isObject())
                s.insert(QLatin1StringView("properties"), QJsonObject());
            const QJsonObject props = s.value(QLatin1StringView("properties")).toObject();
            QJsonArray required;
            QSet<QString> seen;
            for (const QJsonValue& r : s.value(QLatin1StringView("required")).toArray()) {
                const QString name = r.toString();
                if (r.isString() && props.contains(name) && !seen.contains(name)) {
                    seen.insert(name);
                    required.append(name);
                }
            }
            s.remove(QLatin1StringView("required"));
            if (!required.isEmpty())
                s.insert(QLatin1StringView("required"), required);
        } else {
            s.remove(QLatin1StringView("required"));
            s.remove(QLatin1StringView("properties"));
        }

        // 11. Keep only the keywords of the Schema subset, with values of the right JSON type.
        QJsonObject out;
        for (auto it = s.constBegin(); it != s.constEnd(); ++it) {
            const QString& k = it.key();
            const QJsonValue& v = it.value();
            if (!allowedKeywords().contains(k) || k == u"type" || k == u"nullable")
                continue;
            if ((k == u"description" || k == u"title" || k == u"pattern" || k == u"format") && !v.isString())
                continue;
            if ((k == u"minimum" || k == u"maximum" || k == u"minItems" || k == u"maxItems" || k == u"minLength"
                    || k == u"maxLength" || k == u"minProperties" || k == u"maxProperties")
                && !v.isDouble())
                continue;
            if (k == u"propertyOrdering") {
                bool strings = v.isArray();
                for (const QJsonValue& e : v.toArray())
                    strings = strings && e.isString();
                if (!strings)
                    continue;
            }
            out.insert(k, v);
        }
        if (!type.isEmpty())
            out.insert(QLatin1StringView("type"), type);
        if (nullable && type != u"null")
            out.insert(QLatin1StringView("nullable"), true);
        return out;
    }

private:
    static void mergeInto(QJsonObject& s, const QJsonObject& b)
    {
        for (auto it = b.constBegin(); it != b.constEnd(); ++it) {
            const QString& k = it.key();
            if (k == u"properties") {
                QJsonObject props = s.value(k).toObject();
                const QJsonObject add = it.value().toObject();
                for (auto p = add.constBegin(); p != add.constEnd(); ++p) {
                    if (!props.contains(p.key()))
                        props.insert(p.key(), p.value());
                }
                s.insert(k, props);
            } else if (k == u"required") {
                QJsonArray req = s.value(k).toArray();
                for (const QJsonValue& r : it.value().toArray()) {
                    if (!req.contains(r))
                        req.append(r);
                }
                s.insert(k, req);
            } else if (!s.contains(k)) {
                s.insert(k, it.value());
            }
        }
    }

    QJsonObject cutCycle(const QJsonObject& node, const QJsonObject& target) const
    {
        QJsonObject out;
        const QString t = target.value(QLatin1StringView("type")).toString();
        if (!t.isEmpty() && t != u"object" && t != u"null") {
            out.insert(QLatin1StringView("type"), t);
        } else {
            out.insert(QLatin1StringView("type"), QStringLiteral("object"));
            out.insert(QLatin1StringView("properties"), QJsonObject());
        }
        QString description = node.value(QLatin1StringView("description")).toString();
        if (description.isEmpty())
            description = target.value(QLatin1StringView("description")).toString();
        if (!description.isEmpty())
            out.insert(QLatin1StringView("description"), description);
        return out;
    }

    bool lookup(const QString& ref, QJsonObject* out) const
    {
        if (!ref.startsWith(QLatin1Char('#')))
            return false;
        const QString pointer = QUrl::fromPercentEncoding(ref.mid(1).toUtf8());
        if (pointer.isEmpty()) {
            *out = m_root;
            return true;
        }
        if (!pointer.startsWith(QLatin1Char('/')))
            return false;
        QJsonValue cur = m_root;
        const QStringList segments = pointer.mid(1).split(QLatin1Char('/'));
        for (QString seg : segments) {
            seg.replace(QLatin1String("~1"), QLatin1String("/"));
            seg.replace(QLatin1String("~0"), QLatin1String("~"));
            if (cur.isObject()) {
                cur = cur.toObject().value(seg);
            } else if (cur.isArray()) {
                bool ok = false;
                const int i = seg.toInt(&ok);
                if (!ok || i < 0 || i >= cur.toArray().size())
                    return false;
                cur = cur.toArray().at(i);
            } else {
                return false;
            }
        }
        if (!cur.isObject())
            return false;
        *out = cur.toObject();
        return true;
    }

    QJsonObject m_root;
    QStringList m_refs;
};

// ---------------------------------------------------------------------------------------------------------------
// Request encoding

class ToolNameMapper
{
public:
    explicit ToolNameMapper(canon::TranslationContext& ctx)
        : m_ctx(ctx)
    {
    }

    void reserveValid(const QString& name)
    {
        if (isValidToolName(name)) {
            m_toUpstream.insert(name, name);
            m_toClient.insert(name, name);
        }
    }

    QString map(const QString& client)
    {
        const auto it = m_toUpstream.constFind(client);
        if (it != m_toUpstream.constEnd())
            return it.value();
        QString candidate = upstreamToolName(client);
        int salt = 0;
        while (m_toClient.contains(candidate) && m_toClient.value(candidate) != client)
            candidate = upstreamToolName(client + QChar(0x1) + QString::number(++salt));
        m_toUpstream.insert(client, candidate);
        m_toClient.insert(candidate, client);
        if (candidate != client)
            m_ctx.toolNameToClient.insert(candidate, client);
        return candidate;
    }

private:
    canon::TranslationContext& m_ctx;
    QHash<QString, QString> m_toUpstream;
    QHash<QString, QString> m_toClient;
};

// Ids Gemini did not make: ours ("toolu_"), Anthropic's, OpenAI's and Bedrock's.
bool isForeignCallId(const QString& id)
{
    return id.isEmpty() || id.startsWith(QLatin1String("toolu_")) || id.startsWith(QLatin1String("call_"))
        || id.startsWith(QLatin1String("fc_")) || id.startsWith(QLatin1String("tooluse_"))
        || id.startsWith(QLatin1String("srvtoolu_"));
}

bool isGemini3OrLater(const QString& model)
{
    static const QRegularExpression re(QStringLiteral("gemini-(\\d+)"), QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(model);
    return m.hasMatch() && m.captured(1).toInt() >= 3;
}

QString guessImageMime(const QString& url)
{
    const QString path = QUrl(url).path().toLower();
    if (path.endsWith(QLatin1String(".png")))
        return QStringLiteral("image/png");
    if (path.endsWith(QLatin1String(".jpg")) || path.endsWith(QLatin1String(".jpeg")))
        return QStringLiteral("image/jpeg");
    if (path.endsWith(QLatin1String(".webp")))
        return QStringLiteral("image/webp");
    if (path.endsWith(QLatin1String(".heic")))
        return QStringLiteral("image/heic");
    if (path.endsWith(QLatin1String(".heif")))
        return QStringLiteral("image/heif");
    if (path.endsWith(QLatin1String(".gif")))
        return QStringLiteral("image/gif");
    if (path.endsWith(QLatin1String(".pdf")))
        return QStringLiteral("application/pdf");
    return {};
}

QJsonObject textPart(const QString& text)
{
    return QJsonObject {{QStringLiteral("text"), text}};
}

QJsonObject inlineData(const QString& mime, const QString& data)
{
    return QJsonObject {{QStringLiteral("inlineData"),
        QJsonObject {{QStringLiteral("mimeType"), mime}, {QStringLiteral("data"), data}}}};
}

QJsonObject fileData(const QString& mime, const QString& uri)
{
    QJsonObject fd {{QStringLiteral("fileUri"), uri}};
    if (!mime.isEmpty())
        fd.insert(QLatin1StringView("mimeType"), mime);
    return QJsonObject {{QStringLiteral("fileData"), fd}};
}

// An image part as a Gemini part (empty object: nothing to send).
QJsonObject imagePart(const Part& p)
{
    QString mime = p.mediaType;
    QString data = p.data;
    const bool dataUrl = data.isEmpty() && openaichat::parseDataUrl(p.url, &mime, &data);
    if (!data.isEmpty()) {
        if (mime.isEmpty())
            mime = QStringLiteral("image/png");
        if (mime == u"image/gif") // not in Gemini's supported image types
            return textPart(QStringLiteral("(a GIF image was omitted: the model does not accept GIF)"));
        return inlineData(mime, data);
    }
    if (!p.url.isEmpty() && !dataUrl) {
        if (mime.isEmpty())
            mime = guessImageMime(p.url);
        return fileData(mime, p.url);
    }
    return {};
}

QJsonObject documentPart(const Part& p)
{
    if (!p.text.isEmpty())
        return textPart(p.title.isEmpty() ? p.text : p.title + QStringLiteral("\n\n") + p.text);
    if (!p.data.isEmpty()) {
        const QString mime = p.mediaType.isEmpty() ? QStringLiteral("application/pdf") : p.mediaType;
        if (mime.startsWith(QLatin1String("text/"))) {
            const QString decoded = QString::fromUtf8(QByteArray::fromBase64(p.data.toLatin1()));
            if (decoded.isEmpty())
                return {};
            return textPart(p.title.isEmpty() ? decoded : p.title + QStringLiteral("\n\n") + decoded);
        }
        return inlineData(mime, p.data);
    }
    if (!p.url.isEmpty()) {
        QString mime = p.mediaType;
        if (mime.isEmpty())
            mime = guessImageMime(p.url);
        if (mime.isEmpty())
            mime = QStringLiteral("application/pdf");
        return fileData(mime, p.url);
    }
    return {};
}

struct Call
{
    QString id;
    QString name; // upstream name
    bool sendId = false;
};

struct Content
{
    bool model = false;
    QJsonArray parts;
    bool functionResponses = false;
};

struct Encoder
{
    const canon::Request& req;
    ToolNameMapper names;
    bool sentinel = false;
    QList<Content> contents;

    void addModel(const QList<Part>& parts, QList<Call>* calls)
    {
        Content c;
        c.model = true;
        QString pendingSignature;
        QString pendingThought;
        bool firstCall = true;
        auto flushPending = [&]() {
            if (pendingSignature.isEmpty())
                return;
            QJsonObject part = textPart(pendingThought);
            if (!pendingThought.isEmpty())
                part.insert(QLatin1StringView("thought"), true);
            part.insert(QLatin1StringView("thoughtSignature"), pendingSignature);
            c.parts.append(part);
            pendingSignature.clear();
            pendingThought.clear();
        };
        for (const Part& p : parts) {
            switch (p.kind) {
            case PartKind::Reasoning: {
                const QString sig = unwrapThoughtSignature(p.signature);
                if (sig.isEmpty())
                    break; // not ours for Gemini: dropped (§6.13)
                flushPending();
                pendingSignature = sig;
                pendingThought = p.text;
                break;
            }
            case PartKind::Text: {
                if (isBlank(p.text))
                    break;
                QJsonObject part = textPart(p.text);
                if (!pendingSignature.isEmpty()) {
                    part.insert(QLatin1StringView("thoughtSignature"), pendingSignature);
                    pendingSignature.clear();
                    pendingThought.clear();
                }
                c.parts.append(part);
                break;
            }
            case PartKind::ToolCall: {
                Call call;
                call.id = p.id;
                call.name = names.map(p.name);
                call.sendId = !isForeignCallId(p.id);
                QJsonObject fc {{QStringLiteral("name"), call.name}, {QStringLiteral("args"), p.input}};
                if (call.sendId)
                    fc.insert(QLatin1StringView("id"), p.id);
                QJsonObject part {{QStringLiteral("functionCall"), fc}};
                if (!pendingSignature.isEmpty()) {
                    part.insert(QLatin1StringView("thoughtSignature"), pendingSignature);
                    pendingSignature.clear();
                    pendingThought.clear();
                } else if (firstCall && sentinel) {
                    part.insert(QLatin1StringView("thoughtSignature"), skipSignatureSentinel());
                }
                firstCall = false;
                c.parts.append(part);
                calls->append(call);
                break;
            }
            default:
                break; // redacted reasoning, images and Anthropic-only blocks cannot be replayed to Gemini
            }
        }
        flushPending();
        if (!c.parts.isEmpty())
            contents.append(c);
        else
            calls->clear();
    }

    void appendUserPart(QJsonArray& parts, const Part& p)
    {
        switch (p.kind) {
        case PartKind::Text:
            if (!isBlank(p.text))
                parts.append(textPart(p.text));
            break;
        case PartKind::Image: {
            const QJsonObject img = imagePart(p);
            if (!img.isEmpty())
                parts.append(img);
            break;
        }
        case PartKind::Document: {
            const QJsonObject doc = documentPart(p);
            if (!doc.isEmpty())
                parts.append(doc);
            break;
        }
        default:
            break;
        }
    }

    QJsonObject functionResponse(const Call& call, const Part* result, QJsonArray* media)
    {
        QString text;
        bool isError = false;
        if (!result) {
            text = InterruptedToolResult;
            isError = true;
        } else {
            QStringList texts;
            for (const Part& c : result->content) {
                switch (c.kind) {
                case PartKind::Text:
                    if (!c.text.isEmpty())
                        texts.append(c.text);
                    break;
                case PartKind::Image: {
                    const QJsonObject img = imagePart(c);
                    if (img.contains(QLatin1StringView("text")))
                        texts.append(img.value(QLatin1StringView("text")).toString());
                    else if (!img.isEmpty())
                        media->append(img);
                    break;
                }
                case PartKind::Document: {
                    const QJsonObject doc = documentPart(c);
                    if (doc.contains(QLatin1StringView("text")))
                        texts.append(doc.value(QLatin1StringView("text")).toString());
                    else if (!doc.isEmpty())
                        media->append(doc);
                    break;
                }
                default:
                    break;
                }
            }
            text = texts.join(QLatin1Char('\n'));
            isError = result->isError;
        }
        QJsonObject fr {{QStringLiteral("name"), call.name},
            {QStringLiteral("response"),
                QJsonObject {{isError ? QStringLiteral("error") : QStringLiteral("output"), text}}}};
        if (call.sendId)
            fr.insert(QLatin1StringView("id"), call.id);
        return QJsonObject {{QStringLiteral("functionResponse"), fr}};
    }

    // The user turn(s) after a model turn: one functionResponse per call of that turn (in call order), the media of
    // those results, then the rest of the user content in its own turn.
    void addUser(const QList<Part>& parts, QList<Call>* calls)
    {
        if (!calls->isEmpty()) {
            QList<const Part*> results;
            for (const Part& p : parts) {
                if (p.kind == PartKind::ToolResult)
                    results.append(&p);
            }
            Content fr;
            fr.functionResponses = true;
            QJsonArray media;
            for (const Call& call : std::as_const(*calls)) {
                const Part* match = nullptr;
                for (qsizetype i = 0; i < results.size(); ++i) {
                    if (results.at(i) && results.at(i)->toolCallId == call.id) {
                        match = results.at(i);
                        results[i] = nullptr;
                        break;
                    }
                }
                fr.parts.append(functionResponse(call, match, &media));
            }
            for (const QJsonValue& m : std::as_const(media))
                fr.parts.append(m);
            contents.append(fr);
            calls->clear();
        }
        Content rest;
        for (const Part& p : parts) {
            if (p.kind != PartKind::ToolResult) // results that answer no call of the preceding turn are dropped
                appendUserPart(rest.parts, p);
        }
        if (!rest.parts.isEmpty())
            contents.append(rest);
    }

    QJsonArray finished()
    {
        // Merge consecutive same-role turns, keeping function-response turns free of other parts (§4.6).
        QList<Content> merged;
        for (const Content& c : std::as_const(contents)) {
            if (!merged.isEmpty() && merged.last().model == c.model
                && (c.model || (!merged.last().functionResponses && !c.functionResponses))) {
                for (const QJsonValue& p : c.parts)
                    merged.last().parts.append(p);
                continue;
            }
            merged.append(c);
        }
        if (merged.isEmpty() || merged.first().model) {
            Content lead;
            lead.parts.append(textPart(LeadingUserText));
            merged.prepend(lead);
        }
        QJsonArray out;
        for (const Content& c : std::as_const(merged)) {
            out.append(
                QJsonObject {{QStringLiteral("role"), c.model ? QStringLiteral("model") : QStringLiteral("user")},
                    {QStringLiteral("parts"), c.parts}});
        }
        return out;
    }
};

int effortBudget(const QString& effort)
{
    const QString e = effort.toLower();
    if (e == u"minimal" || e == u"none")
        return MinThinkingBudget;
    if (e == u"low")
        return 1024;
    if (e == u"medium")
        return 8192;
    return MaxThinkingBudget; // high, xhigh, max
}

QString normalizedModel(const QString& model)
{
    QString m = model;
    if (m.startsWith(QLatin1String("models/")))
        m = m.mid(7);
    return QStringLiteral("models/") + QString::fromLatin1(QUrl::toPercentEncoding(m, "-._~"));
}

} // namespace

QString streamPath(const QString& model)
{
    return normalizedModel(model) + QStringLiteral(":streamGenerateContent?alt=sse");
}

QString generatePath(const QString& model)
{
    return normalizedModel(model) + QStringLiteral(":generateContent");
}

QJsonObject sanitizeSchema(const QJsonObject& schema)
{
    SchemaSanitizer s(schema);
    return s.run(schema, 0);
}

QJsonObject sanitizeToolSchema(const QJsonObject& schema)
{
    QJsonObject out = sanitizeSchema(schema);
    if (out.value(QLatin1StringView("type")).toString() != u"object") {
        out.remove(QLatin1StringView("anyOf"));
        out.remove(QLatin1StringView("enum"));
        out.remove(QLatin1StringView("items"));
        out.remove(QLatin1StringView("format"));
        out.insert(QLatin1StringView("type"), QStringLiteral("object"));
    }
    out.remove(QLatin1StringView("nullable"));
    if (!out.value(QLatin1StringView("properties")).isObject())
        out.insert(QLatin1StringView("properties"), QJsonObject());
    return out;
}

bool thinkingBudget(const canon::Thinking& t, int* budget)
{
    switch (t.mode) {
    case canon::Thinking::Mode::Unset:
    case canon::Thinking::Mode::Disabled:
        return false;
    case canon::Thinking::Mode::Enabled:
        if (t.budgetTokens > 0)
            *budget = std::clamp(t.budgetTokens, MinThinkingBudget, MaxThinkingBudget);
        else if (!t.effort.isEmpty())
            *budget = effortBudget(t.effort);
        else
            *budget = -1;
        return true;
    case canon::Thinking::Mode::Adaptive:
        if (!t.effort.isEmpty())
            *budget = effortBudget(t.effort);
        else if (t.budgetTokens > 0)
            *budget = std::clamp(t.budgetTokens, MinThinkingBudget, MaxThinkingBudget);
        else
            *budget = -1;
        return true;
    }
    return false;
}

QByteArray encodeRequest(const canon::Request& req, const ModelProfile& profile, canon::TranslationContext& ctx)
{
    const QString model = ctx.upstreamModel.isEmpty() ? req.model : ctx.upstreamModel;
    Encoder enc {req, ToolNameMapper(ctx), isGemini3OrLater(model), {}};

    // Tools first, so declared names get their mapping before history names are seen.
    QJsonArray declarations;
    QSet<QString> declared;
    for (const canon::Tool& t : req.tools) {
        if (t.builtinType.isEmpty())
            enc.names.reserveValid(t.name);
    }
    for (const canon::Tool& t : req.tools) {
        if (!t.builtinType.isEmpty() || declared.contains(t.name))
            continue; // provider-executed Anthropic tools cannot be forwarded (§6.16)
        declared.insert(t.name);
        QJsonObject fn {{QStringLiteral("name"), enc.names.map(t.name)}};
        if (!t.description.isEmpty())
            fn.insert(QLatin1StringView("description"), t.description);
        fn.insert(QLatin1StringView("parametersJsonSchema"), sanitizeToolSchema(t.inputSchema));
        declarations.append(fn);
    }

    // System instruction: system parts and the system messages before the conversation starts.
    QJsonArray systemParts;
    for (const Part& p : req.system) {
        if (p.kind == PartKind::Text && !isBlank(p.text) && !p.text.startsWith(BillingHeaderPrefix))
            systemParts.append(textPart(p.text));
    }
    qsizetype first = 0;
    for (; first < req.messages.size() && req.messages.at(first).role == canon::Role::System; ++first) {
        for (const Part& p : req.messages.at(first).parts) {
            if (p.kind == PartKind::Text && !isBlank(p.text) && !p.text.startsWith(BillingHeaderPrefix))
                systemParts.append(textPart(p.text));
        }
    }

    // Runs of same-role messages (system messages later in the conversation count as user text).
    struct Run
    {
        bool model = false;
        QList<Part> parts;
    };
    QList<Run> runs;
    for (qsizetype i = first; i < req.messages.size(); ++i) {
        const canon::Message& m = req.messages.at(i);
        const bool model = m.role == canon::Role::Assistant;
        if (runs.isEmpty() || runs.last().model != model)
            runs.append(Run {model, {}});
        for (const Part& p : m.parts) {
            if (m.role == canon::Role::System && p.kind != PartKind::Text)
                continue;
            runs.last().parts.append(p);
        }
    }
    QList<Call> calls;
    for (const Run& run : std::as_const(runs)) {
        if (run.model) {
            enc.addModel(run.parts, &calls);
        } else {
            enc.addUser(run.parts, &calls);
        }
    }
    if (!calls.isEmpty())
        enc.addUser({}, &calls); // a trailing model turn with unanswered calls

    QJsonObject body;
    if (!systemParts.isEmpty())
        body.insert(QLatin1StringView("systemInstruction"), QJsonObject {{QStringLiteral("parts"), systemParts}});
    body.insert(QLatin1StringView("contents"), enc.finished());

    if (!declarations.isEmpty()) {
        body.insert(QLatin1StringView("tools"),
            QJsonArray {QJsonObject {{QStringLiteral("functionDeclarations"), declarations}}});
        QJsonObject fcc;
        switch (req.toolChoice.mode) {
        case canon::ToolChoice::Mode::Auto:
            fcc.insert(QLatin1StringView("mode"), QStringLiteral("AUTO"));
            break;
        case canon::ToolChoice::Mode::Any:
            fcc.insert(QLatin1StringView("mode"), QStringLiteral("ANY"));
            break;
        case canon::ToolChoice::Mode::Tool:
            fcc.insert(QLatin1StringView("mode"), QStringLiteral("ANY"));
            if (declared.contains(req.toolChoice.name)) {
                fcc.insert(QLatin1StringView("allowedFunctionNames"), QJsonArray {enc.names.map(req.toolChoice.name)});
            }
            break;
        case canon::ToolChoice::Mode::None:
            fcc.insert(QLatin1StringView("mode"), QStringLiteral("NONE"));
            break;
        case canon::ToolChoice::Mode::Unset:
            break;
        }
        if (!fcc.isEmpty())
            body.insert(QLatin1StringView("toolConfig"), QJsonObject {{QStringLiteral("functionCallingConfig"), fcc}});
    }

    QJsonObject gen;
    const int maxTokens = openaichat::clampMaxTokens(req, profile);
    if (maxTokens > 0)
        gen.insert(QLatin1StringView("maxOutputTokens"), maxTokens);
    if (req.temperature)
        gen.insert(QLatin1StringView("temperature"), *req.temperature);
    if (req.topP)
        gen.insert(QLatin1StringView("topP"), *req.topP);
    if (req.topK)
        gen.insert(QLatin1StringView("topK"), *req.topK);
    QJsonArray stop;
    for (const QString& s : req.stopSequences) {
        if (s.isEmpty())
            continue;
        stop.append(s);
        if (stop.size() == MaxStopSequences)
            break;
    }
    if (!stop.isEmpty())
        gen.insert(QLatin1StringView("stopSequences"), stop);
    int budget = 0;
    if (thinkingBudget(req.thinking, &budget)) {
        // The thinking budget counts against maxOutputTokens: leave room for the answer (an effort level can ask for
        // more than the request's max_tokens).
        if (maxTokens > 0 && budget >= maxTokens)
            budget = std::max(MinThinkingBudget, maxTokens / 2);
        gen.insert(QLatin1StringView("thinkingConfig"),
            QJsonObject {{QStringLiteral("thinkingBudget"), budget}, {QStringLiteral("includeThoughts"), true}});
    }
    if (!req.outputSchema.isEmpty()) {
        gen.insert(QLatin1StringView("responseMimeType"), QStringLiteral("application/json"));
        gen.insert(QLatin1StringView("responseJsonSchema"), sanitizeSchema(req.outputSchema));
    }
    if (!gen.isEmpty())
        body.insert(QLatin1StringView("generationConfig"), gen);
    return compactJson(body);
}

// ---------------------------------------------------------------------------------------------------------------
// decodeRequest (inbound Gemini clients)

namespace {

canon::Error badRequest(const QString& message)
{
    canon::Error e = canon::Error::make(400, canon::ErrorType::InvalidRequest, message);
    e.shouldRetry = false;
    return e;
}

// proto JSON accepts lowerCamelCase and snake_case names.
QJsonValue field(const QJsonObject& o, QLatin1StringView camel, QLatin1StringView snake)
{
    const QJsonValue v = o.value(camel);
    return v.isUndefined() ? o.value(snake) : v;
}

// A proto Schema (OpenAPI subset: upper-case types, nullable) -> JSON Schema for other providers.
QJsonObject jsonSchemaFromProto(const QJsonObject& schema, int depth = 0)
{
    if (depth > MaxSchemaDepth)
        return {};
    QJsonObject out;
    for (auto it = schema.constBegin(); it != schema.constEnd(); ++it) {
        const QString& k = it.key();
        if (k == u"type" && it.value().isString()) {
            out.insert(k, it.value().toString().toLower());
        } else if (k == u"properties" && it.value().isObject()) {
            QJsonObject props;
            const QJsonObject in = it.value().toObject();
            for (auto p = in.constBegin(); p != in.constEnd(); ++p)
                props.insert(p.key(), jsonSchemaFromProto(p.value().toObject(), depth + 1));
            out.insert(k, props);
        } else if (k == u"items" && it.value().isObject()) {
            out.insert(k, jsonSchemaFromProto(it.value().toObject(), depth + 1));
        } else if (k == u"anyOf" && it.value().isArray()) {
            QJsonArray branches;
            for (const QJsonValue& b : it.value().toArray())
                branches.append(jsonSchemaFromProto(b.toObject(), depth + 1));
            out.insert(k, branches);
        } else if (k == u"nullable" || k == u"propertyOrdering") {
            continue;
        } else {
            out.insert(k, it.value());
        }
    }
    if (schema.value(QLatin1StringView("nullable")).toBool() && out.value(QLatin1StringView("type")).isString()) {
        out.insert(QLatin1StringView("type"),
            QJsonArray {out.value(QLatin1StringView("type")).toString(), QStringLiteral("null")});
    }
    return out;
}

int budgetForLevel(const QString& level)
{
    const QString l = level.toUpper();
    if (l == u"MINIMAL")
        return MinThinkingBudget;
    if (l == u"LOW")
        return 1024;
    if (l == u"MEDIUM")
        return 8192;
    return MaxThinkingBudget;
}

Part mediaPart(const QString& mime, const QString& data, const QString& url)
{
    Part p;
    p.kind = mime.startsWith(QLatin1String("image/")) ? PartKind::Image : PartKind::Document;
    p.mediaType = mime;
    p.data = data;
    p.url = url;
    return p;
}

// Text of a functionResponse.response object: {"output": x} / {"error": x} / {"content": x} or the whole object.
QString responseText(const QJsonObject& response, bool* isError)
{
    *isError = false;
    QJsonValue v;
    if (response.contains(QLatin1StringView("output")) && response.size() == 1) {
        v = response.value(QLatin1StringView("output"));
    } else if (response.contains(QLatin1StringView("error")) && response.size() == 1) {
        v = response.value(QLatin1StringView("error"));
        *isError = true;
    } else if (response.contains(QLatin1StringView("content")) && response.size() == 1) {
        v = response.value(QLatin1StringView("content"));
    } else {
        v = response;
    }
    return compactJsonText(v);
}

struct PendingCall
{
    QString id;
    QString name;
    bool answered = false;
};

} // namespace

Result<canon::Request, canon::Error> decodeRequest(const QByteArray& body, const QString& model)
{
    using R = Result<canon::Request, canon::Error>;
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(body, &perr);
    if (!doc.isObject())
        return R::failure(badRequest(QStringLiteral("request body is not a JSON object: ") + perr.errorString()));
    const QJsonObject o = doc.object();
    const QJsonValue contentsValue = o.value(QLatin1StringView("contents"));
    if (!contentsValue.isArray() && !contentsValue.isUndefined())
        return R::failure(badRequest(QStringLiteral("contents: expected an array")));

    canon::Request req;
    req.model = model.startsWith(QLatin1String("models/")) ? model.mid(7) : model;

    const QJsonObject system
        = field(o, QLatin1StringView("systemInstruction"), QLatin1StringView("system_instruction")).toObject();
    for (const QJsonValue& pv : system.value(QLatin1StringView("parts")).toArray()) {
        const QString t = pv.toObject().value(QLatin1StringView("text")).toString();
        if (!t.isEmpty())
            req.system.append(Part::makeText(t));
    }

    QList<PendingCall> calls; // calls of the latest model turn
    int contentIndex = -1;
    for (const QJsonValue& cv : contentsValue.toArray()) {
        ++contentIndex;
        const QJsonObject c = cv.toObject();
        const bool isModel = c.value(QLatin1StringView("role")).toString() == u"model";
        canon::Message m;
        m.role = isModel ? canon::Role::Assistant : canon::Role::User;
        int partIndex = -1;
        if (isModel)
            calls.clear();
        for (const QJsonValue& pv : c.value(QLatin1StringView("parts")).toArray()) {
            ++partIndex;
            const QJsonObject p = pv.toObject();
            const QString sig
                = field(p, QLatin1StringView("thoughtSignature"), QLatin1StringView("thought_signature")).toString();
            const QString text = p.value(QLatin1StringView("text")).toString();
            const QJsonValue fcValue = field(p, QLatin1StringView("functionCall"), QLatin1StringView("function_call"));
            const QJsonValue frValue
                = field(p, QLatin1StringView("functionResponse"), QLatin1StringView("function_response"));
            const QJsonObject inline_
                = field(p, QLatin1StringView("inlineData"), QLatin1StringView("inline_data")).toObject();
            const QJsonObject file = field(p, QLatin1StringView("fileData"), QLatin1StringView("file_data")).toObject();
            if (isModel) {
                if (p.value(QLatin1StringView("thought")).toBool()) {
                    // Thought summaries are display-only; a signed one stands for its own block.
                    if (!sig.isEmpty())
                        m.parts.append(partFromClientThoughtSignature(sig, text));
                    continue;
                }
                if (!sig.isEmpty())
                    m.parts.append(partFromClientThoughtSignature(sig)); // the block before the part it rode on
                if (fcValue.isObject()) {
                    const QJsonObject fc = fcValue.toObject();
                    Part call;
                    call.kind = PartKind::ToolCall;
                    call.name = fc.value(QLatin1StringView("name")).toString();
                    call.id = openaichat::sanitizeToolCallId(fc.value(QLatin1StringView("id")).toString());
                    if (fc.value(QLatin1StringView("id")).toString().isEmpty())
                        call.id = QStringLiteral("call_%1_%2").arg(contentIndex).arg(partIndex);
                    call.input = fc.value(QLatin1StringView("args")).toObject();
                    calls.append(PendingCall {call.id, call.name, false});
                    m.parts.append(call);
                } else if (!text.isEmpty()) {
                    m.parts.append(Part::makeText(text));
                }
                continue;
            }
            if (frValue.isObject()) {
                const QJsonObject fr = frValue.toObject();
                const QString id = fr.value(QLatin1StringView("id")).toString();
                const QString name = fr.value(QLatin1StringView("name")).toString();
                PendingCall* match = nullptr;
                for (PendingCall& pc : calls) {
                    if (!pc.answered && !id.isEmpty() && pc.id == openaichat::sanitizeToolCallId(id)) {
                        match = &pc;
                        break;
                    }
                }
                for (qsizetype i = 0; !match && i < calls.size(); ++i) {
                    if (!calls[i].answered && calls[i].name == name)
                        match = &calls[i];
                }
                for (qsizetype i = 0; !match && i < calls.size(); ++i) {
                    if (!calls[i].answered)
                        match = &calls[i];
                }
                Part result;
                result.kind = PartKind::ToolResult;
                if (match) {
                    match->answered = true;
                    result.toolCallId = match->id;
                } else {
                    result.toolCallId = id.isEmpty() ? QStringLiteral("call_%1_%2").arg(contentIndex).arg(partIndex)
                                                     : openaichat::sanitizeToolCallId(id);
                }
                const QString out = responseText(fr.value(QLatin1StringView("response")).toObject(), &result.isError);
                if (!out.isEmpty())
                    result.content.append(Part::makeText(out));
                for (const QJsonValue& iv : fr.value(QLatin1StringView("parts")).toArray()) {
                    const QJsonObject inner
                        = field(iv.toObject(), QLatin1StringView("inlineData"), QLatin1StringView("inline_data"))
                              .toObject();
                    if (!inner.isEmpty()) {
                        result.content.append(mediaPart(
                            field(inner, QLatin1StringView("mimeType"), QLatin1StringView("mime_type")).toString(),
                            inner.value(QLatin1StringView("data")).toString(), {}));
                    }
                }
                m.parts.append(result);
            } else if (!inline_.isEmpty()) {
                m.parts.append(
                    mediaPart(field(inline_, QLatin1StringView("mimeType"), QLatin1StringView("mime_type")).toString(),
                        inline_.value(QLatin1StringView("data")).toString(), {}));
            } else if (!file.isEmpty()) {
                m.parts.append(
                    mediaPart(field(file, QLatin1StringView("mimeType"), QLatin1StringView("mime_type")).toString(), {},
                        field(file, QLatin1StringView("fileUri"), QLatin1StringView("file_uri")).toString()));
            } else if (!text.isEmpty()) {
                m.parts.append(Part::makeText(text));
            }
        }
        if (m.parts.isEmpty())
            continue;
        // Merge consecutive same-role contents (Gemini allows them; canonical messages alternate).
        if (!req.messages.isEmpty() && req.messages.last().role == m.role)
            req.messages.last().parts.append(m.parts);
        else
            req.messages.append(m);
    }

    QStringList declaredNames;
    for (const QJsonValue& tv : o.value(QLatin1StringView("tools")).toArray()) {
        const QJsonObject t = tv.toObject();
        for (const QJsonValue& dv :
            field(t, QLatin1StringView("functionDeclarations"), QLatin1StringView("function_declarations")).toArray()) {
            const QJsonObject d = dv.toObject();
            canon::Tool tool;
            tool.name = d.value(QLatin1StringView("name")).toString();
            tool.description = d.value(QLatin1StringView("description")).toString();
            const QJsonValue js
                = field(d, QLatin1StringView("parametersJsonSchema"), QLatin1StringView("parameters_json_schema"));
            if (js.isObject())
                tool.inputSchema = js.toObject();
            else
                tool.inputSchema = jsonSchemaFromProto(d.value(QLatin1StringView("parameters")).toObject());
            if (tool.inputSchema.isEmpty())
                tool.inputSchema = QJsonObject {
                    {QStringLiteral("type"), QStringLiteral("object")}, {QStringLiteral("properties"), QJsonObject()}};
            if (!tool.name.isEmpty()) {
                declaredNames.append(tool.name);
                req.tools.append(tool);
            }
        }
        if (t.contains(QLatin1StringView("googleSearch")) || t.contains(QLatin1StringView("google_search"))) {
            canon::Tool search;
            search.name = QStringLiteral("web_search");
            search.builtinType = QStringLiteral("web_search_20250305");
            search.raw
                = QJsonObject {{QStringLiteral("type"), search.builtinType}, {QStringLiteral("name"), search.name}};
            req.tools.append(search);
        }
    }

    const QJsonObject toolConfig
        = field(o, QLatin1StringView("toolConfig"), QLatin1StringView("tool_config")).toObject();
    const QJsonObject fcc
        = field(toolConfig, QLatin1StringView("functionCallingConfig"), QLatin1StringView("function_calling_config"))
              .toObject();
    const QString mode = fcc.value(QLatin1StringView("mode")).toString().toUpper();
    const QJsonArray allowed
        = field(fcc, QLatin1StringView("allowedFunctionNames"), QLatin1StringView("allowed_function_names")).toArray();
    if (mode == u"AUTO" || mode == u"VALIDATED") {
        req.toolChoice.mode = canon::ToolChoice::Mode::Auto;
    } else if (mode == u"ANY") {
        if (allowed.size() == 1 && declaredNames.contains(allowed.at(0).toString())) {
            req.toolChoice.mode = canon::ToolChoice::Mode::Tool;
            req.toolChoice.name = allowed.at(0).toString();
        } else {
            req.toolChoice.mode = canon::ToolChoice::Mode::Any;
        }
    } else if (mode == u"NONE") {
        req.toolChoice.mode = canon::ToolChoice::Mode::None;
    }

    const QJsonObject gen
        = field(o, QLatin1StringView("generationConfig"), QLatin1StringView("generation_config")).toObject();
    const QJsonValue maxOut = field(gen, QLatin1StringView("maxOutputTokens"), QLatin1StringView("max_output_tokens"));
    if (maxOut.isDouble())
        req.maxTokens = maxOut.toInt();
    if (gen.value(QLatin1StringView("temperature")).isDouble())
        req.temperature = gen.value(QLatin1StringView("temperature")).toDouble();
    const QJsonValue topP = field(gen, QLatin1StringView("topP"), QLatin1StringView("top_p"));
    if (topP.isDouble())
        req.topP = topP.toDouble();
    const QJsonValue topK = field(gen, QLatin1StringView("topK"), QLatin1StringView("top_k"));
    if (topK.isDouble())
        req.topK = topK.toInt();
    for (const QJsonValue& s :
        field(gen, QLatin1StringView("stopSequences"), QLatin1StringView("stop_sequences")).toArray()) {
        if (!s.toString().isEmpty())
            req.stopSequences.append(s.toString());
    }
    const QJsonObject thinking
        = field(gen, QLatin1StringView("thinkingConfig"), QLatin1StringView("thinking_config")).toObject();
    const QJsonValue budget
        = field(thinking, QLatin1StringView("thinkingBudget"), QLatin1StringView("thinking_budget"));
    const QString level
        = field(thinking, QLatin1StringView("thinkingLevel"), QLatin1StringView("thinking_level")).toString();
    if (budget.isDouble()) {
        const int b = budget.toInt();
        if (b == 0) {
            req.thinking.mode = canon::Thinking::Mode::Disabled;
        } else {
            req.thinking.mode = canon::Thinking::Mode::Enabled;
            req.thinking.budgetTokens = b > 0 ? b : 8192; // -1: dynamic
        }
    } else if (!level.isEmpty()) {
        req.thinking.mode = canon::Thinking::Mode::Enabled;
        req.thinking.budgetTokens = budgetForLevel(level);
        req.thinking.effort = level.toLower();
    }
    const QString mime
        = field(gen, QLatin1StringView("responseMimeType"), QLatin1StringView("response_mime_type")).toString();
    const QJsonValue jsonSchema
        = field(gen, QLatin1StringView("responseJsonSchema"), QLatin1StringView("response_json_schema"));
    const QJsonValue protoSchema
        = field(gen, QLatin1StringView("responseSchema"), QLatin1StringView("response_schema"));
    if (jsonSchema.isObject())
        req.outputSchema = jsonSchema.toObject();
    else if (protoSchema.isObject())
        req.outputSchema = jsonSchemaFromProto(protoSchema.toObject());
    else if (mime == u"application/json")
        req.outputSchema = QJsonObject {{QStringLiteral("type"), QStringLiteral("object")}};
    return req;
}

} // namespace sy::gemini
