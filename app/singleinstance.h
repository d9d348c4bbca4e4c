#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QLocalServer;
class QLockFile;

namespace sy {

// One tray app per user: a QLockFile and a QLocalServer in the user's runtime dir. The first instance becomes the
// primary and listens; a later launch finds the lock taken, sends "raise" to the primary's socket and exits. A lock
// left behind by a crashed instance is stale (its process is gone) and is taken over.
class SingleInstance : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)
public:
    // `name` names the lock and the socket (tests pass their own); `runtimeDir` empty: $XDG_RUNTIME_DIR, else the
    // temp dir (the name then gets the user's name so that users do not collide).
    explicit SingleInstance(const QString& name = QStringLiteral("switchyard"), const QString& runtimeDir = QString(),
        QObject* parent = nullptr);
    ~SingleInstance() override;

    // Takes the lock and listens. True: this is the primary (also when the lock cannot be used at all, so that a
    // broken runtime dir never stops the app from starting). False: another instance holds it.
    bool tryBecomePrimary();
    bool isPrimary() const { return m_primary; }
    // From a secondary: asks the primary to show itself. False when it does not answer within `timeoutMs`.
    bool sendRaise(int timeoutMs = 3000);
    QString lockPath() const { return m_lockPath; }
    QString socketPath() const { return m_socketPath; }

Q_SIGNALS:
    // Another launch asked this (primary) instance to show itself.
    void raiseRequested();

private:
    void onNewConnection();

    QString m_lockPath;
    QString m_socketPath;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer* m_server = nullptr;
    bool m_primary = false;
};

} // namespace sy
