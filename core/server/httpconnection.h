#pragma once

// Internal to core/server: one accepted TCP connection. Users only see HttpServer, HttpRequest and HttpResponder.

#include "httprequest.h"
#include "httpserver.h"

#include <QBasicTimer>
#include <QByteArray>
#include <QDeadlineTimer>
#include <QObject>
#include <QSet>

#include <http_parser.h>

#include <atomic>
#include <memory>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace sy {

// "OK", "Not Found", ... ("Unknown" for codes http_parser does not know).
const char* httpReasonPhrase(int status);

// What a connection shares with its server. Held by shared_ptr so a connection never outlives it.
struct HttpServerContext
{
    HttpServerLimits limits;
    HttpHandler handler;
    HttpErrorBodyFactory errorBodyFactory;
    HttpRejectionObserver rejectionObserver;
    std::atomic<bool> draining = false; // the server stopped listening: no more keep-alive
};

// Runs http_parser over one QTcpSocket. Requests are handled strictly one at a time: the parser is paused at the
// end of each request and only continues with the bytes already received (pipelining) after the response finished.
class HttpConnection : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    // Takes ownership of `socket` (reparents it).
    HttpConnection(QTcpSocket* socket, std::shared_ptr<HttpServerContext> context, quint64 id, QObject* parent);
    ~HttpConnection() override;

    quint64 id() const { return m_id; }
    // Between requests, nothing received of the next one, no response in progress.
    bool isIdle() const;
    // Closes the connection if it is idle (used when the server stops listening).
    void closeIfIdle();
    // Drops the connection at once (RST). An active responder emits clientDisconnected(). Emits closed().
    void abort();
    // Answers `status` with `message` at once, without waiting for a request, and closes (a connection over a limit).
    void refuse(int status, const QString& message);
    QHostAddress peerAddress() const { return m_peerAddress; }

Q_SIGNALS:
    // The connection is finished; the server deletes it (deleteLater).
    void closed(sy::HttpConnection* connection);

protected:
    void timerEvent(QTimerEvent* event) override;

private:
    friend class HttpResponder;
    friend struct HttpParserCallbacks;

    enum class State {
        Reading, // parsing (between requests or inside one)
        Responding, // a complete request is with the handler; input waits
        Closing, // the last bytes are being flushed; then half-close
        Lingering, // we sent FIN; discarding input until the client closes or a short timeout
        Closed,
    };
    enum class TimerKind { None, Idle, Request, Flush, Linger };

    void onReadyRead();
    void onBytesWritten();
    void onDisconnected();
    void processInput();
    bool readMoreInput();
    void dispatchRequest();
    void failRequest(int status, const QString& message);
    void beginClose();
    void halfClose();
    void finishClose();
    void armTimer(TimerKind kind, int ms);
    int stopParser(int status, QString message);
    int checkHeaderBytes();
    void splitTarget();

    // http_parser callbacks
    int onMessageBegin();
    int onUrl(const char* at, size_t length);
    int onHeaderField(const char* at, size_t length);
    int onHeaderValue(const char* at, size_t length);
    int onHeadersComplete();
    int onBody(const char* at, size_t length);
    int onMessageComplete();
    int onChunkHeader();

    // used by HttpResponder
    bool keepAliveAllowed() const;
    void writeBytes(const char* data, qint64 size);
    void writeResponse(const QByteArray& head, const QByteArray& body);
    void writeChunk(QByteArrayView data);
    void responderFinished(HttpResponder* responder, bool keepAlive);
    void responderDestroyed(HttpResponder* responder);
    QPair<QByteArray, QByteArray> errorBody(int status, const QString& message) const;

    QTcpSocket* m_socket;
    std::shared_ptr<HttpServerContext> m_context;
    const quint64 m_id;
    QHostAddress m_peerAddress;
    State m_state = State::Reading;

    http_parser m_parser;
    QByteArray m_input; // bytes read from the socket; [m_inputPos, size) not yet parsed
    qsizetype m_inputPos = 0;
    HttpRequest m_request; // the request being parsed
    bool m_inMessage = false;
    bool m_headersDone = false;
    bool m_lastWasValue = false; // header callback state: a value was seen since the last field
    bool m_isHead = false;
    bool m_processing = false; // re-entrancy guard for processInput()
    qint64 m_headerBytes = 0;
    int m_errorStatus = 0; // set by a callback that stopped the parser
    QString m_errorMessage;

    HttpResponder* m_responder = nullptr; // the active responder (child of this)
    QByteArray m_scratch; // chunk framing buffer

    QBasicTimer m_timer;
    TimerKind m_timerKind = TimerKind::None;
    QDeadlineTimer m_deadline; // when the current timer kind expires
    QDeadlineTimer m_timerFires; // when m_timer is set to fire
};

// One worker thread's share of the server: adopts accepted sockets and owns their connections. Lives in its thread.
class HttpWorker : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpWorker)

public:
    explicit HttpWorker(std::shared_ptr<HttpServerContext> context);
    ~HttpWorker() override;

    // Each runs on the worker's thread (invoke them queued from the server's thread). With a `refusal`, the
    // connection is answered 429 with that message and closed.
    void adopt(qintptr descriptor, quint64 id, const QString& refusal);
    void closeIdle();
    void abortAll();

Q_SIGNALS:
    // `counted`: the connection counted against its client's limit (it was not a refusal).
    void connectionClosed(const QHostAddress& peer, bool counted);

private:
    std::shared_ptr<HttpServerContext> m_context;
    QSet<HttpConnection*> m_connections;
};

} // namespace sy
