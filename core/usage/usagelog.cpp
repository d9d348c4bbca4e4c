#include "usage/usagelog.h"

#include "common/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <limits>
#include <cmath>

Q_LOGGING_CATEGORY(lcUsage, "switchyard.usage", QtInfoMsg)

namespace sy {

namespace {

// Schema history. Version 1 had no gateway key and no reasoning tokens; version 2 adds them.
const char* const kCreateV1[] = {
    "CREATE TABLE requests ("
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
    " cost_usd REAL)",
    "CREATE INDEX requests_ts ON requests(ts_ms)",
};
const char* const kMigrateV1toV2[] = {
    "ALTER TABLE requests ADD COLUMN gateway_key TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE requests ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT -1",
};

bool exec(QSqlDatabase& db, const QString& sql, QString* error)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = q.lastError().text();
    return false;
}

// WAL (readers never block the writer), NORMAL sync (a committed row survives a process crash), busy timeout.
bool configure(QSqlDatabase& db, QString* error)
{
    return exec(db, QStringLiteral("PRAGMA journal_mode=WAL"), error)
        && exec(db, QStringLiteral("PRAGMA synchronous=NORMAL"), error)
        && exec(db, QStringLiteral("PRAGMA busy_timeout=5000"), error);
}

int userVersion(QSqlDatabase& db)
{
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next())
        return q.value(0).toInt();
    return -1;
}

// A database of a newer build is refused before anything is written to it (not even the journal mode).
bool checkNotNewer(QSqlDatabase& db, QString* error)
{
    const int version = userVersion(db);
    if (version > UsageLog::kSchemaVersion) {
        *error = QStringLiteral("the usage database has schema version %1, newer than this build (%2)")
                     .arg(version)
                     .arg(UsageLog::kSchemaVersion);
        return false;
    }
    return true;
}

bool migrate(QSqlDatabase& db, QString* error)
{
    int version = userVersion(db);
    if (version < 0) {
        *error = QStringLiteral("cannot read the schema version");
        return false;
    }
    if (!checkNotNewer(db, error))
        return false;
    while (version < UsageLog::kSchemaVersion) {
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        bool ok = true;
        if (version == 0) {
            for (const char* sql : kCreateV1)
                ok = ok && exec(db, QString::fromLatin1(sql), error);
        } else if (version == 1) {
            for (const char* sql : kMigrateV1toV2)
                ok = ok && exec(db, QString::fromLatin1(sql), error);
        }
        ok = ok && exec(db, QStringLiteral("PRAGMA user_version=%1").arg(version + 1), error);
        if (!ok || !db.commit()) {
            db.rollback();
            if (error->isEmpty())
                *error = db.lastError().text();
            return false;
        }
        qCInfo(lcUsage) << "usage database migrated to schema version" << version + 1;
        ++version;
    }
    return true;
}

QString encodeAttempts(const RequestRecord& record)
{
    QJsonArray arr;
    for (const UpstreamAttempt& a : record.attempts) {
        QJsonObject o;
        o.insert(QLatin1String("provider"), a.providerId);
        o.insert(QLatin1String("model"), a.model);
        o.insert(QLatin1String("credential"), a.credentialId);
        o.insert(QLatin1String("status"), a.status);
        o.insert(QLatin1String("outcome"), a.outcome);
        if (!a.error.isEmpty())
            o.insert(QLatin1String("error"), a.error);
        o.insert(QLatin1String("ms"), double(a.ms));
        arr.append(o);
    }
    return QString::fromUtf8(QJsonDocument(arr).toJson(QJsonDocument::Compact));
}

const char* const kColumns = "id, ts_ms, request_id, client, gateway_key, dialect, requested_model, provider, model, "
                             "credential, attempts, status, error_type, stream, ttfb_ms, total_ms, input_tokens, "
                             "output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd";

UsageRow rowFrom(const QSqlQuery& q)
{
    UsageRow r;
    r.id = q.value(0).toLongLong();
    r.timeMs = q.value(1).toLongLong();
    r.requestId = q.value(2).toString();
    r.client = q.value(3).toString();
    r.gatewayKey = q.value(4).toString();
    r.dialect = q.value(5).toString();
    r.requestedModel = q.value(6).toString();
    r.provider = q.value(7).toString();
    r.model = q.value(8).toString();
    r.credential = q.value(9).toString();
    r.attemptsJson = q.value(10).toString();
    r.status = q.value(11).toInt();
    r.errorType = q.value(12).toString();
    r.stream = q.value(13).toBool();
    r.ttfbMs = q.value(14).toLongLong();
    r.totalMs = q.value(15).toLongLong();
    r.inputTokens = q.value(16).toLongLong();
    r.outputTokens = q.value(17).toLongLong();
    r.cacheReadTokens = q.value(18).toLongLong();
    r.cacheWriteTokens = q.value(19).toLongLong();
    r.reasoningTokens = q.value(20).toLongLong();
    if (!q.value(21).isNull())
        r.costUsd = q.value(21).toDouble();
    return r;
}

double percentile(QList<qint64>& values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    // Nearest rank.
    const qsizetype rank = qsizetype(std::ceil(p * double(values.size())));
    return double(values.at(qBound<qsizetype>(0, rank - 1, values.size() - 1)));
}

struct Accumulator
{
    UsageTotals totals;
    QList<qint64> latencies;
    void add(const UsageRow& r)
    {
        ++totals.requests;
        if (r.status >= 400 || !r.errorType.isEmpty())
            ++totals.errors;
        totals.inputTokens += qMax<qint64>(0, r.inputTokens);
        totals.outputTokens += qMax<qint64>(0, r.outputTokens);
        totals.cacheReadTokens += qMax<qint64>(0, r.cacheReadTokens);
        totals.cacheWriteTokens += qMax<qint64>(0, r.cacheWriteTokens);
        totals.reasoningTokens += qMax<qint64>(0, r.reasoningTokens);
        if (r.costUsd)
            totals.costUsd += *r.costUsd;
        else
            ++totals.unpricedRequests;
        latencies.append(r.totalMs);
    }
    UsageTotals finish(const QString& key)
    {
        totals.key = key;
        totals.p50Ms = percentile(latencies, 0.50);
        totals.p95Ms = percentile(latencies, 0.95);
        return totals;
    }
};

QString groupValue(const UsageRow& r, UsageGroup g)
{
    switch (g) {
    case UsageGroup::None:
        return QString();
    case UsageGroup::Provider:
        return r.provider;
    case UsageGroup::Model:
        return r.model.isEmpty() ? r.requestedModel : r.model;
    case UsageGroup::Credential:
        return r.credential;
    case UsageGroup::Client:
        return r.client.isEmpty() ? (r.gatewayKey.isEmpty() ? QString() : r.gatewayKey) : r.client;
    case UsageGroup::Dialect:
        return r.dialect;
    }
    return QString();
}

QJsonObject totalsJson(const UsageTotals& t)
{
    QJsonObject o;
    o.insert(QLatin1String("key"), t.key.isNull() ? QString(QLatin1String("")) : t.key);
    o.insert(QLatin1String("requests"), double(t.requests));
    o.insert(QLatin1String("errors"), double(t.errors));
    o.insert(QLatin1String("error_rate"), t.errorRate());
    o.insert(QLatin1String("input_tokens"), double(t.inputTokens));
    o.insert(QLatin1String("output_tokens"), double(t.outputTokens));
    o.insert(QLatin1String("cache_read_tokens"), double(t.cacheReadTokens));
    o.insert(QLatin1String("cache_write_tokens"), double(t.cacheWriteTokens));
    o.insert(QLatin1String("reasoning_tokens"), double(t.reasoningTokens));
    // Unknown prices are never a silent 0: null when nothing in the group was priced.
    if (t.unpricedRequests == t.requests && t.requests > 0)
        o.insert(QLatin1String("cost_usd"), QJsonValue::Null);
    else
        o.insert(QLatin1String("cost_usd"), std::round(t.costUsd * 1e6) / 1e6);
    o.insert(QLatin1String("unpriced_requests"), double(t.unpricedRequests));
    o.insert(QLatin1String("latency_p50_ms"), t.p50Ms);
    o.insert(QLatin1String("latency_p95_ms"), t.p95Ms);
    return o;
}

QString csvField(const QString& s)
{
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n')))
        return QLatin1Char('"') + QString(s).replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
    return s;
}

QString csvLine(const QString& bucket, const UsageTotals& t)
{
    const QString cost
        = t.unpricedRequests == t.requests && t.requests > 0 ? QString() : QString::number(t.costUsd, 'f', 6);
    return QStringList {bucket, csvField(t.key), QString::number(t.requests), QString::number(t.errors),
        QString::number(t.inputTokens), QString::number(t.outputTokens), QString::number(t.cacheReadTokens),
        QString::number(t.cacheWriteTokens), QString::number(t.reasoningTokens), cost,
        QString::number(t.unpricedRequests), QString::number(t.p50Ms, 'f', 0), QString::number(t.p95Ms, 'f', 0)}
        .join(QLatin1Char(','));
}

QString isoUtc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

// Lives on the writer thread: owns the write connection and the queue's timer.
class UsageWriter : public QObject
{
    Q_OBJECT
public:
    UsageWriter(const QString& path, const QString& connection)
        : m_path(path)
        , m_connection(connection)
    {
    }

    bool openDb(QString* error)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(m_path);
        if (!db.open()) {
            *error = db.lastError().text();
            return false;
        }
        if (!exec(db, QStringLiteral("PRAGMA busy_timeout=5000"), error) || !checkNotNewer(db, error)
            || !configure(db, error) || !migrate(db, error))
            return false;
        m_timer = new QTimer(this);
        m_timer->setInterval(UsageLog::kFlushMs);
        connect(m_timer, &QTimer::timeout, this, &UsageWriter::writeBatch);
        m_timer->start();
        return true;
    }

    void closeDb()
    {
        writeBatch();
        if (m_timer)
            m_timer->stop();
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }

    // Queues a row and returns its ticket (1, 2, 3, ... in queue order). `now` asks for a write at once (group
    // commit: rows queued while a write runs go together in the next one) instead of at the next tick.
    quint64 enqueue(const UsageRow& row, bool now)
    {
        quint64 ticket = 0;
        {
            QMutexLocker lock(&m_mutex);
            m_queue.append(row);
            ticket = ++m_lastTicket;
            now = now || m_queue.size() == UsageLog::kBatchRows;
        }
        if (now && !m_wakeQueued.fetchAndStoreOrdered(1))
            QMetaObject::invokeMethod(this, &UsageWriter::writeBatch, Qt::QueuedConnection);
        return ticket;
    }

    qint64 committedCount() const { return m_committed.loadRelaxed(); }
    quint64 settledTicket() const { return m_settled.loadAcquire(); }

    void writeBatch()
    {
        m_wakeQueued.storeRelease(0);
        QList<UsageRow> batch;
        quint64 lastTicket = 0;
        {
            QMutexLocker lock(&m_mutex);
            batch.swap(m_queue);
            lastTicket = m_lastTicket;
        }
        if (batch.isEmpty())
            return;
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (!db.isOpen() || !db.transaction()) {
            requeue(batch, db.lastError().text(), lastTicket);
            return;
        }
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "INSERT INTO requests (ts_ms, request_id, client, gateway_key, dialect, requested_model, "
            "provider, model, credential, attempts, status, error_type, stream, ttfb_ms, total_ms, input_tokens, "
            "output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(request_id) DO NOTHING"));
        // A null QString binds as SQL NULL; the text columns are NOT NULL.
        const auto text
            = [](const QString& v) { return v.isNull() ? QVariant(QString(QLatin1String(""))) : QVariant(v); };
        int inserted = 0;
        for (const UsageRow& r : std::as_const(batch)) {
            const QVariantList values {r.timeMs, text(r.requestId), text(r.client), text(r.gatewayKey), text(r.dialect),
                text(r.requestedModel), text(r.provider), text(r.model), text(r.credential), text(r.attemptsJson),
                r.status, text(r.errorType), r.stream ? 1 : 0, r.ttfbMs, r.totalMs, r.inputTokens, r.outputTokens,
                r.cacheReadTokens, r.cacheWriteTokens, r.reasoningTokens,
                r.costUsd ? QVariant(*r.costUsd) : QVariant(QMetaType::fromType<double>())};
            for (int i = 0; i < values.size(); ++i)
                q.bindValue(i, values.at(i));
            if (!q.exec()) {
                const QString error = q.lastError().text();
                db.rollback();
                requeue(batch, error, lastTicket);
                return;
            }
            inserted += q.numRowsAffected() > 0 ? 1 : 0; // 0: this request id was logged already
        }
        if (!db.commit()) {
            const QString error = db.lastError().text();
            db.rollback();
            requeue(batch, error, lastTicket);
            return;
        }
        m_committed.fetchAndAddRelaxed(inserted);
        settle(lastTicket);
        Q_EMIT committed(inserted);
    }

Q_SIGNALS:
    void committed(int count);
    void failed(const QString& message);
    void settled(quint64 upToTicket);

private:
    void settle(quint64 upToTicket)
    {
        m_settled.storeRelease(upToTicket);
        Q_EMIT settled(upToTicket);
    }

    // A failed batch stays queued (in order, ahead of newer rows) and is retried on the next tick. Its rows count
    // as settled all the same: clients waiting for them are answered rather than held while the disk is in trouble.
    void requeue(const QList<UsageRow>& batch, const QString& error, quint64 lastTicket)
    {
        {
            QMutexLocker lock(&m_mutex);
            m_queue = batch + m_queue;
        }
        qCWarning(lcUsage).noquote() << "usage write failed, will retry:" << error;
        settle(lastTicket);
        Q_EMIT failed(error);
    }

    QString m_path;
    QString m_connection;
    QTimer* m_timer = nullptr;
    QMutex m_mutex;
    QList<UsageRow> m_queue;
    quint64 m_lastTicket = 0; // under m_mutex
    QAtomicInteger<quint64> m_settled = 0;
    QAtomicInt m_wakeQueued = 0;
    QAtomicInteger<qint64> m_committed = 0;
};

UsageRow UsageRow::fromRecord(const RequestRecord& record, const PriceTable& prices)
{
    UsageRow r;
    r.timeMs = record.startedAt.isValid() ? record.startedAt.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
    r.requestId = record.requestId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : record.requestId;
    r.client = record.client;
    r.gatewayKey = record.gatewayKey;
    r.dialect = record.inboundDialect;
    r.requestedModel = record.clientModel;
    r.provider = record.providerId;
    r.model = record.upstreamModel;
    r.credential = record.credentialId;
    r.attemptsJson = encodeAttempts(record);
    r.status = record.status;
    r.errorType = record.errorType;
    r.stream = record.stream;
    r.ttfbMs = record.firstByteMs;
    r.totalMs = record.totalMs;
    r.inputTokens = record.usage.inputTokens;
    r.outputTokens = record.usage.outputTokens;
    r.cacheReadTokens = record.usage.cacheReadTokens;
    r.cacheWriteTokens = record.usage.cacheWriteTokens;
    r.reasoningTokens = record.usage.reasoningTokens;
    const bool anyTokens = r.inputTokens > 0 || r.outputTokens > 0 || r.cacheReadTokens > 0 || r.cacheWriteTokens > 0;
    if (!anyTokens)
        r.costUsd = 0.0; // nothing was consumed (refused, failed before the upstream answered)
    else
        r.costUsd = prices.cost(r.model.isEmpty() ? r.requestedModel : r.model, r.inputTokens, r.outputTokens,
            r.cacheReadTokens, r.cacheWriteTokens);
    return r;
}

QJsonObject UsageRow::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("id"), double(id));
    o.insert(QLatin1String("time"), isoUtc(timeMs));
    o.insert(QLatin1String("request_id"), requestId);
    o.insert(QLatin1String("client"), client);
    if (!gatewayKey.isEmpty())
        o.insert(QLatin1String("gateway_key"), gatewayKey);
    o.insert(QLatin1String("dialect"), dialect);
    o.insert(QLatin1String("requested_model"), requestedModel);
    o.insert(QLatin1String("provider"), provider);
    o.insert(QLatin1String("model"), model);
    o.insert(QLatin1String("credential"), credential);
    o.insert(QLatin1String("status"), status);
    if (!errorType.isEmpty())
        o.insert(QLatin1String("error_type"), errorType);
    o.insert(QLatin1String("stream"), stream);
    o.insert(QLatin1String("ttfb_ms"), double(ttfbMs));
    o.insert(QLatin1String("total_ms"), double(totalMs));
    o.insert(QLatin1String("input_tokens"), double(inputTokens));
    o.insert(QLatin1String("output_tokens"), double(outputTokens));
    o.insert(QLatin1String("cache_read_tokens"), double(cacheReadTokens));
    o.insert(QLatin1String("cache_write_tokens"), double(cacheWriteTokens));
    o.insert(QLatin1String("reasoning_tokens"), double(reasoningTokens));
    o.insert(QLatin1String("cost_usd"), costUsd ? QJsonValue(*costUsd) : QJsonValue(QJsonValue::Null));
    o.insert(QLatin1String("attempts"), QJsonDocument::fromJson(attemptsJson.toUtf8()).array());
    return o;
}

std::optional<UsageGroup> parseUsageGroup(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t.isEmpty() || t == QLatin1String("none"))
        return UsageGroup::None;
    if (t == QLatin1String("provider"))
        return UsageGroup::Provider;
    if (t == QLatin1String("model"))
        return UsageGroup::Model;
    if (t == QLatin1String("credential") || t == QLatin1String("account"))
        return UsageGroup::Credential;
    if (t == QLatin1String("client"))
        return UsageGroup::Client;
    if (t == QLatin1String("dialect"))
        return UsageGroup::Dialect;
    return std::nullopt;
}

std::optional<UsageBucket> parseUsageBucket(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t.isEmpty() || t == QLatin1String("none"))
        return UsageBucket::None;
    if (t == QLatin1String("hour"))
        return UsageBucket::Hour;
    if (t == QLatin1String("day"))
        return UsageBucket::Day;
    return std::nullopt;
}

QJsonObject UsageReport::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("from"), isoUtc(fromMs));
    o.insert(QLatin1String("to"), isoUtc(toMs));
    o.insert(QLatin1String("prices_date"), pricesDate);
    QJsonObject total = totalsJson(this->total);
    total.remove(QLatin1String("key"));
    o.insert(QLatin1String("total"), total);
    QJsonArray groupsArr;
    for (const UsageTotals& g : groups)
        groupsArr.append(totalsJson(g));
    o.insert(QLatin1String("groups"), groupsArr);
    QJsonArray seriesArr;
    for (const UsagePoint& p : series) {
        QJsonObject point = totalsJson(p.totals);
        point.insert(QLatin1String("bucket"), isoUtc(p.bucketMs));
        seriesArr.append(point);
    }
    o.insert(QLatin1String("series"), seriesArr);
    return o;
}

QByteArray UsageReport::toCsv() const
{
    QStringList lines {QStringLiteral("bucket,key,requests,errors,input_tokens,output_tokens,cache_read_tokens,"
                                      "cache_write_tokens,reasoning_tokens,cost_usd,unpriced_requests,"
                                      "latency_p50_ms,latency_p95_ms")};
    if (!series.isEmpty()) {
        for (const UsagePoint& p : series)
            lines.append(csvLine(isoUtc(p.bucketMs), p.totals));
    } else if (!groups.isEmpty()) {
        for (const UsageTotals& g : groups)
            lines.append(csvLine(QString(), g));
    } else {
        lines.append(csvLine(QString(), total));
    }
    return lines.join(QLatin1Char('\n')).toUtf8() + '\n';
}

UsageLog::UsageLog(QObject* parent)
    : QObject(parent)
    , m_connectionPrefix(QStringLiteral("usage-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_prices = PriceTable::defaults();
}

UsageLog::~UsageLog()
{
    close();
}

bool UsageLog::open(const QString& path, QString* error)
{
    close();
    QString problem;
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(QFileInfo(path).absolutePath());
        return false;
    }
    m_path = path;
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("usage-writer"));
    m_writer = new UsageWriter(path, m_connectionPrefix + QStringLiteral("-w"));
    m_writer->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_writer, &QObject::deleteLater);
    connect(m_writer, &UsageWriter::committed, this, &UsageLog::rowsCommitted);
    connect(m_writer, &UsageWriter::failed, this, &UsageLog::writeFailed);
    connect(m_writer, &UsageWriter::settled, this, &UsageLog::settled, Qt::DirectConnection);
    m_thread->start();
    bool ok = false;
    QMetaObject::invokeMethod(
        m_writer, [&]() { ok = m_writer->openDb(&problem); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        QMetaObject::invokeMethod(
            m_writer, [this]() { m_writer->closeDb(); }, Qt::BlockingQueuedConnection);
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        m_writer = nullptr;
        if (error)
            *error = QStringLiteral("cannot open the usage database %1: %2").arg(path, problem);
        return false;
    }
    qCInfo(lcUsage).noquote() << "usage log:" << path;
    return true;
}

void UsageLog::close()
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(
        m_writer, [this]() { m_writer->closeDb(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_writer = nullptr;
    const QStringList names = QSqlDatabase::connectionNames();
    for (const QString& name : names) {
        if (name.startsWith(m_connectionPrefix + QStringLiteral("-r"))) {
            {
                QSqlDatabase db = QSqlDatabase::database(name, false);
                db.close();
            }
            QSqlDatabase::removeDatabase(name);
        }
    }
}

bool UsageLog::isOpen() const
{
    return m_thread != nullptr;
}

void UsageLog::setPrices(const PriceTable& prices)
{
    QMutexLocker lock(&m_pricesMutex);
    m_prices = prices;
}

PriceTable UsageLog::prices() const
{
    QMutexLocker lock(&m_pricesMutex);
    return m_prices;
}

UsageRow UsageLog::record(const RequestRecord& record, quint64* ticket)
{
    const UsageRow row = UsageRow::fromRecord(record, prices());
    const quint64 t = m_writer ? m_writer->enqueue(row, ticket != nullptr) : 0;
    if (ticket)
        *ticket = t;
    return row;
}

quint64 UsageLog::settledTicket() const
{
    return m_writer ? m_writer->settledTicket() : std::numeric_limits<quint64>::max();
}

void UsageLog::flush()
{
    if (m_writer)
        QMetaObject::invokeMethod(m_writer, &UsageWriter::writeBatch, Qt::BlockingQueuedConnection);
}

qint64 UsageLog::committedRows() const
{
    return m_writer ? m_writer->committedCount() : 0;
}

QString UsageLog::readConnectionName() const
{
    const QString name = m_connectionPrefix + QStringLiteral("-r-")
        + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
    if (!QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(m_path);
        if (db.open()) {
            QString ignored;
            exec(db, QStringLiteral("PRAGMA busy_timeout=5000"), &ignored);
        }
    }
    return name;
}

UsageReport UsageLog::query(const UsageQuery& query) const
{
    UsageReport report;
    report.fromMs = query.fromMs;
    report.toMs = query.toMs;
    report.pricesDate = prices().pricesDate();
    if (!isOpen())
        return report;
    QSqlDatabase db = QSqlDatabase::database(readConnectionName());
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM requests WHERE ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms")
                  .arg(QLatin1String(kColumns)));
    q.addBindValue(query.fromMs);
    q.addBindValue(query.toMs > 0 ? query.toMs : std::numeric_limits<qint64>::max());
    if (!q.exec()) {
        qCWarning(lcUsage).noquote() << "usage query failed:" << q.lastError().text();
        return report;
    }
    Accumulator total;
    QHash<QString, Accumulator> groups;
    std::map<std::pair<qint64, QString>, Accumulator> series;
    const qint64 bucketMs = query.bucket == UsageBucket::Hour ? 3600'000LL
        : query.bucket == UsageBucket::Day                    ? 86'400'000LL
                                                              : 0;
    while (q.next()) {
        const UsageRow r = rowFrom(q);
        total.add(r);
        const QString key = groupValue(r, query.groupBy);
        if (query.groupBy != UsageGroup::None)
            groups[key].add(r);
        if (bucketMs > 0)
            series[{r.timeMs - (r.timeMs % bucketMs), key}].add(r);
    }
    report.total = total.finish(QString());
    for (auto it = groups.begin(); it != groups.end(); ++it)
        report.groups.append(it->finish(it.key()));
    std::sort(report.groups.begin(), report.groups.end(), [](const UsageTotals& a, const UsageTotals& b) {
        if (a.costUsd != b.costUsd)
            return a.costUsd > b.costUsd;
        if (a.requests != b.requests)
            return a.requests > b.requests;
        return a.key < b.key;
    });
    for (auto& [k, acc] : series) {
        UsagePoint p;
        p.bucketMs = k.first;
        p.totals = acc.finish(k.second);
        report.series.append(p);
    }
    return report;
}

QList<UsageRow> UsageLog::recent(int limit, qint64 beforeId) const
{
    QList<UsageRow> rows;
    if (!isOpen())
        return rows;
    QSqlDatabase db = QSqlDatabase::database(readConnectionName());
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT %1 FROM requests %2 ORDER BY id DESC LIMIT ?")
                  .arg(QLatin1String(kColumns), beforeId > 0 ? QStringLiteral("WHERE id < ?") : QString()));
    if (beforeId > 0)
        q.addBindValue(beforeId);
    q.addBindValue(limit);
    if (q.exec()) {
        while (q.next())
            rows.append(rowFrom(q));
    }
    return rows;
}

qint64 UsageLog::prune(int days)
{
    if (!isOpen() || days <= 0)
        return 0;
    QSqlDatabase db = QSqlDatabase::database(readConnectionName());
    QSqlQuery q(db);
    q.prepare(QStringLiteral("DELETE FROM requests WHERE ts_ms < ?"));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch() - qint64(days) * 86'400'000LL);
    if (!q.exec()) {
        qCWarning(lcUsage).noquote() << "usage prune failed:" << q.lastError().text();
        return 0;
    }
    const qint64 removed = q.numRowsAffected();
    if (removed > 0)
        qCInfo(lcUsage) << "pruned" << removed << "usage rows older than" << days << "days";
    return removed;
}

UsageTotals UsageLog::totalsSince(qint64 sinceMs, const QString& gatewayKey) const
{
    UsageTotals t;
    if (!isOpen())
        return t;
    QSqlDatabase db = QSqlDatabase::database(readConnectionName());
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "SELECT COUNT(*), SUM(MAX(input_tokens,0)), SUM(MAX(output_tokens,0)), SUM(MAX(cache_read_tokens,0)), "
        "SUM(MAX(cache_write_tokens,0)), TOTAL(cost_usd), SUM(cost_usd IS NULL), "
        "SUM(status >= 400 OR error_type != '') FROM requests WHERE ts_ms >= ?%1")
                  .arg(gatewayKey.isEmpty() ? QString() : QStringLiteral(" AND gateway_key = ?")));
    q.addBindValue(sinceMs);
    if (!gatewayKey.isEmpty())
        q.addBindValue(gatewayKey);
    if (q.exec() && q.next()) {
        t.key = gatewayKey;
        t.requests = q.value(0).toLongLong();
        t.inputTokens = q.value(1).toLongLong();
        t.outputTokens = q.value(2).toLongLong();
        t.cacheReadTokens = q.value(3).toLongLong();
        t.cacheWriteTokens = q.value(4).toLongLong();
        t.costUsd = q.value(5).toDouble();
        t.unpricedRequests = q.value(6).toLongLong();
        t.errors = q.value(7).toLongLong();
    }
    return t;
}

QString defaultUsageDbPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/usage.sqlite");
}

} // namespace sy

#include "usagelog.moc"
