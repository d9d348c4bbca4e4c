#include "clicommands.h"

#include "cliprint.h"
#include "config/config.h"
#include "routing/router.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

namespace sy {

namespace {

using cli::err;
using cli::out;

QString targetText(const RouteTarget& t)
{
    return t.providerId + QLatin1Char('/') + t.model;
}

} // namespace

int runCliCommand(const QStringList& arguments)
{
    if (arguments.size() < 3)
        return -1;
    const QString group = arguments.at(1);
    const QString command = arguments.at(2);
    if (!((group == QLatin1String("config") && command == QLatin1String("check"))
            || (group == QLatin1String("route")
                && (command == QLatin1String("list") || command == QLatin1String("resolve")))))
        return -1;

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("switchyard %1 %2").arg(group, command));
    parser.addHelpOption();
    const QCommandLineOption configOption(
        QStringLiteral("config"), QStringLiteral("Config file (default: the user's)."), QStringLiteral("path"));
    const QCommandLineOption modelOption(
        QStringLiteral("model"), QStringLiteral("Model name the client sends."), QStringLiteral("name"));
    const QCommandLineOption thinkingOption(QStringLiteral("thinking"), QStringLiteral("The request has thinking on."));
    const QCommandLineOption tokensOption(
        QStringLiteral("tokens"), QStringLiteral("Input tokens of the request."), QStringLiteral("n"));
    const QCommandLineOption imagesOption(QStringLiteral("images"), QStringLiteral("The request carries images."));
    const QCommandLineOption toolOption(
        QStringLiteral("tool"), QStringLiteral("A tool the request offers (repeatable)."), QStringLiteral("name"));
    const QCommandLineOption clientOption(
        QStringLiteral("client"), QStringLiteral("claude-code, codex, gemini-cli or a key id."), QStringLiteral("id"));
    parser.addOptions(
        {configOption, modelOption, thinkingOption, tokensOption, imagesOption, toolOption, clientOption});
    QStringList rest = arguments;
    rest.removeAt(1);
    rest.removeAt(1);
    if (!parser.parse(rest)) {
        err(parser.errorText());
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    QString path = parser.value(configOption);
    if (group == QLatin1String("config") && !parser.positionalArguments().isEmpty())
        path = parser.positionalArguments().first();
    if (path.isEmpty())
        path = defaultConfigPath();

    const Result<Config> config = loadConfigFile(path, processEnvironment());
    if (!config.ok()) {
        err(config.error());
        return 2;
    }
    if (group == QLatin1String("config")) {
        out(QStringLiteral("%1: OK (%2 provider(s), %3 route(s))")
                .arg(path)
                .arg(config->providers.size())
                .arg(config->routes.size()));
        return 0;
    }
    if (command == QLatin1String("list")) {
        for (int i = 0; i < config->routes.size(); ++i) {
            const RouteRule& r = config->routes.at(i);
            QStringList targets;
            for (const RouteTarget& t : r.targets)
                targets.append(targetText(t));
            QStringList when;
            if (r.when.thinking)
                when.append(QStringLiteral("thinking=%1")
                                .arg(*r.when.thinking ? QStringLiteral("true") : QStringLiteral("false")));
            if (r.when.tokensOver >= 0)
                when.append(QStringLiteral("tokens_over=%1").arg(r.when.tokensOver));
            if (r.when.hasImages)
                when.append(QStringLiteral("has_images=%1")
                                .arg(*r.when.hasImages ? QStringLiteral("true") : QStringLiteral("false")));
            if (!r.when.toolsInclude.isEmpty())
                when.append(QStringLiteral("tools_include=") + r.when.toolsInclude.join(QLatin1Char(',')));
            if (!r.when.clients.isEmpty())
                when.append(QStringLiteral("client=") + r.when.clients.join(QLatin1Char(',')));
            out(QStringLiteral("%1. %2%3 -> %4")
                    .arg(i + 1)
                    .arg(r.match,
                        when.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(when.join(QStringLiteral(", "))),
                        targets.join(QStringLiteral(" -> "))));
        }
        return 0;
    }
    if (!parser.isSet(modelOption)) {
        err(QStringLiteral("route resolve needs --model"));
        return 2;
    }
    Router router(&*config);
    RouteQuery query;
    query.model = parser.value(modelOption);
    query.thinking = parser.isSet(thinkingOption);
    query.inputTokens = parser.isSet(tokensOption) ? parser.value(tokensOption).toLongLong() : -1;
    query.hasImages = parser.isSet(imagesOption);
    query.tools = parser.values(toolOption);
    query.client = parser.value(clientOption);
    const Result<RouteDecision> decision = router.resolve(query);
    for (const QString& line : decision.ok() ? decision->trace : QStringList())
        out(QStringLiteral("  ") + line);
    if (!decision.ok()) {
        err(decision.error());
        return 1;
    }
    out(QStringLiteral("%1 -> via %2").arg(query.model, decision->via));
    int n = 1;
    for (const ResolvedTarget& t : decision->chain) {
        QString extra;
        if (!t.effort.isEmpty())
            extra = QStringLiteral(" (effort %1)").arg(t.effort);
        else if (t.thinkingBudget >= 0)
            extra = QStringLiteral(" (thinking budget %1)").arg(t.thinkingBudget);
        if (t.profile.contextWindow > 0)
            extra += QStringLiteral(" [context %1]").arg(t.profile.contextWindow);
        out(QStringLiteral("  %1. %2/%3%4").arg(n++).arg(t.provider->id, t.upstreamModel, extra));
    }
    return 0;
}

} // namespace sy
