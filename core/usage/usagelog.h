#pragma once

#include "gateway/requestrecord.h"
#include "usage/pricing.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QThread;

namespace sy {

class UsageWriter;

// One row of the usage log: one client request, failed ones too. Tokens follow the normalized convention of
// PROTOCOLS.md §6.11 (input = uncached input; cache read and cache write apart; output includes reasoning; reasoning
// also on its own when reported). -1 = not reported. Never holds a secret.
struct UsageRow
{
    qint64 id = 0;
    qint64 timeMs = 0; // when the request arrived (epoch ms, UTC)
    QString requestId;
    QString client; // "claude-code", "codex", "gemini-cli", ... or empty
    QString gatewayKey; // id of the gateway key the client used (never the key); empty when none
    QString dialect; // inbound dialect: anthropic, openai-chat, openai-responses, gemini
    QString requestedModel;
    QString provider;
    QString model; // upstream model
    QString credential; // credential or account id, never the secret
    QString attemptsJson; // [{"provider","model","credential","status","outcome","error","ms"}]
    int status = 0;
    QString errorType; // empty on success
    bool stream = false;
    qint64 ttfbMs = -1;
    qint64 totalMs = 0;
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    qint64 cacheReadTokens = -1;
    qint64 cacheWriteTokens = -1;
    qint64 reasoningTokens = -1;
    std::optional<double> costUsd; // nullopt: the model has no price (flagged, never a silent 0)

    static UsageRow fromRecord(const RequestRecord& record, const PriceTable& prices);
    QJsonObject toJson() const; // cost null when unknown
};

// Totals of a group (or of everything) over a time range.
struct UsageTotals
{
    QString key; // the group's value ("" for the overall total)
    qint64 requests = 0;
    qint64 errors = 0; // status >= 400 or an error type
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 cacheReadTokens = 0;
    qint64 cacheWriteTokens = 0;
    qint64 reasoningTokens = 0;
    double costUsd = 0; // sum over priced rows
    qint64 unpricedRequests = 0; // rows whose cost is unknown
    double p50Ms = 0; // total latency percentiles
    double p95Ms = 0;
    double errorRate() const { return requests ? double(errors) / double(requests) : 0; }
    qint64 totalTokens() const { return inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens; }
};

struct UsagePoint
{
    qint64 bucketMs = 0; // start of the hour or day (UTC)
    UsageTotals totals; // totals.key = the group
};

enum class UsageGroup { None, Provider, Model, Credential, Client, Dialect };
enum class UsageBucket { None, Hour, Day };

struct UsageQuery
{
    qint64 fromMs = 0; // inclusive
    qint64 toMs = 0; // exclusive; 0 = now
    UsageGroup groupBy = UsageGroup::None;
    UsageBucket bucket = UsageBucket::None;
};

struct UsageReport
{
    qint64 fromMs = 0; // the query's range (toMs exclusive)
    qint64 toMs = 0;
    QString pricesDate; // date of the prices the costs were computed with
    UsageTotals total;
    QList<UsageTotals> groups; // by cost, then requests (descending)
    QList<UsagePoint> series; // by bucket, then group
    QJsonObject toJson() const; // with "from", "to" (ISO, UTC) and "prices_date"
    QByteArray toCsv() const; // the groups (or the series when bucketed), one line each, with a header line
};

std::optional<UsageGroup> parseUsageGroup(
    const QString& text); // "provider", "model", "credential"/"account", "client", "dialect", ""
std::optional<UsageBucket> parseUsageBucket(const QString& text); // "hour", "day", ""

// The SQLite usage log (QSQLITE, WAL, busy timeout) with a versioned schema and forward migrations.
//
// record() is cheap and thread-safe: rows queue in memory and a writer thread inserts them in batches, one
// transaction per batch, at least every kFlushMs or when kBatchRows are waiting. A caller that must not answer its
// client before the row is on disk asks for a ticket: the writer then writes at once (group commit), and settled()
// reports when every row up to a ticket is committed, so a SIGKILL cannot lose an answered request (WAL commits
// survive the process). close() (and the destructor) writes everything still queued. Each RequestRecord is written
// exactly once. Queries run on the caller's thread with their own connection (WAL lets them read while the writer
// writes).
class UsageLog : public QObject
{
    Q_OBJECT
public:
    static constexpr int kFlushMs = 200;
    static constexpr int kBatchRows = 256;
    static constexpr int kSchemaVersion = 2;

    explicit UsageLog(QObject* parent = nullptr);
    ~UsageLog() override;

    // Opens (creating or migrating) the database at `path`; false with `error` set when it cannot.
    bool open(const QString& path, QString* error = nullptr);
    void close();
    bool isOpen() const;
    QString path() const { return m_path; }

    void setPrices(const PriceTable& prices);
    PriceTable prices() const;

    // Queues one finished request. Returns the row as it will be stored (with its cost). With `ticket`, the row is
    // written at once and *ticket set: settledTicket() >= *ticket (and settled()) once it is committed, or once
    // the write failed (the row stays queued for a retry; nobody should wait on a broken disk).
    UsageRow record(const RequestRecord& record, quint64* ticket = nullptr);
    // Every row up to this ticket has been written (or failed to); the maximum when the log is closed.
    quint64 settledTicket() const;
    // Blocks until every queued row is committed.
    void flush();
    // Rows committed so far by this instance (for tests and status).
    qint64 committedRows() const;

    UsageReport query(const UsageQuery& query) const;
    // The newest rows first (request log), at most `limit`.
    QList<UsageRow> recent(int limit, qint64 beforeId = 0) const;
    // Deletes rows older than `days` days (from now); returns how many.
    qint64 prune(int days);
    // Requests, errors, tokens, spend and unpriced requests since `sinceMs`, optionally for one gateway key
    // (budgets, the tray's "today"); one SQL aggregate, no latency percentiles.
    UsageTotals totalsSince(qint64 sinceMs, const QString& gatewayKey = QString()) const;

Q_SIGNALS:
    // Rows were committed (the dashboard refreshes on this). Emitted on the UsageLog's thread.
    void rowsCommitted(int count);
    void writeFailed(const QString& message);
    // Rows up to `upToTicket` are settled (see record()). Emitted on the writer thread.
    void settled(quint64 upToTicket);

private:
    QString readConnectionName() const;
    QString m_path;
    QString m_connectionPrefix;
    QThread* m_thread = nullptr;
    UsageWriter* m_writer = nullptr;
    mutable QMutex m_pricesMutex;
    PriceTable m_prices;
};

// The default location: <user data dir>/usage.sqlite.
QString defaultUsageDbPath();

} // namespace sy
