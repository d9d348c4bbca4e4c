#pragma once

#include <QString>

namespace sy::canon {

// Thinking-block signatures made by Switchyard carry a tag so a later turn can tell them from Anthropic's own:
//   "sy1.<provider>.<base64url payload>"   (payload may be empty)
// Anthropic-native signatures are base64 and never contain '.', so the tag cannot collide with them.
enum class SignatureOrigin { None, Anthropic, Gateway };

QString makeGatewaySignature(const QString& provider, const QByteArray& payload = {});
SignatureOrigin signatureOrigin(const QString& signature);
// Provider tag and payload of a gateway signature; empty strings for anything else.
QString gatewaySignatureProvider(const QString& signature);
QByteArray gatewaySignaturePayload(const QString& signature);

} // namespace sy::canon
