// ConfigEditor: the settings dialog's view of the config file. Round trips keep what the editor does not know,
// invalid edits are refused with the parser's message, saves are atomic, and typed keys go to the secret store only.

#include "config/configeditor.h"
#include "secrets/secretstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace sy;

namespace {

const char* const FullConfig
    = "{ \"version\": 1,\n"
      "  \"server\": { \"listen\": \"127.0.0.1:3790\", \"max_body_bytes\": 2048 },\n"
      "  \"pricing\": { \"models\": { \"my-model\": { \"input\": 1, \"output\": 2 } } },\n"
      "  \"limits\": { \"global\": { \"daily_usd\": 5 } },\n"
      "  \"providers\": [\n"
      "    { \"id\": \"deepseek\", \"kind\": \"openai-chat\", \"base_url\": "
      "\"https://api.deepseek.com/v1\",\n"
      "      \"headers\": { \"X-Test\": \"1\" }, \"timeouts\": { \"connect_ms\": 5000 },\n"
      "      \"credentials\": [ { \"api_key\": \"env:DEEPSEEK_API_KEY\", \"label\": \"main\" } ],\n"
      "      \"models\": [ \"deepseek-chat\", { \"id\": \"deepseek-reasoner\", "
      "\"reasoning_style\": \"deepseek\", \"context_window\": 131072 } ] },\n"
      "    { \"id\": \"anthropic\", \"kind\": \"anthropic\", \"base_url\": "
      "\"https://api.anthropic.com\" } ],\n"
      "  \"routes\": [\n"
      "    { \"match\": \"haiku\", \"to\": [\"deepseek/deepseek-chat\"], \"priority\": "
      "\"keys-first\" },\n"
      "    { \"match\": \"*\", \"when\": { \"thinking\": true }, \"to\": [\"anthropic/*\"] },\n"
      "    { \"match\": \"*\", \"to\": [\"anthropic/*\"] } ] }\n";

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestConfigEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void startsWithTheStarterConfig()
    {
        ConfigEditor editor;
        QVERIFY2(editor.validate().isEmpty(), qPrintable(editor.validate()));
        QCOMPARE(editor.providerIds(), QStringList {QStringLiteral("anthropic")});
        QCOMPARE(editor.routeCount(), 1);
        QCOMPARE(editor.language(), QStringLiteral("system"));
        QCOMPARE(editor.logLevel(), QStringLiteral("info"));
        QCOMPARE(editor.retentionDays(), 90);
    }

    // Saving keeps the file's own key order (people arrange their configs); new keys follow.
    void saveKeepsTheFilesKeyOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.json"));
        QVERIFY(writeFile(path, FullConfig));
        ConfigEditor editor;
        QVERIFY(editor.load(path));
        editor.setRetentionDays(30);
        QString error;
        QVERIFY2(editor.save(path, &error), qPrintable(error));
        const QByteArray saved = readFile(path);
        // Top level: the file's order, not the alphabet.
        const qsizetype version = saved.indexOf("\"version\"");
        const qsizetype providers = saved.indexOf("\"providers\"");
        const qsizetype routes = saved.indexOf("\"routes\"");
        QVERIFY(version >= 0 && providers > version && routes > providers);
        // Inside a provider: id, kind, base_url as written.
        const qsizetype id = saved.indexOf("\"id\": \"deepseek\"");
        const qsizetype kind = saved.indexOf("\"kind\"", id);
        const qsizetype base = saved.indexOf("\"base_url\"", id);
        QVERIFY(id >= 0 && kind > id && base > kind);
        // A route: match before to.
        const qsizetype match = saved.indexOf("\"match\": \"haiku\"");
        QVERIFY(match >= 0 && saved.indexOf("\"to\"", match) > match);
        QVERIFY(saved.contains("\"retention_days\": 30"));
    }

    void roundTripKeepsUnknownKeys()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.json"));
        QVERIFY(writeFile(path, FullConfig));
        ConfigEditor editor;
        QVERIFY(editor.load(path));
        const QJsonObject before = editor.document();

        // Edit through the typed helpers: a model gets limits, a route moves, the UI settings change.
        ConfigEditor::Provider p = editor.provider(0);
        QCOMPARE(p.models.size(), 2);
        QCOMPARE(p.models.at(1).contextWindow, 131072);
        p.models[0].maxOutputTokens = 8192;
        p.models[1].maxOutputTokens = 32768;
        editor.updateProvider(0, p);
        editor.moveRoute(0, 1);
        editor.setLanguage(QStringLiteral("zh_CN"));
        editor.setLogLevel(QStringLiteral("debug"));
        editor.setRetentionDays(30);
        QString error;
        QVERIFY2(editor.save(path, &error), qPrintable(error));

        const QByteArray written = readFile(path);
        QVERIFY(written.contains("\n  \"providers\": [\n")); // indented by 2
        const QJsonObject after = readJson(path);
        QCOMPARE(after.value(QStringLiteral("pricing")), before.value(QStringLiteral("pricing")));
        QCOMPARE(after.value(QStringLiteral("limits")), before.value(QStringLiteral("limits")));
        const QJsonObject server = after.value(QStringLiteral("server")).toObject();
        QCOMPARE(server.value(QStringLiteral("max_body_bytes")).toInt(), 2048);
        const QJsonObject deepseek = after.value(QStringLiteral("providers")).toArray().at(0).toObject();
        QCOMPARE(deepseek.value(QStringLiteral("headers")).toObject().value(QStringLiteral("X-Test")).toString(),
            QStringLiteral("1"));
        QCOMPARE(
            deepseek.value(QStringLiteral("timeouts")).toObject().value(QStringLiteral("connect_ms")).toInt(), 5000);
        QCOMPARE(
            deepseek.value(QStringLiteral("credentials")).toArray().at(0).toObject().value(QStringLiteral("label")),
            QJsonValue(QStringLiteral("main")));
        const QJsonArray models = deepseek.value(QStringLiteral("models")).toArray();
        QCOMPARE(models.at(0).toObject().value(QStringLiteral("max_output_tokens")).toInt(), 8192);
        QCOMPARE(
            models.at(1).toObject().value(QStringLiteral("reasoning_style")).toString(), QStringLiteral("deepseek"));
        QCOMPARE(models.at(1).toObject().value(QStringLiteral("max_output_tokens")).toInt(), 32768);
        const QJsonArray routes = after.value(QStringLiteral("routes")).toArray();
        QCOMPARE(routes.at(0).toObject().value(QStringLiteral("when")).toObject().value(QStringLiteral("thinking")),
            QJsonValue(true));
        QCOMPARE(routes.at(1).toObject().value(QStringLiteral("priority")).toString(), QStringLiteral("keys-first"));
        QCOMPARE(after.value(QStringLiteral("ui")).toObject().value(QStringLiteral("language")).toString(),
            QStringLiteral("zh_CN"));

        // The gateway's parser reads what was written, including the "ui" object.
        const Result<Config> config = loadConfigFile(path, {});
        QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error()));
        QCOMPARE(config->uiLanguage, QStringLiteral("zh_CN"));
        QCOMPARE(config->logLevel, QStringLiteral("debug"));
        QCOMPARE(config->usageRetentionDays, 30);
        QCOMPARE(config->routes.at(0).when.thinking, std::optional<bool>(true));

        // Loading and saving again without edits changes nothing.
        ConfigEditor again;
        QVERIFY(again.load(path));
        QCOMPARE(again.toJson(), written);
    }

    void providersAndRoutesCanBeAddedAndRemoved()
    {
        ConfigEditor editor;
        ConfigEditor::Provider p;
        p.id = QStringLiteral("ollama");
        p.kind = QStringLiteral("openai-chat");
        p.baseUrl = QStringLiteral("http://127.0.0.1:11434/v1");
        p.strategy = QStringLiteral("fill-first");
        p.models = {{QStringLiteral("qwen3-coder"), 65536, 0}};
        editor.addProvider(p);
        editor.insertRoute(0, {QStringLiteral("haiku"), {}, {QStringLiteral("ollama/qwen3-coder")}});
        QVERIFY2(editor.validate().isEmpty(), qPrintable(editor.validate()));
        const Result<Config> config = editor.parse();
        QVERIFY(config.ok());
        QCOMPARE(config->providers.size(), 2);
        QCOMPARE(config->provider(QStringLiteral("ollama"))->strategy, PoolStrategy::FillFirst);
        QCOMPARE(config->provider(QStringLiteral("ollama"))->models.at(0).contextWindow, 65536);
        QCOMPARE(config->routes.at(0).targets.at(0).providerId, QStringLiteral("ollama"));

        editor.removeRoute(0);
        editor.removeProvider(editor.indexOfProvider(QStringLiteral("ollama")));
        QCOMPARE(editor.providerIds(), QStringList {QStringLiteral("anthropic")});
        QCOMPARE(editor.routeCount(), 1);
    }

    void invalidEditsAreRefusedWithTheParsersMessage_data()
    {
        QTest::addColumn<int>("edit");
        QTest::addColumn<QString>("expected");
        QTest::addRow("duplicate provider id") << 0 << QStringLiteral("providers[1].id: duplicate provider id");
        QTest::addRow("empty match") << 1 << QStringLiteral("routes[0].match");
        QTest::addRow("unknown provider in a route") << 2 << QStringLiteral("unknown provider \"nope\"");
        QTest::addRow("bad listen") << 3 << QStringLiteral("server.listen");
        QTest::addRow("unknown language") << 4 << QStringLiteral("ui.language");
    }
    void invalidEditsAreRefusedWithTheParsersMessage()
    {
        QFETCH(int, edit);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.json"));
        QVERIFY(writeFile(path, FullConfig));
        ConfigEditor editor;
        QVERIFY(editor.load(path));
        switch (edit) {
        case 0: {
            ConfigEditor::Provider p = editor.provider(1);
            p.id = QStringLiteral("deepseek");
            editor.updateProvider(1, p);
            break;
        }
        case 1:
            editor.updateRoute(0, {QString(), {}, {QStringLiteral("anthropic/*")}});
            break;
        case 2:
            editor.updateRoute(0, {QStringLiteral("x"), {}, {QStringLiteral("nope/model")}});
            break;
        case 3:
            editor.setListen(QStringLiteral("localhost"));
            break;
        case 4:
            editor.setLanguage(QStringLiteral("fr"));
            break;
        }
        const QString error = editor.validate();
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.startsWith(QLatin1String("line ")), qPrintable(error));
        QString saveError;
        QVERIFY(!editor.save(path, &saveError));
        QCOMPARE(saveError, error);
        QCOMPARE(readFile(path), QByteArray(FullConfig)); // untouched
    }

    // The file is replaced as a whole: a reader sees the old or the new content, and a failed write leaves the old
    // file (QSaveFile writes a temporary file and renames it).
    void saveIsAtomic()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/config.json"));
        ConfigEditor editor;
        QString error;
        QVERIFY2(editor.save(path, &error), qPrintable(error)); // creates the folder
        const QByteArray first = readFile(path);
        QVERIFY(!first.isEmpty());
        editor.setRetentionDays(7);
        QVERIFY(editor.save(path, &error));
        QCOMPARE(
            readJson(path).value(QStringLiteral("usage")).toObject().value(QStringLiteral("retention_days")).toInt(),
            7);
        QCOMPARE(QDir(dir.filePath(QStringLiteral("sub"))).entryList(QDir::Files | QDir::Hidden),
            QStringList {QStringLiteral("config.json")}); // no temporary left behind

        // A target that cannot be written (here a folder): save fails and reports why.
        const QString blocked = dir.filePath(QStringLiteral("blocked"));
        QVERIFY(QDir().mkpath(blocked));
        QVERIFY(!editor.save(blocked, &error));
        QVERIFY2(error.contains(QLatin1String("cannot write")), qPrintable(error));
        QVERIFY(QFileInfo(blocked).isDir());
    }

    void apiKeysGoToTheSecretStoreOnly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.json"));
        QVERIFY(writeFile(path, FullConfig));
        ConfigEditor editor;
        QVERIFY(editor.load(path));
        MemorySecretStore store;
        const QString secret = QStringLiteral("sk-test-0123456789");
        const QString gatewaySecret = QStringLiteral("gw-secret-abcdef");
        int done = 0;
        editor.setProviderApiKey(QStringLiteral("anthropic"), secret, &store, [&](bool ok, const QString& error) {
            QVERIFY2(ok, qPrintable(error));
            ++done;
        });
        QCOMPARE(done, 0); // asynchronous
        QTRY_COMPARE(done, 1);
        editor.setProviderApiKey(QStringLiteral("anthropic"), QStringLiteral("sk-second"), &store,
            [&](bool ok, const QString&) { done += ok ? 1 : 0; });
        editor.setGatewayKeySecret(
            QStringLiteral("alice"), gatewaySecret, &store, [&](bool ok, const QString&) { done += ok ? 1 : 0; });
        QTRY_COMPARE(done, 3);
        QString error;
        QVERIFY2(editor.save(path, &error), qPrintable(error));

        const QByteArray written = readFile(path);
        QVERIFY(!written.contains(secret.toUtf8()));
        QVERIFY(!written.contains("sk-second"));
        QVERIFY(!written.contains(gatewaySecret.toUtf8()));
        const Result<Config> config = loadConfigFile(path, {});
        QVERIFY(config.ok());
        const ProviderConfig* anthropic = config->provider(QStringLiteral("anthropic"));
        QCOMPARE(anthropic->credentials.size(), 2);
        QCOMPARE(anthropic->credentials.at(0).secretRef, QStringLiteral("keychain:anthropic-1"));
        QCOMPARE(anthropic->credentials.at(1).secretRef, QStringLiteral("keychain:anthropic-2"));
        QCOMPARE(config->server.gatewayKeys.at(0).secretRef, QStringLiteral("keychain:gateway-alice"));

        QByteArray stored;
        store.read(QStringLiteral("apikey:anthropic-1"), [&](const SecretResult& r) { stored = r.value; });
        QTRY_COMPARE(stored, secret.toUtf8());
        stored.clear();
        store.read(QStringLiteral("apikey:gateway-alice"), [&](const SecretResult& r) { stored = r.value; });
        QTRY_COMPARE(stored, gatewaySecret.toUtf8());

        // Without a store nothing is written anywhere.
        bool failed = false;
        editor.setProviderApiKey(QStringLiteral("anthropic"), secret, nullptr,
            [&](bool ok, const QString& e) { failed = !ok && !e.isEmpty(); });
        QVERIFY(failed);
        QCOMPARE(editor.provider(editor.indexOfProvider(QStringLiteral("anthropic"))).credentials.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestConfigEditor)
#include "tst_configeditor.moc"
