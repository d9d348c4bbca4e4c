#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace sy {

struct CommandLineOptions
{
    bool headless = false;
    QString configPath; // empty: the user's config dir
    bool hasListen = false;
    QHostAddress listenAddress;
    quint16 listenPort = 0;
    QString portFile;
    bool dashboard = false; // open the usage dashboard at start (tray UI only)
    bool windowed = false; // a status window instead of the tray icon (also used when there is no system tray)
    QString error; // non-empty: bad command line
    bool helpShown = false;
};

// Parses the switchyard command line (after a Q(Core)Application exists).
CommandLineOptions parseCommandLine(const QStringList& arguments);
// True when argv asks for --headless (decides which application class to create, before parsing).
bool wantsHeadless(int argc, char** argv);

} // namespace sy
