#include "upstreamclient.h"

#include "common/logging.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#ifdef Q_OS_LINUX
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace sy {

namespace {
constexpr int ConnectionsPerHost = 6; // QNAM's HTTP/1.1 limit per manager and host

// QNetworkAccessManager leaves Nagle's algorithm on for its HTTP/1.1 sockets and writes a request body in 16 KiB
// pieces: the last piece then waits for the peer's delayed ACK (~40 ms on every request of a Claude-Code-sized body).
// There is no API to reach those sockets, so switch TCP_NODELAY on for every TCP socket of this process that lacks
// it (our own, by file descriptor; cheap: a directory read and two getsockopt calls per descriptor).
void disableNagleOnProcessSockets()
{
#ifdef Q_OS_LINUX
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir)
        return;
    while (dirent* entry = ::readdir(dir)) {
        if (entry->d_type != DT_LNK)
            continue;
        const int fd = ::atoi(entry->d_name);
        if (fd <= 2 || fd == ::dirfd(dir))
            continue;
        int type = 0;
        int domain = 0;
        socklen_t len = sizeof(type);
        if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM)
            continue;
        len = sizeof(domain);
        if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || (domain != AF_INET && domain != AF_INET6))
            continue;
        int noDelay = 0;
        len = sizeof(noDelay);
        if (::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &noDelay, &len) == 0 && !noDelay) {
            noDelay = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &noDelay, sizeof(noDelay));
        }
    }
    ::closedir(dir);
#endif
}
} // namespace

UpstreamCall::UpstreamCall(QNetworkReply* reply, const UpstreamRequest& request, QObject* parent)
    : QObject(parent)
    , m_reply(reply)
{
    m_timer.start();
    connect(reply, &QNetworkReply::metaDataChanged, this, &UpstreamCall::onMetaData);
    connect(reply, &QNetworkReply::readyRead, this, &UpstreamCall::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &UpstreamCall::onFinished);
    if (request.totalTimeoutMs > 0) {
        m_deadline = new QTimer(this);
        m_deadline->setSingleShot(true);
        connect(m_deadline, &QTimer::timeout, this, [this]() {
            m_abortedByUs = true;
            m_abortReason = Outcome::TotalTimeout;
            if (m_reply)
                m_reply->abort();
        });
        m_deadline->start(request.totalTimeoutMs);
    }
}

UpstreamCall::~UpstreamCall()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void UpstreamCall::abort()
{
    if (m_done)
        return;
    m_abortedByUs = true;
    m_abortReason = Outcome::Aborted;
    if (m_reply)
        m_reply->abort();
}

QByteArray UpstreamCall::responseHeader(QByteArrayView name) const
{
    for (const auto& h : m_headers) {
        if (QByteArrayView(h.first).compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

void UpstreamCall::onMetaData()
{
    if (m_started || !m_reply)
        return;
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return;
    const int code = status.toInt();
    if (code >= 300 && code < 400 && m_reply->attribute(QNetworkRequest::RedirectionTargetAttribute).isValid())
        return; // a redirect being followed
    m_status = code;
    m_headers = m_reply->rawHeaderPairs();
    m_started = true;
    Q_EMIT responseStarted(m_status);
}

void UpstreamCall::onReadyRead()
{
    if (!m_reply || !m_reply->isOpen()) // aborted: nothing more to read
        return;
    if (!m_started)
        onMetaData();
    const QByteArray data = m_reply->readAll();
    if (!data.isEmpty() && !m_done)
        Q_EMIT dataReceived(data);
}

void UpstreamCall::onFinished()
{
    if (!m_reply || m_done)
        return;
    if (!m_started)
        onMetaData();
    const QByteArray rest = m_reply->isOpen() ? m_reply->readAll() : QByteArray();
    if (!rest.isEmpty())
        Q_EMIT dataReceived(rest);
    const QNetworkReply::NetworkError err = m_reply->error();
    const QString errorString = m_reply->errorString();
    if (m_abortedByUs) {
        finishWith(m_abortReason,
            m_abortReason == Outcome::TotalTimeout ? QStringLiteral("upstream deadline exceeded")
                                                   : QStringLiteral("aborted"));
    } else if (err == QNetworkReply::OperationCanceledError) {
        // setTransferTimeout fired: no bytes for the idle period
        finishWith(Outcome::IdleTimeout, QStringLiteral("upstream sent nothing for too long"));
    } else if (err == QNetworkReply::NoError
        || (m_started && err >= QNetworkReply::ContentAccessDenied && err != QNetworkReply::ProtocolFailure)) {
        // HTTP error statuses (4xx/5xx) arrive as content/protocol errors with a complete response
        finishWith(Outcome::Completed, QString());
    } else if (m_started) {
        finishWith(Outcome::Interrupted, errorString);
    } else {
        finishWith(Outcome::ConnectionError, errorString);
    }
}

void UpstreamCall::finishWith(Outcome outcome, const QString& error)
{
    if (m_done)
        return;
    m_done = true;
    if (m_deadline)
        m_deadline->stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    Q_EMIT finished(outcome, error);
    deleteLater();
}

UpstreamClient::UpstreamClient(QObject* parent)
    : QObject(parent)
{
}

UpstreamClient::~UpstreamClient() = default;

UpstreamClient::Slot& UpstreamClient::slotFor(const QString& hostKey)
{
    for (Slot& s : m_pool) {
        if (s.inFlight.value(hostKey) < ConnectionsPerHost)
            return s;
    }
    auto* manager = new QNetworkAccessManager(this);
    manager->setCookieJar(nullptr);
    manager->setAutoDeleteReplies(false);
    m_pool.append(Slot {manager, {}});
    qCDebug(lcUpstream) << "upstream pool grew to" << m_pool.size() << "managers";
    return m_pool.last();
}

UpstreamCall* UpstreamClient::send(const UpstreamRequest& request, QObject* owner)
{
    const QString hostKey = request.url.scheme() + QLatin1String("://") + request.url.host() + QLatin1Char(':')
        + QString::number(request.url.port(request.url.scheme() == QLatin1String("https") ? 443 : 80));
    Slot& slot = slotFor(hostKey);
    QNetworkRequest nr(request.url);
    for (const auto& h : request.headers)
        nr.setRawHeader(h.first, h.second);
    nr.setTransferTimeout(request.idleTimeoutMs);
    nr.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    nr.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    nr.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    QNetworkReply* reply = slot.manager->post(nr, request.body);
    connect(reply, &QNetworkReply::socketStartedConnecting, this, &disableNagleOnProcessSockets);
    slot.inFlight[hostKey] += 1;
    QNetworkAccessManager* manager = slot.manager;
    auto* call = new UpstreamCall(reply, request, owner ? owner : this);
    connect(reply, &QObject::destroyed, this, [this, manager, hostKey]() {
        for (Slot& s : m_pool) {
            if (s.manager == manager) {
                s.inFlight[hostKey] -= 1;
                break;
            }
        }
    });
    return call;
}

} // namespace sy
