#pragma once

#include "httprequest.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QObject>
#include <QString>

namespace sy {

class HttpConnection;

// The answer channel for one request. Created by the connection and handed to the handler.
//
// Either respond() once, or beginStream() / writeChunk()... / endStream(). The server adds the framing headers
// (Content-Length or Transfer-Encoding: chunked, and Connection: keep-alive/close); handlers must not set them
// (such headers are dropped). Header values containing CR or LF are dropped too.
//
// Ownership and lifetime: the connection owns the responder (it is a child of the connection object).
// After finished() becomes true, or after clientDisconnected() was emitted, the responder is deleted with
// deleteLater(); it is also deleted when its connection goes away. A handler that answers asynchronously must
// therefore hold it in a QPointer<HttpResponder> and check it before use. Within the call stack of the handler or
// of a clientDisconnected() slot the pointer stays valid.
//
// Once the client is gone every write is silently ignored. Use from the server's thread only.
class HttpResponder : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpResponder)

public:
    ~HttpResponder() override;

    // A complete response with Content-Length. For a HEAD request only the headers are sent (Content-Length is that
    // of `body`). For 1xx/204/304 no body and no Content-Length are sent.
    void respond(int status, const HttpHeaders& headers, const QByteArray& body);
    // respond() with the body made by the server's error body factory (the same shape as the server's own errors).
    void respondError(int status, const QString& message);

    // Starts a streamed response: chunked for HTTP/1.1 clients; for HTTP/1.0 clients the body is delimited by
    // closing the connection. The header block is handed to the socket at once.
    void beginStream(int status, const HttpHeaders& headers);
    // One chunk, handed to the socket at once (no buffering here). Empty data is ignored.
    void writeChunk(QByteArrayView data);
    // Writes the terminating zero-length chunk and finishes the response.
    void endStream();

    // Headers added to whatever response follows (e.g. CORS headers for an allowed origin).
    void setExtraHeaders(const HttpHeaders& headers) { m_extraHeaders = headers; }

    bool headersSent() const { return m_headersSent; }
    bool finished() const { return m_finished; }
    bool isClientConnected() const { return !m_disconnected; }
    bool isHeadRequest() const { return m_headRequest; }
    quint64 connectionId() const { return m_connectionId; }

Q_SIGNALS:
    // The client went away (or the server dropped the connection) before the response finished. Emitted at most
    // once; afterwards all writes are ignored and the responder is deleted later.
    void clientDisconnected();

private:
    friend class HttpConnection;
    HttpResponder(HttpConnection* connection, quint64 connectionId, bool headRequest, bool keepAlive, int httpMinor);

    bool checkUsable(const char* what, bool needStream) const;
    QByteArray buildHead(int status, const HttpHeaders& headers, qint64 contentLength, bool chunked);
    void finish();
    void onConnectionLost(); // called by the connection

    HttpConnection* m_connection; // null once finished or disconnected
    quint64 m_connectionId;
    int m_httpMinor;
    HttpHeaders m_extraHeaders;
    bool m_headRequest;
    bool m_keepAlive;
    bool m_headersSent = false;
    bool m_finished = false;
    bool m_disconnected = false;
    bool m_streaming = false;
    bool m_chunked = false;
    bool m_bodyAllowed = true; // false for HEAD and for 1xx/204/304
};

} // namespace sy
