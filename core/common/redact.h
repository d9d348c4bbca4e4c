#pragma once

#include <QByteArray>
#include <QString>

namespace sy {

// Replaces a secret with a short, non-reversible marker that is still useful in logs ("sk-a…(41)").
QString redactSecret(QStringView secret);

// True for header names whose values must never be logged.
bool isSecretHeader(QByteArrayView name);

} // namespace sy
