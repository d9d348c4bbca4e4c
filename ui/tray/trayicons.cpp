#include "trayicons.h"

#include <QColor>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSvgRenderer>

namespace sy {

namespace {
constexpr int IconSizes[] = {16, 22, 24, 32, 48, 64};
} // namespace

QString trayStateName(TrayState state)
{
    switch (state) {
    case TrayState::Running:
        return QStringLiteral("running");
    case TrayState::Error:
        return QStringLiteral("error");
    case TrayState::NeedsLogin:
        return QStringLiteral("needs-login");
    case TrayState::Stopped:
        break;
    }
    return QStringLiteral("stopped");
}

bool isDarkPalette(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

QIcon trayIcon(TrayState state, bool darkPanel)
{
    const QString path = QStringLiteral(":/icons/tray-") + trayStateName(state)
        + (darkPanel ? QStringLiteral("-dark.svg") : QStringLiteral("-light.svg"));
    QIcon icon(path);
    if (!icon.pixmap(32, 32).isNull())
        return icon;
    // No SVG icon engine plugin: render the sizes a panel asks for ourselves.
    QSvgRenderer renderer(path);
    QIcon rendered;
    if (!renderer.isValid())
        return rendered;
    for (int size : IconSizes) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        renderer.render(&p);
        p.end();
        rendered.addPixmap(pm);
    }
    return rendered;
}

} // namespace sy
