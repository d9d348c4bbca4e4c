#pragma once

#include "oauth/oauthprovider.h"
#include "oauth/tokenset.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;

namespace sy {

class Clock;
class LoginFlow;
class LoginReplyHandler;

// One interactive login against an OAuthProviderSpec. Core never opens a browser: it emits the URL to open (or the
// device code to enter) and the UI or CLI shows it.
//
//  - Loopback: QOAuth2AuthorizationCodeFlow with a loopback reply handler on the spec's port (0 = any). PKCE S256
//    and the exact redirect URI are added through setModifyParametersFunction. The callback's `state` must match;
//    the listener closes after the first valid callback.
//  - Paste: the same flow without a listener. The redirect goes to the provider's "copy this code" page (or the
//    loopback URI, which fails to load on a headless box); the user pastes the URL, "code#state" or the code, and
//    submitRedirect() finishes the exchange.
//  - Device: RFC 8628 (authorization_pending, slow_down, access_denied, expired_token) or OpenAI's device-auth
//    variant (poll until a code and verifier come back, then exchange them).
// Exactly one of succeeded() or failed() is emitted.
class OAuthLogin : public QObject
{
    Q_OBJECT
public:
    enum class Mode { Loopback, Paste, Device };

    OAuthLogin(const OAuthProviderSpec& spec, const Clock* clock, QObject* parent = nullptr);
    ~OAuthLogin() override;

    // Device polling: the interval when the server names none, and what each slow_down adds (RFC 8628: 5 s).
    void setDevicePollTiming(int defaultIntervalMs, int slowDownStepMs);
    // How long a login may wait for the user (default 10 minutes).
    void setTimeoutMs(int ms) { m_timeout.setInterval(ms); }

    void start(Mode mode);
    // Paste mode: the redirected URL, "code#state", or the bare code.
    void submitRedirect(const QString& pasted);
    void cancel();

    Mode mode() const { return m_mode; }
    const OAuthProviderSpec& spec() const { return m_spec; }
    quint16 loopbackPort() const;
    QString redirectUri() const { return m_redirectUri; }
    int devicePollIntervalMs() const { return m_pollIntervalMs; }

Q_SIGNALS:
    void authorizationUrlReady(const QUrl& url);
    void deviceCodeReady(const QString& userCode, const QUrl& verificationUrl, const QUrl& verificationUrlComplete);
    void succeeded(const sy::TokenSet& tokens);
    void failed(const sy::OAuthError& error);

private:
    void startAuthorizationCode(bool loopback);
    void onCallback(const QVariantMap& values);
    void startDevice();
    void pollDevice();
    void finishWith(bool ok, const TokenSet& tokens, const OAuthError& error);
    void fail(const OAuthError& error) { finishWith(false, TokenSet(), error); }
    void exchangeCode(const QString& code, const QString& redirectUri, const QByteArray& verifier);

    OAuthProviderSpec m_spec;
    const Clock* m_clock;
    QNetworkAccessManager* m_nam;
    Mode m_mode = Mode::Loopback;
    LoginFlow* m_flow = nullptr;
    LoginReplyHandler* m_handler = nullptr;
    QByteArray m_verifier;
    QByteArray m_state;
    QString m_redirectUri;
    bool m_done = false;
    bool m_exchanging = false;
    QTimer m_timeout;
    // device flow
    QTimer m_poll;
    int m_defaultPollMs = 5000;
    int m_slowDownStepMs = 5000;
    int m_pollIntervalMs = 5000;
    qint64 m_deviceExpiresAtMs = 0;
    QString m_deviceCode; // rfc8628 device_code, or openai device_auth_id
    QString m_userCode;
};

} // namespace sy

Q_DECLARE_METATYPE(sy::TokenSet)
Q_DECLARE_METATYPE(sy::OAuthError)
