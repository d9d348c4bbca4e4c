#pragma once

#include "common/result.h"
#include "config/config.h"

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace sy {

// One OAuth login provider: the public client of an official CLI and where its tokens are used. Loaded from
// resources/oauth-providers.json; every field can be overridden in the config's "oauth" object.
struct OAuthProviderSpec
{
    QString id; // "chatgpt", "claude", "google"
    QString accountType; // "chatgpt-codex", "claude", "google-gemini"
    QString displayName;
    QString clientId;
    QString clientSecret; // "installed app" secret where the provider requires one; never shipped (config or env)
    bool clientSecretRequired = false; // the token endpoint refuses a login without clientSecret
    QString clientSecretEnv; // environment variable that can supply clientSecret
    QUrl authorizeUrl;
    QUrl tokenUrl;
    QStringList scopes;
    QString redirectUri; // loopback redirect template with "{port}"
    quint16 loopbackPort = 0; // 0: any free port
    QString manualRedirectUri; // paste mode; empty: paste mode uses the loopback redirect URI
    QList<QPair<QString, QString>> authorizeParams;
    QList<QPair<QString, QString>> manualParams; // added in paste mode only
    bool tokenJson = false; // token endpoint takes JSON instead of a form
    bool tokenIncludesState = false;
    QUrl userInfoUrl;

    struct Device
    {
        QString style; // "rfc8628" or "openai"; empty: no device flow
        QUrl codeUrl;
        QUrl pollUrl; // rfc8628: empty means the token URL
        QUrl verificationUrl;
        QString redirectUri; // openai style: redirect URI of the final code exchange
    } device;

    // Where the account's tokens are used.
    QString upstreamProviderId; // the implicit provider's id
    ProviderKind upstreamKind = ProviderKind::OpenAiResponses;
    QString upstreamBaseUrl;
    QList<QPair<QByteArray, QByteArray>> upstreamHeaders;
    QString anthropicBeta; // added to anthropic-beta for this account type
    bool codeAssist = false; // Google Code Assist envelope around Gemini requests
    QString terms; // a short note on the provider's terms for subscription accounts

    bool hasDeviceFlow() const { return !device.style.isEmpty(); }
    QString loopbackRedirect(quint16 port) const;
};

// The shipped specs with `overrides` ({"chatgpt": {"token_url": ...}, ...}) merged over them field by field.
Result<QList<OAuthProviderSpec>> loadOAuthProviders(const QJsonObject& overrides = {});
// By id ("chatgpt") or account type ("chatgpt-codex"); nullptr when unknown.
const OAuthProviderSpec* findOAuthProvider(const QList<OAuthProviderSpec>& specs, const QString& idOrType);

} // namespace sy
