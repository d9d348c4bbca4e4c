#pragma once

#include "httprequest.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPair>
#include <QString>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QTcpServer;
QT_END_NAMESPACE

namespace sy {

class HttpConnection;
class HttpResponder;
struct HttpServerContext;

struct HttpServerLimits
{
    qint64 maxBodyBytes = 32 * 1024 * 1024; // larger request bodies get 413 and a close
    int maxHeaderBytes = 64 * 1024; // request line + headers; more gets 431 and a close (see note below)
    int idleTimeoutMs = 120000; // a keep-alive connection with no request in progress is closed after this
    int requestTimeoutMs = 60000; // a request must be complete this long after its first byte, else 408
    int maxConnections = 1024; // at the limit the server stops accepting until a connection closes
    int maxConnectionsPerClient = 256; // one address past this gets 429 and a close (0: no limit)
};
// Note: http_parser itself refuses header blocks over 80 KiB (its compile-time HTTP_MAX_HEADER_SIZE), so
// maxHeaderBytes values above that behave like 80 KiB. Those requests also get 431.

// Called once per complete request, on the server's thread. The handler answers through the responder, at once or
// later. See HttpResponder for its lifetime.
using HttpHandler = std::function<void(const HttpRequest& request, HttpResponder* responder)>;
// Makes the body of the error responses the server produces itself (400, 408, 413, 431, 503, ...). `path` is the
// request's path as far as it was read (empty when the request line was unreadable), so the answer can be in the
// dialect of the endpoint the client called.
using HttpErrorBodyFactory = std::function<QPair<QByteArray /*content-type*/, QByteArray /*body*/>(
    int status, const QString& message, const QByteArray& path)>;

// A request the server answered itself, without the handler: malformed (400), too slow (408), too large (413, 431),
// a version it does not speak (505), or a connection past its client's share (429). Reported once each.
struct HttpRejection
{
    int status = 0;
    QString message;
    QByteArray method; // empty when the request line was not read
    QByteArray path; // as far as it was read
    QHostAddress peer;
};
using HttpRejectionObserver = std::function<void(const HttpRejection& rejection)>;

// A small HTTP/1.1 server on QTcpServer + http_parser: keep-alive, pipelining (answered in order), chunked request
// bodies, Expect: 100-continue, streaming (chunked) responses, size limits and timeouts. By default everything runs on
// the thread the server lives in; with setWorkerThreads(n) the server thread only accepts and each connection is
// served, start to end, on one of n worker threads (round-robin), so the handler runs on that worker's thread.
//
// Do not delete the server from inside its handler or a responder signal; use deleteLater().
class HttpServer : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    explicit HttpServer(HttpServerLimits limits = {}, QObject* parent = nullptr);
    ~HttpServer() override;

    // Starts listening. Port 0 picks a free port (see serverPort()). On failure returns false and, if errorMessage is
    // not null, sets it to a message naming the address:port and the reason.
    bool listen(const QHostAddress& address, quint16 port, QString* errorMessage = nullptr);
    quint16 serverPort() const;
    QHostAddress serverAddress() const;
    bool isListening() const;
    // Stops accepting. Requests in progress finish (their responses say "Connection: close"); idle keep-alive
    // connections are closed.
    void close();
    // Drops every connection at once; active responders emit clientDisconnected().
    void closeAllConnections();
    int connectionCount() const;

    // Serve connections on `count` worker threads, each with its own event loop (0: on the server's thread). Call
    // before listen(); the threads end when the server is destroyed.
    void setWorkerThreads(int count);
    int workerThreads() const;

    const HttpServerLimits& limits() const;
    void setHandler(HttpHandler handler);
    // Default: application/json {"error":{"message":"..."}}.
    void setErrorBodyFactory(HttpErrorBodyFactory factory);
    // Called on the connection's thread for each rejection (see HttpRejection). Set before listen().
    void setRejectionObserver(HttpRejectionObserver observer);

    // The factory used when none is set.
    static QPair<QByteArray, QByteArray> defaultErrorBody(int status, const QString& message);

Q_SIGNALS:
    void listeningChanged(bool listening);

private:
    void onIncomingDescriptor(qintptr descriptor);
    void onWorkerConnectionClosed(const QHostAddress& peer, bool counted);
    void stopWorkers();

    struct Worker
    {
        class QThread* thread = nullptr; // null: the worker lives on the server's thread
        class HttpWorker* host = nullptr; // lives in `thread`; owns that thread's connections
    };

    QTcpServer* m_tcpServer = nullptr;
    std::shared_ptr<HttpServerContext> m_context;
    quint64 m_nextConnectionId = 1;
    bool m_acceptPaused = false;
    QList<Worker> m_workers;
    int m_requestedWorkers = 0;
    int m_nextWorker = 0;
    int m_connectionCount = 0; // open connections on the workers (counted here, on the server's thread)
    QHash<QHostAddress, int> m_perClient; // open connections per client address, refusals not counted
};

} // namespace sy
