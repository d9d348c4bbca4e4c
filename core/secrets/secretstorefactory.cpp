#include "secretstorefactory.h"

#include "filesecretstore.h"
#include "keychainsecretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

namespace sy {

namespace {

const QString& probeKey()
{
    static const QString key = QStringLiteral("switchyard-probe");
    return key;
}

// Drives one keychain probe; deletes itself when it has answered (or its context is gone).
class KeychainProbe : public QObject
{
public:
    KeychainProbe(const QString& service, const QString& fallbackFilePath, std::function<void(SecretStoreChoice)> done,
        QObject* context, int timeoutMs)
        : m_store(new KeychainSecretStore(service, this))
        , m_fallbackFilePath(fallbackFilePath)
        , m_done(std::move(done))
        , m_context(context)
        , m_hasContext(context != nullptr)
    {
        if (context)
            connect(context, &QObject::destroyed, this, [this]() { finish(); });
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this]() {
            SecretResult silence;
            silence.status = SecretResult::Status::Unavailable;
            silence.message = QStringLiteral("no answer within %1 ms").arg(m_timer.interval());
            failed(silence);
        });
        m_timer.start(timeoutMs);
        // A random non-secret value, so that a stale sentinel from an earlier run cannot pass the read-back.
        m_probeValue = QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    }

    void start()
    {
        // The store is our child until it is handed over, so none of these runs after this probe is gone; m_finished
        // covers the time between a timeout and the deferred delete.
        m_store->write(probeKey(), m_probeValue, [this](const SecretResult& written) {
            if (m_finished)
                return;
            if (!written.ok())
                return failed(written);
            m_store->read(probeKey(), [this](const SecretResult& read) {
                if (m_finished)
                    return;
                if (!read.ok())
                    return failed(read);
                if (read.value != m_probeValue) {
                    SecretResult mismatch;
                    mismatch.status = SecretResult::Status::Error;
                    mismatch.message = QStringLiteral("the probe value read back differs from the one written");
                    return failed(mismatch);
                }
                m_store->remove(probeKey(), [this](const SecretResult& removed) {
                    if (m_finished)
                        return;
                    if (!removed.ok())
                        qCWarning(lcSecrets) << "keychain probe: could not remove the sentinel:" << removed.message;
                    useKeychain();
                });
            });
        });
    }

private:
    void failed(const SecretResult& result)
    {
        const QString warning = result.status == SecretResult::Status::Unavailable
            ? QCoreApplication::translate(
                "sy::SecretStore", "No system keyring answered; secrets are stored unencrypted in %1 (mode 0600)")
            : QCoreApplication::translate("sy::SecretStore",
                "The system keyring failed a test; secrets are stored unencrypted in %1 (mode 0600)");
        fallBack(warning, result.message);
    }

    void useKeychain()
    {
        qCInfo(lcSecrets) << "secrets are kept in the system keychain, service" << m_store->service();
        SecretStoreChoice choice;
        m_store->setParent(nullptr);
        choice.store.reset(m_store);
        m_store = nullptr;
        answer(std::move(choice));
    }

    // warning: a translated text with %1 for the file.
    void fallBack(const QString& warning, const QString& reason)
    {
        SecretStoreChoice choice;
        choice.store = std::make_unique<FileSecretStore>(m_fallbackFilePath);
        choice.fallback = true;
        choice.warning = warning.arg(QDir::toNativeSeparators(choice.store->location()));
        qCWarning(lcSecrets).noquote() << QStringLiteral("keychain probe failed (%1): %2").arg(reason, choice.warning);
        answer(std::move(choice));
    }

    void answer(SecretStoreChoice choice)
    {
        auto done = std::move(m_done);
        const bool contextAlive = !m_hasContext || !m_context.isNull();
        finish();
        if (done && contextAlive)
            done(std::move(choice));
    }

    // Stops everything: a keychain job still running reports to nobody (the store and its callbacks go away with
    // this probe).
    void finish()
    {
        if (m_finished)
            return;
        m_finished = true;
        m_timer.stop();
        m_done = nullptr;
        deleteLater(); // takes the store along unless it was handed over; we may be inside one of its callbacks
    }

    KeychainSecretStore* m_store; // child of this probe until handed over
    QString m_fallbackFilePath;
    std::function<void(SecretStoreChoice)> m_done;
    QPointer<QObject> m_context;
    bool m_hasContext = false;
    bool m_finished = false;
    QTimer m_timer;
    QByteArray m_probeValue;
};

} // namespace

void openSecretStore(const QString& service, const QString& fallbackFilePath,
    std::function<void(SecretStoreChoice)> done, QObject* context, int timeoutMs)
{
    auto* probe = new KeychainProbe(service, fallbackFilePath, std::move(done), context, timeoutMs);
    probe->start(); // every answer comes later: keychain jobs and the timer run from the event loop
}

QString secretEnvironmentName(const QString& key)
{
    QString name = QStringLiteral("SWITCHYARD_SECRET_");
    name.reserve(name.size() + key.size());
    for (const QChar c : key) {
        const char16_t u = c.unicode();
        if (u >= u'a' && u <= u'z')
            name += QChar(char16_t(u - u'a' + u'A'));
        else if ((u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9'))
            name += c;
        else
            name += QLatin1Char('_');
    }
    return name;
}

QByteArray secretFromEnvironment(const QString& key, const QHash<QString, QString>& env)
{
    return env.value(secretEnvironmentName(key)).toUtf8();
}

QByteArray secretFromEnvironment(const QString& key)
{
    return qgetenv(secretEnvironmentName(key).toLatin1().constData());
}

} // namespace sy
