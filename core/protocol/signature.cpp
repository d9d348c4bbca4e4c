#include "signature.h"

namespace sy::canon {

namespace {
constexpr QStringView Prefix = u"sy1.";
}

QString makeGatewaySignature(const QString& provider, const QByteArray& payload)
{
    return Prefix.toString() + provider + QLatin1Char('.')
        + QString::fromLatin1(payload.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

SignatureOrigin signatureOrigin(const QString& signature)
{
    if (signature.isEmpty())
        return SignatureOrigin::None;
    if (signature.startsWith(Prefix))
        return SignatureOrigin::Gateway;
    return SignatureOrigin::Anthropic;
}

QString gatewaySignatureProvider(const QString& signature)
{
    if (!signature.startsWith(Prefix))
        return {};
    const qsizetype dot = signature.indexOf(QLatin1Char('.'), Prefix.size());
    return dot < 0 ? signature.mid(Prefix.size()) : signature.mid(Prefix.size(), dot - Prefix.size());
}

QByteArray gatewaySignaturePayload(const QString& signature)
{
    if (!signature.startsWith(Prefix))
        return {};
    const qsizetype dot = signature.indexOf(QLatin1Char('.'), Prefix.size());
    if (dot < 0)
        return {};
    return QByteArray::fromBase64(
        signature.mid(dot + 1).toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace sy::canon
