#pragma once

#include <QString>

namespace sy {

// Launch at login through an XDG autostart entry: $XDG_CONFIG_HOME/autostart/switchyard.desktop (~/.config when
// XDG_CONFIG_HOME is unset or not absolute).
class Autostart
{
public:
    // The entry's path.
    static QString entryPath();
    // True when the entry exists and is not disabled (Hidden=true or X-GNOME-Autostart-enabled=false).
    static bool isEnabled();
    // Writes (atomically) or removes the entry. `executablePath` is the program to start (the AppImage when
    // $APPIMAGE is set and `executablePath` is empty; else QCoreApplication::applicationFilePath()).
    static bool setEnabled(bool enabled, const QString& executablePath = QString(), QString* error = nullptr);
    // The entry's text for `executablePath`.
    static QByteArray desktopEntry(const QString& executablePath);
    // `path` quoted for a desktop entry's Exec key (Desktop Entry Specification, "The Exec key").
    static QString quoteExecArgument(const QString& path);
};

} // namespace sy
