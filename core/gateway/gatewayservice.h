#pragma once

#include "common/clock.h"
#include "config/config.h"
#include "gateway/exchange.h"
#include "gateway/requestrecord.h"

#include <QHash>
#include <QMutex>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <atomic>
#include <functional>
#include <memory>

namespace sy {

class HttpServer;
class CredentialManager;
class AccountManager;
class SecretStore;
class UsageLog;
class BudgetGuard;
class UpstreamClient;

// The one object ui/ and app/ talk to: holds the config, runs the local server and the upstream client, and
// reports state and finished requests as signals. Never opens windows.
class GatewayService : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayService)
public:
    explicit GatewayService(QObject* parent = nullptr);
    ~GatewayService() override;

    // The config as written; the gateway runs it with stored secrets filled in and OAuth accounts joined to the
    // pools (config() returns that effective config).
    void setConfig(const Config& config);
    // OAuth accounts (may be null); the pools follow its accountsChanged().
    void setAccounts(AccountManager* accounts);
    // Where "keychain:ID" API keys are read from (may be null).
    void setSecretStore(SecretStore* store);

    // Where the secret store and the accounts live. storeMode: "auto" (the keychain, else the 0600 file),
    // "keychain", "file" or "memory".
    struct StorageSetup
    {
        QString dataDir; // accounts.json
        QString configDir; // secrets.json (the file fallback)
        QString keychainService = QStringLiteral("switchyard");
        QString storeMode = QStringLiteral("auto");
        QHash<QString, QString> environment; // SWITCHYARD_SECRET_* overrides
    };
    // The default setup: the user's data and config dirs; SWITCHYARD_SECRET_STORE and SWITCHYARD_KEYCHAIN_SERVICE
    // from the environment override the store mode and the keychain service.
    static StorageSetup defaultStorage();
    // Opens the secret store and loads the OAuth accounts, then joins them to the pools. `done` gets a warning for
    // people when secrets are kept in the file fallback (empty otherwise) and an error when accounts failed to load.
    void openStorage(const StorageSetup& setup, std::function<void(const QString& warning, const QString& error)> done);
    // The warning about where secrets are kept, when they are not in a keychain; empty otherwise.
    QString storageWarning() const { return m_storageWarning; }
    AccountManager* accounts() const;
    // The SQLite usage log (every finished request, failed ones too, once). Open it before start() to log from the
    // first request; prices and retention follow the config.
    bool openUsageLog(const QString& path, QString* error = nullptr);
    UsageLog* usageLog() const;
    BudgetGuard* budget() const { return m_budget.get(); }
    // Deletes usage rows older than the config's retention (also done hourly while the log is open).
    void pruneUsage();
    SecretStore* secretStore() const;
    // Time source for cooldowns (tests inject one); the system clock by default.
    void setClock(const Clock* clock) { m_clockProxy.target = clock; }
    CredentialManager* credentials() const { return m_credentials.get(); }
    const Config& config() const { return *m_config; }
    // Listen address override (e.g. from --listen); applies to the next start().
    void setListenOverride(const QHostAddress& address, quint16 port);

    bool start(QString* errorMessage = nullptr);
    void stop();
    bool isRunning() const;
    quint16 port() const;
    QHostAddress address() const;
    int activeRequests() const { return m_active; }
    qint64 completedRequests() const { return m_completed; }
    // Threads serving client connections while running (0: all on this object's thread).
    int workerThreads() const;
    void setKeepAliveInterval(int ms) { m_keepAliveMs = ms; }

Q_SIGNALS:
    void runningChanged(bool running);
    void requestCompleted(const sy::RequestRecord& record);
    void errorOccurred(const QString& message);
    // Secrets are kept unencrypted in the file fallback (no keyring answered), or an account needs attention.
    void warningRaised(const QString& message);

private:
    void handleRequest(const struct HttpRequest& request, class HttpResponder* responder);
    // The upstream client of the calling thread (each worker thread has its own network managers).
    UpstreamClient* upstreamForCurrentThread();
    // Logs a finished request (usage log, budgets) on the caller's thread; see GatewayEnvironment::logFinished.
    quint64 logFinished(const RequestRecord& record, bool durable);
    void applyEffectiveConfig();
    void loadStoredSecrets();

    Config m_baseConfig;
    QPointer<AccountManager> m_accounts;
    QPointer<SecretStore> m_secrets;
    std::unique_ptr<UsageLog> m_usage;
    std::unique_ptr<BudgetGuard> m_budget;
    QString m_seededLimits; // the spend caps the budget was last seeded for
    QJsonObject m_appliedOauth; // the "oauth" overrides the accounts' providers were built from
    class QTimer* m_pruneTimer = nullptr;
    class QTimer* m_trimTimer = nullptr;
    std::unique_ptr<SecretStore> m_ownedSecrets;
    QString m_storageWarning;
    std::unique_ptr<AccountManager> m_ownedAccounts;
    class QNetworkAccessManager* m_oauthNam = nullptr;
    QHash<QString, QString> m_secretCache; // "apikey:ID" -> key, read from the secret store or the environment
    QSet<QString> m_secretReads; // keys being read
    // Replaced as a whole on reload; worker threads copy the pointers under m_envMutex.
    std::shared_ptr<Config> m_config;
    std::shared_ptr<Router> m_router;
    mutable QMutex m_envMutex;
    QMutex m_upstreamMutex;
    QHash<QThread*, UpstreamClient*> m_threadUpstreams;
    struct ForwardingClock : Clock
    {
        const Clock* target = &systemClock();
        qint64 nowMs() const override { return target->nowMs(); }
    };
    ForwardingClock m_clockProxy;
    std::unique_ptr<CredentialManager> m_credentials;
    UpstreamClient* m_upstream = nullptr;
    std::unique_ptr<HttpServer> m_server;
    bool m_hasOverride = false;
    QHostAddress m_overrideAddress;
    QHostAddress m_listenAddress; // while running
    quint16 m_overridePort = 0;
    std::atomic<int> m_active = 0;
    std::atomic<qint64> m_completed = 0;
    int m_keepAliveMs = 10000;
};

} // namespace sy
