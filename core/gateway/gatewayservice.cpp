#include "gatewayservice.h"

#include "accounts/accountmanager.h"
#include "accounts/accountpool.h"
#include "accounts/credentialmanager.h"
#include "oauth/oauthprovider.h"
#include "secrets/filesecretstore.h"
#include "secrets/secretstore.h"
#include "secrets/secretstorefactory.h"
#include "common/logging.h"
#include "common/redact.h"
#include "gateway/inboundadapter.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "server/httpserver.h"
#include "upstream/upstreamclient.h"
#include "usage/budgetguard.h"
#include "usage/usagelog.h"

#include <QNetworkAccessManager>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

namespace sy {

namespace {

// The error type of an answer the HTTP server gives itself (see HttpRejection), in answers and in the usage log.
canon::ErrorType serverErrorType(int status)
{
    switch (status) {
    case 408:
        return canon::ErrorType::Timeout;
    case 413:
        return canon::ErrorType::RequestTooLarge;
    case 429:
        return canon::ErrorType::RateLimit;
    default:
        return canon::ErrorType::InvalidRequest;
    }
}

void releaseFreeHeapMemory()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace

GatewayService::GatewayService(QObject* parent)
    : QObject(parent)
    , m_config(std::make_shared<Config>())
    , m_router(std::make_shared<Router>(m_config.get()))
    , m_credentials(std::make_unique<CredentialManager>(&m_clockProxy))
    , m_upstream(new UpstreamClient(this))
{
    m_budget = std::make_unique<BudgetGuard>(&m_clockProxy);
    // After a burst of requests the allocator keeps its high-water mark (one heap per thread); give it back once
    // the gateway has been idle a moment.
    m_trimTimer = new QTimer(this);
    m_trimTimer->setSingleShot(true);
    m_trimTimer->setInterval(2000);
    connect(m_trimTimer, &QTimer::timeout, this, [this] {
        if (m_active == 0)
            releaseFreeHeapMemory();
    });
    connect(m_budget.get(), &BudgetGuard::warningRaised, this, &GatewayService::warningRaised);
    qRegisterMetaType<sy::RequestRecord>();
}

GatewayService::~GatewayService()
{
    stop();
    if (m_usage)
        m_usage->close(); // everything queued is written
    if (m_accounts)
        m_accounts->disconnect(this);
}

bool GatewayService::openUsageLog(const QString& path, QString* error)
{
    auto log = std::make_unique<UsageLog>();
    if (!log->open(path, error))
        return false;
    m_usage = std::move(log);
    m_seededLimits.clear();
    applyEffectiveConfig();
    if (!m_pruneTimer) {
        m_pruneTimer = new QTimer(this);
        m_pruneTimer->setInterval(3600 * 1000);
        connect(m_pruneTimer, &QTimer::timeout, this, &GatewayService::pruneUsage);
        m_pruneTimer->start();
    }
    QTimer::singleShot(30 * 1000, this, &GatewayService::pruneUsage);
    return true;
}

UsageLog* GatewayService::usageLog() const
{
    return m_usage.get();
}

void GatewayService::pruneUsage()
{
    if (m_usage)
        m_usage->prune(m_baseConfig.usageRetentionDays);
}

AccountManager* GatewayService::accounts() const
{
    return m_accounts.data();
}

SecretStore* GatewayService::secretStore() const
{
    return m_secrets.data();
}

GatewayService::StorageSetup GatewayService::defaultStorage()
{
    StorageSetup s;
    s.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    s.configDir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    s.environment = processEnvironment();
    const QString mode = s.environment.value(QStringLiteral("SWITCHYARD_SECRET_STORE"));
    if (!mode.isEmpty())
        s.storeMode = mode;
    const QString service = s.environment.value(QStringLiteral("SWITCHYARD_KEYCHAIN_SERVICE"));
    if (!service.isEmpty())
        s.keychainService = service;
    return s;
}

void GatewayService::openStorage(
    const StorageSetup& setup, std::function<void(const QString& warning, const QString& error)> done)
{
    const QString secretsFile = setup.configDir + QStringLiteral("/secrets.json");
    const auto withStore = [this, setup, done](std::unique_ptr<SecretStore> store, const QString& warning) {
        m_ownedSecrets = std::move(store);
        if (!m_oauthNam)
            m_oauthNam = new QNetworkAccessManager(this);
        m_ownedAccounts = std::make_unique<AccountManager>(
            m_ownedSecrets.get(), setup.dataDir + QStringLiteral("/accounts.json"), &m_clockProxy, m_oauthNam);
        m_ownedAccounts->setEnvironment(setup.environment);
        connect(m_ownedAccounts.get(), &AccountManager::warning, this, &GatewayService::warningRaised);
        m_storageWarning = warning;
        if (!warning.isEmpty())
            Q_EMIT warningRaised(warning);
        m_secrets = m_ownedSecrets.get();
        Result<QList<OAuthProviderSpec>> specs = loadOAuthProviders(m_baseConfig.oauth);
        if (specs)
            m_ownedAccounts->setProviders(specs.value());
        QPointer<GatewayService> self(this);
        m_ownedAccounts->load([this, self, warning, done](bool ok, const QString& error) {
            if (!self)
                return;
            setAccounts(m_ownedAccounts.get());
            loadStoredSecrets();
            applyEffectiveConfig();
            done(warning, ok ? QString() : error);
        });
    };
    if (setup.storeMode == QLatin1String("memory"))
        return withStore(std::make_unique<MemorySecretStore>(), QString());
    if (setup.storeMode == QLatin1String("file")) {
        auto store = std::make_unique<FileSecretStore>(secretsFile);
        const QString warning = QStringLiteral("secrets are stored unencrypted in %1 (mode 0600)").arg(secretsFile);
        return withStore(std::move(store), warning);
    }
    openSecretStore(
        setup.keychainService, secretsFile,
        [withStore](SecretStoreChoice choice) { withStore(std::move(choice.store), choice.warning); }, this);
}

void GatewayService::setConfig(const Config& config)
{
    m_baseConfig = config;
    loadStoredSecrets();
    applyEffectiveConfig();
}

void GatewayService::setAccounts(AccountManager* accounts)
{
    if (m_accounts)
        m_accounts->disconnect(this);
    m_accounts = accounts;
    if (accounts)
        connect(accounts, &AccountManager::accountsChanged, this, &GatewayService::applyEffectiveConfig);
    applyEffectiveConfig();
}

void GatewayService::setSecretStore(SecretStore* store)
{
    m_secrets = store;
    loadStoredSecrets();
    applyEffectiveConfig();
}

void GatewayService::loadStoredSecrets()
{
    for (const QString& key : storedSecretKeys(m_baseConfig)) {
        if (m_secretCache.contains(key) || m_secretReads.contains(key))
            continue;
        const QByteArray fromEnv = secretFromEnvironment(key);
        if (!fromEnv.isEmpty()) {
            m_secretCache.insert(key, QString::fromUtf8(fromEnv));
            continue;
        }
        if (!m_secrets)
            continue;
        m_secretReads.insert(key);
        QPointer<GatewayService> self(this);
        m_secrets->read(key, [this, self, key](const SecretResult& r) {
            if (!self)
                return;
            m_secretReads.remove(key);
            if (r.ok()) {
                m_secretCache.insert(key, QString::fromUtf8(r.value));
                applyEffectiveConfig();
            } else {
                qCWarning(lcGateway).noquote() << "secret" << key << "unavailable:" << r.message;
            }
        });
    }
}

void GatewayService::applyEffectiveConfig()
{
    Config effective = m_baseConfig;
    applyStoredSecrets(&effective, m_secretCache);
    for (const GatewayKey& key : std::as_const(effective.server.gatewayKeys))
        registerSecret(key.key); // provider keys register in the credential manager, tokens in the accounts
    Result<QList<OAuthProviderSpec>> specs = loadOAuthProviders(effective.oauth);
    if (specs) {
        // Only when the overrides change: code holding a spec of the old list must not see it replaced.
        if (m_accounts && (m_accounts->providers().isEmpty() || effective.oauth != m_appliedOauth))
            m_accounts->setProviders(specs.value());
        m_appliedOauth = effective.oauth;
        effective = expandAccounts(effective, m_accounts ? m_accounts->accounts() : QList<Account>(), specs.value());
    }
    m_budget->setLimits(effective.limits);
    if (m_usage) {
        // New caps start from what the log says was spent today and this month.
        QStringList capped;
        const auto note = [&capped](const QString& key, const Limits& l) {
            if (l.dailyUsd > 0 || l.monthlyUsd > 0)
                capped.append(QStringLiteral("%1:%2:%3").arg(key).arg(l.dailyUsd).arg(l.monthlyUsd));
        };
        note(QString(), effective.limits.global);
        for (auto it = effective.limits.perKey.begin(); it != effective.limits.perKey.end(); ++it)
            note(it.key(), it.value());
        capped.sort();
        const QString signature = capped.join(QLatin1Char(','));
        if (signature != m_seededLimits) {
            m_seededLimits = signature;
            m_usage->flush();
            m_budget->seedFrom(m_usage.get());
        }
    }
    if (m_usage) {
        const Result<PriceTable>& shipped = PriceTable::shipped();
        if (shipped) {
            const Result<PriceTable> prices = shipped->withOverrides(effective.pricing);
            if (prices)
                m_usage->setPrices(prices.value());
            else
                Q_EMIT warningRaised(QStringLiteral("pricing: %1").arg(prices.error()));
        }
    }
    auto config = std::make_shared<Config>(effective);
    auto router = std::make_shared<Router>(config.get());
    m_credentials->setConfig(*config); // keeps cooldowns of credentials that did not change
    const QMutexLocker lock(&m_envMutex);
    m_config = std::move(config);
    m_router = std::move(router);
}

void GatewayService::setListenOverride(const QHostAddress& address, quint16 port)
{
    m_hasOverride = true;
    m_overrideAddress = address;
    m_overridePort = port;
}

bool GatewayService::start(QString* errorMessage)
{
    if (isRunning())
        return true;
    HttpServerLimits limits;
    limits.maxBodyBytes = m_config->server.maxBodyBytes;
    limits.maxHeaderBytes = m_config->server.maxHeaderBytes;
    limits.idleTimeoutMs = m_config->server.idleTimeoutMs;
    limits.requestTimeoutMs = m_config->server.requestTimeoutMs;
    limits.maxConnections = m_config->server.maxConnections;
    limits.maxConnectionsPerClient = m_config->server.maxConnectionsPerClient;
    m_server = std::make_unique<HttpServer>(limits);
    // Requests the server turns away itself (too slow, too large, malformed, too many connections) are logged too.
    // They are announced like any finished request (the request log window adds its rows from the signal); the
    // observer runs on the connection's thread, so the signal is queued to ours.
    m_server->setRejectionObserver([this, usage = m_usage.get()](const HttpRejection& rejection) {
        RequestRecord record;
        record.requestId = newRequestId();
        record.startedAt = QDateTime::fromMSecsSinceEpoch(m_clockProxy.nowMs(), Qt::UTC);
        record.method = QString::fromLatin1(rejection.method);
        record.path = QString::fromUtf8(rejection.path);
        record.inboundDialect = inboundForPath(rejection.path).name();
        record.status = rejection.status;
        record.errorType = anthropic::errorTypeName(serverErrorType(rejection.status));
        record.errorMessage = rejection.message;
        if (usage && usage->isOpen())
            usage->record(record);
        QMetaObject::invokeMethod(
            this, [this, record] { Q_EMIT requestCompleted(record); }, Qt::QueuedConnection);
    });
    int workers = m_config->server.workerThreads;
    if (workers < 0) {
        const int cores = QThread::idealThreadCount();
        workers = cores > 1 ? qMin(cores, 8) : 0;
    }
    m_server->setWorkerThreads(workers);
    m_server->setHandler(
        [this](const HttpRequest& request, HttpResponder* responder) { handleRequest(request, responder); });
    m_server->setErrorBodyFactory([](int status, const QString& message, const QByteArray& path) {
        canon::Error e = canon::Error::make(status, serverErrorType(status), message);
        // Answer in the dialect of the endpoint the client called.
        return qMakePair(QByteArrayLiteral("application/json"), inboundForPath(path).encodeError(e, QString()));
    });
    const QHostAddress address = m_hasOverride ? m_overrideAddress : m_config->server.listenAddress;
    const quint16 port = m_hasOverride ? m_overridePort : m_config->server.listenPort;
    QString error;
    if (!address.isLoopback()) {
        // Anyone who can reach the port could spend the user's quota: only with keys.
        if (m_config->server.gatewayKeys.isEmpty()) {
            m_server.reset();
            error = QStringLiteral("refusing to listen on %1 without gateway keys: anyone on the network could use "
                                   "your providers. Add server.gateway_keys, or listen on 127.0.0.1")
                        .arg(address.toString());
            if (errorMessage)
                *errorMessage = error;
            Q_EMIT errorOccurred(error);
            return false;
        }
        qCWarning(lcGateway).noquote() << "listening on" << address.toString()
                                       << "beyond this machine; every request must carry a gateway key";
    }
    if (!m_server->listen(address, port, &error)) {
        m_server.reset();
        if (errorMessage)
            *errorMessage = error;
        Q_EMIT errorOccurred(error);
        return false;
    }
    m_listenAddress = m_server->serverAddress();
    Q_EMIT runningChanged(true);
    return true;
}

void GatewayService::stop()
{
    if (!m_server)
        return;
    m_server->close();
    m_server->closeAllConnections();
    m_server.reset();
    Q_EMIT runningChanged(false);
}

bool GatewayService::isRunning() const
{
    return m_server && m_server->isListening();
}

quint16 GatewayService::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QHostAddress GatewayService::address() const
{
    return m_server ? m_server->serverAddress() : QHostAddress();
}

int GatewayService::workerThreads() const
{
    return m_server ? m_server->workerThreads() : 0;
}

UpstreamClient* GatewayService::upstreamForCurrentThread()
{
    QThread* current = QThread::currentThread();
    if (current == thread())
        return m_upstream;
    const QMutexLocker lock(&m_upstreamMutex);
    UpstreamClient*& client = m_threadUpstreams[current];
    if (!client) {
        client = new UpstreamClient(); // lives on `current` and ends with it
        connect(
            current, &QThread::finished, client,
            [this, current, client] {
                {
                    const QMutexLocker lock(&m_upstreamMutex);
                    m_threadUpstreams.remove(current);
                }
                delete client;
            },
            Qt::DirectConnection);
    }
    return client;
}

quint64 GatewayService::logFinished(const RequestRecord& record, bool durable)
{
    quint64 ticket = 0;
    if (m_usage && m_usage->isOpen())
        m_budget->account(m_usage->record(record, durable ? &ticket : nullptr));
    else
        m_budget->account(UsageRow::fromRecord(record, m_usage ? m_usage->prices() : PriceTable::defaults()));
    return ticket;
}

void GatewayService::handleRequest(const HttpRequest& request, HttpResponder* responder)
{
    GatewayEnvironment env;
    {
        const QMutexLocker lock(&m_envMutex);
        env.config = m_config;
        env.router = m_router;
    }
    env.upstream = upstreamForCurrentThread();
    env.credentials = m_credentials.get();
    env.accounts = m_accounts.data();
    env.budget = m_budget.get();
    env.usage = m_usage.get();
    env.clock = &m_clockProxy;
    env.keepAliveIntervalMs = m_keepAliveMs;
    env.listenAddress = m_listenAddress;
    // The usage log (and the budgets) see every finished request exactly once, on the exchange's thread (both are
    // thread-safe) so that the answer can wait for the row's commit without a detour through this thread.
    const bool durable = env.config->usageDurableAnswers;
    env.logFinished = [this, durable](const RequestRecord& record) { return logFinished(record, durable); };
    const bool onOurThread = QThread::currentThread() == thread();
    auto* exchange = new Exchange(std::move(env), request, responder, onOurThread ? this : nullptr);
    ++m_active;
    connect(exchange, &Exchange::completed, this, [this](const RequestRecord& record) {
        --m_active;
        ++m_completed;
        if (m_active == 0)
            m_trimTimer->start(); // restarts: trims once a burst is over
        Q_EMIT requestCompleted(record);
    });
    exchange->run();
}

} // namespace sy
