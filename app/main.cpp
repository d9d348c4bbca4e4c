// Switchyard: thin entry point. Everything that matters lives in core/ (and ui/ for the tray).

#include "accountcommands.h"
#include "clicommands.h"
#include "usagecommand.h"
#include "commandline.h"
#include "unixsignals.h"

#include "common/redact.h"
#include "config/config.h"
#include "config/configwatcher.h"
#include "gateway/gatewayservice.h"
#include "usage/usagelog.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>

#ifdef SWITCHYARD_WITH_UI
#include "singleinstance.h"
#include "tray/traycontroller.h"
#include "tray/uilanguage.h"
#include <QApplication>
#endif

#include <cstdio>
#include <memory>

namespace {

void printError(const QString& message)
{
    std::fprintf(stderr, "switchyard: %s\n", qPrintable(message));
}

bool writePortFile(const QString& path, quint16 port)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(QByteArray::number(port));
    return f.commit();
}

} // namespace

int main(int argc, char** argv)
{
    sy::installLogRedaction(); // no log line shows a key or token, whatever prints it
    if (argc >= 3 && (qstrcmp(argv[1], "config") == 0 || qstrcmp(argv[1], "route") == 0)) {
        QCoreApplication cli(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("switchyard"));
        const int rc = sy::runCliCommand(QCoreApplication::arguments());
        if (rc >= 0)
            return rc;
    }
    if (argc >= 2 && qstrcmp(argv[1], "account") == 0) {
        QCoreApplication cli(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("switchyard"));
        return sy::runAccountCommand(QCoreApplication::arguments());
    }
    if (argc >= 2 && qstrcmp(argv[1], "usage") == 0) {
        QCoreApplication cli(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("switchyard"));
        return sy::runUsageCommand(QCoreApplication::arguments());
    }
    if (argc >= 2 && qstrcmp(argv[1], "secret") == 0) {
        QCoreApplication cli(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("switchyard"));
        return sy::runSecretCommand(QCoreApplication::arguments());
    }
    const bool headless = sy::wantsHeadless(argc, argv);
    std::unique_ptr<QCoreApplication> app;
#ifdef SWITCHYARD_WITH_UI
    if (headless)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
#else
    app = std::make_unique<QCoreApplication>(argc, argv);
#endif
    QCoreApplication::setApplicationName(QStringLiteral("switchyard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHYARD_VERSION));

    const sy::CommandLineOptions options = sy::parseCommandLine(QCoreApplication::arguments());
    if (!options.error.isEmpty()) {
        printError(options.error + QStringLiteral(" (see --help)"));
        return 2;
    }
#ifndef SWITCHYARD_WITH_UI
    if (!headless) {
        printError(QStringLiteral("this build has no tray UI; run with --headless"));
        return 2;
    }
#endif

#ifdef SWITCHYARD_WITH_UI
    // One tray app per user: a second launch asks the first to show itself and exits.
    sy::SingleInstance instance;
    if (!headless && !instance.tryBecomePrimary()) {
        if (instance.sendRaise())
            return 0;
        printError(
            QStringLiteral("another instance is running but does not answer (lock: %1)").arg(instance.lockPath()));
        return 1;
    }
#endif

    const QString configPath = options.configPath.isEmpty() ? sy::defaultConfigPath() : options.configPath;
    auto config = sy::loadOrCreateConfig(configPath, options.configPath.isEmpty(), sy::processEnvironment());
    if (!config.ok()) {
        printError(config.error());
        return 2;
    }

#ifdef SWITCHYARD_WITH_UI
    if (!headless) // the config's "ui.language", else the system's
        sy::installUiTranslators(config->uiLanguage);
#endif

    sy::GatewayService service;
    service.setConfig(*config);
    if (options.hasListen)
        service.setListenOverride(options.listenAddress, options.listenPort);

    // Edits to the config file apply without a restart; in-flight requests finish on the config they started with.
    sy::ConfigWatcher watcher(configPath, sy::processEnvironment());
    QObject::connect(&watcher, &sy::ConfigWatcher::configChanged, &service, &sy::GatewayService::setConfig);
    QObject::connect(&watcher, &sy::ConfigWatcher::reloadFailed, &service, &sy::GatewayService::errorOccurred);

    sy::UnixSignals signals;
    QObject::connect(&signals, &sy::UnixSignals::terminationRequested, app.get(), [&service](int) {
        service.stop();
        QCoreApplication::quit();
    });

    // Every finished request goes to the usage log (SQLite in the user data dir, or SWITCHYARD_USAGE_DB).
    {
        const QString usagePath
            = sy::processEnvironment().value(QStringLiteral("SWITCHYARD_USAGE_DB"), sy::defaultUsageDbPath());
        QString usageError;
        if (!service.openUsageLog(usagePath, &usageError))
            printError(QStringLiteral("warning: usage is not logged: ") + usageError);
    }

    // Secrets and OAuth accounts: the keychain (or the 0600 file fallback, with a warning), loaded asynchronously;
    // until they arrive, account pools are empty and "keychain:" keys are missing.
    QObject::connect(&service, &sy::GatewayService::warningRaised, &service,
        [](const QString& message) { printError(QStringLiteral("warning: ") + message); });
    service.openStorage(sy::GatewayService::defaultStorage(), [](const QString&, const QString& error) {
        if (!error.isEmpty())
            printError(error);
    });

    QString error;
    if (!service.start(&error)) {
        if (headless) {
            printError(error);
            return 3;
        }
    }
    if (service.isRunning() && !options.portFile.isEmpty() && !writePortFile(options.portFile, service.port())) {
        printError(QStringLiteral("cannot write the port file %1").arg(options.portFile));
        return 2;
    }

#ifdef SWITCHYARD_WITH_UI
    std::unique_ptr<sy::TrayController> tray;
    if (!headless) {
        QApplication::setQuitOnLastWindowClosed(false);
        tray = std::make_unique<sy::TrayController>(&service, configPath);
        tray->show(options.windowed);
        QObject::connect(&watcher, &sy::ConfigWatcher::configChanged, tray.get(), &sy::TrayController::clearError);
        if (!error.isEmpty())
            tray->showError(error);
        if (options.dashboard)
            tray->showDashboard();
        QObject::connect(
            &instance, &sy::SingleInstance::raiseRequested, tray.get(), &sy::TrayController::showDashboard);
    }
#endif
    return app->exec();
}
