// Reading other tools' OAuth files (read-only): Codex CLI, Claude Code, Gemini CLI.

#include "fakeauthserver.h"
#include "accounts/accountimport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace sy;

class TestAccountImport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& data)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(data);
        return path;
    }

private Q_SLOTS:
    void defaultPathsFollowEachToolsEnvironment()
    {
        QHash<QString, QString> env {{QStringLiteral("HOME"), QStringLiteral("/home/u")}};
        QCOMPARE(defaultImportPath(QStringLiteral("codex"), env), QStringLiteral("/home/u/.codex/auth.json"));
        QCOMPARE(defaultImportPath(QStringLiteral("claude"), env), QStringLiteral("/home/u/.claude/.credentials.json"));
        QCOMPARE(defaultImportPath(QStringLiteral("gemini"), env), QStringLiteral("/home/u/.gemini/oauth_creds.json"));
        env.insert(QStringLiteral("CODEX_HOME"), QStringLiteral("/opt/codex"));
        env.insert(QStringLiteral("CLAUDE_CONFIG_DIR"), QStringLiteral("/opt/claude"));
        QCOMPARE(defaultImportPath(QStringLiteral("codex"), env), QStringLiteral("/opt/codex/auth.json"));
        QCOMPARE(defaultImportPath(QStringLiteral("claude"), env), QStringLiteral("/opt/claude/.credentials.json"));
    }

    void codexAuthJson()
    {
        const QByteArray access = base64Url("{\"alg\":\"none\"}") + '.' + base64Url("{\"exp\":1900000000}") + ".s";
        const QString path = write(QStringLiteral("auth.json"),
            "{\"OPENAI_API_KEY\":null,\"tokens\":{\"id_token\":\"id.tok.en\",\"access_token\":\"" + access
                + "\",\"refresh_token\":\"rt-1\",\"account_id\":\"acc-9\"},\"last_refresh\":\"2026-01-01T00:00:00Z\"}");
        const Result<ImportedLogin> r = readImportFile(QStringLiteral("codex"), path);
        QVERIFY(r.ok());
        QCOMPARE(r->providerId, QStringLiteral("chatgpt"));
        QCOMPARE(r->source, QStringLiteral("import:codex"));
        QVERIFY(r->tokens.accessToken == QString::fromLatin1(access));
        QVERIFY(r->tokens.refreshToken == QLatin1String("rt-1"));
        QCOMPARE(r->tokens.expiresAtMs, 1900000000000LL); // from the access token's exp claim
        QCOMPARE(r->tokens.extra.value(QLatin1String("account_id")).toString(), QStringLiteral("acc-9"));
    }

    void claudeCredentialsJson()
    {
        const QString path = write(QStringLiteral("claude.json"),
            "{\"claudeAiOauth\":{\"accessToken\":\"sk-ant-oat01-x\",\"refreshToken\":\"sk-ant-ort01-y\","
            "\"expiresAt\":1800000000000,\"scopes\":[\"user:inference\",\"user:profile\"],\"subscriptionType\":\"max\"}"
            "}");
        const Result<ImportedLogin> r = readImportFile(QStringLiteral("claude"), path);
        QVERIFY(r.ok());
        QCOMPARE(r->providerId, QStringLiteral("claude"));
        QCOMPARE(r->tokens.expiresAtMs, 1800000000000LL);
        QCOMPARE(r->tokens.scope, QStringLiteral("user:inference user:profile"));
        QCOMPARE(r->tokens.extra.value(QLatin1String("subscription_type")).toString(), QStringLiteral("max"));
    }

    void geminiOauthCreds()
    {
        const QString path = write(QStringLiteral("gemini.json"),
            "{\"access_token\":\"ya29.a\",\"refresh_token\":\"1//r\",\"scope\":\"https://www.googleapis.com/auth/"
            "cloud-platform\",\"token_type\":\"Bearer\",\"expiry_date\":1800000000123}");
        const Result<ImportedLogin> r = readImportFile(QStringLiteral("gemini"), path);
        QVERIFY(r.ok());
        QCOMPARE(r->providerId, QStringLiteral("google"));
        QCOMPARE(r->tokens.expiresAtMs, 1800000000123LL);
        QCOMPARE(r->tokens.tokenType, QStringLiteral("Bearer"));
    }

    void onlyARefreshTokenRefreshesFirst()
    {
        const QString path = write(QStringLiteral("only-refresh.json"), "{\"refresh_token\":\"1//r\"}");
        const Result<ImportedLogin> r = readImportFile(QStringLiteral("gemini"), path);
        QVERIFY(r.ok());
        QVERIFY(r->tokens.accessToken.isEmpty());
        QVERIFY(r->tokens.expiresAtMs > 0 && r->tokens.expiresAtMs < 1000); // already expired
    }

    void clearErrors()
    {
        const QString apiKeyOnly
            = write(QStringLiteral("apikey.json"), "{\"OPENAI_API_KEY\":\"sk-abc\",\"tokens\":null}");
        Result<ImportedLogin> r = readImportFile(QStringLiteral("codex"), apiKeyOnly);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains(QLatin1String("no OAuth login")), qPrintable(r.error()));
        QVERIFY(!r.error().contains(QLatin1String("sk-abc")));
        r = readImportFile(QStringLiteral("codex"), m_dir.filePath(QStringLiteral("missing.json")));
        QVERIFY(!r.ok());
        QVERIFY(r.error().contains(QLatin1String("cannot read")));
        r = readImportFile(QStringLiteral("cursor"), apiKeyOnly);
        QVERIFY(!r.ok());
        QVERIFY(r.error().contains(QLatin1String("codex, claude or gemini")));
        const QString garbage = write(QStringLiteral("garbage.json"), "not json");
        r = readImportFile(QStringLiteral("claude"), garbage);
        QVERIFY(!r.ok());
    }
};

QTEST_GUILESS_MAIN(TestAccountImport)
#include "tst_accountimport.moc"
