// The switchyard binary's command line: config check, route list/resolve, and start-up failures.

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString writeConfig(const QString& name, const QByteArray& json)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(json);
        return path;
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
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("xdg")));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(SWITCHYARD_BIN), args);
        if (!p.waitForFinished(20000))
            p.kill();
        return {
            p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

    static QByteArray goodConfig()
    {
        return "{\"version\": 1,\n"
               " \"providers\": [\n"
               "  {\"id\": \"deepseek\", \"kind\": \"openai-chat\", \"base_url\": \"http://127.0.0.1:9/v1\",\n"
               "   \"credentials\": [{\"api_key\": \"sk-secret-never-printed\"}],\n"
               "   \"models\": [{\"id\": \"deepseek-chat\", \"context_window\": 131072}]},\n"
               "  {\"id\": \"anthropic\", \"kind\": \"anthropic\", \"base_url\": \"http://127.0.0.1:9\"}],\n"
               " \"routes\": [\n"
               "  {\"match\": \"haiku\", \"to\": [\"deepseek/deepseek-chat\", \"anthropic/*\"]},\n"
               "  {\"match\": \"*\", \"when\": {\"thinking\": true}, \"to\": [\"anthropic/*\"]},\n"
               "  {\"match\": \"*\", \"to\": [\"deepseek/deepseek-chat(high)\"]}]}\n";
    }

private Q_SLOTS:
    void configCheck()
    {
        const QString good = writeConfig(QStringLiteral("good.json"), goodConfig());
        Run r = run({QStringLiteral("config"), QStringLiteral("check"), good});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QLatin1String("OK (2 provider(s), 3 route(s))")), qPrintable(r.out));
        QByteArray broken = goodConfig();
        broken.replace("\"openai-chat\"", "\"openai\"");
        const QString bad = writeConfig(QStringLiteral("bad.json"), broken);
        r = run({QStringLiteral("config"), QStringLiteral("check"), bad});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QLatin1String("line 3: providers[0].kind")), qPrintable(r.err));
        QVERIFY(!r.err.contains(QLatin1String("sk-secret")));
    }

    void routeListAndResolve()
    {
        const QString path = writeConfig(QStringLiteral("routes.json"), goodConfig());
        Run r = run({QStringLiteral("route"), QStringLiteral("list"), QStringLiteral("--config"), path});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QLatin1String("1. haiku -> deepseek/deepseek-chat -> anthropic/*")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QLatin1String("2. * [thinking=true] -> anthropic/*")), qPrintable(r.out));

        r = run({QStringLiteral("route"), QStringLiteral("resolve"), QStringLiteral("--config"), path,
            QStringLiteral("--model"), QStringLiteral("claude-haiku-4-5-20251001")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QLatin1String("1. deepseek/deepseek-chat")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QLatin1String("2. anthropic/claude-haiku-4-5-20251001")), qPrintable(r.out));

        r = run({QStringLiteral("route"), QStringLiteral("resolve"), QStringLiteral("--config"), path,
            QStringLiteral("--model"), QStringLiteral("claude-sonnet-5"), QStringLiteral("--thinking")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QLatin1String("1. anthropic/claude-sonnet-5")), qPrintable(r.out));

        r = run({QStringLiteral("route"), QStringLiteral("resolve"), QStringLiteral("--config"), path,
            QStringLiteral("--model"), QStringLiteral("claude-sonnet-5")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QLatin1String("1. deepseek/deepseek-chat (effort high)")), qPrintable(r.out));
        QVERIFY2(
            r.out.contains(QLatin1String("routes[1]")), qPrintable(r.out)); // the trace says why rule 2 did not match
        QVERIFY(!r.out.contains(QLatin1String("sk-secret")));

        r = run({QStringLiteral("route"), QStringLiteral("resolve"), QStringLiteral("--config"), path});
        QCOMPARE(r.code, 2);
    }

    void startupFailures()
    {
        QByteArray broken = goodConfig();
        broken.replace("\"routes\": [", "\"routes\": [{\"match\": \"x\", \"to\": [\"nowhere/m\"]},");
        const QString bad = writeConfig(QStringLiteral("startup.json"), broken);
        Run r = run({QStringLiteral("--headless"), QStringLiteral("--config"), bad});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QLatin1String("routes[0].to[0]: unknown provider \"nowhere\"")), qPrintable(r.err));
        r = run({QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("nonsense")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QLatin1String("--listen")));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
