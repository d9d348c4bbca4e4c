#include "oauth/pkce.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace sy::pkce {

namespace {

QByteArray randomUrlSafe(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(
        reinterpret_cast<quint32*>(raw.data()), reinterpret_cast<quint32*>(raw.data()) + bytes / 4);
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

QByteArray makeVerifier()
{
    return randomUrlSafe(32);
}

QByteArray challengeS256(const QByteArray& verifier)
{
    return QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray makeState()
{
    return randomUrlSafe(24);
}

} // namespace sy::pkce
