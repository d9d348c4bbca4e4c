#pragma once

#include <QByteArray>
#include <QString>

namespace sy {

// Replaces a secret with a short, non-reversible marker that is still useful in logs ("…(41 chars)").
QString redactSecret(QStringView secret);

// True for header names whose values must never be logged.
bool isSecretHeader(QByteArrayView name);

// Remembers a secret this process holds (an API key, an OAuth token, a gateway key) so that scrubSecrets() removes
// it wherever it turns up in a log line. Values shorter than 8 characters are ignored (too likely to be words).
void registerSecret(QStringView secret);

// The text with every registered secret and everything shaped like a credential replaced by a marker: bearer
// tokens, secret headers ("x-api-key: ..."), "sk-..." and "AIza..." keys, JWTs, key= URL parameters and JSON
// fields named like tokens or keys.
// With a `marker`, each secret becomes that marker instead of its length marker.
QString scrubSecrets(const QString& text, QStringView marker = {});

// Installs a Qt message handler that scrubs every log line (see scrubSecrets) before the previous handler sees it.
// The last line of defence: code should not log secrets in the first place. Idempotent.
void installLogRedaction();

} // namespace sy
