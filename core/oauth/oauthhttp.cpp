#include "oauth/oauthhttp.h"

#include "common/clock.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

namespace sy::oauthhttp {

namespace {

void watch(QNetworkReply* reply, QObject* context, Done done)
{
    QPointer<QObject> guard(context);
    QObject::connect(reply, &QNetworkReply::finished, reply, [reply, guard, done = std::move(done)]() {
        reply->deleteLater();
        if (!guard)
            return;
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        if (r.status == 0)
            r.networkError = reply->errorString();
        done(r);
    });
}

QNetworkRequest makeRequest(const QUrl& url)
{
    QNetworkRequest req(url);
    req.setTransferTimeout(kTimeoutMs);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setRawHeader("Accept", "application/json");
    req.setRawHeader("User-Agent", "switchyard/" SWITCHYARD_VERSION);
    return req;
}

} // namespace

void post(QNetworkAccessManager* nam, const QUrl& url, const Params& params, bool json, QObject* context, Done done)
{
    QNetworkRequest req = makeRequest(url);
    QByteArray body;
    if (json) {
        QJsonObject o;
        for (const auto& p : params)
            o.insert(p.first, p.second);
        body = QJsonDocument(o).toJson(QJsonDocument::Compact);
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    } else {
        for (const auto& p : params) {
            if (!body.isEmpty())
                body += '&';
            body += QUrl::toPercentEncoding(p.first) + '=' + QUrl::toPercentEncoding(p.second);
        }
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    }
    watch(nam->post(req, body), context, std::move(done));
}

void get(QNetworkAccessManager* nam, const QUrl& url, const QString& bearer, QObject* context, Done done)
{
    QNetworkRequest req = makeRequest(url);
    if (!bearer.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + bearer.toUtf8());
    watch(nam->get(req), context, std::move(done));
}

void postJson(QNetworkAccessManager* nam, const QUrl& url, const QByteArray& body, const QString& bearer,
    QObject* context, Done done)
{
    QNetworkRequest req = makeRequest(url);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!bearer.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + bearer.toUtf8());
    watch(nam->post(req, body), context, std::move(done));
}

void requestTokens(QNetworkAccessManager* nam, const OAuthProviderSpec& spec, Params params, const Clock* clock,
    QObject* context, std::function<void(bool ok, const TokenSet& tokens, const OAuthError& error)> done)
{
    params.append(qMakePair(QStringLiteral("client_id"), spec.clientId));
    if (!spec.clientSecret.isEmpty())
        params.append(qMakePair(QStringLiteral("client_secret"), spec.clientSecret));
    post(nam, spec.tokenUrl, params, spec.tokenJson, context, [clock, done = std::move(done)](const Reply& r) {
        TokenSet tokens;
        OAuthError error;
        if (r.status == 0) {
            error = OAuthError::make(
                OAuthError::Kind::Network, QStringLiteral("token endpoint unreachable: %1").arg(r.networkError));
            return done(false, tokens, error);
        }
        const bool ok = parseTokenReply(r.status, r.body, clock->nowMs(), &tokens, &error);
        done(ok, tokens, error);
    });
}

} // namespace sy::oauthhttp
