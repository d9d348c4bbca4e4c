// Launch at login: the XDG autostart entry under $XDG_CONFIG_HOME/autostart.

#include "config/autostart.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sy;

class TestAutostart : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        qputenv("XDG_CONFIG_HOME", m_dir->path().toUtf8());
    }

    void cleanup() { qunsetenv("XDG_CONFIG_HOME"); }

    void entryFollowsXdgConfigHome()
    {
        QCOMPARE(Autostart::entryPath(), m_dir->filePath(QStringLiteral("autostart/switchyard.desktop")));
        // A relative XDG_CONFIG_HOME is ignored (XDG Base Directory spec).
        qputenv("XDG_CONFIG_HOME", "relative/dir");
        QVERIFY(Autostart::entryPath().endsWith(QLatin1String("/.config/autostart/switchyard.desktop")));
        QVERIFY(Autostart::entryPath().startsWith(QLatin1Char('/')));
    }

    void enableWritesTheEntryAndDisableRemovesIt()
    {
        QVERIFY(!Autostart::isEnabled());
        QString error;
        QVERIFY2(Autostart::setEnabled(true, QStringLiteral("/opt/My Apps/switchyard"), &error), qPrintable(error));
        QVERIFY(Autostart::isEnabled());

        QFile file(Autostart::entryPath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("[Desktop Entry]"));
        QVERIFY(lines.contains("Type=Application"));
        QVERIFY(lines.contains("Name=Switchyard"));
        QVERIFY(lines.contains("Exec=\"/opt/My Apps/switchyard\""));
        QVERIFY(lines.contains("X-GNOME-Autostart-enabled=true"));
        bool hasComment = false;
        for (const QByteArray& line : lines)
            hasComment = hasComment || (line.startsWith("Comment=") && line.size() > 8);
        QVERIFY(hasComment);

        QVERIFY(Autostart::setEnabled(false, QString(), &error));
        QVERIFY(!QFile::exists(Autostart::entryPath()));
        QVERIFY(!Autostart::isEnabled());
        QVERIFY(Autostart::setEnabled(false)); // already off
    }

    void execQuoting_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("exec");
        QTest::addRow("plain") << QStringLiteral("/usr/bin/switchyard") << QStringLiteral("\"/usr/bin/switchyard\"");
        QTest::addRow("space") << QStringLiteral("/a b/sy") << QStringLiteral("\"/a b/sy\"");
        QTest::addRow("quote and dollar")
            << QStringLiteral("/a\"$b`c/sy") << QStringLiteral("\"/a\\\\\"\\\\$b\\\\`c/sy\"");
        QTest::addRow("backslash") << QStringLiteral("/a\\b") << QStringLiteral("\"/a\\\\\\\\b\"");
        QTest::addRow("percent") << QStringLiteral("/100%/sy") << QStringLiteral("\"/100%%/sy\"");
    }

    void execQuoting()
    {
        QFETCH(QString, path);
        QFETCH(QString, exec);
        QCOMPARE(Autostart::quoteExecArgument(path), exec);
    }

    void disabledEntryIsNotEnabled()
    {
        QVERIFY(Autostart::setEnabled(true, QStringLiteral("/usr/bin/switchyard")));
        QFile file(Autostart::entryPath());
        QVERIFY(file.open(QIODevice::Append));
        file.write("Hidden=true\n");
        file.close();
        QVERIFY(!Autostart::isEnabled());
    }
};

QTEST_GUILESS_MAIN(TestAutostart)
#include "tst_autostart.moc"
