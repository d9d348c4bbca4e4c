// Tests for the local HTTP/1.1 server (core/server): raw QTcpSocket clients against a server on 127.0.0.1:0.

#include "server/httprequest.h"
#include "server/httpresponder.h"
#include "server/httpserver.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>

using namespace sy;

namespace {

// One response as the client saw it.
struct Response
{
    int status = 0;
    QByteArray reason;
    HttpHeaders headers;
    QByteArray body;
    QList<QByteArray> chunks; // for chunked responses
    bool chunked = false;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto& h : headers) {
            if (equalsIgnoreCase(h.first, name))
                return h.second;
        }
        return {};
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto& h : headers) {
            if (equalsIgnoreCase(h.first, name))
                return true;
        }
        return false;
    }
};

// Parses one complete response from buffer[pos...]. Handles Content-Length, chunked and close-delimited bodies.
// Returns false (and leaves pos alone) while the response is incomplete.
bool parseResponse(const QByteArray& buffer, qsizetype& pos, Response& out, bool headRequest, bool connectionClosed)
{
    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n", pos);
    if (headerEnd < 0)
        return false;
    Response r;
    const QList<QByteArray> lines = buffer.mid(pos, headerEnd - pos).split('\n');
    const QByteArray statusLine = lines.value(0).trimmed();
    const QList<QByteArray> parts = statusLine.split(' ');
    if (parts.size() < 2 || !parts[0].startsWith("HTTP/1."))
        return false;
    r.status = parts[1].toInt();
    r.reason = statusLine.mid(parts[0].size() + parts[1].size() + 2);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            r.headers.append(qMakePair(line.left(colon), line.mid(colon + 1).trimmed()));
    }
    qsizetype p = headerEnd + 4;
    const bool noBody = headRequest || (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
    if (noBody) {
        // nothing
    } else if (r.header("transfer-encoding").toLower() == "chunked") {
        r.chunked = true;
        for (;;) {
            const qsizetype lineEnd = buffer.indexOf("\r\n", p);
            if (lineEnd < 0)
                return false;
            bool ok = false;
            const qsizetype size = buffer.mid(p, lineEnd - p).split(';').value(0).trimmed().toLongLong(&ok, 16);
            if (!ok)
                return false;
            p = lineEnd + 2;
            if (size == 0) {
                if (buffer.size() < p + 2)
                    return false;
                p += 2; // no trailers from our server
                break;
            }
            if (buffer.size() < p + size + 2)
                return false;
            r.chunks.append(buffer.mid(p, size));
            r.body += buffer.mid(p, size);
            p += size + 2;
        }
    } else if (r.hasHeader("content-length")) {
        const qsizetype length = r.header("content-length").toLongLong();
        if (buffer.size() < p + length)
            return false;
        r.body = buffer.mid(p, length);
        p += length;
    } else {
        if (!connectionClosed)
            return false;
        r.body = buffer.mid(p);
        p = buffer.size();
    }
    out = r;
    pos = p;
    return true;
}

// A raw HTTP client on one socket.
class Client
{
public:
    Client()
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { m_buffer += m_socket.readAll(); });
    }
    Q_DISABLE_COPY_MOVE(Client)

    bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5000);
    }
    void send(const QByteArray& bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    bool waitResponse(Response& out, bool headRequest = false, int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return tryParse(out, headRequest); }, timeoutMs);
    }
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return isClosed(); }, timeoutMs);
    }
    bool waitForBytes(QByteArrayView needle, int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [&] {
                m_buffer += m_socket.readAll();
                return m_buffer.indexOf(needle, m_pos) >= 0;
            },
            timeoutMs);
    }
    bool isClosed() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    QByteArray unparsed() const { return m_buffer.mid(m_pos); }
    QTcpSocket& socket() { return m_socket; }

private:
    bool tryParse(Response& out, bool headRequest)
    {
        m_buffer += m_socket.readAll();
        return parseResponse(m_buffer, m_pos, out, headRequest, isClosed());
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
};

std::unique_ptr<HttpServer> startServer(const HttpServerLimits& limits = {})
{
    auto server = std::make_unique<HttpServer>(limits);
    QString error;
    if (!server->listen(QHostAddress::LocalHost, 0, &error)) {
        qWarning() << "listen failed:" << error;
        return nullptr;
    }
    return server;
}

HttpHeaders textPlain()
{
    return {qMakePair(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain"))};
}

// Echoes the request: path as body for bodiless requests, else the body.
void echoHandler(const HttpRequest& request, HttpResponder* responder)
{
    responder->respond(200, textPlain(), request.body.isEmpty() ? request.path : request.body);
}

QByteArray errorMessageOf(const QByteArray& json)
{
    return QJsonDocument::fromJson(json)
        .object()
        .value(QStringLiteral("error"))
        .toObject()
        .value(QStringLiteral("message"))
        .toString()
        .toUtf8();
}

} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listensOnPortZero();
    void listenPortTaken();
    void simpleGet();
    void requestFields();
    void postContentLength();
    void postChunkedInPieces();
    void largeBodies();
    void keepAlive();
    void pipelinedInOrder();
    void pipelinedThenGarbage();
    void requestArrivingDuringResponseWaits();
    void headRequest();
    void http10Close();
    void http10KeepAlive();
    void http10Stream();
    void expectContinue();
    void oversizeContentLength();
    void oversizeContentLengthWithExpect();
    void oversizeChunked();
    void oversizeHeaders();
    void garbageRequest();
    void errorBodyFactory();
    void framingHeadersFromHandlerDropped();
    void noContentStatus();
    void clientDisconnectMidStream();
    void idleTimeout();
    void requestTimeout();
    void closeStopsAccepting();
    void closeAllConnections();
    void maxConnections();
    void maxConnectionsPerClient_data();
    void maxConnectionsPerClient();
    void handlerDeletesResponder();
    void serverDestroyedWithActiveStream();
};

void TestHttpServer::listensOnPortZero()
{
    HttpServer server;
    QSignalSpy listening(&server, &HttpServer::listeningChanged);
    QVERIFY(!server.isListening());
    QString error;
    QVERIFY2(server.listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    QVERIFY(server.isListening());
    QVERIFY(server.serverPort() != 0);
    QCOMPARE(server.serverAddress(), QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(listening.size(), 1);
    QCOMPARE(listening.at(0).at(0).toBool(), true);
    server.close();
    QVERIFY(!server.isListening());
    QCOMPARE(listening.size(), 2);
    QCOMPARE(listening.at(1).at(0).toBool(), false);
}

void TestHttpServer::listenPortTaken()
{
    auto first = startServer();
    QVERIFY(first);
    const quint16 port = first->serverPort();

    HttpServer second;
    QSignalSpy listening(&second, &HttpServer::listeningChanged);
    QString error;
    QVERIFY(!second.listen(QHostAddress::LocalHost, port, &error));
    QVERIFY(!second.isListening());
    QCOMPARE(listening.size(), 0);
    QVERIFY2(error.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(error));
    QVERIFY2(error.size() > QStringLiteral("127.0.0.1:%1: ").arg(port).size() + 10, qPrintable(error)); // has a reason
    QVERIFY(second.listen(QHostAddress::LocalHost, 0)); // errorMessage may be null
}

void TestHttpServer::simpleGet()
{
    auto server = startServer();
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ++calls;
        QCOMPARE(request.method, QByteArray("GET"));
        responder->respond(200, textPlain(), "hello from " + request.path);
        QVERIFY(responder->headersSent());
        QVERIFY(responder->finished());
    });

    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.reason, QByteArray("OK"));
    QCOMPARE(r.header("content-type"), QByteArray("text/plain"));
    QCOMPARE(r.header("content-length"), QByteArray("17"));
    QCOMPARE(r.header("connection"), QByteArray("keep-alive"));
    QVERIFY(!r.hasHeader("transfer-encoding"));
    QCOMPARE(r.body, QByteArray("hello from /hello"));
    QCOMPARE(calls, 1);
    QCOMPARE(client.unparsed(), QByteArray());
    QVERIFY(!client.isClosed());
    QCOMPARE(server->connectionCount(), 1);
}

void TestHttpServer::requestFields()
{
    auto server = startServer();
    QVERIFY(server);
    QList<HttpRequest> seen;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        seen.append(request);
        responder->respond(200, {}, {});
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /v1/messages?beta=true&x=%20y HTTP/1.1\r\n"
                "Host: localhost\r\n"
                "X-Multi: a\r\n"
                "x-multi: b\r\n"
                "X-Empty:\r\n"
                "X-Trail: v  \r\n"
                "\r\n"
                "GET http://localhost:8080/abs/path?q=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                "OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QVERIFY(client.waitResponse(r));
    QVERIFY(client.waitResponse(r));
    QCOMPARE(seen.size(), 3);

    const HttpRequest& a = seen[0];
    QCOMPARE(a.method, QByteArray("GET"));
    QCOMPARE(a.target, QByteArray("/v1/messages?beta=true&x=%20y"));
    QCOMPARE(a.path, QByteArray("/v1/messages"));
    QCOMPARE(a.query, QByteArray("beta=true&x=%20y"));
    QCOMPARE(a.headers.size(), 5);
    QCOMPARE(a.headers[1].first, QByteArray("X-Multi")); // names as received
    QCOMPARE(a.headers[2].first, QByteArray("x-multi"));
    QCOMPARE(a.header("X-MULTI"), QByteArray("a, b"));
    QCOMPARE(a.header("host"), QByteArray("localhost"));
    QVERIFY(!a.header("x-empty").isNull());
    QVERIFY(a.header("x-empty").isEmpty());
    QVERIFY(a.hasHeader("X-Empty"));
    QVERIFY(a.header("missing").isNull());
    QCOMPARE(a.header("x-trail"), QByteArray("v"));
    QVERIFY(a.keepAlive);
    QCOMPARE(a.httpMinor, 1);
    QVERIFY(a.body.isEmpty());
    QCOMPARE(a.peerAddress, QHostAddress(QHostAddress::LocalHost));
    QVERIFY(a.connectionId != 0);

    QCOMPARE(seen[1].path, QByteArray("/abs/path"));
    QCOMPARE(seen[1].query, QByteArray("q=1"));
    QCOMPARE(seen[1].connectionId, a.connectionId);
    QCOMPARE(seen[2].method, QByteArray("OPTIONS"));
    QCOMPARE(seen[2].path, QByteArray("*"));
}

void TestHttpServer::postContentLength()
{
    auto server = startServer();
    QVERIFY(server);
    HttpRequest got;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        got = request;
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    const QByteArray body = R"({"model":"m","messages":[]})";
    client.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, body);
    QCOMPARE(got.method, QByteArray("POST"));
    QCOMPARE(got.body, body);
    QCOMPARE(got.header("content-type"), QByteArray("application/json"));
}

void TestHttpServer::postChunkedInPieces()
{
    auto server = startServer();
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ++calls;
        QVERIFY(!request.hasHeader("x-trailer")); // trailers are not headers
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    const QByteArray request = "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\nhello\r\n"
                               "1;ext=1\r\n,\r\n"
                               "a\r\n world 012\r\n"
                               "0\r\nX-Trailer: t\r\n\r\n";
    // Odd split points: inside the request line, inside a chunk-size line, between CR and LF, inside data.
    QCOMPARE(request.size(), 119);
    const QList<qsizetype> cuts = {3, 17, 50, 64, 65, 67, 71, 72, 73, 80, 84, 86, 95, 101, 110, 118, 119};
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        client.send(request.mid(from, cut - from));
        from = cut;
        QCoreApplication::processEvents(); // let the server parse this piece alone
        if (cut < request.size())
            QCOMPARE(calls, 0);
    }
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("hello, world 012"));
    QCOMPARE(calls, 1);

    // Byte by byte works too.
    const QByteArray again = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    for (char c : again)
        client.send(QByteArray(1, c));
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.body, QByteArray("abc"));
}

void TestHttpServer::largeBodies()
{
    auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const HttpRequest& request, HttpResponder* responder) {
        if (request.path == "/big-stream") {
            responder->beginStream(200, textPlain());
            responder->writeChunk(QByteArray(100 * 1024, 'x')); // larger than any coalescing threshold
            responder->writeChunk("tail");
            responder->endStream();
            return;
        }
        QByteArray reversed = request.body;
        std::reverse(reversed.begin(), reversed.end());
        responder->respond(200, textPlain(), reversed);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    QByteArray body(3 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char('a' + i % 23);
    client.send("POST /big HTTP/1.1\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    Response r;
    QVERIFY(client.waitResponse(r, false, 20000));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.size(), body.size());
    std::reverse(r.body.begin(), r.body.end());
    QVERIFY(r.body == body);

    client.send("GET /big-stream HTTP/1.1\r\n\r\n");
    QVERIFY(client.waitResponse(r, false, 20000));
    QVERIFY(r.chunked);
    QCOMPARE(r.chunks.size(), 2);
    QCOMPARE(r.body, QByteArray(100 * 1024, 'x') + "tail");
}

void TestHttpServer::keepAlive()
{
    auto server = startServer();
    QVERIFY(server);
    QList<quint64> ids;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ids.append(request.connectionId);
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    Response r;
    client.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.body, QByteArray("/one"));
    QCOMPARE(r.header("connection"), QByteArray("keep-alive"));
    client.send("POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.body, QByteArray("abc"));
    QCOMPARE(ids.size(), 2);
    QCOMPARE(ids[0], ids[1]);
    QCOMPARE(server->connectionCount(), 1);
    QVERIFY(!client.isClosed());

    // "Connection: close" from the client: answered, then closed.
    client.send("GET /three HTTP/1.1\r\nConnection: close\r\n\r\n");
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
    QTRY_COMPARE(server->connectionCount(), 0);
}

void TestHttpServer::pipelinedInOrder()
{
    auto server = startServer();
    QVERIFY(server);
    QStringList events;
    bool streamEnded = false;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        events.append(QString::fromLatin1(request.path));
        if (request.path == "/stream") {
            // Answer later, in pieces, from a timer.
            responder->beginStream(
                200, {qMakePair(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream"))});
            QPointer<HttpResponder> guard(responder);
            auto* timer = new QTimer(responder); // dies with the responder
            auto count = std::make_shared<int>(0);
            QObject::connect(timer, &QTimer::timeout, timer, [guard, timer, count, &streamEnded, &events] {
                if (guard.isNull()) {
                    timer->stop();
                    return;
                }
                if (*count < 3) {
                    guard->writeChunk(QByteArray("data: " + QByteArray::number(*count) + "\n\n"));
                    ++*count;
                    return;
                }
                timer->stop();
                events.append(QStringLiteral("stream-end"));
                streamEnded = true;
                guard->endStream();
            });
            timer->start(20);
            return;
        }
        if (!streamEnded)
            events.append(QStringLiteral("dispatched-too-early"));
        echoHandler(request, responder);
    });

    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
    Response first, second, third;
    QVERIFY(client.waitResponse(first));
    QVERIFY(client.waitResponse(second));
    QVERIFY(client.waitResponse(third));
    QCOMPARE(first.status, 200);
    QVERIFY(first.chunked);
    QCOMPARE(first.header("content-type"), QByteArray("text/event-stream"));
    QCOMPARE(first.chunks, (QList<QByteArray> {"data: 0\n\n", "data: 1\n\n", "data: 2\n\n"}));
    QCOMPARE(second.body, QByteArray("hello"));
    QCOMPARE(third.body, QByteArray("/plain"));
    QCOMPARE(client.unparsed(), QByteArray());
    QCOMPARE(events,
        (QStringList {QStringLiteral("/stream"), QStringLiteral("stream-end"), QStringLiteral("/echo"),
            QStringLiteral("/plain")}));
    QVERIFY(!client.isClosed());
}

void TestHttpServer::pipelinedThenGarbage()
{
    auto server = startServer();
    QVERIFY(server);
    server->setHandler(&echoHandler);
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /ok HTTP/1.1\r\n\r\nthis is not http\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("/ok"));
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
}

void TestHttpServer::requestArrivingDuringResponseWaits()
{
    auto server = startServer();
    QVERIFY(server);
    QPointer<HttpResponder> slow;
    QList<QByteArray> dispatched;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        dispatched.append(request.path);
        if (request.path == "/slow") {
            slow = responder;
            responder->beginStream(200, textPlain());
            responder->writeChunk("part1 ");
            return;
        }
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /slow HTTP/1.1\r\n\r\n");
    QVERIFY(client.waitForBytes("part1 "));
    // The next request arrives while the first response is still open: it must wait.
    client.send("POST /next HTTP/1.1\r\nContent-Length: 4\r\n\r\nnext");
    Response r;
    QVERIFY(!client.waitResponse(r, false, 200));
    QCOMPARE(dispatched, (QList<QByteArray> {"/slow"}));
    QVERIFY(!slow.isNull());
    slow->writeChunk("part2");
    slow->endStream();
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.body, QByteArray("part1 part2"));
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.body, QByteArray("next"));
    QCOMPARE(dispatched, (QList<QByteArray> {"/slow", "/next"}));
}

void TestHttpServer::headRequest()
{
    auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const HttpRequest& request, HttpResponder* responder) {
        QVERIFY(responder->isHeadRequest() == (request.method == "HEAD"));
        if (request.path == "/stream") {
            responder->beginStream(200, textPlain());
            responder->writeChunk("ignored for HEAD");
            responder->endStream();
            return;
        }
        responder->respond(200, textPlain(), "hello world");
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r, true));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("content-length"), QByteArray("11"));
    QVERIFY(r.body.isEmpty());

    client.send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(client.waitResponse(r, true));
    QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));

    // No stray body bytes: the next response on the connection parses cleanly.
    client.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("hello world"));
    QCOMPARE(client.unparsed(), QByteArray());
}

void TestHttpServer::http10Close()
{
    auto server = startServer();
    QVERIFY(server);
    HttpRequest got;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        got = request;
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /old HTTP/1.0\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("/old"));
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QCOMPARE(r.header("content-length"), QByteArray("4"));
    QCOMPARE(got.httpMinor, 0);
    QVERIFY(!got.keepAlive);
    QVERIFY(client.waitClosed());
    QTRY_COMPARE(server->connectionCount(), 0);
}

void TestHttpServer::http10KeepAlive()
{
    auto server = startServer();
    QVERIFY(server);
    server->setHandler(&echoHandler);
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    Response r;
    client.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.header("connection"), QByteArray("keep-alive"));
    client.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.body, QByteArray("/b"));
    QVERIFY(!client.isClosed());
}

void TestHttpServer::http10Stream()
{
    auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const HttpRequest&, HttpResponder* responder) {
        responder->beginStream(200, textPlain());
        responder->writeChunk("one ");
        responder->writeChunk("two");
        responder->endStream();
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /s HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QVERIFY(client.waitClosed());
    Response r;
    QVERIFY(client.waitResponse(r)); // close-delimited
    QVERIFY(!r.chunked);
    QVERIFY(!r.hasHeader("transfer-encoding"));
    QVERIFY(!r.hasHeader("content-length"));
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QCOMPARE(r.body, QByteArray("one two"));
}

void TestHttpServer::expectContinue()
{
    auto server = startServer();
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ++calls;
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    QVERIFY(client.waitForBytes("HTTP/1.1 100 Continue\r\n\r\n"));
    QCOMPARE(calls, 0);
    Response interim;
    QVERIFY(client.waitResponse(interim));
    QCOMPARE(interim.status, 100);
    client.send("hello");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("hello"));
    QCOMPARE(calls, 1);

    // No 100 Continue for a request without a body.
    client.send("GET /x HTTP/1.1\r\nExpect: 100-continue\r\n\r\n");
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(client.unparsed(), QByteArray());
}

void TestHttpServer::oversizeContentLength()
{
    HttpServerLimits limits;
    limits.maxBodyBytes = 1024;
    auto server = startServer(limits);
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ++calls;
        echoHandler(request, responder);
    });

    Client big;
    QVERIFY(big.connectTo(server->serverPort()));
    big.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + QByteArray(5000, 'z'));
    Response r;
    QVERIFY(big.waitResponse(r));
    QCOMPARE(r.status, 413);
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QVERIFY2(errorMessageOf(r.body).contains("1024"), r.body.constData());
    QVERIFY(big.waitClosed());
    QCOMPARE(calls, 0);

    // The limit is inclusive, and the server keeps serving.
    Client ok;
    QVERIFY(ok.connectTo(server->serverPort()));
    ok.send("POST /fits HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + QByteArray(1024, 'y'));
    QVERIFY(ok.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.size(), 1024);
    QCOMPARE(calls, 1);
}

void TestHttpServer::oversizeContentLengthWithExpect()
{
    HttpServerLimits limits;
    limits.maxBodyBytes = 1024;
    auto server = startServer(limits);
    QVERIFY(server);
    server->setHandler(&echoHandler);
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("POST /big HTTP/1.1\r\nContent-Length: 2048\r\nExpect: 100-continue\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 413); // not 100 Continue: the client need not send the body
    QVERIFY(client.waitClosed());
}

void TestHttpServer::oversizeChunked()
{
    HttpServerLimits limits;
    limits.maxBodyBytes = 1024;
    auto server = startServer(limits);
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ++calls;
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    QByteArray request = "POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i)
        request += "12c\r\n" + QByteArray(300, char('a' + i)) + "\r\n";
    request += "0\r\n\r\n";
    client.send(request);
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 413);
    QVERIFY(client.waitClosed());
    QCOMPARE(calls, 0);

    // One huge chunk announced up front is refused before its data arrives.
    Client huge;
    QVERIFY(huge.connectTo(server->serverPort()));
    huge.send("POST /chunks HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffff\r\nabc");
    QVERIFY(huge.waitResponse(r));
    QCOMPARE(r.status, 413);
    QVERIFY(huge.waitClosed());
}

void TestHttpServer::oversizeHeaders()
{
    HttpServerLimits limits;
    limits.maxHeaderBytes = 1024;
    auto server = startServer(limits);
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ++calls;
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /h HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(2000, 'a') + "\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 431);
    QVERIFY(client.waitClosed());

    // Many small headers count as well.
    Client many;
    QVERIFY(many.connectTo(server->serverPort()));
    QByteArray request = "GET /h HTTP/1.1\r\n";
    for (int i = 0; i < 300; ++i)
        request += "a:" + QByteArray::number(i % 10) + "\r\n";
    many.send(request + "\r\n");
    QVERIFY(many.waitResponse(r));
    QCOMPARE(r.status, 431);

    // A long URL too.
    Client url;
    QVERIFY(url.connectTo(server->serverPort()));
    url.send("GET /" + QByteArray(1500, 'u') + " HTTP/1.1\r\n\r\n");
    QVERIFY(url.waitResponse(r));
    QCOMPARE(r.status, 431);
    QCOMPARE(calls, 0);
}

void TestHttpServer::garbageRequest()
{
    auto server = startServer();
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ++calls;
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    static const char tlsHello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n"; // looks like TLS
    client.send(QByteArray(tlsHello, sizeof tlsHello - 1));
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.reason, QByteArray("Bad Request"));
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QVERIFY(!errorMessageOf(r.body).isEmpty()); // default factory: {"error":{"message":...}}
    QVERIFY(client.waitClosed());

    // Content-Length together with chunked (request smuggling) is refused as well.
    Client smuggle;
    QVERIFY(smuggle.connectTo(server->serverPort()));
    smuggle.send("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    QVERIFY(smuggle.waitResponse(r));
    QCOMPARE(r.status, 400);
    QCOMPARE(calls, 0);
}

void TestHttpServer::errorBodyFactory()
{
    HttpServerLimits limits;
    limits.maxBodyBytes = 10;
    auto server = startServer(limits);
    QVERIFY(server);
    QList<int> statuses;
    server->setErrorBodyFactory([&](int status, const QString& message, const QByteArray&) {
        statuses.append(status);
        return qMakePair(QByteArrayLiteral("application/x-test"),
            QByteArray("E:" + QByteArray::number(status) + ":" + message.toUtf8()));
    });
    server->setHandler([](const HttpRequest&, HttpResponder* responder) {
        responder->respondError(429, QStringLiteral("slow down"));
    });

    Client bad;
    QVERIFY(bad.connectTo(server->serverPort()));
    bad.send("NOT HTTP AT ALL\r\n\r\n");
    Response r;
    QVERIFY(bad.waitResponse(r));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.header("content-type"), QByteArray("application/x-test"));
    QVERIFY2(r.body.startsWith("E:400:"), r.body.constData());

    Client big;
    QVERIFY(big.connectTo(server->serverPort()));
    big.send("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890");
    QVERIFY(big.waitResponse(r));
    QCOMPARE(r.status, 413);
    QVERIFY(r.body.startsWith("E:413:"));

    // The handler can use the same factory.
    Client ok;
    QVERIFY(ok.connectTo(server->serverPort()));
    ok.send("GET / HTTP/1.1\r\n\r\n");
    QVERIFY(ok.waitResponse(r));
    QCOMPARE(r.status, 429);
    QCOMPARE(r.body, QByteArray("E:429:slow down"));
    QVERIFY(!ok.isClosed()); // a handler's error response keeps the connection

    QCOMPARE(statuses, (QList<int> {400, 413, 429}));
}

void TestHttpServer::framingHeadersFromHandlerDropped()
{
    auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const HttpRequest&, HttpResponder* responder) {
        responder->respond(200,
            {qMakePair(QByteArrayLiteral("Content-Length"), QByteArrayLiteral("999")),
                qMakePair(QByteArrayLiteral("connection"), QByteArrayLiteral("close")),
                qMakePair(QByteArrayLiteral("Transfer-Encoding"), QByteArrayLiteral("chunked")),
                qMakePair(QByteArrayLiteral("X-Bad"), QByteArrayLiteral("a\r\nInjected: 1")),
                qMakePair(QByteArrayLiteral("X-Good"), QByteArrayLiteral("yes"))},
            "body");
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET / HTTP/1.1\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.header("content-length"), QByteArray("4"));
    QCOMPARE(r.header("connection"), QByteArray("keep-alive"));
    QVERIFY(!r.hasHeader("transfer-encoding"));
    QVERIFY(!r.hasHeader("x-bad"));
    QVERIFY(!r.hasHeader("injected"));
    QCOMPARE(r.header("x-good"), QByteArray("yes"));
    QCOMPARE(r.body, QByteArray("body"));
}

void TestHttpServer::noContentStatus()
{
    auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const HttpRequest& request, HttpResponder* responder) {
        if (request.path == "/204")
            responder->respond(204, {}, "must not be sent");
        else
            echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("DELETE /204 HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 204);
    QCOMPARE(r.reason, QByteArray("No Content"));
    QVERIFY(!r.hasHeader("content-length"));
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.body, QByteArray("/after"));
}

void TestHttpServer::clientDisconnectMidStream()
{
    auto server = startServer();
    QVERIFY(server);
    QPointer<HttpResponder> active;
    int disconnects = 0;
    bool connectedInSlot = true;
    server->setHandler([&](const HttpRequest&, HttpResponder* responder) {
        active = responder;
        QObject::connect(responder, &HttpResponder::clientDisconnected, responder, [&, responder] {
            ++disconnects;
            connectedInSlot = responder->isClientConnected();
            responder->writeChunk("ignored"); // silently ignored
            responder->endStream();
        });
        responder->beginStream(200, textPlain());
        responder->writeChunk("first");
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("POST /stream HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
    QVERIFY(client.waitForBytes("first"));
    QVERIFY(!active.isNull());
    QVERIFY(active->isClientConnected());
    QVERIFY(!active->finished());

    client.socket().disconnectFromHost();
    QTRY_COMPARE(disconnects, 1);
    QVERIFY(!connectedInSlot);
    QTRY_VERIFY(active.isNull()); // deleted later
    QTRY_COMPARE(server->connectionCount(), 0);
    QCOMPARE(disconnects, 1);
}

void TestHttpServer::idleTimeout()
{
    HttpServerLimits limits;
    limits.idleTimeoutMs = 200;
    auto server = startServer(limits);
    QVERIFY(server);
    server->setHandler(&echoHandler);

    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /a HTTP/1.1\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QElapsedTimer elapsed;
    elapsed.start();
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), 5000);
    QVERIFY2(elapsed.elapsed() >= 150, QByteArray::number(elapsed.elapsed()).constData());
    QTRY_COMPARE(server->connectionCount(), 0);

    // A connection that never sends anything is closed as well.
    Client silent;
    QVERIFY(silent.connectTo(server->serverPort()));
    QTRY_VERIFY_WITH_TIMEOUT(silent.isClosed(), 5000);
    QVERIFY(silent.unparsed().isEmpty());
}

void TestHttpServer::requestTimeout()
{
    HttpServerLimits limits;
    limits.requestTimeoutMs = 200;
    auto server = startServer(limits);
    QVERIFY(server);
    int calls = 0;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        ++calls;
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /slowloris HT"); // half a request line, then nothing
    Response r;
    QVERIFY(client.waitResponse(r, false, 5000));
    QCOMPARE(r.status, 408);
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
    QCOMPARE(calls, 0);

    // Trickling the headers does not extend the deadline.
    Client trickle;
    QVERIFY(trickle.connectTo(server->serverPort()));
    trickle.send("POST /x HTTP/1.1\r\n");
    QTimer feeder;
    QObject::connect(&feeder, &QTimer::timeout, &feeder, [&] { trickle.send("X-A: b\r\n"); });
    feeder.start(30);
    QVERIFY(trickle.waitResponse(r, false, 5000));
    feeder.stop();
    QCOMPARE(r.status, 408);
    QCOMPARE(calls, 0);
}

void TestHttpServer::closeStopsAccepting()
{
    auto server = startServer();
    QVERIFY(server);
    const quint16 port = server->serverPort();
    QPointer<HttpResponder> streaming;
    server->setHandler([&](const HttpRequest& request, HttpResponder* responder) {
        if (request.path == "/stream") {
            streaming = responder;
            responder->beginStream(200, textPlain());
            return;
        }
        echoHandler(request, responder);
    });
    Client busy;
    Client idle;
    QVERIFY(busy.connectTo(port));
    QVERIFY(idle.connectTo(port));
    busy.send("GET /stream HTTP/1.1\r\n\r\n");
    idle.send("GET /idle HTTP/1.1\r\n\r\n");
    Response r;
    QVERIFY(idle.waitResponse(r));
    QTRY_VERIFY(!streaming.isNull());
    QCOMPARE(server->connectionCount(), 2);

    QSignalSpy listening(server.get(), &HttpServer::listeningChanged);
    server->close();
    QVERIFY(!server->isListening());
    QCOMPARE(listening.size(), 1);
    QVERIFY(idle.waitClosed()); // idle keep-alive connections are closed

    Client refused;
    refused.socket().connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE(refused.socket().error(), QAbstractSocket::ConnectionRefusedError);

    // The active stream may finish; then its connection closes.
    QVERIFY(!busy.isClosed());
    QVERIFY(!streaming.isNull());
    streaming->writeChunk("still here");
    streaming->endStream();
    QVERIFY(busy.waitResponse(r));
    QCOMPARE(r.body, QByteArray("still here"));
    QVERIFY(busy.waitClosed());
    QTRY_COMPARE(server->connectionCount(), 0);
}

void TestHttpServer::closeAllConnections()
{
    auto server = startServer();
    QVERIFY(server);
    QPointer<HttpResponder> streaming;
    int disconnects = 0;
    server->setHandler([&](const HttpRequest&, HttpResponder* responder) {
        streaming = responder;
        QObject::connect(responder, &HttpResponder::clientDisconnected, responder, [&] { ++disconnects; });
        responder->beginStream(200, textPlain());
    });
    Client a;
    Client b;
    QVERIFY(a.connectTo(server->serverPort()));
    QVERIFY(b.connectTo(server->serverPort()));
    a.send("GET /s HTTP/1.1\r\n\r\n");
    QTRY_VERIFY(!streaming.isNull());
    QTRY_COMPARE(server->connectionCount(), 2);
    server->closeAllConnections();
    QCOMPARE(server->connectionCount(), 0);
    QCOMPARE(disconnects, 1);
    QVERIFY(a.waitClosed());
    QVERIFY(b.waitClosed());
    QTRY_VERIFY(streaming.isNull());
    QVERIFY(server->isListening()); // still accepting
    Client c;
    QVERIFY(c.connectTo(server->serverPort()));
    QTRY_COMPARE(server->connectionCount(), 1);
}

void TestHttpServer::maxConnections()
{
    HttpServerLimits limits;
    limits.maxConnections = 2;
    auto server = startServer(limits);
    QVERIFY(server);
    server->setHandler(&echoHandler);
    Client a;
    Client b;
    Client c;
    QVERIFY(a.connectTo(server->serverPort()));
    QVERIFY(b.connectTo(server->serverPort()));
    Response r;
    a.send("GET /a HTTP/1.1\r\n\r\n");
    QVERIFY(a.waitResponse(r));
    b.send("GET /b HTTP/1.1\r\n\r\n");
    QVERIFY(b.waitResponse(r));
    QVERIFY(c.connectTo(server->serverPort())); // TCP-level: queued in the backlog
    c.send("GET /c HTTP/1.1\r\n\r\n");
    QVERIFY(!c.waitResponse(r, false, 300)); // not served while two connections are open
    QCOMPARE(server->connectionCount(), 2);
    a.socket().disconnectFromHost();
    QVERIFY(c.waitResponse(r));
    QCOMPARE(r.body, QByteArray("/c"));
    QCOMPARE(server->connectionCount(), 2);
}

void TestHttpServer::maxConnectionsPerClient_data()
{
    QTest::addColumn<int>("workers");
    QTest::newRow("server thread") << 0;
    QTest::newRow("2 workers") << 2;
}

// One client address cannot hold every connection: past its share it is answered 429 at once and closed, and a
// slot it frees is usable again.
void TestHttpServer::maxConnectionsPerClient()
{
    QFETCH(int, workers);
    HttpServerLimits limits;
    limits.maxConnectionsPerClient = 2;
    auto server = std::make_unique<HttpServer>(limits);
    server->setWorkerThreads(workers);
    QVERIFY(server->listen(QHostAddress::LocalHost, 0));
    server->setHandler(&echoHandler);
    Client a;
    Client b;
    QVERIFY(a.connectTo(server->serverPort()));
    QVERIFY(b.connectTo(server->serverPort()));
    QTRY_COMPARE(server->connectionCount(), 2);
    Client c;
    QVERIFY(c.connectTo(server->serverPort()));
    Response r;
    QVERIFY(c.waitResponse(r)); // without sending anything
    QCOMPARE(r.status, 429);
    QVERIFY2(r.body.contains("too many connections from 127.0.0.1"), r.body.constData());
    QVERIFY(c.waitClosed());
    // The refusal did not use up a slot; the two held ones still work.
    a.send("GET /a HTTP/1.1\r\n\r\n");
    QVERIFY(a.waitResponse(r));
    QCOMPARE(r.status, 200);
    b.socket().disconnectFromHost();
    QTRY_COMPARE(server->connectionCount(), 1);
    Client d;
    QVERIFY(d.connectTo(server->serverPort()));
    d.send("GET /d HTTP/1.1\r\n\r\n");
    QVERIFY(d.waitResponse(r));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("/d"));
}

void TestHttpServer::handlerDeletesResponder()
{
    auto server = startServer();
    QVERIFY(server);
    server->setHandler([](const HttpRequest& request, HttpResponder* responder) {
        if (request.path == "/drop") {
            delete responder; // a handler bug: the server answers 500 instead of hanging
            return;
        }
        echoHandler(request, responder);
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET /drop HTTP/1.1\r\n\r\n");
    Response r;
    QVERIFY(client.waitResponse(r));
    QCOMPARE(r.status, 500);
    QVERIFY(client.waitClosed());
}

void TestHttpServer::serverDestroyedWithActiveStream()
{
    auto server = startServer();
    QVERIFY(server);
    QPointer<HttpResponder> streaming;
    int disconnects = 0;
    server->setHandler([&](const HttpRequest&, HttpResponder* responder) {
        streaming = responder;
        QObject::connect(responder, &HttpResponder::clientDisconnected, responder, [&] { ++disconnects; });
        responder->beginStream(200, textPlain());
    });
    Client client;
    QVERIFY(client.connectTo(server->serverPort()));
    client.send("GET / HTTP/1.1\r\n\r\n");
    QTRY_VERIFY(!streaming.isNull());
    server.reset();
    QCOMPARE(disconnects, 1);
    QVERIFY(streaming.isNull());
    QVERIFY(client.waitClosed());
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
