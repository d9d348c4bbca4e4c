#include "usage/budgetguard.h"

#include "usage/usagelog.h"

#include <QDateTime>

namespace sy {

namespace {
constexpr qint64 kMinuteMs = 60'000;
const QString kGlobal; // the global window's key
} // namespace

BudgetGuard::BudgetGuard(const Clock* clock, QObject* parent)
    : QObject(parent)
    , m_clock(clock)
{
}

void BudgetGuard::setLimits(const LimitsConfig& limits)
{
    const QMutexLocker lock(&m_mutex);
    m_limits = limits;
}

qint64 BudgetGuard::dayStartOf(qint64 ms)
{
    return ms - (ms % 86'400'000LL);
}

qint64 BudgetGuard::monthStartOf(qint64 ms)
{
    const QDate d = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date();
    return QDateTime(QDate(d.year(), d.month(), 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
}

BudgetGuard::Window& BudgetGuard::window(const QString& key)
{
    auto it = m_windows.find(key);
    if (it == m_windows.end()) {
        Window w;
        const qint64 now = m_clock->nowMs();
        w.dayStart = dayStartOf(now);
        w.monthStart = monthStartOf(now);
        it = m_windows.insert(key, w);
    }
    return *it;
}

void BudgetGuard::roll(Window& w, qint64 now) const
{
    while (!w.requests.empty() && w.requests.front() <= now - kMinuteMs)
        w.requests.pop_front();
    while (!w.tokens.empty() && w.tokens.front().first <= now - kMinuteMs) {
        w.tokenSum -= w.tokens.front().second;
        w.tokens.pop_front();
    }
    if (dayStartOf(now) != w.dayStart) {
        w.dayStart = dayStartOf(now);
        w.day = 0;
    }
    if (monthStartOf(now) != w.monthStart) {
        w.monthStart = monthStartOf(now);
        w.month = 0;
    }
}

void BudgetGuard::seedFrom(const UsageLog* log)
{
    const QMutexLocker lock(&m_mutex);
    if (!log)
        return;
    const qint64 now = m_clock->nowMs();
    QStringList keys {kGlobal};
    for (auto it = m_limits.perKey.begin(); it != m_limits.perKey.end(); ++it)
        keys.append(it.key());
    for (const QString& key : keys) {
        const Limits& l = key.isEmpty() ? m_limits.global : m_limits.perKey[key];
        if (l.dailyUsd <= 0 && l.monthlyUsd <= 0)
            continue;
        Window& w = window(key);
        roll(w, now);
        w.day = log->totalsSince(w.dayStart, key).costUsd;
        w.month = log->totalsSince(w.monthStart, key).costUsd;
    }
}

BudgetGuard::Verdict BudgetGuard::check(const QString& scope, Window& w, const Limits& l, qint64 now) const
{
    Verdict v;
    const auto refuse = [&](const QString& code, const QString& message, qint64 retryAtMs) {
        v.allowed = false;
        v.code = code;
        v.message = message;
        v.retryAfterSeconds = int(qMax<qint64>(1, (retryAtMs - now + 999) / 1000));
        return v;
    };
    if (l.requestsPerMinute > 0 && qint64(w.requests.size()) >= l.requestsPerMinute)
        return refuse(QStringLiteral("rate_limit"),
            QStringLiteral("%1 limit of %2 requests per minute reached").arg(scope).arg(l.requestsPerMinute),
            w.requests.front() + kMinuteMs);
    if (l.tokensPerMinute > 0 && w.tokenSum >= l.tokensPerMinute)
        return refuse(QStringLiteral("token_limit"),
            QStringLiteral("%1 limit of %2 tokens per minute reached").arg(scope).arg(l.tokensPerMinute),
            w.tokens.empty() ? now + kMinuteMs : w.tokens.front().first + kMinuteMs);
    if (l.dailyUsd > 0 && w.day >= l.dailyUsd)
        return refuse(QStringLiteral("daily_budget"),
            QStringLiteral("%1 daily budget of $%2 is spent ($%3 today); it resets at 00:00 UTC")
                .arg(scope)
                .arg(l.dailyUsd, 0, 'f', 2)
                .arg(w.day, 0, 'f', 2),
            w.dayStart + 86'400'000LL);
    if (l.monthlyUsd > 0 && w.month >= l.monthlyUsd)
        return refuse(QStringLiteral("monthly_budget"),
            QStringLiteral("%1 monthly budget of $%2 is spent ($%3 this month)")
                .arg(scope)
                .arg(l.monthlyUsd, 0, 'f', 2)
                .arg(w.month, 0, 'f', 2),
            monthStartOf(w.monthStart + 32LL * 86'400'000LL));
    return v;
}

BudgetGuard::Verdict BudgetGuard::admit(const QString& gatewayKey)
{
    const QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    Window& global = window(kGlobal);
    roll(global, now);
    Verdict v = check(QStringLiteral("the gateway's"), global, m_limits.global, now);
    if (!v.allowed)
        return v;
    const auto perKey = m_limits.perKey.constFind(gatewayKey);
    Window* keyed = nullptr;
    if (!gatewayKey.isEmpty() && perKey != m_limits.perKey.constEnd()) {
        keyed = &window(gatewayKey);
        roll(*keyed, now);
        v = check(QStringLiteral("client \"%1\"").arg(gatewayKey), *keyed, *perKey, now);
        if (!v.allowed)
            return v;
    }
    global.requests.push_back(now);
    if (keyed)
        keyed->requests.push_back(now);
    return v;
}

void BudgetGuard::account(const UsageRow& row)
{
    const QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    const qint64 tokens = qMax<qint64>(0, row.inputTokens) + qMax<qint64>(0, row.outputTokens)
        + qMax<qint64>(0, row.cacheReadTokens) + qMax<qint64>(0, row.cacheWriteTokens);
    const double cost = row.costUsd.value_or(0);
    QStringList keys {kGlobal};
    if (!row.gatewayKey.isEmpty())
        keys.append(row.gatewayKey);
    for (const QString& key : keys) {
        Window& w = window(key);
        roll(w, now);
        if (tokens > 0) {
            w.tokens.emplace_back(now, tokens);
            w.tokenSum += tokens;
        }
        w.day += cost;
        w.month += cost;
        const Limits& l = key.isEmpty() ? m_limits.global : m_limits.perKey.value(key);
        warnIfNeeded(
            key.isEmpty() ? QStringLiteral("the gateway") : QStringLiteral("client \"%1\"").arg(key), key, w, l);
    }
}

void BudgetGuard::warnIfNeeded(const QString& scope, const QString& key, const Window& w, const Limits& l)
{
    const auto warn = [&](const char* period, double spent, double cap, qint64 start) {
        if (cap <= 0 || spent < cap * l.warnAt)
            return;
        const QString id = key + QLatin1Char('|') + QLatin1String(period) + QLatin1Char('|') + QString::number(start);
        if (m_warned.contains(id))
            return;
        m_warned.insert(id);
        Q_EMIT warningRaised(QStringLiteral("%1 has used $%2 of its %3 budget of $%4")
                                 .arg(scope)
                                 .arg(spent, 0, 'f', 2)
                                 .arg(QLatin1String(period))
                                 .arg(cap, 0, 'f', 2));
    };
    warn("daily", w.day, l.dailyUsd, w.dayStart);
    warn("monthly", w.month, l.monthlyUsd, w.monthStart);
}

double BudgetGuard::spentToday(const QString& gatewayKey) const
{
    const QMutexLocker lock(&m_mutex);
    const auto it = m_windows.constFind(gatewayKey);
    return it == m_windows.constEnd() || it->dayStart != dayStartOf(m_clock->nowMs()) ? 0 : it->day;
}

double BudgetGuard::spentThisMonth(const QString& gatewayKey) const
{
    const QMutexLocker lock(&m_mutex);
    const auto it = m_windows.constFind(gatewayKey);
    return it == m_windows.constEnd() || it->monthStart != monthStartOf(m_clock->nowMs()) ? 0 : it->month;
}

} // namespace sy
