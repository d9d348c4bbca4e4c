#pragma once

#include "common/result.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace sy {

enum class ProviderKind { Anthropic, OpenAiChat, OpenAiResponses, Gemini };

QString providerKindName(ProviderKind kind);

// What one upstream model accepts. Unknown values stay at their defaults (0 = no limit known).
struct ModelProfile
{
    QString id;
    int maxOutputTokens = 0;
    int contextWindow = 0;
    // OpenAI Chat specifics
    bool useMaxCompletionTokens = false; // send max_completion_tokens instead of max_tokens (OpenAI reasoning models)
    bool reasoningEcho = false; // replay thinking text as reasoning_content (DeepSeek/Kimi/GLM thinking mode)
    bool sendStreamOptions = true; // stream_options.include_usage
    QString reasoningStyle; // "effort" (reasoning_effort), "deepseek", "openrouter", "qwen", "none"
};

// One member of a provider's credential pool: an API key, or an OAuth account whose token is supplied at request
// time by the AccountManager. Config entries that name accounts ("account"/"accounts") are expanded into concrete
// Account credentials by expandAccounts() (accounts/accountpool.h) before the gateway uses the config.
struct Credential
{
    enum class Kind { ApiKey, Account };
    QString id; // stable, non-secret: the config's "id", else "<provider>#<n>" (n from 1); an account's id
    QString label; // for people; optional
    Kind kind = Kind::ApiKey;
    QString apiKey; // resolved secret; never logged or written back
    QString source; // "literal", "env:NAME", "keychain:ID" or "account:ID" (never the secret itself)
    QString secretRef; // "keychain:ID": the secret store key "apikey:ID", resolved by the gateway
    QString accountRef; // config entry {"account": ID}: that account (before expansion)
    QString accountsOf; // config entry {"accounts": "chatgpt"}: every account of that login provider
    QString accountType; // Account credentials: "chatgpt-codex", "claude", "google-gemini"
};

enum class PoolStrategy { RoundRobin, FillFirst, LeastUsed, Sticky };

struct ProviderConfig
{
    PoolStrategy strategy = PoolStrategy::RoundRobin;
    QString id;
    ProviderKind kind = ProviderKind::OpenAiChat;
    QString baseUrl;
    QList<Credential> credentials;
    QList<ModelProfile> models;
    QList<QPair<QByteArray, QByteArray>> extraHeaders;
    QString accountProvider; // set on the implicit provider of a login provider ("chatgpt"): accounts only, never
                             // the client's own key
    int connectTimeoutMs = 30000;
    int idleTimeoutMs = 300000;
    int totalTimeoutMs = 1800000;

    // The profile for `model`, or a default profile carrying that id (guessing flags from the provider and name).
    ModelProfile profileFor(const QString& model) const;
};

struct RouteTarget
{
    QString providerId;
    QString model; // "*" forwards the client's model name unchanged
};

// Optional conditions of a rule ("when"); every condition given must hold.
struct RouteConditions
{
    std::optional<bool> thinking; // thinking enabled (enabled or adaptive)
    qint64 tokensOver = -1; // counted input tokens above this
    std::optional<bool> hasImages; // any image in the conversation
    QStringList toolsInclude; // tool names or builtin types, e.g. "web_search" (any of them)
    QStringList clients; // "claude-code", "codex", "gemini-cli", or a gateway-key id (any of them)
    bool isEmpty() const
    {
        return !thinking && tokensOver < 0 && !hasImages && toolsInclude.isEmpty() && clients.isEmpty();
    }
};

enum class CredentialPriority { AccountsFirst, KeysFirst };

struct RouteRule
{
    QString match; // case-insensitive glob on the model name
    QList<RouteTarget> targets;
    RouteConditions when;
    CredentialPriority priority = CredentialPriority::AccountsFirst;
};

// A key clients present to the gateway (x-api-key or Authorization: Bearer). Per-client budgets and the "client"
// route condition use its id; the key itself is never logged or stored in the usage log.
struct GatewayKey
{
    QString id;
    QString key; // resolved secret
    QString source; // "literal", "env:NAME" or "keychain:ID"
    QString secretRef; // "keychain:ID"
};

// Request, token and spend limits (0 = no limit). warnAt: fraction of a spend cap that raises a warning.
struct Limits
{
    int requestsPerMinute = 0;
    qint64 tokensPerMinute = 0;
    double dailyUsd = 0;
    double monthlyUsd = 0;
    double warnAt = 0.8;
    bool isEmpty() const { return !requestsPerMinute && !tokensPerMinute && dailyUsd <= 0 && monthlyUsd <= 0; }
};

struct LimitsConfig
{
    Limits global;
    QHash<QString, Limits> perKey; // gateway key id -> limits
};

struct ServerConfig
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 3790;
    qint64 maxBodyBytes = 32 * 1024 * 1024;
    int maxHeaderBytes = 64 * 1024;
    int idleTimeoutMs = 120000; // a client connection with no request in progress is closed after this
    int requestTimeoutMs = 60000; // a request must arrive whole this long after its first byte, else 408 (slowloris)
    int workerThreads = -1; // threads serving connections; -1: one per CPU core (at most 8), 0: the main thread
    QList<GatewayKey> gatewayKeys; // when non-empty, every request must present one
    // Host header names accepted besides localhost, 127.0.0.1, [::1] and the listen address (DNS rebinding guard).
    QStringList allowedHosts;
    // Browser origins allowed to call the gateway ("https://app.example"); requests with any other Origin are refused.
    QStringList allowedOrigins;
};

struct Config
{
    int version = 1;
    ServerConfig server;
    QList<ProviderConfig> providers;
    QList<RouteRule> routes;
    QJsonObject oauth; // overrides of the shipped OAuth login providers (see oauth/oauthprovider.h)
    QJsonObject pricing; // overrides of resources/pricing.json ({"models": {...}})
    int usageRetentionDays = 90;
    LimitsConfig limits;
    QString uiLanguage = QStringLiteral("system"); // "ui.language": "system", "en", "de", "zh_CN"
    QString logLevel = QStringLiteral("info"); // "ui.log_level": "info", "debug", "warning"

    const ProviderConfig* provider(const QString& id) const;
};

// Parses and validates a config document. Errors name the field and the line, e.g.
// "line 7: providers[0].kind: unknown provider kind \"openai\" (expected anthropic, openai-chat)".
Result<Config> parseConfig(const QByteArray& json, const QHash<QString, QString>& environment);

// Reads a config file. A missing file is an error here; see starterConfig().
Result<Config> loadConfigFile(const QString& path, const QHash<QString, QString>& environment);

// The commented-free starter config written on first run.
QByteArray starterConfig();

// "host:port" -> address and port; false on malformed input.
bool parseListen(const QString& text, QHostAddress* address, quint16* port, QString* error);

QHash<QString, QString> processEnvironment();

} // namespace sy

namespace sy {

// <user config dir>/switchyard/config.json (QStandardPaths::AppConfigLocation).
QString defaultConfigPath();
// Loads `path`; when it does not exist and `createStarter` is set, writes the starter config there first.
Result<Config> loadOrCreateConfig(const QString& path, bool createStarter, const QHash<QString, QString>& environment);

} // namespace sy
