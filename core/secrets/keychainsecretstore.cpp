#include "keychainsecretstore.h"

#include <qt6keychain/keychain.h>

namespace sy {

KeychainSecretStore::KeychainSecretStore(const QString& service, QObject* parent)
    : SecretStore(parent)
    , m_service(service)
{
}

// Running jobs have no parent and delete themselves when they finish; their connections to this store go away with
// it, so their results are dropped.
KeychainSecretStore::~KeychainSecretStore() = default;

void KeychainSecretStore::read(const QString& key, Callback done)
{
    enqueue(key, Op {Kind::Read, {}, std::move(done)});
}

void KeychainSecretStore::write(const QString& key, const QByteArray& value, Callback done)
{
    enqueue(key, Op {Kind::Write, value, std::move(done)});
}

void KeychainSecretStore::remove(const QString& key, Callback done)
{
    enqueue(key, Op {Kind::Remove, {}, std::move(done)});
}

void KeychainSecretStore::enqueue(const QString& key, Op op)
{
    auto& queue = m_queues[key];
    queue.push_back(std::move(op));
    if (queue.size() == 1)
        startFront(key);
}

void KeychainSecretStore::startFront(const QString& key)
{
    Op& op = m_queues[key].front();
    QKeychain::Job* job = nullptr;
    switch (op.kind) {
    case Kind::Read:
    case Kind::Remove: // remove reads first so that a missing key reports NotFound on every backend
        job = new QKeychain::ReadPasswordJob(m_service);
        break;
    case Kind::Write: {
        auto* writeJob = new QKeychain::WritePasswordJob(m_service);
        writeJob->setBinaryData(op.value);
        op.value.clear();
        job = writeJob;
        break;
    }
    }
    const Kind kind = op.kind;
    job->setAutoDelete(true); // no parent: the job deletes itself after finished(), even if this store is gone
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [this, key, kind](QKeychain::Job* finished) {
        SecretResult result = resultFrom(finished, kind, key);
        if (kind == Kind::Read && result.ok())
            result.value = static_cast<QKeychain::ReadPasswordJob*>(finished)->binaryData();
        if (kind == Kind::Remove && result.ok()) {
            startDelete(key);
            return;
        }
        finishFront(key, std::move(result));
    });
    job->start(); // QtKeychain starts the job from the event loop, never inside this call
}

void KeychainSecretStore::startDelete(const QString& key)
{
    auto* job = new QKeychain::DeletePasswordJob(m_service);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this,
        [this, key](QKeychain::Job* finished) { finishFront(key, resultFrom(finished, Kind::Remove, key)); });
    job->start();
}

void KeychainSecretStore::finishFront(const QString& key, SecretResult result)
{
    auto it = m_queues.find(key);
    Q_ASSERT(it != m_queues.end() && !it->empty());
    Callback done = std::move(it->front().done);
    it->pop_front();
    if (it->empty())
        m_queues.erase(it);
    else
        startFront(key);
    // Last: the callback may start new jobs or even destroy this store.
    if (done)
        done(result);
}

SecretResult KeychainSecretStore::resultFrom(const QKeychain::Job* job, Kind kind, const QString& key) const
{
    SecretResult result;
    const QKeychain::Error error = job->error();
    if (error == QKeychain::NoError)
        return result;

    switch (error) {
    case QKeychain::EntryNotFound:
        result.status = SecretResult::Status::NotFound;
        result.message = tr("No secret is stored under \"%1\".").arg(key);
        return result;
    case QKeychain::NoBackendAvailable:
    case QKeychain::AccessDenied:
    case QKeychain::OtherError:
        result.status = SecretResult::Status::Unavailable;
        break;
    default:
        result.status = SecretResult::Status::Error;
        break;
    }
    // QtKeychain's error strings come from the backend (D-Bus, libsecret, the OS) and describe the failure; they
    // never echo the stored value.
    switch (kind) {
    case Kind::Read:
        result.message = tr("The system keychain could not read \"%1\": %2").arg(key, job->errorString());
        break;
    case Kind::Write:
        result.message = tr("The system keychain could not store \"%1\": %2").arg(key, job->errorString());
        break;
    case Kind::Remove:
        result.message = tr("The system keychain could not remove \"%1\": %2").arg(key, job->errorString());
        break;
    }
    qCDebug(lcSecrets) << "keychain job failed; service" << m_service << "key" << key << "QKeychain error" << int(error)
                       << job->errorString();
    return result;
}

} // namespace sy
