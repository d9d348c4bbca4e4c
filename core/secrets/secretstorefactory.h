#pragma once

#include "secretstore.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <functional>
#include <memory>

class QObject;

namespace sy {

// What openSecretStore() settled on.
struct SecretStoreChoice
{
    std::unique_ptr<SecretStore> store; // never null
    bool fallback = false; // true: the unencrypted FileSecretStore, because the keychain failed its probe
    QString warning; // for a persistent notice in the UI when fallback is true; empty otherwise
};

constexpr int DefaultKeychainProbeTimeoutMs = 5000;

// Picks the secret store for this session. Probes the system keychain (service `service`) by writing, reading back
// and removing the sentinel key "switchyard-probe"; if that works, the choice is a KeychainSecretStore. If the
// keychain is unavailable, answers wrongly or does not answer within `timeoutMs` (D-Bus can hang), the choice is a
// FileSecretStore at `fallbackFilePath` with fallback = true and a warning naming the file.
//
// `done` runs once, later, from the event loop of the calling thread; never if `context` is destroyed first (pass
// nullptr for no context). Results of a probe that timed out are ignored.
void openSecretStore(const QString& service, const QString& fallbackFilePath,
    std::function<void(SecretStoreChoice)> done, QObject* context, int timeoutMs = DefaultKeychainProbeTimeoutMs);

// The environment variable that overrides the stored secret for `key` in headless runs:
// "SWITCHYARD_SECRET_" + the key in upper case with every character other than A-Z and 0-9 replaced by '_'.
// "account:chatgpt-3f2a" -> "SWITCHYARD_SECRET_ACCOUNT_CHATGPT_3F2A".
QString secretEnvironmentName(const QString& key);
// The value of that variable in `env` (UTF-8), empty if unset. Distinct keys can map to the same name
// ("a-b" and "a:b"); keep key names unambiguous.
QByteArray secretFromEnvironment(const QString& key, const QHash<QString, QString>& env);
// The same from the process environment (the raw bytes of the variable).
QByteArray secretFromEnvironment(const QString& key);

} // namespace sy
