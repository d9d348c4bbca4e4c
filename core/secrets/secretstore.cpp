#include "secretstore.h"

Q_LOGGING_CATEGORY(lcSecrets, "switchyard.secrets", QtInfoMsg)

namespace sy {

MemorySecretStore::MemorySecretStore(QObject* parent)
    : SecretStore(parent)
{
}

void MemorySecretStore::read(const QString& key, Callback done)
{
    SecretResult result;
    const auto it = m_values.constFind(key);
    if (it == m_values.constEnd()) {
        result.status = SecretResult::Status::NotFound;
        result.message = tr("No secret is stored under \"%1\".").arg(key);
    } else {
        result.value = it.value();
    }
    deliver(std::move(done), std::move(result));
}

void MemorySecretStore::write(const QString& key, const QByteArray& value, Callback done)
{
    m_values.insert(key, value);
    deliver(std::move(done), SecretResult {});
}

void MemorySecretStore::remove(const QString& key, Callback done)
{
    SecretResult result;
    if (!m_values.remove(key)) {
        result.status = SecretResult::Status::NotFound;
        result.message = tr("No secret is stored under \"%1\".").arg(key);
    }
    deliver(std::move(done), std::move(result));
}

void SecretStore::deliver(Callback done, SecretResult result)
{
    if (!done)
        return;
    // Queued on this store: the callback runs from the event loop after the caller has returned, in call order,
    // and is dropped if the store is destroyed first.
    QMetaObject::invokeMethod(
        this, [done = std::move(done), result = std::move(result)]() { done(result); }, Qt::QueuedConnection);
}

} // namespace sy
