#include "oauth/tokenset.h"

#include <QJsonDocument>
#include <QUrlQuery>

namespace sy {

QByteArray TokenSet::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("access_token"), accessToken);
    if (!refreshToken.isEmpty())
        o.insert(QLatin1String("refresh_token"), refreshToken);
    if (!idToken.isEmpty())
        o.insert(QLatin1String("id_token"), idToken);
    if (!tokenType.isEmpty())
        o.insert(QLatin1String("token_type"), tokenType);
    if (!scope.isEmpty())
        o.insert(QLatin1String("scope"), scope);
    if (expiresAtMs > 0)
        o.insert(QLatin1String("expires_at_ms"), double(expiresAtMs));
    if (!extra.isEmpty())
        o.insert(QLatin1String("extra"), extra);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

TokenSet TokenSet::fromJson(const QByteArray& json)
{
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    TokenSet t;
    t.accessToken = o.value(QLatin1String("access_token")).toString();
    t.refreshToken = o.value(QLatin1String("refresh_token")).toString();
    t.idToken = o.value(QLatin1String("id_token")).toString();
    t.tokenType = o.value(QLatin1String("token_type")).toString();
    t.scope = o.value(QLatin1String("scope")).toString();
    t.expiresAtMs = qint64(o.value(QLatin1String("expires_at_ms")).toDouble());
    t.extra = o.value(QLatin1String("extra")).toObject();
    return t;
}

bool parseTokenReply(int status, const QByteArray& body, qint64 nowMs, TokenSet* tokens, OAuthError* error)
{
    QJsonObject o = QJsonDocument::fromJson(body).object();
    if (o.isEmpty() && body.contains('=')) {
        // Some servers answer form-encoded.
        const QUrlQuery q(QString::fromUtf8(body));
        for (const auto& item : q.queryItems(QUrl::FullyDecoded))
            o.insert(item.first, item.second);
    }
    const QString code = o.value(QLatin1String("error")).isObject()
        ? o.value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString()
        : o.value(QLatin1String("error")).toString();
    QString description = o.value(QLatin1String("error_description")).toString();
    if (description.isEmpty() && o.value(QLatin1String("error")).isObject())
        description = o.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
    const auto fail = [&](OAuthError::Kind kind, const QString& message) {
        *error = OAuthError::make(kind, message.left(300), status, code);
        return false;
    };
    const QString said = code.isEmpty()
        ? QString()
        : QStringLiteral(": %1%2").arg(
            code, description.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(description));
    if (status >= 500)
        return fail(
            OAuthError::Kind::Server, QStringLiteral("token endpoint failed with HTTP %1%2").arg(status).arg(said));
    if (status >= 400 || !code.isEmpty()) {
        if (code == QLatin1String("invalid_grant") || code == QLatin1String("invalid_refresh_token")
            || code == QLatin1String("refresh_token_expired") || code == QLatin1String("refresh_token_reused"))
            return fail(OAuthError::Kind::InvalidGrant,
                QStringLiteral("the login is no longer valid%1; log in again").arg(said));
        return fail(
            OAuthError::Kind::Rejected, QStringLiteral("token endpoint refused with HTTP %1%2").arg(status).arg(said));
    }
    if (status < 200 || status >= 300)
        return fail(OAuthError::Kind::Protocol, QStringLiteral("token endpoint answered HTTP %1").arg(status));
    TokenSet t;
    t.accessToken = o.value(QLatin1String("access_token")).toString();
    if (t.accessToken.isEmpty())
        return fail(OAuthError::Kind::Protocol, QStringLiteral("token endpoint answered without an access_token"));
    t.refreshToken = o.value(QLatin1String("refresh_token")).toString();
    t.idToken = o.value(QLatin1String("id_token")).toString();
    t.tokenType = o.value(QLatin1String("token_type")).toString();
    t.scope = o.value(QLatin1String("scope")).toString();
    const QJsonValue expiresIn = o.value(QLatin1String("expires_in"));
    const qint64 seconds = expiresIn.isString() ? expiresIn.toString().toLongLong() : qint64(expiresIn.toDouble());
    if (seconds > 0)
        t.expiresAtMs = nowMs + seconds * 1000;
    for (const char* known : {"access_token", "refresh_token", "id_token", "token_type", "scope", "expires_in"})
        o.remove(QLatin1String(known));
    t.extra = o;
    *tokens = t;
    return true;
}

QJsonObject jwtClaims(const QString& jwt)
{
    const QStringList parts = jwt.split(QLatin1Char('.'));
    if (parts.size() < 2)
        return {};
    const QByteArray payload = QByteArray::fromBase64(
        parts.at(1).toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return QJsonDocument::fromJson(payload).object();
}

} // namespace sy
