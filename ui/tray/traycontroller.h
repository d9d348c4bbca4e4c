#pragma once

#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace sy {

class GatewayService;

// The tray icon: shows whether the gateway runs and lets the user start, stop and quit.
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
    QStringList m_warnings;
    QString m_lastError;
};

} // namespace sy
