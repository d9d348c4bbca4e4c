#include "httpserver.h"

#include "common/logging.h"
#include "httpconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <unistd.h>

namespace sy {

namespace {

QString endpointString(const QHostAddress& address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

// Hands accepted descriptors to a callback instead of queueing QTcpSockets, when one is set: the socket is then made
// on the thread that serves it.
class AcceptingServer : public QTcpServer
{
public:
    using QTcpServer::QTcpServer;
    std::function<void(qintptr)> onDescriptor;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (onDescriptor)
            onDescriptor(descriptor);
        else
            QTcpServer::incomingConnection(descriptor);
    }
};

} // namespace

HttpWorker::HttpWorker(std::shared_ptr<HttpServerContext> context)
    : m_context(std::move(context))
{
}

HttpWorker::~HttpWorker()
{
    abortAll();
}

void HttpWorker::adopt(qintptr descriptor, quint64 id)
{
    auto* socket = new QTcpSocket();
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcServer).noquote() << "cannot adopt an accepted connection:" << socket->errorString();
        delete socket;
        ::close(int(descriptor));
        Q_EMIT connectionClosed();
        return;
    }
    auto* connection = new HttpConnection(socket, m_context, id, this);
    m_connections.insert(connection);
    connect(connection, &HttpConnection::closed, this, [this](HttpConnection* c) {
        if (!m_connections.remove(c))
            return;
        c->deleteLater();
        Q_EMIT connectionClosed();
    });
}

void HttpWorker::closeIdle()
{
    const QList<HttpConnection*> connections = m_connections.values();
    for (HttpConnection* connection : connections) {
        if (m_connections.contains(connection))
            connection->closeIfIdle();
    }
}

void HttpWorker::abortAll()
{
    const QList<HttpConnection*> connections = m_connections.values();
    for (HttpConnection* connection : connections) {
        if (m_connections.contains(connection)) // a clientDisconnected() slot may have closed others
            connection->abort();
    }
}

HttpServer::HttpServer(HttpServerLimits limits, QObject* parent)
    : QObject(parent)
    , m_tcpServer(new AcceptingServer(this))
    , m_context(std::make_shared<HttpServerContext>())
{
    m_context->limits = limits;
    connect(m_tcpServer, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
}

HttpServer::~HttpServer()
{
    m_tcpServer->close();
    stopWorkers();
    const QList<HttpConnection*> connections = m_connections.values();
    m_connections.clear();
    for (HttpConnection* connection : connections) {
        connection->disconnect(this);
        connection->abort(); // active responders emit clientDisconnected()
        delete connection;
    }
}

bool HttpServer::listen(const QHostAddress& address, quint16 port, QString* errorMessage)
{
    if (m_tcpServer->isListening()) {
        const QString message = tr("Cannot listen on %1: already listening on %2")
                                    .arg(endpointString(address, port),
                                        endpointString(m_tcpServer->serverAddress(), m_tcpServer->serverPort()));
        qCWarning(lcServer).noquote() << message;
        if (errorMessage != nullptr)
            *errorMessage = message;
        return false;
    }
    if (m_workers.isEmpty() && m_requestedWorkers > 0) {
        for (int i = 0; i < m_requestedWorkers; ++i) {
            Worker w;
            w.thread = new QThread(this);
            w.thread->setObjectName(QStringLiteral("http-worker-%1").arg(i));
            w.host = new HttpWorker(m_context);
            w.host->moveToThread(w.thread);
            connect(w.host, &HttpWorker::connectionClosed, this, &HttpServer::onWorkerConnectionClosed);
            w.thread->start();
            m_workers.append(w);
        }
        static_cast<AcceptingServer*>(m_tcpServer)->onDescriptor
            = [this](qintptr descriptor) { onIncomingDescriptor(descriptor); };
    }
    // Qt's default backlog (50) drops the connection attempts of a larger burst, which then wait for the client's
    // SYN retransmission (1 s, then 3 s, ...): let as many wait to be accepted as the server would serve.
    m_tcpServer->setListenBacklogSize(m_context->limits.maxConnections);
    if (!m_tcpServer->listen(address, port)) {
        const QString message
            = tr("Cannot listen on %1: %2").arg(endpointString(address, port), m_tcpServer->errorString());
        qCWarning(lcServer).noquote() << message;
        if (errorMessage != nullptr)
            *errorMessage = message;
        return false;
    }
    m_context->draining = false;
    m_acceptPaused = false;
    qCInfo(lcServer).noquote() << "listening on" << endpointString(serverAddress(), serverPort());
    Q_EMIT listeningChanged(true);
    return true;
}

quint16 HttpServer::serverPort() const
{
    return m_tcpServer->serverPort();
}

QHostAddress HttpServer::serverAddress() const
{
    return m_tcpServer->serverAddress();
}

bool HttpServer::isListening() const
{
    return m_tcpServer->isListening();
}

void HttpServer::close()
{
    const bool wasListening = m_tcpServer->isListening();
    m_tcpServer->close();
    m_acceptPaused = false;
    m_context->draining = true;
    const QList<HttpConnection*> connections = m_connections.values();
    for (HttpConnection* connection : connections) {
        if (m_connections.contains(connection))
            connection->closeIfIdle();
    }
    for (const Worker& w : std::as_const(m_workers))
        QMetaObject::invokeMethod(w.host, &HttpWorker::closeIdle, Qt::QueuedConnection);
    if (wasListening) {
        qCInfo(lcServer) << "stopped listening;" << connectionCount() << "connections still open";
        Q_EMIT listeningChanged(false);
    }
}

void HttpServer::closeAllConnections()
{
    const QList<HttpConnection*> connections = m_connections.values();
    for (HttpConnection* connection : connections) {
        if (m_connections.contains(connection)) // a clientDisconnected() slot may have closed others
            connection->abort();
    }
    // Workers never wait for this thread, so waiting for them cannot deadlock.
    for (const Worker& w : std::as_const(m_workers))
        QMetaObject::invokeMethod(w.host, &HttpWorker::abortAll, Qt::BlockingQueuedConnection);
}

int HttpServer::connectionCount() const
{
    return int(m_connections.size()) + m_workerConnections;
}

void HttpServer::setWorkerThreads(int count)
{
    if (!m_workers.isEmpty())
        return; // fixed once listening
    m_requestedWorkers = qMax(0, count);
}

void HttpServer::stopWorkers()
{
    for (const Worker& w : std::as_const(m_workers)) {
        w.host->disconnect(this);
        QMetaObject::invokeMethod(w.host, &HttpWorker::abortAll, Qt::BlockingQueuedConnection);
        // Deleted on its own thread, after the loop (and whatever the aborts queued there) ended.
        connect(w.thread, &QThread::finished, w.host, &QObject::deleteLater);
        w.thread->quit();
        w.thread->wait();
        delete w.thread;
    }
    m_workers.clear();
    m_workerConnections = 0;
}

void HttpServer::onIncomingDescriptor(qintptr descriptor)
{
    const Worker& w = m_workers.at(m_nextWorker);
    m_nextWorker = (m_nextWorker + 1) % int(m_workers.size());
    ++m_workerConnections;
    const quint64 id = m_nextConnectionId++;
    QMetaObject::invokeMethod(
        w.host, [host = w.host, descriptor, id] { host->adopt(descriptor, id); }, Qt::QueuedConnection);
    if (connectionCount() >= m_context->limits.maxConnections && !m_acceptPaused) {
        qCWarning(lcServer) << "connection limit" << m_context->limits.maxConnections
                            << "reached; not accepting until a connection closes";
        m_tcpServer->pauseAccepting();
        m_acceptPaused = true;
    }
}

void HttpServer::onWorkerConnectionClosed()
{
    --m_workerConnections;
    if (m_acceptPaused && connectionCount() < m_context->limits.maxConnections) {
        m_acceptPaused = false;
        if (m_tcpServer->isListening())
            m_tcpServer->resumeAccepting();
    }
}

const HttpServerLimits& HttpServer::limits() const
{
    return m_context->limits;
}

void HttpServer::setHandler(HttpHandler handler)
{
    m_context->handler = std::move(handler);
}

void HttpServer::setErrorBodyFactory(HttpErrorBodyFactory factory)
{
    m_context->errorBodyFactory = std::move(factory);
}

QPair<QByteArray, QByteArray> HttpServer::defaultErrorBody(int status, const QString& message)
{
    Q_UNUSED(status)
    const QJsonObject error {{QStringLiteral("message"), message}};
    const QJsonObject root {{QStringLiteral("error"), error}};
    return qMakePair(QByteArrayLiteral("application/json"), QJsonDocument(root).toJson(QJsonDocument::Compact));
}

void HttpServer::onNewConnection()
{
    while (m_tcpServer->hasPendingConnections()) {
        if (m_connections.size() >= m_context->limits.maxConnections) {
            if (!m_acceptPaused) {
                qCWarning(lcServer) << "connection limit" << m_context->limits.maxConnections
                                    << "reached; not accepting until a connection closes";
                m_tcpServer->pauseAccepting();
                m_acceptPaused = true;
            }
            return;
        }
        QTcpSocket* socket = m_tcpServer->nextPendingConnection();
        if (socket == nullptr)
            return;
        auto* connection = new HttpConnection(socket, m_context, m_nextConnectionId++, this);
        m_connections.insert(connection);
        connect(connection, &HttpConnection::closed, this, &HttpServer::onConnectionClosed);
    }
}

void HttpServer::onConnectionClosed(HttpConnection* connection)
{
    if (!m_connections.remove(connection))
        return;
    connection->deleteLater();
    if (m_acceptPaused && m_connections.size() < m_context->limits.maxConnections) {
        m_acceptPaused = false;
        if (m_tcpServer->isListening()) {
            m_tcpServer->resumeAccepting();
            // Connections accepted by QTcpServer before the pause do not announce themselves again.
            QMetaObject::invokeMethod(this, &HttpServer::onNewConnection, Qt::QueuedConnection);
        }
    }
}

} // namespace sy
