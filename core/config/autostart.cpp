#include "config/autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace sy {

namespace {

QString translate(const char* text)
{
    return QCoreApplication::translate("sy::Autostart", text);
}

} // namespace

QString Autostart::entryPath()
{
    QString base = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (base.isEmpty() || !QDir::isAbsolutePath(base))
        base = QDir::home().filePath(QStringLiteral(".config"));
    return QDir(base).filePath(QStringLiteral("autostart/switchyard.desktop"));
}

bool Autostart::isEnabled()
{
    QFile file(entryPath());
    if (!file.open(QIODevice::ReadOnly))
        return false;
    bool inEntry = false;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.startsWith('[')) {
            inEntry = line == "[Desktop Entry]";
            continue;
        }
        if (!inEntry)
            continue;
        const qsizetype eq = line.indexOf('=');
        if (eq < 0)
            continue;
        const QByteArray key = line.left(eq).trimmed();
        const QByteArray value = line.mid(eq + 1).trimmed().toLower();
        if ((key == "Hidden" && value == "true") || (key == "X-GNOME-Autostart-enabled" && value == "false"))
            return false;
    }
    return true;
}

QString Autostart::quoteExecArgument(const QString& path)
{
    // Inside double quotes, `"`, backquote, `$` and `\` are escaped with a backslash; `%` is doubled (field codes).
    // The entry format itself then escapes each backslash once more.
    QString quoted;
    for (const QChar c : path) {
        if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$') || c == QLatin1Char('\\'))
            quoted += QLatin1Char('\\');
        if (c == QLatin1Char('%'))
            quoted += QLatin1Char('%');
        quoted += c;
    }
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QByteArray Autostart::desktopEntry(const QString& executablePath)
{
    QString text = QStringLiteral("[Desktop Entry]\n"
                                  "Type=Application\n"
                                  "Name=Switchyard\n"
                                  "Comment=")
        + translate("Local gateway for AI coding CLIs")
        + QStringLiteral("\n"
                         "Exec=")
        + quoteExecArgument(executablePath)
        + QStringLiteral("\n"
                         "Icon=switchyard\n"
                         "Terminal=false\n"
                         "Categories=Development;Network;\n"
                         "X-GNOME-Autostart-enabled=true\n");
    return text.toUtf8();
}

bool Autostart::setEnabled(bool enabled, const QString& executablePath, QString* error)
{
    const QString path = entryPath();
    if (!enabled) {
        if (QFile::exists(path) && !QFile::remove(path)) {
            if (error)
                *error = translate("cannot remove %1").arg(QDir::toNativeSeparators(path));
            return false;
        }
        return true;
    }
    QString program = executablePath;
    if (program.isEmpty())
        program = qEnvironmentVariable("APPIMAGE");
    if (program.isEmpty())
        program = QCoreApplication::applicationFilePath();
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        if (error)
            *error = translate("cannot create the folder of %1").arg(QDir::toNativeSeparators(path));
        return false;
    }
    QSaveFile file(path);
    const QByteArray data = desktopEntry(program);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = translate("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

} // namespace sy
