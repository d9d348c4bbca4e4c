#include "gateway/requestrecord.h"
#include "usage/pricing.h"
#include "usage/usagelog.h"
#include "usage/usagequery.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <memory>

#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

using namespace sy;

namespace {

constexpr qint64 kHour = 3'600'000;
constexpr qint64 kDay = 86'400'000;
constexpr qint64 kMinute = 60'000;
constexpr qint64 kT0 = 1'699'920'000'000; // 2023-11-14T00:00:00Z, a UTC day boundary
constexpr qint64 kNow = 1'700'000'000'000; // 2023-11-14T22:13:20Z

bool near(double a, double b)
{
    return std::abs(a - b) <= 1e-12 + 1e-9 * std::abs(b);
}

QByteArray J(const char* text)
{
    QByteArray out(text);
    out.replace('\'', '"');
    return out;
}

// m-a and m-b are priced, anything else is not.
PriceTable testPrices()
{
    const Result<PriceTable> t
        = PriceTable::fromJson(QJsonDocument::fromJson(J("{'models': {"
                                                         " 'm-a': {'input': 1, 'output': 2, 'cache_read': 0.1,"
                                                         "         'cache_write': 1.25},"
                                                         " 'm-b': {'input': 3, 'output': 15}}}"))
                                   .object());
    if (!t)
        qFatal("test prices: %s", qPrintable(t.error()));
    return t.value();
}

struct Seed
{
    const char* id;
    qint64 timeMs;
    const char* provider;
    const char* model;
    const char* credential;
    const char* client;
    const char* key;
    int status;
    const char* errorType;
    qint64 totalMs;
    qint64 input;
    qint64 output;
    qint64 cacheRead;
    qint64 cacheWrite;
    qint64 reasoning;
};

RequestRecord recordFrom(const Seed& s)
{
    RequestRecord r;
    r.requestId = QString::fromLatin1(s.id);
    r.startedAt = QDateTime::fromMSecsSinceEpoch(s.timeMs, Qt::UTC);
    r.providerId = QString::fromLatin1(s.provider);
    r.upstreamModel = QString::fromLatin1(s.model);
    r.clientModel = QString::fromLatin1(s.model);
    r.credentialId = QString::fromLatin1(s.credential);
    r.client = QString::fromLatin1(s.client);
    r.gatewayKey = QString::fromLatin1(s.key);
    r.status = s.status;
    r.errorType = QString::fromLatin1(s.errorType);
    r.totalMs = s.totalMs;
    r.usage.inputTokens = s.input;
    r.usage.outputTokens = s.output;
    r.usage.cacheReadTokens = s.cacheRead;
    r.usage.cacheWriteTokens = s.cacheWrite;
    r.usage.reasoningTokens = s.reasoning;
    return r;
}

RequestRecord simpleRecord(const QString& id, qint64 timeMs = kNow)
{
    RequestRecord r;
    r.requestId = id;
    r.startedAt = QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC);
    r.providerId = QStringLiteral("p1");
    r.upstreamModel = QStringLiteral("m-a");
    r.status = 200;
    r.totalMs = 10;
    r.usage.inputTokens = 10;
    r.usage.outputTokens = 5;
    return r;
}

// The seeded rows, costs at testPrices() (USD per million: m-a in 1 / out 2 / read 0.1 / write 1.25; m-b in 3 /
// out 15):
//   r0  0.000003   (1×1 + 1×2)                    before the range
//   r1  0.0022     (1000×1 + 500×2 + 2000×0.1)
//   r2  0.0045     (2000×1 + 1000×2 + 400×1.25)
//   r3  0.0018     (100×3 + 100×15)
//   r4  0          failed, no tokens
//   r5  unpriced   (m-unpriced)
//   r6  0          failed, no tokens
//   r7  0.001      (1000×1)                       at the range's exclusive end
const Seed kSeed[] = {
    // id   time                        provider model  cred  client         key   status error  ms    in    out   read
    {"r0", kT0 - 1, "p1", "m-a", "c1", "claude-code", "k1", 200, "", 10, 1, 1, -1, -1, -1},
    {"r1", kT0 + kHour + 10 * kMinute, "p1", "m-a", "c1", "claude-code", "k1", 200, "", 100, 1000, 500, 2000, -1, -1},
    {"r2", kT0 + kHour + 50 * kMinute, "p1", "m-a", "c2", "codex", "k2", 200, "", 200, 2000, 1000, 0, 400, 300},
    {"r3", kT0 + 2 * kHour, "p2", "m-b", "c3", "claude-code", "k1", 200, "", 300, 100, 100, -1, -1, -1},
    {"r4", kT0 + 2 * kHour + 30 * kMinute, "p2", "m-b", "c3", "gemini-cli", "", 429, "rate_limit_error", 50, -1, -1, -1,
        -1, -1},
    {"r5", kT0 + kDay + 3 * kHour, "p3", "m-unpriced", "c4", "", "k3", 200, "", 1000, 10, 10, -1, -1, -1},
    {"r6", kT0 + kDay + 5 * kHour, "p1", "m-a", "c1", "claude-code", "k1", 502, "api_error", 400, -1, -1, -1, -1, -1},
    {"r7", kT0 + 2 * kDay, "p1", "m-a", "c1", "claude-code", "k1", 200, "", 20, 1000, 0, -1, -1, -1},
};

UsageQuery rangeQuery(UsageGroup group = UsageGroup::None, UsageBucket bucket = UsageBucket::None)
{
    UsageQuery q;
    q.fromMs = kT0;
    q.toMs = kT0 + 2 * kDay;
    q.groupBy = group;
    q.bucket = bucket;
    return q;
}

// Runs one statement on its own connection and returns the first column of the first row.
QVariant scalar(const QString& path, const QString& sql)
{
    const QString name = QStringLiteral("probe-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                value = q.value(0);
            else
                qWarning().noquote() << "probe failed:" << sql << q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

bool execAll(const QString& path, const QStringList& statements)
{
    const QString name = QStringLiteral("maker-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        for (const QString& sql : statements) {
            if (!ok)
                break;
            QSqlQuery q(db);
            ok = q.exec(sql);
            if (!ok)
                qWarning().noquote() << "statement failed:" << sql << q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

qint64 sumOf(const QSignalSpy& spy)
{
    qint64 sum = 0;
    for (const QList<QVariant>& args : spy)
        sum += args.at(0).toInt();
    return sum;
}

// ---- crash-safety child --------------------------------------------------------------------------------------------

// Records rows "<prefix>1", "<prefix>2", ... as fast as it can, flushing every 50 rows and printing "acked N" after
// each flush, until it is killed (or its parent is gone, or two minutes have passed).
int runChild(const QString& dbPath, const QString& prefix)
{
    UsageLog log;
    log.setPrices(testPrices());
    QString error;
    if (!log.open(dbPath, &error)) {
        std::fprintf(stderr, "child: %s\n", qPrintable(error));
        return 2;
    }
    const pid_t parent = ::getppid();
    const qint64 deadline = QDateTime::currentMSecsSinceEpoch() + 120'000;
    for (qint64 n = 1;; ++n) {
        RequestRecord r = simpleRecord(prefix + QString::number(n), QDateTime::currentMSecsSinceEpoch());
        r.usage.cacheReadTokens = n;
        log.record(r);
        if (n % 50 == 0) {
            log.flush();
            std::printf("acked %lld\n", static_cast<long long>(n));
            std::fflush(stdout);
            QCoreApplication::processEvents();
            if (::getppid() != parent || QDateTime::currentMSecsSinceEpoch() > deadline)
                return 3;
        }
    }
}

} // namespace

class TestUsageLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void freshDatabase();
    void migrationFromV1();
    void newerSchemaRefused();
    void batchCommitsWithoutFlush();
    void singleRowWithinASecond();
    void ticketsSettleWhenCommitted();
    void closeWritesQueuedRows();
    void exactlyOnce();
    void failedRequestsAreLogged();
    void notOpen();

    void totals();
    void groups_data();
    void groups();
    void hourlyBuckets();
    void dailyBucketsByProvider();
    void bucketsBeforeTheFirstDay();
    void percentiles();
    void timeRange();
    void json();
    void csv();
    void csvQuoting();
    void recentPaging();
    void prune();
    void totalsSince();

    void parseUsageTime_data();
    void parseUsageTime();
    void usageQueryFrom_data();
    void usageQueryFrom();

    void crashSafety();

private:
    QString dbPath(const QString& name = QStringLiteral("usage.sqlite")) const { return m_dir->filePath(name); }
    // Opens a log on a fresh database with the seeded rows committed.
    void openSeeded(UsageLog* log);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestUsageLog::initTestCase()
{
    // A local zone far from UTC (POSIX form, no tzdata needed): buckets and parsed times must not depend on it.
    qputenv("TZ", "XST-5:30");
    ::tzset();
}

void TestUsageLog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestUsageLog::cleanup()
{
    m_dir.reset();
}

void TestUsageLog::openSeeded(UsageLog* log)
{
    log->setPrices(testPrices());
    QString error;
    QVERIFY2(log->open(dbPath(), &error), qPrintable(error));
    for (const Seed& s : kSeed) {
        RequestRecord r = recordFrom(s);
        if (QLatin1String(s.id) == QLatin1String("r2")) {
            r.inboundDialect = QStringLiteral("openai-responses");
            r.clientModel = QStringLiteral("alias-a");
            r.stream = true;
            r.firstByteMs = 42;
            UpstreamAttempt failed;
            failed.providerId = QStringLiteral("p9");
            failed.model = QStringLiteral("m-z");
            failed.credentialId = QStringLiteral("c9");
            failed.status = 503;
            failed.outcome = QStringLiteral("failover");
            failed.error = QStringLiteral("overloaded");
            failed.ms = 7;
            UpstreamAttempt ok;
            ok.providerId = QStringLiteral("p1");
            ok.model = QStringLiteral("m-a");
            ok.credentialId = QStringLiteral("c2");
            ok.status = 200;
            ok.outcome = QStringLiteral("ok");
            ok.ms = 190;
            r.attempts = {failed, ok};
        }
        log->record(r);
    }
    log->flush();
    QCOMPARE(log->committedRows(), qint64(std::size(kSeed)));
}

// ---- schema ---------------------------------------------------------------------------------------------------------

void TestUsageLog::freshDatabase()
{
    const QString path = m_dir->filePath(QStringLiteral("sub/dir/usage.sqlite")); // the folder is created
    {
        UsageLog log;
        QString error;
        QVERIFY2(log.open(path, &error), qPrintable(error));
        QVERIFY(log.isOpen());
        QCOMPARE(log.path(), path);
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), UsageLog::kSchemaVersion);
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        log.close();
        QVERIFY(!log.isOpen());
        // Opening it again does not migrate anything.
        QVERIFY2(log.open(path, &error), qPrintable(error));
        log.record(simpleRecord(QStringLiteral("a")));
        log.flush();
        QCOMPARE(log.recent(10).size(), 1);
        log.close();
    }
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), UsageLog::kSchemaVersion);
}

void TestUsageLog::migrationFromV1()
{
    const QString path = dbPath();
    // Version 1, exactly as usagelog.cpp created it.
    const QStringList v1 {
        QStringLiteral("CREATE TABLE requests ("
                       " id INTEGER PRIMARY KEY,"
                       " ts_ms INTEGER NOT NULL,"
                       " request_id TEXT NOT NULL UNIQUE,"
                       " client TEXT NOT NULL DEFAULT '',"
                       " dialect TEXT NOT NULL DEFAULT '',"
                       " requested_model TEXT NOT NULL DEFAULT '',"
                       " provider TEXT NOT NULL DEFAULT '',"
                       " model TEXT NOT NULL DEFAULT '',"
                       " credential TEXT NOT NULL DEFAULT '',"
                       " attempts TEXT NOT NULL DEFAULT '[]',"
                       " status INTEGER NOT NULL DEFAULT 0,"
                       " error_type TEXT NOT NULL DEFAULT '',"
                       " stream INTEGER NOT NULL DEFAULT 0,"
                       " ttfb_ms INTEGER NOT NULL DEFAULT -1,"
                       " total_ms INTEGER NOT NULL DEFAULT 0,"
                       " input_tokens INTEGER NOT NULL DEFAULT -1,"
                       " output_tokens INTEGER NOT NULL DEFAULT -1,"
                       " cache_read_tokens INTEGER NOT NULL DEFAULT -1,"
                       " cache_write_tokens INTEGER NOT NULL DEFAULT -1,"
                       " cost_usd REAL)"),
        QStringLiteral("CREATE INDEX requests_ts ON requests(ts_ms)"),
        QStringLiteral("INSERT INTO requests (ts_ms, request_id, client, dialect, requested_model, provider, model, "
                       "credential, attempts, status, error_type, stream, ttfb_ms, total_ms, input_tokens, "
                       "output_tokens, cache_read_tokens, cache_write_tokens, cost_usd) VALUES (%1, 'old-1', "
                       "'claude-code', 'anthropic', 'sonnet', 'p1', 'm-a', 'c1', '[]', 200, '', 1, 30, 500, 1000, "
                       "100, 50, 0, 0.0012)")
            .arg(kT0 + kHour),
        QStringLiteral("INSERT INTO requests (ts_ms, request_id, provider, model, status, error_type, total_ms, "
                       "cost_usd) VALUES (%1, 'old-2', 'p2', 'm-x', 500, 'api_error', 80, NULL)")
            .arg(kT0 + 2 * kHour),
        QStringLiteral("PRAGMA user_version=1"),
    };
    QVERIFY(execAll(path, v1));
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), 1);

    {
        UsageLog log;
        log.setPrices(testPrices());
        QString error;
        QVERIFY2(log.open(path, &error), qPrintable(error));
        QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), 2);
        QCOMPARE(scalar(path,
                     QStringLiteral("SELECT COUNT(*) FROM pragma_table_info('requests') "
                                    "WHERE name IN ('gateway_key', 'reasoning_tokens')"))
                     .toInt(),
            2);

        // The old rows, with the defaults of the new columns.
        QList<UsageRow> rows = log.recent(10);
        QCOMPARE(rows.size(), 2);
        const UsageRow& old2 = rows.at(0);
        const UsageRow& old1 = rows.at(1);
        QCOMPARE(old1.requestId, QStringLiteral("old-1"));
        QCOMPARE(old1.timeMs, kT0 + kHour);
        QCOMPARE(old1.client, QStringLiteral("claude-code"));
        QCOMPARE(old1.requestedModel, QStringLiteral("sonnet"));
        QCOMPARE(old1.model, QStringLiteral("m-a"));
        QCOMPARE(old1.stream, true);
        QCOMPARE(old1.ttfbMs, qint64(30));
        QCOMPARE(old1.inputTokens, qint64(1000));
        QCOMPARE(old1.cacheReadTokens, qint64(50));
        QCOMPARE(old1.reasoningTokens, qint64(-1));
        QCOMPARE(old1.gatewayKey, QString());
        QVERIFY(old1.costUsd.has_value());
        QVERIFY(near(*old1.costUsd, 0.0012));
        QCOMPARE(old2.requestId, QStringLiteral("old-2"));
        QCOMPARE(old2.status, 500);
        QCOMPARE(old2.errorType, QStringLiteral("api_error"));
        QCOMPARE(old2.reasoningTokens, qint64(-1));
        QCOMPARE(old2.gatewayKey, QString());
        QCOMPARE(old2.inputTokens, qint64(-1)); // the v1 default
        QVERIFY(!old2.costUsd.has_value());

        // Queries see them.
        UsageReport report = log.query(rangeQuery());
        QCOMPARE(report.total.requests, qint64(2));
        QCOMPARE(report.total.errors, qint64(1));
        QCOMPARE(report.total.unpricedRequests, qint64(1));
        QCOMPARE(report.total.inputTokens, qint64(1000));

        // New rows (with the new columns) insert fine next to them.
        RequestRecord r = simpleRecord(QStringLiteral("new-1"), kT0 + 3 * kHour);
        r.gatewayKey = QStringLiteral("k1");
        r.usage.reasoningTokens = 4;
        log.record(r);
        log.flush();
        rows = log.recent(10);
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0).requestId, QStringLiteral("new-1"));
        QCOMPARE(rows.at(0).gatewayKey, QStringLiteral("k1"));
        QCOMPARE(rows.at(0).reasoningTokens, qint64(4));
        QVERIFY(rows.at(0).id > rows.at(1).id);
        QCOMPARE(log.totalsSince(0, QStringLiteral("k1")).requests, qint64(1));
        QCOMPARE(log.totalsSince(0).requests, qint64(3));
        // An old request id is still unique.
        log.record(simpleRecord(QStringLiteral("old-1")));
        log.flush();
        QCOMPARE(log.recent(10).size(), 3);
        log.close();
    }
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), 2);
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void TestUsageLog::newerSchemaRefused()
{
    const QString path = dbPath();
    QVERIFY(execAll(path,
        {QStringLiteral("CREATE TABLE requests (id INTEGER PRIMARY KEY, request_id TEXT, something_new BLOB)"),
            QStringLiteral("INSERT INTO requests (request_id) VALUES ('future-1')"),
            QStringLiteral("PRAGMA user_version=99")}));
    const QByteArray before = fileBytes(path);
    QVERIFY(!before.isEmpty());

    UsageLog log;
    QSignalSpy committed(&log, &UsageLog::rowsCommitted);
    QString error;
    QVERIFY(!log.open(path, &error));
    QVERIFY(!log.isOpen());
    QVERIFY2(error.contains(QLatin1String("99")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));
    // Nothing is written to it: not a row, not a migration, not even the journal mode.
    log.record(simpleRecord(QStringLiteral("x")));
    log.flush();
    log.close();
    QCOMPARE(fileBytes(path), before);
    QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), 99);
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM requests")).toInt(), 1);
    QCOMPARE(committed.count(), 0);

    // Not even a second attempt changes that; a good database still opens afterwards with the same object.
    QVERIFY(!log.open(path, &error));
    QCOMPARE(fileBytes(path), before);
    QVERIFY2(log.open(dbPath(QStringLiteral("other.sqlite")), &error), qPrintable(error));
    log.close();
}

// ---- writing --------------------------------------------------------------------------------------------------------

void TestUsageLog::batchCommitsWithoutFlush()
{
    UsageLog log;
    QString error;
    QVERIFY2(log.open(dbPath(), &error), qPrintable(error));
    QSignalSpy committed(&log, &UsageLog::rowsCommitted);
    QSignalSpy failed(&log, &UsageLog::writeFailed);

    for (int i = 0; i < UsageLog::kBatchRows; ++i)
        log.record(simpleRecord(QStringLiteral("b-%1").arg(i)));
    QTRY_COMPARE_WITH_TIMEOUT(log.committedRows(), qint64(UsageLog::kBatchRows), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(sumOf(committed), qint64(UsageLog::kBatchRows), 5000);

    // Several batches' worth at once, plus a remainder that only the timer writes.
    const int more = 3 * UsageLog::kBatchRows + 7;
    for (int i = 0; i < more; ++i)
        log.record(simpleRecord(QStringLiteral("c-%1").arg(i)));
    const qint64 total = UsageLog::kBatchRows + more;
    QTRY_COMPARE_WITH_TIMEOUT(log.committedRows(), total, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(sumOf(committed), total, 5000);
    for (const QList<QVariant>& args : std::as_const(committed))
        QVERIFY(args.at(0).toInt() >= 0 && args.at(0).toInt() <= more);
    QCOMPARE(failed.count(), 0);

    UsageQuery all;
    QCOMPARE(log.query(all).total.requests, total);
    QCOMPARE(log.totalsSince(0).requests, total);
    log.close();
}

void TestUsageLog::singleRowWithinASecond()
{
    UsageLog log;
    QString error;
    QVERIFY2(log.open(dbPath(), &error), qPrintable(error));
    QSignalSpy committed(&log, &UsageLog::rowsCommitted);
    log.record(simpleRecord(QStringLiteral("lonely")));
    QTRY_VERIFY_WITH_TIMEOUT(log.committedRows() == 1, 1000);
    QTRY_COMPARE_WITH_TIMEOUT(sumOf(committed), qint64(1), 1000);
    // Readable by another connection: it is committed, not just queued.
    QCOMPARE(scalar(dbPath(), QStringLiteral("SELECT request_id FROM requests")).toString(), QStringLiteral("lonely"));
    log.close();
}

// A caller that holds its client's answer for the row gets it written at once, rows queued meanwhile sharing the
// commit, and learns through settled() when everything up to its ticket is on disk.
void TestUsageLog::ticketsSettleWhenCommitted()
{
    UsageLog log;
    QString error;
    QVERIFY2(log.open(dbPath(), &error), qPrintable(error));
    QSignalSpy settled(&log, &UsageLog::settled);
    log.record(simpleRecord(QStringLiteral("batched"))); // no ticket: waits for the tick or a ticketed row
    quint64 first = 0;
    quint64 second = 0;
    log.record(simpleRecord(QStringLiteral("held-1")), &first);
    log.record(simpleRecord(QStringLiteral("held-2")), &second);
    QVERIFY(first > 0);
    QCOMPARE(second, first + 1);
    QTRY_VERIFY(log.settledTicket() >= second);
    QVERIFY(!settled.isEmpty());
    QVERIFY(settled.last().at(0).toULongLong() >= second);
    // Readable by another connection, the unticketed row ahead of them too.
    QCOMPARE(scalar(dbPath(), QStringLiteral("SELECT COUNT(*) FROM requests")).toInt(), 3);
    log.close();
    QCOMPARE(log.settledTicket(), std::numeric_limits<quint64>::max()); // nothing left to wait for
}

void TestUsageLog::closeWritesQueuedRows()
{
    const QString path = dbPath();
    QString error;
    {
        UsageLog log;
        QVERIFY2(log.open(path, &error), qPrintable(error));
        for (int i = 0; i < 100; ++i)
            log.record(simpleRecord(QStringLiteral("q-%1").arg(i)));
        log.close(); // no flush
        QVERIFY(!log.isOpen());
    }
    {
        UsageLog log;
        QVERIFY2(log.open(path, &error), qPrintable(error));
        QCOMPARE(log.totalsSince(0).requests, qint64(100));
        for (int i = 0; i < 50; ++i)
            log.record(simpleRecord(QStringLiteral("d-%1").arg(i)));
        // The destructor closes too.
    }
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM requests")).toInt(), 150);
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM requests WHERE request_id = 'd-49'")).toInt(), 1);
}

void TestUsageLog::exactlyOnce()
{
    UsageLog log;
    log.setPrices(testPrices());
    QString error;
    QVERIFY2(log.open(dbPath(), &error), qPrintable(error));
    QSignalSpy committed(&log, &UsageLog::rowsCommitted);

    RequestRecord first = simpleRecord(QStringLiteral("same"));
    first.status = 200;
    RequestRecord again = first;
    again.status = 500;
    again.errorType = QStringLiteral("api_error");
    log.record(first);
    log.record(again); // same batch
    log.flush();
    log.record(again); // a later batch
    log.flush();

    const QList<UsageRow> rows = log.recent(10);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).requestId, QStringLiteral("same"));
    QCOMPARE(rows.at(0).status, 200); // the first one stays
    QCOMPARE(log.committedRows(), qint64(1));
    QTRY_COMPARE(sumOf(committed), qint64(1));
    QCOMPARE(log.query(UsageQuery()).total.requests, qint64(1));
    QCOMPARE(scalar(dbPath(), QStringLiteral("SELECT COUNT(*) FROM requests")).toInt(), 1);
    log.close();
}

void TestUsageLog::failedRequestsAreLogged()
{
    UsageLog log;
    log.setPrices(testPrices());
    QString error;
    QVERIFY2(log.open(dbPath(), &error), qPrintable(error));

    RequestRecord r;
    r.requestId = QStringLiteral("failed-1");
    r.startedAt = QDateTime::fromMSecsSinceEpoch(kNow, Qt::UTC);
    r.inboundDialect = QStringLiteral("openai-chat");
    r.clientModel = QStringLiteral("m-unpriced");
    r.providerId = QStringLiteral("p1");
    r.upstreamModel = QStringLiteral("m-unpriced"); // no price, but nothing was used
    r.credentialId = QStringLiteral("c1");
    r.status = 502;
    r.errorType = QStringLiteral("api_error");
    r.errorMessage = QStringLiteral("upstream connection refused");
    r.totalMs = 1234;
    UpstreamAttempt a;
    a.providerId = QStringLiteral("p1");
    a.model = QStringLiteral("m-unpriced");
    a.credentialId = QStringLiteral("c1");
    a.status = 0;
    a.outcome = QStringLiteral("failover");
    a.error = QStringLiteral("connection refused");
    a.ms = 3;
    UpstreamAttempt b = a;
    b.providerId = QStringLiteral("p2");
    b.status = 503;
    b.outcome = QStringLiteral("passed-to-client");
    b.error.clear();
    r.attempts = {a, b};

    const UsageRow queued = log.record(r);
    QVERIFY(queued.costUsd.has_value());
    QCOMPARE(*queued.costUsd, 0.0);
    log.flush();

    const QList<UsageRow> rows = log.recent(1);
    QCOMPARE(rows.size(), 1);
    const UsageRow& row = rows.at(0);
    QCOMPARE(row.requestId, QStringLiteral("failed-1"));
    QCOMPARE(row.status, 502);
    QCOMPARE(row.errorType, QStringLiteral("api_error"));
    QCOMPARE(row.dialect, QStringLiteral("openai-chat"));
    QCOMPARE(row.totalMs, qint64(1234));
    QCOMPARE(row.ttfbMs, qint64(-1));
    QCOMPARE(row.inputTokens, qint64(-1));
    QCOMPARE(row.outputTokens, qint64(-1));
    QVERIFY(row.costUsd.has_value()); // 0.0, not null
    QCOMPARE(*row.costUsd, 0.0);
    const QJsonObject json = row.toJson();
    QVERIFY(json.value(QLatin1String("cost_usd")).isDouble());
    QCOMPARE(json.value(QLatin1String("error_type")).toString(), QStringLiteral("api_error"));
    QVERIFY(!json.contains(QLatin1String("gateway_key")));
    const QJsonArray attempts = json.value(QLatin1String("attempts")).toArray();
    QCOMPARE(attempts.size(), 2);
    QCOMPARE(attempts.at(0).toObject().value(QLatin1String("error")).toString(), QStringLiteral("connection refused"));
    QCOMPARE(attempts.at(0).toObject().value(QLatin1String("status")).toInt(), 0);
    QCOMPARE(attempts.at(1).toObject().value(QLatin1String("provider")).toString(), QStringLiteral("p2"));
    QCOMPARE(attempts.at(1).toObject().value(QLatin1String("outcome")).toString(), QStringLiteral("passed-to-client"));
    QVERIFY(!attempts.at(1).toObject().contains(QLatin1String("error")));
    // The log keeps the error type, not the message.
    QVERIFY(!QJsonDocument(json).toJson().contains("upstream connection refused"));

    const UsageReport report = log.query(UsageQuery());
    QCOMPARE(report.total.requests, qint64(1));
    QCOMPARE(report.total.errors, qint64(1));
    QCOMPARE(report.total.unpricedRequests, qint64(0));
    QCOMPARE(report.total.errorRate(), 1.0);
    QVERIFY(report.toJson().value(QLatin1String("total")).toObject().value(QLatin1String("cost_usd")).isDouble());

    // An error without an HTTP error status (e.g. the client went away) counts as an error too.
    RequestRecord gone = simpleRecord(QStringLiteral("failed-2"));
    gone.status = 200;
    gone.errorType = QStringLiteral("client_disconnected");
    log.record(gone);
    log.flush();
    QCOMPARE(log.query(UsageQuery()).total.errors, qint64(2));
    log.close();
}

void TestUsageLog::notOpen()
{
    UsageLog log;
    QVERIFY(!log.isOpen());
    const UsageRow row = log.record(simpleRecord(QStringLiteral("nowhere")));
    QCOMPARE(row.requestId, QStringLiteral("nowhere"));
    log.flush();
    QCOMPARE(log.committedRows(), qint64(0));
    QCOMPARE(log.query(UsageQuery()).total.requests, qint64(0));
    QVERIFY(log.recent(10).isEmpty());
    QCOMPARE(log.prune(1), qint64(0));
    QCOMPARE(log.totalsSince(0).requests, qint64(0));
    log.close();
}

// ---- queries --------------------------------------------------------------------------------------------------------

void TestUsageLog::totals()
{
    UsageLog log;
    openSeeded(&log);
    const UsageReport report = log.query(rangeQuery());
    const UsageTotals& t = report.total;
    // r1..r6 (r0 is before `from`, r7 at the exclusive `to`)
    QCOMPARE(t.key, QString());
    QCOMPARE(t.requests, qint64(6));
    QCOMPARE(t.errors, qint64(2)); // r4 (429), r6 (502)
    QCOMPARE(t.inputTokens, qint64(3110)); // 1000 + 2000 + 100 + 10
    QCOMPARE(t.outputTokens, qint64(1610)); // 500 + 1000 + 100 + 10
    QCOMPARE(t.cacheReadTokens, qint64(2000));
    QCOMPARE(t.cacheWriteTokens, qint64(400));
    QCOMPARE(t.reasoningTokens, qint64(300));
    QCOMPARE(t.totalTokens(), qint64(3110 + 1610 + 2000 + 400));
    QVERIFY2(near(t.costUsd, 0.0085), qPrintable(QString::number(t.costUsd, 'g', 17))); // 0.0022 + 0.0045 + 0.0018
    QCOMPARE(t.unpricedRequests, qint64(1)); // r5
    // Latencies 50 100 200 300 400 1000; nearest rank: p50 = 3rd (ceil(3)), p95 = 6th (ceil(5.7)).
    QCOMPARE(t.p50Ms, 200.0);
    QCOMPARE(t.p95Ms, 1000.0);
    QVERIFY(near(t.errorRate(), 2.0 / 6.0));
    QVERIFY(report.groups.isEmpty());
    QVERIFY(report.series.isEmpty());

    // to = 0: until now (everything).
    UsageQuery all;
    QCOMPARE(log.query(all).total.requests, qint64(std::size(kSeed)));
    log.close();
}

struct GroupExpect
{
    QString key;
    qint64 requests;
    qint64 errors;
    double cost;
    qint64 unpriced;
};
Q_DECLARE_METATYPE(QList<GroupExpect>)

void TestUsageLog::groups_data()
{
    QTest::addColumn<int>("group");
    QTest::addColumn<QList<GroupExpect>>("expected");
    const auto k = [](const char* s) { return QString::fromLatin1(s); };

    // By cost, then requests, then key (descending cost and requests).
    QTest::newRow("provider") << int(UsageGroup::Provider)
                              << QList<GroupExpect> {
                                     {k("p1"), 3, 1, 0.0067, 0}, {k("p2"), 2, 1, 0.0018, 0}, {k("p3"), 1, 0, 0.0, 1}};
    QTest::newRow("model") << int(UsageGroup::Model)
                           << QList<GroupExpect> {{k("m-a"), 3, 1, 0.0067, 0}, {k("m-b"), 2, 1, 0.0018, 0},
                                  {k("m-unpriced"), 1, 0, 0.0, 1}};
    QTest::newRow("credential") << int(UsageGroup::Credential)
                                << QList<GroupExpect> {{k("c2"), 1, 0, 0.0045, 0}, {k("c1"), 2, 1, 0.0022, 0},
                                       {k("c3"), 2, 1, 0.0018, 0}, {k("c4"), 1, 0, 0.0, 1}};
    // A row without a detected client is grouped under its gateway key (r5: k3).
    QTest::newRow("client") << int(UsageGroup::Client)
                            << QList<GroupExpect> {{k("codex"), 1, 0, 0.0045, 0}, {k("claude-code"), 3, 1, 0.004, 0},
                                   {k("gemini-cli"), 1, 1, 0.0, 0}, {k("k3"), 1, 0, 0.0, 1}};
    QTest::newRow("dialect") << int(UsageGroup::Dialect)
                             << QList<GroupExpect> {
                                    {k("openai-responses"), 1, 0, 0.0045, 0}, {k("anthropic"), 5, 2, 0.004, 1}};
}

void TestUsageLog::groups()
{
    QFETCH(int, group);
    QFETCH(QList<GroupExpect>, expected);
    UsageLog log;
    openSeeded(&log);
    const UsageReport report = log.query(rangeQuery(UsageGroup(group)));
    QCOMPARE(report.total.requests, qint64(6));
    QVERIFY(report.series.isEmpty());
    QStringList keys;
    for (const UsageTotals& g : report.groups)
        keys << g.key;
    QStringList expectedKeys;
    for (const GroupExpect& e : expected)
        expectedKeys << e.key;
    QCOMPARE(keys, expectedKeys);
    for (int i = 0; i < expected.size(); ++i) {
        const UsageTotals& g = report.groups.at(i);
        const GroupExpect& e = expected.at(i);
        QCOMPARE(g.requests, e.requests);
        QCOMPARE(g.errors, e.errors);
        QVERIFY2(near(g.costUsd, e.cost), qPrintable(g.key));
        QCOMPARE(g.unpricedRequests, e.unpriced);
    }
    log.close();
}

void TestUsageLog::hourlyBuckets()
{
    UsageLog log;
    openSeeded(&log);
    const UsageReport report = log.query(rangeQuery(UsageGroup::None, UsageBucket::Hour));
    QCOMPARE(report.total.requests, qint64(6));
    QVERIFY(report.groups.isEmpty());
    QCOMPARE(report.series.size(), 4);
    // 01:00 (r1 01:10, r2 01:50), 02:00 (r3 exactly at 02:00, r4 02:30), next day 03:00 (r5), 05:00 (r6)
    const qint64 buckets[] = {kT0 + kHour, kT0 + 2 * kHour, kT0 + kDay + 3 * kHour, kT0 + kDay + 5 * kHour};
    const qint64 requests[] = {2, 2, 1, 1};
    const double costs[] = {0.0067, 0.0018, 0, 0};
    for (int i = 0; i < 4; ++i) {
        const UsagePoint& p = report.series.at(i);
        QCOMPARE(p.bucketMs, buckets[i]);
        QCOMPARE(p.bucketMs % kHour, qint64(0));
        QCOMPARE(p.totals.key, QString());
        QCOMPARE(p.totals.requests, requests[i]);
        QVERIFY(near(p.totals.costUsd, costs[i]));
    }
    QCOMPARE(report.series.at(0).totals.inputTokens, qint64(3000));
    QCOMPARE(report.series.at(0).totals.p50Ms, 100.0);
    QCOMPARE(report.series.at(0).totals.p95Ms, 200.0);
    QCOMPARE(report.series.at(1).totals.errors, qint64(1));
    QCOMPARE(report.series.at(2).totals.unpricedRequests, qint64(1));
    QCOMPARE(report.series.at(3).totals.errors, qint64(1));
    log.close();
}

void TestUsageLog::dailyBucketsByProvider()
{
    UsageLog log;
    openSeeded(&log);
    const UsageReport report = log.query(rangeQuery(UsageGroup::Provider, UsageBucket::Day));
    QCOMPARE(report.groups.size(), 3);
    QCOMPARE(report.series.size(), 4);
    // By bucket, then group.
    const qint64 buckets[] = {kT0, kT0, kT0 + kDay, kT0 + kDay};
    const char* keys[] = {"p1", "p2", "p1", "p3"};
    const qint64 requests[] = {2, 2, 1, 1};
    const qint64 errors[] = {0, 1, 1, 0};
    const double costs[] = {0.0067, 0.0018, 0, 0};
    const qint64 unpriced[] = {0, 0, 0, 1};
    for (int i = 0; i < 4; ++i) {
        const UsagePoint& p = report.series.at(i);
        QCOMPARE(p.bucketMs, buckets[i]);
        QCOMPARE(QDateTime::fromMSecsSinceEpoch(p.bucketMs, Qt::UTC).time(), QTime(0, 0));
        QCOMPARE(p.totals.key, QString::fromLatin1(keys[i]));
        QCOMPARE(p.totals.requests, requests[i]);
        QCOMPARE(p.totals.errors, errors[i]);
        QVERIFY(near(p.totals.costUsd, costs[i]));
        QCOMPARE(p.totals.unpricedRequests, unpriced[i]);
    }
    log.close();
}

void TestUsageLog::bucketsBeforeTheFirstDay()
{
    UsageLog log;
    openSeeded(&log);
    UsageQuery q;
    q.fromMs = kT0 - kDay;
    q.toMs = kT0 + 3 * kDay;
    q.bucket = UsageBucket::Day;
    const UsageReport report = log.query(q);
    QCOMPARE(report.total.requests, qint64(8));
    QCOMPARE(report.series.size(), 4);
    QCOMPARE(report.series.at(0).bucketMs, kT0 - kDay); // r0, one ms before midnight
    QCOMPARE(report.series.at(0).totals.requests, qint64(1));
    QCOMPARE(report.series.at(1).bucketMs, kT0);
    QCOMPARE(report.series.at(1).totals.requests, qint64(4));
    QCOMPARE(report.series.at(2).bucketMs, kT0 + kDay);
    QCOMPARE(report.series.at(2).totals.requests, qint64(2));
    QCOMPARE(report.series.at(3).bucketMs, kT0 + 2 * kDay); // r7, exactly at midnight
    QCOMPARE(report.series.at(3).totals.requests, qint64(1));
    q.bucket = UsageBucket::Hour;
    QCOMPARE(log.query(q).series.at(0).bucketMs, kT0 - kHour);
    QCOMPARE(log.query(q).series.last().bucketMs, kT0 + 2 * kDay);
    log.close();
}

void TestUsageLog::percentiles()
{
    UsageLog log;
    QString error;
    QVERIFY2(log.open(dbPath(), &error), qPrintable(error));
    // 20 rows with latencies 10, 20, ..., 200, recorded out of order, in group "a"; 3 rows (5, 7, 1000) in "b";
    // one (42) in "c".
    const int order[] = {7, 19, 1, 14, 3, 20, 9, 12, 5, 17, 2, 11, 16, 4, 18, 8, 13, 6, 15, 10};
    int n = 0;
    for (int i : order) {
        RequestRecord r = simpleRecord(QStringLiteral("a-%1").arg(i), kT0 + ++n);
        r.providerId = QStringLiteral("a");
        r.totalMs = 10 * i;
        log.record(r);
    }
    for (int ms : {1000, 5, 7}) {
        RequestRecord r = simpleRecord(QStringLiteral("b-%1").arg(ms), kT0 + ++n);
        r.providerId = QStringLiteral("b");
        r.totalMs = ms;
        log.record(r);
    }
    RequestRecord c = simpleRecord(QStringLiteral("c"), kT0 + ++n);
    c.providerId = QStringLiteral("c");
    c.totalMs = 42;
    log.record(c);
    log.flush();

    UsageQuery q;
    q.groupBy = UsageGroup::Provider;
    const UsageReport report = log.query(q);
    QCOMPARE(report.groups.size(), 3);
    QHash<QString, UsageTotals> byKey;
    for (const UsageTotals& g : report.groups)
        byKey.insert(g.key, g);
    // a: p50 = 10th of 20 = 100 (interpolation would say 105); p95 = 19th = 190 (interpolation: 190.5)
    QCOMPARE(byKey.value(QStringLiteral("a")).p50Ms, 100.0);
    QCOMPARE(byKey.value(QStringLiteral("a")).p95Ms, 190.0);
    // b: 5 7 1000: p50 = 2nd = 7; p95 = ceil(2.85) = 3rd = 1000
    QCOMPARE(byKey.value(QStringLiteral("b")).p50Ms, 7.0);
    QCOMPARE(byKey.value(QStringLiteral("b")).p95Ms, 1000.0);
    // c: one value
    QCOMPARE(byKey.value(QStringLiteral("c")).p50Ms, 42.0);
    QCOMPARE(byKey.value(QStringLiteral("c")).p95Ms, 42.0);
    // All 24 sorted: 5, 7, 10, 20, 30, 40, 42, 50, 60, 70, 80, 90 (12th), 100, ..., 190 (22nd), 200 (23rd), 1000;
    // p50 = 12th, p95 = ceil(22.8) = 23rd
    QCOMPARE(report.total.p50Ms, 90.0);
    QCOMPARE(report.total.p95Ms, 200.0);
    // Empty: 0
    UsageQuery none;
    none.fromMs = kT0 + 10 * kDay;
    QCOMPARE(log.query(none).total.p50Ms, 0.0);
    QCOMPARE(log.query(none).total.p95Ms, 0.0);
    log.close();
}

void TestUsageLog::timeRange()
{
    UsageLog log;
    openSeeded(&log);
    UsageQuery q;
    q.fromMs = kT0 + 2 * kHour; // r3 is exactly here: included
    q.toMs = kT0 + kDay + 5 * kHour; // r6 is exactly here: excluded
    UsageReport report = log.query(q);
    QCOMPARE(report.total.requests, qint64(3)); // r3 r4 r5
    q.fromMs += 1;
    QCOMPARE(log.query(q).total.requests, qint64(2)); // r4 r5
    q.toMs += 1;
    QCOMPARE(log.query(q).total.requests, qint64(3)); // r4 r5 r6
    q.fromMs = kT0 - 1;
    q.toMs = kT0;
    QCOMPARE(log.query(q).total.requests, qint64(1)); // r0
    q.fromMs = kT0 + 2 * kDay;
    q.toMs = 0; // now
    QCOMPARE(log.query(q).total.requests, qint64(1)); // r7
    q.fromMs = kT0 + 3 * kDay;
    report = log.query(q);
    QCOMPARE(report.total.requests, qint64(0));
    QCOMPARE(report.total.costUsd, 0.0);
    log.close();
}

void TestUsageLog::json()
{
    UsageLog log;
    openSeeded(&log);
    const QJsonObject o = log.query(rangeQuery(UsageGroup::Provider)).toJson();
    const QJsonObject total = o.value(QLatin1String("total")).toObject();
    QVERIFY(!total.contains(QLatin1String("key")));
    QCOMPARE(total.value(QLatin1String("requests")).toInt(), 6);
    QCOMPARE(total.value(QLatin1String("errors")).toInt(), 2);
    QVERIFY(near(total.value(QLatin1String("error_rate")).toDouble(), 2.0 / 6.0));
    QVERIFY(near(total.value(QLatin1String("cost_usd")).toDouble(), 0.0085)); // priced part; unpriced flagged
    QCOMPARE(total.value(QLatin1String("unpriced_requests")).toInt(), 1);
    QCOMPARE(total.value(QLatin1String("input_tokens")).toInt(), 3110);
    QCOMPARE(total.value(QLatin1String("reasoning_tokens")).toInt(), 300);
    QCOMPARE(total.value(QLatin1String("latency_p50_ms")).toDouble(), 200.0);
    QCOMPARE(total.value(QLatin1String("latency_p95_ms")).toDouble(), 1000.0);

    const QJsonArray groups = o.value(QLatin1String("groups")).toArray();
    QCOMPARE(groups.size(), 3);
    QCOMPARE(groups.at(0).toObject().value(QLatin1String("key")).toString(), QStringLiteral("p1"));
    QVERIFY(near(groups.at(0).toObject().value(QLatin1String("cost_usd")).toDouble(), 0.0067));
    // p2: priced, with a failed row costing 0
    QVERIFY(near(groups.at(1).toObject().value(QLatin1String("cost_usd")).toDouble(), 0.0018));
    // p3 has only unpriced rows: null, never a silent 0.
    const QJsonObject p3 = groups.at(2).toObject();
    QCOMPARE(p3.value(QLatin1String("key")).toString(), QStringLiteral("p3"));
    QVERIFY(p3.value(QLatin1String("cost_usd")).isNull());
    QCOMPARE(p3.value(QLatin1String("unpriced_requests")).toInt(), 1);
    QVERIFY(o.value(QLatin1String("series")).toArray().isEmpty());

    const QJsonObject bucketed = log.query(rangeQuery(UsageGroup::None, UsageBucket::Hour)).toJson();
    const QJsonArray series = bucketed.value(QLatin1String("series")).toArray();
    QCOMPARE(series.size(), 4);
    QCOMPARE(series.at(0).toObject().value(QLatin1String("bucket")).toString(), QStringLiteral("2023-11-14T01:00:00Z"));
    QCOMPARE(series.at(3).toObject().value(QLatin1String("bucket")).toString(), QStringLiteral("2023-11-15T05:00:00Z"));
    QVERIFY(series.at(2).toObject().value(QLatin1String("cost_usd")).isNull()); // r5 alone
    QCOMPARE(series.at(3).toObject().value(QLatin1String("cost_usd")).toDouble(-1), 0.0); // r6 failed: 0

    // An empty report: zero cost, not null.
    UsageQuery empty;
    empty.fromMs = kT0 + 10 * kDay;
    const QJsonObject none = log.query(empty).toJson().value(QLatin1String("total")).toObject();
    QCOMPARE(none.value(QLatin1String("requests")).toInt(), 0);
    QCOMPARE(none.value(QLatin1String("cost_usd")).toDouble(-1), 0.0);

    // Rows' JSON: the request log.
    const QList<UsageRow> rows = log.recent(10);
    for (const UsageRow& r : rows) {
        const QJsonObject j = r.toJson();
        if (r.requestId == QLatin1String("r5"))
            QVERIFY(j.value(QLatin1String("cost_usd")).isNull());
        else
            QVERIFY2(j.value(QLatin1String("cost_usd")).isDouble(), qPrintable(r.requestId));
        QCOMPARE(j.value(QLatin1String("request_id")).toString(), r.requestId);
        QCOMPARE(j.value(QLatin1String("time")).toString(),
            QDateTime::fromMSecsSinceEpoch(r.timeMs, Qt::UTC).toString(Qt::ISODate));
    }
    log.close();
}

void TestUsageLog::csv()
{
    UsageLog log;
    openSeeded(&log);
    const QByteArray header = "bucket,key,requests,errors,input_tokens,output_tokens,cache_read_tokens,"
                              "cache_write_tokens,reasoning_tokens,cost_usd,unpriced_requests,latency_p50_ms,"
                              "latency_p95_ms";
    // Grouped: one line per group, cost empty for a group with only unpriced rows.
    QByteArray expected = header + '\n'
        + ",p1,3,1,3000,1500,2000,400,300,0.006700,0,200,400\n"
          ",p2,2,1,100,100,0,0,0,0.001800,0,50,300\n"
          ",p3,1,0,10,10,0,0,0,,1,1000,1000\n";
    QCOMPARE(log.query(rangeQuery(UsageGroup::Provider)).toCsv(), expected);

    // Not grouped: the total.
    expected = header + '\n' + ",,6,2,3110,1610,2000,400,300,0.008500,1,200,1000\n";
    QCOMPARE(log.query(rangeQuery()).toCsv(), expected);

    // Bucketed: the series.
    expected = header + '\n'
        + "2023-11-14T00:00:00Z,p1,2,0,3000,1500,2000,400,300,0.006700,0,100,200\n"
          "2023-11-14T00:00:00Z,p2,2,1,100,100,0,0,0,0.001800,0,50,300\n"
          "2023-11-15T00:00:00Z,p1,1,1,0,0,0,0,0,0.000000,0,400,400\n"
          "2023-11-15T00:00:00Z,p3,1,0,10,10,0,0,0,,1,1000,1000\n";
    QCOMPARE(log.query(rangeQuery(UsageGroup::Provider, UsageBucket::Day)).toCsv(), expected);

    // Nothing in range: the header and a zero total.
    UsageQuery empty;
    empty.fromMs = kT0 + 10 * kDay;
    QCOMPARE(log.query(empty).toCsv(), QByteArray(header + '\n' + ",,0,0,0,0,0,0,0,0.000000,0,0,0\n"));
    log.close();
}

void TestUsageLog::csvQuoting()
{
    UsageLog log;
    log.setPrices(testPrices());
    QString error;
    QVERIFY2(log.open(dbPath(), &error), qPrintable(error));
    RequestRecord r = simpleRecord(QStringLiteral("q1"), kT0);
    r.client = QStringLiteral("tool, \"v2\"");
    r.usage.outputTokens = 0;
    log.record(r);
    log.flush();
    UsageQuery q;
    q.groupBy = UsageGroup::Client;
    const QList<QByteArray> lines = log.query(q).toCsv().split('\n');
    QCOMPARE(lines.size(), 3); // header, one line, the empty rest after the final newline
    // 10 input tokens at 1 per million
    QCOMPARE(lines.at(1), QByteArray(",\"tool, \"\"v2\"\"\",1,0,10,0,0,0,0,0.000010,0,10,10"));
    QVERIFY(lines.at(2).isEmpty());
    log.close();
}

void TestUsageLog::recentPaging()
{
    UsageLog log;
    openSeeded(&log);
    QList<UsageRow> page = log.recent(3);
    QCOMPARE(page.size(), 3);
    QCOMPARE(page.at(0).requestId, QStringLiteral("r7"));
    QCOMPARE(page.at(1).requestId, QStringLiteral("r6"));
    QCOMPARE(page.at(2).requestId, QStringLiteral("r5"));
    QVERIFY(page.at(0).id > page.at(1).id && page.at(1).id > page.at(2).id);
    page = log.recent(3, page.last().id);
    QCOMPARE(page.size(), 3);
    QCOMPARE(page.at(0).requestId, QStringLiteral("r4"));
    QCOMPARE(page.at(2).requestId, QStringLiteral("r2"));
    const UsageRow r2 = page.at(2);
    page = log.recent(3, page.last().id);
    QCOMPARE(page.size(), 2);
    QCOMPARE(page.at(0).requestId, QStringLiteral("r1"));
    QCOMPARE(page.at(1).requestId, QStringLiteral("r0"));
    QVERIFY(log.recent(3, page.last().id).isEmpty());
    QCOMPARE(log.recent(100).size(), int(std::size(kSeed)));
    QCOMPARE(log.recent(1).size(), 1);

    // Every field comes back as recorded.
    QCOMPARE(r2.timeMs, kT0 + kHour + 50 * kMinute);
    QCOMPARE(r2.client, QStringLiteral("codex"));
    QCOMPARE(r2.gatewayKey, QStringLiteral("k2"));
    QCOMPARE(r2.dialect, QStringLiteral("openai-responses"));
    QCOMPARE(r2.requestedModel, QStringLiteral("alias-a"));
    QCOMPARE(r2.provider, QStringLiteral("p1"));
    QCOMPARE(r2.model, QStringLiteral("m-a"));
    QCOMPARE(r2.credential, QStringLiteral("c2"));
    QCOMPARE(r2.status, 200);
    QCOMPARE(r2.errorType, QString());
    QCOMPARE(r2.stream, true);
    QCOMPARE(r2.ttfbMs, qint64(42));
    QCOMPARE(r2.totalMs, qint64(200));
    QCOMPARE(r2.inputTokens, qint64(2000));
    QCOMPARE(r2.outputTokens, qint64(1000));
    QCOMPARE(r2.cacheReadTokens, qint64(0));
    QCOMPARE(r2.cacheWriteTokens, qint64(400));
    QCOMPARE(r2.reasoningTokens, qint64(300));
    QVERIFY(r2.costUsd && near(*r2.costUsd, 0.0045));
    const QJsonArray attempts = QJsonDocument::fromJson(r2.attemptsJson.toUtf8()).array();
    QCOMPARE(attempts.size(), 2);
    const QJsonObject first = attempts.at(0).toObject();
    QCOMPARE(first.value(QLatin1String("provider")).toString(), QStringLiteral("p9"));
    QCOMPARE(first.value(QLatin1String("model")).toString(), QStringLiteral("m-z"));
    QCOMPARE(first.value(QLatin1String("credential")).toString(), QStringLiteral("c9"));
    QCOMPARE(first.value(QLatin1String("status")).toInt(), 503);
    QCOMPARE(first.value(QLatin1String("outcome")).toString(), QStringLiteral("failover"));
    QCOMPARE(first.value(QLatin1String("error")).toString(), QStringLiteral("overloaded"));
    QCOMPARE(first.value(QLatin1String("ms")).toInt(), 7);
    log.close();
}

void TestUsageLog::prune()
{
    UsageLog log;
    QString error;
    QVERIFY2(log.open(dbPath(), &error), qPrintable(error));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    log.record(simpleRecord(QStringLiteral("ten-days"), now - 10 * kDay));
    log.record(simpleRecord(QStringLiteral("six-days"), now - 6 * kDay));
    log.record(simpleRecord(QStringLiteral("four-days"), now - 4 * kDay));
    log.record(simpleRecord(QStringLiteral("two-days"), now - 2 * kDay));
    log.record(simpleRecord(QStringLiteral("an-hour"), now - kHour));
    log.flush();

    QCOMPARE(log.prune(0), qint64(0)); // not a request to delete everything
    QCOMPARE(log.prune(-1), qint64(0));
    QCOMPARE(log.recent(10).size(), 5);
    QCOMPARE(log.prune(5), qint64(2));
    QStringList left;
    for (const UsageRow& r : log.recent(10))
        left << r.requestId;
    QCOMPARE(left, (QStringList {QStringLiteral("an-hour"), QStringLiteral("two-days"), QStringLiteral("four-days")}));
    QCOMPARE(log.prune(5), qint64(0));
    QCOMPARE(log.prune(1), qint64(2));
    QCOMPARE(log.recent(10).size(), 1);
    QCOMPARE(log.recent(10).at(0).requestId, QStringLiteral("an-hour"));
    // The writer keeps working after a prune on the reading connection.
    log.record(simpleRecord(QStringLiteral("after"), now));
    log.flush();
    QCOMPARE(log.recent(10).size(), 2);
    log.close();
}

void TestUsageLog::totalsSince()
{
    UsageLog log;
    openSeeded(&log);
    // k1 since T0: r1 r3 r6 r7 = 0.0022 + 0.0018 + 0 + 0.001
    UsageTotals t = log.totalsSince(kT0, QStringLiteral("k1"));
    QCOMPARE(t.key, QStringLiteral("k1"));
    QCOMPARE(t.requests, qint64(4));
    QCOMPARE(t.inputTokens, qint64(2100));
    QCOMPARE(t.outputTokens, qint64(600));
    QCOMPARE(t.cacheReadTokens, qint64(2000));
    QCOMPARE(t.cacheWriteTokens, qint64(0));
    QVERIFY2(near(t.costUsd, 0.005), qPrintable(QString::number(t.costUsd, 'g', 17)));
    // Every key since the second day: r5 (unpriced) r6 r7
    t = log.totalsSince(kT0 + kDay);
    QCOMPARE(t.requests, qint64(3));
    QVERIFY(near(t.costUsd, 0.001));
    // Inclusive: r7 is exactly at T0 + 2 days.
    QCOMPARE(log.totalsSince(kT0 + 2 * kDay).requests, qint64(1));
    QCOMPARE(log.totalsSince(kT0 + 2 * kDay + 1).requests, qint64(0));
    // Everything: 0.0085 + 0.000003 + 0.001
    t = log.totalsSince(kT0 - 1);
    QCOMPARE(t.requests, qint64(8));
    QVERIFY(near(t.costUsd, 0.009503));
    QCOMPARE(t.inputTokens, qint64(1 + 3110 + 1000));
    // Errors and unpriced requests agree with the full report over the same range (r5 is unpriced).
    UsageQuery all;
    all.fromMs = kT0 - 1;
    const UsageTotals report = log.query(all).total;
    QCOMPARE(t.unpricedRequests, report.unpricedRequests);
    QVERIFY(t.unpricedRequests >= 1);
    QCOMPARE(t.errors, report.errors);
    // A key with no rows.
    t = log.totalsSince(0, QStringLiteral("nobody"));
    QCOMPARE(t.requests, qint64(0));
    QCOMPARE(t.costUsd, 0.0);
    QCOMPARE(t.inputTokens, qint64(0));
    QCOMPARE(log.totalsSince(0, QStringLiteral("k2")).requests, qint64(1));
    log.close();
}

// ---- query parameters -----------------------------------------------------------------------------------------------

void TestUsageLog::parseUsageTime_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("ms");
    const qint64 nov1 = 1'793'491'200'000; // 2026-11-01T00:00:00Z

    QTest::newRow("24h") << QStringLiteral("24h") << true << kNow - kDay;
    QTest::newRow("7d") << QStringLiteral("7d") << true << kNow - 7 * kDay;
    QTest::newRow("90m") << QStringLiteral("90m") << true << kNow - 90 * kMinute;
    QTest::newRow("15min") << QStringLiteral("15min") << true << kNow - 15 * kMinute;
    QTest::newRow("4w") << QStringLiteral("4w") << true << kNow - 28 * kDay;
    QTest::newRow(" 24H ") << QStringLiteral(" 24H ") << true << kNow - kDay;
    QTest::newRow("0d") << QStringLiteral("0d") << true << kNow;
    QTest::newRow("ISO date") << QStringLiteral("2026-11-01") << true << nov1;
    QTest::newRow("ISO Z") << QStringLiteral("2026-11-01T12:00:00Z") << true << nov1 + 12 * kHour;
    QTest::newRow("ISO no zone is UTC") << QStringLiteral("2026-11-01T12:00:00") << true << nov1 + 12 * kHour;
    QTest::newRow("ISO +02:00") << QStringLiteral("2026-11-01T12:00:00+02:00") << true << nov1 + 10 * kHour;
    QTest::newRow("ISO -05:00") << QStringLiteral("2026-11-01T12:00:00-05:00") << true << nov1 + 17 * kHour;
    QTest::newRow("ISO ms") << QStringLiteral("2026-11-01T12:00:00.250Z") << true << nov1 + 12 * kHour + 250;
    QTest::newRow("epoch ms") << QStringLiteral("1700000000000") << true << qint64(1'700'000'000'000);
    QTest::newRow("epoch 0") << QStringLiteral("0") << true << qint64(0);
    QTest::newRow("empty") << QString() << false << qint64(0);
    QTest::newRow("word") << QStringLiteral("yesterday") << false << qint64(0);
    QTest::newRow("unit") << QStringLiteral("24x") << false << qint64(0);
    QTest::newRow("negative") << QStringLiteral("-5") << false << qint64(0);
    QTest::newRow("month 13") << QStringLiteral("2026-13-01") << false << qint64(0);
    QTest::newRow("no number") << QStringLiteral("h") << false << qint64(0);
}

void TestUsageLog::parseUsageTime()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, ms);
    const std::optional<qint64> parsed = sy::parseUsageTime(text, kNow);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(*parsed, ms);
}

void TestUsageLog::usageQueryFrom_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("groupBy");
    QTest::addColumn<QString>("bucket");
    QTest::addColumn<QString>("errorStart"); // empty: valid
    QTest::addColumn<qint64>("fromMs");
    QTest::addColumn<qint64>("toMs");
    QTest::addColumn<int>("group");
    QTest::addColumn<int>("bucketKind");
    const QString none;

    // Without "to": until now, this millisecond included.
    QTest::newRow("defaults") << none << none << none << none << none << kNow - 7 * kDay << kNow + 1
                              << int(UsageGroup::None) << int(UsageBucket::None);
    QTest::newRow("24h by provider, hourly")
        << QStringLiteral("24h") << none << QStringLiteral("provider") << QStringLiteral("hour") << none << kNow - kDay
        << kNow + 1 << int(UsageGroup::Provider) << int(UsageBucket::Hour);
    QTest::newRow("7d by model, daily") << QStringLiteral("7d") << QStringLiteral("1d") << QStringLiteral("model")
                                        << QStringLiteral("day") << none << kNow - 7 * kDay << kNow - kDay
                                        << int(UsageGroup::Model) << int(UsageBucket::Day);
    QTest::newRow("ISO dates, account") << QStringLiteral("2023-11-01") << QStringLiteral("2023-11-02")
                                        << QStringLiteral("account") << none << none << qint64(1'698'796'800'000)
                                        << qint64(1'698'883'200'000) << int(UsageGroup::Credential)
                                        << int(UsageBucket::None);
    QTest::newRow("epoch ms, client") << QStringLiteral("1699920000000") << QStringLiteral("1700000000000")
                                      << QStringLiteral("client") << QStringLiteral("none") << none << kT0 << kNow
                                      << int(UsageGroup::Client) << int(UsageBucket::None);
    QTest::newRow("Dialect, DAY (any case)")
        << none << none << QStringLiteral("Dialect") << QStringLiteral("DAY") << none << kNow - 7 * kDay << kNow + 1
        << int(UsageGroup::Dialect) << int(UsageBucket::Day);
    QTest::newRow("credential") << none << none << QStringLiteral("credential") << none << none << kNow - 7 * kDay
                                << kNow + 1 << int(UsageGroup::Credential) << int(UsageBucket::None);
    QTest::newRow("from now, default to") << QString::number(kNow) << none << none << none << none << kNow << kNow + 1
                                          << int(UsageGroup::None) << int(UsageBucket::None);

    QTest::newRow("bad from") << QStringLiteral("soon") << none << none << none << QStringLiteral("from:") << qint64(0)
                              << qint64(0) << 0 << 0;
    QTest::newRow("bad to") << none << QStringLiteral("later") << none << none << QStringLiteral("to:") << qint64(0)
                            << qint64(0) << 0 << 0;
    QTest::newRow("bad group_by") << none << none << QStringLiteral("team") << none << QStringLiteral("group_by:")
                                  << qint64(0) << qint64(0) << 0 << 0;
    QTest::newRow("bad bucket") << none << none << none << QStringLiteral("week") << QStringLiteral("bucket:")
                                << qint64(0) << qint64(0) << 0 << 0;
    QTest::newRow("to == from") << QStringLiteral("1000") << QStringLiteral("1000") << none << none
                                << QStringLiteral("to ") << qint64(0) << qint64(0) << 0 << 0;
    QTest::newRow("to before from") << QStringLiteral("1d") << QStringLiteral("2d") << none << none
                                    << QStringLiteral("to ") << qint64(0) << qint64(0) << 0 << 0;
    QTest::newRow("from in the future, default to") << QString::number(kNow + kHour) << none << none << none
                                                    << QStringLiteral("to ") << qint64(0) << qint64(0) << 0 << 0;
}

void TestUsageLog::usageQueryFrom()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, groupBy);
    QFETCH(QString, bucket);
    QFETCH(QString, errorStart);
    QFETCH(qint64, fromMs);
    QFETCH(qint64, toMs);
    QFETCH(int, group);
    QFETCH(int, bucketKind);
    QString error;
    const std::optional<UsageQuery> q = sy::usageQueryFrom(from, to, groupBy, bucket, kNow, &error);
    if (!errorStart.isEmpty()) {
        QVERIFY(!q.has_value());
        QVERIFY2(error.startsWith(errorStart), qPrintable(error));
        if (errorStart == QLatin1String("to "))
            QVERIFY2(error.contains(QLatin1String("from")), qPrintable(error));
        // The bad value is quoted back.
        const QString bad = errorStart == QLatin1String("from:") ? from
            : errorStart == QLatin1String("to:")                 ? to
            : errorStart == QLatin1String("group_by:")           ? groupBy
            : errorStart == QLatin1String("bucket:")             ? bucket
                                                                 : QString();
        if (!bad.isEmpty())
            QVERIFY2(error.contains(QLatin1Char('"') + bad + QLatin1Char('"')), qPrintable(error));
        return;
    }
    QVERIFY2(q.has_value(), qPrintable(error));
    QCOMPARE(q->fromMs, fromMs);
    QCOMPARE(q->toMs, toMs);
    QCOMPARE(int(q->groupBy), group);
    QCOMPARE(int(q->bucket), bucketKind);
}

// ---- crash safety ---------------------------------------------------------------------------------------------------

void TestUsageLog::crashSafety()
{
    const QString path = dbPath(QStringLiteral("crash.sqlite"));
    for (int round = 1; round <= 3; ++round) {
        const QString prefix = QStringLiteral("round%1-req-").arg(round);
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--usage-child"), path, prefix});
        QVERIFY2(child.waitForStarted(10000), qPrintable(child.errorString()));

        qint64 lastAck = 0;
        QByteArray pending;
        const auto drain = [&]() {
            pending += child.readAllStandardOutput();
            qsizetype nl;
            while ((nl = pending.indexOf('\n')) >= 0) {
                const QByteArray line = pending.left(nl).trimmed();
                pending.remove(0, nl + 1);
                if (line.startsWith("acked "))
                    lastAck = qMax(lastAck, line.mid(6).toLongLong());
            }
            return lastAck;
        };
        // Kill it at a different point each round.
        const qint64 target = 500 + 350 * (round - 1);
        QTRY_VERIFY_WITH_TIMEOUT(drain() >= target || child.state() == QProcess::NotRunning, 60000);
        QCOMPARE(child.state(), QProcess::Running);
        QCOMPARE(::kill(pid_t(child.processId()), SIGKILL), 0);
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        drain(); // acks it printed after the last read (each printed only after its rows were committed)
        QVERIFY(lastAck >= target);

        UsageLog log;
        QString error;
        QVERIFY2(log.open(path, &error), qPrintable(error));
        const QString integrity = scalar(path, QStringLiteral("PRAGMA integrity_check")).toString();
        const int prefixLength = prefix.size();
        const QString ofRound = QStringLiteral("request_id GLOB '%1*'").arg(prefix);
        const qint64 acknowledged = scalar(path,
            QStringLiteral("SELECT COUNT(DISTINCT request_id) FROM requests WHERE %1 AND "
                           "CAST(substr(request_id, %2) AS INTEGER) BETWEEN 1 AND %3")
                .arg(ofRound)
                .arg(prefixLength + 1)
                .arg(lastAck))
                                        .toLongLong();
        const qint64 found
            = scalar(path, QStringLiteral("SELECT COUNT(*) FROM requests WHERE %1").arg(ofRound)).toLongLong();
        const qint64 highest = scalar(path,
            QStringLiteral("SELECT MAX(CAST(substr(request_id, %1) AS INTEGER)) FROM requests WHERE %2")
                .arg(prefixLength + 1)
                .arg(ofRound))
                                   .toLongLong();
        qInfo().noquote() << QStringLiteral("round %1: acked %2, rows found %3 (highest id %4), integrity %5")
                                 .arg(round)
                                 .arg(lastAck)
                                 .arg(found)
                                 .arg(highest)
                                 .arg(integrity);
        QCOMPARE(integrity, QStringLiteral("ok"));
        QCOMPARE(acknowledged, lastAck);
        QVERIFY(found >= lastAck);
        QCOMPARE(highest, found); // no gaps: rows are committed in order
        for (qint64 n : {qint64(1), lastAck / 2, lastAck - 1, lastAck}) {
            const QString id = prefix + QString::number(n);
            QCOMPARE(
                scalar(path, QStringLiteral("SELECT cache_read_tokens FROM requests WHERE request_id = '%1'").arg(id))
                    .toLongLong(),
                n);
        }
        // The earlier rounds' rows are all still there, and the log works on the recovered database.
        QCOMPARE(
            log.totalsSince(0).requests, scalar(path, QStringLiteral("SELECT COUNT(*) FROM requests")).toLongLong());
        const QString mine = QStringLiteral("parent-after-round-%1").arg(round);
        log.record(simpleRecord(mine));
        log.flush();
        QCOMPARE(log.recent(1).value(0).requestId, mine);
        log.close();
    }
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    if (argc >= 4 && qstrcmp(argv[1], "--usage-child") == 0)
        return runChild(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    TestUsageLog tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_usagelog.moc"
