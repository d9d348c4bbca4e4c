#include "oauth/oauthprovider.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace sy {

namespace {

QList<QPair<QString, QString>> stringPairs(const QJsonObject& o)
{
    QList<QPair<QString, QString>> out;
    for (auto it = o.begin(); it != o.end(); ++it)
        out.append(qMakePair(it.key(), it.value().toString()));
    return out;
}

QJsonObject merged(QJsonObject base, const QJsonObject& over)
{
    for (auto it = over.begin(); it != over.end(); ++it) {
        if (it.value().isObject() && base.value(it.key()).isObject())
            base.insert(it.key(), merged(base.value(it.key()).toObject(), it.value().toObject()));
        else
            base.insert(it.key(), it.value());
    }
    return base;
}

Result<OAuthProviderSpec> parseSpec(const QString& id, const QJsonObject& o)
{
    OAuthProviderSpec s;
    s.id = id;
    s.accountType = o.value(QLatin1String("account_type")).toString();
    s.displayName = o.value(QLatin1String("display_name")).toString(id);
    s.clientId = o.value(QLatin1String("client_id")).toString();
    s.clientSecret = o.value(QLatin1String("client_secret")).toString();
    s.clientSecretEnv = o.value(QLatin1String("client_secret_env")).toString();
    s.clientSecretRequired = o.value(QLatin1String("client_secret_required")).toBool();
    if (s.clientSecret.isEmpty() && !s.clientSecretEnv.isEmpty())
        s.clientSecret = qEnvironmentVariable(qPrintable(s.clientSecretEnv));
    s.authorizeUrl = QUrl(o.value(QLatin1String("authorize_url")).toString());
    s.tokenUrl = QUrl(o.value(QLatin1String("token_url")).toString());
    for (const QJsonValue& v : o.value(QLatin1String("scopes")).toArray())
        s.scopes.append(v.toString());
    s.redirectUri = o.value(QLatin1String("redirect_uri")).toString();
    s.loopbackPort = quint16(o.value(QLatin1String("loopback_port")).toInt(0));
    s.manualRedirectUri = o.value(QLatin1String("manual_redirect_uri")).toString();
    s.authorizeParams = stringPairs(o.value(QLatin1String("authorize_params")).toObject());
    s.manualParams = stringPairs(o.value(QLatin1String("manual_params")).toObject());
    s.tokenJson = o.value(QLatin1String("token_format")).toString() == QLatin1String("json");
    s.tokenIncludesState = o.value(QLatin1String("token_includes_state")).toBool();
    s.userInfoUrl = QUrl(o.value(QLatin1String("userinfo_url")).toString());
    const QJsonObject d = o.value(QLatin1String("device")).toObject();
    s.device.style = d.value(QLatin1String("style")).toString();
    s.device.codeUrl = QUrl(d.value(QLatin1String("code_url")).toString());
    s.device.pollUrl = QUrl(d.value(QLatin1String("poll_url")).toString());
    s.device.verificationUrl = QUrl(d.value(QLatin1String("verification_url")).toString());
    s.device.redirectUri = d.value(QLatin1String("redirect_uri")).toString();
    const QJsonObject u = o.value(QLatin1String("upstream")).toObject();
    s.upstreamProviderId = u.value(QLatin1String("provider_id")).toString(id);
    const QString kind = u.value(QLatin1String("kind")).toString();
    if (kind == QLatin1String("anthropic"))
        s.upstreamKind = ProviderKind::Anthropic;
    else if (kind == QLatin1String("openai-responses"))
        s.upstreamKind = ProviderKind::OpenAiResponses;
    else if (kind == QLatin1String("openai-chat"))
        s.upstreamKind = ProviderKind::OpenAiChat;
    else if (kind == QLatin1String("gemini"))
        s.upstreamKind = ProviderKind::Gemini;
    else
        return Result<OAuthProviderSpec>::failure(
            QStringLiteral("oauth.%1.upstream.kind: unknown provider kind \"%2\"").arg(id, kind));
    s.upstreamBaseUrl = u.value(QLatin1String("base_url")).toString();
    while (s.upstreamBaseUrl.endsWith(QLatin1Char('/')))
        s.upstreamBaseUrl.chop(1);
    const QJsonObject headers = u.value(QLatin1String("headers")).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it)
        s.upstreamHeaders.append(qMakePair(it.key().toLatin1().toLower(), it.value().toString().toUtf8()));
    s.anthropicBeta = u.value(QLatin1String("beta")).toString();
    s.codeAssist = u.value(QLatin1String("code_assist")).toBool();
    s.terms = o.value(QLatin1String("terms")).toString();

    const auto need = [&](bool ok, const char* field) {
        return ok ? QString() : QStringLiteral("oauth.%1.%2 is missing or invalid").arg(id, QLatin1String(field));
    };
    for (const QString& problem : {need(!s.accountType.isEmpty(), "account_type"),
             need(!s.clientId.isEmpty(), "client_id"), need(s.authorizeUrl.isValid(), "authorize_url"),
             need(s.tokenUrl.isValid() && !s.tokenUrl.isEmpty(), "token_url"),
             need(s.redirectUri.contains(QLatin1String("{port}")), "redirect_uri"),
             need(!s.upstreamBaseUrl.isEmpty(), "upstream.base_url")}) {
        if (!problem.isEmpty())
            return Result<OAuthProviderSpec>::failure(problem);
    }
    if (!s.device.style.isEmpty() && s.device.style != QLatin1String("rfc8628")
        && s.device.style != QLatin1String("openai"))
        return Result<OAuthProviderSpec>::failure(
            QStringLiteral("oauth.%1.device.style must be \"rfc8628\" or \"openai\"").arg(id));
    return s;
}

} // namespace

QString OAuthProviderSpec::loopbackRedirect(quint16 port) const
{
    QString uri = redirectUri;
    uri.replace(QLatin1String("{port}"), QString::number(port));
    return uri;
}

Result<QList<OAuthProviderSpec>> loadOAuthProviders(const QJsonObject& overrides)
{
    QFile f(QStringLiteral(":/core/oauth-providers.json"));
    if (!f.open(QIODevice::ReadOnly))
        return Result<QList<OAuthProviderSpec>>::failure(QStringLiteral("oauth-providers.json is not built in"));
    const QJsonObject shipped
        = QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("providers")).toObject();
    QJsonObject all = shipped;
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        all.insert(it.key(), merged(shipped.value(it.key()).toObject(), it.value().toObject()));
    QList<OAuthProviderSpec> out;
    for (auto it = all.begin(); it != all.end(); ++it) {
        Result<OAuthProviderSpec> spec = parseSpec(it.key(), it.value().toObject());
        if (!spec)
            return Result<QList<OAuthProviderSpec>>::failure(spec.error());
        out.append(spec.value());
    }
    return out;
}

const OAuthProviderSpec* findOAuthProvider(const QList<OAuthProviderSpec>& specs, const QString& idOrType)
{
    for (const OAuthProviderSpec& s : specs) {
        if (s.id == idOrType || s.accountType == idOrType)
            return &s;
    }
    return nullptr;
}

} // namespace sy
