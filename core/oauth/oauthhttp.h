#pragma once

#include "oauth/oauthprovider.h"
#include "oauth/tokenset.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace sy {

class Clock;

// Small HTTP helpers for the OAuth endpoints (token, device, user info). Each call answers once through `done`,
// on the event loop, unless `context` is destroyed first.
namespace oauthhttp {

struct Reply
{
    int status = 0; // 0: no HTTP answer
    QByteArray body;
    QString networkError; // set when status is 0
};
using Done = std::function<void(const Reply&)>;
using Params = QList<QPair<QString, QString>>;

constexpr int kTimeoutMs = 30000;

// POST `params` as a form, or as a JSON object when `json` is set.
void post(QNetworkAccessManager* nam, const QUrl& url, const Params& params, bool json, QObject* context, Done done);
// GET with an optional bearer token.
void get(QNetworkAccessManager* nam, const QUrl& url, const QString& bearer, QObject* context, Done done);
// POST a JSON body with an optional bearer token.
void postJson(QNetworkAccessManager* nam, const QUrl& url, const QByteArray& body, const QString& bearer,
    QObject* context, Done done);

// The token endpoint of `spec`: adds client_id (and client_secret when the spec has one), posts in the spec's
// format and parses the answer.
void requestTokens(QNetworkAccessManager* nam, const OAuthProviderSpec& spec, Params params, const Clock* clock,
    QObject* context, std::function<void(bool ok, const TokenSet& tokens, const OAuthError& error)> done);

} // namespace oauthhttp

} // namespace sy
