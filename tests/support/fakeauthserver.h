#pragma once

#include "oauth/oauthprovider.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QTcpSocket;

// One request the fake authorization server received.
struct AuthRequest
{
    int endpoint = 0; // a FakeAuthServer::Endpoint
    QByteArray method;
    QString path; // without the query
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool jsonBody = false; // the body was JSON (else a form, or empty)
    QJsonObject params; // the body's fields: a JSON object as sent, or the form's fields as strings
    qint64 receivedAtMs = 0; // monotonic, since the server started

    QByteArray header(const QByteArray& name) const;
    QString param(const QString& name) const { return params.value(name).toString(); }
    QString bearer() const;
};

// An in-process OAuth authorization server on 127.0.0.1:0 for the login and account tests: authorization endpoint
// with PKCE, token endpoint (authorization code, refresh, RFC 8628 device grant), RFC 8628 device authorization,
// OpenAI's device-auth variant, a user-info endpoint and Google's Code Assist set-up calls. Every answer carries
// "Connection: close". Tokens it issues are random per server; tests compare them, never print them.
class FakeAuthServer : public QObject
{
    Q_OBJECT
public:
    enum class Endpoint {
        Authorize, // GET /authorize
        CodeExchange, // POST /token, grant_type=authorization_code
        Refresh, // POST /token, grant_type=refresh_token
        DeviceGrant, // POST /token, grant_type=urn:ietf:params:oauth:grant-type:device_code
        TokenOther, // POST /token with another grant type
        DeviceCode, // POST /device/code (RFC 8628)
        OpenAiUserCode, // POST /deviceauth/usercode
        OpenAiDeviceToken, // POST /deviceauth/token
        UserInfo, // GET /userinfo
        LoadCodeAssist, // POST /v1internal:loadCodeAssist
        OnboardUser, // POST /v1internal:onboardUser
        ClaudeProfile, // GET /api/oauth/profile (Anthropic's shape: {"account":{"email",...}})
        Unknown,
    };
    Q_ENUM(Endpoint)

    // A scripted token endpoint failure.
    enum class Failure {
        None,
        InvalidGrant, // 400 {"error":"invalid_grant"}
        InvalidRequest, // 400 {"error":"invalid_request"}
        ServerError, // 500 {"error":"server_error"}
        Drop, // read the request, then close the connection without an answer
    };

    explicit FakeAuthServer(QObject* parent = nullptr);
    ~FakeAuthServer() override;

    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(port()); }
    QUrl url(const QString& path) const { return QUrl(baseUrl() + path); }

    // --- script ---
    // The client_id every endpoint expects; empty: any non-empty one.
    void setExpectedClientId(const QString& clientId) { m_expectedClientId = clientId; }
    // /authorize redirects with this error (e.g. "access_denied") instead of a code; empty: approve.
    void setAuthorizeError(const QString& error) { m_authorizeError = error; }
    void setCodeExchangeFailure(Failure failure) { m_codeExchangeFailure = failure; }
    void setRefreshFailure(Failure failure) { m_refreshFailure = failure; }
    // Token endpoint requests (any grant) wait for releaseHeld() while holding is on.
    void setHoldTokenRequests(bool hold) { m_hold = hold; }
    void releaseHeld();
    int heldCount() const { return int(m_held.size()); }
    // RFC 8628 polls answer these errors in order ("authorization_pending", "slow_down", "access_denied",
    // "expired_token"), then issue tokens.
    void setDeviceScript(const QStringList& errors) { m_deviceScript = errors; }
    // OpenAI device polls answer 403 this many times before the code is handed out.
    void setOpenAiPendingPolls(int polls) { m_openAiPendingPolls = polls; }
    // Code Assist: already onboarded (loadCodeAssist names a tier and project) or not (onboardUser needed).
    void setCodeAssistOnboarded(bool onboarded) { m_onboarded = onboarded; }
    // The identity in id_tokens, /userinfo and /api/oauth/profile (plan "pro"/"max" sets has_claude_pro/max).
    void setIdentity(const QString& email, const QString& chatgptAccountId, const QString& plan);
    void setExpiresIn(int seconds) { m_expiresIn = seconds; }
    // Extra top-level fields of every token answer (e.g. Claude's {"account":{"email_address":...}}).
    void setTokenExtra(const QJsonObject& extra) { m_tokenExtra = extra; }

    // Issues a token set as the token endpoint would (its tokens are then valid for refresh and bearer calls) and
    // returns the JSON answer.
    QByteArray issueTokenReply();
    // An unsigned JWT ("alg":"none") with these claims.
    static QString makeJwt(const QJsonObject& claims);

    // --- observation ---
    int count(Endpoint endpoint) const { return m_counts.value(int(endpoint)); }
    QList<AuthRequest> requests(Endpoint endpoint) const;
    const QList<AuthRequest>& requests() const { return m_requests; }
    // Validation failures (bad client_id, PKCE mismatch, unknown code, ...); empty when every request was valid.
    QStringList problems() const { return m_problems; }
    QString lastAccessToken() const { return m_lastAccessToken; }
    QString lastRefreshToken() const { return m_lastRefreshToken; }
    QString lastIdToken() const { return m_lastIdToken; }
    int openAiPolls() const { return m_openAiPolls; }

    // --- provider specs pointing here ---
    // The overrides for loadOAuthProviders(): authorize/token/device/user-info URLs and upstream base URLs of the
    // shipped providers point at this server and loopback ports are 0; everything else stays as shipped.
    QJsonObject providerOverrides() const;
    // loadOAuthProviders(providerOverrides() deep-merged with `extra`); empty on error (see lastSpecError()).
    QList<sy::OAuthProviderSpec> providers(const QJsonObject& extra = {}) const;
    sy::OAuthProviderSpec provider(const QString& id, const QJsonObject& extra = {}) const;
    QString lastSpecError() const { return m_specError; }

Q_SIGNALS:
    void requestReceived(FakeAuthServer::Endpoint endpoint);

private:
    struct IssuedCode
    {
        QString redirectUri;
        QString challenge;
        QString clientId;
        bool used = false;
    };
    void onConnection();
    void onReadable(QTcpSocket* socket);
    void handle(QTcpSocket* socket, AuthRequest request);
    void handleAuthorize(QTcpSocket* socket, const AuthRequest& r);
    void handleToken(QTcpSocket* socket, const AuthRequest& r);
    void answerToken(QTcpSocket* socket, const AuthRequest& r);
    void handleDeviceCode(QTcpSocket* socket, const AuthRequest& r);
    void handleOpenAiUserCode(QTcpSocket* socket, const AuthRequest& r);
    void handleOpenAiDeviceToken(QTcpSocket* socket, const AuthRequest& r);
    void handleBearer(QTcpSocket* socket, const AuthRequest& r);
    bool checkClient(const QString& clientId, const QString& where);
    void problem(const QString& text) { m_problems.append(text); }
    void respond(QTcpSocket* socket, int status, const QByteArray& body,
        const QList<QPair<QByteArray, QByteArray>>& headers = {});
    void respondJson(QTcpSocket* socket, int status, const QJsonObject& body);
    void respondFailure(QTcpSocket* socket, Failure failure);
    QJsonObject newTokens();

    QTcpServer m_server;
    QElapsedTimer m_started;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    QList<AuthRequest> m_requests;
    QHash<int, int> m_counts;
    QStringList m_problems;
    QList<std::function<void()>> m_held;

    QString m_expectedClientId;
    QString m_authorizeError;
    Failure m_codeExchangeFailure = Failure::None;
    Failure m_refreshFailure = Failure::None;
    bool m_hold = false;
    QStringList m_deviceScript;
    int m_openAiPendingPolls = 0;
    bool m_onboarded = true;
    QString m_email = QStringLiteral("user@example.com");
    QString m_chatgptAccountId = QStringLiteral("acct-0001");
    QString m_plan = QStringLiteral("plus");
    int m_expiresIn = 3600;
    QJsonObject m_tokenExtra;

    QHash<QString, IssuedCode> m_codes;
    QSet<QString> m_accessTokens;
    QSet<QString> m_refreshTokens;
    QString m_deviceCode;
    QString m_openAiDeviceAuthId;
    QString m_openAiUserCode;
    QString m_openAiClientId;
    int m_openAiPolls = 0;
    int m_issued = 0;
    QString m_lastAccessToken;
    QString m_lastRefreshToken;
    QString m_lastIdToken;
    mutable QString m_specError;
};

// Plays the user's browser for a loopback or paste login: GETs the authorization URL without following redirects,
// reads the Location header, optionally tampers with its state, then (unless told to stop there) GETs the callback.
class FakeBrowser : public QObject
{
    Q_OBJECT
public:
    explicit FakeBrowser(QObject* parent = nullptr);

    // Replace the state of the redirect before following it.
    void setTamperedState(const QString& state) { m_tamperedState = state; }
    // false: stop after reading the Location (paste mode: the user copies it).
    void setFollowRedirect(bool follow) { m_follow = follow; }
    // Rewrite a "localhost" callback host to 127.0.0.1 (not needed where localhost resolves to 127.0.0.1 first).
    void setRewriteLocalhost(bool rewrite) { m_rewriteLocalhost = rewrite; }

    void open(const QUrl& authorizationUrl);

    bool isDone() const { return m_done; }
    int authorizeStatus() const { return m_authorizeStatus; }
    QUrl redirect() const { return m_redirect; } // the Location header as received
    QUrl callbackUrl() const { return m_callbackUrl; } // what was followed (after tampering)
    int callbackStatus() const { return m_callbackStatus; }
    QByteArray callbackBody() const { return m_callbackBody; }
    QString error() const { return m_error; }

Q_SIGNALS:
    void finished();

private:
    void finish(const QString& error = QString());

    QNetworkAccessManager* m_nam;
    QString m_tamperedState;
    bool m_follow = true;
    bool m_rewriteLocalhost = false;
    bool m_done = false;
    int m_authorizeStatus = 0;
    QUrl m_redirect;
    QUrl m_callbackUrl;
    int m_callbackStatus = 0;
    QByteArray m_callbackBody;
    QString m_error;
};

// base64url without padding (JWT parts, PKCE challenges).
QByteArray base64Url(const QByteArray& data);
