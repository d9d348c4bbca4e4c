// The UI in Simplified Chinese: the zh_CN catalogue (from :/i18n) translates the tray menu and the status window,
// and a CJK font is there to render it. With SWITCHYARD_SCREENSHOT_DIR set it saves the rendered menu there.

#include "config/config.h"
#include "gateway/gatewayservice.h"
#include "tray/statuswindow.h"
#include "tray/traycontroller.h"
#include "tray/uilanguage.h"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFontDatabase>
#include <QImage>
#include <QLabel>
#include <QMenu>
#include <QTest>
#include <QToolButton>
#include <QTranslator>

using namespace sy;

namespace {

QString actionText(const TrayController& tray, const char* name)
{
    for (QAction* a : tray.menu()->actions())
        if (a->objectName() == QLatin1String(name))
            return a->text();
    return QString();
}

bool hasHan(const QString& text)
{
    for (QChar c : text)
        if (c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF)
            return true;
    return false;
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(":/i18n/switchyard_zh_CN.qm")), "the zh_CN catalogue is not embedded");
        QVERIFY(installUiTranslators(QStringLiteral("zh_CN")));
    }

    void theTrayMenuIsInChinese()
    {
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        service.setListenOverride(QHostAddress::LocalHost, 0);
        TrayController tray(&service, QString());
        for (const char* name : {"toggleGatewayAction", "dashboardAction", "requestLogAction", "settingsAction",
                 "connectAction", "copySetupAction", "autostartAction", "quitAction", "statusAction"}) {
            const QString text = actionText(tray, name);
            QVERIFY2(hasHan(text), qPrintable(QLatin1String(name) + QLatin1String(": ") + text));
        }
        QCOMPARE(actionText(tray, "quitAction"), QStringLiteral("退出(&Q)"));
        QCOMPARE(actionText(tray, "statusAction"), QStringLiteral("已停止"));
        QVERIFY2(hasHan(tray.toolTip()), qPrintable(tray.toolTip()));

        // Rendered offscreen: the menu has pixels, and a font with Han glyphs exists for it.
        QVERIFY2(!QFontDatabase::families(QFontDatabase::SimplifiedChinese).isEmpty(),
            "no CJK font (install fonts-wqy-microhei or fonts-noto-cjk)");
        tray.menu()->adjustSize();
        const QImage shot = tray.menu()->grab().toImage();
        QVERIFY(!shot.isNull() && shot.width() > 50);
        const QString dir = qEnvironmentVariable("SWITCHYARD_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            QDir().mkpath(dir);
            QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("tray-menu-zh_CN.png"))));
        }
    }

    void theStatusWindowIsInChinese()
    {
        auto config = parseConfig("{\"providers\":[],\"routes\":[]}", {});
        GatewayService service;
        service.setConfig(*config);
        TrayController tray(&service, QString());
        tray.show(true);
        QVERIFY(tray.statusWindow());
        auto* state = tray.statusWindow()->findChild<QLabel*>(QStringLiteral("stateLabel"));
        QVERIFY(state);
        QVERIFY2(hasHan(state->text()), qPrintable(state->text()));
        auto* toggle = tray.statusWindow()->findChild<QToolButton*>(QStringLiteral("toggleGatewayActionButton"));
        QVERIFY(toggle);
        QVERIFY2(hasHan(toggle->text()), qPrintable(toggle->text()));
        QVERIFY(!tray.statusWindow()->grab().toImage().isNull());
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
