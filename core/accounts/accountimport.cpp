#include "accounts/accountimport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sy {

namespace {

qint64 jwtExpiryMs(const QString& jwt)
{
    const qint64 exp = qint64(jwtClaims(jwt).value(QLatin1String("exp")).toDouble());
    return exp > 0 ? exp * 1000 : 0;
}

} // namespace

QString defaultImportPath(const QString& which, const QHash<QString, QString>& env)
{
    const QString home = env.value(QStringLiteral("HOME"), QDir::homePath());
    if (which == QLatin1String("codex")) {
        const QString dir = env.value(QStringLiteral("CODEX_HOME"), home + QStringLiteral("/.codex"));
        return dir + QStringLiteral("/auth.json");
    }
    if (which == QLatin1String("claude")) {
        const QString dir = env.value(QStringLiteral("CLAUDE_CONFIG_DIR"), home + QStringLiteral("/.claude"));
        return dir + QStringLiteral("/.credentials.json");
    }
    if (which == QLatin1String("gemini"))
        return home + QStringLiteral("/.gemini/oauth_creds.json");
    return QString();
}

Result<ImportedLogin> readImportFile(const QString& which, const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<ImportedLogin>::failure(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    QJsonParseError pe;
    const QJsonObject root = QJsonDocument::fromJson(f.readAll(), &pe).object();
    if (root.isEmpty())
        return Result<ImportedLogin>::failure(QStringLiteral("%1 is not a JSON object").arg(path));
    ImportedLogin login;
    TokenSet& t = login.tokens;
    if (which == QLatin1String("codex")) {
        const QJsonObject tokens = root.value(QLatin1String("tokens")).toObject();
        t.accessToken = tokens.value(QLatin1String("access_token")).toString();
        t.refreshToken = tokens.value(QLatin1String("refresh_token")).toString();
        t.idToken = tokens.value(QLatin1String("id_token")).toString();
        const QString accountId = tokens.value(QLatin1String("account_id")).toString();
        if (!accountId.isEmpty())
            t.extra.insert(QLatin1String("account_id"), accountId);
        t.expiresAtMs = jwtExpiryMs(t.accessToken);
        login.providerId = QStringLiteral("chatgpt");
    } else if (which == QLatin1String("claude")) {
        const QJsonObject o = root.value(QLatin1String("claudeAiOauth")).toObject();
        t.accessToken = o.value(QLatin1String("accessToken")).toString();
        t.refreshToken = o.value(QLatin1String("refreshToken")).toString();
        t.expiresAtMs = qint64(o.value(QLatin1String("expiresAt")).toDouble());
        QStringList scopes;
        for (const QJsonValue& v : o.value(QLatin1String("scopes")).toArray())
            scopes.append(v.toString());
        t.scope = scopes.join(QLatin1Char(' '));
        const QString plan = o.value(QLatin1String("subscriptionType")).toString();
        if (!plan.isEmpty())
            t.extra.insert(QLatin1String("subscription_type"), plan);
        login.providerId = QStringLiteral("claude");
    } else if (which == QLatin1String("gemini")) {
        t.accessToken = root.value(QLatin1String("access_token")).toString();
        t.refreshToken = root.value(QLatin1String("refresh_token")).toString();
        t.idToken = root.value(QLatin1String("id_token")).toString();
        t.scope = root.value(QLatin1String("scope")).toString();
        t.tokenType = root.value(QLatin1String("token_type")).toString();
        t.expiresAtMs = qint64(root.value(QLatin1String("expiry_date")).toDouble());
        login.providerId = QStringLiteral("google");
    } else {
        return Result<ImportedLogin>::failure(
            QStringLiteral("unknown import source \"%1\" (expected codex, claude or gemini)").arg(which));
    }
    if (t.accessToken.isEmpty() && t.refreshToken.isEmpty())
        return Result<ImportedLogin>::failure(QStringLiteral("%1 holds no OAuth login (an API key only?)").arg(path));
    if (t.accessToken.isEmpty())
        t.expiresAtMs = 1; // only a refresh token: refresh before first use
    login.source = QStringLiteral("import:") + which;
    return login;
}

} // namespace sy
