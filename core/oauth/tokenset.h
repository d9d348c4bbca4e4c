#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace sy {

// An OAuth token set as kept in the secret store (one JSON blob per account).
struct TokenSet
{
    QString accessToken;
    QString refreshToken;
    QString idToken;
    QString tokenType;
    QString scope;
    qint64 expiresAtMs = 0; // 0: unknown (treated as "refresh when a request is refused")
    QJsonObject extra; // other fields of the token response (e.g. Claude's "account"/"organization")

    bool isEmpty() const { return accessToken.isEmpty(); }
    QByteArray toJson() const;
    static TokenSet fromJson(const QByteArray& json);
};

// Why an OAuth step failed. Never carries a token.
struct OAuthError
{
    enum class Kind {
        InvalidGrant, // the refresh token or code is no longer valid: the user must log in again
        Rejected, // other 4xx answers (bad client, bad request)
        Server, // 5xx
        Network, // no answer (offline, refused, timeout)
        StateMismatch, // the callback's state is not the one we sent
        Denied, // the user or provider refused (error=access_denied)
        Expired, // the device code or login window expired
        Cancelled,
        Protocol, // an answer we cannot use
    };
    Kind kind = Kind::Protocol;
    int httpStatus = 0;
    QString code; // the OAuth "error" value, e.g. "invalid_grant"
    QString message; // for people

    bool isTransient() const { return kind == Kind::Network || kind == Kind::Server; }
    static OAuthError make(Kind kind, const QString& message, int status = 0, const QString& code = QString())
    {
        return OAuthError {kind, status, code, message};
    }
};

// Parses a token endpoint answer. `nowMs` turns expires_in into an absolute time.
// 2xx with access_token -> tokens; 400/401 with error=invalid_grant -> InvalidGrant; other 4xx -> Rejected;
// 5xx -> Server. Messages quote the provider's error and error_description, never the body's tokens.
bool parseTokenReply(int status, const QByteArray& body, qint64 nowMs, TokenSet* tokens, OAuthError* error);

// The claims of a JWT (id_token) without verifying it (we got it from the token endpoint over TLS).
QJsonObject jwtClaims(const QString& jwt);

} // namespace sy
