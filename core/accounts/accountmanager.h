#pragma once

#include "accounts/account.h"
#include "common/clock.h"
#include "oauth/oauthprovider.h"
#include "oauth/tokenset.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

class QNetworkAccessManager;

namespace sy {

class SecretStore;

// The OAuth accounts: metadata in a JSON file (no secrets), token sets in the secret store, and their refresh.
//
// Refresh: an account is refreshed when its token is within refreshMarginMs of expiry (checked by a timer and
// before each use), after an upstream 401, or on demand. One refresh is in flight per account; callers that ask
// meanwhile wait for the same answer. invalid_grant (and similar) -> NeedsLogin. A network error or 5xx keeps the
// tokens and the state Ready while the token is still valid (Error once it expired) and retries with a backoff from
// kRetryBaseMs doubling to kRetryCapMs: being offline never logs anyone out.
class AccountManager : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kRefreshMarginMs = 5 * 60 * 1000;
    static constexpr qint64 kRetryBaseMs = 15 * 1000;
    static constexpr qint64 kRetryCapMs = 10 * 60 * 1000;

    AccountManager(SecretStore* secrets, const QString& metadataPath, const Clock* clock, QNetworkAccessManager* nam,
        QObject* parent = nullptr);
    ~AccountManager() override;

    void setProviders(const QList<OAuthProviderSpec>& specs) { m_specs = specs; }
    const QList<OAuthProviderSpec>& providers() const { return m_specs; }
    const OAuthProviderSpec* spec(const QString& idOrType) const { return findOAuthProvider(m_specs, idOrType); }
    // Environment for SWITCHYARD_SECRET_ACCOUNT_<ID> token-set overrides (headless use).
    void setEnvironment(const QHash<QString, QString>& env) { m_env = env; }
    // Periodic expiry check; 0 stops it. Default 30 s.
    void setCheckIntervalMs(int ms);

    using Done = std::function<void(bool ok, const QString& error)>;
    // Reads the metadata file and every account's token set. Accounts whose tokens are missing become NeedsLogin.
    void load(Done done);

    QList<Account> accounts() const { return m_accounts; }
    const Account* account(const QString& id) const;
    QList<Account> accountsOfType(const QString& type) const;

    // A new login or import: fills in identity and plan (id_token claims, user-info, Code Assist project), stores
    // the tokens and saves. An account with the same identity is updated in place (same id).
    void addAccount(const QString& providerId, const TokenSet& tokens, const QString& source,
        std::function<void(bool ok, const Account& account, const QString& error)> done);
    void removeAccount(const QString& id, Done done);
    void setLabel(const QString& id, const QString& label);

    // The current access token (possibly expired); empty when none is loaded.
    QString accessToken(const QString& id) const;
    // Calls back with a token that is not within the refresh margin of expiry, refreshing first when needed.
    // Synchronous when the token is fresh. `context` guards the callback.
    void withFreshToken(const QString& id, QObject* context,
        std::function<void(bool ok, const QString& token, const QString& error)> done);
    void refresh(const QString& id, Done done = {});
    // The upstream refused the token (401): refresh once; a refused refresh marks the account NeedsLogin.
    void reportUnauthorized(const QString& id);
    // Keeps the plan-usage headers of an upstream answer (x-codex-*, anthropic-ratelimit-unified-*) as the
    // account's quota; saved with the metadata at the next save.
    void noteQuotaHeaders(const QString& id, const QList<QPair<QByteArray, QByteArray>>& headers);
    // Refreshes every account close to expiry (the timer calls this).
    void checkExpiry();

    // {"accounts":[{id,type,provider,label,email,plan,state,expires_at,...}]}; never contains tokens.
    QJsonObject status() const;

Q_SIGNALS:
    void accountsChanged();
    void accountStateChanged(const QString& id, sy::Account::State state);
    void quotaChanged(const QString& id);
    void warning(const QString& message);

private:
    struct Pending
    {
        QList<Done> waiters;
    };
    Account* find(const QString& id);
    void setState(Account* a, Account::State state, const QString& error);
    void save();
    void persistTokens(const QString& id);
    void finishRefresh(const QString& id, bool ok, const QString& error);
    void enrich(const OAuthProviderSpec& spec, Account account, const TokenSet& tokens,
        std::function<void(bool ok, const Account& account, const QString& error)> done);
    void setupCodeAssist(const OAuthProviderSpec& spec, const QString& token, int attempt,
        std::function<void(bool ok, QJsonObject meta, QString plan, QString error)> done);
    void store(Account account, const TokenSet& tokens,
        std::function<void(bool ok, const Account& account, const QString& error)> done);

    SecretStore* m_secrets;
    QString m_metadataPath;
    const Clock* m_clock;
    QNetworkAccessManager* m_nam;
    QList<OAuthProviderSpec> m_specs;
    QHash<QString, QString> m_env;
    QList<Account> m_accounts;
    QHash<QString, TokenSet> m_tokens;
    QHash<QString, Pending> m_refreshing;
    QHash<QString, qint64> m_retryAtMs; // account -> earliest next refresh after a transient failure
    QHash<QString, int> m_retryStreak;
    QTimer m_check;
};

// Identity and plan from a ChatGPT id_token: email, chatgpt_account_id, chatgpt_plan_type.
void applyChatGptClaims(const QString& idToken, Account* account);

} // namespace sy
