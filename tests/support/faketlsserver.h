#pragma once

#include <QSet>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QTcpServer>

class QSslSocket;

// A TLS listener on 127.0.0.1:0 with a self-signed certificate that no client trusts: it runs the server side of
// each handshake and serves nothing else. Tests use it to check that clients refuse it (and how they say so).
class FakeTlsServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit FakeTlsServer(QObject* parent = nullptr);
    ~FakeTlsServer() override;

    // Makes a key and a self-signed certificate for 127.0.0.1 in `dir` with the openssl command line (key.pem,
    // cert.pem). Nothing of it is kept anywhere else. False, with the reason, when openssl is missing or fails.
    static bool makeSelfSignedCertificate(const QString& dir, QString* error);
    // Listens on 127.0.0.1:0 with dir/cert.pem and dir/key.pem.
    bool listen(const QString& certificateDir);
    QString baseUrl() const { return QStringLiteral("https://127.0.0.1:%1").arg(serverPort()); }

    int handshakesStarted() const { return m_started; }
    int handshakesFailed() const { return m_failed; }
    int handshakesSucceeded() const { return m_succeeded; }
    int openConnections() const { return int(m_sockets.size()); }

Q_SIGNALS:
    void connectionClosed();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void finish(QSslSocket* socket);

    QSslCertificate m_certificate;
    QSslKey m_key;
    QSet<QSslSocket*> m_sockets;
    int m_started = 0;
    int m_failed = 0;
    int m_succeeded = 0;
};
