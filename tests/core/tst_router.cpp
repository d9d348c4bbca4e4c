// Routing rules (issue 3): globs and Claude aliases, "when" conditions, direct provider/model names, subagent tags,
// (effort)/(budget) suffixes, wildcard targets, client detection, and the trace of a failed lookup.

#include "config/config.h"
#include "routing/router.h"

#include <QTest>

using namespace sy;

namespace {

// Routes are written with single quotes for readability; they become double quotes here.
QByteArray configJson(const char* routes)
{
    QByteArray r(routes);
    r.replace('\'', '"');
    QByteArray json(
        "{\"providers\": ["
        "{\"id\": \"anthropic\", \"kind\": \"anthropic\", \"base_url\": \"https://api.anthropic.com\"},"
        "{\"id\": \"openai\", \"kind\": \"openai-chat\", \"base_url\": \"https://api.openai.com/v1\","
        " \"models\": [{\"id\": \"gpt-5\", \"max_output_tokens\": 128000}]},"
        "{\"id\": \"deepseek\", \"kind\": \"openai-chat\", \"base_url\": \"https://api.deepseek.com\"},"
        "{\"id\": \"openrouter\", \"kind\": \"openai-chat\", \"base_url\": \"https://openrouter.ai/api/v1\"}"
        "], \"routes\": ");
    json += r;
    json += '}';
    return json;
}

RouteQuery query(const QString& model)
{
    RouteQuery q;
    q.model = model;
    return q;
}

canon::Part text(const QString& t)
{
    return canon::Part::makeText(t);
}

QStringList texts(const QList<canon::Part>& parts)
{
    QStringList out;
    for (const canon::Part& p : parts)
        out.append(p.text);
    return out;
}

QList<canon::Part> textParts(const QStringList& list)
{
    QList<canon::Part> out;
    for (const QString& t : list)
        out.append(text(t));
    return out;
}

QString tagged(const QString& model)
{
    return QStringLiteral("<CCR-SUBAGENT-MODEL>") + model + QStringLiteral("</CCR-SUBAGENT-MODEL>");
}

} // namespace

#define MAKE_ROUTER(routes)                                                                                            \
    auto parsedConfig = parseConfig(configJson(routes), {});                                                           \
    QVERIFY2(parsedConfig.ok(), qPrintable(parsedConfig.ok() ? QString() : parsedConfig.error()));                     \
    const Router router(&*parsedConfig)

class TestRouter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void glob_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("expected");
        QTest::addRow("prefix") << QStringLiteral("claude-haiku-*") << QStringLiteral("claude-haiku-4-5") << true;
        QTest::addRow("case") << QStringLiteral("claude-haiku-*") << QStringLiteral("CLAUDE-Haiku-4-5") << true;
        QTest::addRow("other family") << QStringLiteral("claude-haiku-*") << QStringLiteral("claude-sonnet-4") << false;
        QTest::addRow("star crosses slash") << QStringLiteral("*") << QStringLiteral("vendor/custom-name") << true;
        QTest::addRow("inner star crosses slash")
            << QStringLiteral("meta-*-70b") << QStringLiteral("meta-llama/llama-3-70b") << true;
        QTest::addRow("question mark") << QStringLiteral("gpt-?") << QStringLiteral("gpt-5") << true;
        QTest::addRow("question mark one char") << QStringLiteral("gpt-?") << QStringLiteral("gpt-55") << false;
        QTest::addRow("dot is literal") << QStringLiteral("gpt-4.1") << QStringLiteral("gpt-441") << false;
        QTest::addRow("infix") << QStringLiteral("*mini*") << QStringLiteral("gpt-4o-MINI") << true;
        QTest::addRow("exact is anchored") << QStringLiteral("gpt-5") << QStringLiteral("gpt-5-mini") << false;
        QTest::addRow("anchored at start") << QStringLiteral("gpt-5") << QStringLiteral("my-gpt-5") << false;
    }
    void glob()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, model);
        QFETCH(bool, expected);
        QCOMPARE(globToRegularExpression(pattern).match(model).hasMatch(), expected);
        QCOMPARE(routeMatchAccepts(pattern, model), expected);
    }

    void aliases_data()
    {
        QTest::addColumn<QString>("match");
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("expected");
        // A rule written as an alias takes every model of the family.
        QTest::addRow("opus rule, opus 4.8") << QStringLiteral("opus") << QStringLiteral("claude-opus-4-8") << true;
        QTest::addRow("opus rule, claude 3 opus")
            << QStringLiteral("opus") << QStringLiteral("claude-3-opus-20240229") << true;
        QTest::addRow("sonnet rule, 3.5 sonnet")
            << QStringLiteral("sonnet") << QStringLiteral("claude-3-5-sonnet-20241022") << true;
        QTest::addRow("sonnet rule, sonnet 4.5")
            << QStringLiteral("sonnet") << QStringLiteral("claude-sonnet-4-5-20250929") << true;
        QTest::addRow("haiku rule, haiku 4.5")
            << QStringLiteral("haiku") << QStringLiteral("claude-haiku-4-5-20251001") << true;
        QTest::addRow("sonnet rule, bare alias") << QStringLiteral("sonnet") << QStringLiteral("sonnet") << true;
        QTest::addRow("alias rule is case-insensitive")
            << QStringLiteral("Sonnet") << QStringLiteral("CLAUDE-SONNET-4") << true;
        QTest::addRow("opus rule, sonnet model")
            << QStringLiteral("opus") << QStringLiteral("claude-sonnet-4-5") << false;
        QTest::addRow("haiku rule, bare opus") << QStringLiteral("haiku") << QStringLiteral("opus") << false;
        QTest::addRow("haiku rule, non-claude name")
            << QStringLiteral("haiku") << QStringLiteral("haiku-lite") << false;
        QTest::addRow("sonnet rule, word inside another")
            << QStringLiteral("sonnet") << QStringLiteral("claude-sonnets-1") << false;
        // A bare alias from the client matches rules written for the family's full names.
        QTest::addRow("bare sonnet, claude-sonnet-*")
            << QStringLiteral("claude-sonnet-*") << QStringLiteral("sonnet") << true;
        QTest::addRow("bare opus, claude-opus-*") << QStringLiteral("claude-opus-*") << QStringLiteral("opus") << true;
        QTest::addRow("bare haiku, CLAUDE-HAIKU-*")
            << QStringLiteral("CLAUDE-HAIKU-*") << QStringLiteral("Haiku") << true;
        QTest::addRow("bare opus, claude-*") << QStringLiteral("claude-*") << QStringLiteral("opus") << true;
        QTest::addRow("bare sonnet, exact full name")
            << QStringLiteral("claude-sonnet-4-5") << QStringLiteral("sonnet") << true;
        QTest::addRow("bare sonnet, *sonnet*") << QStringLiteral("*sonnet*") << QStringLiteral("sonnet") << true;
        QTest::addRow("bare sonnet, claude-haiku-*")
            << QStringLiteral("claude-haiku-*") << QStringLiteral("sonnet") << false;
        QTest::addRow("bare sonnet, old naming")
            << QStringLiteral("claude-3-5-sonnet-*") << QStringLiteral("sonnet") << false;
        QTest::addRow("bare haiku, gpt-*") << QStringLiteral("gpt-*") << QStringLiteral("haiku") << false;
        QTest::addRow("not an alias, claude-sonnet-*")
            << QStringLiteral("claude-sonnet-*") << QStringLiteral("sonnetx") << false;
    }
    void aliases()
    {
        QFETCH(QString, match);
        QFETCH(QString, model);
        QFETCH(bool, expected);
        QCOMPARE(routeMatchAccepts(match, model), expected);

        // The same through a router.
        const QByteArray routes = "[{'match': '" + match.toUtf8() + "', 'to': ['deepseek/deepseek-chat']}]";
        MAKE_ROUTER(routes.constData());
        QCOMPARE(router.resolve(query(model)).ok(), expected);
    }

    void claudeFamilies_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("family");
        QTest::addRow("opus 4.8") << QStringLiteral("claude-opus-4-8") << QStringLiteral("opus");
        QTest::addRow("3.5 sonnet") << QStringLiteral("claude-3-5-sonnet-20241022") << QStringLiteral("sonnet");
        QTest::addRow("haiku 4.5") << QStringLiteral("claude-haiku-4-5-20251001") << QStringLiteral("haiku");
        QTest::addRow("bare") << QStringLiteral("HAIKU") << QStringLiteral("haiku");
        QTest::addRow("gpt") << QStringLiteral("gpt-5") << QString();
        QTest::addRow("vendor prefix") << QStringLiteral("anthropic/claude-opus-4") << QString();
    }
    void claudeFamilies()
    {
        QFETCH(QString, model);
        QFETCH(QString, family);
        QCOMPARE(claudeFamily(model), family);
    }

    void firstMatchWins_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("rule");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("upstream");
        QTest::addRow("haiku") << QStringLiteral("claude-haiku-4-5-20251001") << 0 << QStringLiteral("deepseek")
                               << QStringLiteral("deepseek-chat");
        QTest::addRow("bare haiku") << QStringLiteral("haiku") << 0 << QStringLiteral("deepseek")
                                    << QStringLiteral("deepseek-chat");
        QTest::addRow("opus alias rule") << QStringLiteral("claude-opus-4-8") << 1 << QStringLiteral("openai")
                                         << QStringLiteral("gpt-5");
        QTest::addRow("sonnet to claude-*") << QStringLiteral("claude-sonnet-4-5") << 2 << QStringLiteral("anthropic")
                                            << QStringLiteral("claude-sonnet-4-5");
        QTest::addRow("catch-all") << QStringLiteral("llama-3") << 3 << QStringLiteral("openrouter")
                                   << QStringLiteral("meta/llama");
    }
    void firstMatchWins()
    {
        QFETCH(QString, model);
        QFETCH(int, rule);
        QFETCH(QString, provider);
        QFETCH(QString, upstream);
        MAKE_ROUTER("[{'match': 'claude-haiku-*', 'to': ['deepseek/deepseek-chat']},"
                    " {'match': 'opus', 'to': ['openai/gpt-5']},"
                    " {'match': 'claude-*', 'to': ['anthropic/*']},"
                    " {'match': '*', 'to': ['openrouter/meta/llama']},"
                    " {'match': '*', 'to': ['deepseek/never']}]");
        const auto d = router.resolve(query(model));
        QVERIFY2(d.ok(), qPrintable(d.ok() ? QString() : d.error()));
        QCOMPARE(d->ruleIndex, rule);
        QCOMPARE(d->via, QStringLiteral("rule"));
        QCOMPARE(d->priority, CredentialPriority::AccountsFirst);
        QCOMPARE(d->chain.size(), 1);
        QCOMPARE(d->chain.first().provider->id, provider);
        QCOMPARE(d->chain.first().upstreamModel, upstream);
        QCOMPARE(d->trace.size(), rule + 1);
        QVERIFY(d->trace.last().endsWith(QLatin1String(": matched")));
    }

    void conditions_data()
    {
        QTest::addColumn<QByteArray>("when");
        QTest::addColumn<bool>("thinking");
        QTest::addColumn<qint64>("tokens");
        QTest::addColumn<bool>("images");
        QTest::addColumn<QStringList>("tools");
        QTest::addColumn<QString>("client");
        QTest::addColumn<bool>("expected");
        const QStringList none;
        const QString noClient;
        QTest::addRow("empty when") << QByteArray("{}") << false << qint64(-1) << false << none << noClient << true;

        QTest::addRow("thinking wanted, on")
            << QByteArray("{'thinking': true}") << true << qint64(-1) << false << none << noClient << true;
        QTest::addRow("thinking wanted, off")
            << QByteArray("{'thinking': true}") << false << qint64(-1) << false << none << noClient << false;
        QTest::addRow("no thinking wanted, on")
            << QByteArray("{'thinking': false}") << true << qint64(-1) << false << none << noClient << false;
        QTest::addRow("no thinking wanted, off")
            << QByteArray("{'thinking': false}") << false << qint64(-1) << false << none << noClient << true;

        QTest::addRow("tokens above") << QByteArray("{'tokens_over': 1000}") << false << qint64(1001) << false << none
                                      << noClient << true;
        QTest::addRow("tokens equal") << QByteArray("{'tokens_over': 1000}") << false << qint64(1000) << false << none
                                      << noClient << false;
        QTest::addRow("tokens below") << QByteArray("{'tokens_over': 1000}") << false << qint64(10) << false << none
                                      << noClient << false;
        QTest::addRow("tokens not counted")
            << QByteArray("{'tokens_over': 1000}") << false << qint64(-1) << false << none << noClient << false;
        QTest::addRow("tokens over zero, zero")
            << QByteArray("{'tokens_over': 0}") << false << qint64(0) << false << none << noClient << false;

        QTest::addRow("images wanted, present")
            << QByteArray("{'has_images': true}") << false << qint64(-1) << true << none << noClient << true;
        QTest::addRow("images wanted, absent")
            << QByteArray("{'has_images': true}") << false << qint64(-1) << false << none << noClient << false;
        QTest::addRow("no images wanted, present")
            << QByteArray("{'has_images': false}") << false << qint64(-1) << true << none << noClient << false;
        QTest::addRow("no images wanted, absent")
            << QByteArray("{'has_images': false}") << false << qint64(-1) << false << none << noClient << true;

        const QByteArray webSearch("{'tools_include': ['web_search']}");
        QTest::addRow("builtin type") << webSearch << false << qint64(-1) << false
                                      << QStringList {QStringLiteral("Bash"), QStringLiteral("web_search_20250305")}
                                      << noClient << true;
        QTest::addRow("builtin name") << webSearch << false << qint64(-1) << false
                                      << QStringList {QStringLiteral("web_search")} << noClient << true;
        QTest::addRow("other tools") << webSearch << false << qint64(-1) << false
                                     << QStringList {QStringLiteral("Bash"), QStringLiteral("WebSearch")} << noClient
                                     << false;
        QTest::addRow("longer name is not a version")
            << webSearch << false << qint64(-1) << false << QStringList {QStringLiteral("web_search_tool")} << noClient
            << false;
        QTest::addRow("no tools") << webSearch << false << qint64(-1) << false << none << noClient << false;
        QTest::addRow("tool name case") << QByteArray("{'tools_include': 'bash'}") << false << qint64(-1) << false
                                        << QStringList {QStringLiteral("Bash")} << noClient << true;
        QTest::addRow("any of several") << QByteArray("{'tools_include': ['Read', 'mcp__github__*']}") << false
                                        << qint64(-1) << false
                                        << QStringList {QStringLiteral("Bash"), QStringLiteral("mcp__github__create")}
                                        << noClient << true;
        QTest::addRow("full builtin type wanted")
            << QByteArray("{'tools_include': 'web_search_20250305'}") << false << qint64(-1) << false
            << QStringList {QStringLiteral("web_search"), QStringLiteral("web_search_20250305")} << noClient << true;

        QTest::addRow("client codex") << QByteArray("{'client': 'codex'}") << false << qint64(-1) << false << none
                                      << QStringLiteral("codex") << true;
        QTest::addRow("client other") << QByteArray("{'client': 'codex'}") << false << qint64(-1) << false << none
                                      << QStringLiteral("claude-code") << false;
        QTest::addRow("client unknown") << QByteArray("{'client': 'codex'}") << false << qint64(-1) << false << none
                                        << noClient << false;
        QTest::addRow("client key id in list") << QByteArray("{'client': ['claude-code', 'team-key']}") << false
                                               << qint64(-1) << false << none << QStringLiteral("team-key") << true;

        const QByteArray combo("{'thinking': true, 'tokens_over': 100, 'has_images': false, 'client': 'claude-code'}");
        const QString cc = QStringLiteral("claude-code");
        QTest::addRow("all hold") << combo << true << qint64(200) << false << none << cc << true;
        QTest::addRow("all but images") << combo << true << qint64(200) << true << none << cc << false;
        QTest::addRow("all but tokens") << combo << true << qint64(50) << false << none << cc << false;
        QTest::addRow("all but thinking") << combo << false << qint64(200) << false << none << cc << false;
        QTest::addRow("all but client") << combo << true << qint64(200) << false << none << QStringLiteral("codex")
                                        << false;
        QTest::addRow("thinking and tools")
            << QByteArray("{'thinking': true, 'tools_include': 'web_search'}") << true << qint64(-1) << false
            << QStringList {QStringLiteral("web_search_20250305")} << noClient << true;
        QTest::addRow("thinking and tools, no tools") << QByteArray("{'thinking': true, 'tools_include': 'web_search'}")
                                                      << true << qint64(-1) << false << none << noClient << false;
    }
    void conditions()
    {
        QFETCH(QByteArray, when);
        QFETCH(bool, thinking);
        QFETCH(qint64, tokens);
        QFETCH(bool, images);
        QFETCH(QStringList, tools);
        QFETCH(QString, client);
        QFETCH(bool, expected);
        const QByteArray routes = "[{'match': 'claude-*', 'when': " + when + ", 'to': ['openai/gpt-5']},"
            + " {'match': '*', 'to': ['deepseek/deepseek-chat']}]";
        MAKE_ROUTER(routes.constData());
        RouteQuery q = query(QStringLiteral("claude-sonnet-4-5"));
        q.thinking = thinking;
        q.inputTokens = tokens;
        q.hasImages = images;
        q.tools = tools;
        q.client = client;
        const auto d = router.resolve(q);
        QVERIFY(d.ok());
        QCOMPARE(d->ruleIndex, expected ? 0 : 1);
        QCOMPARE(d->chain.first().provider->id, expected ? QStringLiteral("openai") : QStringLiteral("deepseek"));
        if (!expected)
            QVERIFY2(d->trace.first().contains(QLatin1String(": when.")), qPrintable(d->trace.first()));
    }

    void needsTokenCount()
    {
        {
            MAKE_ROUTER("[{'match': '*', 'when': {'thinking': true}, 'to': ['openai/gpt-5']}]");
            QVERIFY(!router.needsTokenCount());
        }
        {
            MAKE_ROUTER("[{'match': 'x', 'to': ['openai/gpt-5']},"
                        " {'match': '*', 'when': {'tokens_over': 60000}, 'to': ['openai/gpt-5']}]");
            QVERIFY(router.needsTokenCount());
        }
    }

    void chainTargetsAndPriority()
    {
        MAKE_ROUTER("[{'match': '*', 'priority': 'keys-first',"
                    " 'to': ['openai/gpt-5', 'deepseek/deepseek-chat', 'anthropic/*']}]");
        const auto d = router.resolve(query(QStringLiteral("claude-opus-4-8")));
        QVERIFY(d.ok());
        QCOMPARE(d->priority, CredentialPriority::KeysFirst);
        QCOMPARE(d->chain.size(), 3);
        QCOMPARE(d->chain.at(0).provider->id, QStringLiteral("openai"));
        QCOMPARE(d->chain.at(0).upstreamModel, QStringLiteral("gpt-5"));
        QCOMPARE(d->chain.at(0).profile.maxOutputTokens, 128000); // from the config
        QCOMPARE(d->chain.at(1).provider->id, QStringLiteral("deepseek"));
        QCOMPARE(d->chain.at(1).profile.id, QStringLiteral("deepseek-chat"));
        QCOMPARE(d->chain.at(1).profile.reasoningStyle, QStringLiteral("deepseek")); // guessed from the base URL
        QCOMPARE(d->chain.at(2).provider->id, QStringLiteral("anthropic"));
        QCOMPARE(d->chain.at(2).upstreamModel, QStringLiteral("claude-opus-4-8"));
        QCOMPARE(d->first().upstreamModel, QStringLiteral("gpt-5"));
    }

    void missingProviderSkipsRule()
    {
        // parseConfig rejects unknown providers; a hand-built config may still name one.
        Config c;
        ProviderConfig p;
        p.id = QStringLiteral("real");
        c.providers.append(p);
        RouteRule ghost;
        ghost.match = QStringLiteral("*");
        ghost.targets.append(RouteTarget {QStringLiteral("ghost"), QStringLiteral("m")});
        RouteRule mixed;
        mixed.match = QStringLiteral("*");
        mixed.targets.append(RouteTarget {QStringLiteral("ghost"), QStringLiteral("m")});
        mixed.targets.append(RouteTarget {QStringLiteral("real"), QStringLiteral("*")});
        c.routes = {ghost, mixed};
        const Router router(&c);
        const auto d = router.resolve(query(QStringLiteral("x")));
        QVERIFY(d.ok());
        QCOMPARE(d->ruleIndex, 1);
        QCOMPARE(d->chain.size(), 1);
        QCOMPARE(d->chain.first().provider->id, QStringLiteral("real"));
        QCOMPARE(d->chain.first().upstreamModel, QStringLiteral("x"));
        QCOMPARE(d->trace.first(),
            QStringLiteral("routes[0] match \"*\": matched, but no target names a configured provider"));
    }

    void direct_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("via");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("upstream");
        QTest::addColumn<QString>("effort");
        const QString direct = QStringLiteral("direct");
        const QString rule = QStringLiteral("rule");
        QTest::addRow("slash") << QStringLiteral("openai/gpt-4o") << direct << QStringLiteral("openai")
                               << QStringLiteral("gpt-4o") << QString();
        QTest::addRow("comma") << QStringLiteral("deepseek,deepseek-reasoner") << direct << QStringLiteral("deepseek")
                               << QStringLiteral("deepseek-reasoner") << QString();
        QTest::addRow("slash keeps the rest")
            << QStringLiteral("openrouter/anthropic/claude-sonnet-4") << direct << QStringLiteral("openrouter")
            << QStringLiteral("anthropic/claude-sonnet-4") << QString();
        QTest::addRow("comma keeps the rest")
            << QStringLiteral("openrouter,anthropic/claude-sonnet-4") << direct << QStringLiteral("openrouter")
            << QStringLiteral("anthropic/claude-sonnet-4") << QString();
        QTest::addRow("provider case") << QStringLiteral("OpenAI/gpt-4o") << direct << QStringLiteral("openai")
                                       << QStringLiteral("gpt-4o") << QString();
        QTest::addRow("with suffix") << QStringLiteral("openai/gpt-5(high)") << direct << QStringLiteral("openai")
                                     << QStringLiteral("gpt-5") << QStringLiteral("high");
        QTest::addRow("direct beats a matching rule")
            << QStringLiteral("deepseek/deepseek-chat") << direct << QStringLiteral("deepseek")
            << QStringLiteral("deepseek-chat") << QString();
        QTest::addRow("unknown provider falls through")
            << QStringLiteral("vendor/custom-name") << rule << QStringLiteral("anthropic")
            << QStringLiteral("vendor/custom-name") << QString();
        QTest::addRow("unknown provider, comma")
            << QStringLiteral("vendor,custom") << rule << QStringLiteral("anthropic") << QStringLiteral("vendor,custom")
            << QString();
        QTest::addRow("empty model part") << QStringLiteral("openai/") << rule << QStringLiteral("anthropic")
                                          << QStringLiteral("openai/") << QString();
    }
    void direct()
    {
        QFETCH(QString, model);
        QFETCH(QString, via);
        QFETCH(QString, provider);
        QFETCH(QString, upstream);
        QFETCH(QString, effort);
        MAKE_ROUTER("[{'match': 'deepseek/*', 'to': ['openai/gpt-5']}, {'match': '*', 'to': ['anthropic/*']}]");
        const auto d = router.resolve(query(model));
        QVERIFY2(d.ok(), qPrintable(d.ok() ? QString() : d.error()));
        QCOMPARE(d->via, via);
        QCOMPARE(d->ruleIndex, via == QLatin1String("rule") ? 1 : -1);
        QCOMPARE(d->chain.size(), 1);
        QCOMPARE(d->chain.first().provider->id, provider);
        QCOMPARE(d->chain.first().upstreamModel, upstream);
        QCOMPARE(d->chain.first().effort, effort);
    }

    void directNeedsNoRule()
    {
        MAKE_ROUTER("[]");
        QVERIFY(router.resolve(query(QStringLiteral("openai/gpt-5"))).ok());
        const auto d = router.resolve(query(QStringLiteral("nobody/x")));
        QVERIFY(!d.ok());
        QVERIFY2(d.error().contains(QLatin1String("direct \"nobody/x\": no (no provider \"nobody\")")),
            qPrintable(d.error()));
    }

    void suffix_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("effort");
        QTest::addColumn<int>("budget");
        QTest::addRow("plain") << QStringLiteral("gpt-5") << QStringLiteral("gpt-5") << QString() << -1;
        for (const char* e : {"none", "minimal", "low", "medium", "high", "xhigh", "max"}) {
            QTest::addRow("effort %s", e) << QStringLiteral("gpt-5(") + QLatin1String(e) + QLatin1Char(')')
                                          << QStringLiteral("gpt-5") << QString::fromLatin1(e) << -1;
        }
        QTest::addRow("effort case") << QStringLiteral("gpt-5(HIGH)") << QStringLiteral("gpt-5")
                                     << QStringLiteral("high") << -1;
        QTest::addRow("space before") << QStringLiteral("gpt-5 (low)") << QStringLiteral("gpt-5")
                                      << QStringLiteral("low") << -1;
        QTest::addRow("budget") << QStringLiteral("claude-sonnet-4-5(16384)") << QStringLiteral("claude-sonnet-4-5")
                                << QString() << 16384;
        QTest::addRow("budget zero") << QStringLiteral("m(0)") << QStringLiteral("m") << QString() << 0;
        QTest::addRow("wildcard") << QStringLiteral("*(xhigh)") << QStringLiteral("*") << QStringLiteral("xhigh") << -1;
        QTest::addRow("slash name") << QStringLiteral("openai/gpt-5(high)") << QStringLiteral("openai/gpt-5")
                                    << QStringLiteral("high") << -1;
        // Not suffixes: left as part of the name.
        QTest::addRow("unknown word") << QStringLiteral("gpt-5(foo)") << QStringLiteral("gpt-5(foo)") << QString()
                                      << -1;
        QTest::addRow("empty") << QStringLiteral("gpt-5()") << QStringLiteral("gpt-5()") << QString() << -1;
        QTest::addRow("negative") << QStringLiteral("gpt-5(-1)") << QStringLiteral("gpt-5(-1)") << QString() << -1;
        QTest::addRow("overflow") << QStringLiteral("gpt-5(99999999999)") << QStringLiteral("gpt-5(99999999999)")
                                  << QString() << -1;
        QTest::addRow("no name") << QStringLiteral("(high)") << QStringLiteral("(high)") << QString() << -1;
        QTest::addRow("not at the end") << QStringLiteral("gpt(high)-5") << QStringLiteral("gpt(high)-5") << QString()
                                        << -1;
    }
    void suffix()
    {
        QFETCH(QString, input);
        QFETCH(QString, model);
        QFETCH(QString, effort);
        QFETCH(int, budget);
        const ModelSuffix s = splitModelSuffix(input);
        QCOMPARE(s.model, model);
        QCOMPARE(s.effort, effort);
        QCOMPARE(s.thinkingBudget, budget);
        QCOMPARE(s.hasSuffix(), !effort.isEmpty() || budget >= 0);
    }

    void suffixRouting_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("rule");
        QTest::addColumn<QString>("upstream");
        QTest::addColumn<QString>("effort");
        QTest::addColumn<int>("budget");
        QTest::addRow("client effort, exact rule")
            << QStringLiteral("gpt-5(high)") << 0 << QStringLiteral("gpt-5") << QStringLiteral("high") << -1;
        QTest::addRow("target effort") << QStringLiteral("reasoner") << 1 << QStringLiteral("o3")
                                       << QStringLiteral("high") << -1;
        QTest::addRow("target effort wins")
            << QStringLiteral("reasoner(low)") << 1 << QStringLiteral("o3") << QStringLiteral("high") << -1;
        QTest::addRow("target budget replaces client effort")
            << QStringLiteral("budget(high)") << 2 << QStringLiteral("claude-sonnet-4-5") << QString() << 8000;
        QTest::addRow("client budget, wildcard target")
            << QStringLiteral("claude-opus-4-8(16384)") << 4 << QStringLiteral("claude-opus-4-8") << QString() << 16384;
        QTest::addRow("wildcard target with effort")
            << QStringLiteral("gpt-4.1(low)") << 3 << QStringLiteral("gpt-4.1") << QStringLiteral("xhigh") << -1;
        QTest::addRow("alias with suffix")
            << QStringLiteral("sonnet(max)") << 4 << QStringLiteral("sonnet") << QStringLiteral("max") << -1;
        QTest::addRow("invalid suffix forwarded")
            << QStringLiteral("claude-opus-4-8(foo)") << 4 << QStringLiteral("claude-opus-4-8(foo)") << QString() << -1;
    }
    void suffixRouting()
    {
        QFETCH(QString, model);
        QFETCH(int, rule);
        QFETCH(QString, upstream);
        QFETCH(QString, effort);
        QFETCH(int, budget);
        MAKE_ROUTER("[{'match': 'gpt-5', 'to': ['openai/gpt-5']},"
                    " {'match': 'reasoner', 'to': ['openai/o3(high)']},"
                    " {'match': 'budget', 'to': ['anthropic/claude-sonnet-4-5(8000)']},"
                    " {'match': 'gpt-*', 'to': ['openai/*(xhigh)']},"
                    " {'match': '*', 'to': ['anthropic/*']}]");
        const auto d = router.resolve(query(model));
        QVERIFY2(d.ok(), qPrintable(d.ok() ? QString() : d.error()));
        QCOMPARE(d->ruleIndex, rule);
        QCOMPARE(d->chain.first().upstreamModel, upstream);
        QCOMPARE(d->chain.first().profile.id, upstream);
        QCOMPARE(d->chain.first().effort, effort);
        QCOMPARE(d->chain.first().thinkingBudget, budget);
        QCOMPARE(d->requestedModel, splitModelSuffix(model).model);
    }

    void subagent_data()
    {
        QTest::addColumn<QString>("tag");
        QTest::addColumn<QString>("via");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("upstream");
        QTest::addColumn<QString>("effort");
        QTest::addRow("comma") << QStringLiteral("deepseek,deepseek-reasoner") << QStringLiteral("subagent")
                               << QStringLiteral("deepseek") << QStringLiteral("deepseek-reasoner") << QString();
        QTest::addRow("slash") << QStringLiteral("openrouter/google/gemini-2.5-pro") << QStringLiteral("subagent")
                               << QStringLiteral("openrouter") << QStringLiteral("google/gemini-2.5-pro") << QString();
        QTest::addRow("suffix") << QStringLiteral("openai,o3(high)") << QStringLiteral("subagent")
                                << QStringLiteral("openai") << QStringLiteral("o3") << QStringLiteral("high");
        QTest::addRow("unknown provider")
            << QStringLiteral("nobody,x") << QStringLiteral("rule") << QStringLiteral("anthropic")
            << QStringLiteral("claude-sonnet-4-5") << QString();
        QTest::addRow("malformed") << QStringLiteral("justamodel") << QStringLiteral("rule")
                                   << QStringLiteral("anthropic") << QStringLiteral("claude-sonnet-4-5") << QString();
    }
    void subagent()
    {
        QFETCH(QString, tag);
        QFETCH(QString, via);
        QFETCH(QString, provider);
        QFETCH(QString, upstream);
        QFETCH(QString, effort);
        MAKE_ROUTER("[{'match': '*', 'to': ['anthropic/*']}]");
        RouteQuery q = query(QStringLiteral("claude-sonnet-4-5"));
        q.subagentModel = tag;
        const auto d = router.resolve(q);
        QVERIFY(d.ok());
        QCOMPARE(d->via, via);
        QCOMPARE(d->ruleIndex, via == QLatin1String("rule") ? 0 : -1);
        QCOMPARE(d->chain.first().provider->id, provider);
        QCOMPARE(d->chain.first().upstreamModel, upstream);
        QCOMPARE(d->chain.first().effort, effort);
        QVERIFY(d->trace.first().startsWith(QStringLiteral("subagent \"") + tag + QLatin1Char('"')));
    }

    void takeSubagent_data()
    {
        QTest::addColumn<QStringList>("system");
        QTest::addColumn<QStringList>("user");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QStringList>("systemAfter");
        QTest::addColumn<QStringList>("userAfter");
        const QString cc = QStringLiteral("You are Claude Code.");
        const QStringList task {QStringLiteral("Review the diff.")};
        QTest::addRow("system, leading") << QStringList {cc,
            tagged(QStringLiteral("deepseek,deepseek-chat")) + QStringLiteral("\n\nYou are a reviewer.")}
                                         << task << QStringLiteral("deepseek,deepseek-chat")
                                         << QStringList {cc, QStringLiteral("You are a reviewer.")} << task;
        QTest::addRow("system, middle") << QStringList {QStringLiteral("Intro.\n\n") + tagged(QStringLiteral("a,b"))
            + QStringLiteral("\n\nRest.")}
                                        << task << QStringLiteral("a,b")
                                        << QStringList {QStringLiteral("Intro.\n\nRest.")} << task;
        QTest::addRow("system, single newlines")
            << QStringList {QStringLiteral("Intro.\n") + tagged(QStringLiteral("a,b")) + QStringLiteral("\nRest.")}
            << task << QStringLiteral("a,b") << QStringList {QStringLiteral("Intro.\nRest.")} << task;
        QTest::addRow("system, inline") << QStringList {QStringLiteral("Use ") + tagged(QStringLiteral("a,b"))
            + QStringLiteral(" here.")} << task
                                        << QStringLiteral("a,b") << QStringList {QStringLiteral("Use here.")} << task;
        QTest::addRow("system, trailing")
            << QStringList {QStringLiteral("Rest.\n") + tagged(QStringLiteral("a,b")) + QStringLiteral("\n")} << task
            << QStringLiteral("a,b") << QStringList {QStringLiteral("Rest.")} << task;
        QTest::addRow("system, whole part dropped, content trimmed")
            << QStringList {cc, tagged(QStringLiteral(" a,b "))} << task << QStringLiteral("a,b") << QStringList {cc}
            << task;
        QTest::addRow("system wins over user")
            << QStringList {tagged(QStringLiteral("a,b")) + QStringLiteral("\nSys.")}
            << QStringList {tagged(QStringLiteral("c,d")) + QStringLiteral("\nTask.")} << QStringLiteral("a,b")
            << QStringList {QStringLiteral("Sys.")}
            << QStringList {tagged(QStringLiteral("c,d")) + QStringLiteral("\nTask.")};
        QTest::addRow("first user message")
            << QStringList {cc}
            << QStringList {tagged(QStringLiteral("openai,gpt-5")) + QStringLiteral("\nReview this."),
                   QStringLiteral("More.")}
            << QStringLiteral("openai,gpt-5") << QStringList {cc}
            << QStringList {QStringLiteral("Review this."), QStringLiteral("More.")};
        QTest::addRow("absent") << QStringList {cc} << task << QString() << QStringList {cc} << task;
        QTest::addRow("unclosed tag is left alone")
            << QStringList {QStringLiteral("<CCR-SUBAGENT-MODEL>a,b")} << task << QString()
            << QStringList {QStringLiteral("<CCR-SUBAGENT-MODEL>a,b")} << task;
    }
    void takeSubagent()
    {
        QFETCH(QStringList, system);
        QFETCH(QStringList, user);
        QFETCH(QString, expected);
        QFETCH(QStringList, systemAfter);
        QFETCH(QStringList, userAfter);
        canon::Request req;
        req.system = textParts(system);
        req.messages.append(canon::Message {canon::Role::User, textParts(user)});
        QCOMPARE(takeSubagentModel(req), expected);
        QCOMPARE(texts(req.system), systemAfter);
        QCOMPARE(texts(req.messages.first().parts), userAfter);
    }

    void takeSubagentOnlyFirstUserMessage()
    {
        canon::Request req;
        const QString later = tagged(QStringLiteral("a,b")) + QStringLiteral(" later");
        req.messages.append(canon::Message {canon::Role::User, {text(QStringLiteral("Hi."))}});
        req.messages.append(canon::Message {canon::Role::Assistant, {text(QStringLiteral("Hello."))}});
        req.messages.append(canon::Message {canon::Role::User, {text(later)}});
        QCOMPARE(takeSubagentModel(req), QString());
        QCOMPARE(req.messages.at(2).parts.first().text, later);
    }

    void detectClient_data()
    {
        QTest::addColumn<QByteArray>("userAgent");
        QTest::addColumn<QString>("client");
        QTest::addRow("claude code") << QByteArray("claude-cli/2.1.197 (external, sdk-cli)")
                                     << QStringLiteral("claude-code");
        QTest::addRow("claude code cli") << QByteArray("claude-cli/1.0.83 (external, cli)")
                                         << QStringLiteral("claude-code");
        QTest::addRow("codex exec") << QByteArray("codex_exec/0.169.0 (Debian 12; x86_64) xterm-256color")
                                    << QStringLiteral("codex");
        QTest::addRow("codex cli") << QByteArray("codex_cli_rs/0.46.0 (Mac OS 15.0; arm64) iTerm.app/3.5")
                                   << QStringLiteral("codex");
        QTest::addRow("codex other originator") << QByteArray("codex_vscode/0.50.0") << QStringLiteral("codex");
        QTest::addRow("gemini cli") << QByteArray("GeminiCLI/0.61.0 (linux; x64)") << QStringLiteral("gemini-cli");
        QTest::addRow("curl") << QByteArray("curl/8.5.0") << QString();
        QTest::addRow("empty") << QByteArray() << QString();
        QTest::addRow("sdk") << QByteArray("Anthropic/Python 0.40.0") << QString();
    }
    void detectClient()
    {
        QFETCH(QByteArray, userAgent);
        QFETCH(QString, client);
        QCOMPARE(sy::detectClient(userAgent), client);
    }

    void routeQueryFromRequest_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>("thinking");
        QTest::addRow("unset") << int(canon::Thinking::Mode::Unset) << false;
        QTest::addRow("disabled") << int(canon::Thinking::Mode::Disabled) << false;
        QTest::addRow("enabled") << int(canon::Thinking::Mode::Enabled) << true;
        QTest::addRow("adaptive") << int(canon::Thinking::Mode::Adaptive) << true;
    }
    void routeQueryFromRequest()
    {
        QFETCH(int, mode);
        QFETCH(bool, thinking);
        canon::Request req;
        req.model = QStringLiteral("claude-sonnet-4-5(high)");
        req.thinking.mode = canon::Thinking::Mode(mode);
        req.system = {text(QStringLiteral("You are a helpful assistant."))};
        req.messages.append(canon::Message {canon::Role::User, {text(QStringLiteral("Describe the screenshot."))}});
        canon::Tool bash;
        bash.name = QStringLiteral("Bash");
        canon::Tool search;
        search.name = QStringLiteral("web_search");
        search.builtinType = QStringLiteral("web_search_20250305");
        req.tools = {bash, search};

        RouteQuery q = routeQueryFor(req, QStringLiteral("claude-code"), false);
        QCOMPARE(q.model, req.model);
        QCOMPARE(q.client, QStringLiteral("claude-code"));
        QCOMPARE(q.thinking, thinking);
        QCOMPARE(q.inputTokens, qint64(-1));
        QVERIFY(!q.hasImages);
        QCOMPARE(q.tools,
            (QStringList {
                QStringLiteral("Bash"), QStringLiteral("web_search"), QStringLiteral("web_search_20250305")}));
        QVERIFY(q.subagentModel.isEmpty());

        // An image inside a tool result counts.
        canon::Part image;
        image.kind = canon::PartKind::Image;
        image.mediaType = QStringLiteral("image/png");
        image.data = QStringLiteral("iVBORw0KGgo=");
        canon::Part result;
        result.kind = canon::PartKind::ToolResult;
        result.toolCallId = QStringLiteral("toolu_1");
        result.content = {text(QStringLiteral("screenshot:")), image};
        req.messages.append(canon::Message {canon::Role::User, {result}});
        q = routeQueryFor(req, QString(), true);
        QVERIFY(q.hasImages);
        QVERIFY(q.inputTokens > 0);
    }

    void routeQueryDirectImage()
    {
        canon::Request req;
        canon::Part image;
        image.kind = canon::PartKind::Image;
        image.url = QStringLiteral("https://example.com/a.png");
        req.messages.append(canon::Message {canon::Role::User, {text(QStringLiteral("What is this?")), image}});
        QVERIFY(routeQueryFor(req, QString(), false).hasImages);
    }

    void traceOfFailedLookup()
    {
        MAKE_ROUTER("[{'match': 'claude-haiku-*', 'to': ['deepseek/deepseek-chat']},"
                    " {'match': '*', 'when': {'thinking': true}, 'to': ['openai/o3']},"
                    " {'match': '*', 'when': {'tokens_over': 5000}, 'to': ['openai/gpt-5']},"
                    " {'match': 'claude-*', 'when': {'has_images': true}, 'to': ['openai/gpt-5']},"
                    " {'match': '*', 'when': {'tools_include': 'web_search'}, 'to': ['openai/gpt-5']},"
                    " {'match': '*', 'when': {'client': 'codex'}, 'to': ['openai/gpt-5']}]");
        RouteQuery q = query(QStringLiteral("claude-opus-4-8"));
        q.client = QStringLiteral("claude-code");
        const auto d = router.resolve(q);
        QVERIFY(!d.ok());
        const QStringList expected {
            QStringLiteral("routes[0] match \"claude-haiku-*\": no (model)"),
            QStringLiteral("routes[1] match \"*\": when.thinking: no"),
            QStringLiteral("routes[2] match \"*\": when.tokens_over 5000: no (tokens not counted)"),
            QStringLiteral("routes[3] match \"claude-*\": when.has_images: no"),
            QStringLiteral("routes[4] match \"*\": when.tools_include: no"),
            QStringLiteral("routes[5] match \"*\": when.client: no (client \"claude-code\")"),
        };
        QVERIFY2(
            d.error().startsWith(QLatin1String("no route matches model \"claude-opus-4-8\"")), qPrintable(d.error()));
        for (const QString& line : expected)
            QVERIFY2(d.error().contains(line), qPrintable(line));

        // The same steps are in the trace of a lookup that succeeds at the last rule.
        q.client = QStringLiteral("codex");
        q.inputTokens = 1200;
        const auto ok = router.resolve(q);
        QVERIFY(ok.ok());
        QCOMPARE(ok->ruleIndex, 5);
        QStringList trace = expected.mid(0, 5);
        trace[2] = QStringLiteral("routes[2] match \"*\": when.tokens_over 5000: no (1200 tokens)");
        trace.append(QStringLiteral("routes[5] match \"*\": matched"));
        QCOMPARE(ok->trace, trace);
    }

    void noRoutes()
    {
        MAKE_ROUTER("[]");
        const auto d = router.resolve(query(QStringLiteral("claude-opus-4-8")));
        QVERIFY(!d.ok());
        QVERIFY2(d.error().contains(QLatin1String("no routes are configured")), qPrintable(d.error()));
        QVERIFY(!router.matches(QStringLiteral("claude-opus-4-8")));
    }

    void compatibilityWithModelOnly()
    {
        MAKE_ROUTER("[{'match': 'claude-haiku-*', 'to': ['deepseek/deepseek-chat']},"
                    " {'match': '*', 'when': {'thinking': true}, 'to': ['openai/o3']}]");
        QVERIFY(router.matches(QStringLiteral("claude-haiku-4-5")));
        QVERIFY(!router.matches(QStringLiteral("claude-opus-4-8"))); // only a thinking rule would take it
        const auto d = router.resolve(QStringLiteral("claude-haiku-4-5"));
        QVERIFY(d.ok());
        QCOMPARE(d->first().provider->id, QStringLiteral("deepseek"));
        QCOMPARE(d->first().upstreamModel, QStringLiteral("deepseek-chat"));
    }
};

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"
