// OAuth accounts as pool members, end to end: a client, the gateway, an account's upstream (a scripted fake that
// also plays the token endpoint). Checks what each subscription backend needs on the wire.

#include "fakeauthserver.h"
#include "fakeupstream.h"
#include "testclock.h"

#include "accounts/accountmanager.h"
#include "config/config.h"
#include "gateway/gatewayservice.h"
#include "secrets/secretstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace sy;

namespace {

QByteArray chatgptIdToken()
{
    return base64Url("{\"alg\":\"none\"}") + '.'
        + base64Url(
            "{\"email\":\"dev@example.com\",\"https://api.openai.com/auth\":{\"chatgpt_account_id\":\"acct-42\","
            "\"chatgpt_plan_type\":\"pro\"}}")
        + ".sig";
}

QByteArray responsesStream(const QByteArray& text)
{
    return "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"model\":"
           "\"gpt-5-codex\",\"status\":\"in_progress\",\"output\":[]}}\n\n"
           "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"output_index\":0,"
           "\"item\":{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[]}}\n\n"
           "event: response.content_part.added\ndata: {\"type\":\"response.content_part.added\",\"item_id\":\"msg_1\","
           "\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"\"}}\n\n"
           "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\","
           "\"output_index\":0,\"content_index\":0,\"delta\":\""
        + text
        + "\"}\n\n"
          "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"output_index\":0,"
          "\"item\":{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[{\"type\":"
          "\"output_text\",\"text\":\""
        + text
        + "\"}]}}\n\n"
          "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\","
          "\"status\":\"completed\",\"output\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n";
}

QByteArray anthropicStream(const QByteArray& text)
{
    return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
           "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
           "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
           "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
           "{\"type\":\"text\",\"text\":\"\"}}\n\n"
           "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
           "\"text_delta\",\"text\":\""
        + text
        + "\"}}\n\n"
          "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
          "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
          "\"usage\":{\"output_tokens\":2}}\n\n"
          "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
}

QByteArray codeAssistStream(const QByteArray& text)
{
    return "data: {\"response\":{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"" + text
        + "\"}]}}],\"modelVersion\":\"gemini-2.5-pro\"},\"traceId\":\"t1\"}\r\n\r\n"
          "data: {\"response\":{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"!\"}]},"
          "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":2,"
          "\"totalTokenCount\":6}},\"traceId\":\"t1\"}\r\n\r\n";
}

QByteArray tokenJson(const QByteArray& access, const QByteArray& refresh, int expiresIn = 3600)
{
    return "{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh
        + "\",\"token_type\":\"Bearer\",\"expires_in\":" + QByteArray::number(expiresIn) + "}";
}

// Every log line of the run (all switchyard categories at debug level), scanned for tokens at the end.
QByteArray g_log;
QtMessageHandler g_previousHandler = nullptr;
void captureLog(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    g_log += message.toUtf8() + '\n';
    if (type != QtDebugMsg && type != QtInfoMsg && g_previousHandler)
        g_previousHandler(type, context, message);
}

// Every token and key used below.
const char* const kTokens[] = {"at-chatgpt-1", "rt-chatgpt-1", "sk-ant-oat01-test", "sk-ant-ort01-test",
    "ya29.test-google", "1//rt-google", "sk-ant-oat01-old", "sk-ant-ort01-old", "sk-ant-oat01-new", "sk-ant-ort01-new",
    "sk-ant-ort01-revoked", "sk-ant-oat01-a", "sk-ant-ort01-a", "sk-ant-oat01-b", "sk-ant-ort01-b",
    "sk-ant-oat01-statuscheck", "sk-ant-ort01-statuscheck", "client-own-key"};

} // namespace

class TestAccountGateway : public QObject
{
    Q_OBJECT

    std::unique_ptr<FakeUpstream> m_up;
    std::unique_ptr<MemorySecretStore> m_secrets;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<AccountManager> m_accounts;
    std::unique_ptr<GatewayService> m_gateway;
    TestClock m_clock;
    QList<RequestRecord> m_records;
    QTemporaryDir m_dir;

    // Every login provider's token endpoint and upstream point at the fake; routes send everything to `target`.
    void start(const QByteArray& target)
    {
        const QByteArray base = m_up->baseUrl().toUtf8();
        const QByteArray cfg = "{\"providers\":[],\"routes\":[{\"match\":\"*\",\"to\":[\"" + target
            + "\"]}],"
              "\"oauth\":{"
              "\"chatgpt\":{\"token_url\":\""
            + base + "/oauth/token\",\"upstream\":{\"base_url\":\"" + base
            + "/backend-api/codex\"}},"
              "\"claude\":{\"token_url\":\""
            + base + "/v1/oauth/token\",\"userinfo_url\":\"\",\"upstream\":{\"base_url\":\"" + base
            + "\"}},"
              "\"google\":{\"token_url\":\""
            + base + "/token\",\"userinfo_url\":\"" + base + "/userinfo\",\"upstream\":{\"base_url\":\"" + base
            + "/v1internal\"}}}}";
        auto config = parseConfig(cfg, {});
        QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error()));
        m_accounts = std::make_unique<AccountManager>(
            m_secrets.get(), m_dir.filePath(QStringLiteral("accounts.json")), &m_clock, m_nam.get());
        m_accounts->setCheckIntervalMs(0);
        m_gateway = std::make_unique<GatewayService>();
        m_gateway->setClock(&m_clock);
        m_gateway->setConfig(*config);
        m_gateway->setAccounts(m_accounts.get());
        m_gateway->setListenOverride(QHostAddress::LocalHost, 0);
        m_gateway->setKeepAliveInterval(0);
        connect(m_gateway.get(), &GatewayService::requestCompleted, this,
            [this](const RequestRecord& r) { m_records.append(r); });
        QVERIFY(m_gateway->start());
    }

    Account addAccount(const QString& provider, const TokenSet& tokens)
    {
        bool done = false;
        Account added;
        m_accounts->addAccount(
            provider, tokens, QStringLiteral("login"), [&](bool ok, const Account& a, const QString& error) {
                if (!ok)
                    qWarning() << "addAccount failed:" << error;
                added = a;
                done = true;
            });
        [&]() { QTRY_VERIFY_WITH_TIMEOUT(done, 10000); }();
        return added;
    }

    ParsedResponse post(const QByteArray& path, const QByteArray& body, const QByteArray& extraHeaders = {})
    {
        return request("POST " + path, body, extraHeaders);
    }

    // The gateway runs on this thread: wait with the event loop running.
    ParsedResponse request(const QByteArray& line, const QByteArray& body, const QByteArray& extraHeaders = {})
    {
        return sendHttp(m_gateway->port(), line, body, extraHeaders);
    }

    static QByteArray messages(bool stream, const QByteArray& model = "claude-sonnet-4-5")
    {
        return "{\"model\":\"" + model + "\",\"max_tokens\":1000,\"stream\":" + (stream ? "true" : "false")
            + ",\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
    }

private Q_SLOTS:
    void initTestCase()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("switchyard.*=true"));
        g_previousHandler = qInstallMessageHandler(captureLog);
    }

    void cleanupTestCase()
    {
        qInstallMessageHandler(g_previousHandler);
        QVERIFY(g_log.size() > 0);
        for (const char* token : kTokens)
            QVERIFY2(!g_log.contains(token), "a token appeared in the log");
        // Nor in the accounts file.
        QFile f(m_dir.filePath(QStringLiteral("accounts.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray data = f.readAll();
        QVERIFY(data.contains("\"accounts\""));
        for (const char* token : kTokens)
            QVERIFY2(!data.contains(token), "a token appeared in accounts.json");
    }

    void init()
    {
        m_records.clear();
        m_up = std::make_unique<FakeUpstream>();
        QVERIFY(m_up->listen());
        m_secrets = std::make_unique<MemorySecretStore>();
        m_nam = std::make_unique<QNetworkAccessManager>();
        m_clock.set(1'800'000'000'000);
    }

    void cleanup()
    {
        m_gateway.reset();
        m_accounts.reset();
        m_up.reset();
    }

    // A Claude Code request (Anthropic, non-streaming) answered by a ChatGPT account through the Codex backend.
    void chatgptAccountUsesCodexBackend()
    {
        start("chatgpt/gpt-5-codex");
        TokenSet t;
        t.accessToken = QStringLiteral("at-chatgpt-1");
        t.refreshToken = QStringLiteral("rt-chatgpt-1");
        t.idToken = QString::fromLatin1(chatgptIdToken());
        t.expiresAtMs = m_clock.nowMs() + 3600'000;
        const Account a = addAccount(QStringLiteral("chatgpt"), t);
        QCOMPARE(a.email, QStringLiteral("dev@example.com"));
        QCOMPARE(a.plan, QStringLiteral("pro"));
        FakeReply reply = FakeReply::sse(responsesStream("Hello"), 3);
        reply.headers.append(qMakePair(QByteArrayLiteral("x-codex-primary-used-percent"), QByteArrayLiteral("42")));
        m_up->enqueue(reply);

        const ParsedResponse r = post("/v1/messages", messages(false));
        QCOMPARE(r.status, 200);
        const QJsonObject msg = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(msg.value(QLatin1String("content")).toArray().at(0).toObject().value(QLatin1String("text")).toString(),
            QStringLiteral("Hello"));

        QCOMPARE(m_up->requests().size(), 1);
        const ReceivedRequest& req = m_up->requests().first();
        QCOMPARE(req.path, QByteArray("/backend-api/codex/responses"));
        QVERIFY(req.header("authorization") == "Bearer at-chatgpt-1");
        QCOMPARE(req.header("chatgpt-account-id"), QByteArray("acct-42"));
        QCOMPARE(req.header("originator"), QByteArray("codex_cli_rs"));
        QVERIFY(!req.header("session_id").isEmpty());
        QVERIFY(req.header("x-api-key").isEmpty());
        const QJsonObject body = QJsonDocument::fromJson(req.body).object();
        QCOMPARE(body.value(QLatin1String("stream")).toBool(), true);
        QCOMPARE(body.value(QLatin1String("store")).toBool(true), false);
        QCOMPARE(body.value(QLatin1String("instructions")).toString(), QStringLiteral("Be brief."));
        QVERIFY(body.value(QLatin1String("include")).toArray().contains(QLatin1String("reasoning.encrypted_content")));
        QVERIFY(!body.contains(QLatin1String("max_output_tokens")));
        QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("gpt-5-codex"));

        // The plan usage the backend reports is kept with the account.
        QCOMPARE(m_accounts->account(a.id)->quota.value(QLatin1String("x-codex-primary-used-percent")).toString(),
            QStringLiteral("42"));
        QTRY_COMPARE(m_records.size(), 1);
        QCOMPARE(m_records.first().credentialId, a.id);
        QCOMPARE(m_records.first().providerId, QStringLiteral("chatgpt"));
    }

    // Claude Code with a Claude subscription account: byte passthrough, bearer token, OAuth beta added to the
    // client's own betas, the client's key never forwarded.
    void claudeAccountPassthroughAddsBearerAndBeta()
    {
        start("claude/claude-sonnet-4-5");
        TokenSet t;
        t.accessToken = QStringLiteral("sk-ant-oat01-test");
        t.refreshToken = QStringLiteral("sk-ant-ort01-test");
        t.expiresAtMs = m_clock.nowMs() + 3600'000;
        t.extra.insert(
            QLatin1String("account"), QJsonObject {{QLatin1String("email_address"), QLatin1String("me@example.com")}});
        const Account a = addAccount(QStringLiteral("claude"), t);
        QCOMPARE(a.email, QStringLiteral("me@example.com"));
        m_up->enqueue(FakeReply::sse(anthropicStream("Hi"), 2));

        const QByteArray body = messages(true);
        const ParsedResponse r = post("/v1/messages", body,
            "x-api-key: client-own-key\r\nanthropic-version: 2023-06-01\r\n"
            "anthropic-beta: interleaved-thinking-2025-05-14\r\n");
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains("\"text\":\"Hi\""));
        QCOMPARE(m_up->requests().size(), 1);
        const ReceivedRequest& req = m_up->requests().first();
        QCOMPARE(req.path, QByteArray("/v1/messages"));
        QVERIFY(req.header("authorization") == "Bearer sk-ant-oat01-test");
        QVERIFY(req.header("x-api-key").isEmpty());
        const QList<QByteArray> betas = req.header("anthropic-beta").split(',');
        QVERIFY(betas.contains("interleaved-thinking-2025-05-14"));
        QVERIFY(betas.contains("oauth-2025-04-20"));
        QCOMPARE(req.body, body); // same dialect: the body is relayed byte for byte
    }

    // An OpenAI Chat client answered by a Google account through Code Assist: the request is wrapped with the
    // account's project, and the wrapped stream is unwrapped.
    void googleAccountWrapsCodeAssist()
    {
        start("google/gemini-2.5-pro");
        m_up->enqueue(FakeReply::json(200, "{\"email\":\"g@example.com\"}"));
        m_up->enqueue(
            FakeReply::json(200, "{\"currentTier\":{\"id\":\"free-tier\"},\"cloudaicompanionProject\":\"proj-123\"}"));
        TokenSet t;
        t.accessToken = QStringLiteral("ya29.test-google");
        t.refreshToken = QStringLiteral("1//rt-google");
        t.expiresAtMs = m_clock.nowMs() + 3600'000;
        const Account a = addAccount(QStringLiteral("google"), t);
        QCOMPARE(a.email, QStringLiteral("g@example.com"));
        QCOMPARE(a.meta.value(QLatin1String("project_id")).toString(), QStringLiteral("proj-123"));
        QCOMPARE(m_up->requests().at(1).path, QByteArray("/v1internal:loadCodeAssist"));

        m_up->enqueue(FakeReply::sse(codeAssistStream("Hello"), 2));
        const ParsedResponse r = post("/v1/chat/completions",
            "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains("\"content\":\"Hello\""), r.body.constData());
        QVERIFY(r.body.contains("[DONE]"));
        const ReceivedRequest& req = m_up->requests().last();
        QCOMPARE(req.path, QByteArray("/v1internal:streamGenerateContent?alt=sse"));
        QVERIFY(req.header("authorization") == "Bearer ya29.test-google");
        const QJsonObject body = QJsonDocument::fromJson(req.body).object();
        QCOMPARE(body.value(QLatin1String("project")).toString(), QStringLiteral("proj-123"));
        QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("gemini-2.5-pro"));
        QVERIFY(body.value(QLatin1String("request")).toObject().contains(QLatin1String("contents")));
    }

    // A token close to expiry is refreshed before the request goes out, and the new token is used.
    void expiringTokenIsRefreshedFirst()
    {
        start("claude/claude-sonnet-4-5");
        TokenSet t;
        t.accessToken = QStringLiteral("sk-ant-oat01-old");
        t.refreshToken = QStringLiteral("sk-ant-ort01-old");
        t.expiresAtMs = m_clock.nowMs() + 60'000; // inside the refresh margin
        t.extra.insert(
            QLatin1String("account"), QJsonObject {{QLatin1String("email_address"), QLatin1String("x@example.com")}});
        addAccount(QStringLiteral("claude"), t);
        m_up->enqueue(FakeReply::json(200, tokenJson("sk-ant-oat01-new", "sk-ant-ort01-new")));
        m_up->enqueue(FakeReply::sse(anthropicStream("Fresh"), 1));

        const ParsedResponse r = post("/v1/messages", messages(false), "anthropic-version: 2023-06-01\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(m_up->requests().size(), 2);
        const ReceivedRequest& refresh = m_up->requests().at(0);
        QCOMPARE(refresh.path, QByteArray("/v1/oauth/token"));
        const QJsonObject form = QJsonDocument::fromJson(refresh.body).object(); // Claude's endpoint takes JSON
        QCOMPARE(form.value(QLatin1String("grant_type")).toString(), QStringLiteral("refresh_token"));
        QVERIFY(form.value(QLatin1String("refresh_token")).toString() == QLatin1String("sk-ant-ort01-old"));
        QVERIFY(m_up->requests().at(1).header("authorization") == "Bearer sk-ant-oat01-new");
    }

    // The provider refuses the refresh token: the account needs a new login, leaves the pool, and the client gets
    // a clear error naming the login command.
    void invalidGrantTakesAccountOutOfThePool()
    {
        start("claude/claude-sonnet-4-5");
        TokenSet t;
        t.accessToken = QStringLiteral("sk-ant-oat01-old");
        t.refreshToken = QStringLiteral("sk-ant-ort01-revoked");
        t.expiresAtMs = m_clock.nowMs() - 1000; // expired
        t.extra.insert(
            QLatin1String("account"), QJsonObject {{QLatin1String("email_address"), QLatin1String("y@example.com")}});
        const Account a = addAccount(QStringLiteral("claude"), t);
        m_up->enqueue(FakeReply::json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"revoked\"}"));

        const ParsedResponse r = post("/v1/messages", messages(false), "anthropic-version: 2023-06-01\r\n");
        QVERIFY(r.status >= 400);
        QCOMPARE(m_accounts->account(a.id)->state, Account::State::NeedsLogin);
        QCOMPARE(m_up->requests().size(), 1); // the refresh only; nothing reached the API

        const ParsedResponse again = post("/v1/messages", messages(false), "anthropic-version: 2023-06-01\r\n");
        QCOMPARE(again.status, 503);
        QVERIFY2(again.body.contains("switchyard account login claude"), again.body.constData());
        QCOMPARE(m_up->requests().size(), 1);
    }

    // Routing to a login provider nobody logged in to never forwards the client's own key there.
    void noAccountGivesClearErrorAndForwardsNothing()
    {
        start("chatgpt/gpt-5-codex");
        const ParsedResponse r
            = post("/v1/messages", messages(false), "x-api-key: client-own-key\r\nanthropic-version: 2023-06-01\r\n");
        QCOMPARE(r.status, 503);
        QVERIFY2(r.body.contains("no chatgpt account is logged in"), r.body.constData());
        QCOMPARE(m_up->requests().size(), 0);
        QTRY_COMPARE(m_records.size(), 1);
    }

    // An upstream 401 on an account triggers one token refresh (and the request fails over meanwhile).
    void unauthorizedTriggersRefresh()
    {
        start("claude/claude-sonnet-4-5");
        TokenSet t;
        t.accessToken = QStringLiteral("sk-ant-oat01-a");
        t.refreshToken = QStringLiteral("sk-ant-ort01-a");
        t.expiresAtMs = m_clock.nowMs() + 3600'000;
        t.extra.insert(
            QLatin1String("account"), QJsonObject {{QLatin1String("email_address"), QLatin1String("z@example.com")}});
        addAccount(QStringLiteral("claude"), t);
        m_clock.advance(60'000); // the login is not brand new
        m_up->enqueue(FakeReply::json(401,
            "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"OAuth token revoked\"}}"));
        m_up->enqueue(FakeReply::json(200, tokenJson("sk-ant-oat01-b", "sk-ant-ort01-b")));

        const ParsedResponse r = post("/v1/messages", messages(false), "anthropic-version: 2023-06-01\r\n");
        QVERIFY(r.status >= 400);
        QTRY_COMPARE(m_up->requests().size(), 2);
        QCOMPARE(m_up->requests().at(1).path, QByteArray("/v1/oauth/token"));
        QTRY_VERIFY(m_accounts->accessToken(m_accounts->accounts().first().id) == QLatin1String("sk-ant-oat01-b"));
    }

    // "keychain:ID" keys come from the secret store (asynchronously) or, for headless use, from
    // SWITCHYARD_SECRET_APIKEY_<ID>; the config file never holds them.
    void storedAndEnvironmentKeysAreUsed()
    {
        const QByteArray base = m_up->baseUrl().toUtf8();
        auto config = parseConfig("{\"providers\":["
                                  "{\"id\":\"a\",\"kind\":\"openai-chat\",\"base_url\":\""
                + base
                + "/a\",\"credentials\":[{\"api_key\":\"keychain:stored-one\"}]},"
                  "{\"id\":\"b\",\"kind\":\"openai-chat\",\"base_url\":\""
                + base
                + "/b\",\"credentials\":[{\"api_key\":\"keychain:env-one\"}]}],"
                  "\"routes\":[{\"match\":\"to-a\",\"to\":[\"a/m\"]},{\"match\":\"to-b\",\"to\":[\"b/m\"]}]}",
            {});
        QVERIFY(config.ok());
        bool written = false;
        m_secrets->write(
            QStringLiteral("apikey:stored-one"), "sk-from-the-store", [&](const SecretResult& r) { written = r.ok(); });
        QTRY_VERIFY(written);
        qputenv("SWITCHYARD_SECRET_APIKEY_ENV_ONE", "sk-from-the-environment");
        m_gateway = std::make_unique<GatewayService>();
        m_gateway->setConfig(*config);
        m_gateway->setSecretStore(m_secrets.get());
        m_gateway->setListenOverride(QHostAddress::LocalHost, 0);
        QVERIFY(m_gateway->start());
        const QByteArray reply
            = "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
              "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}";
        m_up->setDefault(FakeReply::json(200, reply));
        // The store answers from the event loop: the key is in place once the config has been re-applied.
        QTRY_VERIFY(!m_gateway->config().provider(QStringLiteral("a"))->credentials.first().apiKey.isEmpty());
        QCOMPARE(post("/v1/messages", messages(false, "to-a")).status, 200);
        QCOMPARE(post("/v1/messages", messages(false, "to-b")).status, 200);
        qunsetenv("SWITCHYARD_SECRET_APIKEY_ENV_ONE");
        QCOMPARE(m_up->requests().size(), 2);
        QVERIFY(m_up->requests().at(0).header("authorization") == "Bearer sk-from-the-store");
        QVERIFY(m_up->requests().at(1).header("authorization") == "Bearer sk-from-the-environment");
    }

    // The status API lists accounts without any token.
    void statusListsAccountsWithoutTokens()
    {
        start("claude/claude-sonnet-4-5");
        TokenSet t;
        t.accessToken = QStringLiteral("sk-ant-oat01-statuscheck");
        t.refreshToken = QStringLiteral("sk-ant-ort01-statuscheck");
        t.expiresAtMs = m_clock.nowMs() + 3600'000;
        t.extra.insert(
            QLatin1String("account"), QJsonObject {{QLatin1String("email_address"), QLatin1String("s@example.com")}});
        addAccount(QStringLiteral("claude"), t);
        const ParsedResponse r = request("GET /switchyard/v1/status", QByteArray());
        QCOMPARE(r.status, 200);
        QVERIFY(!r.body.contains("statuscheck"));
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        const QJsonArray accounts = o.value(QLatin1String("accounts")).toArray();
        QCOMPARE(accounts.size(), 1);
        QCOMPARE(accounts.at(0).toObject().value(QLatin1String("state")).toString(), QStringLiteral("ready"));
        bool claudeListed = false;
        for (const QJsonValue& p : o.value(QLatin1String("providers")).toArray())
            claudeListed |= p.toObject().value(QLatin1String("id")).toString() == QLatin1String("claude");
        QVERIFY(claudeListed);
    }
};

QTEST_GUILESS_MAIN(TestAccountGateway)
#include "tst_accountgateway.moc"
