// The HTTP/1.1 request side of the server (http_parser callbacks, limits, pipelining, chunked bodies, Expect,
// error answers) on arbitrary bytes from a real loopback client: one connection per input, the client sends the
// input and half-closes, the server answers what it parsed and closes. Any crash, sanitizer report or connection
// that never ends is a finding.

#include "server/httpconnection.h"
#include "server/httpresponder.h"
#include "server/httpserver.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace sy;

namespace {

struct Harness
{
    int listenFd = -1;
    sockaddr_in address {};
    std::shared_ptr<HttpServerContext> context = std::make_shared<HttpServerContext>();
    quint64 nextId = 1;

    Harness()
    {
        static int argc = 1;
        static char name[] = "fuzz_http";
        static char* argv[] = {name, nullptr};
        new QCoreApplication(argc, argv); // lives for the process
        QLoggingCategory::setFilterRules(QStringLiteral("switchyard.*=false")); // a line per input is slow
        listenFd = ::socket(AF_INET, SOCK_STREAM, 0);
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        socklen_t length = sizeof address;
        if (listenFd < 0 || ::bind(listenFd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0
            || ::listen(listenFd, 16) != 0
            || ::getsockname(listenFd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            std::perror("fuzz_http: loopback listen");
            std::abort();
        }
        context->limits.maxBodyBytes = 4096; // small limits so that inputs reach them
        context->limits.maxHeaderBytes = 2048;
        context->limits.idleTimeoutMs = 1000;
        context->limits.requestTimeoutMs = 1000;
        // Answers by path: a stream, an error, or the body echoed (the request parts are read to be used).
        context->handler = [](const HttpRequest& request, HttpResponder* responder) {
            if (request.path.startsWith("/s")) {
                responder->beginStream(200, {qMakePair(QByteArrayLiteral("content-type"), QByteArrayLiteral("x/y"))});
                responder->writeChunk(request.body);
                responder->writeChunk(request.query);
                responder->endStream();
            } else if (request.path.startsWith("/e")) {
                responder->respondError(418, QString::fromUtf8(request.header("x-message")));
            } else {
                responder->respond(200, {qMakePair(request.method, request.header("host"))}, request.body);
            }
        };
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static Harness h;
    // libFuzzer's timer signal interrupts system calls: retry them.
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    int rc = client < 0 ? -1 : ::connect(client, reinterpret_cast<sockaddr*>(&h.address), sizeof h.address);
    if (rc != 0 && errno == EINTR) { // the connection goes on in the background
        pollfd p {client, POLLOUT, 0};
        while (::poll(&p, 1, -1) < 0 && errno == EINTR) { }
        int error = 0;
        socklen_t length = sizeof error;
        rc = ::getsockopt(client, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0 ? 0 : -1;
    }
    if (rc != 0) {
        std::perror("fuzz_http: connect");
        std::abort();
    }
    int served = -1;
    while ((served = ::accept(h.listenFd, nullptr, nullptr)) < 0 && errno == EINTR) { }
    if (served < 0)
        std::abort();
    // Both ends close with a reset: a million connections must not leave a million TIME_WAITs holding the
    // loopback's ephemeral ports (connect() then fails).
    const linger reset {1, 0};
    ::setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::setsockopt(served, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    size_t sent = 0;
    while (sent < size) {
        const ssize_t n = ::send(client, data + sent, size - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        sent += size_t(n);
    }
    ::shutdown(client, SHUT_WR);

    auto* socket = new QTcpSocket();
    if (!socket->setSocketDescriptor(served))
        std::abort();
    auto* connection = new HttpConnection(socket, h.context, h.nextId++, nullptr);
    bool closed = false;
    QEventLoop loop;
    QObject::connect(connection, &HttpConnection::closed, &loop, [&] {
        closed = true;
        loop.quit();
    });
    QTimer guard;
    guard.setSingleShot(true);
    QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
    guard.start(3000);
    if (!closed)
        loop.exec();
    if (!closed) {
        std::fprintf(stderr, "fuzz_http: the connection did not end within 3 s of the client's half-close\n");
        std::abort();
    }
    delete connection;
    ::close(client);
    return 0;
}
