#include "accounts/accountmanager.h"

#include "common/logging.h"
#include "common/redact.h"
#include "oauth/oauthhttp.h"
#include "secrets/secretstore.h"
#include "secrets/secretstorefactory.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QUuid>

namespace sy {

namespace {

// Tokens this process holds never show in a log line (see installLogRedaction).
void registerTokens(const TokenSet& t)
{
    registerSecret(t.accessToken);
    registerSecret(t.refreshToken);
    registerSecret(t.idToken);
}

QString secretKey(const QString& id)
{
    return QStringLiteral("account:") + id;
}

QString iso(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate) : QString();
}

QJsonObject codeAssistMetadata()
{
    QJsonObject m;
    m.insert(QLatin1String("ideType"), QLatin1String("IDE_UNSPECIFIED"));
    m.insert(QLatin1String("platform"), QLatin1String("PLATFORM_UNSPECIFIED"));
    m.insert(QLatin1String("pluginType"), QLatin1String("GEMINI"));
    return m;
}

QString projectIdOf(const QJsonValue& v)
{
    return v.isObject() ? v.toObject().value(QLatin1String("id")).toString() : v.toString();
}

} // namespace

void applyChatGptClaims(const QString& idToken, Account* account)
{
    const QJsonObject claims = jwtClaims(idToken);
    if (claims.isEmpty())
        return;
    const QString email = claims.value(QLatin1String("email")).toString();
    if (!email.isEmpty())
        account->email = email;
    const QJsonObject auth = claims.value(QLatin1String("https://api.openai.com/auth")).toObject();
    const QString accountId = auth.value(QLatin1String("chatgpt_account_id")).toString();
    if (!accountId.isEmpty())
        account->meta.insert(QLatin1String("chatgpt_account_id"), accountId);
    const QString plan = auth.value(QLatin1String("chatgpt_plan_type")).toString();
    if (!plan.isEmpty())
        account->plan = plan;
}

AccountManager::AccountManager(
    SecretStore* secrets, const QString& metadataPath, const Clock* clock, QNetworkAccessManager* nam, QObject* parent)
    : QObject(parent)
    , m_secrets(secrets)
    , m_metadataPath(metadataPath)
    , m_clock(clock)
    , m_nam(nam)
{
    qRegisterMetaType<sy::Account::State>();
    connect(&m_check, &QTimer::timeout, this, &AccountManager::checkExpiry);
    m_check.start(30000);
}

AccountManager::~AccountManager() = default;

void AccountManager::setCheckIntervalMs(int ms)
{
    if (ms <= 0)
        m_check.stop();
    else
        m_check.start(ms);
}

const Account* AccountManager::account(const QString& id) const
{
    for (const Account& a : m_accounts) {
        if (a.id == id)
            return &a;
    }
    return nullptr;
}

Account* AccountManager::find(const QString& id)
{
    for (Account& a : m_accounts) {
        if (a.id == id)
            return &a;
    }
    return nullptr;
}

QList<Account> AccountManager::accountsOfType(const QString& type) const
{
    QList<Account> out;
    for (const Account& a : m_accounts) {
        if (a.type == type || a.provider == type)
            out.append(a);
    }
    return out;
}

void AccountManager::load(Done done)
{
    m_accounts.clear();
    m_tokens.clear();
    QFile f(m_metadataPath);
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly))
            return done(false, QStringLiteral("cannot read %1: %2").arg(m_metadataPath, f.errorString()));
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
        if (doc.isNull())
            return done(false, QStringLiteral("%1 is not valid JSON: %2").arg(m_metadataPath, pe.errorString()));
        for (const QJsonValue& v : doc.object().value(QLatin1String("accounts")).toArray()) {
            Account a = Account::fromJson(v.toObject());
            if (!a.id.isEmpty())
                m_accounts.append(a);
        }
    }
    if (m_accounts.isEmpty()) {
        Q_EMIT accountsChanged();
        return done(true, QString());
    }
    auto remaining = std::make_shared<int>(int(m_accounts.size()));
    const QList<Account> snapshot = m_accounts;
    for (const Account& a : snapshot) {
        const QString id = a.id;
        const auto arrive = [this, id, remaining, done](const QByteArray& json, const QString& problem) {
            Account* acc = find(id);
            if (acc) {
                const TokenSet t = TokenSet::fromJson(json);
                if (t.isEmpty()) {
                    acc->state = Account::State::NeedsLogin;
                    acc->lastError
                        = problem.isEmpty() ? QStringLiteral("no tokens in the secret store; log in again") : problem;
                } else {
                    registerTokens(t);
                    m_tokens.insert(id, t);
                    acc->expiresAtMs = t.expiresAtMs;
                }
            }
            if (--*remaining == 0) {
                Q_EMIT accountsChanged();
                done(true, QString());
            }
        };
        const QByteArray fromEnv = secretFromEnvironment(secretKey(id), m_env);
        if (!fromEnv.isEmpty()) {
            QMetaObject::invokeMethod(
                this, [arrive, fromEnv]() { arrive(fromEnv, QString()); }, Qt::QueuedConnection);
            continue;
        }
        m_secrets->read(secretKey(id), [arrive](const SecretResult& r) {
            arrive(r.ok() ? r.value : QByteArray(),
                r.ok() ? QString() : QStringLiteral("tokens unavailable: %1").arg(r.message));
        });
    }
}

void AccountManager::addAccount(const QString& providerId, const TokenSet& tokens, const QString& source,
    std::function<void(bool ok, const Account& account, const QString& error)> done)
{
    const OAuthProviderSpec* s = spec(providerId);
    if (!s)
        return done(false, Account(), QStringLiteral("unknown account provider \"%1\"").arg(providerId));
    if (tokens.isEmpty() && tokens.refreshToken.isEmpty())
        return done(false, Account(), QStringLiteral("no access or refresh token"));
    Account a;
    a.type = s->accountType;
    a.provider = s->id;
    a.source = source;
    a.createdAtMs = m_clock->nowMs();
    a.lastRefreshMs = a.createdAtMs;
    a.expiresAtMs = tokens.expiresAtMs;
    enrich(*s, a, tokens, std::move(done));
}

void AccountManager::enrich(const OAuthProviderSpec& spec, Account a, const TokenSet& tokens,
    std::function<void(bool ok, const Account& account, const QString& error)> done)
{
    if (spec.accountType == QLatin1String("chatgpt-codex")) {
        applyChatGptClaims(tokens.idToken, &a);
        if (a.meta.value(QLatin1String("chatgpt_account_id")).toString().isEmpty())
            applyChatGptClaims(tokens.accessToken, &a);
        if (!tokens.extra.value(QLatin1String("account_id")).toString().isEmpty())
            a.meta.insert(QLatin1String("chatgpt_account_id"), tokens.extra.value(QLatin1String("account_id")));
        return store(a, tokens, std::move(done));
    }
    if (spec.accountType == QLatin1String("claude")) {
        const QJsonObject account = tokens.extra.value(QLatin1String("account")).toObject();
        a.email = account.value(QLatin1String("email_address")).toString();
        const QJsonObject org = tokens.extra.value(QLatin1String("organization")).toObject();
        if (!org.isEmpty())
            a.meta.insert(QLatin1String("organization"), org.value(QLatin1String("name")));
        if (tokens.extra.contains(QLatin1String("subscription_type")))
            a.plan = tokens.extra.value(QLatin1String("subscription_type")).toString();
        if (!a.email.isEmpty() || spec.userInfoUrl.isEmpty() || tokens.accessToken.isEmpty())
            return store(a, tokens, std::move(done));
        // An imported login carries no identity: ask the profile endpoint.
        oauthhttp::get(m_nam, spec.userInfoUrl, tokens.accessToken, this,
            [this, a, tokens, done](const oauthhttp::Reply& r) mutable {
                const QJsonObject o = QJsonDocument::fromJson(r.body).object();
                const QJsonObject account = o.value(QLatin1String("account")).toObject();
                if (r.status == 200) {
                    a.email = account.value(QLatin1String("email"))
                                  .toString(account.value(QLatin1String("email_address")).toString());
                    if (a.plan.isEmpty())
                        a.plan = account.value(QLatin1String("has_claude_max")).toBool() ? QStringLiteral("max")
                            : account.value(QLatin1String("has_claude_pro")).toBool()    ? QStringLiteral("pro")
                                                                                         : QString();
                }
                store(a, tokens, std::move(done));
            });
        return;
    }
    if (spec.codeAssist) {
        const QString token = tokens.accessToken;
        const OAuthProviderSpec s = spec;
        auto afterUser = [this, s, a, tokens, token, done](const QString& email) mutable {
            a.email = email;
            setupCodeAssist(
                s, token, 0, [this, a, tokens, done](bool ok, QJsonObject meta, QString plan, QString error) mutable {
                    if (ok) {
                        for (auto it = meta.begin(); it != meta.end(); ++it)
                            a.meta.insert(it.key(), it.value());
                        a.plan = plan;
                    } else {
                        // Kept; the project is looked up again before the account is used.
                        a.lastError = error;
                    }
                    store(a, tokens, std::move(done));
                });
        };
        if (!spec.userInfoUrl.isEmpty()) {
            oauthhttp::get(m_nam, spec.userInfoUrl, token, this, [afterUser](const oauthhttp::Reply& r) mutable {
                afterUser(r.status == 200
                        ? QJsonDocument::fromJson(r.body).object().value(QLatin1String("email")).toString()
                        : QString());
            });
        } else {
            afterUser(QString());
        }
        return;
    }
    store(a, tokens, std::move(done));
}

void AccountManager::setupCodeAssist(const OAuthProviderSpec& spec, const QString& token, int attempt,
    std::function<void(bool ok, QJsonObject meta, QString plan, QString error)> done)
{
    QJsonObject body;
    body.insert(QLatin1String("metadata"), codeAssistMetadata());
    const QUrl load(spec.upstreamBaseUrl + QStringLiteral(":loadCodeAssist"));
    const OAuthProviderSpec s = spec;
    oauthhttp::postJson(m_nam, load, QJsonDocument(body).toJson(QJsonDocument::Compact), token, this,
        [this, s, token, attempt, done](const oauthhttp::Reply& r) {
            if (r.status != 200)
                return done(false, {}, {},
                    QStringLiteral("Code Assist setup failed (HTTP %1); the Google account may need the Gemini CLI's "
                                   "one-time set-up")
                        .arg(r.status));
            const QJsonObject o = QJsonDocument::fromJson(r.body).object();
            const QJsonObject current = o.value(QLatin1String("currentTier")).toObject();
            const QString project = projectIdOf(o.value(QLatin1String("cloudaicompanionProject")));
            if (!current.isEmpty() && !project.isEmpty()) {
                QJsonObject meta;
                meta.insert(QLatin1String("project_id"), project);
                const QJsonObject paid = o.value(QLatin1String("paidTier")).toObject();
                const QString plan
                    = paid.value(QLatin1String("id")).toString(current.value(QLatin1String("id")).toString());
                return done(true, meta, plan, QString());
            }
            // Not onboarded yet: onboard to the default tier (the free tier for personal accounts).
            QString tier = QStringLiteral("free-tier");
            for (const QJsonValue& t : o.value(QLatin1String("allowedTiers")).toArray()) {
                if (t.toObject().value(QLatin1String("isDefault")).toBool())
                    tier = t.toObject().value(QLatin1String("id")).toString(tier);
            }
            QJsonObject onboard;
            onboard.insert(QLatin1String("tierId"), tier);
            onboard.insert(QLatin1String("metadata"), codeAssistMetadata());
            if (!project.isEmpty())
                onboard.insert(QLatin1String("cloudaicompanionProject"), project);
            oauthhttp::postJson(m_nam, QUrl(s.upstreamBaseUrl + QStringLiteral(":onboardUser")),
                QJsonDocument(onboard).toJson(QJsonDocument::Compact), token, this,
                [this, s, token, attempt, tier, done](const oauthhttp::Reply& r2) {
                    const QJsonObject op = QJsonDocument::fromJson(r2.body).object();
                    if (r2.status == 200 && op.value(QLatin1String("done")).toBool()) {
                        const QString project = projectIdOf(op.value(QLatin1String("response"))
                                                                .toObject()
                                                                .value(QLatin1String("cloudaicompanionProject")));
                        if (!project.isEmpty()) {
                            QJsonObject meta;
                            meta.insert(QLatin1String("project_id"), project);
                            return done(true, meta, tier, QString());
                        }
                    }
                    if (r2.status == 200 && attempt < 5) {
                        // Onboarding is a long-running operation: ask again shortly.
                        QTimer::singleShot(2000, this,
                            [this, s, token, attempt, done]() { setupCodeAssist(s, token, attempt + 1, done); });
                        return;
                    }
                    done(false, {}, {}, QStringLiteral("Code Assist onboarding failed (HTTP %1)").arg(r2.status));
                });
        });
}

void AccountManager::store(
    Account a, const TokenSet& tokens, std::function<void(bool ok, const Account& account, const QString& error)> done)
{
    const QString identity = !a.email.isEmpty() ? a.email.toLower()
        : !a.meta.value(QLatin1String("chatgpt_account_id")).toString().isEmpty()
        ? a.meta.value(QLatin1String("chatgpt_account_id")).toString()
        : QUuid::createUuid().toString();
    a.id = a.provider + QLatin1Char('-')
        + QString::fromLatin1(
            QCryptographicHash::hash((a.type + QLatin1Char('|') + identity).toUtf8(), QCryptographicHash::Sha256)
                .toHex()
                .left(8));
    if (a.label.isEmpty())
        a.label = a.email.isEmpty() ? a.id : a.email;
    if (const Account* existing = account(a.id)) {
        a.createdAtMs = existing->createdAtMs;
        if (existing->label != existing->email && !existing->label.isEmpty())
            a.label = existing->label;
    }
    m_secrets->write(secretKey(a.id), tokens.toJson(), [this, a, tokens, done](const SecretResult& r) {
        if (!r.ok())
            return done(false, a, QStringLiteral("cannot store the tokens: %1").arg(r.message));
        registerTokens(tokens);
        m_tokens.insert(a.id, tokens);
        m_retryAtMs.remove(a.id);
        m_retryStreak.remove(a.id);
        if (Account* existing = find(a.id))
            *existing = a;
        else
            m_accounts.append(a);
        save();
        qCInfo(lcAccounts).noquote() << "account" << a.id << "(" << a.type << ") stored from" << a.source;
        Q_EMIT accountsChanged();
        done(true, a, QString());
    });
}

void AccountManager::removeAccount(const QString& id, Done done)
{
    if (!account(id))
        return done(false, QStringLiteral("no account \"%1\"").arg(id));
    m_secrets->remove(secretKey(id), [this, id, done](const SecretResult& r) {
        if (!r.ok() && r.status != SecretResult::Status::NotFound)
            return done(false, QStringLiteral("cannot remove the tokens: %1").arg(r.message));
        m_accounts.removeIf([&](const Account& a) { return a.id == id; });
        m_tokens.remove(id);
        save();
        Q_EMIT accountsChanged();
        done(true, QString());
    });
}

void AccountManager::setLabel(const QString& id, const QString& label)
{
    if (Account* a = find(id)) {
        a->label = label;
        save();
        Q_EMIT accountsChanged();
    }
}

QString AccountManager::accessToken(const QString& id) const
{
    return m_tokens.value(id).accessToken;
}

void AccountManager::withFreshToken(
    const QString& id, QObject* context, std::function<void(bool ok, const QString& token, const QString& error)> done)
{
    const Account* a = account(id);
    if (!a)
        return done(false, QString(), QStringLiteral("account %1 no longer exists").arg(id));
    if (a->state == Account::State::NeedsLogin)
        return done(false, QString(), QStringLiteral("account %1 needs a new login: %2").arg(a->label, a->lastError));
    const qint64 now = m_clock->nowMs();
    const TokenSet t = m_tokens.value(id);
    const bool stillValid = !t.isEmpty() && (t.expiresAtMs == 0 || now < t.expiresAtMs);
    const bool fresh = stillValid && (t.expiresAtMs == 0 || now < t.expiresAtMs - kRefreshMarginMs);
    const bool backingOff = m_retryAtMs.value(id) > now;
    if (fresh || (stillValid && backingOff))
        return done(true, t.accessToken, QString());
    QPointer<QObject> guard(context);
    refresh(id, [this, id, guard, done](bool ok, const QString& error) {
        if (!guard)
            return;
        const TokenSet t = m_tokens.value(id);
        const bool valid = !t.isEmpty() && (t.expiresAtMs == 0 || m_clock->nowMs() < t.expiresAtMs);
        const Account* a = account(id);
        if ((ok || valid) && a && a->state != Account::State::NeedsLogin)
            return done(true, t.accessToken, QString());
        done(false, QString(), error.isEmpty() ? QStringLiteral("the account's token expired") : error);
    });
}

void AccountManager::refresh(const QString& id, Done done)
{
    Account* a = find(id);
    if (!a) {
        if (done)
            done(false, QStringLiteral("no account \"%1\"").arg(id));
        return;
    }
    auto pending = m_refreshing.find(id);
    if (pending != m_refreshing.end()) {
        if (done)
            pending->waiters.append(std::move(done));
        return;
    }
    // A copy: listeners of the state change below may replace the provider list.
    const OAuthProviderSpec* found = spec(a->provider);
    const std::optional<OAuthProviderSpec> s = found ? std::optional<OAuthProviderSpec>(*found) : std::nullopt;
    const TokenSet t = m_tokens.value(id);
    if (!s || t.refreshToken.isEmpty()) {
        setState(a, Account::State::NeedsLogin,
            s ? QStringLiteral("no refresh token; log in again") : QStringLiteral("unknown provider"));
        if (done)
            done(false, a->lastError);
        return;
    }
    Pending p;
    if (done)
        p.waiters.append(std::move(done));
    m_refreshing.insert(id, p);
    setState(a, Account::State::Refreshing, a->lastError);
    qCInfo(lcAccounts).noquote() << "refreshing account" << id;
    const oauthhttp::Params params {qMakePair(QStringLiteral("grant_type"), QStringLiteral("refresh_token")),
        qMakePair(QStringLiteral("refresh_token"), t.refreshToken)};
    oauthhttp::requestTokens(
        m_nam, *s, params, m_clock, this, [this, id](bool ok, const TokenSet& fresh, const OAuthError& error) {
            Account* a = find(id);
            if (!a) {
                finishRefresh(id, false, QStringLiteral("account removed"));
                return;
            }
            const qint64 now = m_clock->nowMs();
            if (ok) {
                TokenSet merged = fresh;
                const TokenSet old = m_tokens.value(id);
                if (merged.refreshToken.isEmpty())
                    merged.refreshToken = old.refreshToken;
                if (merged.idToken.isEmpty())
                    merged.idToken = old.idToken;
                registerTokens(merged);
                m_tokens.insert(id, merged);
                a->expiresAtMs = merged.expiresAtMs;
                a->lastRefreshMs = now;
                if (a->type == QLatin1String("chatgpt-codex"))
                    applyChatGptClaims(merged.idToken, a);
                m_retryAtMs.remove(id);
                m_retryStreak.remove(id);
                persistTokens(id);
                setState(a, Account::State::Ready, QString());
                save();
                qCInfo(lcAccounts).noquote() << "account" << id << "refreshed";
                return finishRefresh(id, true, QString());
            }
            if (error.kind == OAuthError::Kind::InvalidGrant) {
                setState(a, Account::State::NeedsLogin, error.message);
                save();
                Q_EMIT warning(QStringLiteral("%1 needs a new login: %2").arg(a->label, error.message));
                return finishRefresh(id, false, error.message);
            }
            // Offline, a 5xx or an unexpected refusal: keep the tokens and try again later.
            const int streak = m_retryStreak.value(id) + 1;
            m_retryStreak.insert(id, streak);
            const qint64 delay = qMin<qint64>(kRetryCapMs, kRetryBaseMs << qMin(streak - 1, 10));
            m_retryAtMs.insert(id, now + delay);
            const TokenSet cur = m_tokens.value(id);
            const bool valid = cur.expiresAtMs == 0 || now < cur.expiresAtMs;
            const QString message
                = QStringLiteral("refresh failed: %1; retrying in %2 s").arg(error.message).arg(delay / 1000);
            setState(a, valid ? Account::State::Ready : Account::State::Error, message);
            qCInfo(lcAccounts).noquote() << "account" << id << message;
            finishRefresh(id, false, message);
        });
}

void AccountManager::finishRefresh(const QString& id, bool ok, const QString& error)
{
    const Pending p = m_refreshing.take(id);
    for (const Done& d : p.waiters)
        d(ok, error);
}

void AccountManager::reportUnauthorized(const QString& id)
{
    Account* a = find(id);
    if (!a || a->state == Account::State::NeedsLogin || m_refreshing.contains(id))
        return;
    if (m_clock->nowMs() - a->lastRefreshMs < 10000) {
        // Refused right after a refresh: the token is not the problem we can fix.
        return;
    }
    refresh(id);
}

void AccountManager::noteQuotaHeaders(const QString& id, const QList<QPair<QByteArray, QByteArray>>& headers)
{
    Account* a = find(id);
    if (!a)
        return;
    QJsonObject quota;
    for (const auto& h : headers) {
        const QByteArray name = h.first.toLower();
        if (name.startsWith("x-codex-") || name.startsWith("anthropic-ratelimit-unified-"))
            quota.insert(QString::fromLatin1(name), QString::fromLatin1(h.second.left(100)));
    }
    if (quota.isEmpty() || quota == a->quota)
        return;
    quota.insert(QLatin1String("at"), iso(m_clock->nowMs()));
    a->quota = quota;
    Q_EMIT quotaChanged(id);
}

void AccountManager::checkExpiry()
{
    const qint64 now = m_clock->nowMs();
    const QList<Account> snapshot = m_accounts;
    for (const Account& a : snapshot) {
        if (a.state == Account::State::NeedsLogin || m_refreshing.contains(a.id))
            continue;
        const TokenSet t = m_tokens.value(a.id);
        if (t.isEmpty() || t.expiresAtMs == 0 || now < t.expiresAtMs - kRefreshMarginMs)
            continue;
        if (m_retryAtMs.value(a.id) > now)
            continue;
        refresh(a.id);
    }
}

void AccountManager::setState(Account* a, Account::State state, const QString& error)
{
    const bool changed = a->state != state || a->lastError != error;
    a->state = state;
    a->lastError = error;
    if (changed) {
        Q_EMIT accountStateChanged(a->id, state);
        Q_EMIT accountsChanged();
    }
}

void AccountManager::persistTokens(const QString& id)
{
    if (!secretFromEnvironment(secretKey(id), m_env).isEmpty())
        return; // supplied by the environment: nothing of ours to update
    m_secrets->write(secretKey(id), m_tokens.value(id).toJson(), [this, id](const SecretResult& r) {
        if (!r.ok())
            Q_EMIT warning(QStringLiteral("cannot store refreshed tokens of %1: %2").arg(id, r.message));
    });
}

void AccountManager::save()
{
    QJsonArray arr;
    for (const Account& a : std::as_const(m_accounts))
        arr.append(a.toJson());
    QJsonObject root;
    root.insert(QLatin1String("version"), 1);
    root.insert(QLatin1String("accounts"), arr);
    QDir().mkpath(QFileInfo(m_metadataPath).absolutePath());
    QSaveFile f(m_metadataPath);
    if (!f.open(QIODevice::WriteOnly)) {
        qCWarning(lcAccounts).noquote() << "cannot write" << m_metadataPath << f.errorString();
        return;
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!f.commit())
        qCWarning(lcAccounts).noquote() << "cannot write" << m_metadataPath << f.errorString();
}

QJsonObject AccountManager::status() const
{
    QJsonArray arr;
    for (const Account& a : m_accounts) {
        QJsonObject o = a.toJson();
        o.remove(QLatin1String("expires_at_ms"));
        o.remove(QLatin1String("created_at_ms"));
        o.remove(QLatin1String("last_refresh_ms"));
        o.insert(QLatin1String("expires_at"), iso(a.expiresAtMs));
        o.insert(QLatin1String("last_refresh"), iso(a.lastRefreshMs));
        o.insert(QLatin1String("refreshing"), m_refreshing.contains(a.id));
        arr.append(o);
    }
    QJsonObject root;
    root.insert(QLatin1String("accounts"), arr);
    return root;
}

} // namespace sy
