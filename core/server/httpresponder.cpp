#include "httpresponder.h"

#include "common/logging.h"
#include "httpconnection.h"

#include <charconv>
#include <cstring>

namespace sy {

namespace {

bool statusAllowsBody(int status)
{
    return !(status >= 100 && status < 200) && status != 204 && status != 304;
}

// Framing headers belong to the server.
bool isFramingHeader(QByteArrayView name)
{
    return equalsIgnoreCase(name, "content-length") || equalsIgnoreCase(name, "transfer-encoding")
        || equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "keep-alive");
}

bool hasLineBreak(const QByteArray& bytes)
{
    return std::memchr(bytes.constData(), '\r', size_t(bytes.size())) != nullptr
        || std::memchr(bytes.constData(), '\n', size_t(bytes.size())) != nullptr;
}

} // namespace

HttpResponder::HttpResponder(
    HttpConnection* connection, quint64 connectionId, bool headRequest, bool keepAlive, int httpMinor)
    : QObject(connection)
    , m_connection(connection)
    , m_connectionId(connectionId)
    , m_httpMinor(httpMinor)
    , m_headRequest(headRequest)
    , m_keepAlive(keepAlive)
{
}

HttpResponder::~HttpResponder()
{
    if (m_connection != nullptr) { // deleted by someone else while still active
        HttpConnection* connection = m_connection;
        m_connection = nullptr;
        connection->responderDestroyed(this);
    }
}

bool HttpResponder::checkUsable(const char* what, bool needStream) const
{
    if (m_disconnected || m_connection == nullptr) {
        if (!m_disconnected && m_finished)
            qCWarning(lcServer, "HttpResponder::%s() after the response finished", what);
        return false; // client gone: silently ignored
    }
    if (needStream && !m_streaming) {
        qCWarning(lcServer, "HttpResponder::%s() without beginStream()", what);
        return false;
    }
    if (!needStream && m_headersSent) {
        qCWarning(lcServer, "HttpResponder::%s() after the headers were sent", what);
        return false;
    }
    return true;
}

QByteArray HttpResponder::buildHead(int status, const HttpHeaders& given, qint64 contentLength, bool chunked)
{
    const HttpHeaders& headers = m_extraHeaders.isEmpty() ? given : given + m_extraHeaders;
    qsizetype estimate = 96;
    for (const auto& h : headers)
        estimate += h.first.size() + h.second.size() + 4;
    QByteArray head;
    head.reserve(estimate);

    char number[24];
    if (status < 100 || status > 999) {
        qCWarning(lcServer) << "HttpResponder: invalid status" << status << "replaced by 500";
        status = 500;
    }
    auto r = std::to_chars(number, number + sizeof number, status);
    head.append("HTTP/1.1 ", 9).append(number, r.ptr - number).append(' ').append(httpReasonPhrase(status));
    head.append("\r\n", 2);
    for (const auto& h : headers) {
        if (h.first.isEmpty() || isFramingHeader(h.first)) {
            qCDebug(lcServer) << "HttpResponder: dropping handler header" << h.first;
            continue;
        }
        if (hasLineBreak(h.first) || hasLineBreak(h.second)) {
            qCWarning(lcServer) << "HttpResponder: dropping header with a line break:" << h.first.left(64);
            continue;
        }
        head.append(h.first).append(": ", 2).append(h.second).append("\r\n", 2);
    }
    if (contentLength >= 0) {
        r = std::to_chars(number, number + sizeof number, contentLength);
        head.append("Content-Length: ", 16).append(number, r.ptr - number).append("\r\n", 2);
    } else if (chunked) {
        head.append("Transfer-Encoding: chunked\r\n", 28);
    }
    if (m_keepAlive)
        head.append("Connection: keep-alive\r\n\r\n", 26);
    else
        head.append("Connection: close\r\n\r\n", 21);
    qCDebug(lcServer) << "connection" << m_connectionId << "response" << status
                      << (contentLength >= 0 ? "with length"
                                 : chunked   ? "chunked"
                                             : "close-delimited/no body")
                      << (m_keepAlive ? "keep-alive" : "close");
    return head;
}

void HttpResponder::respond(int status, const HttpHeaders& headers, const QByteArray& body)
{
    if (!checkUsable("respond", false))
        return;
    const bool bodyAllowed = statusAllowsBody(status);
    m_bodyAllowed = bodyAllowed && !m_headRequest;
    m_keepAlive = m_keepAlive && m_connection->keepAliveAllowed();
    const QByteArray head = buildHead(status, headers, bodyAllowed ? qint64(body.size()) : -1, false);
    m_headersSent = true;
    m_connection->writeResponse(head, m_bodyAllowed ? body : QByteArray());
    finish();
}

void HttpResponder::respondError(int status, const QString& message)
{
    if (!checkUsable("respondError", false))
        return;
    const auto [contentType, body] = m_connection->errorBody(status, message);
    HttpHeaders headers;
    if (!contentType.isEmpty())
        headers.append(qMakePair(QByteArrayLiteral("Content-Type"), contentType));
    respond(status, headers, body);
}

void HttpResponder::beginStream(int status, const HttpHeaders& headers)
{
    if (!checkUsable("beginStream", false))
        return;
    const bool bodyAllowed = statusAllowsBody(status);
    m_streaming = true;
    m_bodyAllowed = bodyAllowed && !m_headRequest;
    m_chunked = bodyAllowed && m_httpMinor >= 1; // also announced for HEAD: same headers as GET
    if (m_bodyAllowed && !m_chunked)
        m_keepAlive = false; // HTTP/1.0: the body ends when the connection closes
    m_keepAlive = m_keepAlive && m_connection->keepAliveAllowed();
    const QByteArray head = buildHead(status, headers, -1, m_chunked);
    m_headersSent = true;
    m_connection->writeBytes(head.constData(), head.size());
}

void HttpResponder::writeChunk(QByteArrayView data)
{
    if (!checkUsable("writeChunk", true) || data.isEmpty() || !m_bodyAllowed)
        return;
    if (m_chunked)
        m_connection->writeChunk(data);
    else
        m_connection->writeBytes(data.data(), data.size());
}

void HttpResponder::endStream()
{
    if (!checkUsable("endStream", true))
        return;
    if (m_chunked && m_bodyAllowed)
        m_connection->writeBytes("0\r\n\r\n", 5);
    finish();
}

void HttpResponder::finish()
{
    m_finished = true;
    HttpConnection* connection = m_connection;
    m_connection = nullptr;
    connection->responderFinished(this, m_keepAlive);
}

void HttpResponder::onConnectionLost()
{
    m_connection = nullptr;
    if (m_finished || m_disconnected)
        return;
    m_disconnected = true;
    Q_EMIT clientDisconnected();
}

} // namespace sy
