#include "accounts/credentialmanager.h"

#include "accounts/ratelimitheaders.h"
#include "common/redact.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QRandomGenerator>

#include <algorithm>

namespace sy {

namespace {

// Per-process salt, so the kept hashes are useless outside this process.
const QByteArray& secretSalt()
{
    static const QByteArray salt = [] {
        QByteArray s(16, Qt::Uninitialized);
        for (char& ch : s)
            ch = char(QRandomGenerator::global()->bounded(256));
        return s;
    }();
    return salt;
}

QByteArray hashSecret(const QString& secret)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(secretSalt());
    h.addData(secret.toUtf8());
    return h.result();
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate); // "…Z"
}

QString strategyName(PoolStrategy s)
{
    switch (s) {
    case PoolStrategy::RoundRobin:
        return QStringLiteral("round-robin");
    case PoolStrategy::FillFirst:
        return QStringLiteral("fill-first");
    case PoolStrategy::LeastUsed:
        return QStringLiteral("least-used");
    case PoolStrategy::Sticky:
        return QStringLiteral("sticky");
    }
    return QString();
}

bool lacksSecret(const Credential& c)
{
    return c.kind == Credential::Kind::ApiKey && c.apiKey.isEmpty();
}

// Provider text can echo request fragments; keep it short and scrub anything that looks like a key or token.
QString sanitizeMessage(const QString& message)
{
    QString m = scrubSecrets(message.simplified(), u"[redacted]");
    if (m.size() > CredentialManager::kMaxMessageChars)
        m = m.left(CredentialManager::kMaxMessageChars - 1) + QChar(0x2026);
    return m;
}

qint64 backoff(qint64 baseMs, int streak, qint64 capMs)
{
    const int shift = qBound(0, streak - 1, 40);
    const qint64 delay = baseMs << shift;
    return delay <= 0 || delay > capMs ? capMs : delay;
}

enum class Effective { None, RateLimited, Unauthorized, Overloaded, ServerError };

// An error status decides; otherwise (0 = no response, 2xx = in-stream error) the caller's kind does.
Effective classify(FailureKind kind, int httpStatus)
{
    if (httpStatus >= 400) {
        if (httpStatus == 429)
            return Effective::RateLimited;
        if (httpStatus == 401 || httpStatus == 403)
            return Effective::Unauthorized;
        if (httpStatus == 503 || httpStatus == 529)
            return Effective::Overloaded;
        if (httpStatus >= 500)
            return Effective::ServerError;
        return Effective::None; // client errors never cool a credential
    }
    switch (kind) {
    case FailureKind::RateLimited:
        return Effective::RateLimited;
    case FailureKind::Unauthorized:
        return Effective::Unauthorized;
    case FailureKind::Overloaded:
        return Effective::Overloaded;
    case FailureKind::ServerError:
    case FailureKind::Network:
        return Effective::ServerError;
    }
    return Effective::None;
}

QString failureLabel(FailureKind kind, int httpStatus)
{
    if (httpStatus >= 400)
        return QString::number(httpStatus);
    switch (kind) {
    case FailureKind::RateLimited:
        return QStringLiteral("rate limited");
    case FailureKind::Unauthorized:
        return QStringLiteral("unauthorized");
    case FailureKind::Overloaded:
        return QStringLiteral("overloaded");
    case FailureKind::ServerError:
        return QStringLiteral("server error");
    case FailureKind::Network:
        return QStringLiteral("network error");
    }
    return QString();
}

} // namespace

CredentialManager::CredentialManager(const Clock* clock)
    : m_clock(clock ? clock : &systemClock())
{
}

CredentialManager::CredState CredentialManager::makeState(const Credential& credential)
{
    CredState s;
    s.id = credential.id;
    s.label = credential.label;
    s.kind = credential.kind;
    s.secretHash = hashSecret(credential.apiKey);
    registerSecret(credential.apiKey);
    s.missingSecret = lacksSecret(credential);
    return s;
}

bool CredentialManager::sameCredentials(const ProviderState& state, const ProviderConfig& provider)
{
    if (state.creds.size() != provider.credentials.size())
        return false;
    for (qsizetype i = 0; i < state.creds.size(); ++i) {
        if (state.creds.at(i).id != provider.credentials.at(i).id)
            return false;
    }
    return true;
}

void CredentialManager::reconcile(ProviderState* state, const ProviderConfig& provider)
{
    state->id = provider.id;
    state->kind = provider.kind;
    state->strategy = provider.strategy;
    const QString lastPickedId = state->lastPicked >= 0 && state->lastPicked < state->creds.size()
        ? state->creds.at(state->lastPicked).id
        : QString();
    QList<CredState> next;
    next.reserve(provider.credentials.size());
    for (const Credential& c : provider.credentials) {
        CredState fresh = makeState(c);
        auto old = std::find_if(state->creds.begin(), state->creds.end(),
            [&](const CredState& s) { return s.id == fresh.id && s.secretHash == fresh.secretHash; });
        if (old != state->creds.end()) {
            old->label = fresh.label;
            old->kind = fresh.kind;
            old->missingSecret = fresh.missingSecret;
            next.append(std::move(*old));
        } else {
            next.append(std::move(fresh));
        }
    }
    state->creds = std::move(next);
    state->lastPicked = -1;
    for (qsizetype i = 0; i < state->creds.size(); ++i) {
        if (state->creds.at(i).id == lastPickedId)
            state->lastPicked = int(i);
    }
}

void CredentialManager::setConfig(const Config& config)
{
    const QMutexLocker lock(&m_mutex);
    QList<ProviderState> next;
    next.reserve(config.providers.size());
    for (const ProviderConfig& provider : config.providers) {
        auto old = std::find_if(
            m_providers.begin(), m_providers.end(), [&](const ProviderState& p) { return p.id == provider.id; });
        ProviderState state;
        if (old != m_providers.end())
            state = std::move(*old);
        reconcile(&state, provider);
        next.append(std::move(state));
    }
    m_providers = std::move(next);
}

CredentialManager::ProviderState* CredentialManager::providerState(const ProviderConfig& provider)
{
    for (ProviderState& p : m_providers) {
        if (p.id == provider.id) {
            if (!sameCredentials(p, provider))
                reconcile(&p, provider);
            return &p;
        }
    }
    ProviderState fresh;
    reconcile(&fresh, provider);
    m_providers.append(std::move(fresh));
    return &m_providers.last();
}

CredentialManager::CredState* CredentialManager::credState(const QString& providerId, int index)
{
    for (ProviderState& p : m_providers) {
        if (p.id == providerId)
            return index >= 0 && index < p.creds.size() ? &p.creds[index] : nullptr;
    }
    return nullptr;
}

bool CredentialManager::isReady(const CredState& c, const QString& model, qint64 now) const
{
    if (c.invalid || c.missingSecret)
        return false;
    const auto it = c.models.constFind(model);
    return it == c.models.constEnd() || it->cooldownUntil <= now;
}

int CredentialManager::pickRoundRobin(ProviderState* p, const QList<int>& tier, const QString& model, qint64 now)
{
    const qsizetype start = tier.indexOf(p->lastPicked) + 1; // 0 when the cursor is outside this tier
    for (qsizetype k = 0; k < tier.size(); ++k) {
        const int i = tier.at((start + k) % tier.size());
        if (isReady(p->creds.at(i), model, now)) {
            p->lastPicked = i;
            return i;
        }
    }
    return -1;
}

int CredentialManager::pickLeastUsed(
    const ProviderState* p, const QList<int>& tier, const QString& model, qint64 now) const
{
    int best = -1;
    for (int i : tier) {
        const CredState& c = p->creds.at(i);
        if (!isReady(c, model, now))
            continue;
        if (best < 0)
            best = i;
        const CredState& b = p->creds.at(best);
        if (c.inFlight < b.inFlight || (c.inFlight == b.inFlight && c.uses < b.uses))
            best = i;
    }
    return best;
}

void CredentialManager::bindAffinity(ProviderState* p, const QString& key, const QString& credentialId)
{
    auto it = p->affinity.find(key);
    if (it != p->affinity.end())
        p->affinityOrder.erase(it->seq);
    const quint64 seq = ++p->affinitySeq;
    p->affinity.insert(key, AffinityEntry {credentialId, seq});
    p->affinityOrder.emplace(seq, key);
    while (p->affinity.size() > kMaxAffinityEntries && !p->affinityOrder.empty()) {
        auto oldest = p->affinityOrder.begin();
        p->affinity.remove(oldest->second);
        p->affinityOrder.erase(oldest);
    }
}

CredentialManager::Pick CredentialManager::pick(
    const ProviderConfig& provider, const QString& model, const QString& affinityKey, CredentialPriority priority)
{
    const QMutexLocker lock(&m_mutex);
    if (provider.credentials.isEmpty())
        return Pick {-2, QString()};
    ProviderState* p = providerState(provider);
    const qint64 now = m_clock->nowMs();

    // Tiers by priority; the caller's view of kinds and secrets wins over what setConfig saw.
    QList<int> tiers[2];
    for (int i = 0; i < provider.credentials.size(); ++i) {
        const Credential& c = provider.credentials.at(i);
        p->creds[i].kind = c.kind;
        p->creds[i].missingSecret = lacksSecret(c);
        const bool account = c.kind == Credential::Kind::Account;
        const bool first = (priority == CredentialPriority::AccountsFirst) == account;
        tiers[first ? 0 : 1].append(i);
    }

    for (const QList<int>& tier : tiers) {
        const bool anyReady
            = std::any_of(tier.begin(), tier.end(), [&](int i) { return isReady(p->creds.at(i), model, now); });
        if (!anyReady)
            continue;
        int chosen = -1;
        switch (provider.strategy) {
        case PoolStrategy::FillFirst:
            chosen
                = *std::find_if(tier.begin(), tier.end(), [&](int i) { return isReady(p->creds.at(i), model, now); });
            break;
        case PoolStrategy::LeastUsed:
            chosen = pickLeastUsed(p, tier, model, now);
            break;
        case PoolStrategy::Sticky:
            if (!affinityKey.isEmpty()) {
                const auto it = p->affinity.constFind(affinityKey);
                if (it != p->affinity.constEnd()) {
                    for (int i : tier) {
                        if (p->creds.at(i).id == it->credentialId && isReady(p->creds.at(i), model, now))
                            chosen = i;
                    }
                }
                if (chosen < 0)
                    chosen = pickLeastUsed(p, tier, model, now);
                bindAffinity(p, affinityKey, p->creds.at(chosen).id);
                break;
            }
            chosen = pickRoundRobin(p, tier, model, now);
            break;
        case PoolStrategy::RoundRobin:
            chosen = pickRoundRobin(p, tier, model, now);
            break;
        }
        if (chosen >= 0)
            return Pick {chosen, p->creds.at(chosen).id};
    }
    return Pick {};
}

void CredentialManager::requestStarted(const QString& providerId, int index)
{
    const QMutexLocker lock(&m_mutex);
    if (CredState* c = credState(providerId, index)) {
        ++c->inFlight;
        ++c->uses;
    }
}

void CredentialManager::requestFinished(const QString& providerId, int index)
{
    const QMutexLocker lock(&m_mutex);
    if (CredState* c = credState(providerId, index))
        c->inFlight = qMax(0, c->inFlight - 1);
}

void CredentialManager::reportSuccess(const QString& providerId, int index, const QString& model)
{
    const QMutexLocker lock(&m_mutex);
    CredState* c = credState(providerId, index);
    if (!c)
        return;
    const auto it = c->models.find(model);
    // A success while cooling comes from a request that started before the cooldown: it says nothing about now.
    if (it != c->models.end() && it->cooldownUntil <= m_clock->nowMs())
        c->models.erase(it);
}

qint64 CredentialManager::reportFailure(const QString& providerId, int index, const QString& model, FailureKind kind,
    int httpStatus, const HeaderList& headers, const QByteArray& body, const QString& message)
{
    const QMutexLocker lock(&m_mutex);
    Effective effective = classify(kind, httpStatus);
    if (effective == Effective::None)
        return 0;
    ProviderState* p = nullptr;
    for (ProviderState& candidate : m_providers) {
        if (candidate.id == providerId)
            p = &candidate;
    }
    if (!p || index < 0 || index >= p->creds.size())
        return 0;
    CredState& c = p->creds[index];
    const qint64 now = m_clock->nowMs();

    c.lastError = LastError {httpStatus >= 400 ? httpStatus : 0, sanitizeMessage(message), now};
    p->recentStatuses.prepend(
        QString(c.id + QStringLiteral(": ") + failureLabel(kind, httpStatus) + QStringLiteral(" at ") + isoTime(now)));
    while (p->recentStatuses.size() > kMaxRecentStatuses)
        p->recentStatuses.removeLast();

    if (effective == Effective::Unauthorized) {
        if (c.kind == Credential::Kind::ApiKey) {
            c.invalid = true;
            return 0;
        }
        // An account's token is refreshed by the AccountManager (which drops the account from the pool when the
        // provider refuses the refresh): cool it like a server error meanwhile.
        effective = Effective::ServerError;
    }

    ModelState& m = c.models[model];
    const bool alreadyCooling = m.cooldownUntil > now;
    const qint64 hinted = retryDelayMs(headers, body, now);
    if (alreadyCooling && hinted < 0)
        return m.cooldownUntil - now; // same burst, nothing new: keep the cooldown as it is
    qint64 delay = 0;
    switch (effective) {
    case Effective::RateLimited:
        if (!alreadyCooling)
            ++m.rateLimitStreak;
        delay = hinted >= 0 ? hinted : backoff(kRateLimitBaseMs, m.rateLimitStreak, kRateLimitCapMs);
        break;
    case Effective::Overloaded:
        if (!alreadyCooling)
            ++m.overloadStreak;
        delay = hinted >= 0 ? qMin(hinted, kOverloadCapMs) : backoff(kOverloadBaseMs, m.overloadStreak, kOverloadCapMs);
        break;
    case Effective::ServerError:
        if (!alreadyCooling)
            ++m.serverErrorStreak;
        delay = hinted >= 0 ? qMin(hinted, kServerErrorCapMs)
                            : backoff(kServerErrorBaseMs, m.serverErrorStreak, kServerErrorCapMs);
        break;
    case Effective::None:
    case Effective::Unauthorized:
        break;
    }
    delay = qMax(delay, kRateLimitMinMs);
    m.cooldownUntil = qMax(m.cooldownUntil, now + delay);
    return m.cooldownUntil - now;
}

CredentialManager::Availability CredentialManager::availability(
    const ProviderConfig& provider, const QString& model) const
{
    const QMutexLocker lock(&m_mutex);
    Availability a;
    a.total = int(provider.credentials.size());
    const ProviderState* p = nullptr;
    for (const ProviderState& candidate : m_providers) {
        if (candidate.id == provider.id)
            p = &candidate;
    }
    const qint64 now = m_clock->nowMs();
    for (int i = 0; i < provider.credentials.size(); ++i) {
        const Credential& cred = provider.credentials.at(i);
        const CredState* c = nullptr;
        if (p) {
            if (i < p->creds.size() && p->creds.at(i).id == cred.id) {
                c = &p->creds.at(i);
            } else {
                for (const CredState& s : p->creds) {
                    if (s.id == cred.id)
                        c = &s;
                }
            }
        }
        if (lacksSecret(cred) || (c && c->invalid)) {
            ++a.invalid;
            continue;
        }
        const qint64 until = c ? c->models.value(model).cooldownUntil : 0;
        if (until > now) {
            ++a.cooling;
            a.soonestRecoveryMs = a.soonestRecoveryMs < 0 ? until : qMin(a.soonestRecoveryMs, until);
        } else {
            ++a.ready;
        }
    }
    if (p)
        a.recentStatuses = p->recentStatuses;
    return a;
}

QJsonObject CredentialManager::status() const
{
    const QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock->nowMs();
    QJsonArray providers;
    for (const ProviderState& p : m_providers) {
        QJsonArray creds;
        for (const CredState& c : p.creds) {
            QJsonObject o;
            o.insert(QLatin1String("id"), c.id);
            o.insert(QLatin1String("label"), c.label);
            o.insert(QLatin1String("kind"),
                c.kind == Credential::Kind::Account ? QStringLiteral("account") : QStringLiteral("api-key"));
            QJsonObject models;
            qint64 latest = 0;
            for (auto it = c.models.constBegin(); it != c.models.constEnd(); ++it) {
                if (it->cooldownUntil > now) {
                    models.insert(it.key(), isoTime(it->cooldownUntil));
                    latest = qMax(latest, it->cooldownUntil);
                }
            }
            QString state = QStringLiteral("ready");
            if (c.missingSecret)
                state = QStringLiteral("missing-secret");
            else if (c.invalid)
                state = QStringLiteral("invalid");
            else if (latest > now)
                state = QStringLiteral("cooling");
            o.insert(QLatin1String("state"), state);
            if (latest > now) {
                o.insert(QLatin1String("cooldown_until"), isoTime(latest));
                o.insert(QLatin1String("cooldown_remaining_ms"), double(latest - now));
                o.insert(QLatin1String("models"), models);
            }
            o.insert(QLatin1String("in_flight"), c.inFlight);
            o.insert(QLatin1String("uses"), double(c.uses));
            if (c.lastError.status >= 0) {
                QJsonObject e;
                e.insert(QLatin1String("status"), c.lastError.status);
                e.insert(QLatin1String("message"), c.lastError.message);
                e.insert(QLatin1String("at"), isoTime(c.lastError.atMs));
                o.insert(QLatin1String("last_error"), e);
            }
            creds.append(o);
        }
        QJsonObject po;
        po.insert(QLatin1String("id"), p.id);
        po.insert(QLatin1String("kind"), providerKindName(p.kind));
        po.insert(QLatin1String("strategy"), strategyName(p.strategy));
        po.insert(QLatin1String("credentials"), creds);
        providers.append(po);
    }
    QJsonObject root;
    root.insert(QLatin1String("providers"), providers);
    return root;
}

} // namespace sy
