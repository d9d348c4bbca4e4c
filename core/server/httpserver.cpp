#include "httpserver.h"

#include "common/logging.h"
#include "httpconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>

namespace sy {

namespace {

QString endpointString(const QHostAddress& address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

} // namespace

HttpServer::HttpServer(HttpServerLimits limits, QObject* parent)
    : QObject(parent)
    , m_tcpServer(new QTcpServer(this))
    , m_context(std::make_shared<HttpServerContext>())
{
    m_context->limits = limits;
    connect(m_tcpServer, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
}

HttpServer::~HttpServer()
{
    m_tcpServer->close();
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
    if (wasListening) {
        qCInfo(lcServer) << "stopped listening;" << m_connections.size() << "connections still open";
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
}

int HttpServer::connectionCount() const
{
    return int(m_connections.size());
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
