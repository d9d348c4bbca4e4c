#include "singleinstance.h"

#include "common/logging.h"

#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>
#include <QStandardPaths>

namespace sy {

namespace {

constexpr char RaiseMessage[] = "raise\n";

QString userSuffix()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME");
    return user.isEmpty() ? QString() : QString(QLatin1Char('-') + user);
}

} // namespace

SingleInstance::SingleInstance(const QString& name, const QString& runtimeDir, QObject* parent)
    : QObject(parent)
{
    QString dir = runtimeDir;
    QString base = name;
    if (dir.isEmpty())
        dir = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (dir.isEmpty()) {
        dir = QDir::tempPath();
        base += userSuffix();
    }
#ifndef NDEBUG
    if (runtimeDir.isEmpty())
        base += QStringLiteral("-debug");
#endif
    m_lockPath = QDir(dir).filePath(base + QStringLiteral(".lock"));
    m_socketPath = QDir(dir).filePath(base + QStringLiteral(".socket"));
}

SingleInstance::~SingleInstance()
{
    if (m_server)
        m_server->close(); // removes the socket file
    if (m_lock)
        m_lock->unlock();
}

bool SingleInstance::tryBecomePrimary()
{
    if (m_primary)
        return true;
    m_lock = std::make_unique<QLockFile>(m_lockPath);
    // A live instance never goes stale however long it runs; a dead one is detected by its PID.
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        if (m_lock->error() == QLockFile::LockFailedError)
            return false;
        // No usable lock (permissions, a full disk): run anyway rather than refuse to start.
        qCWarning(lcServer) << "single instance: cannot use" << m_lockPath << "- running without the guard";
        m_primary = true;
        return true;
    }
    m_primary = true;
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    QLocalServer::removeServer(m_socketPath); // a socket left by a crashed primary; we hold the lock
    if (!m_server->listen(m_socketPath)) {
        qCWarning(lcServer) << "single instance: cannot listen on" << m_socketPath << m_server->errorString();
        return true;
    }
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    return true;
}

bool SingleInstance::sendRaise(int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(m_socketPath);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(RaiseMessage);
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    socket.disconnectFromServer();
    if (socket.state() != QLocalSocket::UnconnectedState)
        socket.waitForDisconnected(timeoutMs);
    return true;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket* socket = m_server->nextPendingConnection()) {
        auto handle = [this, socket] {
            if (socket->property("handled").toBool())
                return;
            QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
            if (buffer.contains('\n')) {
                socket->setProperty("handled", true);
                if (buffer.startsWith("raise"))
                    Q_EMIT raiseRequested();
                socket->disconnectFromServer();
                return;
            }
            if (buffer.size() > 64) { // not one of ours
                socket->setProperty("handled", true);
                socket->abort();
                return;
            }
            socket->setProperty("buffer", buffer);
        };
        connect(socket, &QLocalSocket::readyRead, this, handle);
        connect(socket, &QLocalSocket::disconnected, this, [socket, handle] {
            handle();
            socket->deleteLater();
        });
        if (socket->bytesAvailable())
            handle();
    }
}

} // namespace sy
