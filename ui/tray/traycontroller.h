#pragma once

#include <QObject>
#include <QPointer>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace sy {

class DashboardWindow;
class GatewayService;

// The tray icon: shows whether the gateway runs and lets the user start, stop, open the usage dashboard and quit.
class TrayController : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)
public:
    TrayController(GatewayService* service, const QString& configPath, QObject* parent = nullptr);
    ~TrayController() override;
    void show();
    void showError(const QString& message);
    // A lasting warning (secrets in the unencrypted file fallback, an account that needs a new login): shown in the
    // menu and the tooltip, and once as a notification.
    void showWarning(const QString& message);
    QMenu* menu() const { return m_menu; }
    // Opens the usage dashboard (one window, raised when already open).
    void showDashboard();
    DashboardWindow* dashboard() const;

private:
    void updateState();
    void onToggle();

    GatewayService* m_service;
    QString m_configPath;
    QSystemTrayIcon* m_tray = nullptr;
    QMenu* m_menu = nullptr;
    QAction* m_status = nullptr;
    QAction* m_toggle = nullptr;
    QAction* m_warning = nullptr;
    QAction* m_dashboardAction = nullptr;
    QPointer<DashboardWindow> m_dashboard;
    QStringList m_warnings;
    QString m_lastError;
};

} // namespace sy
