#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace sy {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

struct UpstreamRequest
{
    QUrl url;
    HeaderList headers;
    QByteArray body;
    int idleTimeoutMs = 300000; // no bytes for this long -> abort (also covers connecting and waiting)
    int totalTimeoutMs = 1800000; // whole exchange deadline
};

// One upstream HTTP exchange, streamed: responseStarted once, then dataReceived per network read, then finished.
class UpstreamCall : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamCall)
public:
    enum class Outcome {
        Completed, // an HTTP response was received in full (any status)
        ConnectionError, // no HTTP response: refused, DNS, TLS, reset before headers
        Interrupted, // the connection broke after the response started
        IdleTimeout,
        TotalTimeout,
        Aborted, // abort() was called
    };
    Q_ENUM(Outcome)

    ~UpstreamCall() override;
    void abort();
    int status() const { return m_status; }
    const HeaderList& responseHeaders() const { return m_headers; }
    QByteArray responseHeader(QByteArrayView name) const;
    bool hasResponse() const { return m_started; }
    qint64 elapsedMs() const { return m_timer.elapsed(); }

Q_SIGNALS:
    void responseStarted(int status);
    void dataReceived(const QByteArray& data);
    void finished(sy::UpstreamCall::Outcome outcome, const QString& errorString);

private:
    friend class UpstreamClient;
    UpstreamCall(QNetworkReply* reply, const UpstreamRequest& request, QObject* parent);
    void onMetaData();
    void onReadyRead();
    void onFinished();
    void finishWith(Outcome outcome, const QString& error);

    QPointer<QNetworkReply> m_reply;
    QTimer* m_deadline = nullptr;
    HeaderList m_headers;
    QElapsedTimer m_timer;
    int m_status = 0;
    bool m_started = false;
    bool m_done = false;
    Outcome m_abortReason = Outcome::Aborted;
    bool m_abortedByUs = false;
};

// Sends upstream requests through a pool of QNetworkAccessManagers, so that many concurrent streams to one host
// never queue behind QNAM's six-connections-per-host limit. Lives on one thread.
class UpstreamClient : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamClient)
public:
    explicit UpstreamClient(QObject* parent = nullptr);
    ~UpstreamClient() override;

    // The call is parented to `owner` (or the client) and deletes itself after finished() unless the owner goes first.
    UpstreamCall* send(const UpstreamRequest& request, QObject* owner = nullptr);
    int managerCount() const { return int(m_pool.size()); }

private:
    struct Slot
    {
        QNetworkAccessManager* manager;
        QHash<QString, int> inFlight; // per scheme://host:port
    };
    Slot& slotFor(const QString& hostKey);
    QList<Slot> m_pool;
};

} // namespace sy
