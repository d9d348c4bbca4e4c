#pragma once

#include "tray/trayicons.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace sy {

class AccountManager;
class ConnectDialog;
class DashboardWindow;
class GatewayService;
class RequestLogWindow;
class SettingsDialog;
class StatusWindow;
class UsageLog;

// The tray icon: shows the gateway's state (running, stopped, error, an account needs a new login) as its icon, the
// address and today's requests and cost as its tooltip, and a menu to start and stop the gateway, open the windows,
// copy the Claude Code setup, toggle autostart and quit. Every failure shows as a notification and in the menu.
// Without a system tray (or with --windowed) a small status window with the same actions stands in.
class TrayController : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)
    Q_PROPERTY(QString state READ stateName NOTIFY stateChanged)
public:
    TrayController(GatewayService* service, const QString& configPath, QObject* parent = nullptr);
    ~TrayController() override;
    // Shows the tray icon, or the status window when there is no system tray or `windowed` is set.
    void show(bool windowed = false);
    // A failure (a taken port, an invalid config): the error state, a menu line and a notification.
    void showError(const QString& message);
    // The config was fixed (reloaded fine): leaves the error state.
    void clearError();
    // A lasting warning (secrets in the unencrypted file fallback, an account that needs a new login, a budget):
    // shown in the menu and the tooltip, and once as a notification.
    void showWarning(const QString& message);
    QMenu* menu() const { return m_menu; }
    QSystemTrayIcon* trayIcon() const { return m_tray; }
    StatusWindow* statusWindow() const;
    TrayState state() const { return m_state; }
    QString stateName() const { return trayStateName(m_state); }
    QString toolTip() const;
    // Opens the usage dashboard (one window, raised when already open).
    void showDashboard();
    DashboardWindow* dashboard() const;
    void showRequestLog();
    RequestLogWindow* requestLog() const;
    void showSettings();
    SettingsDialog* settingsDialog() const;
    void showConnect();
    ConnectDialog* connectDialog() const;
    // Recomputes the state, the menu texts, the tooltip and today's totals.
    void refresh();

Q_SIGNALS:
    void stateChanged(sy::TrayState state);

private:
    void updateState();
    void updateToday();
    void watchSources();
    void onToggle();
    void onCopySetup();
    void onAutostartToggled(bool enabled);
    void notify(const QString& message);
    bool accountNeedsLogin() const;

    GatewayService* m_service;
    QString m_configPath;
    QSystemTrayIcon* m_tray = nullptr;
    QMenu* m_menu = nullptr;
    QAction* m_status = nullptr;
    QAction* m_errorAction = nullptr;
    QAction* m_warning = nullptr;
    QAction* m_toggle = nullptr;
    QAction* m_dashboardAction = nullptr;
    QAction* m_requestLogAction = nullptr;
    QAction* m_settingsAction = nullptr;
    QAction* m_connectAction = nullptr;
    QAction* m_copySetupAction = nullptr;
    QAction* m_autostartAction = nullptr;
    QAction* m_quitAction = nullptr;
    QPointer<DashboardWindow> m_dashboard;
    QPointer<RequestLogWindow> m_requestLog;
    QPointer<SettingsDialog> m_settings;
    QPointer<ConnectDialog> m_connect;
    QPointer<StatusWindow> m_statusWindow;
    QPointer<AccountManager> m_watchedAccounts;
    QPointer<UsageLog> m_watchedUsage;
    QStringList m_warnings;
    QString m_lastError;
    QString m_statusText;
    QString m_todayText;
    TrayState m_state = TrayState::Stopped;
    bool m_hasState = false;
};

} // namespace sy
