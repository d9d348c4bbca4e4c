#include "oauth/oauthlogin.h"

#include "common/clock.h"
#include "common/logging.h"
#include "oauth/oauthhttp.h"
#include "oauth/pkce.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QOAuth2AuthorizationCodeFlow>
#include <QOAuthHttpServerReplyHandler>
#include <QOAuthOobReplyHandler>
#include <QUrlQuery>

namespace sy {

// The flow, with the token request reachable for paste mode.
class LoginFlow : public QOAuth2AuthorizationCodeFlow
{
public:
    using QOAuth2AuthorizationCodeFlow::QOAuth2AuthorizationCodeFlow;
    void exchange(const QString& code) { requestAccessToken(code); }
};

// Receives the loopback callback (when listening) and the token endpoint's reply. Qt 6.4's handlers drop failed
// token replies with only a warning, so the reply goes to OAuthLogin, which turns every outcome into a signal.
class LoginReplyHandler : public QOAuthHttpServerReplyHandler
{
public:
    LoginReplyHandler(const QHostAddress& address, quint16 port, QObject* parent)
        : QOAuthHttpServerReplyHandler(address, port, parent)
    {
    }
    QString callback() const override
    {
        return m_paste ? QStringLiteral("oob") : QOAuthHttpServerReplyHandler::callback();
    }
    void networkReplyFinished(QNetworkReply* reply) override
    {
        if (m_onTokenReply)
            m_onTokenReply(reply);
    }
    bool m_paste = false;
    std::function<void(QNetworkReply*)> m_onTokenReply;
};

namespace {

// Sends the flow's form-encoded token request as JSON for providers whose token endpoint wants JSON.
class LoginNetworkManager : public QNetworkAccessManager
{
public:
    LoginNetworkManager(const QUrl& tokenUrl, bool json, QObject* parent)
        : QNetworkAccessManager(parent)
        , m_tokenUrl(tokenUrl)
        , m_json(json)
    {
    }

protected:
    QNetworkReply* createRequest(Operation op, const QNetworkRequest& request, QIODevice* data) override
    {
        QNetworkRequest r(request);
        r.setTransferTimeout(oauthhttp::kTimeoutMs);
        r.setRawHeader("Accept", "application/json");
        if (!m_json || op != PostOperation || !data || request.url() != m_tokenUrl)
            return QNetworkAccessManager::createRequest(op, r, data);
        const QUrlQuery form(QString::fromUtf8(data->readAll()));
        QJsonObject o;
        for (const auto& item : form.queryItems(QUrl::FullyDecoded))
            o.insert(item.first, item.second);
        auto* buffer = new QBuffer;
        buffer->setData(QJsonDocument(o).toJson(QJsonDocument::Compact));
        buffer->open(QIODevice::ReadOnly);
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        r.setHeader(QNetworkRequest::ContentLengthHeader, buffer->size());
        QNetworkReply* reply = QNetworkAccessManager::createRequest(op, r, buffer);
        buffer->setParent(reply);
        return reply;
    }

private:
    QUrl m_tokenUrl;
    bool m_json;
};

QString redirectPath(const QString& uriTemplate)
{
    QString path = QUrl(QString(uriTemplate).replace(QLatin1String("{port}"), QLatin1String("1"))).path();
    while (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    return path;
}

} // namespace

OAuthLogin::OAuthLogin(const OAuthProviderSpec& spec, const Clock* clock, QObject* parent)
    : QObject(parent)
    , m_spec(spec)
    , m_clock(clock)
    , m_nam(new LoginNetworkManager(spec.tokenUrl, spec.tokenJson, this))
{
    qRegisterMetaType<sy::TokenSet>();
    qRegisterMetaType<sy::OAuthError>();
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(10 * 60 * 1000);
    connect(&m_timeout, &QTimer::timeout, this, [this]() {
        fail(OAuthError::make(OAuthError::Kind::Expired, QStringLiteral("the login was not completed in time")));
    });
    m_poll.setSingleShot(true);
    connect(&m_poll, &QTimer::timeout, this, &OAuthLogin::pollDevice);
}

OAuthLogin::~OAuthLogin() = default;

void OAuthLogin::setDevicePollTiming(int defaultIntervalMs, int slowDownStepMs)
{
    m_defaultPollMs = defaultIntervalMs;
    m_slowDownStepMs = slowDownStepMs;
}

quint16 OAuthLogin::loopbackPort() const
{
    return m_handler && m_handler->isListening() ? m_handler->port() : 0;
}

void OAuthLogin::start(Mode mode)
{
    m_mode = mode;
    m_timeout.start();
    if (m_spec.clientSecretRequired && m_spec.clientSecret.isEmpty()) {
        return fail(OAuthError::make(OAuthError::Kind::Protocol,
            QStringLiteral("%1 login needs the OAuth client secret of its public client, which Switchyard does not "
                           "ship: set \"oauth\": {\"%2\": {\"client_secret\": \"...\"}} in the config or the "
                           "environment variable %3")
                .arg(m_spec.displayName, m_spec.id, m_spec.clientSecretEnv)));
    }
    if (mode == Mode::Device) {
        if (!m_spec.hasDeviceFlow())
            return fail(OAuthError::make(OAuthError::Kind::Protocol,
                QStringLiteral("%1 has no device-code login; use the paste mode (--no-browser)")
                    .arg(m_spec.displayName)));
        return startDevice();
    }
    startAuthorizationCode(mode == Mode::Loopback);
}

void OAuthLogin::startAuthorizationCode(bool loopback)
{
    m_verifier = pkce::makeVerifier();
    m_state = pkce::makeState();
    m_handler = new LoginReplyHandler(QHostAddress::LocalHost, loopback ? m_spec.loopbackPort : quint16(0), this);
    m_handler->m_onTokenReply = [this](QNetworkReply* reply) {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0) {
            return fail(OAuthError::make(
                OAuthError::Kind::Network, QStringLiteral("token endpoint unreachable: %1").arg(reply->errorString())));
        }
        TokenSet tokens;
        OAuthError error;
        const bool ok = parseTokenReply(status, reply->readAll(), m_clock->nowMs(), &tokens, &error);
        finishWith(ok, tokens, error);
    };
    if (loopback) {
        if (!m_handler->isListening()) {
            return fail(OAuthError::make(OAuthError::Kind::Network,
                QStringLiteral("cannot listen on 127.0.0.1:%1 for the login callback (is another login or the %2 "
                               "CLI running?)")
                    .arg(m_spec.loopbackPort)
                    .arg(m_spec.displayName)));
        }
        m_handler->setCallbackPath(redirectPath(m_spec.redirectUri));
        m_handler->setCallbackText(QStringLiteral("Switchyard: login received. You can close this window."));
        m_redirectUri = m_spec.loopbackRedirect(m_handler->port());
    } else {
        m_handler->close();
        m_handler->m_paste = true;
        m_redirectUri = !m_spec.manualRedirectUri.isEmpty() ? m_spec.manualRedirectUri
                                                            : m_spec.loopbackRedirect(m_spec.loopbackPort);
    }

    m_flow = new LoginFlow(m_nam, this);
    m_flow->setAuthorizationUrl(m_spec.authorizeUrl);
    m_flow->setAccessTokenUrl(m_spec.tokenUrl);
    m_flow->setClientIdentifier(m_spec.clientId);
    if (!m_spec.clientSecret.isEmpty())
        m_flow->setClientIdentifierSharedKey(m_spec.clientSecret);
    m_flow->setScope(m_spec.scopes.join(QLatin1Char(' ')));
    m_flow->setState(QString::fromLatin1(m_state));
    m_flow->setReplyHandler(m_handler);
    const bool paste = !loopback;
    m_flow->setModifyParametersFunction(
        [this, paste](QAbstractOAuth::Stage stage, QMultiMap<QString, QVariant>* params) {
            params->remove(QStringLiteral("redirect_uri"));
            params->insert(QStringLiteral("redirect_uri"), m_redirectUri);
            if (stage == QAbstractOAuth::Stage::RequestingAuthorization) {
                params->insert(QStringLiteral("code_challenge"), QString::fromLatin1(pkce::challengeS256(m_verifier)));
                params->insert(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
                for (const auto& p : std::as_const(m_spec.authorizeParams))
                    params->replace(p.first, p.second);
                if (paste) {
                    for (const auto& p : std::as_const(m_spec.manualParams))
                        params->replace(p.first, p.second);
                }
            } else if (stage == QAbstractOAuth::Stage::RequestingAccessToken) {
                params->replace(QStringLiteral("code_verifier"), QString::fromLatin1(m_verifier));
                if (m_spec.tokenIncludesState)
                    params->replace(QStringLiteral("state"), QString::fromLatin1(m_state));
            }
        });
    connect(m_flow, &QAbstractOAuth::authorizeWithBrowser, this, [this](const QUrl& url) {
        qCInfo(lcOAuth).noquote() << m_spec.id << "login: authorization URL ready";
        Q_EMIT authorizationUrlReady(url);
    });
    connect(m_handler, &QAbstractOAuthReplyHandler::callbackReceived, this, &OAuthLogin::onCallback);
    m_flow->grant();
}

void OAuthLogin::onCallback(const QVariantMap& values)
{
    if (m_done || m_exchanging)
        return;
    const QString error = values.value(QStringLiteral("error")).toString();
    if (!error.isEmpty()) {
        const QString description = values.value(QStringLiteral("error_description")).toString();
        return fail(OAuthError::make(
            error == QLatin1String("access_denied") ? OAuthError::Kind::Denied : OAuthError::Kind::Rejected,
            QStringLiteral("the provider refused the login: %1%2")
                .arg(error, description.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(description)),
            0, error));
    }
    if (values.value(QStringLiteral("state")).toString() != QString::fromLatin1(m_state)) {
        // Either a forged request or a stale browser tab: never exchange its code.
        return fail(OAuthError::make(OAuthError::Kind::StateMismatch,
            QStringLiteral("the login callback's state does not match this login; start the login again")));
    }
    if (values.value(QStringLiteral("code")).toString().isEmpty())
        return fail(OAuthError::make(OAuthError::Kind::Protocol, QStringLiteral("the login callback has no code")));
    // The flow has already sent the code to the token endpoint; stop listening.
    m_exchanging = true;
    QMetaObject::invokeMethod(
        this,
        [this]() {
            if (m_handler)
                m_handler->close();
        },
        Qt::QueuedConnection);
}

void OAuthLogin::submitRedirect(const QString& pasted)
{
    if (m_done || m_exchanging || !m_flow)
        return;
    const QString text = pasted.trimmed();
    QString code;
    QString state;
    const QUrl url(text);
    if (text.contains(QLatin1String("://")) && url.isValid()) {
        const QUrlQuery q(url);
        code = q.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
        state = q.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
        const QString error = q.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
        if (!error.isEmpty()) {
            QVariantMap values;
            values.insert(QStringLiteral("error"), error);
            values.insert(QStringLiteral("error_description"),
                q.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded));
            return onCallback(values);
        }
    } else if (text.contains(QLatin1Char('#'))) {
        code = text.section(QLatin1Char('#'), 0, 0);
        state = text.section(QLatin1Char('#'), 1);
    } else {
        code = text; // the provider's page showed the bare code
    }
    if (code.isEmpty())
        return fail(
            OAuthError::make(OAuthError::Kind::Protocol, QStringLiteral("no authorization code in the pasted text")));
    if (!state.isEmpty() && state != QString::fromLatin1(m_state))
        return fail(OAuthError::make(OAuthError::Kind::StateMismatch,
            QStringLiteral("the pasted redirect belongs to another login (state mismatch); start the login again")));
    m_exchanging = true;
    m_flow->exchange(code);
}

void OAuthLogin::cancel()
{
    fail(OAuthError::make(OAuthError::Kind::Cancelled, QStringLiteral("the login was cancelled")));
}

void OAuthLogin::finishWith(bool ok, const TokenSet& tokens, const OAuthError& error)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    m_poll.stop();
    if (m_handler)
        m_handler->close();
    if (ok) {
        qCInfo(lcOAuth).noquote() << m_spec.id << "login succeeded";
        Q_EMIT succeeded(tokens);
    } else {
        qCInfo(lcOAuth).noquote() << m_spec.id << "login failed:" << error.message;
        Q_EMIT failed(error);
    }
}

void OAuthLogin::exchangeCode(const QString& code, const QString& redirectUri, const QByteArray& verifier)
{
    oauthhttp::Params params {qMakePair(QStringLiteral("grant_type"), QStringLiteral("authorization_code")),
        qMakePair(QStringLiteral("code"), code), qMakePair(QStringLiteral("redirect_uri"), redirectUri),
        qMakePair(QStringLiteral("code_verifier"), QString::fromLatin1(verifier))};
    oauthhttp::requestTokens(m_nam, m_spec, params, m_clock, this,
        [this](bool ok, const TokenSet& tokens, const OAuthError& error) { finishWith(ok, tokens, error); });
}

void OAuthLogin::startDevice()
{
    m_pollIntervalMs = m_defaultPollMs;
    const bool openai = m_spec.device.style == QLatin1String("openai");
    oauthhttp::Params params {qMakePair(QStringLiteral("client_id"), m_spec.clientId)};
    if (!openai)
        params.append(qMakePair(QStringLiteral("scope"), m_spec.scopes.join(QLatin1Char(' '))));
    oauthhttp::post(m_nam, m_spec.device.codeUrl, params, openai, this, [this, openai](const oauthhttp::Reply& r) {
        if (r.status == 0)
            return fail(OAuthError::make(OAuthError::Kind::Network,
                QStringLiteral("device authorization endpoint unreachable: %1").arg(r.networkError)));
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        if (r.status < 200 || r.status >= 300) {
            TokenSet unused;
            OAuthError e;
            parseTokenReply(r.status, r.body, 0, &unused, &e);
            return fail(e);
        }
        m_deviceCode = o.value(QLatin1String(openai ? "device_auth_id" : "device_code")).toString();
        m_userCode = o.value(QLatin1String("user_code")).toString();
        if (m_userCode.isEmpty())
            m_userCode = o.value(QLatin1String("usercode")).toString();
        if (m_deviceCode.isEmpty() || m_userCode.isEmpty())
            return fail(OAuthError::make(OAuthError::Kind::Protocol,
                QStringLiteral("the device authorization answer has no device or user code")));
        const QJsonValue interval = o.value(QLatin1String("interval"));
        const qint64 seconds = interval.isString() ? interval.toString().toLongLong() : qint64(interval.toDouble());
        if (seconds > 0)
            m_pollIntervalMs = int(qMin<qint64>(seconds * 1000, 60000));
        const qint64 expiresIn = qint64(o.value(QLatin1String("expires_in")).toDouble());
        m_deviceExpiresAtMs = m_clock->nowMs() + (expiresIn > 0 ? expiresIn * 1000 : 15 * 60 * 1000);
        QUrl verification(o.value(QLatin1String("verification_uri")).toString());
        if (verification.isEmpty())
            verification = m_spec.device.verificationUrl;
        const QUrl complete(o.value(QLatin1String("verification_uri_complete")).toString());
        qCInfo(lcOAuth).noquote() << m_spec.id << "device login: waiting for the user";
        Q_EMIT deviceCodeReady(m_userCode, verification, complete);
        m_poll.start(m_pollIntervalMs);
    });
}

void OAuthLogin::pollDevice()
{
    if (m_done)
        return;
    if (m_clock->nowMs() >= m_deviceExpiresAtMs)
        return fail(OAuthError::make(
            OAuthError::Kind::Expired, QStringLiteral("the device code expired before it was approved")));
    if (m_spec.device.style == QLatin1String("openai")) {
        const oauthhttp::Params params {qMakePair(QStringLiteral("device_auth_id"), m_deviceCode),
            qMakePair(QStringLiteral("user_code"), m_userCode)};
        oauthhttp::post(m_nam, m_spec.device.pollUrl, params, true, this, [this](const oauthhttp::Reply& r) {
            if (r.status == 0 || r.status == 403 || r.status == 404 || r.status >= 500) {
                // Not approved yet (403/404), or a transient failure: keep polling until the code expires.
                m_poll.start(m_pollIntervalMs);
                return;
            }
            const QJsonObject o = QJsonDocument::fromJson(r.body).object();
            const QString code = o.value(QLatin1String("authorization_code")).toString();
            const QByteArray verifier = o.value(QLatin1String("code_verifier")).toString().toLatin1();
            if (r.status >= 300 || code.isEmpty())
                return fail(OAuthError::make(OAuthError::Kind::Rejected,
                    QStringLiteral("device login refused with HTTP %1").arg(r.status), r.status));
            exchangeCode(code, m_spec.device.redirectUri, verifier);
        });
        return;
    }
    const QUrl pollUrl = m_spec.device.pollUrl.isEmpty() ? m_spec.tokenUrl : m_spec.device.pollUrl;
    OAuthProviderSpec spec = m_spec;
    spec.tokenUrl = pollUrl;
    const oauthhttp::Params params {
        qMakePair(QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")),
        qMakePair(QStringLiteral("device_code"), m_deviceCode)};
    oauthhttp::requestTokens(
        m_nam, spec, params, m_clock, this, [this](bool ok, const TokenSet& tokens, const OAuthError& error) {
            if (ok)
                return finishWith(true, tokens, error);
            if (error.code == QLatin1String("authorization_pending") || error.kind == OAuthError::Kind::Network
                || error.kind == OAuthError::Kind::Server) {
                m_poll.start(m_pollIntervalMs);
            } else if (error.code == QLatin1String("slow_down")) {
                m_pollIntervalMs += m_slowDownStepMs;
                m_poll.start(m_pollIntervalMs);
            } else if (error.code == QLatin1String("access_denied")) {
                fail(OAuthError::make(OAuthError::Kind::Denied, QStringLiteral("the device login was denied"),
                    error.httpStatus, error.code));
            } else if (error.code == QLatin1String("expired_token")) {
                fail(OAuthError::make(OAuthError::Kind::Expired,
                    QStringLiteral("the device code expired before it was approved"), error.httpStatus, error.code));
            } else {
                fail(error);
            }
        });
}

} // namespace sy
