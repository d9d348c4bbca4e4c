// KeychainSecretStore against a real Secret Service. CTest runs this through with_keyring.sh, which provides a
// throwaway D-Bus session with an unlocked gnome-keyring; run by hand, it uses (and cleans up in) your own keyring.
#include "secrets/keychainsecretstore.h"
#include "secrets/secretstorefactory.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <optional>

using namespace sy;

namespace {

constexpr int WaitMs = 20000;

struct Outcome
{
    bool delivered = false;
    bool synchronous = false;
    SecretResult result;
};

Outcome run(const std::function<void(SecretStore::Callback)>& start)
{
    Outcome outcome;
    bool returned = false;
    QEventLoop loop;
    start([&](const SecretResult& r) {
        outcome.delivered = true;
        outcome.synchronous = !returned;
        outcome.result = r;
        loop.quit();
    });
    returned = true;
    if (!outcome.delivered) {
        QTimer::singleShot(WaitMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return outcome;
}

Outcome readKey(SecretStore& store, const QString& key)
{
    return run([&](SecretStore::Callback cb) { store.read(key, std::move(cb)); });
}

Outcome writeKey(SecretStore& store, const QString& key, const QByteArray& value)
{
    return run([&](SecretStore::Callback cb) { store.write(key, value, std::move(cb)); });
}

Outcome removeKey(SecretStore& store, const QString& key)
{
    return run([&](SecretStore::Callback cb) { store.remove(key, std::move(cb)); });
}

const char* statusName(SecretResult::Status status)
{
    switch (status) {
    case SecretResult::Status::Ok:
        return "Ok";
    case SecretResult::Status::NotFound:
        return "NotFound";
    case SecretResult::Status::Unavailable:
        return "Unavailable";
    case SecretResult::Status::Error:
        return "Error";
    }
    return "?";
}

QString uniqueService()
{
    return QStringLiteral("switchyard-test-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
}

} // namespace

// Evaluates `outcome` (a store call) exactly once.
#define VERIFY_STATUS(outcome, expected)                                                                               \
    do {                                                                                                               \
        const Outcome o_ = (outcome);                                                                                  \
        QVERIFY2(o_.delivered, "callback never ran");                                                                  \
        QVERIFY2(!o_.synchronous, "callback ran inside the call");                                                     \
        QVERIFY2(o_.result.status == (expected),                                                                       \
            qPrintable(QStringLiteral("status %1 (%2), expected %3")                                                   \
                           .arg(QLatin1String(statusName(o_.result.status)), o_.result.message,                        \
                               QLatin1String(statusName(expected)))));                                                 \
    } while (false)

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writeReadOverwriteRemove()
    {
        KeychainSecretStore store(uniqueService());
        QCOMPARE(store.backendName(), QStringLiteral("keychain"));
        QVERIFY(store.isSecure());
        const QString key = QStringLiteral("apikey:openai-main");

        VERIFY_STATUS(writeKey(store, key, "sk-test-SECRET-first"), SecretResult::Status::Ok);
        Outcome read = readKey(store, key);
        VERIFY_STATUS(read, SecretResult::Status::Ok);
        QVERIFY(read.result.value == "sk-test-SECRET-first");

        VERIFY_STATUS(writeKey(store, key, "sk-test-SECRET-second"), SecretResult::Status::Ok);
        read = readKey(store, key);
        VERIFY_STATUS(read, SecretResult::Status::Ok);
        QVERIFY(read.result.value == "sk-test-SECRET-second");

        VERIFY_STATUS(removeKey(store, key), SecretResult::Status::Ok);
        VERIFY_STATUS(readKey(store, key), SecretResult::Status::NotFound);
        VERIFY_STATUS(removeKey(store, key), SecretResult::Status::NotFound);
    }

    void binaryValuesRoundTrip()
    {
        KeychainSecretStore store(uniqueService());
        QByteArray value;
        for (int i = 0; i < 256; ++i)
            value.append(char(i));
        value.append(QByteArray(4, '\0'));
        value.prepend(QByteArray(2, '\0'));
        const QString key = QStringLiteral("account:chatgpt-3f2a");

        VERIFY_STATUS(writeKey(store, key, value), SecretResult::Status::Ok);
        const Outcome read = readKey(store, key);
        VERIFY_STATUS(read, SecretResult::Status::Ok);
        QCOMPARE(read.result.value.size(), value.size());
        QVERIFY(read.result.value == value);
        VERIFY_STATUS(removeKey(store, key), SecretResult::Status::Ok);
    }

    void servicesAreSeparate()
    {
        KeychainSecretStore first(uniqueService());
        KeychainSecretStore second(uniqueService());
        const QString key = QStringLiteral("apikey:shared-name");

        VERIFY_STATUS(writeKey(first, key, "sk-test-SECRET-first-service"), SecretResult::Status::Ok);
        VERIFY_STATUS(readKey(second, key), SecretResult::Status::NotFound);
        VERIFY_STATUS(writeKey(second, key, "sk-test-SECRET-second-service"), SecretResult::Status::Ok);
        QVERIFY(readKey(first, key).result.value == "sk-test-SECRET-first-service");
        QVERIFY(readKey(second, key).result.value == "sk-test-SECRET-second-service");
        VERIFY_STATUS(removeKey(first, key), SecretResult::Status::Ok);
        QVERIFY(readKey(second, key).result.value == "sk-test-SECRET-second-service");
        VERIFY_STATUS(removeKey(second, key), SecretResult::Status::Ok);
    }

    void jobsOnOneKeyFinishInStartOrder()
    {
        KeychainSecretStore store(uniqueService());
        const QString key = QStringLiteral("k");
        QList<int> order;
        QByteArray readBack;
        SecretResult::Status afterRemove = SecretResult::Status::Ok;
        store.write(key, "one", [&](const SecretResult& r) { order << (r.ok() ? 1 : -1); });
        store.write(key, "two", [&](const SecretResult& r) { order << (r.ok() ? 2 : -2); });
        store.read(key, [&](const SecretResult& r) {
            order << (r.ok() ? 3 : -3);
            readBack = r.value;
        });
        store.remove(key, [&](const SecretResult& r) { order << (r.ok() ? 4 : -4); });
        store.read(key, [&](const SecretResult& r) {
            order << 5;
            afterRemove = r.status;
        });
        QVERIFY2(order.isEmpty(), "a callback ran inside the call");
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 5, WaitMs);
        QCOMPARE(order, (QList<int> {1, 2, 3, 4, 5}));
        QVERIFY(readBack == "two");
        QVERIFY(afterRemove == SecretResult::Status::NotFound);
    }

    void destroyingTheStoreDropsItsCallbacks()
    {
        const QString service = uniqueService();
        const QString key = QStringLiteral("k");
        int calls = 0;
        auto* store = new KeychainSecretStore(service);
        store->write(key, "sk-test-SECRET-kept", [&](const SecretResult&) { ++calls; }); // already started
        store->write(key, "sk-test-SECRET-never", [&](const SecretResult&) { ++calls; }); // still queued here
        store->remove(key, [&](const SecretResult&) { ++calls; });
        delete store;

        // QtKeychain runs all jobs of a process one at a time in start order, so when this read answers, the
        // started write has finished (and its result went nowhere).
        KeychainSecretStore other(service);
        const Outcome read = readKey(other, key);
        VERIFY_STATUS(read, SecretResult::Status::Ok);
        QVERIFY(read.result.value == "sk-test-SECRET-kept");
        QCOMPARE(calls, 0);
        VERIFY_STATUS(removeKey(other, key), SecretResult::Status::Ok);
    }

    void openPicksTheKeychain()
    {
        QTemporaryDir dir;
        const QString fallbackPath = dir.filePath(QStringLiteral("secrets.json"));
        std::optional<SecretStoreChoice> choice;
        openSecretStore(
            uniqueService(), fallbackPath, [&](SecretStoreChoice c) { choice = std::move(c); }, this);
        QVERIFY(!choice.has_value());
        QTRY_VERIFY_WITH_TIMEOUT(choice.has_value(), WaitMs);
        QVERIFY2(!choice->fallback, qPrintable(choice->warning));
        QCOMPARE(choice->store->backendName(), QStringLiteral("keychain"));
        QVERIFY(choice->warning.isEmpty());
        QVERIFY(!QFileInfo::exists(fallbackPath));
        // The probe cleaned up after itself.
        VERIFY_STATUS(readKey(*choice->store, QStringLiteral("switchyard-probe")), SecretResult::Status::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
