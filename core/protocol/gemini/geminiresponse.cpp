#include "geminiresponse.h"

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "geminicommon.h"
#include "geministream.h"
#include "protocol/openai-chat/openaichatcommon.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sy::gemini {

namespace {

// The {"error":{...}} object of a body (also inside a one-element array), or an empty object.
QJsonObject errorObjectOf(const QJsonDocument& doc, bool* isError)
{
    QJsonObject o;
    if (doc.isObject())
        o = doc.object();
    else if (doc.isArray() && !doc.array().isEmpty())
        o = doc.array().at(0).toObject();
    const QJsonValue e = o.value(QLatin1StringView("error"));
    *isError = e.isObject() || (e.isString() && !e.toString().isEmpty());
    if (e.isObject())
        return e.toObject();
    if (e.isString())
        return QJsonObject {{QStringLiteral("message"), e.toString()}};
    return {};
}

} // namespace

Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body, const canon::TranslationContext& ctx)
{
    using R = Result<canon::Response, canon::Error>;
    QJsonParseError perr;
    const QJsonDocument doc = json::parse(body, &perr);
    if (perr.error != QJsonParseError::NoError || (!doc.isObject() && !doc.isArray())) {
        return R::failure(canon::Error::make(500, canon::ErrorType::Api,
            QStringLiteral("upstream sent an unreadable response: ") + QString::fromUtf8(body.left(200))));
    }
    bool isError = false;
    const QJsonObject err = errorObjectOf(doc, &isError);
    if (isError)
        return R::failure(errorFromGoogle(0, err));

    // A 200 body with neither candidates nor a prompt block says nothing: retryable, like an empty answer.
    bool answered = false;
    const QJsonArray chunks = doc.isArray() ? doc.array() : QJsonArray {doc.object()};
    for (const QJsonValue& c : chunks) {
        const QJsonObject o = c.toObject();
        answered = answered || !o.value(QLatin1StringView("candidates")).toArray().isEmpty()
            || o.value(QLatin1StringView("promptFeedback")).toObject().contains(QLatin1StringView("blockReason"));
    }
    if (!answered) {
        return R::failure(canon::Error::make(500, canon::ErrorType::Api,
            QStringLiteral("upstream answered without candidates: ") + QString::fromUtf8(body.left(200))));
    }

    StreamDecoder decoder(ctx);
    decoder.setWholeBody(true);
    canon::StreamEvents events;
    decoder.feed(body, events);
    decoder.finish(events);
    canon::ResponseAccumulator acc;
    acc.add(events);
    if (acc.failed())
        return R::failure(acc.error());
    if (!acc.finished())
        return R::failure(canon::Error::make(500, canon::ErrorType::Api, QStringLiteral("upstream sent no answer")));
    return acc.take();
}

canon::Error decodeError(int httpStatus, const QByteArray& body, const QByteArray& retryAfterHeader)
{
    const QJsonDocument doc = json::parse(body);
    bool isError = false;
    const QJsonObject err = errorObjectOf(doc, &isError);
    if (isError)
        return errorFromGoogle(httpStatus, err, retryAfterHeader);
    QString message = QString::fromUtf8(body.trimmed().left(500));
    if (message.isEmpty())
        message = QStringLiteral("HTTP ") + QString::number(httpStatus);
    return openaichat::errorFromObject(
        httpStatus, QJsonObject {{QStringLiteral("message"), message}}, retryAfterHeader);
}

QByteArray encodeResponse(const canon::Response& r, const QString& model)
{
    SseEncoder enc(model.isEmpty() ? r.model : model);
    QJsonArray parts;
    enc.m_collect = &parts;
    QByteArray unused;
    canon::StreamEvents events = canon::eventsFromResponse(r);
    if (!events.isEmpty() && events.first().type == canon::StreamEvent::Type::MessageStart)
        events.first().usage = r.usage;
    enc.encode(events, unused);
    QJsonObject cand {
        {QStringLiteral("content"),
            QJsonObject {{QStringLiteral("role"), QStringLiteral("model")}, {QStringLiteral("parts"), parts}}},
        {QStringLiteral("finishReason"), finishReasonFor(r.stopReason)}, {QStringLiteral("index"), 0}};
    QJsonObject body {{QStringLiteral("candidates"), QJsonArray {cand}}};
    const QJsonObject usage = usageMetadataFor(r.usage);
    if (!usage.isEmpty())
        body.insert(QLatin1StringView("usageMetadata"), usage);
    const QString version = model.isEmpty() ? r.model : model;
    if (!version.isEmpty())
        body.insert(QLatin1StringView("modelVersion"), version);
    if (!r.id.isEmpty())
        body.insert(QLatin1StringView("responseId"), r.id);
    return compactJson(body);
}

int errorHttpStatus(const canon::Error& error)
{
    return httpStatusForError(error);
}

QByteArray encodeError(const canon::Error& error)
{
    return compactJson(googleError(error));
}

} // namespace sy::gemini
