#include "secrets/filesecretstore.h"
#include "secrets/secretstore.h"
#include "secrets/secretstorefactory.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLocalServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <optional>
#include <sys/stat.h>
#include <sys/types.h>

using namespace sy;

namespace {

constexpr int WaitMs = 10000;

// What one store call produced. `synchronous` is true if the callback ran inside the call (a contract breach).
struct Outcome
{
    bool delivered = false;
    bool synchronous = false;
    int calls = 0;
    SecretResult result;
};

Outcome run(const std::function<void(SecretStore::Callback)>& start)
{
    Outcome outcome;
    bool returned = false;
    QEventLoop loop;
    start([&](const SecretResult& r) {
        ++outcome.calls;
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
    // Let a (wrong) second delivery show up.
    QCoreApplication::processEvents();
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

// Every byte value, NULs included, so that nothing treats secrets as C strings or text.
QByteArray binarySecret()
{
    QByteArray value;
    for (int i = 0; i < 256; ++i)
        value.append(char(i));
    value.append(QByteArray(3, '\0'));
    value.append("sk-test-SECRET-binary");
    return value;
}

int modeOf(const QString& path)
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

// Sets the process umask for the lifetime of the object.
class UmaskGuard
{
public:
    explicit UmaskGuard(mode_t mask)
        : m_old(::umask(mask))
    {
    }
    ~UmaskGuard() { ::umask(m_old); }

private:
    mode_t m_old;
};

// Restores an environment variable when it goes out of scope.
class EnvGuard
{
public:
    explicit EnvGuard(const char* name)
        : m_name(name)
        , m_had(qEnvironmentVariableIsSet(name))
        , m_value(qgetenv(name))
    {
    }
    ~EnvGuard()
    {
        if (m_had)
            qputenv(m_name, m_value);
        else
            qunsetenv(m_name);
    }

private:
    const char* m_name;
    bool m_had;
    QByteArray m_value;
};

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

bool writeFileBytes(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

} // namespace

// Evaluates `outcome` (a store call) exactly once.
#define VERIFY_STATUS(outcome, expected)                                                                               \
    do {                                                                                                               \
        const Outcome o_ = (outcome);                                                                                  \
        QVERIFY2(o_.delivered, "callback never ran");                                                                  \
        QVERIFY2(!o_.synchronous, "callback ran inside the call");                                                     \
        QCOMPARE(o_.calls, 1);                                                                                         \
        QVERIFY2(o_.result.status == (expected),                                                                       \
            qPrintable(QStringLiteral("status %1 (%2), expected %3")                                                   \
                           .arg(QLatin1String(statusName(o_.result.status)), o_.result.message,                        \
                               QLatin1String(statusName(expected)))));                                                 \
    } while (false)

class TestSecretStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // --- MemorySecretStore -------------------------------------------------------------------------------------

    void memoryWriteReadRemove()
    {
        MemorySecretStore store;
        QCOMPARE(store.backendName(), QStringLiteral("memory"));
        QVERIFY(store.isSecure());
        const QByteArray secret = binarySecret();

        VERIFY_STATUS(readKey(store, QStringLiteral("apikey:a")), SecretResult::Status::NotFound);
        VERIFY_STATUS(writeKey(store, QStringLiteral("apikey:a"), secret), SecretResult::Status::Ok);
        const Outcome read = readKey(store, QStringLiteral("apikey:a"));
        VERIFY_STATUS(read, SecretResult::Status::Ok);
        QVERIFY(read.result.value == secret);
        VERIFY_STATUS(writeKey(store, QStringLiteral("apikey:a"), "second"), SecretResult::Status::Ok);
        QVERIFY(readKey(store, QStringLiteral("apikey:a")).result.value == "second");
        VERIFY_STATUS(removeKey(store, QStringLiteral("apikey:a")), SecretResult::Status::Ok);
        VERIFY_STATUS(readKey(store, QStringLiteral("apikey:a")), SecretResult::Status::NotFound);
        VERIFY_STATUS(removeKey(store, QStringLiteral("apikey:a")), SecretResult::Status::NotFound);
    }

    void memoryDeliversLaterAndInOrder()
    {
        MemorySecretStore store;
        QList<int> order;
        QByteArray lastRead;
        store.write(QStringLiteral("k"), "one", [&](const SecretResult&) { order << 1; });
        store.write(QStringLiteral("k"), "two", [&](const SecretResult&) { order << 2; });
        store.read(QStringLiteral("k"), [&](const SecretResult& r) {
            order << 3;
            lastRead = r.value;
        });
        store.remove(QStringLiteral("k"), [&](const SecretResult&) { order << 4; });
        QVERIFY2(order.isEmpty(), "a callback ran inside the call");
        QTRY_COMPARE(order, (QList<int> {1, 2, 3, 4}));
        QVERIFY(lastRead == "two");
        // A null callback is allowed.
        store.write(QStringLiteral("k"), "three", nullptr);
        QVERIFY(readKey(store, QStringLiteral("k")).result.value == "three");
    }

    void memoryDropsCallbacksOfADestroyedStore()
    {
        bool called = false;
        {
            MemorySecretStore store;
            store.write(QStringLiteral("k"), "v", [&](const SecretResult&) { called = true; });
        }
        QCoreApplication::processEvents();
        QVERIFY(!called);
    }

    // --- FileSecretStore ---------------------------------------------------------------------------------------

    void fileRoundTripsBinaryValues()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        FileSecretStore store(dir.filePath(QStringLiteral("secrets.json")));
        QCOMPARE(store.backendName(), QStringLiteral("file"));
        QVERIFY(!store.isSecure());
        QCOMPARE(store.location(), dir.filePath(QStringLiteral("secrets.json")));

        const QByteArray secret = binarySecret();
        VERIFY_STATUS(writeKey(store, QStringLiteral("account:chatgpt-3f2a"), secret), SecretResult::Status::Ok);
        VERIFY_STATUS(writeKey(store, QStringLiteral("apikey:empty"), QByteArray()), SecretResult::Status::Ok);
        const Outcome read = readKey(store, QStringLiteral("account:chatgpt-3f2a"));
        VERIFY_STATUS(read, SecretResult::Status::Ok);
        QVERIFY(read.result.value == secret);
        const Outcome empty = readKey(store, QStringLiteral("apikey:empty"));
        VERIFY_STATUS(empty, SecretResult::Status::Ok);
        QVERIFY(empty.result.value.isEmpty());

        // The documented format: base64 values under "secrets", never the raw bytes.
        const QByteArray onDisk = fileBytes(store.location());
        QVERIFY(onDisk.contains("\"version\": 1"));
        QVERIFY(onDisk.contains(secret.toBase64()));
        QVERIFY(!onDisk.contains("sk-test-SECRET-binary"));
    }

    void fileNotFoundAndRemove()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/secrets.json"));
        FileSecretStore store(path);
        VERIFY_STATUS(readKey(store, QStringLiteral("missing")), SecretResult::Status::NotFound);
        VERIFY_STATUS(removeKey(store, QStringLiteral("missing")), SecretResult::Status::NotFound);
        QVERIFY2(!QFileInfo::exists(dir.filePath(QStringLiteral("sub"))), "a read or remove created files");

        VERIFY_STATUS(writeKey(store, QStringLiteral("a"), "value-a"), SecretResult::Status::Ok);
        VERIFY_STATUS(writeKey(store, QStringLiteral("b"), "value-b"), SecretResult::Status::Ok);
        VERIFY_STATUS(readKey(store, QStringLiteral("missing")), SecretResult::Status::NotFound);
        VERIFY_STATUS(removeKey(store, QStringLiteral("a")), SecretResult::Status::Ok);
        VERIFY_STATUS(readKey(store, QStringLiteral("a")), SecretResult::Status::NotFound);
        VERIFY_STATUS(removeKey(store, QStringLiteral("a")), SecretResult::Status::NotFound);
        QVERIFY(readKey(store, QStringLiteral("b")).result.value == "value-b");
        QVERIFY(!fileBytes(path).contains(QByteArray("value-a").toBase64()));
    }

    void filePersistsAcrossInstances()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        const QByteArray secret = binarySecret();
        {
            FileSecretStore first(path);
            VERIFY_STATUS(writeKey(first, QStringLiteral("apikey:openai-main"), secret), SecretResult::Status::Ok);
        }
        FileSecretStore second(path);
        const Outcome read = readKey(second, QStringLiteral("apikey:openai-main"));
        VERIFY_STATUS(read, SecretResult::Status::Ok);
        QVERIFY(read.result.value == secret);
    }

    void fileAndDirectoryArePrivateWhateverTheUmask()
    {
        UmaskGuard umask(022);
        QTemporaryDir dir;
        const QString secretsDir = dir.filePath(QStringLiteral("config/switchyard"));
        const QString path = secretsDir + QStringLiteral("/secrets.json");
        FileSecretStore store(path);

        // At both points a secret could be in the pending file, its mode must already be 0600, and no file in the
        // directory may be readable by group or others (a named temporary file, if QSaveFile uses one, included).
        int observed = 0;
        QStringList problems;
        store.setWriteObserverForTesting([&](QFileDevice& pending, FileSecretStore::WriteStage) {
            ++observed;
            struct stat st
            {
            };
            if (::fstat(pending.handle(), &st) != 0)
                problems << QStringLiteral("fstat failed");
            else if ((st.st_mode & 0777) != 0600)
                problems << QStringLiteral("pending file has mode %1").arg(st.st_mode & 0777, 0, 8);
            const auto entries = QDir(secretsDir).entryInfoList(QDir::Files | QDir::Hidden | QDir::System);
            for (const QFileInfo& entry : entries) {
                if (entry.fileName().endsWith(QLatin1String(".lock")))
                    continue; // QLockFile's pid/host note, no secret in it
                const int mode = modeOf(entry.absoluteFilePath());
                if (mode & 077)
                    problems << QStringLiteral("%1 has mode %2").arg(entry.fileName()).arg(mode, 0, 8);
            }
        });

        VERIFY_STATUS(writeKey(store, QStringLiteral("k1"), "sk-test-SECRET-1"), SecretResult::Status::Ok);
        VERIFY_STATUS(writeKey(store, QStringLiteral("k2"), "sk-test-SECRET-2"), SecretResult::Status::Ok);
        QCOMPARE(observed, 4);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("; "))));
        QCOMPARE(modeOf(secretsDir), 0700);
        QCOMPARE(modeOf(path), 0600);
        const auto leftovers = QDir(secretsDir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QCOMPARE(leftovers, QStringList {QStringLiteral("secrets.json")});
    }

    void fileTightensAnExistingLooseFile()
    {
        UmaskGuard umask(022);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        const QByteArray body = "{\"version\": 1, \"secrets\": {\"k\": \"" + QByteArray("old").toBase64() + "\"}}";
        QVERIFY(writeFileBytes(path, body));
        QVERIFY(
            QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
        QCOMPARE(modeOf(path), 0644);

        FileSecretStore store(path);
        QVERIFY(readKey(store, QStringLiteral("k")).result.value == "old");
        QCOMPARE(modeOf(path), 0600);

        QVERIFY(
            QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
        QStringList problems;
        store.setWriteObserverForTesting([&](QFileDevice& pending, FileSecretStore::WriteStage) {
            struct stat st
            {
            };
            if (::fstat(pending.handle(), &st) != 0 || (st.st_mode & 0777) != 0600)
                problems << QStringLiteral("pending file is not 0600");
        });
        VERIFY_STATUS(writeKey(store, QStringLiteral("k2"), "new"), SecretResult::Status::Ok);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("; "))));
        QCOMPARE(modeOf(path), 0600);
    }

    void fileTightensOnlyDirectoriesItOwns()
    {
        UmaskGuard umask(022);
        QTemporaryDir dir;
        const QString shared = dir.filePath(QStringLiteral("shared"));
        const QString own = dir.filePath(QStringLiteral("own"));
        QVERIFY(QDir().mkdir(shared));
        QVERIFY(QDir().mkdir(own));
        QCOMPARE(modeOf(shared), 0755);
        QCOMPARE(modeOf(own), 0755);

        FileSecretStore inShared(shared + QStringLiteral("/secrets.json"));
        VERIFY_STATUS(writeKey(inShared, QStringLiteral("k"), "v"), SecretResult::Status::Ok);
        QCOMPARE(modeOf(shared), 0755); // not ours (think $HOME): left alone
        QCOMPARE(modeOf(shared + QStringLiteral("/secrets.json")), 0600);

        FileSecretStore inOwn(own + QStringLiteral("/secrets.json"), FileSecretStore::DirectoryOwnership::Owned);
        VERIFY_STATUS(writeKey(inOwn, QStringLiteral("k"), "v"), SecretResult::Status::Ok);
        QCOMPARE(modeOf(own), 0700);
    }

    void fileRefusesToOverwriteADamagedFile_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("hint");
        QTest::newRow("not json") << QByteArray("{\"version\": 1, \"secrets\": {\"k\": \"c2stdGVzdC1TRUNSRVQ=\"")
                                  << QStringLiteral("damaged");
        QTest::newRow("array") << QByteArray("[1, 2]") << QStringLiteral("damaged");
        QTest::newRow("no secrets object")
            << QByteArray("{\"version\": 1, \"secrets\": [\"sk-test-SECRET\"]}") << QStringLiteral("damaged");
        QTest::newRow("no version") << QByteArray("{\"secrets\": {}}") << QStringLiteral("damaged");
        QTest::newRow("newer version") << QByteArray("{\"version\": 2, \"secrets\": {}}") << QStringLiteral("newer");
    }

    void fileRefusesToOverwriteADamagedFile()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, hint);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        QVERIFY(writeFileBytes(path, contents));
        FileSecretStore store(path);

        const Outcome read = readKey(store, QStringLiteral("k"));
        VERIFY_STATUS(read, SecretResult::Status::Error);
        QVERIFY2(read.result.message.contains(hint), qPrintable(read.result.message));
        QVERIFY2(read.result.message.contains(path), qPrintable(read.result.message));
        QVERIFY(!read.result.message.contains(QLatin1String("sk-test-SECRET")));
        QVERIFY(!read.result.message.contains(QLatin1String("c2stdGVzdC1TRUNSRVQ")));

        VERIFY_STATUS(writeKey(store, QStringLiteral("other"), "sk-test-SECRET-new"), SecretResult::Status::Error);
        VERIFY_STATUS(removeKey(store, QStringLiteral("k")), SecretResult::Status::Error);
        QVERIFY2(fileBytes(path) == contents, "the damaged file was changed");
    }

    void fileReportsADamagedValue()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        QVERIFY(writeFileBytes(path,
            "{\"version\": 1, \"secrets\": {\"bad\": \"not base64!\", \"num\": 5, \"good\": \""
                + QByteArray("fine").toBase64() + "\"}}"));
        FileSecretStore store(path);
        VERIFY_STATUS(readKey(store, QStringLiteral("bad")), SecretResult::Status::Error);
        VERIFY_STATUS(readKey(store, QStringLiteral("num")), SecretResult::Status::Error);
        QVERIFY(readKey(store, QStringLiteral("good")).result.value == "fine");
        // Other keys stay writable, and the damaged entries are kept as they were.
        VERIFY_STATUS(writeKey(store, QStringLiteral("new"), "x"), SecretResult::Status::Ok);
        QVERIFY(fileBytes(path).contains("not base64!"));
    }

    void fileTreatsAnEmptyFileAsEmpty()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        QVERIFY(writeFileBytes(path, QByteArray()));
        FileSecretStore store(path);
        VERIFY_STATUS(readKey(store, QStringLiteral("k")), SecretResult::Status::NotFound);
        VERIFY_STATUS(writeKey(store, QStringLiteral("k"), "v"), SecretResult::Status::Ok);
        QVERIFY(readKey(store, QStringLiteral("k")).result.value == "v");
    }

    void fileKeepsAllOfManyQuickWrites()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        FileSecretStore store(path);
        FileSecretStore sameFile(path); // a second instance on the same file, interleaved
        constexpr int Count = 24;
        int okCount = 0;
        int delivered = 0;
        for (int i = 0; i < Count; ++i) {
            FileSecretStore& target = (i % 2) ? sameFile : store;
            target.write(QStringLiteral("key-%1").arg(i), QByteArray::number(i) + QByteArray(1, '\0'),
                [&](const SecretResult& r) {
                    ++delivered;
                    okCount += r.ok() ? 1 : 0;
                });
        }
        QCOMPARE(delivered, 0);
        QTRY_COMPARE(delivered, Count);
        QCOMPARE(okCount, Count);

        FileSecretStore reader(path);
        for (int i = 0; i < Count; ++i) {
            const Outcome read = readKey(reader, QStringLiteral("key-%1").arg(i));
            VERIFY_STATUS(read, SecretResult::Status::Ok);
            QVERIFY(read.result.value == QByteArray::number(i) + QByteArray(1, '\0'));
        }
    }

    void fileDeliversLater()
    {
        QTemporaryDir dir;
        FileSecretStore store(dir.filePath(QStringLiteral("secrets.json")));
        bool called = false;
        store.write(QStringLiteral("k"), "v", [&](const SecretResult&) { called = true; });
        QVERIFY2(!called, "callback ran inside the call");
        QTRY_VERIFY(called);
    }

    // --- environment override ----------------------------------------------------------------------------------

    void environmentNames_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("name");
        QTest::newRow("account") << QStringLiteral("account:chatgpt-3f2a")
                                 << QStringLiteral("SWITCHYARD_SECRET_ACCOUNT_CHATGPT_3F2A");
        QTest::newRow("apikey") << QStringLiteral("apikey:openai-main")
                                << QStringLiteral("SWITCHYARD_SECRET_APIKEY_OPENAI_MAIN");
        QTest::newRow("already upper") << QStringLiteral("ABC_9") << QStringLiteral("SWITCHYARD_SECRET_ABC_9");
        QTest::newRow("non-ascii") << QString::fromUtf8("k\xc3\xa9y.x/y z")
                                   << QStringLiteral("SWITCHYARD_SECRET_K_Y_X_Y_Z");
        QTest::newRow("empty") << QString() << QStringLiteral("SWITCHYARD_SECRET_");
    }

    void environmentNames()
    {
        QFETCH(QString, key);
        QFETCH(QString, name);
        QCOMPARE(secretEnvironmentName(key), name);
    }

    void environmentValues()
    {
        const QHash<QString, QString> env {
            {QStringLiteral("SWITCHYARD_SECRET_APIKEY_OPENAI_MAIN"), QStringLiteral("sk-test-SECRET-env")},
            {QStringLiteral("OTHER"), QStringLiteral("x")},
        };
        QVERIFY(secretFromEnvironment(QStringLiteral("apikey:openai-main"), env) == "sk-test-SECRET-env");
        QVERIFY(secretFromEnvironment(QStringLiteral("apikey:openai-other"), env).isEmpty());

        EnvGuard guard("SWITCHYARD_SECRET_ACCOUNT_CHATGPT_3F2A");
        qputenv("SWITCHYARD_SECRET_ACCOUNT_CHATGPT_3F2A", "sk-test-SECRET-process");
        QVERIFY(secretFromEnvironment(QStringLiteral("account:chatgpt-3f2a")) == "sk-test-SECRET-process");
        qunsetenv("SWITCHYARD_SECRET_ACCOUNT_CHATGPT_3F2A");
        QVERIFY(secretFromEnvironment(QStringLiteral("account:chatgpt-3f2a")).isEmpty());
    }

    // --- openSecretStore without a keyring ---------------------------------------------------------------------
    // These talk to QtKeychain in this process; keep them last (a hung probe job would block QtKeychain's queue).

    void openFallsBackWhenNoKeyringAnswers()
    {
        QTemporaryDir dir;
        EnvGuard bus("DBUS_SESSION_BUS_ADDRESS");
        EnvGuard display("DISPLAY");
        qputenv("DBUS_SESSION_BUS_ADDRESS",
            "unix:path=" + QFile::encodeName(dir.filePath(QStringLiteral("no-such-bus-socket"))));
        qunsetenv("DISPLAY");

        const QString path = dir.filePath(QStringLiteral("fallback/secrets.json"));
        std::optional<SecretStoreChoice> choice;
        bool synchronous = true;
        openSecretStore(
            QStringLiteral("switchyard-test-%1").arg(QUuid::createUuid().toString(QUuid::Id128)), path,
            [&](SecretStoreChoice c) { choice = std::move(c); }, this);
        synchronous = choice.has_value();
        QVERIFY2(!synchronous, "openSecretStore answered inside the call");
        QTRY_VERIFY_WITH_TIMEOUT(choice.has_value(), 15000);

        QVERIFY(choice->fallback);
        QVERIFY(choice->store);
        QCOMPARE(choice->store->backendName(), QStringLiteral("file"));
        QVERIFY(!choice->store->isSecure());
        QCOMPARE(choice->store->location(), path);
        QVERIFY(!choice->warning.isEmpty());
        QVERIFY2(choice->warning.contains(path), qPrintable(choice->warning));
        QVERIFY2(choice->warning.contains(QLatin1String("0600")), qPrintable(choice->warning));

        VERIFY_STATUS(writeKey(*choice->store, QStringLiteral("k"), "v"), SecretResult::Status::Ok);
        QCOMPARE(modeOf(path), 0600);
    }

    void openFallsBackWhenTheKeyringHangs()
    {
        // A "bus" that accepts the connection and never says a word: the probe must give up on its own.
        QTemporaryDir dir;
        QLocalServer silentBus;
        const QString socketPath = dir.filePath(QStringLiteral("silent-bus"));
        QVERIFY(silentBus.listen(socketPath));
        EnvGuard bus("DBUS_SESSION_BUS_ADDRESS");
        EnvGuard display("DISPLAY");
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + QFile::encodeName(socketPath));
        qunsetenv("DISPLAY");

        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        std::optional<SecretStoreChoice> choice;
        QElapsedTimer timer;
        timer.start();
        openSecretStore(
            QStringLiteral("switchyard-test-%1").arg(QUuid::createUuid().toString(QUuid::Id128)), path,
            [&](SecretStoreChoice c) { choice = std::move(c); }, this, 500);
        QTRY_VERIFY_WITH_TIMEOUT(choice.has_value(), 15000);
        QVERIFY(choice->fallback);
        QCOMPARE(choice->store->backendName(), QStringLiteral("file"));
        QVERIFY(!choice->warning.isEmpty());
        QVERIFY(timer.elapsed() >= 400);
    }

    void openDoesNotAnswerADestroyedContext()
    {
        QTemporaryDir dir;
        bool called = false;
        {
            QObject context;
            openSecretStore(
                QStringLiteral("switchyard-test-ctx"), dir.filePath(QStringLiteral("gone.json")),
                [&](SecretStoreChoice) { called = true; }, &context, 200);
        }
        // A second probe with the same timeout, started later: once it has answered, the first one would have too
        // (its timer fires first, and QtKeychain runs jobs one at a time, so its keychain errors come first as well).
        std::optional<SecretStoreChoice> later;
        openSecretStore(
            QStringLiteral("switchyard-test-ctx"), dir.filePath(QStringLiteral("later.json")),
            [&](SecretStoreChoice c) { later = std::move(c); }, this, 200);
        QTRY_VERIFY_WITH_TIMEOUT(later.has_value(), 15000);
        QCoreApplication::processEvents();
        QVERIFY(!called);
    }
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
