#pragma once

#include "common/clock.h"
#include "config/config.h"
#include "upstream/upstreamclient.h"

#include <QRecursiveMutex>
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <map>

namespace sy {

enum class FailureKind {
    RateLimited, // 429
    Unauthorized, // 401, 403
    Overloaded, // 529, 503
    ServerError, // other 5xx
    Network, // connect/reset/timeout before a response
};

// Credential pools and cooldowns. Pure bookkeeping: no I/O, time from the injected clock. Thread-safe (one lock).
//
// State is kept per credential (invalid, in-flight, uses, last error) and per credential+model (cooldown).
//
// Cooldown rules (reportFailure). The HTTP status, when it is an error status, decides the kind; FailureKind is used
// for status 0 (no response) and for in-stream errors reported with a 2xx status.
//  - 429: cool the credential+model for retryDelayMs() (Retry-After & co) when the upstream says, else an exponential
//    backoff of kRateLimitBaseMs doubling per consecutive 429 of that credential+model, capped at kRateLimitCapMs;
//    never less than kRateLimitMinMs.
//  - 401/403: the whole credential is invalid until setConfig() sees its secret (or id) change.
//  - 529/503 (overloaded): kOverloadBaseMs doubling to kOverloadCapMs; its own counter, so an overload never escalates
//    the quota (429) backoff. A Retry-After is honoured up to the cap.
//  - other 5xx and network errors: kServerErrorBaseMs doubling to kServerErrorCapMs (Retry-After honoured up to the
//  cap).
//  - other 4xx (400, 404, 408, 413, 422, ...): no state change at all; the request was at fault, not the credential.
// A failure that arrives while the credential+model is already cooling (concurrent requests of the same burst)
// never escalates the backoff; it may only lengthen the cooldown when the upstream names a later time.
// reportSuccess() clears the credential+model cooldown and all its backoff counters.
class CredentialManager
{
public:
    static constexpr qint64 kRateLimitBaseMs = 1000;
    static constexpr qint64 kRateLimitCapMs = 30LL * 60 * 1000;
    static constexpr qint64 kRateLimitMinMs = 1000;
    static constexpr qint64 kOverloadBaseMs = 5000;
    static constexpr qint64 kOverloadCapMs = 60'000;
    static constexpr qint64 kServerErrorBaseMs = 2000;
    static constexpr qint64 kServerErrorCapMs = 30'000;
    static constexpr int kMaxAffinityEntries = 10'000; // per provider; least recently used evicted first
    static constexpr int kMaxRecentStatuses = 10; // per provider
    static constexpr int kMaxMessageChars = 300;

    explicit CredentialManager(const Clock* clock);

    // New config: state is kept for credentials whose (provider id, credential id, secret) are unchanged; a
    // credential marked invalid becomes usable again when its secret or id changes. Only a hash of the secret is kept.
    void setConfig(const Config& config);

    struct Pick
    {
        int index = -1; // into provider.credentials; -1: none ready; -2: provider has no pool (client's key forwarded)
        QString credentialId;
    };
    // A ready credential of `provider` for `model`, per the provider's strategy. `priority` puts Account credentials
    // before (accounts-first) or after (keys-first) API keys: the strategy runs within the first tier that has a ready
    // credential. `affinityKey` feeds `sticky` (empty: round-robin); a sticky binding holds while its credential is
    // ready and in the best ready tier, else it is re-bound to the least-used ready credential.
    // ApiKey credentials with an empty key (unset env var) are never picked (counted as invalid). Account credentials
    // get their token at request time, so their apiKey may be empty.
    Pick pick(
        const ProviderConfig& provider, const QString& model, const QString& affinityKey, CredentialPriority priority);

    void requestStarted(const QString& providerId, int index); // in-flight and total uses (least-used)
    void requestFinished(const QString& providerId, int index);
    void reportSuccess(const QString& providerId, int index, const QString& model);
    // Applies the cooldown rules above; returns the cooldown now in force for that credential+model in ms (0 if
    // none, including 401/403 which invalidate instead and ignored client errors).
    qint64 reportFailure(const QString& providerId, int index, const QString& model, FailureKind kind, int httpStatus,
        const HeaderList& headers, const QByteArray& body, const QString& message);

    struct Availability
    {
        int total = 0;
        int ready = 0;
        int cooling = 0;
        int invalid = 0; // invalid (401/403) or missing secret
        qint64 soonestRecoveryMs = -1; // absolute epoch ms, among cooling
        QStringList recentStatuses; // "mock#1: 429 at 2026-11-21T19:00:00Z", newest first, at most 10
    };
    Availability availability(const ProviderConfig& provider, const QString& model) const;

    // {"providers":[{"id","kind","strategy","credentials":[{"id","label","kind","state","cooldown_until",
    //   "cooldown_remaining_ms","models":{"m":"<iso>"},"in_flight","uses","last_error":{"status","message","at"}}]}]}
    // state: ready | cooling | invalid | missing-secret. cooldown_until (when any model is cooling) is when the last
    // model cooldown ends; "models" lists each cooling model. Never contains secrets.
    QJsonObject status() const;

private:
    // Exchanges on every worker thread share this object; each public method holds the lock throughout.
    mutable QRecursiveMutex m_mutex;
    struct ModelState
    {
        qint64 cooldownUntil = 0;
        int rateLimitStreak = 0;
        int overloadStreak = 0;
        int serverErrorStreak = 0;
    };
    struct LastError
    {
        int status = -1; // -1: none; 0: network
        QString message;
        qint64 atMs = 0;
    };
    struct CredState
    {
        QString id;
        QString label;
        Credential::Kind kind = Credential::Kind::ApiKey;
        QByteArray secretHash;
        bool missingSecret = false;
        bool invalid = false;
        int inFlight = 0;
        qint64 uses = 0;
        QHash<QString, ModelState> models;
        LastError lastError;
    };
    struct AffinityEntry
    {
        QString credentialId;
        quint64 seq = 0; // key into affinityOrder
    };
    struct ProviderState
    {
        QString id;
        ProviderKind kind = ProviderKind::OpenAiChat;
        PoolStrategy strategy = PoolStrategy::RoundRobin;
        QList<CredState> creds; // aligned with ProviderConfig::credentials
        int lastPicked = -1; // round-robin cursor (credential index)
        QHash<QString, AffinityEntry> affinity;
        std::map<quint64, QString> affinityOrder; // use sequence -> key; begin() is the least recently used
        quint64 affinitySeq = 0;
        QStringList recentStatuses;
    };

    static CredState makeState(const Credential& credential);
    static bool sameCredentials(const ProviderState& state, const ProviderConfig& provider);
    static void reconcile(ProviderState* state, const ProviderConfig& provider);
    ProviderState* providerState(const ProviderConfig& provider);
    CredState* credState(const QString& providerId, int index);
    bool isReady(const CredState& c, const QString& model, qint64 now) const;
    int pickRoundRobin(ProviderState* p, const QList<int>& tier, const QString& model, qint64 now);
    int pickLeastUsed(const ProviderState* p, const QList<int>& tier, const QString& model, qint64 now) const;
    void bindAffinity(ProviderState* p, const QString& key, const QString& credentialId);

    const Clock* m_clock;
    QList<ProviderState> m_providers;
};

} // namespace sy
