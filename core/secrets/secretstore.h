#pragma once

#include <QByteArray>
#include <QHash>
#include <QLoggingCategory>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

// "switchyard.secrets": which backend is in use, probe results, file-permission repairs. Never secrets.
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)

namespace sy {

// Outcome of one secret-store job. Never carries a secret in `message`.
struct SecretResult
{
    enum class Status {
        Ok,
        NotFound, // read/remove of a key that does not exist
        Unavailable, // no backend answers (no keyring, locked, no D-Bus)
        Error, // anything else (I/O, permissions)
    };
    Status status = Status::Ok;
    QByteArray value; // read: the secret; empty otherwise
    QString message; // for people and logs; never the secret
    bool ok() const { return status == Status::Ok; }
};

// Where secrets (API keys entered through the app, OAuth token sets) live. Keys are short, non-secret names such as
// "apikey:openai-main" or "account:chatgpt-3f2a"; the implementation scopes them per application (its `service`).
//
// Every job is asynchronous: the callback runs later from the event loop (never inside the call), exactly once, on
// the thread that owns the store. Jobs on the same key finish in the order they were started.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const SecretResult&)>;

    explicit SecretStore(QObject* parent = nullptr)
        : QObject(parent)
    {
    }
    ~SecretStore() override = default;

    virtual void read(const QString& key, Callback done) = 0;
    virtual void write(const QString& key, const QByteArray& value, Callback done) = 0;
    virtual void remove(const QString& key, Callback done) = 0;

    // "keychain", "file" or "memory".
    virtual QString backendName() const = 0;
    // False for stores that keep secrets unencrypted on disk (the file fallback).
    virtual bool isSecure() const = 0;
    // Where an insecure store keeps its data (for the warning shown to users); empty otherwise.
    virtual QString location() const { return QString(); }

protected:
    // Runs `done(result)` later from the event loop (queued on this store; dropped if the store is destroyed
    // first). Results delivered through here arrive in call order. A null `done` is allowed.
    void deliver(Callback done, SecretResult result);
};

// Keeps secrets in memory only (tests, and --headless runs that get every secret from the environment).
class MemorySecretStore : public SecretStore
{
    Q_OBJECT
public:
    explicit MemorySecretStore(QObject* parent = nullptr);
    void read(const QString& key, Callback done) override;
    void write(const QString& key, const QByteArray& value, Callback done) override;
    void remove(const QString& key, Callback done) override;
    QString backendName() const override { return QStringLiteral("memory"); }
    bool isSecure() const override { return true; }

private:
    QHash<QString, QByteArray> m_values;
};

} // namespace sy
