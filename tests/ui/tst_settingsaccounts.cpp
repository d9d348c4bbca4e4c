// The settings dialog's Accounts tab, offscreen, driven by objectName: a loopback login against the in-process fake
// authorization server (terms note first, browser played by FakeBrowser), declining the terms, logging out, and
// importing a Codex CLI login. Message boxes, the browser and the import file go through the dialog's test seams.

#include "accounts/accountmanager.h"
#include "config/config.h"
#include "fakeauthserver.h"
#include "gateway/gatewayservice.h"
#include "oauth/oauthlogin.h"
#include "secrets/secretstore.h"
#include "settings/settingsdialog.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace sy;
using Endpoint = FakeAuthServer::Endpoint;

namespace {

constexpr int WaitMs = 10000;

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

struct Confirmation
{
    QString title;
    QString text;
};

} // namespace

class TestSettingsAccounts : public QObject
{
    Q_OBJECT

private:
    template<typename T> T* widget(const char* name)
    {
        T* w = m_dialog->findChild<T*>(QLatin1String(name));
        if (!w)
            qWarning("no widget %s", name);
        return w;
    }
    void click(const char* name)
    {
        auto* button = widget<QPushButton>(name);
        QVERIFY(button);
        QVERIFY(button->isEnabled());
        button->click();
    }
    void choose(const char* comboName, const QString& data)
    {
        auto* combo = widget<QComboBox>(comboName);
        QVERIFY(combo);
        const int index = combo->findData(data);
        QVERIFY(index >= 0);
        combo->setCurrentIndex(index);
    }
    AccountManager* accounts() const { return m_service->accounts(); }
    // The stored secret of an account: {status, value}.
    SecretResult readSecret(const QString& accountId)
    {
        SecretResult result;
        bool done = false;
        m_service->secretStore()->read(QStringLiteral("account:") + accountId, [&](const SecretResult& r) {
            result = r;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, WaitMs))
            result.status = SecretResult::Status::Error;
        return result;
    }
    // Whether any file under the temp dir contains `needle`.
    QString fileContaining(const QByteArray& needle) const
    {
        QDirIterator it(m_dir->path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (readFile(path).contains(needle))
                return path;
        }
        return QString();
    }
    // Logs in through the dialog with ChatGPT, confirming the terms; returns the new account's id.
    void loginThroughDialog(QString* accountId)
    {
        m_confirmAnswer = true;
        choose("loginProviderCombo", QStringLiteral("chatgpt"));
        click("loginButton");
        QCOMPARE(m_confirmations.size(), 1);
        const OAuthProviderSpec* spec = accounts()->spec(QStringLiteral("chatgpt"));
        QVERIFY(spec);
        QVERIFY(!spec->terms.isEmpty());
        QVERIFY(m_confirmations.first().text.contains(spec->terms));

        QTRY_COMPARE_WITH_TIMEOUT(m_opened.size(), 1, WaitMs);
        QVERIFY(m_opened.first().toString().startsWith(m_server->url(QStringLiteral("/authorize")).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(m_browser->isDone(), WaitMs);
        QVERIFY2(m_browser->error().isEmpty(), qPrintable(m_browser->error()));
        QCOMPARE(m_browser->callbackStatus(), 200);

        auto* table = widget<QTableWidget>("accountsTable");
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 1, WaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(table->item(0, 3) && table->item(0, 3)->text() == QLatin1String("ready"), WaitMs);
        QVERIFY(table->item(0, 2)->text().contains(m_email));
        QCOMPARE(m_server->count(Endpoint::Authorize), 1);
        QCOMPARE(m_server->count(Endpoint::CodeExchange), 1);
        QCOMPARE(m_server->problems(), QStringList());

        QCOMPARE(accounts()->accounts().size(), 1);
        const Account account = accounts()->accounts().first();
        QCOMPARE(table->item(0, 0)->text(), account.id);
        QCOMPARE(account.email, m_email);
        QCOMPARE(account.source, QStringLiteral("login"));
        *accountId = account.id;
    }

    QTemporaryDir* m_dir = nullptr;
    QString m_configPath;
    QString m_email = QStringLiteral("dialog-user@example.com");
    FakeAuthServer* m_server = nullptr;
    FakeBrowser* m_browser = nullptr;
    GatewayService* m_service = nullptr;
    SettingsDialog* m_dialog = nullptr;
    bool m_confirmAnswer = true;
    QList<Confirmation> m_confirmations;
    QList<QUrl> m_opened;
    QStringList m_importSources;
    QString m_importPath;

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        m_confirmations.clear();
        m_opened.clear();
        m_importSources.clear();
        m_importPath.clear();
        m_confirmAnswer = true;

        m_dir = new QTemporaryDir;
        QVERIFY(m_dir->isValid());
        m_server = new FakeAuthServer;
        QVERIFY(m_server->listen());
        m_server->setIdentity(m_email, QStringLiteral("acct-dialog"), QStringLiteral("plus"));
        m_browser = new FakeBrowser;

        QJsonObject provider;
        provider.insert(QLatin1String("id"), QLatin1String("mock"));
        provider.insert(QLatin1String("kind"), QLatin1String("anthropic"));
        provider.insert(QLatin1String("base_url"), QLatin1String("http://127.0.0.1:9"));
        provider.insert(QLatin1String("models"), QJsonArray({QLatin1String("claude-test")}));
        QJsonObject route;
        route.insert(QLatin1String("match"), QLatin1String("*"));
        route.insert(QLatin1String("to"), QJsonArray({QLatin1String("mock/*")}));
        QJsonObject server;
        server.insert(QLatin1String("listen"), QLatin1String("127.0.0.1:0"));
        QJsonObject root;
        root.insert(QLatin1String("version"), 1);
        root.insert(QLatin1String("server"), server);
        root.insert(QLatin1String("providers"), QJsonArray({provider}));
        root.insert(QLatin1String("routes"), QJsonArray({route}));
        root.insert(QLatin1String("oauth"), m_server->providerOverrides());
        m_configPath = m_dir->filePath(QStringLiteral("config.json"));
        QVERIFY(writeFile(m_configPath, QJsonDocument(root).toJson()));

        const Result<Config> parsed = loadConfigFile(m_configPath, {});
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error()));
        m_service = new GatewayService;
        m_service->setConfig(*parsed);
        GatewayService::StorageSetup setup;
        setup.dataDir = m_dir->filePath(QStringLiteral("data"));
        setup.configDir = m_dir->filePath(QStringLiteral("config"));
        setup.storeMode = QStringLiteral("memory");
        bool opened = false;
        QString openError;
        m_service->openStorage(setup, [&](const QString&, const QString& error) {
            openError = error;
            opened = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(opened, WaitMs);
        QVERIFY2(openError.isEmpty(), qPrintable(openError));
        QVERIFY(accounts());
        QVERIFY(m_service->secretStore());
        const OAuthProviderSpec* chatgpt = accounts()->spec(QStringLiteral("chatgpt"));
        QVERIFY(chatgpt);
        QCOMPARE(chatgpt->authorizeUrl, m_server->url(QStringLiteral("/authorize")));

        m_dialog = new SettingsDialog(m_service, m_configPath);
        m_dialog->setConfirmer([this](const QString& title, const QString& text) {
            m_confirmations.append({title, text});
            return m_confirmAnswer;
        });
        m_dialog->setUrlOpener([this](const QUrl& url) {
            m_opened.append(url);
            m_browser->open(url);
        });
        m_dialog->setImportPathProvider([this](const QString& source) {
            m_importSources.append(source);
            return m_importPath;
        });
        m_dialog->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_dialog));
        QCOMPARE(widget<QTableWidget>("accountsTable")->rowCount(), 0);
    }

    void cleanup()
    {
        delete m_dialog;
        delete m_service;
        delete m_browser;
        delete m_server;
        delete m_dir;
        m_dialog = nullptr;
        m_service = nullptr;
        m_browser = nullptr;
        m_server = nullptr;
        m_dir = nullptr;
    }

    void loginAddsTheAccountWithTokensInTheSecretStore()
    {
        QString id;
        loginThroughDialog(&id);
        if (QTest::currentTestFailed())
            return;

        const SecretResult secret = readSecret(id);
        QVERIFY(secret.ok());
        const QByteArray access = m_server->lastAccessToken().toUtf8();
        const QByteArray refresh = m_server->lastRefreshToken().toUtf8();
        QVERIFY(!access.isEmpty());
        QVERIFY(!refresh.isEmpty());
        QVERIFY(secret.value.contains(access));
        QVERIFY(secret.value.contains(refresh));
        // Metadata is on disk; tokens are not.
        QVERIFY(QFileInfo::exists(m_dir->filePath(QStringLiteral("data/accounts.json"))));
        QVERIFY(!fileContaining(id.toUtf8()).isEmpty()); // the scan does see the metadata file
        QCOMPARE(fileContaining(access), QString());
        QCOMPARE(fileContaining(refresh), QString());
        QCOMPARE(fileContaining(m_server->lastIdToken().toUtf8()), QString());
    }

    void decliningTheTermsStartsNoLogin()
    {
        m_confirmAnswer = false;
        QSignalSpy requests(m_server, &FakeAuthServer::requestReceived);
        choose("loginProviderCombo", QStringLiteral("chatgpt"));
        click("loginButton");
        QCOMPARE(m_confirmations.size(), 1);
        QVERIFY(m_confirmations.first().text.contains(accounts()->spec(QStringLiteral("chatgpt"))->terms));
        // The decision is synchronous: no login object, no browser, no request.
        QVERIFY(!m_dialog->findChild<OAuthLogin*>());
        QVERIFY(m_opened.isEmpty());
        QCOMPARE(m_server->count(Endpoint::Authorize), 0);
        QCOMPARE(requests.size(), 0);
        QCOMPARE(widget<QTableWidget>("accountsTable")->rowCount(), 0);
        QVERIFY(accounts()->accounts().isEmpty());
    }

    void logoutRemovesTheAccountAndItsSecret()
    {
        QString id;
        loginThroughDialog(&id);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(readSecret(id).ok());

        auto* table = widget<QTableWidget>("accountsTable");
        table->setCurrentCell(0, 0);
        m_confirmations.clear();
        click("logoutButton");
        QCOMPARE(m_confirmations.size(), 1);
        QVERIFY(m_confirmations.first().text.contains(id));
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 0, WaitMs);
        QVERIFY(accounts()->accounts().isEmpty());
        QVERIFY(!accounts()->account(id));
        QCOMPARE(readSecret(id).status, SecretResult::Status::NotFound);
    }

    void logoutDeclinedKeepsTheAccount()
    {
        QString id;
        loginThroughDialog(&id);
        if (QTest::currentTestFailed())
            return;
        auto* table = widget<QTableWidget>("accountsTable");
        table->setCurrentCell(0, 0);
        m_confirmations.clear();
        m_confirmAnswer = false;
        click("logoutButton");
        QCOMPARE(m_confirmations.size(), 1);
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(accounts()->accounts().size(), 1);
        QVERIFY(readSecret(id).ok());
    }

    void importReadsTheCodexFileWithoutChangingIt()
    {
        QJsonObject auth;
        auth.insert(QLatin1String("chatgpt_account_id"), QLatin1String("acct-imported"));
        auth.insert(QLatin1String("chatgpt_plan_type"), QLatin1String("pro"));
        QJsonObject claims;
        claims.insert(QLatin1String("email"), QLatin1String("imported@example.com"));
        claims.insert(QLatin1String("https://api.openai.com/auth"), auth);
        const QString idToken = FakeAuthServer::makeJwt(claims);
        const QByteArray access = base64Url("{\"alg\":\"none\"}") + '.' + base64Url("{\"exp\":4000000000}") + ".s";
        const QByteArray file = "{\"OPENAI_API_KEY\":null,\"tokens\":{\"id_token\":\"" + idToken.toUtf8()
            + "\",\"access_token\":\"" + access
            + "\",\"refresh_token\":\"rt-imported\",\"account_id\":\"acct-imported\"},"
              "\"last_refresh\":\"2026-01-01T00:00:00Z\"}";
        QTemporaryDir home;
        QVERIFY(home.isValid());
        QVERIFY(QDir(home.path()).mkpath(QStringLiteral(".codex")));
        m_importPath = home.filePath(QStringLiteral(".codex/auth.json"));
        QVERIFY(writeFile(m_importPath, file));
        const QDateTime modified = QFileInfo(m_importPath).lastModified();

        choose("importSourceCombo", QStringLiteral("codex"));
        click("importButton");
        QCOMPARE(m_importSources, QStringList({QStringLiteral("codex")}));
        QCOMPARE(m_confirmations.size(), 1); // the ChatGPT terms note
        QVERIFY(m_confirmations.first().text.contains(accounts()->spec(QStringLiteral("chatgpt"))->terms));

        auto* table = widget<QTableWidget>("accountsTable");
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 1, WaitMs);
        QVERIFY(table->item(0, 2)->text().contains(QLatin1String("imported@example.com")));
        QCOMPARE(accounts()->accounts().size(), 1);
        const Account account = accounts()->accounts().first();
        QCOMPARE(account.email, QStringLiteral("imported@example.com"));
        QCOMPARE(account.source, QStringLiteral("import:codex"));
        QCOMPARE(account.plan, QStringLiteral("pro"));
        const SecretResult secret = readSecret(account.id);
        QVERIFY(secret.ok());
        QVERIFY(secret.value.contains("rt-imported"));
        QCOMPARE(m_server->requests().size(), 0); // an import needs no login

        QCOMPARE(readFile(m_importPath), file);
        QCOMPARE(QFileInfo(m_importPath).lastModified(), modified);
    }
};

QTEST_MAIN(TestSettingsAccounts)
#include "tst_settingsaccounts.moc"
