#pragma once

#include "secretstore.h"

#include <QHash>
#include <QString>

#include <deque>

namespace QKeychain {
class Job;
}

namespace sy {

// Secrets in the system keychain through QtKeychain (libsecret / Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows). Every key is stored under `service`, so two services never see each other's keys.
//
// Jobs on the same key run one after another in the order they were started. QtKeychain itself runs every job of the
// process one at a time (its JobExecutor), so one hung D-Bus call stalls all keychain jobs; the per-key queue here
// keeps the ordering guarantee whatever QtKeychain version or backend. remove() of a missing key reports NotFound on
// every platform: it reads before it deletes (libsecret reports success for deleting nothing).
// QKeychain errors map to: EntryNotFound -> NotFound; NoBackendAvailable, AccessDenied, OtherError (no D-Bus,
// locked or missing keyring) -> Unavailable; anything else -> Error.
//
// Destroying the store drops the callbacks of jobs still running; the QtKeychain jobs delete themselves when they
// finish.
class KeychainSecretStore : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainSecretStore)
public:
    explicit KeychainSecretStore(const QString& service = QStringLiteral("switchyard"), QObject* parent = nullptr);
    ~KeychainSecretStore() override;

    void read(const QString& key, Callback done) override;
    void write(const QString& key, const QByteArray& value, Callback done) override;
    void remove(const QString& key, Callback done) override;
    QString backendName() const override { return QStringLiteral("keychain"); }
    bool isSecure() const override { return true; }

    QString service() const { return m_service; }

private:
    enum class Kind { Read, Write, Remove };
    struct Op
    {
        Kind kind = Kind::Read;
        QByteArray value;
        Callback done;
    };

    void enqueue(const QString& key, Op op);
    void startFront(const QString& key);
    void startDelete(const QString& key);
    void finishFront(const QString& key, SecretResult result);
    SecretResult resultFrom(const QKeychain::Job* job, Kind kind, const QString& key) const;

    QString m_service;
    QHash<QString, std::deque<Op>> m_queues; // front = the job running for that key
};

} // namespace sy
