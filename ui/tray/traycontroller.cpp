#include "traycontroller.h"

#include "dashboard/dashboardwindow.h"
#include "gateway/gatewayservice.h"

#include <QAction>
#include <QApplication>
#include <QIcon>
#include <QMenu>
#include <QPainter>
#include <QPixmap>
#include <QSystemTrayIcon>

namespace sy {

namespace {
QIcon stateIcon(const QColor& color)
{
    QPixmap pm(64, 64);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(QColor(40, 40, 40), 4));
    p.setBrush(color);
    p.drawEllipse(6, 6, 52, 52);
    p.setPen(QPen(Qt::white, 6));
    p.drawLine(20, 40, 44, 24); // a switch track
    return QIcon(pm);
}
} // namespace

TrayController::TrayController(GatewayService* service, const QString& configPath, QObject* parent)
    : QObject(parent)
    , m_service(service)
    , m_configPath(configPath)
{
    m_menu = new QMenu();
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_status = m_menu->addAction(QString());
    m_status->setEnabled(false);
    m_warning = m_menu->addAction(QString());
    m_warning->setObjectName(QStringLiteral("warningAction"));
    m_warning->setEnabled(false);
    m_warning->setVisible(false);
    m_menu->addSeparator();
    m_toggle = m_menu->addAction(QString());
    m_toggle->setObjectName(QStringLiteral("toggleGatewayAction"));
    connect(m_toggle, &QAction::triggered, this, &TrayController::onToggle);
    m_dashboardAction = m_menu->addAction(tr("&Dashboard"));
    m_dashboardAction->setObjectName(QStringLiteral("dashboardAction"));
    connect(m_dashboardAction, &QAction::triggered, this, &TrayController::showDashboard);
    // The usage log may be opened after the tray exists: decide when the menu opens.
    connect(m_menu, &QMenu::aboutToShow, this, &TrayController::updateState);
    m_menu->addSeparator();
    QAction* quit = m_menu->addAction(tr("&Quit"));
    quit->setObjectName(QStringLiteral("quitAction"));
    connect(quit, &QAction::triggered, qApp, &QCoreApplication::quit);

    m_tray = new QSystemTrayIcon(this);
    m_tray->setContextMenu(m_menu);
    connect(m_service, &GatewayService::runningChanged, this, &TrayController::updateState);
    connect(m_service, &GatewayService::errorOccurred, this, &TrayController::showError);
    connect(m_service, &GatewayService::requestCompleted, this, &TrayController::updateState);
    connect(m_service, &GatewayService::warningRaised, this, &TrayController::showWarning);
    if (!m_service->storageWarning().isEmpty())
        showWarning(m_service->storageWarning());
    updateState();
}

TrayController::~TrayController()
{
    delete m_dashboard;
    delete m_menu;
}

void TrayController::show()
{
    m_tray->show();
}

void TrayController::showDashboard()
{
    // Without a usage log (it could not be opened) the window says so; the menu action is disabled then.
    UsageLog* log = m_service->usageLog();
    if (m_dashboard && m_dashboard->usageLog() != log)
        delete m_dashboard;
    if (!m_dashboard) {
        m_dashboard = new DashboardWindow(log);
        m_dashboard->setAttribute(Qt::WA_DeleteOnClose); // closing frees the charts; the app keeps running
    }
    m_dashboard->show();
    m_dashboard->raise();
    m_dashboard->activateWindow();
}

DashboardWindow* TrayController::dashboard() const
{
    return m_dashboard;
}

void TrayController::showError(const QString& message)
{
    m_lastError = message;
    updateState();
    if (QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(tr("Switchyard"), message, QSystemTrayIcon::Warning);
}

void TrayController::showWarning(const QString& message)
{
    if (m_warnings.contains(message))
        return;
    m_warnings.append(message);
    m_warning->setText(tr("Warning: %1").arg(message));
    m_warning->setVisible(true);
    updateState();
    if (QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(tr("Switchyard"), message, QSystemTrayIcon::Warning);
}

void TrayController::onToggle()
{
    if (m_service->isRunning()) {
        m_service->stop();
    } else {
        QString error;
        if (m_service->start(&error))
            m_lastError.clear();
        else
            showError(error);
    }
    updateState();
}

void TrayController::updateState()
{
    const bool running = m_service->isRunning();
    QString status;
    if (running) {
        status = tr("Running on %1:%2 — %n request(s)", nullptr, int(m_service->completedRequests()))
                     .arg(m_service->address().toString())
                     .arg(m_service->port());
    } else if (!m_lastError.isEmpty()) {
        status = tr("Stopped: %1").arg(m_lastError);
    } else {
        status = tr("Stopped");
    }
    m_status->setText(status);
    m_toggle->setText(running ? tr("&Stop gateway") : tr("&Start gateway"));
    m_dashboardAction->setEnabled(m_service->usageLog() != nullptr);
    QString tip = tr("Switchyard") + QLatin1Char('\n') + status;
    for (const QString& w : std::as_const(m_warnings))
        tip += QLatin1Char('\n') + tr("Warning: %1").arg(w);
    m_tray->setToolTip(tip);
    m_tray->setIcon(stateIcon(
        running ? QColor(46, 160, 67) : (m_lastError.isEmpty() ? QColor(140, 140, 140) : QColor(200, 50, 50))));
}

} // namespace sy
