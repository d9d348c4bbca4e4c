#include "faketlsserver.h"

#include <QFile>
#include <QProcess>
#include <QSslSocket>
#include <QStandardPaths>

#include <utility>

FakeTlsServer::FakeTlsServer(QObject* parent)
    : QTcpServer(parent)
{
}

FakeTlsServer::~FakeTlsServer()
{
    close();
    const QSet<QSslSocket*> sockets = std::exchange(m_sockets, {});
    for (QSslSocket* s : sockets) {
        s->disconnect(this);
        delete s;
    }
}

bool FakeTlsServer::makeSelfSignedCertificate(const QString& dir, QString* error)
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        *error = QStringLiteral("the openssl command is not installed (packaging/devtool.sh deps installs it)");
        return false;
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(openssl,
        {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
            QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
            QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1"), QStringLiteral("-keyout"),
            dir + QStringLiteral("/key.pem"), QStringLiteral("-out"), dir + QStringLiteral("/cert.pem")});
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("openssl req failed: ") + QString::fromLocal8Bit(p.readAll());
        return false;
    }
    return true;
}

bool FakeTlsServer::listen(const QString& certificateDir)
{
    QFile cert(certificateDir + QStringLiteral("/cert.pem"));
    QFile key(certificateDir + QStringLiteral("/key.pem"));
    if (!cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
        return false;
    m_certificate = QSslCertificate(&cert, QSsl::Pem);
    m_key = QSslKey(&key, QSsl::Ec, QSsl::Pem);
    if (m_certificate.isNull() || m_key.isNull())
        return false;
    return QTcpServer::listen(QHostAddress::LocalHost, 0);
}

void FakeTlsServer::incomingConnection(qintptr descriptor)
{
    auto* s = new QSslSocket(this);
    if (!s->setSocketDescriptor(descriptor)) {
        delete s;
        return;
    }
    m_sockets.insert(s);
    ++m_started;
    s->setLocalCertificate(m_certificate);
    s->setPrivateKey(m_key);
    connect(s, &QSslSocket::encrypted, this, [this]() { ++m_succeeded; });
    // A refused handshake ends in an error (the client's alert) or a plain close; either way the socket is done.
    connect(s, &QAbstractSocket::errorOccurred, this, [this, s]() { finish(s); });
    connect(s, &QAbstractSocket::disconnected, this, [this, s]() { finish(s); });
    s->startServerEncryption();
}

void FakeTlsServer::finish(QSslSocket* s)
{
    if (!m_sockets.remove(s))
        return;
    if (!s->isEncrypted())
        ++m_failed;
    s->disconnect(this);
    s->abort();
    s->deleteLater();
    Q_EMIT connectionClosed();
}
