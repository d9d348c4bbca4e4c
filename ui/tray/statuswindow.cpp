#include "statuswindow.h"

#include <QAction>
#include <QCloseEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace sy {

StatusWindow::StatusWindow(const QList<QAction*>& actions, QWidget* parent)
    : QWidget(parent)
    , m_iconLabel(new QLabel(this))
    , m_stateLabel(new QLabel(this))
    , m_addressLabel(new QLabel(this))
    , m_todayLabel(new QLabel(this))
    , m_problemsLabel(new QLabel(this))
{
    setObjectName(QStringLiteral("statusWindow"));
    setWindowTitle(tr("Switchyard"));
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    m_addressLabel->setObjectName(QStringLiteral("addressLabel"));
    m_addressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_todayLabel->setObjectName(QStringLiteral("todayLabel"));
    m_problemsLabel->setObjectName(QStringLiteral("problemsLabel"));
    m_problemsLabel->setWordWrap(true);
    m_problemsLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problemsLabel->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_problemsLabel->hide();
    QFont bold = m_stateLabel->font();
    bold.setBold(true);
    m_stateLabel->setFont(bold);

    auto* header = new QHBoxLayout;
    header->addWidget(m_iconLabel);
    header->addWidget(m_stateLabel, 1);

    auto* buttons = new QGridLayout;
    int i = 0;
    for (QAction* action : actions) {
        // The button follows the action: text, enabled, checkable and checked.
        auto* button = new QToolButton(this);
        button->setObjectName(action->objectName() + QStringLiteral("Button"));
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        buttons->addWidget(button, i / 2, i % 2);
        ++i;
    }

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_addressLabel);
    layout->addWidget(m_todayLabel);
    layout->addWidget(m_problemsLabel);
    layout->addLayout(buttons);
    layout->addStretch(1);
}

void StatusWindow::setStatus(const QIcon& icon, const QString& state, const QString& address, const QString& today)
{
    setWindowIcon(icon);
    m_iconLabel->setPixmap(icon.pixmap(32, 32));
    m_stateLabel->setText(state);
    m_addressLabel->setText(address);
    m_addressLabel->setVisible(!address.isEmpty());
    m_todayLabel->setText(today);
}

void StatusWindow::setProblems(const QStringList& problems)
{
    m_problemsLabel->setText(problems.join(QLatin1Char('\n')));
    m_problemsLabel->setVisible(!problems.isEmpty());
}

void StatusWindow::closeEvent(QCloseEvent* event)
{
    QWidget::closeEvent(event);
    Q_EMIT closed();
}

} // namespace sy
