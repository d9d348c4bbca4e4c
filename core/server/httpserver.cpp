#include "httpserver.h"

#include "common/logging.h"
#include "httpconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <algorithm>

#include <sys/socket.h>
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

// Hands accepted descriptors to a callback: the socket is made on the thread that serves it.
class AcceptingServer : public QTcpServer
{
public:
    using QTcpServer::QTcpServer;
    std::function<void(qintptr)> onDescriptor;

protected:
    void incomingConnection(qintptr descriptor) override { onDescriptor(descriptor); }
};

QHostAddress peerOf(qintptr descriptor)
{
    sockaddr_storage address {};
    socklen_t length = sizeof address;
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr*>(&address), &length) != 0)
        return {};
    QHostAddress peer(reinterpret_cast<const sockaddr*>(&address));
    // An IPv4 client of a dual-stack socket is the same client as over IPv4.
    bool ok = false;
    const quint32 v4 = peer.toIPv4Address(&ok);
    return ok ? QHostAddress(v4) : peer;
}

} // namespace

HttpWorker::HttpWorker(std::shared_ptr<HttpServerContext> context)
    : m_context(std::move(context))
{
}

HttpWorker::~HttpWorker()
{
    abortAll();
}

void HttpWorker::adopt(qintptr descriptor, quint64 id, const QString& refusal)
{
    auto* socket = new QTcpSocket();
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcServer).noquote() << "cannot adopt an accepted connection:" << socket->errorString();
        const QHostAddress peer = peerOf(descriptor);
        delete socket;
        ::close(int(descriptor));
        Q_EMIT connectionClosed(peer, refusal.isEmpty());
        return;
    }
    auto* connection = new HttpConnection(socket, m_context, id, this);
    m_connections.insert(connection);
    const bool counted = refusal.isEmpty();
    connect(connection, &HttpConnection::closed, this, [this, counted](HttpConnection* c) {
        if (!m_connections.remove(c))
            return;
        c->deleteLater();
        Q_EMIT connectionClosed(c->peerAddress(), counted);
    });
    if (!counted)
        connection->refuse(429, refusal);
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
    static_cast<AcceptingServer*>(m_tcpServer)->onDescriptor
        = [this](qintptr descriptor) { onIncomingDescriptor(descriptor); };
}

HttpServer::~HttpServer()
{
    m_tcpServer->close();
    stopWorkers();
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
    if (m_workers.isEmpty()) {
        // Without worker threads, one worker serves on this thread.
        for (int i = 0; i < qMax(1, m_requestedWorkers); ++i) {
            Worker w;
            w.host = new HttpWorker(m_context);
            if (m_requestedWorkers > 0) {
                w.thread = new QThread(this);
                w.thread->setObjectName(QStringLiteral("http-worker-%1").arg(i));
                w.host->moveToThread(w.thread);
                w.thread->start();
            }
            connect(w.host, &HttpWorker::connectionClosed, this, &HttpServer::onWorkerConnectionClosed);
            m_workers.append(w);
        }
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
    for (const Worker& w : std::as_const(m_workers)) {
        if (w.thread)
            QMetaObject::invokeMethod(w.host, &HttpWorker::closeIdle, Qt::QueuedConnection);
        else
            w.host->closeIdle();
    }
    if (wasListening) {
        qCInfo(lcServer) << "stopped listening;" << connectionCount() << "connections still open";
        Q_EMIT listeningChanged(false);
    }
}

void HttpServer::closeAllConnections()
{
    // Workers never wait for this thread, so waiting for them cannot deadlock.
    for (const Worker& w : std::as_const(m_workers)) {
        if (w.thread)
            QMetaObject::invokeMethod(w.host, &HttpWorker::abortAll, Qt::BlockingQueuedConnection);
        else
            w.host->abortAll();
    }
}

int HttpServer::connectionCount() const
{
    return m_connectionCount;
}

void HttpServer::setWorkerThreads(int count)
{
    if (!m_workers.isEmpty())
        return; // fixed once listening
    m_requestedWorkers = qMax(0, count);
}

int HttpServer::workerThreads() const
{
    return int(std::count_if(m_workers.cbegin(), m_workers.cend(), [](const Worker& w) { return w.thread; }));
}

void HttpServer::stopWorkers()
{
    for (const Worker& w : std::as_const(m_workers)) {
        w.host->disconnect(this);
        if (!w.thread) {
            delete w.host; // aborts its connections: active responders emit clientDisconnected()
            continue;
        }
        QMetaObject::invokeMethod(w.host, &HttpWorker::abortAll, Qt::BlockingQueuedConnection);
        // Deleted on its own thread, after the loop (and whatever the aborts queued there) ended.
        connect(w.thread, &QThread::finished, w.host, &QObject::deleteLater);
        w.thread->quit();
        w.thread->wait();
        delete w.thread;
    }
    m_workers.clear();
    m_connectionCount = 0;
    m_perClient.clear();
}

void HttpServer::onIncomingDescriptor(qintptr descriptor)
{
    const Worker& w = m_workers.at(m_nextWorker);
    m_nextWorker = (m_nextWorker + 1) % int(m_workers.size());
    ++m_connectionCount;
    const quint64 id = m_nextConnectionId++;
    // One client (address) may not take all the connections: past its share it is answered 429 and closed.
    QString refusal;
    const QHostAddress peer = peerOf(descriptor);
    const int perClient = m_context->limits.maxConnectionsPerClient;
    int& held = m_perClient[peer];
    if (perClient > 0 && held >= perClient) {
        refusal = tr("too many connections from %1 (at most %2 per client)").arg(peer.toString()).arg(perClient);
        qCWarning(lcServer).noquote() << "connection" << id << "refused:" << refusal;
    } else {
        ++held;
    }
    if (w.thread) {
        QMetaObject::invokeMethod(
            w.host, [host = w.host, descriptor, id, refusal] { host->adopt(descriptor, id, refusal); },
            Qt::QueuedConnection);
    } else {
        w.host->adopt(descriptor, id, refusal);
    }
    if (connectionCount() >= m_context->limits.maxConnections && !m_acceptPaused) {
        qCWarning(lcServer) << "connection limit" << m_context->limits.maxConnections
                            << "reached; not accepting until a connection closes";
        m_tcpServer->pauseAccepting();
        m_acceptPaused = true;
    }
}

void HttpServer::onWorkerConnectionClosed(const QHostAddress& peer, bool counted)
{
    --m_connectionCount;
    if (counted) {
        const auto it = m_perClient.find(peer);
        if (it != m_perClient.end() && --it.value() <= 0)
            m_perClient.erase(it);
    }
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

void HttpServer::setRejectionObserver(HttpRejectionObserver observer)
{
    m_context->rejectionObserver = std::move(observer);
}

QPair<QByteArray, QByteArray> HttpServer::defaultErrorBody(int status, const QString& message)
{
    Q_UNUSED(status)
    const QJsonObject error {{QStringLiteral("message"), message}};
    const QJsonObject root {{QStringLiteral("error"), error}};
    return qMakePair(QByteArrayLiteral("application/json"), QJsonDocument(root).toJson(QJsonDocument::Compact));
}

} // namespace sy
