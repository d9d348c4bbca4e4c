#include "fakeupstream.h"

#include <QElapsedTimer>
#include <QSignalSpy>

#include <QFile>
#include <QTimer>

#include <functional>
#include <memory>

#include <sys/socket.h>

FakeReply FakeReply::json(int status, const QByteArray& body)
{
    FakeReply r;
    r.status = status;
    r.headers = {{"content-type", "application/json"}};
    r.chunks = {body};
    return r;
}

FakeReply FakeReply::sse(const QByteArray& stream, int pieces, int intervalMs)
{
    FakeReply r;
    r.headers = {{"content-type", "text/event-stream"}};
    pieces = qMax(1, pieces);
    const qsizetype step = qMax<qsizetype>(1, (stream.size() + pieces - 1) / pieces);
    for (qsizetype i = 0; i < stream.size(); i += step)
        r.chunks.append(stream.mid(i, step));
    r.chunkIntervalMs = intervalMs;
    return r;
}

QByteArray ReceivedRequest::header(const QByteArray& name) const
{
    for (const auto& h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

QByteArray ParsedResponse::header(const QByteArray& name) const
{
    for (const auto& h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

FakeUpstream::FakeUpstream(QObject* parent)
    : QObject(parent)
{
    m_default = FakeReply::json(500, R"({"error":{"message":"no reply scripted"}})");
    connect(&m_server, &QTcpServer::newConnection, this, &FakeUpstream::onConnection);
}

FakeUpstream::~FakeUpstream()
{
    m_server.close();
    for (QTcpSocket* s : m_server.findChildren<QTcpSocket*>()) {
        s->disconnect(this);
        delete s;
    }
}

bool FakeUpstream::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

void FakeUpstream::onConnection()
{
    while (QTcpSocket* s = m_server.nextPendingConnection()) {
        ++m_open;
        connect(s, &QTcpSocket::readyRead, this, [this, s]() { onReadable(s); });
        connect(s, &QTcpSocket::disconnected, this, [this, s]() {
            --m_open;
            m_buffers.remove(s);
            s->deleteLater();
            Q_EMIT connectionClosed();
        });
    }
}

void FakeUpstream::onReadable(QTcpSocket* s)
{
    QByteArray& buf = m_buffers[s];
    buf += s->readAll();
    while (true) {
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        ReceivedRequest req;
        const QList<QByteArray> first = lines.first().trimmed().split(' ');
        req.method = first.value(0);
        req.path = first.value(1);
        qsizetype length = 0;
        bool chunked = false;
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype c = line.indexOf(':');
            if (c < 0)
                continue;
            const QByteArray name = line.left(c).trimmed();
            const QByteArray value = line.mid(c + 1).trimmed();
            req.headers.append({name, value});
            if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                length = value.toLongLong();
            if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0 && value.toLower().contains("chunked"))
                chunked = true;
        }
        if (chunked)
            return; // not used by the gateway's QNAM for POSTs with a known body
        if (buf.size() < end + 4 + length)
            return;
        req.body = buf.mid(end + 4, length);
        buf.remove(0, end + 4 + length);
        m_requests.append(req);
        const FakeReply reply = m_queue.isEmpty() ? m_default : m_queue.takeFirst();
        Q_EMIT requestReceived();
        answer(s, reply);
    }
}

void FakeUpstream::drop(QTcpSocket* s, bool reset)
{
    if (reset && s->socketDescriptor() != -1) {
        // With a zero linger time close() sends RST instead of FIN.
        const linger l {1, 0};
        ::setsockopt(int(s->socketDescriptor()), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    s->abort();
}

void FakeUpstream::resetConnections()
{
    for (QTcpSocket* s : m_server.findChildren<QTcpSocket*>()) {
        if (s->state() == QAbstractSocket::ConnectedState)
            drop(s, true);
    }
}

void FakeUpstream::answer(QTcpSocket* s, const FakeReply& reply)
{
    if (reply.hang)
        return;
    if (reply.dropBeforeResponse) {
        drop(s, reply.reset);
        return;
    }
    if (!reply.raw.isEmpty()) {
        s->write(reply.raw);
        s->disconnectFromHost(); // after the bytes are out
        return;
    }
    const bool chunked = reply.contentLength < 0;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) + " X\r\n";
    for (const auto& h : reply.headers)
        head += h.first + ": " + h.second + "\r\n";
    head += chunked ? QByteArray("Transfer-Encoding: chunked\r\n\r\n")
                    : "Content-Length: " + QByteArray::number(reply.contentLength) + "\r\n\r\n";
    s->write(head);
    QPointer<QTcpSocket> sock(s);
    auto chunks = std::make_shared<QList<QByteArray>>(reply.chunks);
    auto sent = std::make_shared<int>(0);
    auto step = std::make_shared<std::function<void()>>();
    // The step holds itself weakly (a pending timer holds it strongly), so nothing outlives the reply.
    *step = [sock, chunks, sent, reply, self = std::weak_ptr<std::function<void()>>(step), chunked]() {
        if (!sock)
            return;
        if (reply.hangAfterChunks >= 0 && *sent >= reply.hangAfterChunks)
            return;
        if (*sent < chunks->size()) {
            const QByteArray c = chunks->at(*sent);
            ++*sent;
            sock->write(chunked ? QByteArray::number(c.size(), 16) + "\r\n" + c + "\r\n" : c);
            const std::shared_ptr<std::function<void()>> step = self.lock();
            if (!step)
                return;
            if (reply.chunkIntervalMs > 0)
                QTimer::singleShot(reply.chunkIntervalMs, sock, [step]() { (*step)(); });
            else
                (*step)();
            return;
        }
        if (reply.closeAfterChunks) {
            sock->flush();
            drop(sock, reply.reset);
            return;
        }
        if (chunked)
            sock->write("0\r\n\r\n");
    };
    (*step)();
}

bool parseHttpResponse(const QByteArray& data, ParsedResponse* out)
{
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = data.left(end).split('\n');
    ParsedResponse r;
    r.status = lines.first().split(' ').value(1).toInt();
    qsizetype length = -1;
    bool chunked = false;
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype c = line.indexOf(':');
        const QByteArray name = line.left(c).trimmed();
        const QByteArray value = line.mid(c + 1).trimmed();
        r.headers.append({name, value});
        if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            length = value.toLongLong();
        if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            chunked = true;
    }
    qsizetype pos = end + 4;
    if (chunked) {
        while (true) {
            const qsizetype le = data.indexOf("\r\n", pos);
            if (le < 0)
                return false;
            bool ok = false;
            const qsizetype n = data.mid(pos, le - pos).trimmed().toLongLong(&ok, 16);
            if (!ok)
                return false;
            if (data.size() < le + 2 + n + 2)
                return false;
            r.body += data.mid(le + 2, n);
            pos = le + 2 + n + 2;
            if (n == 0)
                break;
        }
    } else if (length >= 0) {
        if (data.size() < pos + length)
            return false;
        r.body = data.mid(pos, length);
        pos += length;
    }
    r.consumed = pos;
    *out = r;
    return true;
}

QList<QPair<QByteArray, QByteArray>> parseSseEvents(const QByteArray& body)
{
    QList<QPair<QByteArray, QByteArray>> out;
    QByteArray event;
    for (const QByteArray& raw : body.split('\n')) {
        const QByteArray line = raw.endsWith('\r') ? raw.chopped(1) : raw;
        if (line.startsWith("event:"))
            event = line.mid(6).trimmed();
        else if (line.startsWith("data:")) {
            out.append({event, line.mid(5).trimmed()});
            event.clear();
        }
    }
    return out;
}

QString sharedDir()
{
    const QByteArray env = qgetenv("SWITCHYARD_SHARED_DIR");
    return env.isEmpty() ? QString::fromUtf8(SWITCHYARD_SHARED_DIR) : QString::fromUtf8(env);
}

QByteArray readShared(const QString& relativePath)
{
    QFile f(sharedDir() + QLatin1Char('/') + relativePath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

ParsedResponse sendHttp(quint16 port, const QByteArray& line, const QByteArray& body, const QByteArray& extraHeaders)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(5000))
        return {};
    s.write(line + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + extraHeaders
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray data;
    ParsedResponse r;
    QElapsedTimer t;
    t.start();
    while (!parseHttpResponse(data, &r) && t.elapsed() < 15000) {
        if (s.bytesAvailable() == 0) {
            QSignalSpy spy(&s, &QTcpSocket::readyRead);
            spy.wait(200);
        }
        data += s.readAll();
    }
    return r;
}
