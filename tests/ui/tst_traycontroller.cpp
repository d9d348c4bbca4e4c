// The tray's menu drives the gateway: Start/Stop toggles the listener without quitting.

#include "accounts/accountmanager.h"
#include "config/config.h"
#include "connect/connectdialog.h"
#include "gateway/gatewayservice.h"
#include "requestlog/requestlogwindow.h"
#include "secrets/secretstore.h"
#include "settings/settingsdialog.h"
#include "tray/statuswindow.h"
#include "tray/traycontroller.h"
#include "usage/usagelog.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QWidget>
#include <QDateTime>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QToolButton>

using namespace sy;

namespace {

QAction* findAction(const TrayController& tray, const char* name)
{
    for (QAction* a : tray.menu()->actions())
        if (a->objectName() == QLatin1String(name))
            return a;
    return nullptr;
}

RequestRecord usageRecord(const QString& model, qint64 timeMs, int serial)
{
    RequestRecord r;
    r.requestId = QStringLiteral("req-%1").arg(serial);
    r.startedAt = QDateTime::fromMSecsSinceEpoch(timeMs, QTimeZone::utc());
    r.method = QStringLiteral("POST");
    r.path = QStringLiteral("/v1/messages");
    r.clientModel = model;
    r.providerId = QStringLiteral("p");
    r.upstreamModel = model;
    r.status = 200;
    r.totalMs = 100;
    r.usage.inputTokens = 1000000;
    r.usage.outputTokens = 500000;
    return r;
}

} // namespace

class TestTrayController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void toggleStartsAndStopsTheGateway()
    {
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        QVERIFY(config.ok());
        GatewayService service;
        service.setConfig(*config);
        service.setListenOverride(QHostAddress::LocalHost, 0);
        TrayController tray(&service, QString());
        QAction* toggle = tray.menu()->findChild<QAction*>(QStringLiteral("toggleGatewayAction"));
        if (!toggle) {
            for (QAction* a : tray.menu()->actions())
                if (a->objectName() == QLatin1String("toggleGatewayAction"))
                    toggle = a;
        }
        QVERIFY(toggle);
        QVERIFY(!service.isRunning());
        QVERIFY(toggle->text().contains(QLatin1String("Start")));
        QSignalSpy running(&service, &GatewayService::runningChanged);
        toggle->trigger();
        QVERIFY(service.isRunning());
        QCOMPARE(running.count(), 1);
        QVERIFY(toggle->text().contains(QLatin1String("Stop")));
        const QString status = tray.menu()->actions().first()->text();
        QVERIFY2(status.contains(QString::number(service.port())), qPrintable(status));
        toggle->trigger();
        QVERIFY(!service.isRunning());
        QVERIFY(toggle->text().contains(QLatin1String("Start")));
    }

    void aTakenPortIsShownNotHidden()
    {
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService first;
        first.setConfig(*config);
        first.setListenOverride(QHostAddress::LocalHost, 0);
        QVERIFY(first.start());
        GatewayService second;
        second.setConfig(*config);
        second.setListenOverride(QHostAddress::LocalHost, first.port());
        TrayController tray(&second, QString());
        QAction* toggle = nullptr;
        for (QAction* a : tray.menu()->actions())
            if (a->objectName() == QLatin1String("toggleGatewayAction"))
                toggle = a;
        QVERIFY(toggle);
        toggle->trigger();
        QVERIFY(!second.isRunning());
        const QString status = tray.menu()->actions().first()->text();
        QVERIFY2(status.contains(QString::number(first.port())), qPrintable(status));
        QCOMPARE(tray.state(), TrayState::Error);
        QVERIFY2(tray.toolTip().contains(QString::number(first.port())), qPrintable(tray.toolTip()));
    }

    // With no keyring, secrets go to the 0600 file: the tray says so in the menu (never silently).
    void theFileFallbackIsShownInTheMenu()
    {
        QTemporaryDir dir;
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        GatewayService::StorageSetup setup;
        setup.dataDir = dir.filePath(QStringLiteral("data"));
        setup.configDir = dir.filePath(QStringLiteral("config"));
        setup.storeMode = QStringLiteral("file");
        bool opened = false;
        service.openStorage(setup, [&](const QString&, const QString&) { opened = true; });
        QTRY_VERIFY(opened);
        TrayController tray(&service, QString());
        QAction* warning = nullptr;
        for (QAction* a : tray.menu()->actions())
            if (a->objectName() == QLatin1String("warningAction"))
                warning = a;
        QVERIFY(warning);
        QVERIFY(warning->isVisible());
        QVERIFY2(warning->text().contains(QLatin1String("unencrypted")), qPrintable(warning->text()));
        QVERIFY(warning->text().contains(setup.configDir));

        // A later warning (an account that needs a new login) replaces the menu line.
        Q_EMIT service.warningRaised(QStringLiteral("me@example.com needs a new login"));
        QVERIFY(warning->text().contains(QLatin1String("needs a new login")));
    }

    // The tooltip has the address, the port and today's requests and cost; a model without a price is flagged,
    // not counted as $0, and yesterday's requests are not today's.
    void theTooltipShowsTodaysRequestsAndCost()
    {
        QTemporaryDir dir;
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        service.setListenOverride(QHostAddress::LocalHost, 0);
        QVERIFY(service.openUsageLog(dir.filePath(QStringLiteral("usage.sqlite"))));
        const auto prices = PriceTable().withOverrides(QJsonObject {{QStringLiteral("models"),
            QJsonObject {{QStringLiteral("priced-model"),
                QJsonObject {{QStringLiteral("input"), 1.0}, {QStringLiteral("output"), 2.0}}}}}});
        QVERIFY(prices.ok());
        service.usageLog()->setPrices(*prices);
        QVERIFY(service.start());
        TrayController tray(&service, QString());
        QVERIFY2(tray.toolTip().contains(QLatin1String("no requests")), qPrintable(tray.toolTip()));

        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        service.usageLog()->record(usageRecord(QStringLiteral("priced-model"), now, 1)); // $1 + $1
        service.usageLog()->record(usageRecord(QStringLiteral("priced-model"), now, 2));
        service.usageLog()->record(usageRecord(QStringLiteral("local-model"), now, 3)); // no price
        service.usageLog()->record(usageRecord(QStringLiteral("priced-model"), now - 2 * 86400 * 1000, 4));
        service.usageLog()->flush();
        // The tray refreshes when the usage log commits rows.
        QTRY_VERIFY2(tray.toolTip().contains(QLatin1String("Today: 3 request")), qPrintable(tray.toolTip()));
        const QString tip = tray.toolTip();
        QVERIFY2(tip.contains(QLatin1String("$4.00 + 1 without a price")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("127.0.0.1:%1").arg(service.port())), qPrintable(tip));
        QCOMPARE(tray.state(), TrayState::Running);
    }

    void unknownCostIsNotShownAsZero()
    {
        QTemporaryDir dir;
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        QVERIFY(service.openUsageLog(dir.filePath(QStringLiteral("usage.sqlite"))));
        service.usageLog()->setPrices(PriceTable());
        service.usageLog()->record(usageRecord(QStringLiteral("local-model"), QDateTime::currentMSecsSinceEpoch(), 1));
        service.usageLog()->flush();
        TrayController tray(&service, QString());
        tray.refresh();
        const QString tip = tray.toolTip();
        QVERIFY2(tip.contains(QLatin1String("Today: 1 request")), qPrintable(tip));
        QVERIFY2(tip.contains(QLatin1String("cost unknown")), qPrintable(tip));
        QVERIFY2(!tip.contains(QLatin1String("$0")), qPrintable(tip));
    }

    // An OAuth account whose tokens are gone needs a new login: the icon says so, and the tooltip.
    void anAccountNeedingLoginShowsTheNeedsLoginState()
    {
        QTemporaryDir dir;
        const QString metadata = dir.filePath(QStringLiteral("accounts.json"));
        QFile f(metadata);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"accounts\":[{\"id\":\"claude-1\",\"type\":\"claude\",\"provider\":\"claude\","
                "\"label\":\"me@example.com\",\"email\":\"me@example.com\"}]}");
        f.close();
        MemorySecretStore secrets; // no tokens stored
        AccountManager accounts(&secrets, metadata, &systemClock(), nullptr);
        accounts.setCheckIntervalMs(0);
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        service.setListenOverride(QHostAddress::LocalHost, 0);
        service.setAccounts(&accounts);
        QVERIFY(service.start());
        TrayController tray(&service, QString());
        QCOMPARE(tray.state(), TrayState::Running);
        QSignalSpy changed(&tray, &TrayController::stateChanged);
        bool loaded = false;
        accounts.load([&](bool, const QString&) { loaded = true; });
        QTRY_VERIFY(loaded);
        QTRY_COMPARE(tray.state(), TrayState::NeedsLogin);
        QCOMPARE(tray.stateName(), QStringLiteral("needs-login"));
        QVERIFY(changed.count() >= 1);
        QVERIFY2(tray.toolTip().contains(QLatin1String("new login")), qPrintable(tray.toolTip()));
        // An error (a config that failed to reload) outranks it; a fixed config clears it again.
        Q_EMIT service.errorOccurred(QStringLiteral("line 3: routes: invalid"));
        QCOMPARE(tray.state(), TrayState::Error);
        QAction* error = findAction(tray, "errorAction");
        QVERIFY(error && error->isVisible());
        QVERIFY(error->text().contains(QLatin1String("line 3")));
        tray.clearError();
        QCOMPARE(tray.state(), TrayState::NeedsLogin);
        QVERIFY(!error->isVisible());
    }

    void theMenuHasEveryAction()
    {
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        TrayController tray(&service, QString());
        for (const char* name : {"toggleGatewayAction", "dashboardAction", "requestLogAction", "settingsAction",
                 "connectAction", "copySetupAction", "autostartAction", "quitAction"})
            QVERIFY2(findAction(tray, name), name);
        QVERIFY(findAction(tray, "autostartAction")->isCheckable());
        QCOMPARE(tray.state(), TrayState::Stopped);
        QVERIFY(!tray.trayIcon()->icon().isNull());
    }

    // The menu opens one window each (raised, not duplicated) and copies the Claude Code setup.
    void theMenuOpensTheWindowsAndCopiesTheSetup()
    {
        QTemporaryDir dir;
        const QString configPath = dir.filePath(QStringLiteral("config.json"));
        QFile f(configPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"providers\":[],\"routes\":[]}");
        f.close();
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        service.setListenOverride(QHostAddress::LocalHost, 0);
        QVERIFY(service.start());
        TrayController tray(&service, configPath);
        findAction(tray, "requestLogAction")->trigger();
        QVERIFY(tray.requestLog());
        QVERIFY(tray.requestLog()->isVisible());
        auto* first = tray.requestLog();
        findAction(tray, "requestLogAction")->trigger();
        QCOMPARE(tray.requestLog(), first);
        findAction(tray, "settingsAction")->trigger();
        QVERIFY(tray.settingsDialog());
        findAction(tray, "connectAction")->trigger();
        QVERIFY(tray.connectDialog());
        QGuiApplication::clipboard()->clear();
        findAction(tray, "copySetupAction")->trigger();
        const QString copied = QGuiApplication::clipboard()->text();
        QVERIFY2(copied.contains(QLatin1String("ANTHROPIC_BASE_URL")), qPrintable(copied));
        QVERIFY2(copied.contains(QString::number(service.port())), qPrintable(copied));
    }

    // --windowed (or no system tray): a status window with the state and the same actions as buttons.
    void theStatusWindowStandsInForTheTray()
    {
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        service.setListenOverride(QHostAddress::LocalHost, 0);
        TrayController tray(&service, QString());
        tray.show(true);
        StatusWindow* window = tray.statusWindow();
        QVERIFY(window);
        QCOMPARE(window->objectName(), QStringLiteral("statusWindow"));
        QVERIFY(window->isVisible());
        QVERIFY(!tray.trayIcon()->isVisible());
        auto* state = window->findChild<QLabel*>(QStringLiteral("stateLabel"));
        QVERIFY(state);
        QCOMPARE(state->text(), QStringLiteral("Stopped"));
        for (const char* name : {"dashboardActionButton", "requestLogActionButton", "settingsActionButton",
                 "connectActionButton", "copySetupActionButton", "autostartActionButton", "quitActionButton"})
            QVERIFY2(window->findChild<QToolButton*>(QLatin1String(name)), name);
        auto* toggle = window->findChild<QToolButton*>(QStringLiteral("toggleGatewayActionButton"));
        QVERIFY(toggle);
        QTest::mouseClick(toggle, Qt::LeftButton);
        QVERIFY(service.isRunning());
        QCOMPARE(state->text(), QStringLiteral("Running"));
        auto* address = window->findChild<QLabel*>(QStringLiteral("addressLabel"));
        QVERIFY(address->text().endsWith(QStringLiteral(":%1").arg(service.port())));
        QVERIFY(toggle->text().contains(QLatin1String("Stop")));
        QTest::mouseClick(toggle, Qt::LeftButton);
        QVERIFY(!service.isRunning());
    }
};

QTEST_MAIN(TestTrayController)
#include "tst_traycontroller.moc"
