#include "ssevalidator.h"

#include "protocol/sse/sseparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

QString validateAnthropicStream(const QByteArray& sse, QJsonObject* messageOut, bool* endedWithError, bool lenient)
{
    sy::SseParser parser;
    QList<sy::SseEvent> events;
    parser.feed(sse, events);
    if (parser.finish(events))
        return QStringLiteral("last event is not terminated by a blank line");
    if (endedWithError)
        *endedWithError = false;
    QJsonObject message;
    QJsonArray content;
    QStringList partialJson;
    int open = -1;
    bool started = false, sawDelta = false, stopped = false;
    bool sawToolUse = false;
    static const QRegularExpression idRe(QStringLiteral("^[a-zA-Z0-9_-]+$"));
    for (int i = 0; i < events.size(); ++i) {
        const sy::SseEvent& e = events.at(i);
        if (stopped)
            return QStringLiteral("event after the terminal event: %1").arg(QString::fromUtf8(e.event));
        const QJsonObject d = QJsonDocument::fromJson(e.data).object();
        const QString type = d.value(QLatin1String("type")).toString();
        if (type.toUtf8() != e.event)
            return QStringLiteral("event line '%1' does not match data type '%2'")
                .arg(QString::fromUtf8(e.event), type);
        if (type == QLatin1String("ping"))
            continue;
        if (type == QLatin1String("error")) {
            if (endedWithError)
                *endedWithError = true;
            stopped = true;
            continue;
        }
        if (!started) {
            if (type != QLatin1String("message_start"))
                return QStringLiteral("first event is %1, not message_start").arg(type);
            started = true;
            message = d.value(QLatin1String("message")).toObject();
            continue;
        }
        if (type == QLatin1String("message_start"))
            return QStringLiteral("second message_start");
        if (type == QLatin1String("content_block_start")) {
            if (sawDelta)
                return QStringLiteral("block started after message_delta");
            if (open >= 0)
                return QStringLiteral("block %1 started while block %2 is open")
                    .arg(d.value(QLatin1String("index")).toInt())
                    .arg(open);
            const int index = d.value(QLatin1String("index")).toInt(-1);
            if (index != content.size())
                return QStringLiteral("block index %1, expected %2").arg(index).arg(content.size());
            QJsonObject b = d.value(QLatin1String("content_block")).toObject();
            if (b.value(QLatin1String("type")).toString() == QLatin1String("tool_use")) {
                sawToolUse = true;
                if (!idRe.match(b.value(QLatin1String("id")).toString()).hasMatch())
                    return QStringLiteral("tool_use id %1 is not [a-zA-Z0-9_-]+")
                        .arg(b.value(QLatin1String("id")).toString());
            }
            content.append(b);
            partialJson.append(QString());
            open = index;
        } else if (type == QLatin1String("content_block_delta")) {
            const int index = d.value(QLatin1String("index")).toInt(-1);
            if (index != open)
                return QStringLiteral("delta for block %1 while block %2 is open").arg(index).arg(open);
            QJsonObject b = content.at(index).toObject();
            const QJsonObject delta = d.value(QLatin1String("delta")).toObject();
            const QString dt = delta.value(QLatin1String("type")).toString();
            const QString bt = b.value(QLatin1String("type")).toString();
            if (dt == QLatin1String("text_delta") && bt == QLatin1String("text"))
                b.insert(QLatin1String("text"),
                    QString(b.value(QLatin1String("text")).toString() + delta.value(QLatin1String("text")).toString()));
            else if (dt == QLatin1String("thinking_delta") && bt == QLatin1String("thinking"))
                b.insert(QLatin1String("thinking"),
                    QString(b.value(QLatin1String("thinking")).toString()
                        + delta.value(QLatin1String("thinking")).toString()));
            else if (dt == QLatin1String("signature_delta") && bt == QLatin1String("thinking"))
                b.insert(QLatin1String("signature"), delta.value(QLatin1String("signature")).toString());
            else if (dt == QLatin1String("input_json_delta") && bt == QLatin1String("tool_use"))
                partialJson[index] += delta.value(QLatin1String("partial_json")).toString();
            else if (!lenient)
                return QStringLiteral("%1 delta in a %2 block").arg(dt, bt);
            content.replace(index, b);
        } else if (type == QLatin1String("content_block_stop")) {
            const int index = d.value(QLatin1String("index")).toInt(-1);
            if (index != open)
                return QStringLiteral("stop for block %1 while block %2 is open").arg(index).arg(open);
            QJsonObject b = content.at(index).toObject();
            if (b.value(QLatin1String("type")).toString() == QLatin1String("tool_use")) {
                const QString pj = partialJson.at(index);
                if (!pj.isEmpty()) {
                    const QJsonDocument input = QJsonDocument::fromJson(pj.toUtf8());
                    if (!input.isObject())
                        return QStringLiteral("tool input is not a JSON object: %1").arg(pj.left(80));
                    b.insert(QLatin1String("input"), input.object());
                }
            }
            if (!lenient && b.value(QLatin1String("type")).toString() == QLatin1String("text")
                && b.value(QLatin1String("text")).toString().isEmpty())
                return QStringLiteral("empty text block %1").arg(index);
            if (!lenient && b.value(QLatin1String("type")).toString() == QLatin1String("thinking")
                && !b.contains(QLatin1String("signature")))
                return QStringLiteral("thinking block %1 without signature").arg(index);
            content.replace(index, b);
            open = -1;
        } else if (type == QLatin1String("message_delta")) {
            if (open >= 0)
                return QStringLiteral("message_delta while block %1 is open").arg(open);
            sawDelta = true;
            const QString sr
                = d.value(QLatin1String("delta")).toObject().value(QLatin1String("stop_reason")).toString();
            static const QStringList valid = {QStringLiteral("end_turn"), QStringLiteral("max_tokens"),
                QStringLiteral("stop_sequence"), QStringLiteral("tool_use"), QStringLiteral("pause_turn"),
                QStringLiteral("refusal"), QStringLiteral("model_context_window_exceeded")};
            if (!valid.contains(sr))
                return QStringLiteral("invalid stop_reason '%1'").arg(sr);
            if (!lenient && (sr == QLatin1String("tool_use")) != sawToolUse)
                return QStringLiteral("stop_reason %1 but tool_use blocks: %2").arg(sr).arg(sawToolUse);
            if (!d.value(QLatin1String("usage")).toObject().value(QLatin1String("output_tokens")).isDouble())
                return QStringLiteral("message_delta without usage.output_tokens");
            message.insert(QLatin1String("stop_reason"), sr);
            QJsonObject usage = message.value(QLatin1String("usage")).toObject();
            const QJsonObject u = d.value(QLatin1String("usage")).toObject();
            for (auto it = u.begin(); it != u.end(); ++it)
                usage.insert(it.key(), it.value());
            message.insert(QLatin1String("usage"), usage);
        } else if (type == QLatin1String("message_stop")) {
            if (!sawDelta)
                return QStringLiteral("message_stop without message_delta");
            stopped = true;
        } else {
            return QStringLiteral("unknown event %1").arg(type);
        }
    }
    if (!stopped)
        return QStringLiteral("stream ended without message_stop or error");
    message.insert(QLatin1String("content"), content);
    if (messageOut)
        *messageOut = message;
    return {};
}
