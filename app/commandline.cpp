#include "commandline.h"

#include "config/config.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstring>

namespace sy {

bool wantsHeadless(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--headless") == 0)
            return true;
    }
    return false;
}

CommandLineOptions parseCommandLine(const QStringList& arguments)
{
    CommandLineOptions o;
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Switchyard: a local gateway that lets AI coding CLIs use any model provider."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(
        QStringLiteral("headless"), QCoreApplication::translate("main", "Run the gateway without any user interface."));
    const QCommandLineOption config(QStringLiteral("config"),
        QCoreApplication::translate("main", "Read the config from <path> instead of the user's config dir."),
        QStringLiteral("path"));
    const QCommandLineOption listen(QStringLiteral("listen"),
        QCoreApplication::translate("main", "Listen on <host:port> (overrides the config; port 0 picks a free port)."),
        QStringLiteral("host:port"));
    const QCommandLineOption portFile(QStringLiteral("port-file"),
        QCoreApplication::translate("main", "Write the bound port number to <path> once listening."),
        QStringLiteral("path"));
    const QCommandLineOption dashboard(
        QStringLiteral("dashboard"), QCoreApplication::translate("main", "Open the usage dashboard window at start."));
    const QCommandLineOption windowed(QStringLiteral("windowed"),
        QCoreApplication::translate("main", "Show a status window instead of the tray icon."));
    parser.addOptions({headless, config, listen, portFile, dashboard, windowed});
    if (!parser.parse(arguments)) {
        o.error = parser.errorText();
        return o;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("version"))) {
        o.helpShown = true;
        if (parser.isSet(QStringLiteral("help")))
            parser.showHelp(0);
        parser.showVersion();
    }
    if (!parser.positionalArguments().isEmpty()) {
        o.error = QStringLiteral("unexpected argument: %1").arg(parser.positionalArguments().first());
        return o;
    }
    o.headless = parser.isSet(headless);
    o.configPath = parser.value(config);
    o.portFile = parser.value(portFile);
    o.dashboard = parser.isSet(dashboard);
    o.windowed = parser.isSet(windowed);
    if (o.dashboard && o.headless) {
        o.error = QStringLiteral("--dashboard needs the user interface; it cannot be combined with --headless");
        return o;
    }
    if (o.windowed && o.headless) {
        o.error = QStringLiteral("--windowed needs the user interface; it cannot be combined with --headless");
        return o;
    }
    if (parser.isSet(listen)) {
        QString err;
        if (!parseListen(parser.value(listen), &o.listenAddress, &o.listenPort, &err)) {
            o.error = QStringLiteral("--listen: ") + err;
            return o;
        }
        o.hasListen = true;
    }
    return o;
}

} // namespace sy
