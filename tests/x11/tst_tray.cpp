// The tray icon on a real X server with a tray host (xvfb-run + trayer, see with_tray.sh): it embeds, its menu has
// every action, its icon follows Stop/Start, and a taken port shows the error state with the error in the menu.

#include "config/config.h"
#include "gateway/gatewayservice.h"
#include "tray/traycontroller.h"

#include <QAction>
#include <QApplication>
#include <QGuiApplication>
#include <QImage>
#include <QMenu>
#include <QPixmap>
#include <QScreen>
#include <QSystemTrayIcon>
#include <QTcpServer>
#include <QTest>

using namespace sy;

namespace {

QAction* findAction(const TrayController& tray, const char* name)
{
    for (QAction* a : tray.menu()->actions())
        if (a->objectName() == QLatin1String(name))
            return a;
    return nullptr;
}

Config emptyConfig()
{
    return *parseConfig("{\"providers\":[],\"routes\":[]}", {});
}

} // namespace

class TestTray : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
        // trayer starts beside us: wait for it to take the tray selection.
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 10000);
    }

    void theIconEmbedsAndFollowsStopAndStart()
    {
        GatewayService service;
        service.setConfig(emptyConfig());
        service.setListenOverride(QHostAddress::LocalHost, 0);
        QVERIFY(service.start());
        TrayController tray(&service, QString());
        tray.show();
        QVERIFY(tray.trayIcon()->isVisible());
        QVERIFY(!tray.statusWindow());
        QTRY_VERIFY_WITH_TIMEOUT(tray.trayIcon()->geometry().width() > 0 && tray.trayIcon()->geometry().x() > 0, 10000);

        // The embedded icon has pixels (not an empty slot).
        const QRect g = tray.trayIcon()->geometry();
        const QImage shot
            = QGuiApplication::primaryScreen()->grabWindow(0, g.x(), g.y(), g.width(), g.height()).toImage();
        QVERIFY(!shot.isNull());
        QSet<QRgb> colours;
        for (int y = 0; y < shot.height(); ++y)
            for (int x = 0; x < shot.width(); ++x)
                colours.insert(shot.pixel(x, y));
        QVERIFY2(colours.size() > 3, "the tray slot is blank");

        for (const char* name : {"toggleGatewayAction", "dashboardAction", "requestLogAction", "settingsAction",
                 "connectAction", "copySetupAction", "autostartAction", "quitAction"})
            QVERIFY2(findAction(tray, name), name);

        QCOMPARE(tray.stateName(), QStringLiteral("running"));
        const qint64 runningKey = tray.trayIcon()->icon().cacheKey();
        QAction* toggle = findAction(tray, "toggleGatewayAction");
        toggle->trigger();
        QVERIFY(!service.isRunning());
        QCOMPARE(tray.stateName(), QStringLiteral("stopped"));
        QVERIFY(tray.trayIcon()->icon().cacheKey() != runningKey);
        QVERIFY(toggle->text().contains(QLatin1String("Start")));
        toggle->trigger();
        QVERIFY(service.isRunning());
        QCOMPARE(tray.stateName(), QStringLiteral("running"));
        QVERIFY(toggle->text().contains(QLatin1String("Stop")));
        QVERIFY(tray.trayIcon()->isVisible());
    }

    void aTakenPortShowsTheErrorState()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        GatewayService service;
        service.setConfig(emptyConfig());
        service.setListenOverride(QHostAddress::LocalHost, squatter.serverPort());
        TrayController tray(&service, QString());
        tray.show();
        QTRY_VERIFY_WITH_TIMEOUT(tray.trayIcon()->geometry().width() > 0, 10000);
        const qint64 stoppedKey = tray.trayIcon()->icon().cacheKey();
        findAction(tray, "toggleGatewayAction")->trigger();
        QVERIFY(!service.isRunning());
        QCOMPARE(tray.stateName(), QStringLiteral("error"));
        QVERIFY(tray.trayIcon()->icon().cacheKey() != stoppedKey);
        const QString port = QString::number(squatter.serverPort());
        const QString status = findAction(tray, "statusAction")->text();
        QVERIFY2(status.contains(port), qPrintable(status));
        QAction* error = findAction(tray, "errorAction");
        QVERIFY(error && error->isVisible());
        QVERIFY2(error->text().contains(port), qPrintable(error->text()));
        QVERIFY2(tray.trayIcon()->toolTip().contains(port), qPrintable(tray.trayIcon()->toolTip()));

        // Freed port: Start works and the error goes away.
        squatter.close();
        findAction(tray, "toggleGatewayAction")->trigger();
        QVERIFY(service.isRunning());
        QCOMPARE(tray.stateName(), QStringLiteral("running"));
        QVERIFY(!error->isVisible());
    }
};

QTEST_MAIN(TestTray)
#include "tst_tray.moc"
