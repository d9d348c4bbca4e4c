#pragma once

#include <QList>
#include <QWidget>

class QAction;
class QLabel;

namespace sy {

// The small window shown instead of the tray icon (no system tray, or --windowed): the gateway's state, its
// address, today's requests and cost, problems, and the tray menu's actions as buttons.
class StatusWindow : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusWindow)
public:
    explicit StatusWindow(const QList<QAction*>& actions, QWidget* parent = nullptr);
    void setStatus(const QIcon& icon, const QString& state, const QString& address, const QString& today);
    // Errors and warnings, one a line; hidden when empty.
    void setProblems(const QStringList& problems);

Q_SIGNALS:
    void closed();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QLabel* m_iconLabel;
    QLabel* m_stateLabel;
    QLabel* m_addressLabel;
    QLabel* m_todayLabel;
    QLabel* m_problemsLabel;
};

} // namespace sy
