// The settings dialog, offscreen, driven by objectName: providers, the model mapping table, the try-a-model box,
// Save (validated, atomic, hot-reloaded by a running gateway), keys kept in the secret store only, and the provider
// test button against a fake upstream.

#include "config/config.h"
#include "config/configwatcher.h"
#include "fakeupstream.h"
#include "gateway/gatewayservice.h"
#include "secrets/secretstore.h"
#include "settings/routetablemodel.h"
#include "settings/settingsdialog.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QDir>
#include <QTest>

#include <memory>

using namespace sy;

namespace {

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

const QByteArray AnthropicReply
    = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-test\",\"content\":[{\"type\":"
      "\"text\",\"text\":\"pong\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";

} // namespace

class TestSettingsDialog : public QObject
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
    RouteTableModel* routeModel() { return qobject_cast<RouteTableModel*>(widget<QTableView>("routesTable")->model()); }
    QStringList routeMatches()
    {
        QStringList matches;
        RouteTableModel* model = routeModel();
        for (int row = 0; row < model->rowCount(); ++row)
            matches.append(model->index(row, RouteTableModel::MatchColumn).data().toString());
        return matches;
    }
    void selectProvider(const QString& id)
    {
        auto* list = widget<QListWidget>("providerList");
        const QList<QListWidgetItem*> items = list->findItems(id, Qt::MatchExactly);
        QCOMPARE(items.size(), 1);
        list->setCurrentItem(items.first());
    }
    // Types into the cell editor a button opened and commits it with Return, as a user does.
    void typeIntoEditor(QAbstractItemView* view, const QString& text)
    {
        auto* editor = view->viewport()->findChild<QLineEdit*>();
        QVERIFY(editor);
        editor->selectAll();
        QTest::keyClicks(editor, text);
        QTest::keyClick(editor, Qt::Key_Return);
        QTRY_VERIFY(!view->viewport()->findChild<QLineEdit*>());
    }
    QString tryModel(const QString& model)
    {
        auto* edit = widget<QLineEdit>("tryModelEdit");
        edit->clear();
        QTest::keyClicks(edit, model);
        return widget<QLabel>("tryModelResult")->text();
    }

    QTemporaryDir* m_dir = nullptr;
    QString m_path;
    FakeUpstream* m_upstream = nullptr;
    GatewayService* m_service = nullptr;
    ConfigWatcher* m_watcher = nullptr;
    SettingsDialog* m_dialog = nullptr;

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        m_dir = new QTemporaryDir;
        m_path = m_dir->filePath(QStringLiteral("config.json"));
        m_upstream = new FakeUpstream;
        QVERIFY(m_upstream->listen());
        m_upstream->setDefault(FakeReply::json(200, AnthropicReply));
        const QByteArray config
            = QStringLiteral("{\n  \"version\": 1,\n  \"server\": { \"listen\": \"127.0.0.1:0\" },\n"
                             "  \"pricing\": { \"models\": { \"claude-test\": { \"input\": 1, \"output\": 2 } } },\n"
                             "  \"providers\": [ { \"id\": \"mock\", \"kind\": \"anthropic\", \"base_url\": \"%1\",\n"
                             "    \"models\": [ \"claude-test\" ], \"timeouts\": { \"connect_ms\": 5000 } } ],\n"
                             "  \"routes\": [ { \"match\": \"haiku\", \"to\": [\"mock/claude-test\"] },\n"
                             "    { \"match\": \"*\", \"to\": [\"mock/*\"] } ]\n}\n")
                  .arg(m_upstream->baseUrl())
                  .toUtf8();
        QFile f(m_path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(config);
        f.close();

        const Result<Config> parsed = loadConfigFile(m_path, {});
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error()));
        m_service = new GatewayService;
        m_service->setConfig(*parsed);
        GatewayService::StorageSetup setup;
        setup.dataDir = m_dir->filePath(QStringLiteral("data"));
        setup.configDir = m_dir->filePath(QStringLiteral("config"));
        setup.storeMode = QStringLiteral("memory");
        bool opened = false;
        m_service->openStorage(setup, [&](const QString&, const QString&) { opened = true; });
        QTRY_VERIFY(opened);
        m_service->setListenOverride(QHostAddress(QHostAddress::LocalHost), 0);
        QString error;
        QVERIFY2(m_service->start(&error), qPrintable(error));

        m_watcher = new ConfigWatcher(m_path, {});
        m_watcher->setDebounceMs(50);
        connect(m_watcher, &ConfigWatcher::configChanged, m_service, &GatewayService::setConfig);

        m_dialog = new SettingsDialog(m_service, m_path);
        m_dialog->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_dialog));
    }

    void cleanup()
    {
        delete m_dialog;
        delete m_watcher;
        delete m_service;
        delete m_upstream;
        delete m_dir;
        m_dialog = nullptr;
    }

    void hasTheTabsAndLoadsTheConfig()
    {
        auto* tabs = widget<QTabWidget>("settingsTabs");
        QVERIFY(tabs);
        QStringList names;
        for (int i = 0; i < tabs->count(); ++i)
            names.append(tabs->widget(i)->objectName());
        QCOMPARE(names,
            QStringList({QStringLiteral("providersTab"), QStringLiteral("routingTab"), QStringLiteral("accountsTab"),
                QStringLiteral("generalTab")}));
        QCOMPARE(widget<QListWidget>("providerList")->count(), 1);
        QCOMPARE(widget<QLineEdit>("providerIdEdit")->text(), QStringLiteral("mock"));
        QCOMPARE(widget<QLineEdit>("baseUrlEdit")->text(), m_upstream->baseUrl());
        QCOMPARE(widget<QTableWidget>("modelsTable")->item(0, 0)->text(), QStringLiteral("claude-test"));
        QCOMPARE(routeMatches(), QStringList({QStringLiteral("haiku"), QStringLiteral("*")}));
        QCOMPARE(widget<QLineEdit>("listenEdit")->text(), QStringLiteral("127.0.0.1:0"));
        QCOMPARE(widget<QSpinBox>("retentionSpin")->value(), 90);
        QCOMPARE(widget<QComboBox>("languageCombo")->currentData().toString(), QStringLiteral("system"));
        QCOMPARE(widget<QLineEdit>("apiKeyEdit")->echoMode(), QLineEdit::Password);
        QVERIFY(widget<QTableWidget>("accountsTable"));
        QVERIFY(widget<QTableWidget>("gatewayKeysTable"));
        QVERIFY(widget<QComboBox>("logLevelCombo"));

        // Screenshots of each tab for the README, when asked for.
        const QString shots = qEnvironmentVariable("SWITCHYARD_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            widget<QLineEdit>("tryModelEdit")->setText(QStringLiteral("claude-haiku-4-5"));
            m_dialog->resize(900, 620);
            for (int i = 0; i < tabs->count(); ++i) {
                tabs->setCurrentIndex(i);
                QVERIFY(m_dialog->grab().save(
                    QDir(shots).filePath(QStringLiteral("settings-%1.png").arg(tabs->widget(i)->objectName()))));
            }
            tabs->setCurrentIndex(0);
        }
    }

    // Add a provider and a route, reorder, check the try box, save; the running gateway reloads the file.
    void addProviderAndRouteThenSaveReloadsTheGateway()
    {
        click("addProviderButton");
        QCOMPARE(widget<QListWidget>("providerList")->count(), 2);
        auto* id = widget<QLineEdit>("providerIdEdit");
        id->selectAll();
        QTest::keyClicks(id, QStringLiteral("ollama"));
        auto* kind = widget<QComboBox>("providerKindCombo");
        kind->setCurrentIndex(kind->findData(QStringLiteral("openai-chat")));
        QTest::keyClicks(widget<QLineEdit>("baseUrlEdit"), QStringLiteral("http://127.0.0.1:11434/v1"));
        click("addModelButton");
        auto* models = widget<QTableWidget>("modelsTable");
        QCOMPARE(models->rowCount(), 1);
        typeIntoEditor(models, QStringLiteral("qwen3-coder"));
        QCOMPARE(models->item(0, 0)->text(), QStringLiteral("qwen3-coder"));
        models->setItem(0, 1, new QTableWidgetItem(QStringLiteral("65536")));
        models->setItem(0, 2, new QTableWidgetItem(QStringLiteral("8192")));
        QCOMPARE(widget<QListWidget>("providerList")->item(1)->text(), QStringLiteral("ollama"));

        // A new route, typed into the editor the Add button opens; it lands at the bottom.
        widget<QTabWidget>("settingsTabs")->setCurrentIndex(1);
        click("addRouteButton");
        auto* table = widget<QTableView>("routesTable");
        typeIntoEditor(table, QStringLiteral("opus"));
        RouteTableModel* model = routeModel();
        QVERIFY(model->setData(model->index(2, RouteTableModel::TargetsColumn),
            QStringLiteral("ollama/qwen3-coder -> mock/*"), Qt::EditRole));
        QCOMPARE(routeMatches(), QStringList({QStringLiteral("haiku"), QStringLiteral("*"), QStringLiteral("opus")}));

        // Below "*", the opus rule never matches; the try box says so with the rule's number.
        QCOMPARE(tryModel(QStringLiteral("claude-opus-4-1")),
            QStringLiteral("Rule 2 (match \"*\") \u2192 mock/claude-opus-4-1"));
        // Move up (the new row is selected): now it decides for opus models, and haiku still goes to rule 1.
        click("moveUpButton");
        QCOMPARE(routeMatches(), QStringList({QStringLiteral("haiku"), QStringLiteral("opus"), QStringLiteral("*")}));
        QCOMPARE(tryModel(QStringLiteral("claude-opus-4-1")),
            QStringLiteral("Rule 2 (match \"opus\") \u2192 ollama/qwen3-coder \u2192 mock/claude-opus-4-1"));
        QCOMPARE(tryModel(QStringLiteral("claude-haiku-4-5")),
            QStringLiteral("Rule 1 (match \"haiku\") \u2192 mock/claude-test"));
        QCOMPARE(tryModel(QStringLiteral("gpt-5")), QStringLiteral("Rule 3 (match \"*\") \u2192 mock/gpt-5"));

        // A model-level move (what a drag does): drop row 1 on row 0.
        QMimeData* mime = model->mimeData({model->index(1, 0)});
        model->dropMimeData(mime, Qt::MoveAction, 0, 0, QModelIndex());
        delete mime;
        QCOMPARE(routeMatches(), QStringList({QStringLiteral("opus"), QStringLiteral("haiku"), QStringLiteral("*")}));
        QVERIFY(model->moveRows(QModelIndex(), 0, 1, QModelIndex(), 2)); // and back below haiku
        QCOMPARE(routeMatches(), QStringList({QStringLiteral("haiku"), QStringLiteral("opus"), QStringLiteral("*")}));
        table->setCurrentIndex(model->index(0, 0));
        click("moveDownButton");
        QCOMPARE(routeMatches(), QStringList({QStringLiteral("opus"), QStringLiteral("haiku"), QStringLiteral("*")}));
        QCOMPARE(tryModel(QStringLiteral("claude-haiku-4-5")),
            QStringLiteral("Rule 2 (match \"haiku\") \u2192 mock/claude-test"));
        QCOMPARE(tryModel(QStringLiteral("mock/claude-test")),
            QStringLiteral("Named directly (direct) \u2192 mock/claude-test"));

        widget<QSpinBox>("retentionSpin")->setValue(30);
        auto* language = widget<QComboBox>("languageCombo");
        language->setCurrentIndex(language->findData(QStringLiteral("zh_CN")));

        QSignalSpy saved(m_dialog, &SettingsDialog::saved);
        click("saveButton");
        QCOMPARE(saved.count(), 1);
        QVERIFY2(widget<QLabel>("errorLabel")->text().isEmpty(), qPrintable(widget<QLabel>("errorLabel")->text()));

        QTRY_VERIFY(m_service->config().provider(QStringLiteral("ollama")));
        const ProviderConfig* ollama = m_service->config().provider(QStringLiteral("ollama"));
        QCOMPARE(ollama->kind, ProviderKind::OpenAiChat);
        QCOMPARE(ollama->models.at(0).contextWindow, 65536);
        QCOMPARE(ollama->models.at(0).maxOutputTokens, 8192);
        QCOMPARE(m_service->config().routes.size(), 3);
        QCOMPARE(m_service->config().routes.at(0).match, QStringLiteral("opus"));
        QCOMPARE(m_service->config().routes.at(0).targets.size(), 2);
        QCOMPARE(m_service->config().usageRetentionDays, 30);
        QCOMPARE(m_service->config().uiLanguage, QStringLiteral("zh_CN"));

        // What the editor does not show is kept.
        const QJsonObject written = QJsonDocument::fromJson(readFile(m_path)).object();
        QVERIFY(written.value(QStringLiteral("pricing")).toObject().contains(QStringLiteral("models")));
        QCOMPARE(written.value(QStringLiteral("providers"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("timeouts"))
                     .toObject()
                     .value(QStringLiteral("connect_ms"))
                     .toInt(),
            5000);
    }

    void invalidInputIsShownAndNothingIsWritten_data()
    {
        QTest::addColumn<int>("edit");
        QTest::addColumn<QString>("expected");
        QTest::addRow("duplicate provider id") << 0 << QStringLiteral("duplicate provider id \"mock\"");
        QTest::addRow("empty match") << 1 << QStringLiteral("routes[1].match");
    }
    void invalidInputIsShownAndNothingIsWritten()
    {
        QFETCH(int, edit);
        QFETCH(QString, expected);
        const QByteArray before = readFile(m_path);
        if (edit == 0) {
            click("addProviderButton");
            auto* id = widget<QLineEdit>("providerIdEdit");
            id->selectAll();
            QTest::keyClicks(id, QStringLiteral("mock"));
            QTest::keyClicks(widget<QLineEdit>("baseUrlEdit"), QStringLiteral("https://example.com"));
        } else {
            QVERIFY(
                routeModel()->setData(routeModel()->index(1, RouteTableModel::MatchColumn), QString(), Qt::EditRole));
        }
        QSignalSpy saved(m_dialog, &SettingsDialog::saved);
        click("saveButton");
        auto* error = widget<QLabel>("errorLabel");
        QVERIFY2(error->text().contains(expected), qPrintable(error->text()));
        QVERIFY(error->isVisible());
        QVERIFY(m_dialog->isVisible()); // stays open for a fix
        QCOMPARE(saved.count(), 0);
        QCOMPARE(readFile(m_path), before);
        QCOMPARE(widget<QTabWidget>("settingsTabs")->currentIndex(), edit == 0 ? 0 : 1);
    }

    void apiKeyGoesToTheSecretStoreNotTheFile()
    {
        selectProvider(QStringLiteral("mock"));
        const QString secret = QStringLiteral("sk-ant-secret-0123456789");
        QTest::keyClicks(widget<QLineEdit>("apiKeyEdit"), secret);
        QSignalSpy saved(m_dialog, &SettingsDialog::saved);
        click("saveButton");
        QTRY_COMPARE(saved.count(), 1);

        const QByteArray written = readFile(m_path);
        QVERIFY(!written.contains(secret.toUtf8()));
        QVERIFY2(written.contains("\"keychain:mock-1\""), written.constData());
        QByteArray stored;
        m_service->secretStore()->read(
            QStringLiteral("apikey:mock-1"), [&](const SecretResult& r) { stored = r.value; });
        QTRY_COMPARE(stored, secret.toUtf8());
        // The reloaded gateway uses it.
        QTRY_COMPARE(m_service->config().provider(QStringLiteral("mock"))->credentials.size(), 1);
        QTRY_COMPARE(m_service->config().provider(QStringLiteral("mock"))->credentials.at(0).apiKey, secret);
        QVERIFY(widget<QLineEdit>("apiKeyEdit")->text().isEmpty());
        QCOMPARE(widget<QListWidget>("credentialsList")->count(), 1);
        QVERIFY(!widget<QListWidget>("credentialsList")->item(0)->text().contains(secret));
    }

    void gatewayKeyGoesToTheSecretStoreNotTheFile()
    {
        widget<QTabWidget>("settingsTabs")->setCurrentIndex(3);
        click("addGatewayKeyButton");
        auto* keys = widget<QTableWidget>("gatewayKeysTable");
        QCOMPARE(keys->rowCount(), 1);
        typeIntoEditor(keys, QStringLiteral("gw-secret-42"));
        keys->item(0, 0)->setText(QStringLiteral("alice"));
        QVERIFY(!keys->item(0, 1)->text().contains(QLatin1String("gw-secret")));
        QSignalSpy saved(m_dialog, &SettingsDialog::saved);
        click("saveButton");
        QTRY_COMPARE(saved.count(), 1);
        QVERIFY(!readFile(m_path).contains("gw-secret-42"));
        QVERIFY(readFile(m_path).contains("\"keychain:gateway-alice\""));
        QTRY_COMPARE(m_service->config().server.gatewayKeys.size(), 1);
        QTRY_COMPARE(m_service->config().server.gatewayKeys.at(0).key, QStringLiteral("gw-secret-42"));
    }

    // The test button sends a tiny request through the running gateway, naming the provider directly.
    void testButtonReportsSuccess()
    {
        selectProvider(QStringLiteral("mock"));
        click("testProviderButton");
        auto* result = widget<QLabel>("testResultLabel");
        QTRY_VERIFY2(result->text().startsWith(QLatin1String("OK: HTTP 200 in ")), qPrintable(result->text()));
        QCOMPARE(m_upstream->requests().size(), 1);
        const QJsonObject body = QJsonDocument::fromJson(m_upstream->requests().first().body).object();
        QCOMPARE(body.value(QStringLiteral("model")).toString(), QStringLiteral("claude-test"));
        QCOMPARE(body.value(QStringLiteral("max_tokens")).toInt(), 16);
        QCOMPARE(m_upstream->requests().first().path, QByteArray("/v1/messages"));

        // An upstream error is shown with its status.
        m_upstream->enqueue(FakeReply::json(401,
            "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}"));
        click("testProviderButton");
        QTRY_VERIFY2(result->text().startsWith(QLatin1String("Failed: HTTP 401")), qPrintable(result->text()));
        QVERIFY2(result->text().contains(QLatin1String("invalid x-api-key")), qPrintable(result->text()));

        // A provider the running gateway does not know yet: save first.
        click("addProviderButton");
        click("addModelButton");
        typeIntoEditor(widget<QTableWidget>("modelsTable"), QStringLiteral("m"));
        click("testProviderButton");
        QVERIFY2(result->text().contains(QLatin1String("save first")), qPrintable(result->text()));
    }

    void cancelDropsEdits()
    {
        const QByteArray before = readFile(m_path);
        click("addProviderButton");
        QCOMPARE(widget<QListWidget>("providerList")->count(), 2);
        click("cancelButton");
        QVERIFY(!m_dialog->isVisible());
        QCOMPARE(readFile(m_path), before);
        QCOMPARE(widget<QListWidget>("providerList")->count(), 1);
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
