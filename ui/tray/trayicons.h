#pragma once

#include <QIcon>
#include <QString>

class QPalette;

namespace sy {

// What the tray icon shows. Error wins over NeedsLogin, NeedsLogin over Running/Stopped.
enum class TrayState { Stopped, Running, Error, NeedsLogin };

// "stopped", "running", "error", "needs-login" (also the icon file names and the test's state names).
QString trayStateName(TrayState state);

// True when the panel (the palette's window colour) is dark, so the light-on-dark icon variant is needed.
bool isDarkPalette(const QPalette& palette);

// The tray icon for `state` from :/icons/tray-<state>-<light|dark>.svg ("light" is drawn for light panels, "dark" for
// dark ones). Loaded through the Qt SVG icon engine when the plugin is there, else rendered with QSvgRenderer.
QIcon trayIcon(TrayState state, bool darkPanel);

} // namespace sy
