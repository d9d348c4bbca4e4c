#pragma once

#include "common/clock.h"
#include "config/config.h"

#include <QRecursiveMutex>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

#include <deque>

namespace sy {

class UsageLog;
struct UsageRow;

// Enforces the config's limits, globally and per gateway key: requests and tokens per minute (sliding 60 s windows
// in memory) and daily and monthly spend caps (UTC days and months, seeded from the usage log at start and kept up
// to date from every logged row). Crossing a cap's warn_at fraction emits warningRaised() once per period.
// Thread-safe: the gateway's worker threads share one guard.
class BudgetGuard : public QObject
{
    Q_OBJECT
public:
    explicit BudgetGuard(const Clock* clock, QObject* parent = nullptr);

    void setLimits(const LimitsConfig& limits);
    // Seeds today's and this month's spend from the log (call after opening it; cheap when no caps are set).
    void seedFrom(const UsageLog* log);

    struct Verdict
    {
        bool allowed = true;
        QString message; // why not, for the client
        int retryAfterSeconds = 0;
        QString code; // "rate_limit", "token_limit", "daily_budget", "monthly_budget"
    };
    // May a request from `gatewayKey` ("" = no key) start now? Counts it when allowed.
    Verdict admit(const QString& gatewayKey);
    // A finished request's tokens and cost (from the usage row).
    void account(const UsageRow& row);

    double spentToday(const QString& gatewayKey = QString()) const;
    double spentThisMonth(const QString& gatewayKey = QString()) const;

Q_SIGNALS:
    void warningRaised(const QString& message);

private:
    // Exchanges on every worker thread share this object; each public method holds the lock throughout.
    mutable QRecursiveMutex m_mutex;
    struct Window
    {
        std::deque<qint64> requests; // admission times
        std::deque<std::pair<qint64, qint64>> tokens; // (time, tokens)
        qint64 tokenSum = 0;
        double day = 0;
        double month = 0;
        qint64 dayStart = 0;
        qint64 monthStart = 0;
    };
    Window& window(const QString& key);
    void roll(Window& w, qint64 now) const;
    Verdict check(const QString& scope, Window& w, const Limits& l, qint64 now) const;
    void warnIfNeeded(const QString& scope, const QString& key, const Window& w, const Limits& l);
    static qint64 dayStartOf(qint64 ms);
    static qint64 monthStartOf(qint64 ms);

    const Clock* m_clock;
    LimitsConfig m_limits;
    QHash<QString, Window> m_windows; // "" = global; else the gateway key id
    QSet<QString> m_warned; // "key|daily|<dayStart>" ...
};

} // namespace sy
