#include "traycontroller.h"

#include "accounts/accountmanager.h"
#include "dashboard/dashboardwindow.h"
#include "gateway/gatewayservice.h"
#include "tray/statuswindow.h"
#include "usage/usagelog.h"

#include "requestlog/requestlogwindow.h"
#include "settings/settingsdialog.h"
#include "connect/connectdialog.h"
#include "config/autostart.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QGuiApplication>
#include <QLocale>
#include <QMenu>
#include <QSystemTrayIcon>

namespace sy {

namespace {

QString formatUsd(double usd)
{
    if (usd > 0 && usd < 0.01)
        return QStringLiteral("<$0.01");
    return QStringLiteral("$") + QLocale::c().toString(usd, 'f', 2);
}

qint64 localMidnightMs()
{
    return QDateTime(QDate::currentDate(), QTime(0, 0)).toMSecsSinceEpoch();
}

template<typename W> void raiseWindow(W* window)
{
    window->show();
    window->raise();
    window->activateWindow();
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
    m_status->setObjectName(QStringLiteral("statusAction"));
    m_status->setEnabled(false);
    m_errorAction = m_menu->addAction(QString());
    m_errorAction->setObjectName(QStringLiteral("errorAction"));
    m_errorAction->setEnabled(false);
    m_errorAction->setVisible(false);
    m_warning = m_menu->addAction(QString());
    m_warning->setObjectName(QStringLiteral("warningAction"));
    m_warning->setEnabled(false);
    m_warning->setVisible(false);
    m_menu->addSeparator();
    m_toggle = m_menu->addAction(QString());
    m_toggle->setObjectName(QStringLiteral("toggleGatewayAction"));
    connect(m_toggle, &QAction::triggered, this, &TrayController::onToggle);
    m_menu->addSeparator();
    m_dashboardAction = m_menu->addAction(tr("&Dashboard"));
    m_dashboardAction->setObjectName(QStringLiteral("dashboardAction"));
    connect(m_dashboardAction, &QAction::triggered, this, &TrayController::showDashboard);
    m_requestLogAction = m_menu->addAction(tr("&Request log"));
    m_requestLogAction->setObjectName(QStringLiteral("requestLogAction"));
    connect(m_requestLogAction, &QAction::triggered, this, &TrayController::showRequestLog);
    m_settingsAction = m_menu->addAction(tr("S&ettings…"));
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    connect(m_settingsAction, &QAction::triggered, this, &TrayController::showSettings);
    m_connectAction = m_menu->addAction(tr("&Connect a coding CLI…"));
    m_connectAction->setObjectName(QStringLiteral("connectAction"));
    connect(m_connectAction, &QAction::triggered, this, &TrayController::showConnect);
    m_copySetupAction = m_menu->addAction(tr("Copy Claude Code &setup"));
    m_copySetupAction->setObjectName(QStringLiteral("copySetupAction"));
    connect(m_copySetupAction, &QAction::triggered, this, &TrayController::onCopySetup);
    m_menu->addSeparator();
    m_autostartAction = m_menu->addAction(tr("Start at &login"));
    m_autostartAction->setObjectName(QStringLiteral("autostartAction"));
    m_autostartAction->setCheckable(true);
    m_autostartAction->setChecked(Autostart::isEnabled());
    connect(m_autostartAction, &QAction::toggled, this, &TrayController::onAutostartToggled);
    m_menu->addSeparator();
    m_quitAction = m_menu->addAction(tr("&Quit"));
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    connect(m_quitAction, &QAction::triggered, qApp, &QCoreApplication::quit);
    // The usage log and the accounts may be opened after the tray exists: look again when the menu opens.
    connect(m_menu, &QMenu::aboutToShow, this, &TrayController::refresh);

    m_tray = new QSystemTrayIcon(this);
    m_tray->setContextMenu(m_menu);
    connect(m_service, &GatewayService::runningChanged, this, &TrayController::updateState);
    connect(m_service, &GatewayService::errorOccurred, this, &TrayController::showError);
    connect(m_service, &GatewayService::requestCompleted, this, &TrayController::refresh);
    connect(m_service, &GatewayService::warningRaised, this, &TrayController::showWarning);
    if (!m_service->storageWarning().isEmpty())
        showWarning(m_service->storageWarning());
    refresh();
}

TrayController::~TrayController()
{
    delete m_dashboard;
    delete m_requestLog;
    delete m_settings;
    delete m_connect;
    delete m_statusWindow;
    delete m_menu;
}

void TrayController::show(bool windowed)
{
    if (!windowed && QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray->show();
        return;
    }
    if (!m_statusWindow) {
        m_statusWindow = new StatusWindow({m_toggle, m_dashboardAction, m_requestLogAction, m_settingsAction,
            m_connectAction, m_copySetupAction, m_autostartAction, m_quitAction});
        // With no tray icon, closing the only window ends the app (nothing would be left to quit it from).
        connect(m_statusWindow, &StatusWindow::closed, this, [this] {
            if (!m_tray->isVisible())
                QCoreApplication::quit();
        });
        updateState();
    }
    raiseWindow(m_statusWindow.data());
}

StatusWindow* TrayController::statusWindow() const
{
    return m_statusWindow;
}

QString TrayController::toolTip() const
{
    return m_tray->toolTip();
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
    raiseWindow(m_dashboard.data());
}

DashboardWindow* TrayController::dashboard() const
{
    return m_dashboard;
}

void TrayController::showRequestLog()
{
    if (!m_requestLog) {
        m_requestLog = new RequestLogWindow(m_service);
        m_requestLog->setAttribute(Qt::WA_DeleteOnClose);
    }
    raiseWindow(m_requestLog.data());
}

RequestLogWindow* TrayController::requestLog() const
{
    return m_requestLog;
}

void TrayController::showSettings()
{
    if (!m_settings) {
        m_settings = new SettingsDialog(m_service, m_configPath);
        m_settings->setAttribute(Qt::WA_DeleteOnClose);
    }
    raiseWindow(m_settings.data());
}

SettingsDialog* TrayController::settingsDialog() const
{
    return m_settings;
}

void TrayController::showConnect()
{
    if (!m_connect) {
        m_connect = new ConnectDialog(m_service);
        m_connect->setAttribute(Qt::WA_DeleteOnClose);
    }
    raiseWindow(m_connect.data());
}

ConnectDialog* TrayController::connectDialog() const
{
    return m_connect;
}

void TrayController::onCopySetup()
{
    QGuiApplication::clipboard()->setText(ConnectDialog::claudeCodeSetupText(m_service));
    if (m_tray->isVisible() && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(tr("Switchyard"), tr("The Claude Code setup was copied to the clipboard."),
            QSystemTrayIcon::Information, 3000);
}

void TrayController::onAutostartToggled(bool enabled)
{
    QString error;
    if (!Autostart::setEnabled(enabled, QString(), &error)) {
        const QSignalBlocker block(m_autostartAction);
        m_autostartAction->setChecked(Autostart::isEnabled());
        showError(tr("Cannot change the autostart entry: %1").arg(error));
    }
}

void TrayController::notify(const QString& message)
{
    if (m_tray->isVisible() && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(tr("Switchyard"), message, QSystemTrayIcon::Warning);
}

void TrayController::showError(const QString& message)
{
    m_lastError = message;
    updateState();
    notify(message);
}

void TrayController::clearError()
{
    if (m_lastError.isEmpty())
        return;
    m_lastError.clear();
    updateState();
}

void TrayController::showWarning(const QString& message)
{
    if (m_warnings.contains(message))
        return;
    m_warnings.append(message);
    m_warning->setText(tr("Warning: %1").arg(message));
    m_warning->setVisible(true);
    refresh();
    notify(message);
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

bool TrayController::accountNeedsLogin() const
{
    const AccountManager* accounts = m_service->accounts();
    if (!accounts)
        return false;
    const QList<Account> list = accounts->accounts();
    return std::any_of(
        list.cbegin(), list.cend(), [](const Account& a) { return a.state == Account::State::NeedsLogin; });
}

void TrayController::watchSources()
{
    // The service opens the accounts and the usage log (asynchronously) after the tray may exist.
    AccountManager* accounts = m_service->accounts();
    if (accounts != m_watchedAccounts) {
        if (m_watchedAccounts)
            disconnect(m_watchedAccounts, nullptr, this, nullptr);
        m_watchedAccounts = accounts;
        if (accounts) {
            connect(accounts, &AccountManager::accountsChanged, this, &TrayController::updateState);
            connect(accounts, &AccountManager::accountStateChanged, this, &TrayController::updateState);
        }
    }
    UsageLog* usage = m_service->usageLog();
    if (usage != m_watchedUsage) {
        if (m_watchedUsage)
            disconnect(m_watchedUsage, nullptr, this, nullptr);
        m_watchedUsage = usage;
        if (usage)
            connect(usage, &UsageLog::rowsCommitted, this, &TrayController::refresh);
    }
}

void TrayController::updateToday()
{
    const UsageLog* log = m_service->usageLog();
    if (!log || !log->isOpen()) {
        m_todayText = tr("Today: usage is not logged");
        return;
    }
    const UsageTotals today = log->totalsSince(localMidnightMs());
    if (today.requests == 0) {
        m_todayText = tr("Today: no requests");
        return;
    }
    // A model without a price is flagged, never counted as $0.
    QString cost;
    if (today.unpricedRequests == 0)
        cost = formatUsd(today.costUsd);
    else if (today.unpricedRequests >= today.requests)
        cost = tr("cost unknown");
    else
        cost = tr("%1 + %n without a price", nullptr, int(today.unpricedRequests)).arg(formatUsd(today.costUsd));
    m_todayText = tr("Today: %n request(s), %1", nullptr, int(today.requests)).arg(cost);
}

void TrayController::refresh()
{
    watchSources();
    updateToday();
    updateState();
}

void TrayController::updateState()
{
    watchSources();
    const bool running = m_service->isRunning();
    QString address;
    if (running)
        address = m_service->address().toString() + QLatin1Char(':') + QString::number(m_service->port());
    const bool needsLogin = accountNeedsLogin();
    QString stateText;
    if (running)
        stateText = tr("Running on %1").arg(address);
    else if (!m_lastError.isEmpty())
        stateText = tr("Stopped: %1").arg(m_lastError);
    else
        stateText = tr("Stopped");
    m_statusText = stateText;
    m_status->setText(stateText);
    // An error while running (a config that failed to reload) gets its own line; a failed start is in the status.
    m_errorAction->setText(tr("Error: %1").arg(m_lastError));
    m_errorAction->setVisible(!m_lastError.isEmpty());
    m_toggle->setText(running ? tr("&Stop gateway") : tr("&Start gateway"));
    m_dashboardAction->setEnabled(m_service->usageLog() != nullptr);

    TrayState state = running ? TrayState::Running : TrayState::Stopped;
    if (needsLogin)
        state = TrayState::NeedsLogin;
    if (!m_lastError.isEmpty())
        state = TrayState::Error;

    QStringList problems;
    if (!m_lastError.isEmpty())
        problems << tr("Error: %1").arg(m_lastError);
    if (needsLogin)
        problems << tr("An account needs a new login (Settings → Accounts).");
    for (const QString& w : std::as_const(m_warnings))
        problems << tr("Warning: %1").arg(w);

    QString tip = tr("Switchyard") + QLatin1Char('\n') + stateText + QLatin1Char('\n') + m_todayText;
    for (const QString& p : std::as_const(problems))
        tip += QLatin1Char('\n') + p;
    m_tray->setToolTip(tip);

    const QIcon icon = sy::trayIcon(state, isDarkPalette(QApplication::palette()));
    m_tray->setIcon(icon);
    if (m_statusWindow) {
        m_statusWindow->setStatus(icon, running ? tr("Running") : tr("Stopped"), address, m_todayText);
        m_statusWindow->setProblems(problems);
    }
    if (!m_hasState || state != m_state) {
        m_hasState = true;
        m_state = state;
        Q_EMIT stateChanged(state);
    }
}

} // namespace sy
