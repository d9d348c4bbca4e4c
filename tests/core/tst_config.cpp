#include "config/config.h"
#include "routing/router.h"

#include <QTemporaryDir>
#include <QTest>

using namespace sy;

class TestConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesTheContractExample()
    {
        const QByteArray json
            = "{ \"version\": 1,\n"
              "  \"server\": { \"listen\": \"127.0.0.1:3790\" },\n"
              "  \"providers\": [\n"
              "    { \"id\": \"deepseek\", \"kind\": \"openai-chat\", \"base_url\": "
              "\"https:\\/\\/api.deepseek.com\\/v1\",\n"
              "      \"credentials\": [ { \"api_key\": \"env:DEEPSEEK_API_KEY\" } ], \"models\": [\"deepseek-chat\", "
              "{\"id\":\"deepseek-reasoner\",\"max_output_tokens\":32768,\"context_window\":131072}] },\n"
              "    { \"id\": \"anthropic\", \"kind\": \"anthropic\", \"base_url\": \"https:\\/\\/api.anthropic.com\" } "
              "],\n"
              "  \"routes\": [\n"
              "    { \"match\": \"claude-haiku-*\", \"to\": [\"deepseek/deepseek-chat\"] },\n"
              "    { \"match\": \"*\", \"to\": [\"anthropic/\\u002a\"] } ] }";
        auto c = parseConfig(json, {{QStringLiteral("DEEPSEEK_API_KEY"), QStringLiteral("sk-test")}});
        QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error()));
        QCOMPARE(c->server.listenPort, 3790);
        QCOMPARE(c->providers.size(), 2);
        QCOMPARE(c->providers.at(0).credentials.first().apiKey, QStringLiteral("sk-test"));
        QCOMPARE(c->providers.at(0).profileFor(QStringLiteral("deepseek-chat")).maxOutputTokens, 8192);
        QCOMPARE(c->providers.at(0).profileFor(QStringLiteral("deepseek-reasoner")).contextWindow, 131072);
        Router router(&*c);
        auto haiku = router.resolve(QStringLiteral("claude-haiku-4-5-20251001"));
        QVERIFY(haiku.ok());
        QCOMPARE(haiku->first().provider->id, QStringLiteral("deepseek"));
        QCOMPARE(haiku->first().upstreamModel, QStringLiteral("deepseek-chat"));
        auto opus = router.resolve(QStringLiteral("CLAUDE-OPUS-4-8"));
        QVERIFY(opus.ok());
        QCOMPARE(opus->first().provider->id, QStringLiteral("anthropic"));
        QCOMPARE(opus->first().upstreamModel, QStringLiteral("CLAUDE-OPUS-4-8"));
        QVERIFY(router.resolve(QStringLiteral("vendor/custom-name")).ok()); // '*' also matches '/'
    }

    void errorsNameFieldAndLine_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::addRow("bad json") << QByteArray("{\n \"version\": 1,\n \"providers\": [\n}")
                                  << QStringLiteral("line 4: invalid JSON");
        QTest::addRow("unknown kind")
            << QByteArray("{\"providers\": [\n  {\"id\": \"a\",\n   \"kind\": \"openai\", "
                          "\"base_url\": \"http://x\"}],\n \"routes\": []}")
            << QStringLiteral("line 3: providers[0].kind: \"openai\" is not one of \"anthropic\", \"openai-chat\"");
        QTest::addRow("bad url") << QByteArray(
            "{\"providers\": [{\"id\": \"a\", \"kind\": \"anthropic\",\n \"base_url\": \"ftp://x\"}], \"routes\": []}")
                                 << QStringLiteral("line 2: providers[0].base_url");
        QTest::addRow("unknown provider in route")
            << QByteArray("{\"providers\": [],\n\"routes\": [\n {\"match\": \"*\",\n  \"to\": [\"nope/m\"]}]}")
            << QStringLiteral("line 4: routes[0].to[0]: unknown provider \"nope\"");
        QTest::addRow("bad target") << QByteArray(
            "{\"providers\": [{\"id\": \"a\", \"kind\": \"anthropic\", \"base_url\": \"http://x\"}],\n\"routes\": "
            "[{\"match\": \"*\", \"to\": [\"a\"]}]}")
                                    << QStringLiteral("line 2: routes[0].to[0]");
        QTest::addRow("bad listen") << QByteArray(
            "{\"server\": {\n\"listen\": \"nowhere\"}, \"providers\": [], \"routes\": []}")
                                    << QStringLiteral("line 2: server.listen");
        QTest::addRow("duplicate id") << QByteArray(
            "{\"providers\": [{\"id\": \"a\", \"kind\": \"anthropic\", \"base_url\": \"http://x\"},\n{\"id\": \"a\", "
            "\"kind\": \"anthropic\", \"base_url\": \"http://y\"}], \"routes\": []}")
                                      << QStringLiteral("line 2: providers[1].id: duplicate");
        QTest::addRow("version") << QByteArray("{\"version\": 7, \"providers\": [], \"routes\": []}")
                                 << QStringLiteral("line 1: version");
        QTest::addRow("max tokens type") << QByteArray(
            "{\"providers\": [{\"id\": \"a\", \"kind\": \"openai-chat\", \"base_url\": \"http://x\",\n \"models\": "
            "[{\"id\": \"m\",\n \"max_output_tokens\": \"lots\"}]}], \"routes\": []}")
                                         << QStringLiteral("line 3: providers[0].models[0].max_output_tokens: must be "
                                                           "integer, not string");
    }
    void schemaRejectsUnknownAndMistypedFields_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::addRow("typo in provider") << QByteArray(
            "{\"providers\": [{\"id\": \"a\", \"kind\": \"anthropic\",\n \"base_url\": \"http://x\", \"credentails\": "
            "[]}], \"routes\": []}") << QStringLiteral("line 2: providers[0].credentails: unknown field");
        QTest::addRow("bad strategy") << QByteArray(
            "{\"providers\": [{\"id\": \"a\", \"kind\": \"anthropic\", \"base_url\": \"http://x\",\n\"strategy\": "
            "\"random\"}], \"routes\": []}")
                                      << QStringLiteral("line 2: providers[0].strategy: \"random\" is not one of");
        QTest::addRow("bad when") << QByteArray("{\"providers\": [], \"routes\": [{\"match\": \"*\", \"to\": "
                                                "[\"a/b\"],\n \"when\": {\"tokens_over\": \"many\"}}]}")
                                  << QStringLiteral("line 2: routes[0].when.tokens_over: must be integer");
        QTest::addRow("missing routes") << QByteArray("{\"providers\": []}")
                                        << QStringLiteral("line 1: routes: is required");
        QTest::addRow("credential without key")
            << QByteArray("{\"providers\": [{\"id\": \"a\", \"kind\": \"anthropic\", \"base_url\": "
                          "\"http://x\",\n\"credentials\": [{\"id\": \"k1\"}]}], \"routes\": []}")
            << QStringLiteral(
                   "line 2: providers[0].credentials[0]: give exactly one of \"api_key\", \"account\" or \"accounts\"");
    }
    void schemaRejectsUnknownAndMistypedFields()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        auto c = parseConfig(json, {});
        QVERIFY(!c.ok());
        QVERIFY2(c.error().startsWith(expected), qPrintable(c.error()));
    }

    void parsesPoolsConditionsAndPriorities()
    {
        const QByteArray json
            = "{\"providers\": [{\"id\": \"oa\", \"kind\": \"openai-chat\", \"base_url\": \"http://x/v1\", "
              "\"strategy\": \"sticky\","
              "\"credentials\": [{\"api_key\": \"k1\"}, {\"api_key\": \"k2\", \"id\": \"team\", \"label\": \"Team "
              "key\"}]}],"
              "\"routes\": [{\"match\": \"sonnet\", \"to\": \"oa,gpt-5\", \"priority\": \"keys-first\","
              "\"when\": {\"thinking\": true, \"tokens_over\": 60000, \"has_images\": false, \"tools_include\": "
              "\"web_search\", \"client\": [\"claude-code\", \"ci\"]}}]}";
        auto c = parseConfig(json, {});
        QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error()));
        const ProviderConfig& p = c->providers.first();
        QCOMPARE(p.strategy, PoolStrategy::Sticky);
        QCOMPARE(p.credentials.at(0).id, QStringLiteral("oa#1"));
        QCOMPARE(p.credentials.at(1).id, QStringLiteral("team"));
        QCOMPARE(p.credentials.at(1).label, QStringLiteral("Team key"));
        const RouteRule& r = c->routes.first();
        QCOMPARE(r.targets.first().providerId, QStringLiteral("oa"));
        QCOMPARE(r.targets.first().model, QStringLiteral("gpt-5"));
        QCOMPARE(r.priority, CredentialPriority::KeysFirst);
        QCOMPARE(r.when.thinking, std::optional<bool>(true));
        QCOMPARE(r.when.tokensOver, 60000);
        QCOMPARE(r.when.hasImages, std::optional<bool>(false));
        QCOMPARE(r.when.toolsInclude, QStringList {QStringLiteral("web_search")});
        QCOMPARE(r.when.clients, (QStringList {QStringLiteral("claude-code"), QStringLiteral("ci")}));
        auto dup = parseConfig(
            "{\"providers\": [{\"id\": \"a\", \"kind\": \"anthropic\", \"base_url\": \"http://x\",\n\"credentials\": "
            "[{\"api_key\": \"k\", \"id\": \"x\"},\n{\"api_key\": \"j\", \"id\": \"x\"}]}], \"routes\": []}",
            {});
        QVERIFY(!dup.ok());
        QVERIFY2(dup.error().startsWith(QLatin1String("line 3: providers[0].credentials[1].id: duplicate")),
            qPrintable(dup.error()));
    }

    void errorsNameFieldAndLine()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        auto c = parseConfig(json, {});
        QVERIFY(!c.ok());
        QVERIFY2(c.error().startsWith(expected), qPrintable(c.error()));
    }

    void starterConfigIsValidAndCreatedOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/config.json"));
        auto c = loadOrCreateConfig(path, true, {});
        QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error()));
        QVERIFY(QFile::exists(path));
        QCOMPARE(c->providers.first().kind, ProviderKind::Anthropic);
        QVERIFY(c->providers.first().credentials.isEmpty()); // the client's own key goes through
        auto again = loadOrCreateConfig(path, false, {});
        QVERIFY(again.ok());
        QVERIFY(!loadOrCreateConfig(dir.filePath(QStringLiteral("missing.json")), false, {}).ok());
    }

    void secretsAreNeverInErrors()
    {
        auto c = parseConfig(
            "{\"providers\":[{\"id\":\"a\",\"kind\":\"openai-chat\",\"base_url\":\"http:\\/\\/"
            "x\",\"credentials\":[{\"api_key\":\"sk-secret-123\"}],\"models\":[{\"id\":5}]}],\"routes\":[]}",
            {});
        QVERIFY(!c.ok());
        QVERIFY(!c.error().contains(QLatin1String("sk-secret-123")));
    }

    void listenParsing()
    {
        QHostAddress a;
        quint16 p = 1;
        QString e;
        QVERIFY(parseListen(QStringLiteral("127.0.0.1:0"), &a, &p, &e));
        QCOMPARE(p, 0);
        QVERIFY(parseListen(QStringLiteral("[::1]:8080"), &a, &p, &e));
        QCOMPARE(a, QHostAddress(QHostAddress::LocalHostIPv6));
        QVERIFY(parseListen(QStringLiteral("localhost:3790"), &a, &p, &e));
        QVERIFY(!parseListen(QStringLiteral("127.0.0.1"), &a, &p, &e));
        QVERIFY(!parseListen(QStringLiteral("127.0.0.1:70000"), &a, &p, &e));
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
