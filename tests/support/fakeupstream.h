#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

// A scripted HTTP/1.1 upstream on 127.0.0.1:0 for integration tests. Each request takes the next queued reply
// (or the default one). Replies can stream chunks on a timer, stop mid-stream, or hang.
struct FakeReply
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QList<QByteArray> chunks; // sent with chunked transfer encoding
    int chunkIntervalMs = 0;
    bool closeAfterChunks = false; // drop the connection without the terminating chunk
    bool hang = false; // read the request, answer nothing
    bool dropBeforeResponse = false; // read the request, then close the connection
    int hangAfterChunks = -1; // send this many chunks, then go silent
    bool reset = false; // dropBeforeResponse and closeAfterChunks end with a TCP reset (RST), not a FIN
    qint64 contentLength = -1; // >= 0: send the chunks as a plain body with this Content-Length instead of chunked
    QByteArray raw; // when set: these bytes are the whole answer (not HTTP at all), then the connection closes

    static FakeReply json(int status, const QByteArray& body);
    static FakeReply sse(const QByteArray& stream, int pieces = 1, int intervalMs = 0);
};

struct ReceivedRequest
{
    QByteArray method;
    QByteArray path;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QByteArray header(const QByteArray& name) const;
};

class FakeUpstream : public QObject
{
    Q_OBJECT
public:
    explicit FakeUpstream(QObject* parent = nullptr);
    ~FakeUpstream() override;
    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(port()); }
    void enqueue(const FakeReply& reply) { m_queue.append(reply); }
    void setDefault(const FakeReply& reply) { m_default = reply; }
    const QList<ReceivedRequest>& requests() const { return m_requests; }
    int openConnections() const { return m_open; }
    // Drops every open connection with a TCP reset (SO_LINGER 0), e.g. in the middle of a hanging reply.
    void resetConnections();

Q_SIGNALS:
    void requestReceived();
    void connectionClosed();

private:
    void onConnection();
    void onReadable(QTcpSocket* socket);
    void answer(QTcpSocket* socket, const FakeReply& reply);
    static void drop(QTcpSocket* socket, bool reset);

    QTcpServer m_server;
    QList<FakeReply> m_queue;
    FakeReply m_default;
    QList<ReceivedRequest> m_requests;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    int m_open = 0;
};

// Reads a whole HTTP response (Content-Length or chunked) from raw bytes; returns false if incomplete.
struct ParsedResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    qsizetype consumed = 0;
    QByteArray header(const QByteArray& name) const;
};
bool parseHttpResponse(const QByteArray& data, ParsedResponse* out);

// Sends `line` ("POST /v1/messages") with JSON `body` and `extraHeaders` (each ending in CRLF) to 127.0.0.1:port
// and reads the whole answer, running the event loop meanwhile (a gateway on this thread keeps working).
ParsedResponse sendHttp(
    quint16 port, const QByteArray& line, const QByteArray& body = {}, const QByteArray& extraHeaders = {});

// Anthropic SSE -> list of (event, data) pairs.
QList<QPair<QByteArray, QByteArray>> parseSseEvents(const QByteArray& body);

// Reads a file from ../shared (SWITCHYARD_SHARED_DIR, overridable by the environment); empty if missing.
QString sharedDir();
QByteArray readShared(const QString& relativePath);
