#include "httpconnection.h"

#include "common/logging.h"
#include "httpresponder.h"

#include <QTcpSocket>
#include <QTimerEvent>

#include <charconv>
#include <climits>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

namespace sy {

namespace {

constexpr qint64 MaxReadChunk = 64 * 1024; // bytes taken from the socket per parser pass
constexpr qint64 SocketReadBufferSize = 1024 * 1024; // Qt-side buffering while a response is in progress
constexpr qsizetype KeepInputCapacity = 16 * 1024; // larger input buffers are released when idle
constexpr qsizetype CoalesceLimit = 64 * 1024; // bodies up to this size are copied behind the head
constexpr qsizetype ChunkCoalesceLimit = 16 * 1024; // chunks up to this size are framed in one write
constexpr qint64 RequestLineOverhead = 16; // method, spaces, version, CRLF (approximation)
constexpr qint64 HeaderLineOverhead = 4; // ": " and CRLF
constexpr int LingerTimeoutMs = 2000; // how long we drain input after our FIN

} // namespace

const char* httpReasonPhrase(int status)
{
    switch (status) {
    // The ones http_parser spells differently or lacks, and the hot ones first.
    case 200:
        return "OK";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    default:
        break;
    }
    const char* phrase = http_status_str(static_cast<enum http_status>(status));
    if (phrase == nullptr || phrase[0] == '<')
        return "Unknown";
    return phrase;
}

// Static trampolines from http_parser's C callbacks to the connection.
struct HttpParserCallbacks
{
    static HttpConnection* self(http_parser* p) { return static_cast<HttpConnection*>(p->data); }
    static int messageBegin(http_parser* p) { return self(p)->onMessageBegin(); }
    static int url(http_parser* p, const char* at, size_t n) { return self(p)->onUrl(at, n); }
    static int headerField(http_parser* p, const char* at, size_t n) { return self(p)->onHeaderField(at, n); }
    static int headerValue(http_parser* p, const char* at, size_t n) { return self(p)->onHeaderValue(at, n); }
    static int headersComplete(http_parser* p) { return self(p)->onHeadersComplete(); }
    static int body(http_parser* p, const char* at, size_t n) { return self(p)->onBody(at, n); }
    static int messageComplete(http_parser* p) { return self(p)->onMessageComplete(); }
    static int chunkHeader(http_parser* p) { return self(p)->onChunkHeader(); }

    static const http_parser_settings& settings()
    {
        static const http_parser_settings s = [] {
            http_parser_settings st;
            http_parser_settings_init(&st);
            st.on_message_begin = &messageBegin;
            st.on_url = &url;
            st.on_header_field = &headerField;
            st.on_header_value = &headerValue;
            st.on_headers_complete = &headersComplete;
            st.on_body = &body;
            st.on_message_complete = &messageComplete;
            st.on_chunk_header = &chunkHeader;
            return st;
        }();
        return s;
    }
};

HttpConnection::HttpConnection(
    QTcpSocket* socket, std::shared_ptr<HttpServerContext> context, quint64 id, QObject* parent)
    : QObject(parent)
    , m_socket(socket)
    , m_context(std::move(context))
    , m_id(id)
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // While a response is in progress, pipelined input stays in the socket. Bounding Qt's buffer gives TCP
    // back-pressure instead of unbounded memory.
    m_socket->setReadBufferSize(SocketReadBufferSize);
    m_peerAddress = m_socket->peerAddress();

    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;

    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);

    armTimer(TimerKind::Idle, m_context->limits.idleTimeoutMs);
    qCDebug(lcServer) << "connection" << m_id << "accepted from" << m_peerAddress.toString();

    // Bytes (or the hang-up) may have arrived before we connected.
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, &HttpConnection::onDisconnected, Qt::QueuedConnection);
    else if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    m_socket->disconnect(this);
    if (m_responder != nullptr) {
        HttpResponder* responder = m_responder;
        m_responder = nullptr;
        responder->onConnectionLost();
    }
}

bool HttpConnection::isIdle() const
{
    return m_state == State::Reading && !m_inMessage && m_inputPos >= m_input.size() && m_socket->bytesAvailable() == 0;
}

void HttpConnection::closeIfIdle()
{
    if (isIdle())
        beginClose();
}

void HttpConnection::abort()
{
    if (m_state == State::Closed)
        return;
    qCDebug(lcServer) << "connection" << m_id << "aborted";
    m_socket->abort();
    onDisconnected(); // no-op if abort() already led there
}

// ---- input -------------------------------------------------------------------------------------------------------

void HttpConnection::onReadyRead()
{
    switch (m_state) {
    case State::Reading:
        processInput();
        break;
    case State::Responding:
        break; // pipelined input waits in the socket until the response finished
    case State::Closing:
    case State::Lingering:
        m_socket->skip(m_socket->bytesAvailable());
        break;
    case State::Closed:
        break;
    }
}

bool HttpConnection::readMoreInput()
{
    m_inputPos = 0;
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0) {
        m_input.resize(0);
        return false;
    }
    const qint64 want = qMin(available, MaxReadChunk);
    if (m_input.capacity() < want)
        m_input.reserve(qMax<qsizetype>(qsizetype(want), 4096));
    m_input.resize(qsizetype(want));
    const qint64 got = m_socket->read(m_input.data(), want);
    if (got <= 0) {
        m_input.resize(0);
        return false;
    }
    m_input.resize(qsizetype(got));
    return true;
}

void HttpConnection::processInput()
{
    if (m_processing)
        return; // the loop further up the stack picks up the new state
    m_processing = true;
    while (m_state == State::Reading) {
        if (m_inputPos >= m_input.size() && !readMoreInput())
            break;
        const char* data = m_input.constData() + m_inputPos;
        const size_t length = size_t(m_input.size() - m_inputPos);
        const size_t parsed = http_parser_execute(&m_parser, &HttpParserCallbacks::settings(), data, length);
        m_inputPos += qsizetype(parsed);
        const http_errno error = HTTP_PARSER_ERRNO(&m_parser);
        if (error == HPE_PAUSED) {
            http_parser_pause(&m_parser, 0);
            dispatchRequest(); // may answer synchronously, then we continue with the buffered bytes
            continue;
        }
        if (error != HPE_OK) {
            int status = m_errorStatus;
            QString message = m_errorMessage;
            if (status == 0) {
                status = (error == HPE_HEADER_OVERFLOW) ? 431 : 400;
                message
                    = QStringLiteral("Malformed HTTP request: %1").arg(QLatin1String(http_errno_description(error)));
            }
            failRequest(status, message);
            break;
        }
        if (parsed < length) { // cannot happen without an error or a pause; never loop on it
            failRequest(400, QStringLiteral("Malformed HTTP request"));
            break;
        }
    }
    m_processing = false;
}

void HttpConnection::dispatchRequest()
{
    m_state = State::Responding;
    armTimer(TimerKind::None, 0);

    HttpRequest request = std::move(m_request);
    m_request = HttpRequest();
    request.peerAddress = m_peerAddress;
    request.connectionId = m_id;

    if (m_inputPos >= m_input.size() && m_input.capacity() > KeepInputCapacity) {
        // The request was big and nothing of the next one is here: no need to hold its bytes while it is answered.
        m_input = QByteArray();
        m_inputPos = 0;
    }
    auto* responder = new HttpResponder(this, m_id, m_isHead, request.keepAlive, request.httpMinor);
    m_responder = responder;
    qCDebug(lcServer).nospace() << "connection " << m_id << ": " << request.method << ' ' << request.path << " HTTP/1."
                                << request.httpMinor << " (" << request.body.size() << " body bytes)";
    if (m_context->handler)
        m_context->handler(request, responder);
    else
        responder->respondError(503, QStringLiteral("No request handler is installed"));
}

void HttpConnection::refuse(int status, const QString& message)
{
    failRequest(status, message);
}

void HttpConnection::failRequest(int status, const QString& message)
{
    if (m_state == State::Closing || m_state == State::Lingering || m_state == State::Closed)
        return;
    qCInfo(lcServer).nospace() << "connection " << m_id << ": " << status << ' ' << message;
    if (m_responder != nullptr) { // not expected: errors are only found while reading
        abort();
        return;
    }
    const auto [contentType, body] = errorBody(status, message);
    if (m_context->rejectionObserver) {
        HttpRejection rejection;
        rejection.status = status;
        rejection.message = message;
        if (m_headersDone)
            rejection.method = http_method_str(static_cast<enum http_method>(m_parser.method));
        rejection.path = m_request.path.isEmpty() ? m_request.target.left(200) : m_request.path.left(200);
        const qsizetype q = rejection.path.indexOf('?');
        if (q >= 0)
            rejection.path.truncate(q);
        rejection.peer = m_peerAddress;
        m_context->rejectionObserver(rejection);
    }
    QByteArray head;
    head.reserve(160 + contentType.size());
    char number[24];
    head.append("HTTP/1.1 ");
    auto r = std::to_chars(number, number + sizeof number, status);
    head.append(number, r.ptr - number).append(' ').append(httpReasonPhrase(status)).append("\r\n");
    if (!contentType.isEmpty())
        head.append("Content-Type: ").append(contentType).append("\r\n");
    r = std::to_chars(number, number + sizeof number, qint64(body.size()));
    head.append("Content-Length: ").append(number, r.ptr - number).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    writeResponse(head, body);
    m_inMessage = false;
    beginClose();
}

// ---- closing ------------------------------------------------------------------------------------------------------

// The last response is queued. Flush it, then half-close and drain what the client still sends, so that unread
// input does not turn our close into a reset that destroys the response before the client read it.
void HttpConnection::beginClose()
{
    if (m_state == State::Closing || m_state == State::Lingering || m_state == State::Closed)
        return;
    m_state = State::Closing;
    m_input = QByteArray();
    m_inputPos = 0;
    m_socket->skip(m_socket->bytesAvailable());
    if (m_socket->bytesToWrite() == 0)
        halfClose();
    else
        armTimer(TimerKind::Flush, m_context->limits.idleTimeoutMs);
}

void HttpConnection::onBytesWritten()
{
    if (m_state != State::Closing)
        return;
    if (m_socket->bytesToWrite() == 0)
        halfClose();
    else
        armTimer(TimerKind::Flush, m_context->limits.idleTimeoutMs); // progress: push the deadline
}

void HttpConnection::halfClose()
{
    m_state = State::Lingering;
    const qintptr fd = m_socket->socketDescriptor();
    if (fd == -1 || m_socket->state() != QAbstractSocket::ConnectedState) {
        finishClose();
        return;
    }
#ifdef Q_OS_WIN
    ::shutdown(SOCKET(fd), SD_SEND);
#else
    ::shutdown(int(fd), SHUT_WR);
#endif
    m_socket->skip(m_socket->bytesAvailable());
    armTimer(TimerKind::Linger, LingerTimeoutMs);
}

void HttpConnection::finishClose()
{
    if (m_state == State::Closed)
        return;
    m_socket->abort();
    onDisconnected();
}

void HttpConnection::onDisconnected()
{
    if (m_state == State::Closed)
        return;
    const bool wasResponding = m_state == State::Responding;
    m_state = State::Closed;
    m_timer.stop();
    m_timerKind = TimerKind::None;
    qCDebug(lcServer) << "connection" << m_id << "closed" << (wasResponding ? "during a response" : "");
    if (m_responder != nullptr) {
        HttpResponder* responder = m_responder;
        m_responder = nullptr;
        responder->onConnectionLost();
        responder->deleteLater();
    }
    Q_EMIT closed(this);
}

// ---- timers -------------------------------------------------------------------------------------------------------

// One QBasicTimer serves all deadlines. Re-arming only moves m_deadline; the timer itself is restarted only when it
// would fire too late, so a busy keep-alive connection does not re-register a timer per request.
void HttpConnection::armTimer(TimerKind kind, int ms)
{
    if (kind != TimerKind::None && ms <= 0)
        kind = TimerKind::None; // that limit is disabled
    m_timerKind = kind;
    if (kind == TimerKind::None)
        return; // a running timer finds nothing to do when it fires
    m_deadline = QDeadlineTimer(ms);
    if (!m_timer.isActive() || m_deadline < m_timerFires) {
        m_timer.start(ms, this);
        m_timerFires = m_deadline;
    }
}

void HttpConnection::timerEvent(QTimerEvent* event)
{
    if (event->timerId() != m_timer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    if (m_timerKind == TimerKind::None) {
        m_timer.stop();
        return;
    }
    const qint64 remaining = m_deadline.remainingTime();
    if (remaining > 0) {
        m_timer.start(int(qMin<qint64>(remaining, INT_MAX)), this);
        m_timerFires = m_deadline;
        return;
    }
    m_timer.stop();
    const TimerKind kind = m_timerKind;
    m_timerKind = TimerKind::None;
    switch (kind) {
    case TimerKind::Idle:
        if (m_state == State::Reading && !m_inMessage) {
            qCDebug(lcServer) << "connection" << m_id << "idle timeout";
            beginClose();
        }
        break;
    case TimerKind::Request:
        if (m_state == State::Reading && m_inMessage)
            failRequest(408, QStringLiteral("The request was not received in time"));
        break;
    case TimerKind::Flush:
    case TimerKind::Linger:
        finishClose();
        break;
    case TimerKind::None:
        break;
    }
}

// ---- http_parser callbacks ----------------------------------------------------------------------------------------

int HttpConnection::stopParser(int status, QString message)
{
    m_errorStatus = status;
    m_errorMessage = std::move(message);
    return -1;
}

int HttpConnection::checkHeaderBytes()
{
    if (m_headerBytes > m_context->limits.maxHeaderBytes) {
        return stopParser(431,
            QStringLiteral("The request header block exceeds the limit of %1 bytes")
                .arg(m_context->limits.maxHeaderBytes));
    }
    return 0;
}

int HttpConnection::onMessageBegin()
{
    m_inMessage = true;
    m_headersDone = false;
    m_lastWasValue = false;
    m_isHead = false;
    m_headerBytes = RequestLineOverhead;
    m_errorStatus = 0;
    armTimer(TimerKind::Request, m_context->limits.requestTimeoutMs);
    return 0;
}

int HttpConnection::onUrl(const char* at, size_t length)
{
    m_headerBytes += qint64(length);
    if (checkHeaderBytes() != 0)
        return -1;
    m_request.target.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderField(const char* at, size_t length)
{
    m_headerBytes += qint64(length);
    if (m_headersDone) // a trailer of a chunked body: counted, not kept
        return checkHeaderBytes();
    if (m_lastWasValue || m_request.headers.isEmpty()) {
        m_request.headers.append(qMakePair(QByteArray(at, qsizetype(length)), QByteArray()));
        m_headerBytes += HeaderLineOverhead;
        m_lastWasValue = false;
    } else {
        m_request.headers.last().first.append(at, qsizetype(length));
    }
    return checkHeaderBytes();
}

int HttpConnection::onHeaderValue(const char* at, size_t length)
{
    m_headerBytes += qint64(length);
    if (checkHeaderBytes() != 0)
        return -1;
    if (m_headersDone || m_request.headers.isEmpty())
        return 0;
    m_request.headers.last().second.append(at, qsizetype(length));
    m_lastWasValue = true;
    return 0;
}

void HttpConnection::splitTarget()
{
    const QByteArray& target = m_request.target;
    if (target.startsWith('/')) {
        qsizetype end = target.indexOf('#');
        if (end < 0)
            end = target.size();
        const qsizetype q = target.indexOf('?');
        if (q >= 0 && q < end) {
            m_request.path = target.left(q);
            m_request.query = target.mid(q + 1, end - q - 1);
        } else {
            m_request.path = end == target.size() ? target : target.left(end);
        }
        return;
    }
    http_parser_url url;
    http_parser_url_init(&url);
    if (target.contains("://")
        && http_parser_parse_url(target.constData(), size_t(target.size()), 0, &url) == 0) { // absolute-form
        if (url.field_set & (1 << UF_PATH))
            m_request.path = target.mid(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
        else
            m_request.path = QByteArrayLiteral("/");
        if (url.field_set & (1 << UF_QUERY))
            m_request.query = target.mid(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len);
        return;
    }
    m_request.path = target; // authority-form (CONNECT) or "*"
}

int HttpConnection::onHeadersComplete()
{
    m_headersDone = true;
    if (m_parser.http_major != 1)
        return stopParser(505, QStringLiteral("HTTP version not supported"));

    const char* method = http_method_str(static_cast<enum http_method>(m_parser.method));
    m_request.method = QByteArray::fromRawData(method, qsizetype(qstrlen(method)));
    m_isHead = m_parser.method == HTTP_HEAD;
    m_request.httpMinor = m_parser.http_minor;
    // An upgrade (or CONNECT) is answered as a plain request; the connection closes afterwards because the client
    // may already be sending another protocol.
    m_request.keepAlive = http_should_keep_alive(&m_parser) != 0 && m_parser.upgrade == 0;
    splitTarget();
    for (auto& header : m_request.headers) {
        QByteArray& value = header.second;
        qsizetype n = value.size();
        while (n > 0 && (value.at(n - 1) == ' ' || value.at(n - 1) == '\t'))
            --n;
        if (n != value.size())
            value.truncate(n);
    }

    const bool chunked = (m_parser.flags & F_CHUNKED) != 0;
    const quint64 contentLength = m_parser.content_length;
    const bool hasLength = !chunked && contentLength != ULLONG_MAX;
    const qint64 maxBody = m_context->limits.maxBodyBytes;
    if (hasLength && contentLength > quint64(maxBody)) {
        return stopParser(413,
            QStringLiteral("The request body of %1 bytes exceeds the limit of %2 bytes")
                .arg(contentLength)
                .arg(maxBody));
    }
    if (hasLength && contentLength > 0)
        m_request.body.reserve(qsizetype(contentLength));

    if ((chunked || (hasLength && contentLength > 0)) && m_request.httpMinor >= 1) {
        const QByteArray expect = m_request.header("expect");
        if (!expect.isNull() && equalsIgnoreCase(expect.trimmed(), "100-continue"))
            writeBytes("HTTP/1.1 100 Continue\r\n\r\n", 25);
    }
    return 0;
}

int HttpConnection::onChunkHeader()
{
    const quint64 chunk = m_parser.content_length;
    const quint64 maxBody = quint64(m_context->limits.maxBodyBytes);
    if (chunk > maxBody || quint64(m_request.body.size()) + chunk > maxBody) {
        return stopParser(
            413, QStringLiteral("The request body exceeds the limit of %1 bytes").arg(m_context->limits.maxBodyBytes));
    }
    return 0;
}

int HttpConnection::onBody(const char* at, size_t length)
{
    if (qint64(m_request.body.size()) + qint64(length) > m_context->limits.maxBodyBytes) {
        return stopParser(
            413, QStringLiteral("The request body exceeds the limit of %1 bytes").arg(m_context->limits.maxBodyBytes));
    }
    m_request.body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete()
{
    m_inMessage = false;
    http_parser_pause(&m_parser, 1); // http_parser_execute() returns right after this request
    return 0;
}

// ---- output (used by HttpResponder) -------------------------------------------------------------------------------

bool HttpConnection::keepAliveAllowed() const
{
    return !m_context->draining;
}

void HttpConnection::writeBytes(const char* data, qint64 size)
{
    if (m_state == State::Closed || size <= 0)
        return;
    m_socket->write(data, size);
}

void HttpConnection::writeResponse(const QByteArray& head, const QByteArray& body)
{
    if (m_state == State::Closed)
        return;
    // Small bodies are copied right behind the head into the socket's buffer, so they leave in one send().
    // Large ones are handed over as a shared QByteArray (no copy).
    m_socket->write(head.constData(), head.size());
    if (body.isEmpty())
        return;
    if (body.size() <= CoalesceLimit)
        m_socket->write(body.constData(), body.size());
    else
        m_socket->write(body);
}

void HttpConnection::writeChunk(QByteArrayView data)
{
    if (m_state == State::Closed || data.isEmpty())
        return;
    static constexpr char Hex[] = "0123456789abcdef";
    char line[24];
    char* end = line + sizeof line;
    char* p = end;
    *--p = '\n';
    *--p = '\r';
    for (quint64 n = quint64(data.size()); n != 0 || p == end - 2; n >>= 4)
        *--p = Hex[n & 0xf];
    const qint64 lineLength = end - p;
    if (data.size() <= ChunkCoalesceLimit) {
        m_scratch.resize(0);
        m_scratch.append(p, lineLength).append(data).append("\r\n", 2);
        m_socket->write(m_scratch.constData(), m_scratch.size());
    } else {
        m_socket->write(p, lineLength);
        m_socket->write(data.data(), data.size());
        m_socket->write("\r\n", 2);
    }
}

void HttpConnection::responderFinished(HttpResponder* responder, bool keepAlive)
{
    if (responder != m_responder)
        return;
    m_responder = nullptr;
    responder->deleteLater();
    if (m_state != State::Responding)
        return;
    if (!keepAlive || m_context->draining) {
        beginClose();
        return;
    }
    m_state = State::Reading;
    armTimer(TimerKind::Idle, m_context->limits.idleTimeoutMs);
    if (m_processing)
        return; // the processInput() loop up the stack goes on with the buffered bytes
    if (m_inputPos < m_input.size() || m_socket->bytesAvailable() > 0) {
        // Pipelined input: continue from the event loop, not from inside the handler's call.
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
    } else if (m_input.capacity() > KeepInputCapacity) {
        m_input = QByteArray();
        m_inputPos = 0;
    }
}

void HttpConnection::responderDestroyed(HttpResponder* responder)
{
    if (responder != m_responder)
        return;
    m_responder = nullptr;
    if (m_state != State::Responding)
        return;
    qCWarning(lcServer).nospace() << "connection " << m_id << ": the handler deleted its responder before finishing";
    if (!responder->headersSent()) {
        m_state = State::Reading; // so that failRequest() may answer
        failRequest(500, QStringLiteral("The request handler dropped the request"));
    } else {
        abort(); // a truncated response must not look complete
    }
}

QPair<QByteArray, QByteArray> HttpConnection::errorBody(int status, const QString& message) const
{
    if (m_context->errorBodyFactory) {
        QByteArray path = m_request.path.isEmpty() ? m_request.target : m_request.path;
        const qsizetype q = path.indexOf('?');
        if (q >= 0)
            path.truncate(q);
        return m_context->errorBodyFactory(status, message, path);
    }
    return HttpServer::defaultErrorBody(status, message);
}

} // namespace sy
