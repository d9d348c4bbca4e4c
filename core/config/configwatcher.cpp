#include "configwatcher.h"

#include "common/logging.h"

#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace sy {

ConfigWatcher::ConfigWatcher(const QString& path, QHash<QString, QString> environment, QObject* parent)
    : QObject(parent)
    , m_path(QFileInfo(path).absoluteFilePath())
    , m_environment(std::move(environment))
    , m_watcher(new QFileSystemWatcher(this))
    , m_debounce(new QTimer(this))
{
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &ConfigWatcher::reload);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &ConfigWatcher::onChanged);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &ConfigWatcher::onChanged);
    QFile f(m_path);
    if (f.open(QIODevice::ReadOnly))
        m_lastContent = f.readAll();
    rearm();
}

void ConfigWatcher::setDebounceMs(int ms)
{
    m_debounce->setInterval(ms);
}

void ConfigWatcher::rearm()
{
    if (!m_watcher->files().contains(m_path) && QFileInfo::exists(m_path))
        m_watcher->addPath(m_path);
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!m_watcher->directories().contains(dir))
        m_watcher->addPath(dir);
}

void ConfigWatcher::onChanged()
{
    rearm(); // a rename-over drops the file watch
    m_debounce->start();
}

void ConfigWatcher::reload()
{
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly))
        return; // mid-replace; the directory watch fires again when the new file lands
    const QByteArray content = f.readAll();
    if (content == m_lastContent)
        return;
    m_lastContent = content;
    Result<Config> config = parseConfig(content, m_environment);
    if (!config.ok()) {
        const QString error = m_path + QStringLiteral(": ") + config.error();
        qCWarning(lcConfig).noquote() << "config not reloaded, keeping the previous one:" << error;
        Q_EMIT reloadFailed(error);
        return;
    }
    qCInfo(lcConfig).noquote() << "config reloaded from" << m_path;
    Q_EMIT configChanged(*config);
}

} // namespace sy
