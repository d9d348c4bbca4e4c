#pragma once

#include "config/config.h"

#include <QObject>

class QFileSystemWatcher;
class QTimer;

namespace sy {

// Watches the config file (and its folder, since editors replace files by renaming) and, after a short quiet
// period, reloads it. A valid file is announced with configChanged; an invalid one with reloadFailed, and the
// caller keeps the config it has.
class ConfigWatcher : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigWatcher)
public:
    ConfigWatcher(const QString& path, QHash<QString, QString> environment, QObject* parent = nullptr);
    void setDebounceMs(int ms);
    QString path() const { return m_path; }
    // Reloads now (also used by the debounce timer).
    void reload();

Q_SIGNALS:
    void configChanged(const sy::Config& config);
    void reloadFailed(const QString& error);

private:
    void onChanged();
    void rearm();

    QString m_path;
    QHash<QString, QString> m_environment;
    QFileSystemWatcher* m_watcher;
    QTimer* m_debounce;
    QByteArray m_lastContent;
};

} // namespace sy
