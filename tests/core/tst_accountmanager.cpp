#include "accounts/accountmanager.h"
#include "fakeauthserver.h"
#include "oauth/tokenset.h"
#include "secrets/secretstore.h"
#include "secrets/secretstorefactory.h"
#include "testclock.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <optional>

using namespace sy;
using Endpoint = FakeAuthServer::Endpoint;

namespace {

constexpr int WaitMs = 10000;

const char* stateName(Account::State state)
{
    switch (state) {
    case Account::State::Ready:
        return "Ready";
    case Account::State::Refreshing:
        return "Refreshing";
    case Account::State::NeedsLogin:
        return "NeedsLogin";
    case Account::State::Error:
        return "Error";
    }
    return "?";
}

QJsonObject parseObject(const char* json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

TokenSet issueTokens(FakeAuthServer& server, const Clock& clock)
{
    TokenSet tokens;
    OAuthError error;
    if (!parseTokenReply(200, server.issueTokenReply(), clock.nowMs(), &tokens, &error))
        qFatal("the fake server's token answer does not parse: %s", qPrintable(error.message));
    return tokens;
}

bool sameTokens(const TokenSet& a, const TokenSet& b)
{
    return a.accessToken == b.accessToken && a.refreshToken == b.refreshToken && a.idToken == b.idToken
        && a.expiresAtMs == b.expiresAtMs;
}

struct AddResult
{
    bool done = false;
    bool ok = false;
    Account account;
    QString error;
};

AddResult addAccount(AccountManager& manager, const QString& provider, const TokenSet& tokens)
{
    auto result = std::make_shared<AddResult>();
    manager.addAccount(
        provider, tokens, QStringLiteral("login"), [result](bool ok, const Account& account, const QString& error) {
            result->done = true;
            result->ok = ok;
            result->account = account;
            result->error = error;
        });
    (void)QTest::qWaitFor([&]() { return result->done; }, WaitMs);
    return *result;
}

struct Done
{
    bool done = false;
    bool ok = false;
    QString error;
};

// Runs an AccountManager call that answers through a Done callback and waits for it.
Done run(const std::function<void(AccountManager::Done)>& start)
{
    auto result = std::make_shared<Done>();
    start([result](bool ok, const QString& error) {
        result->done = true;
        result->ok = ok;
        result->error = error;
    });
    (void)QTest::qWaitFor([&]() { return result->done; }, WaitMs);
    return *result;
}

SecretResult readSecret(SecretStore& store, const QString& key)
{
    auto result = std::make_shared<std::optional<SecretResult>>();
    store.read(key, [result](const SecretResult& r) { *result = r; });
    (void)QTest::qWaitFor([&]() { return result->has_value(); }, WaitMs);
    return result->value_or(SecretResult {SecretResult::Status::Error, {}, QStringLiteral("no answer")});
}

bool isRefreshing(const AccountManager& manager, const QString& id)
{
    for (const QJsonValue& v : manager.status().value(QLatin1String("accounts")).toArray()) {
        if (v.toObject().value(QLatin1String("id")).toString() == id)
            return v.toObject().value(QLatin1String("refreshing")).toBool();
    }
    return false;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject storedAccount(const QString& metadataPath, const QString& id)
{
    const QJsonObject root = QJsonDocument::fromJson(readFile(metadataPath)).object();
    for (const QJsonValue& v : root.value(QLatin1String("accounts")).toArray()) {
        if (v.toObject().value(QLatin1String("id")).toString() == id)
            return v.toObject();
    }
    return {};
}

// One test's world: the fake provider, a manual clock, an in-memory secret store and a metadata file.
struct World
{
    World()
    {
        ok = server.listen() && dir.isValid();
        specs = server.providers();
        ok = ok && specs.size() == 3;
        if (ok)
            server.setExpectedClientId(QString()); // several providers share the server
    }
    std::unique_ptr<AccountManager> makeManager(SecretStore* store = nullptr)
    {
        auto m = std::make_unique<AccountManager>(store ? store : &secrets, metadataPath(), &clock, &nam);
        m->setProviders(specs);
        m->setCheckIntervalMs(0); // the tests call checkExpiry() themselves
        return m;
    }
    QString metadataPath() const { return dir.filePath(QStringLiteral("accounts.json")); }

    bool ok = false;
    FakeAuthServer server;
    TestClock clock;
    MemorySecretStore secrets;
    QTemporaryDir dir;
    QNetworkAccessManager nam;
    QList<OAuthProviderSpec> specs;
};

} // namespace

class TestAccountManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addChatGpt();
    void addClaude();
    void addClaudeWithoutIdentity();
    void addGoogleOnboarded();
    void addGoogleNeedsOnboarding();
    void addUnknownProvider();
    void loadRestores();
    void loadEnvironmentOverride();
    void refreshSuccess();
    void refreshInvalidGrant();
    void refreshOffline();
    void refreshOfflineAfterExpiry();
    void concurrentRefreshIsShared();
    void freshTokenIsSynchronous();
    void reportUnauthorized();
    void removeAccount();
};

void TestAccountManager::addChatGpt()
{
    World w;
    QVERIFY(w.ok);
    w.server.setIdentity(QStringLiteral("Alice@Example.com"), QStringLiteral("acct-42"), QStringLiteral("pro"));
    auto m = w.makeManager();
    QSignalSpy changed(m.get(), &AccountManager::accountsChanged);
    const TokenSet tokens = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), tokens);
    QVERIFY2(added.ok, qPrintable(added.error));
    const Account a = added.account;
    QVERIFY(a.id.startsWith(QLatin1String("chatgpt-")));
    QCOMPARE(a.type, QStringLiteral("chatgpt-codex"));
    QCOMPARE(a.provider, QStringLiteral("chatgpt"));
    QCOMPARE(a.email, QStringLiteral("Alice@Example.com"));
    QCOMPARE(a.label, a.email);
    QCOMPARE(a.meta.value(QLatin1String("chatgpt_account_id")).toString(), QStringLiteral("acct-42"));
    QCOMPARE(a.plan, QStringLiteral("pro"));
    QCOMPARE(a.source, QStringLiteral("login"));
    QCOMPARE(a.state, Account::State::Ready);
    QCOMPARE(a.expiresAtMs, tokens.expiresAtMs);
    QCOMPARE(a.createdAtMs, w.clock.nowMs());
    QVERIFY(!changed.isEmpty());
    QVERIFY(w.server.requests().isEmpty()); // everything came from the id_token
    QCOMPARE(m->accounts().size(), 1);
    QVERIFY(m->accessToken(a.id) == tokens.accessToken);

    // Tokens in the secret store under account:<id>.
    const SecretResult stored = readSecret(w.secrets, QStringLiteral("account:") + a.id);
    QVERIFY(stored.ok());
    QVERIFY(sameTokens(TokenSet::fromJson(stored.value), tokens));

    // Metadata on disk, without a single token.
    const QByteArray file = readFile(w.metadataPath());
    QVERIFY(!file.isEmpty());
    QVERIFY(file.contains(a.id.toUtf8()));
    QVERIFY(file.contains("acct-42"));
    for (const QString& secret : {tokens.accessToken, tokens.refreshToken, tokens.idToken})
        QVERIFY(!file.contains(secret.toUtf8()));
    QVERIFY(!file.contains("fake-at-") && !file.contains("fake-rt-"));
    QCOMPARE(QFile(w.metadataPath()).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
        QFileDevice::Permissions());
    const QByteArray status = QJsonDocument(m->status()).toJson();
    for (const QString& secret : {tokens.accessToken, tokens.refreshToken, tokens.idToken})
        QVERIFY(!status.contains(secret.toUtf8()));

    // The same identity again (a new login) updates the account in place.
    w.clock.advance(60'000);
    const TokenSet again = issueTokens(w.server, w.clock);
    const AddResult second = addAccount(*m, QStringLiteral("chatgpt-codex"), again);
    QVERIFY2(second.ok, qPrintable(second.error));
    QCOMPARE(second.account.id, a.id);
    QCOMPARE(second.account.createdAtMs, a.createdAtMs);
    QCOMPARE(m->accounts().size(), 1);
    QVERIFY(m->accessToken(a.id) == again.accessToken);
}

void TestAccountManager::addClaude()
{
    World w;
    QVERIFY(w.ok);
    w.server.setTokenExtra(parseObject("{\"account\":{\"uuid\":\"u-1\",\"email_address\":\"claude@example.com\"},"
                                       "\"organization\":{\"uuid\":\"o-1\",\"name\":\"Example Org\"}}"));
    auto m = w.makeManager();
    const TokenSet tokens = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("claude"), tokens);
    QVERIFY2(added.ok, qPrintable(added.error));
    QVERIFY(added.account.id.startsWith(QLatin1String("claude-")));
    QCOMPARE(added.account.type, QStringLiteral("claude"));
    QCOMPARE(added.account.email, QStringLiteral("claude@example.com"));
    QCOMPARE(added.account.meta.value(QLatin1String("organization")).toString(), QStringLiteral("Example Org"));
    QVERIFY(w.server.requests().isEmpty());
    const SecretResult stored = readSecret(w.secrets, QStringLiteral("account:") + added.account.id);
    QVERIFY(stored.ok());
    const TokenSet back = TokenSet::fromJson(stored.value);
    QVERIFY(sameTokens(back, tokens));
    QCOMPARE(back.extra, tokens.extra);
}

void TestAccountManager::addClaudeWithoutIdentity()
{
    // An imported Claude login has no "account" in its token set: the profile endpoint names the user and plan.
    World w;
    QVERIFY(w.ok);
    w.server.setIdentity(QStringLiteral("imported@example.com"), QString(), QStringLiteral("max"));
    auto m = w.makeManager();
    const TokenSet tokens = issueTokens(w.server, w.clock);
    QVERIFY(tokens.extra.isEmpty());
    const AddResult added = addAccount(*m, QStringLiteral("claude"), tokens);
    QVERIFY2(added.ok, qPrintable(added.error));
    QCOMPARE(w.server.problems(), QStringList());
    QCOMPARE(added.account.email, QStringLiteral("imported@example.com"));
    QCOMPARE(added.account.plan, QStringLiteral("max"));
    QCOMPARE(w.server.count(Endpoint::ClaudeProfile), 1);
    QVERIFY(w.server.requests(Endpoint::ClaudeProfile).first().bearer() == tokens.accessToken);
}

void TestAccountManager::addGoogleOnboarded()
{
    World w;
    QVERIFY(w.ok);
    w.server.setIdentity(QStringLiteral("gem@example.com"), QString(), QString());
    w.server.setCodeAssistOnboarded(true);
    auto m = w.makeManager();
    const TokenSet tokens = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("google"), tokens);
    QVERIFY2(added.ok, qPrintable(added.error));
    QCOMPARE(w.server.problems(), QStringList());
    QVERIFY(added.account.id.startsWith(QLatin1String("google-")));
    QCOMPARE(added.account.type, QStringLiteral("google-gemini"));
    QCOMPARE(added.account.email, QStringLiteral("gem@example.com"));
    QCOMPARE(added.account.meta.value(QLatin1String("project_id")).toString(), QStringLiteral("proj-123"));
    QCOMPARE(added.account.plan, QStringLiteral("free-tier"));
    QVERIFY(added.account.lastError.isEmpty());
    QCOMPARE(w.server.count(Endpoint::UserInfo), 1);
    QVERIFY(w.server.requests(Endpoint::UserInfo).first().bearer() == tokens.accessToken);
    QCOMPARE(w.server.count(Endpoint::LoadCodeAssist), 1);
    QVERIFY(w.server.requests(Endpoint::LoadCodeAssist).first().bearer() == tokens.accessToken);
    QCOMPARE(w.server.count(Endpoint::OnboardUser), 0);
}

void TestAccountManager::addGoogleNeedsOnboarding()
{
    World w;
    QVERIFY(w.ok);
    w.server.setIdentity(QStringLiteral("new@example.com"), QString(), QString());
    w.server.setCodeAssistOnboarded(false);
    auto m = w.makeManager();
    const TokenSet tokens = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("google"), tokens);
    QVERIFY2(added.ok, qPrintable(added.error));
    QCOMPARE(w.server.problems(), QStringList());
    QCOMPARE(added.account.email, QStringLiteral("new@example.com"));
    QCOMPARE(added.account.meta.value(QLatin1String("project_id")).toString(), QStringLiteral("proj-456"));
    QCOMPARE(added.account.plan, QStringLiteral("free-tier"));
    QCOMPARE(w.server.count(Endpoint::LoadCodeAssist), 1);
    QCOMPARE(w.server.count(Endpoint::OnboardUser), 1);
    const AuthRequest onboard = w.server.requests(Endpoint::OnboardUser).first();
    QCOMPARE(onboard.param(QStringLiteral("tierId")), QStringLiteral("free-tier")); // the default allowed tier
    QVERIFY(onboard.bearer() == tokens.accessToken);
}

void TestAccountManager::addUnknownProvider()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const AddResult unknown = addAccount(*m, QStringLiteral("nope"), issueTokens(w.server, w.clock));
    QVERIFY(unknown.done && !unknown.ok);
    const AddResult empty = addAccount(*m, QStringLiteral("chatgpt"), TokenSet());
    QVERIFY(empty.done && !empty.ok);
    QVERIFY(m->accounts().isEmpty());
}

void TestAccountManager::loadRestores()
{
    World w;
    QVERIFY(w.ok);
    QString chatgptId;
    QString claudeId;
    TokenSet chatgptTokens;
    TokenSet claudeTokens;
    {
        auto m = w.makeManager();
        chatgptTokens = issueTokens(w.server, w.clock);
        const AddResult a = addAccount(*m, QStringLiteral("chatgpt"), chatgptTokens);
        QVERIFY(a.ok);
        chatgptId = a.account.id;
        w.server.setTokenExtra(parseObject("{\"account\":{\"email_address\":\"c@example.com\"}}"));
        claudeTokens = issueTokens(w.server, w.clock);
        const AddResult b = addAccount(*m, QStringLiteral("claude"), claudeTokens);
        QVERIFY(b.ok);
        claudeId = b.account.id;
        m->setLabel(claudeId, QStringLiteral("Work"));
    }
    auto m2 = w.makeManager();
    QSignalSpy changed(m2.get(), &AccountManager::accountsChanged);
    const Done loaded = run([&](AccountManager::Done d) { m2->load(std::move(d)); });
    QVERIFY2(loaded.ok, qPrintable(loaded.error));
    QCOMPARE(m2->accounts().size(), 2);
    QVERIFY(!changed.isEmpty());
    const Account* a = m2->account(chatgptId);
    QVERIFY(a);
    QCOMPARE(a->state, Account::State::Ready);
    QCOMPARE(a->meta.value(QLatin1String("chatgpt_account_id")).toString(), QStringLiteral("acct-0001"));
    QCOMPARE(a->expiresAtMs, chatgptTokens.expiresAtMs);
    QVERIFY(m2->accessToken(chatgptId) == chatgptTokens.accessToken);
    const Account* b = m2->account(claudeId);
    QVERIFY(b);
    QCOMPARE(b->email, QStringLiteral("c@example.com"));
    QCOMPARE(b->label, QStringLiteral("Work"));
    QVERIFY(m2->accessToken(claudeId) == claudeTokens.accessToken);
    QCOMPARE(m2->accountsOfType(QStringLiteral("claude")).size(), 1);

    // An account whose tokens are gone needs a new login.
    auto gone = std::make_shared<bool>(false);
    w.secrets.remove(QStringLiteral("account:") + claudeId, [gone](const SecretResult&) { *gone = true; });
    QTRY_VERIFY_WITH_TIMEOUT(*gone, WaitMs);
    auto m3 = w.makeManager();
    QVERIFY(run([&](AccountManager::Done d) { m3->load(std::move(d)); }).ok);
    QCOMPARE(m3->account(claudeId)->state, Account::State::NeedsLogin);
    QVERIFY(m3->accessToken(claudeId).isEmpty());
    QCOMPARE(m3->account(chatgptId)->state, Account::State::Ready);
}

void TestAccountManager::loadEnvironmentOverride()
{
    World w;
    QVERIFY(w.ok);
    QString id;
    {
        auto m = w.makeManager();
        const AddResult a = addAccount(*m, QStringLiteral("chatgpt"), issueTokens(w.server, w.clock));
        QVERIFY(a.ok);
        id = a.account.id;
    }
    const QString name = secretEnvironmentName(QStringLiteral("account:") + id);
    QCOMPARE(
        name, QStringLiteral("SWITCHYARD_SECRET_ACCOUNT_") + id.toUpper().replace(QLatin1Char('-'), QLatin1Char('_')));

    // A headless run: the secret store is empty, the token set comes from the environment.
    const TokenSet fromEnv = issueTokens(w.server, w.clock);
    MemorySecretStore empty;
    auto m = w.makeManager(&empty);
    QHash<QString, QString> env;
    env.insert(name, QString::fromUtf8(fromEnv.toJson()));
    m->setEnvironment(env);
    const Done loaded = run([&](AccountManager::Done d) { m->load(std::move(d)); });
    QVERIFY2(loaded.ok, qPrintable(loaded.error));
    QCOMPARE(m->account(id)->state, Account::State::Ready);
    QVERIFY(m->accessToken(id) == fromEnv.accessToken);

    // The environment also wins over a stored token set.
    auto stored = w.makeManager();
    stored->setEnvironment(env);
    QVERIFY(run([&](AccountManager::Done d) { stored->load(std::move(d)); }).ok);
    QVERIFY(stored->accessToken(id) == fromEnv.accessToken);

    // Refreshed tokens of an environment account are not written to the store.
    const Done refreshed = run([&](AccountManager::Done d) { m->refresh(id, std::move(d)); });
    QVERIFY2(refreshed.ok, qPrintable(refreshed.error));
    QVERIFY(m->accessToken(id) == w.server.lastAccessToken());
    QCOMPARE(readSecret(empty, QStringLiteral("account:") + id).status, SecretResult::Status::NotFound);
}

void TestAccountManager::refreshSuccess()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const TokenSet original = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), original);
    QVERIFY(added.ok);
    const QString id = added.account.id;

    w.clock.advance(3500'000); // within the refresh margin of the hour
    w.server.setExpiresIn(7200);
    w.server.setIdentity(QStringLiteral("user@example.com"), QStringLiteral("acct-0001"), QStringLiteral("pro"));
    QSignalSpy states(m.get(), &AccountManager::accountStateChanged);
    const Done refreshed = run([&](AccountManager::Done d) { m->refresh(id, std::move(d)); });
    QVERIFY2(refreshed.ok, qPrintable(refreshed.error));
    QCOMPARE(w.server.count(Endpoint::Refresh), 1);
    const AuthRequest r = w.server.requests(Endpoint::Refresh).first();
    QVERIFY(r.param(QStringLiteral("refresh_token")) == original.refreshToken);
    QCOMPARE(r.param(QStringLiteral("client_id")), m->spec(QStringLiteral("chatgpt"))->clientId);
    QVERIFY(!r.jsonBody);

    const QString fresh = m->accessToken(id);
    QVERIFY(fresh == w.server.lastAccessToken());
    QVERIFY(fresh != original.accessToken);
    const Account* a = m->account(id);
    QCOMPARE(a->state, Account::State::Ready);
    QCOMPARE(a->expiresAtMs, w.clock.nowMs() + 7200 * 1000);
    QCOMPARE(a->lastRefreshMs, w.clock.nowMs());
    QCOMPARE(a->plan, QStringLiteral("pro")); // claims of the new id_token
    QVERIFY(states.count() >= 2);
    QCOMPARE(states.first().at(1).value<Account::State>(), Account::State::Refreshing);
    QCOMPARE(states.last().at(1).value<Account::State>(), Account::State::Ready);

    // Persisted: the secret store has the new set, the metadata file the new expiry.
    QTRY_VERIFY_WITH_TIMEOUT(
        TokenSet::fromJson(readSecret(w.secrets, QStringLiteral("account:") + id).value).accessToken == fresh, WaitMs);
    const TokenSet stored = TokenSet::fromJson(readSecret(w.secrets, QStringLiteral("account:") + id).value);
    QVERIFY(stored.refreshToken == w.server.lastRefreshToken());
    QCOMPARE(stored.expiresAtMs, w.clock.nowMs() + 7200 * 1000);
    const QJsonObject onDisk = storedAccount(w.metadataPath(), id);
    QCOMPARE(qint64(onDisk.value(QLatin1String("expires_at_ms")).toDouble()), w.clock.nowMs() + 7200 * 1000);
    QVERIFY(!readFile(w.metadataPath()).contains(fresh.toUtf8()));
}

void TestAccountManager::refreshInvalidGrant()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const TokenSet original = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), original);
    QVERIFY(added.ok);
    const QString id = added.account.id;
    w.server.setRefreshFailure(FakeAuthServer::Failure::InvalidGrant);
    QSignalSpy states(m.get(), &AccountManager::accountStateChanged);
    QSignalSpy warnings(m.get(), &AccountManager::warning);
    const Done refreshed = run([&](AccountManager::Done d) { m->refresh(id, std::move(d)); });
    QVERIFY(refreshed.done);
    QVERIFY(!refreshed.ok);
    QVERIFY(refreshed.error.contains(QLatin1String("invalid_grant")));
    QCOMPARE(stateName(m->account(id)->state), "NeedsLogin");
    QVERIFY(!states.isEmpty());
    QCOMPARE(states.last().at(0).toString(), id);
    QCOMPARE(stateName(states.last().at(1).value<Account::State>()), "NeedsLogin");
    QCOMPARE(warnings.count(), 1);
    QCOMPARE(
        storedAccount(w.metadataPath(), id).value(QLatin1String("state")).toString(), QStringLiteral("needs-login"));

    // A NeedsLogin account is left alone: no token, no automatic refresh.
    bool called = false;
    bool ok = true;
    m->withFreshToken(id, this, [&](bool good, const QString&, const QString&) {
        called = true;
        ok = good;
    });
    QVERIFY(called);
    QVERIFY(!ok);
    w.clock.advance(3600'000);
    m->checkExpiry();
    m->reportUnauthorized(id);
    QVERIFY(!isRefreshing(*m, id));
    QCOMPARE(w.server.count(Endpoint::Refresh), 1);
}

void TestAccountManager::refreshOffline()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const TokenSet original = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), original);
    QVERIFY(added.ok);
    const QString id = added.account.id;
    w.server.setRefreshFailure(FakeAuthServer::Failure::Drop);

    // One minute before expiry: due for a refresh, still usable.
    w.clock.set(original.expiresAtMs - 60'000);
    m->checkExpiry();
    QVERIFY(isRefreshing(*m, id));
    QTRY_VERIFY_WITH_TIMEOUT(!isRefreshing(*m, id), WaitMs);
    const int afterFirst = w.server.count(Endpoint::Refresh);
    QVERIFY(afterFirst >= 1); // QNetworkAccessManager may resend a request that got no answer once
    const Account* a = m->account(id);
    QCOMPARE(stateName(a->state), "Ready");
    QVERIFY2(a->lastError.contains(QLatin1String("retrying in 15 s")), qPrintable(a->lastError));
    QVERIFY(m->accessToken(id) == original.accessToken);
    QVERIFY(sameTokens(TokenSet::fromJson(readSecret(w.secrets, QStringLiteral("account:") + id).value), original));

    // Within the backoff: no new request, and callers get the still-valid token at once.
    w.clock.advance(AccountManager::kRetryBaseMs - 1000);
    m->checkExpiry();
    QVERIFY(!isRefreshing(*m, id));
    bool called = false;
    m->withFreshToken(
        id, this, [&](bool ok, const QString& token, const QString&) { called = ok && token == original.accessToken; });
    QVERIFY(called);
    QVERIFY(!isRefreshing(*m, id));

    // After the backoff: tried again, and the next backoff is twice as long.
    w.clock.advance(2000);
    m->checkExpiry();
    QVERIFY(isRefreshing(*m, id));
    QTRY_VERIFY_WITH_TIMEOUT(!isRefreshing(*m, id), WaitMs);
    QVERIFY(w.server.count(Endpoint::Refresh) > afterFirst);
    QCOMPARE(stateName(m->account(id)->state), "Ready");
    QVERIFY2(
        m->account(id)->lastError.contains(QLatin1String("retrying in 30 s")), qPrintable(m->account(id)->lastError));
    const int afterSecond = w.server.count(Endpoint::Refresh);
    w.clock.advance(20'000);
    m->checkExpiry();
    QVERIFY(!isRefreshing(*m, id));

    // Back online.
    w.server.setRefreshFailure(FakeAuthServer::Failure::None);
    w.clock.advance(11'000);
    m->checkExpiry();
    QVERIFY(isRefreshing(*m, id));
    QTRY_VERIFY_WITH_TIMEOUT(!isRefreshing(*m, id), WaitMs);
    QCOMPARE(w.server.count(Endpoint::Refresh), afterSecond + 1);
    QCOMPARE(stateName(m->account(id)->state), "Ready");
    QVERIFY(m->account(id)->lastError.isEmpty());
    QVERIFY(m->accessToken(id) == w.server.lastAccessToken());
}

void TestAccountManager::refreshOfflineAfterExpiry()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const TokenSet original = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), original);
    QVERIFY(added.ok);
    const QString id = added.account.id;
    w.server.setRefreshFailure(FakeAuthServer::Failure::ServerError);
    w.clock.set(original.expiresAtMs + 1000);
    auto result = std::make_shared<std::optional<bool>>();
    m->withFreshToken(id, this, [result](bool ok, const QString&, const QString&) { *result = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(result->has_value(), WaitMs);
    QVERIFY(!result->value()); // expired and not refreshed: no token to hand out
    QCOMPARE(w.server.count(Endpoint::Refresh), 1);
    QCOMPARE(stateName(m->account(id)->state), "Error"); // not NeedsLogin: being offline logs nobody out
    QVERIFY(m->accessToken(id) == original.accessToken); // kept for the next attempt
}

void TestAccountManager::concurrentRefreshIsShared()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const TokenSet original = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), original);
    QVERIFY(added.ok);
    const QString id = added.account.id;
    w.clock.set(original.expiresAtMs - 60'000);
    w.server.setHoldTokenRequests(true);

    QStringList tokens(2);
    int answered = 0;
    bool refreshOk = false;
    m->withFreshToken(id, this, [&](bool ok, const QString& token, const QString&) {
        ++answered;
        if (ok)
            tokens[0] = token;
    });
    QVERIFY(isRefreshing(*m, id));
    QTRY_COMPARE_WITH_TIMEOUT(w.server.heldCount(), 1, WaitMs); // the request is at the server
    m->withFreshToken(id, this, [&](bool ok, const QString& token, const QString&) {
        ++answered;
        if (ok)
            tokens[1] = token;
    });
    m->refresh(id, [&](bool ok, const QString&) {
        ++answered;
        refreshOk = ok;
    });
    QCOMPARE(answered, 0);
    w.server.releaseHeld();
    QTRY_COMPARE_WITH_TIMEOUT(answered, 3, WaitMs);
    QCOMPARE(w.server.count(Endpoint::Refresh), 1);
    QVERIFY(refreshOk);
    QVERIFY(!tokens.at(0).isEmpty());
    QVERIFY(tokens.at(0) == w.server.lastAccessToken());
    QVERIFY(tokens.at(1) == w.server.lastAccessToken());
    QVERIFY(tokens.at(0) != original.accessToken);

    // Two calls back to back, before the event loop runs: still one request.
    w.server.setHoldTokenRequests(false);
    w.clock.set(m->account(id)->expiresAtMs - 60'000);
    int done = 0;
    m->withFreshToken(id, this, [&](bool ok, const QString&, const QString&) { done += ok ? 1 : 100; });
    m->withFreshToken(id, this, [&](bool ok, const QString&, const QString&) { done += ok ? 1 : 100; });
    QTRY_COMPARE_WITH_TIMEOUT(done, 2, WaitMs);
    QCOMPARE(w.server.count(Endpoint::Refresh), 2);
}

void TestAccountManager::freshTokenIsSynchronous()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const TokenSet original = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), original);
    QVERIFY(added.ok);
    const QString id = added.account.id;
    w.clock.advance(30 * 60 * 1000); // half an hour left: fresh
    bool called = false;
    bool same = false;
    m->withFreshToken(id, this, [&](bool ok, const QString& token, const QString&) {
        called = true;
        same = ok && token == original.accessToken;
    });
    QVERIFY(called);
    QVERIFY(same);
    QVERIFY(!isRefreshing(*m, id));
    m->checkExpiry();
    QVERIFY(!isRefreshing(*m, id));
    QCOMPARE(w.server.count(Endpoint::Refresh), 0);

    // Unknown account: answered at once, with an error.
    bool unknownOk = true;
    m->withFreshToken(
        QStringLiteral("chatgpt-00000000"), this, [&](bool ok, const QString&, const QString&) { unknownOk = ok; });
    QVERIFY(!unknownOk);
}

void TestAccountManager::reportUnauthorized()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const TokenSet original = issueTokens(w.server, w.clock);
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), original);
    QVERIFY(added.ok);
    const QString id = added.account.id;

    // Right after the login a 401 is not the token's fault: nothing happens.
    m->reportUnauthorized(id);
    QVERIFY(!isRefreshing(*m, id));

    w.clock.advance(20'000); // the token looks fresh, but the upstream refused it
    m->reportUnauthorized(id);
    QVERIFY(isRefreshing(*m, id));
    m->reportUnauthorized(id); // a second 401 meanwhile joins the same refresh
    QTRY_VERIFY_WITH_TIMEOUT(!isRefreshing(*m, id), WaitMs);
    QCOMPARE(w.server.count(Endpoint::Refresh), 1);
    QVERIFY(m->accessToken(id) == w.server.lastAccessToken());
    QVERIFY(m->accessToken(id) != original.accessToken);
    QCOMPARE(stateName(m->account(id)->state), "Ready");

    // A refused refresh after a 401 means a new login.
    w.server.setRefreshFailure(FakeAuthServer::Failure::InvalidGrant);
    w.clock.advance(20'000);
    QSignalSpy states(m.get(), &AccountManager::accountStateChanged);
    m->reportUnauthorized(id);
    QTRY_VERIFY_WITH_TIMEOUT(!isRefreshing(*m, id), WaitMs);
    QCOMPARE(w.server.count(Endpoint::Refresh), 2);
    QCOMPARE(stateName(m->account(id)->state), "NeedsLogin");
    QCOMPARE(stateName(states.last().at(1).value<Account::State>()), "NeedsLogin");
}

void TestAccountManager::removeAccount()
{
    World w;
    QVERIFY(w.ok);
    auto m = w.makeManager();
    const AddResult added = addAccount(*m, QStringLiteral("chatgpt"), issueTokens(w.server, w.clock));
    QVERIFY(added.ok);
    const QString id = added.account.id;
    const QString key = QStringLiteral("account:") + id;
    QVERIFY(readSecret(w.secrets, key).ok());
    const Done removed = run([&](AccountManager::Done d) { m->removeAccount(id, std::move(d)); });
    QVERIFY2(removed.ok, qPrintable(removed.error));
    QCOMPARE(readSecret(w.secrets, key).status, SecretResult::Status::NotFound);
    QVERIFY(m->accounts().isEmpty());
    QVERIFY(m->accessToken(id).isEmpty());
    QVERIFY(storedAccount(w.metadataPath(), id).isEmpty());
    const Done again = run([&](AccountManager::Done d) { m->removeAccount(id, std::move(d)); });
    QVERIFY(again.done && !again.ok);

    // A manager loaded afterwards does not bring it back.
    auto m2 = w.makeManager();
    QVERIFY(run([&](AccountManager::Done d) { m2->load(std::move(d)); }).ok);
    QVERIFY(m2->accounts().isEmpty());
}

QTEST_GUILESS_MAIN(TestAccountManager)
#include "tst_accountmanager.moc"
