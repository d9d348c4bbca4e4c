#include "accountcommands.h"

#include "cliprint.h"
#include "accounts/accountimport.h"
#include "accounts/accountmanager.h"
#include "common/clock.h"
#include "config/config.h"
#include "gateway/gatewayservice.h"
#include "oauth/oauthlogin.h"
#include "secrets/secretstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QSocketNotifier>

#include <cstdio>
#include <unistd.h>

namespace sy {

namespace {

using cli::err;
using cli::out;

QString when(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                  : QStringLiteral("-");
}

void printAccount(const Account& a)
{
    out(QStringLiteral("%1  %2  %3  %4%5  expires %6%7")
            .arg(a.id, -18)
            .arg(a.type, -14)
            .arg(a.label.isEmpty() ? a.email : a.label, -28)
            .arg(accountStateName(a.state))
            .arg(a.plan.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(a.plan))
            .arg(when(a.expiresAtMs))
            .arg(a.lastError.isEmpty() ? QString() : QStringLiteral("\n    ") + a.lastError));
}

void printRouteHint(const OAuthProviderSpec& spec, const Account& a)
{
    out(QStringLiteral("Account %1 (%2) is ready: requests routed to provider \"%3\" use it, e.g. a route target "
                       "\"%3/<model>\" or the model name \"%3/<model>\".")
            .arg(a.label, a.id, spec.upstreamProviderId));
}

} // namespace

int runAccountCommand(const QStringList& arguments)
{
    if (arguments.size() < 2 || arguments.at(1) != QLatin1String("account"))
        return -1;
    const QString command = arguments.size() > 2 ? arguments.at(2) : QString();
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "switchyard account list [--json]\n"
        "switchyard account login chatgpt|claude|google [--device] [--no-browser] [--label TEXT]\n"
        "switchyard account logout ID\n"
        "switchyard account import codex|claude|gemini [--from PATH]\n\n"
        "OAuth tokens go to the system keychain (or, when no keyring answers, a 0600 file with a warning)."));
    parser.addHelpOption();
    const QCommandLineOption configOption(
        QStringLiteral("config"), QStringLiteral("Config file (default: the user's)."), QStringLiteral("path"));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Machine-readable output."));
    const QCommandLineOption deviceOption(
        QStringLiteral("device"), QStringLiteral("Log in with a device code (for machines without a browser)."));
    const QCommandLineOption noBrowserOption(QStringLiteral("no-browser"),
        QStringLiteral("Do not open a browser or listen locally: print the URL and read the redirect URL or code "
                       "from standard input."));
    const QCommandLineOption labelOption(
        QStringLiteral("label"), QStringLiteral("A name for the account."), QStringLiteral("text"));
    const QCommandLineOption fromOption(QStringLiteral("from"),
        QStringLiteral("Credential file to import (default: the tool's own)."), QStringLiteral("path"));
    parser.addOptions({configOption, jsonOption, deviceOption, noBrowserOption, labelOption, fromOption});
    QStringList rest = arguments;
    rest.removeAt(1);
    if (command.isEmpty() || command.startsWith(QLatin1Char('-'))) {
        out(parser.helpText());
        return command.isEmpty() ? 2 : 0;
    }
    rest.removeAt(1);
    if (!parser.parse(rest)) {
        err(parser.errorText());
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    const QStringList args = parser.positionalArguments();
    if (command != QLatin1String("list") && command != QLatin1String("login") && command != QLatin1String("logout")
        && command != QLatin1String("import")) {
        err(QStringLiteral("unknown account command \"%1\" (list, login, logout, import)").arg(command));
        return 2;
    }
    if (command != QLatin1String("list") && args.isEmpty()) {
        err(QStringLiteral("account %1 needs an argument (see --help)").arg(command));
        return 2;
    }

    // Quiet logs: the command prints what matters.
    QLoggingCategory::setFilterRules(QStringLiteral("switchyard.*.info=false\nswitchyard.secrets.warning=false"));
    GatewayService service;
    // The config's "oauth" overrides apply to logins; a missing or broken config only loses those.
    const QString configPath = parser.isSet(configOption) ? parser.value(configOption) : defaultConfigPath();
    if (QFileInfo::exists(configPath)) {
        const Result<Config> config = loadConfigFile(configPath, processEnvironment());
        if (config)
            service.setConfig(config.value());
        else
            err(config.error());
    }

    int exitCode = 0;
    std::unique_ptr<OAuthLogin> login;
    std::unique_ptr<QSocketNotifier> stdinNotifier;
    const auto finish = [&exitCode](int code) {
        exitCode = code;
        // Queued: the storage may answer before the event loop runs, and exit() before exec() is lost.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [code]() { QCoreApplication::exit(code); }, Qt::QueuedConnection);
    };

    service.openStorage(GatewayService::defaultStorage(), [&](const QString& warning, const QString& error) {
        if (!warning.isEmpty())
            err(QStringLiteral("warning: ") + warning);
        if (!error.isEmpty())
            err(error);
        AccountManager* accounts = service.accounts();
        if (command == QLatin1String("list")) {
            if (parser.isSet(jsonOption)) {
                out(QString::fromUtf8(QJsonDocument(accounts->status()).toJson(QJsonDocument::Indented)));
            } else if (accounts->accounts().isEmpty()) {
                out(QStringLiteral("No accounts. Add one with: switchyard account login chatgpt|claude|google"));
            } else {
                for (const Account& a : accounts->accounts())
                    printAccount(a);
            }
            return finish(0);
        }
        if (command == QLatin1String("logout")) {
            accounts->removeAccount(args.first(), [&finish, id = args.first()](bool ok, const QString& e) {
                if (!ok) {
                    err(e);
                    return finish(1);
                }
                out(QStringLiteral("Removed account %1 and its tokens.").arg(id));
                finish(0);
            });
            return;
        }
        const auto added = [&, accounts](bool ok, const Account& a, const QString& e) {
            if (!ok) {
                err(e);
                return finish(1);
            }
            if (parser.isSet(labelOption))
                accounts->setLabel(a.id, parser.value(labelOption));
            const Account* stored = accounts->account(a.id);
            if (const OAuthProviderSpec* spec = accounts->spec(a.provider))
                printRouteHint(*spec, stored ? *stored : a);
            if (!a.lastError.isEmpty())
                err(QStringLiteral("warning: ") + a.lastError);
            finish(0);
        };
        if (command == QLatin1String("import")) {
            const QString which = args.first();
            const QString path
                = parser.isSet(fromOption) ? parser.value(fromOption) : defaultImportPath(which, processEnvironment());
            const Result<ImportedLogin> imported = readImportFile(which, path);
            if (!imported) {
                err(imported.error());
                return finish(1);
            }
            if (const OAuthProviderSpec* spec = accounts->spec(imported->providerId))
                out(QStringLiteral("Note: ") + spec->terms);
            if (which == QLatin1String("codex") || which == QLatin1String("claude"))
                out(QStringLiteral("Note: Switchyard keeps its own copy of this login and never writes %1. When it "
                                   "refreshes the token, the provider may retire the refresh token the other tool "
                                   "holds, and that tool may ask you to log in again.")
                        .arg(path));
            accounts->addAccount(imported->providerId, imported->tokens, imported->source, added);
            return;
        }
        // login
        const OAuthProviderSpec* spec = accounts->spec(args.first());
        if (!spec) {
            err(QStringLiteral("unknown login provider \"%1\" (chatgpt, claude or google)").arg(args.first()));
            return finish(2);
        }
        out(QStringLiteral("Note: ") + spec->terms);
        login = std::make_unique<OAuthLogin>(*spec, &systemClock());
        const OAuthLogin::Mode mode = parser.isSet(deviceOption) ? OAuthLogin::Mode::Device
            : parser.isSet(noBrowserOption)                      ? OAuthLogin::Mode::Paste
                                                                 : OAuthLogin::Mode::Loopback;
        QObject::connect(
            login.get(), &OAuthLogin::authorizationUrlReady, login.get(), [&, spec, mode](const QUrl& url) {
                out(QStringLiteral("Open this address to log in to %1:\n\n  %2\n")
                        .arg(spec->displayName, url.toString(QUrl::FullyEncoded)));
                if (mode == OAuthLogin::Mode::Loopback) {
                    if (!QProcess::startDetached(QStringLiteral("xdg-open"), {url.toString(QUrl::FullyEncoded)}))
                        out(QStringLiteral("(no browser could be started; open the address yourself)"));
                    out(QStringLiteral("Waiting for the browser to come back to %1 ...").arg(login->redirectUri()));
                    return;
                }
                out(QStringLiteral("After logging in, paste the address of the page you land on (or the code it shows) "
                                   "and press Enter:"));
                stdinNotifier = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
                QObject::connect(stdinNotifier.get(), &QSocketNotifier::activated, login.get(), [&]() {
                    char buffer[8192];
                    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer - 1);
                    if (n <= 0) {
                        stdinNotifier->setEnabled(false);
                        err(QStringLiteral("no redirect address given"));
                        return finish(1);
                    }
                    stdinNotifier->setEnabled(false);
                    login->submitRedirect(QString::fromUtf8(buffer, int(n)));
                });
            });
        QObject::connect(login.get(), &OAuthLogin::deviceCodeReady, login.get(),
            [&](const QString& code, const QUrl& url, const QUrl& complete) {
                out(QStringLiteral("On any device, open %1 and enter the code:\n\n  %2\n")
                        .arg((complete.isEmpty() ? url : complete).toString(), code));
                out(QStringLiteral("Waiting for approval ..."));
            });
        QObject::connect(
            login.get(), &OAuthLogin::succeeded, login.get(), [accounts, spec, added](const TokenSet& tokens) {
                accounts->addAccount(spec->id, tokens, QStringLiteral("login"), added);
            });
        QObject::connect(login.get(), &OAuthLogin::failed, login.get(), [&](const OAuthError& e) {
            err(QStringLiteral("login failed: ") + e.message);
            finish(1);
        });
        login->start(mode);
    });
    QCoreApplication::exec();
    return exitCode;
}

int runSecretCommand(const QStringList& arguments)
{
    if (arguments.size() < 2 || arguments.at(1) != QLatin1String("secret"))
        return -1;
    const QString command = arguments.value(2);
    const QString id = arguments.value(3);
    static const QRegularExpression idPattern(QStringLiteral("^[A-Za-z0-9_.@-]+$"));
    if ((command != QLatin1String("set") && command != QLatin1String("remove")) || !idPattern.match(id).hasMatch()) {
        out(QStringLiteral(
            "switchyard secret set ID      store an API key read from standard input\n"
            "switchyard secret remove ID   delete it\n\n"
            "Use it in the config as \"api_key\": \"keychain:ID\". The key goes to the system keychain (or "
            "the 0600 file fallback), never into the config file."));
        return command == QLatin1String("--help") ? 0 : 2;
    }
    QByteArray value;
    if (command == QLatin1String("set")) {
        if (::isatty(STDIN_FILENO))
            std::fputs("API key (input is not echoed if your terminal hides it): ", stderr);
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            err(QStringLiteral("cannot read standard input"));
            return 2;
        }
        value = in.readLine().trimmed();
        if (value.isEmpty()) {
            err(QStringLiteral("no key given on standard input"));
            return 2;
        }
    }
    QLoggingCategory::setFilterRules(QStringLiteral("switchyard.*.info=false\nswitchyard.secrets.warning=false"));
    GatewayService service;
    int exitCode = 0;
    const auto finish = [&exitCode](int code) {
        exitCode = code;
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [code]() { QCoreApplication::exit(code); }, Qt::QueuedConnection);
    };
    service.openStorage(GatewayService::defaultStorage(), [&](const QString& warning, const QString&) {
        if (!warning.isEmpty())
            err(QStringLiteral("warning: ") + warning);
        SecretStore* store = service.secretStore();
        const QString key = QStringLiteral("apikey:") + id;
        const auto done = [&, command](const SecretResult& r) {
            if (!r.ok()) {
                err(r.message);
                return finish(1);
            }
            out(command == QLatin1String("set")
                    ? QStringLiteral("Stored. Use it in the config as \"api_key\": \"keychain:%1\".").arg(id)
                    : QStringLiteral("Removed keychain:%1.").arg(id));
            finish(0);
        };
        if (command == QLatin1String("set"))
            store->write(key, value, done);
        else
            store->remove(key, done);
    });
    QCoreApplication::exec();
    return exitCode;
}

} // namespace sy
