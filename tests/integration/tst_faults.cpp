// The fault-injection matrix (issue 9). Every upstream fault, for streaming and non-streaming clients, with the
// faulty provider alone and with a healthy second target behind it; slow clients, vanishing clients and a thousand
// idle ones. Each row checks the client-shaped error, that failover happens only before the first byte reached the
// client, that the request is logged exactly once, that abandoned upstream requests are aborted, and that no file
// descriptor is left open (the gateway, the fakes and the clients all live in this process: /proc/self/fd counts
// them all).

#include "faketlsserver.h"
#include "fakeupstream.h"
#include "testgateway.h"

#include "server/httpserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/resource.h>

#include <memory>
#include <vector>

using namespace sy;

namespace {

// Each idle connection costs two descriptors here (the client's and the gateway's), and the server must have room
// for all of them plus the requests served meanwhile.
constexpr int IdleConnections = 1000;
static_assert(HttpServerLimits {}.maxConnections > IdleConnections,
    "the server's default connection limit must admit a thousand idle clients and one more");

int openFileDescriptors()
{
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir)
        return -1;
    int n = 0;
    while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] != '.')
            ++n;
    }
    ::closedir(dir);
    return n;
}

// This process's descriptors of TCP connections with `port` at either end: a connection to the gateway counts twice,
// once for the client's end and once for the gateway's (listeners are left out).
int tcpSocketsOnPort(quint16 port)
{
    const auto portOf = [](const sockaddr_storage& a) -> int {
        if (a.ss_family == AF_INET)
            return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
        if (a.ss_family == AF_INET6)
            return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
        return -1;
    };
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir)
        return -1;
    int n = 0;
    while (const dirent* e = ::readdir(dir)) {
        const int fd = ::atoi(e->d_name);
        if (e->d_name[0] == '.' || fd == ::dirfd(dir))
            continue;
        sockaddr_storage local {};
        sockaddr_storage peer {};
        socklen_t localLength = sizeof local;
        socklen_t peerLength = sizeof peer;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength) != 0
            || ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerLength) != 0)
            continue; // not a socket, or not connected
        if (portOf(local) == port || portOf(peer) == port)
            ++n;
    }
    ::closedir(dir);
    return n;
}

enum class Fault {
    RateLimitedWithRetryAfter,
    RateLimited,
    ServerError,
    Overloaded,
    ConnectionRefused,
    ResetBeforeResponse,
    ResetAfterHeaders, // the upstream's status line came, nothing the client could see
    ResetAfterFirstByte, // the client already has part of the answer (when streaming)
    StallBeforeResponse,
    StallAfterFirstByte,
    GarbageStream, // not SSE / not JSON from the start
    GarbageAfterFirstByte,
    NotHttp,
    TruncatedJson,
    ShortBody, // fewer bytes than Content-Length, then the upstream closes
    UntrustedTls,
};

QByteArray chatChunk(const QByteArray& delta, const QByteArray& finish = "null")
{
    return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":" + delta
        + ",\"finish_reason\":" + finish + "}]}\n\n";
}

// Only the role: the gateway has nothing to show the client yet.
QByteArray roleChunk()
{
    return chatChunk("{\"role\":\"assistant\",\"content\":\"\"}");
}

QByteArray textChunk(const QByteArray& text)
{
    return chatChunk("{\"content\":\"" + text + "\"}");
}

QByteArray streamEnd()
{
    return chatChunk("{}", "\"stop\"") + "data: [DONE]\n\n";
}

QByteArray completion(const QByteArray& text)
{
    return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
           "\"assistant\","
           "\"content\":\""
        + text + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}";
}

FakeReply healthy(bool stream, const QByteArray& text)
{
    return stream ? FakeReply::sse(roleChunk() + textChunk(text) + streamEnd())
                  : FakeReply::json(200, completion(text));
}

FakeReply errorStatus(int status)
{
    return FakeReply::json(status, "{\"error\":{\"message\":\"upstream trouble " + QByteArray::number(status) + "\"}}");
}

// The first bytes of an answer: for a stream, text the gateway passes on at once; for JSON, a piece of the body.
FakeReply partialAnswer(bool stream)
{
    return stream ? FakeReply::sse(roleChunk() + textChunk("partial")) : FakeReply::json(200, completion("x").left(30));
}

// What provider a answers, every time it is asked (QNAM itself resends once after some connection failures).
FakeReply faultReply(Fault fault, bool stream)
{
    FakeReply r;
    switch (fault) {
    case Fault::RateLimitedWithRetryAfter:
        r = errorStatus(429);
        r.headers.append(qMakePair(QByteArrayLiteral("retry-after"), QByteArrayLiteral("7")));
        break;
    case Fault::RateLimited:
        r = errorStatus(429);
        break;
    case Fault::ServerError:
        r = errorStatus(500);
        break;
    case Fault::Overloaded:
        r = errorStatus(529);
        break;
    case Fault::ResetBeforeResponse:
        r.dropBeforeResponse = true;
        r.reset = true;
        break;
    case Fault::ResetAfterHeaders:
        r = stream ? FakeReply::sse(roleChunk()) : FakeReply::json(200, {});
        if (!stream)
            r.chunks.clear();
        r.closeAfterChunks = true;
        r.reset = true;
        break;
    case Fault::ResetAfterFirstByte:
        r = partialAnswer(stream);
        if (stream)
            r.hangAfterChunks = 1; // the test resets the connection once the client has the text
        else
            r.closeAfterChunks = r.reset = true;
        break;
    case Fault::StallBeforeResponse:
        r.hang = true;
        break;
    case Fault::StallAfterFirstByte:
        r = partialAnswer(stream);
        r.hangAfterChunks = 1;
        break;
    case Fault::GarbageStream:
        r = stream ? FakeReply::sse("\x01\x02\xfe garbage \n\ndata: <html>502 Bad Gateway</html>\n\n")
                   : FakeReply::json(200, "<html><body>502 Bad Gateway</body></html>");
        break;
    case Fault::GarbageAfterFirstByte:
        if (stream) {
            r = partialAnswer(true);
            r.chunks.append("data: {\"id\":\"c1\",\"choices\":[{garbage\n\n");
            r.hangAfterChunks = 2; // and then silence: the gateway must hang up itself
        } else {
            r = FakeReply::json(200, completion("whole") + " and garbage behind it");
        }
        break;
    case Fault::NotHttp:
        r.raw = "SSH-2.0-OpenSSH_9.2p1\r\nInvalid SSH identification string.\r\n";
        break;
    case Fault::TruncatedJson:
        r = stream ? FakeReply::sse("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assist\n\n")
                   : FakeReply::json(200, completion("whole").left(40));
        break;
    case Fault::ShortBody: {
        const QByteArray whole = stream ? roleChunk() + textChunk("partial") + streamEnd() : completion("whole");
        r = stream ? FakeReply::sse(whole) : FakeReply::json(200, whole);
        r.contentLength = whole.size();
        r.chunks = {stream ? roleChunk() + textChunk("partial") : whole.left(30)};
        r.closeAfterChunks = true;
        break;
    }
    case Fault::ConnectionRefused:
    case Fault::UntrustedTls:
        break; // nothing answers over plain HTTP
    }
    return r;
}

// The fake keeps the connection open forever: the gateway has to hang up.
bool upstreamNeverEnds(Fault fault, bool stream)
{
    return fault == Fault::StallBeforeResponse || fault == Fault::StallAfterFirstByte
        || (fault == Fault::GarbageAfterFirstByte && stream);
}

QByteArray messagesRequest(bool stream)
{
    const QByteArray body = QByteArray("{\"model\":\"claude-sonnet-5\",\"max_tokens\":100,\"stream\":")
        + (stream ? "true" : "false") + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
    return "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "anthropic-version: 2023-06-01\r\nx-api-key: test-client-key\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QJsonObject errorObject(const QByteArray& json)
{
    const QJsonObject root = QJsonDocument::fromJson(json).object();
    if (root.value(QLatin1String("type")).toString() != QLatin1String("error"))
        return {};
    return root.value(QLatin1String("error")).toObject();
}

QString textOf(const QList<QPair<QByteArray, QByteArray>>& events)
{
    QString text;
    for (const auto& e : events) {
        if (e.first == "content_block_delta") {
            text += QJsonDocument::fromJson(e.second)
                        .object()
                        .value(QLatin1String("delta"))
                        .toObject()
                        .value(QLatin1String("text"))
                        .toString();
        }
    }
    return text;
}

QString answerText(const ParsedResponse& r, bool stream)
{
    if (stream)
        return textOf(parseSseEvents(r.body));
    QString text;
    const QJsonObject o = QJsonDocument::fromJson(r.body).object();
    for (const QJsonValue& block : o.value(QLatin1String("content")).toArray())
        text += block.toObject().value(QLatin1String("text")).toString();
    return text;
}

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT

    QTemporaryDir m_certificateDir; // a throwaway key and self-signed certificate, made by openssl in initTestCase
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<FakeTlsServer> m_tls;
    std::unique_ptr<GatewayService> m_gateway;
    std::vector<std::unique_ptr<QTcpSocket>> m_clients;
    QList<RequestRecord> m_records;
    int m_expectedRecords = 0;
    int m_fdBaseline = -1;

    static QByteArray provider(const QByteArray& id, const QString& baseUrl, int idleMs)
    {
        return "{\"id\":\"" + id + "\",\"kind\":\"openai-chat\",\"base_url\":\"" + baseUrl.toUtf8()
            + "/v1\",\"credentials\":[{\"api_key\":\"test-key-" + id + "\"}],\"models\":[{\"id\":\"m-" + id
            + "\"}],\"timeouts\":{\"idle_ms\":" + QByteArray::number(idleMs) + "}}";
    }

    // Provider a at `aUrl` (idle timeout `idleMs`), then b when it runs; every model routes to a, then b.
    void startGateway(const QString& aUrl, int workers, int idleMs = 250, const QByteArray& server = {})
    {
        QByteArray providers = provider("a", aUrl, idleMs);
        QByteArray targets = "\"a/m-a\"";
        if (m_b) {
            providers += ',' + provider("b", m_b->baseUrl(), 10000);
            targets += ",\"b/m-b\"";
        }
        const QByteArray config = "{\"version\":1,\"server\":{\"worker_threads\":" + QByteArray::number(workers)
            + server + "},\"providers\":[" + providers + "],\"routes\":[{\"match\":\"*\",\"to\":[" + targets + "]}]}";
        QString error;
        m_gateway = startTestGateway(config, &m_records, &error);
        QVERIFY2(m_gateway, qPrintable(error));
        QCOMPARE(m_gateway->workerThreads(), workers);
    }

    // Provider a: a scripted upstream giving every request `reply`.
    bool startA(const FakeReply& reply)
    {
        m_a = std::make_unique<FakeUpstream>();
        m_a->setDefault(reply);
        return m_a->listen();
    }

    QTcpSocket* connectClient()
    {
        m_clients.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket* s = m_clients.back().get();
        s->connectToHost(QHostAddress::LocalHost, m_gateway->port());
        return s;
    }

    // Reads one whole response from `s` into `r` (the bytes so far are in `data`).
    static bool readResponse(QTcpSocket* s, QByteArray& data, ParsedResponse* r)
    {
        data += s->readAll();
        return parseHttpResponse(data, r);
    }

    // A well-behaved client asks and gets provider a's `text`, streamed or not; then it hangs up.
    void expectServed(bool stream, const QString& text)
    {
        QTcpSocket* client = connectClient();
        client->write(messagesRequest(stream));
        QByteArray data;
        ParsedResponse r;
        QTRY_VERIFY_WITH_TIMEOUT(readResponse(client, data, &r), 10000);
        QCOMPARE(r.status, 200);
        QCOMPARE(answerText(r, stream), text);
        client->disconnectFromHost();
    }

    // Rows for every combination of two yes/no columns, each with the gateway on the main thread and on two worker
    // threads ("workers"), named after the columns' values.
    static void addCombinations(const char* first, const char* firstYes, const char* firstNo, const char* second,
        const char* secondYes, const char* secondNo)
    {
        QTest::addColumn<bool>(first);
        QTest::addColumn<bool>(second);
        QTest::addColumn<int>("workers");
        for (const bool a : {true, false}) {
            for (const bool b : {true, false}) {
                for (const int workers : {0, 2}) {
                    QTest::addRow("%s, %s, %d workers", a ? firstYes : firstNo, b ? secondYes : secondNo, workers)
                        << a << b << workers;
                }
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        // A thousand loopback connections inside one process need two thousand descriptors and more.
        rlimit limit {};
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
        limit.rlim_cur = limit.rlim_max;
        QCOMPARE(::setrlimit(RLIMIT_NOFILE, &limit), 0);
        QVERIFY2(limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= rlim_t(2 * IdleConnections + 300),
            qPrintable(QStringLiteral("this machine allows only %1 open files per process").arg(limit.rlim_cur)));
        QVERIFY(m_certificateDir.isValid());
        QString error;
        QVERIFY2(FakeTlsServer::makeSelfSignedCertificate(m_certificateDir.path(), &error), qPrintable(error));
    }

    void init()
    {
        m_records.clear();
        m_expectedRecords = 0;
        m_fdBaseline = openFileDescriptors();
        QVERIFY(m_fdBaseline > 0);
    }

    void cleanup()
    {
        m_clients.clear();
        m_gateway.reset();
        m_a.reset();
        m_b.reset();
        m_tls.reset();
        // Logged exactly once: nothing more arrived late, not even from the teardown.
        QCOMPARE(m_records.size(), m_expectedRecords);
        // Sockets and worker threads end asynchronously: wait for the count to settle back.
        QTRY_COMPARE_WITH_TIMEOUT(openFileDescriptors(), m_fdBaseline, 10000);
    }

    void upstreamFaults_data()
    {
        QTest::addColumn<int>("fault");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<bool>("withFallback");
        QTest::addColumn<int>("workers");
        QTest::addColumn<int>("status"); // what the client gets when nothing reached it yet and no fallback helps
        QTest::addColumn<QString>("type");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::addColumn<bool>("streamCommitted"); // a streaming client already has bytes when the fault strikes
        struct Row
        {
            const char* name;
            Fault fault;
            int status;
            const char* type;
            const char* retryAfter;
            bool streamCommitted;
        };
        const Row rows[] = {
            {"429 with retry-after", Fault::RateLimitedWithRetryAfter, 429, "rate_limit_error", "7", false},
            {"429 without retry-after", Fault::RateLimited, 429, "rate_limit_error", "", false},
            {"500", Fault::ServerError, 500, "api_error", "", false},
            {"529", Fault::Overloaded, 529, "overloaded_error", "", false},
            {"connection refused", Fault::ConnectionRefused, 502, "api_error", "", false},
            {"reset before the response", Fault::ResetBeforeResponse, 502, "api_error", "", false},
            {"reset after the upstream's headers", Fault::ResetAfterHeaders, 502, "api_error", "", false},
            {"reset after the first byte", Fault::ResetAfterFirstByte, 502, "api_error", "", true},
            {"stall before the response", Fault::StallBeforeResponse, 504, "timeout_error", "", false},
            {"stall after the first byte", Fault::StallAfterFirstByte, 504, "timeout_error", "", true},
            {"garbage SSE", Fault::GarbageStream, 500, "api_error", "", false},
            {"garbage after the first byte", Fault::GarbageAfterFirstByte, 500, "api_error", "", true},
            {"not HTTP at all", Fault::NotHttp, 502, "api_error", "", false},
            {"truncated JSON", Fault::TruncatedJson, 500, "api_error", "", false},
            {"body shorter than Content-Length", Fault::ShortBody, 502, "api_error", "", true},
            {"TLS certificate not trusted", Fault::UntrustedTls, 502, "api_error", "", false},
        };
        for (const Row& row : rows) {
            for (const bool stream : {true, false}) {
                for (const bool withFallback : {false, true}) {
                    for (const int workers : {0, 2}) {
                        QTest::addRow("%s, %s, %s, %d workers", row.name, stream ? "stream" : "json",
                            withFallback ? "fails over to b" : "a only", workers)
                            << int(row.fault) << stream << withFallback << workers << row.status
                            << QString::fromLatin1(row.type) << QByteArray(row.retryAfter) << row.streamCommitted;
                    }
                }
            }
        }
    }
    void upstreamFaults()
    {
        QFETCH(int, fault);
        QFETCH(bool, stream);
        QFETCH(bool, withFallback);
        QFETCH(int, workers);
        QFETCH(int, status);
        QFETCH(QString, type);
        QFETCH(QByteArray, retryAfter);
        QFETCH(bool, streamCommitted);
        const Fault f = Fault(fault);
        // A JSON client's upstream answer arrives whole; when it cannot be read it is a bad gateway (502), while a
        // stream that turns to garbage is the decoder's api_error (500).
        if (!stream && (f == Fault::GarbageStream || f == Fault::GarbageAfterFirstByte || f == Fault::TruncatedJson))
            status = 502;

        QString aUrl;
        if (f == Fault::ConnectionRefused) {
            QTcpServer closed; // a port that was free a moment ago and has no listener now
            QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
            aUrl = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
        } else if (f == Fault::UntrustedTls) {
            m_tls = std::make_unique<FakeTlsServer>();
            QVERIFY(m_tls->listen(m_certificateDir.path()));
            aUrl = m_tls->baseUrl();
        } else {
            QVERIFY(startA(faultReply(f, stream)));
            aUrl = m_a->baseUrl();
        }
        if (withFallback) {
            m_b = std::make_unique<FakeUpstream>();
            QVERIFY(m_b->listen());
            m_b->setDefault(healthy(stream, "from b"));
        }
        startGateway(aUrl, workers);

        QTcpSocket* client = connectClient();
        client->write(messagesRequest(stream));
        QByteArray data;
        if (f == Fault::ResetAfterFirstByte && stream) {
            QTRY_VERIFY_WITH_TIMEOUT((data += client->readAll()).contains("\"text\":\"partial\""), 10000);
            QCOMPARE(m_a->openConnections(), 1);
            m_a->resetConnections();
        }
        ParsedResponse r;
        QTRY_VERIFY_WITH_TIMEOUT(readResponse(client, data, &r), 10000);
        m_expectedRecords = 1;

        const bool committed = stream && streamCommitted;
        const bool failover = withFallback && !committed;
        if (failover) {
            // Nothing had reached the client: b answers as if nothing happened.
            QCOMPARE(r.status, 200);
            QCOMPARE(answerText(r, stream), QStringLiteral("from b"));
            QCOMPARE(m_b->requests().size(), 1);
        } else if (committed) {
            // The stream had begun: it ends with an error event, and b is never asked (the client has a's text).
            QCOMPARE(r.status, 200);
            QVERIFY(r.header("content-type").startsWith("text/event-stream"));
            const auto events = parseSseEvents(r.body);
            QVERIFY(!events.isEmpty());
            QCOMPARE(textOf(events), QStringLiteral("partial"));
            QCOMPARE(events.last().first, QByteArray("error"));
            const QJsonObject e = errorObject(events.last().second);
            QCOMPARE(e.value(QLatin1String("type")).toString(), type);
            QVERIFY(!e.value(QLatin1String("message")).toString().isEmpty());
            QVERIFY(!r.body.contains("message_stop"));
            if (m_b)
                QCOMPARE(m_b->requests().size(), 0);
        } else {
            // An error in Anthropic's shape, with the provider's Retry-After when it gave one.
            QCOMPARE(r.status, status);
            QVERIFY(r.header("content-type").startsWith("application/json"));
            const QJsonObject e = errorObject(r.body);
            QCOMPARE(e.value(QLatin1String("type")).toString(), type);
            // The message names the provider, once.
            QVERIFY2(e.value(QLatin1String("message")).toString().count(QLatin1String("provider a")) == 1,
                r.body.constData());
            QCOMPARE(r.header("retry-after"), retryAfter);
        }
        // The faulty provider was really asked.
        if (m_a)
            QVERIFY(m_a->requests().size() >= 1);
        if (m_tls) {
            QVERIFY(m_tls->handshakesStarted() >= 1);
            QCOMPARE(m_tls->handshakesSucceeded(), 0);
            QTRY_COMPARE(m_tls->handshakesFailed(), m_tls->handshakesStarted());
        }
        // An upstream request that never ends on its own was abandoned by the gateway, not left hanging.
        if (m_a && upstreamNeverEnds(f, stream))
            QTRY_COMPARE_WITH_TIMEOUT(m_a->openConnections(), 0, 5000);

        QTRY_COMPARE(m_records.size(), 1);
        const RequestRecord& rec = m_records.first();
        QCOMPARE(rec.stream, stream);
        QVERIFY(!rec.attempts.isEmpty());
        QCOMPARE(rec.attempts.first().providerId, QStringLiteral("a"));
        if (failover) {
            QCOMPARE(rec.status, 200);
            QCOMPARE(rec.errorType, QString());
            QCOMPARE(rec.providerId, QStringLiteral("b"));
            QCOMPARE(rec.attempts.size(), 2);
            QCOMPARE(rec.attempts.first().outcome, QStringLiteral("failover"));
            QCOMPARE(rec.attempts.last().outcome, QStringLiteral("ok"));
        } else {
            QCOMPARE(rec.status, committed ? 200 : status);
            QCOMPARE(rec.errorType, type);
            QCOMPARE(rec.providerId, QStringLiteral("a"));
            QCOMPARE(rec.attempts.size(), 1);
        }
    }

    void clientLeaves_data()
    {
        // midAnswer: the upstream already sent part of the answer when the client leaves
        addCombinations("stream", "stream", "json", "midAnswer", "mid-answer", "before the first byte");
    }
    void clientLeaves()
    {
        QFETCH(bool, stream);
        QFETCH(bool, midAnswer);
        QFETCH(int, workers);
        FakeReply reply;
        if (midAnswer) {
            reply = partialAnswer(stream);
            reply.hangAfterChunks = 1;
        } else {
            reply.hang = true;
        }
        QVERIFY(startA(reply));
        startGateway(m_a->baseUrl(), workers, 60000); // only the client's leaving can end this upstream call
        QTcpSocket* client = connectClient();
        client->write(messagesRequest(stream));
        QTRY_COMPARE_WITH_TIMEOUT(m_a->requests().size(), 1, 10000);
        QCOMPARE(m_a->openConnections(), 1);
        if (stream && midAnswer)
            QTRY_VERIFY_WITH_TIMEOUT(client->peek(1 << 16).contains("\"text\":\"partial\""), 10000);
        else
            QCOMPARE(client->bytesAvailable(), qint64(0)); // nothing can have reached the client
        QSignalSpy upstreamClosed(m_a.get(), &FakeUpstream::connectionClosed);
        client->abort();
        QTRY_COMPARE_WITH_TIMEOUT(m_a->openConnections(), 0, 5000);
        QCOMPARE(upstreamClosed.count(), 1);
        QCOMPARE(m_a->requests().size(), 1);
        m_expectedRecords = 1;
        QTRY_COMPARE(m_records.size(), 1);
        QCOMPARE(m_records.first().errorType, QStringLiteral("client_disconnected"));
        QCOMPARE(m_records.first().status, 499);
        QCOMPARE(m_records.first().stream, stream);
    }

    void slowloris_data()
    {
        // slowHeaders: else the headers come at once and the body a byte at a time; stream: what the well-behaved
        // client asks for meanwhile
        addCombinations("slowHeaders", "headers", "body", "stream", "stream", "json");
    }
    void slowloris()
    {
        QFETCH(bool, slowHeaders);
        QFETCH(bool, stream);
        QFETCH(int, workers);
        QVERIFY(startA(healthy(stream, "served")));
        // The whole request must be there 600 ms after its first byte; it never idles long enough for the idle
        // timeout to be what ends it.
        startGateway(m_a->baseUrl(), workers, 10000, ",\"request_timeout_ms\":600,\"idle_timeout_ms\":5000");

        // One byte every 15 ms: the request would take seconds to arrive.
        const QByteArray request = messagesRequest(false);
        const qsizetype headerEnd = request.indexOf("\r\n\r\n") + 4;
        QTcpSocket* slow = connectClient();
        QVERIFY(slow->waitForConnected(5000));
        qsizetype sent = 0;
        if (!slowHeaders) {
            slow->write(request.left(headerEnd));
            sent = headerEnd;
        }
        QTimer drip;
        drip.setInterval(15);
        connect(&drip, &QTimer::timeout, slow, [&]() {
            if (slow->bytesAvailable() > 0 || slow->state() != QAbstractSocket::ConnectedState
                || sent >= request.size())
                return drip.stop();
            slow->write(request.mid(sent++, 1));
        });
        drip.start();
        QTRY_VERIFY(sent >= (slowHeaders ? 5 : headerEnd + 5));

        // Meanwhile a normal client is served at once.
        expectServed(stream, QStringLiteral("served"));
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(slow->bytesAvailable() == 0 && slow->state() == QAbstractSocket::ConnectedState,
            "the slow client was cut off before the normal one was served");

        // The slow one gets 408 in Anthropic's shape, and the gateway closes its connection.
        QByteArray slowData;
        ParsedResponse timedOut;
        QTRY_VERIFY_WITH_TIMEOUT(readResponse(slow, slowData, &timedOut), 5000);
        QVERIFY(sent < request.size());
        QCOMPARE(timedOut.status, 408);
        QCOMPARE(timedOut.header("connection").toLower(), QByteArray("close"));
        QCOMPARE(errorObject(timedOut.body).value(QLatin1String("type")).toString(), QStringLiteral("timeout_error"));
        QTRY_COMPARE_WITH_TIMEOUT(slow->state(), QAbstractSocket::UnconnectedState, 5000);
        drip.stop();
        // Only the normal request reached the upstream; the cut-off one is logged and announced as the server's 408.
        m_expectedRecords = 2;
        QTRY_COMPARE(m_records.size(), 2);
        QCOMPARE(m_records.at(0).status, 200);
        QCOMPARE(m_records.at(1).status, 408);
        QCOMPARE(m_records.at(1).errorType, QStringLiteral("timeout_error"));
        QCOMPARE(m_a->requests().size(), 1);
    }

    void thousandIdleConnections_data()
    {
        QTest::addColumn<int>("workers");
        for (const int workers : {0, 2})
            QTest::addRow("%d workers", workers) << workers;
    }
    void thousandIdleConnections()
    {
        QFETCH(int, workers);
        QVERIFY(startA(healthy(true, "still here")));
        // The server's own connection limit (1024 by default, see the static_assert above) is left as it is; all of
        // them come from one address here, so the per-client share (256 by default) is lifted.
        startGateway(m_a->baseUrl(), workers, 10000, ",\"idle_timeout_ms\":2000,\"max_connections_per_client\":0");
        const quint16 port = m_gateway->port();
        const auto serve = [this](bool stream) {
            m_a->setDefault(healthy(stream, "still here"));
            expectServed(stream, QStringLiteral("still here"));
            return !QTest::currentTestFailed();
        };
        // A request on every thread first, so that what a thread's first request sets up for good (its network
        // manager, the upstream connection kept alive) is in the count the end is compared with.
        QVERIFY(serve(true) && serve(false));
        QTRY_COMPARE_WITH_TIMEOUT(tcpSocketsOnPort(port), 0, 5000);
        const int before = openFileDescriptors();
        const int upstreamBefore = m_a->openConnections();

        // All at once: the gateway lets as many connections wait to be accepted as it serves.
        QElapsedTimer opening;
        opening.start();
        int closedByGateway = 0;
        for (int i = 0; i < IdleConnections; ++i) {
            QTcpSocket* s = connectClient();
            connect(s, &QTcpSocket::disconnected, this, [&closedByGateway]() { ++closedByGateway; });
        }
        QTRY_COMPARE_WITH_TIMEOUT(tcpSocketsOnPort(port), 2 * IdleConnections, 10000);
        const auto connectedClients = [this]() {
            return std::count_if(m_clients.cbegin(), m_clients.cend(),
                [](const auto& s) { return s->state() == QAbstractSocket::ConnectedState; });
        };
        QTRY_COMPARE(connectedClients(), qsizetype(IdleConnections));
        QCOMPARE(openFileDescriptors(), before + 2 * IdleConnections);
        qInfo("%d idle connections open after %lld ms", IdleConnections, qint64(opening.elapsed()));

        // Normal clients are served meanwhile, streaming and not.
        QVERIFY(serve(true) && serve(false));
        m_expectedRecords = 4;
        QTRY_COMPARE(m_records.size(), 4);
        QCOMPARE(closedByGateway, 0); // all still open: the idle timeout has not struck yet

        // After the idle timeout the gateway closes every one of them (the clients never do), and every descriptor
        // is back but those of upstream connections the gateway opened meanwhile and keeps alive (one each side).
        QTRY_COMPARE_WITH_TIMEOUT(closedByGateway, IdleConnections, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(tcpSocketsOnPort(port), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(openFileDescriptors(), before + 2 * (m_a->openConnections() - upstreamBefore), 10000);
        QCOMPARE(m_gateway->activeRequests(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
