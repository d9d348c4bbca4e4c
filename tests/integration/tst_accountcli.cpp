// `switchyard account ...` as a user runs it: import, list, logout, and a paste-mode login against a fake token
// endpoint. Afterwards everything the runs wrote or printed is scanned for the tokens.

#include "fakeauthserver.h"
#include "fakeupstream.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <sys/stat.h>

namespace {

// Token strings used below; none may show up anywhere but in the secret store.
const QByteArray kCodexAccess
    = base64Url("{\"alg\":\"none\"}") + '.' + base64Url("{\"exp\":2000000000}") + ".sig-codex-access";
const QByteArray kCodexRefresh = "rt-codex-refresh-7f3a9";
const QByteArray kClaudeAccess = "sk-ant-oat01-cli-access-55aa";
const QByteArray kClaudeRefresh = "sk-ant-ort01-cli-refresh-66bb";
const QByteArray kStoredKey = "sk-stored-key-1234abcd";

} // namespace

class TestAccountCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QByteArray m_printed; // everything the runs printed

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_dir.filePath(QStringLiteral("home")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("SWITCHYARD_SECRET_STORE"), QStringLiteral("file"));
        env.remove(QStringLiteral("CODEX_HOME"));
        env.remove(QStringLiteral("CLAUDE_CONFIG_DIR"));
        return env;
    }

    struct Run
    {
        int code = -1;
        QString out;
        QString err;
    };
    Run run(const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(QStringLiteral(SWITCHYARD_BIN), args);
        if (!p.waitForFinished(20000))
            p.kill();
        Run r {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
        m_printed += r.out.toUtf8() + r.err.toUtf8();
        return r;
    }

    QString configPath() const { return m_dir.filePath(QStringLiteral("cli-config.json")); }

    void writeConfig(const QString& tokenUrl)
    {
        QFile f(configPath());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"providers\":[],\"routes\":[],\"oauth\":{\"claude\":{\"token_url\":\"" + tokenUrl.toUtf8()
            + "\",\"userinfo_url\":\"\"}}}");
    }

private Q_SLOTS:
    void importListLogout()
    {
        const QString codexDir = m_dir.filePath(QStringLiteral("home/.codex"));
        QVERIFY(QDir().mkpath(codexDir));
        QFile auth(codexDir + QStringLiteral("/auth.json"));
        QVERIFY(auth.open(QIODevice::WriteOnly));
        const QByteArray idToken = base64Url("{\"alg\":\"none\"}") + '.'
            + base64Url(
                "{\"email\":\"cli@example.com\",\"https://api.openai.com/auth\":{\"chatgpt_account_id\":\"a-1\","
                "\"chatgpt_plan_type\":\"plus\"}}")
            + ".sig";
        auth.write("{\"OPENAI_API_KEY\":null,\"tokens\":{\"id_token\":\"" + idToken + "\",\"access_token\":\""
            + kCodexAccess + "\",\"refresh_token\":\"" + kCodexRefresh + "\",\"account_id\":\"a-1\"}}");
        auth.close();
        const QByteArray original = [&] {
            QFile f(auth.fileName());
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();

        Run r = run({QStringLiteral("account"), QStringLiteral("import"), QStringLiteral("codex")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QLatin1String("cli@example.com")));
        QVERIFY2(r.err.contains(QLatin1String("unencrypted")), qPrintable(r.err)); // the file store is announced

        r = run({QStringLiteral("account"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonArray accounts
            = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QLatin1String("accounts")).toArray();
        QCOMPARE(accounts.size(), 1);
        const QJsonObject a = accounts.at(0).toObject();
        QCOMPARE(a.value(QLatin1String("email")).toString(), QStringLiteral("cli@example.com"));
        QCOMPARE(a.value(QLatin1String("plan")).toString(), QStringLiteral("plus"));
        QCOMPARE(a.value(QLatin1String("source")).toString(), QStringLiteral("import:codex"));
        QCOMPARE(a.value(QLatin1String("state")).toString(), QStringLiteral("ready"));

        // The secret file is private; the other tool's file is untouched.
        const QString secrets = m_dir.filePath(QStringLiteral("config/switchyard/secrets.json"));
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(secrets).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        QCOMPARE(::stat(QFile::encodeName(QFileInfo(secrets).absolutePath()).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0700);
        QFile again(auth.fileName());
        QVERIFY(again.open(QIODevice::ReadOnly));
        QVERIFY(again.readAll() == original);

        r = run({QStringLiteral("account"), QStringLiteral("logout"), a.value(QLatin1String("id")).toString()});
        QCOMPARE(r.code, 0);
        r = run({QStringLiteral("account"), QStringLiteral("list")});
        QVERIFY(r.out.contains(QLatin1String("No accounts")));
        QFile store(secrets);
        QVERIFY(store.open(QIODevice::ReadOnly));
        QVERIFY(!store.readAll().contains(kCodexRefresh)); // logout removed the tokens
    }

    // Paste mode (--no-browser): the URL carries PKCE and the provider's manual redirect; the pasted "code#state"
    // is exchanged with the verifier, as JSON for Claude.
    void pasteLoginAgainstFakeTokenEndpoint()
    {
        FakeUpstream tokenServer;
        QVERIFY(tokenServer.listen());
        tokenServer.enqueue(FakeReply::json(200,
            "{\"access_token\":\"" + kClaudeAccess + "\",\"refresh_token\":\"" + kClaudeRefresh
                + "\",\"expires_in\":28800,\"token_type\":\"Bearer\",\"account\":{\"email_address\":"
                  "\"paste@example.com\"}}"));
        writeConfig(tokenServer.baseUrl() + QStringLiteral("/v1/oauth/token"));

        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(QStringLiteral(SWITCHYARD_BIN),
            {QStringLiteral("account"), QStringLiteral("login"), QStringLiteral("claude"),
                QStringLiteral("--no-browser"), QStringLiteral("--config"), configPath()});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QUrl authorize;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                out += p.readAllStandardOutput();
                for (const QByteArray& line : out.split('\n')) {
                    if (line.trimmed().startsWith("https://")) {
                        authorize = QUrl(QString::fromUtf8(line.trimmed()));
                        return out.contains("paste the address");
                    }
                }
                return false;
            }(),
            10000);
        const QUrlQuery q(authorize);
        QCOMPARE(q.queryItemValue(QStringLiteral("client_id")), QStringLiteral("9d1c250a-e61b-44d9-88ed-5944d1962f5e"));
        QCOMPARE(q.queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
        QCOMPARE(q.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded),
            QStringLiteral("https://platform.claude.com/oauth/code/callback"));
        QCOMPARE(q.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
        const QString challenge = q.queryItemValue(QStringLiteral("code_challenge"));
        const QString state = q.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
        QVERIFY(!challenge.isEmpty());
        QVERIFY(state.size() >= 16);

        p.write("the-auth-code#" + state.toUtf8() + "\n");
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 20000); // the event loop serves the fake
        out += p.readAllStandardOutput();
        const QByteArray err = p.readAllStandardError();
        m_printed += out + err;
        QVERIFY2(p.exitCode() == 0, err.constData());
        QVERIFY(out.contains("paste@example.com"));

        QCOMPARE(tokenServer.requests().size(), 1);
        const QJsonObject body = QJsonDocument::fromJson(tokenServer.requests().first().body).object();
        QCOMPARE(body.value(QLatin1String("grant_type")).toString(), QStringLiteral("authorization_code"));
        QCOMPARE(body.value(QLatin1String("code")).toString(), QStringLiteral("the-auth-code"));
        QCOMPARE(body.value(QLatin1String("state")).toString(), state);
        QCOMPARE(body.value(QLatin1String("redirect_uri")).toString(),
            QStringLiteral("https://platform.claude.com/oauth/code/callback"));
        const QByteArray verifier = body.value(QLatin1String("code_verifier")).toString().toLatin1();
        QCOMPARE(
            QString::fromLatin1(base64Url(QCryptographicHash::hash(verifier, QCryptographicHash::Sha256))), challenge);
    }

    void pasteLoginRefusesAForeignState()
    {
        FakeUpstream tokenServer;
        QVERIFY(tokenServer.listen());
        writeConfig(tokenServer.baseUrl() + QStringLiteral("/v1/oauth/token"));
        QProcess p;
        p.setProcessEnvironment(environment());
        p.start(QStringLiteral(SWITCHYARD_BIN),
            {QStringLiteral("account"), QStringLiteral("login"), QStringLiteral("claude"),
                QStringLiteral("--no-browser"), QStringLiteral("--config"), configPath()});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("paste the address"), 10000);
        p.write("https://platform.claude.com/oauth/code/callback?code=abc&state=forged-state\n");
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 20000); // the event loop serves the fake
        const QByteArray err = p.readAllStandardError();
        m_printed += out + err;
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains("state mismatch"), err.constData());
        QCOMPARE(tokenServer.requests().size(), 0); // a forged callback's code is never exchanged
    }

    // An API key entered with `secret set` lives in the secret store; the config names it, and the gateway uses it.
    void storedKeyReachesTheUpstream()
    {
        QProcess set;
        set.setProcessEnvironment(environment());
        set.start(QStringLiteral(SWITCHYARD_BIN),
            {QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("deepseek-main")});
        QVERIFY(set.waitForStarted());
        set.write(kStoredKey + "\n");
        set.closeWriteChannel();
        QVERIFY(set.waitForFinished(20000));
        m_printed += set.readAllStandardOutput() + set.readAllStandardError();
        QCOMPARE(set.exitCode(), 0);

        FakeUpstream upstream;
        QVERIFY(upstream.listen());
        upstream.setDefault(FakeReply::json(200,
            "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":"
            "{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
            "\"completion_tokens\":1}}"));
        const QString cfg = m_dir.filePath(QStringLiteral("keychain-config.json"));
        QFile f(cfg);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"providers\":[{\"id\":\"ds\",\"kind\":\"openai-chat\",\"base_url\":\"" + upstream.baseUrl().toUtf8()
            + "/v1\",\"credentials\":[{\"api_key\":\"keychain:deepseek-main\"}]}],"
              "\"routes\":[{\"match\":\"*\",\"to\":[\"ds/m\"]}]}");
        f.close();
        QProcess gateway;
        gateway.setProcessEnvironment(environment());
        const QString portFile = m_dir.filePath(QStringLiteral("gw.port"));
        gateway.start(QStringLiteral(SWITCHYARD_BIN),
            {QStringLiteral("--headless"), QStringLiteral("--config"), cfg, QStringLiteral("--listen"),
                QStringLiteral("127.0.0.1:0"), QStringLiteral("--port-file"), portFile});
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(portFile), 10000);
        QFile pf(portFile);
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const quint16 port = quint16(pf.readAll().toUInt());
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(s.waitForConnected(5000));
        const QByteArray body
            = "{\"model\":\"any\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        // The secret store answers asynchronously after start-up: ask until the key is in place.
        ParsedResponse r;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QTcpSocket c;
                c.connectToHost(QHostAddress::LocalHost, port);
                if (!c.waitForConnected(2000))
                    return false;
                c.write("POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        "Content-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                QByteArray data;
                QElapsedTimer t;
                t.start();
                while (!parseHttpResponse(data, &r) && t.elapsed() < 5000) {
                    QSignalSpy spy(&c, &QTcpSocket::readyRead);
                    spy.wait(100);
                    data += c.readAll();
                }
                return r.status == 200;
            }(),
            15000);
        QVERIFY(!upstream.requests().isEmpty());
        QVERIFY(upstream.requests().last().header("authorization") == "Bearer " + kStoredKey);
        gateway.terminate();
        QVERIFY(gateway.waitForFinished(10000));
        m_printed += gateway.readAllStandardOutput() + gateway.readAllStandardError();
    }

    // Nothing we wrote or printed holds a token, except the secret store itself.
    void noTokenOutsideTheSecretStore()
    {
        const QList<QByteArray> secrets {kCodexAccess, kCodexRefresh, kClaudeAccess, kClaudeRefresh, kStoredKey};
        for (const QByteArray& s : secrets)
            QVERIFY2(!m_printed.contains(s), "a token was printed");
        int scanned = 0;
        QDirIterator it(m_dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.endsWith(QLatin1String("/switchyard/secrets.json"))
                || path.endsWith(QLatin1String("/.codex/auth.json")))
                continue;
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray data = f.readAll();
            for (const QByteArray& s : secrets)
                QVERIFY2(!data.contains(s), qPrintable(QStringLiteral("a token is in %1").arg(path)));
            ++scanned;
        }
        QVERIFY(scanned >= 1); // at least accounts.json
    }
};

QTEST_GUILESS_MAIN(TestAccountCli)
#include "tst_accountcli.moc"
