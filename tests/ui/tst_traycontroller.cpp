// The tray's menu drives the gateway: Start/Stop toggles the listener without quitting.

#include "config/config.h"
#include "gateway/gatewayservice.h"
#include "tray/traycontroller.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sy;

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
};

QTEST_MAIN(TestTrayController)
#include "tst_traycontroller.moc"
