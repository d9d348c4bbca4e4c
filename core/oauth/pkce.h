#pragma once

#include <QByteArray>

namespace sy::pkce {

// RFC 7636: a 43-character base64url verifier from 32 random bytes, and its S256 challenge.
QByteArray makeVerifier();
QByteArray challengeS256(const QByteArray& verifier);
// A random URL-safe value for the OAuth `state` parameter.
QByteArray makeState();

} // namespace sy::pkce
