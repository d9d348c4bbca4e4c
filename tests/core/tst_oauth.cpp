#include "fakeauthserver.h"
#include "oauth/oauthhttp.h"
#include "oauth/oauthlogin.h"
#include "oauth/oauthprovider.h"
#include "oauth/pkce.h"
#include "oauth/tokenset.h"
#include "testclock.h"

#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <cctype>
#include <memory>

using namespace sy;
using Endpoint = FakeAuthServer::Endpoint;

namespace {

constexpr int WaitMs = 10000;

const char* kindName(OAuthError::Kind kind)
{
    switch (kind) {
    case OAuthError::Kind::InvalidGrant:
        return "InvalidGrant";
    case OAuthError::Kind::Rejected:
        return "Rejected";
    case OAuthError::Kind::Server:
        return "Server";
    case OAuthError::Kind::Network:
        return "Network";
    case OAuthError::Kind::StateMismatch:
        return "StateMismatch";
    case OAuthError::Kind::Denied:
        return "Denied";
    case OAuthError::Kind::Expired:
        return "Expired";
    case OAuthError::Kind::Cancelled:
        return "Cancelled";
    case OAuthError::Kind::Protocol:
        return "Protocol";
    }
    return "?";
}

QJsonObject parseObject(const char* json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

// Starts a fake server and loads the provider `id` pointed at it (with `extra` overrides on top).
bool setUp(FakeAuthServer& server, const QString& id, OAuthProviderSpec* spec, const QJsonObject& extra = {})
{
    if (!server.listen())
        return false;
    *spec = server.provider(id, extra);
    if (spec->id != id) {
        qWarning("cannot load the %s spec: %s", qPrintable(id), qPrintable(server.lastSpecError()));
        return false;
    }
    server.setExpectedClientId(spec->clientId);
    return true;
}

// Watches one login's outcome.
struct LoginWatch
{
    explicit LoginWatch(OAuthLogin* login)
        : succeeded(login, &OAuthLogin::succeeded)
        , failed(login, &OAuthLogin::failed)
    {
    }
    bool ended() const { return succeeded.count() + failed.count() > 0; }
    TokenSet tokens() const { return succeeded.isEmpty() ? TokenSet() : succeeded.at(0).at(0).value<TokenSet>(); }
    OAuthError error() const { return failed.isEmpty() ? OAuthError() : failed.at(0).at(0).value<OAuthError>(); }
    QByteArray describe() const
    {
        if (failed.isEmpty())
            return succeeded.isEmpty() ? QByteArrayLiteral("still running") : QByteArrayLiteral("succeeded");
        const OAuthError e = error();
        return QByteArray("failed: ") + kindName(e.kind) + ": " + e.message.toUtf8();
    }
    QSignalSpy succeeded;
    QSignalSpy failed;
};

QString queryValue(const AuthRequest& r, const char* name)
{
    return r.query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
}

QString queryValue(const QUrl& url, const char* name)
{
    return QUrlQuery(url).queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
}

// True when nothing listens on 127.0.0.1:port any more.
bool connectionRefused(quint16 port)
{
    QTcpSocket probe;
    QSignalSpy connected(&probe, &QTcpSocket::connected);
    QSignalSpy error(&probe, &QTcpSocket::errorOccurred);
    probe.connectToHost(QHostAddress::LocalHost, port);
    (void)QTest::qWaitFor([&]() { return connected.count() + error.count() > 0; }, WaitMs);
    return connected.isEmpty() && probe.error() == QAbstractSocket::ConnectionRefusedError;
}

} // namespace

class TestOAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // units
    void parseTokenReplyOutcomes_data();
    void parseTokenReplyOutcomes();
    void parseTokenReplySuccess();
    void parseTokenReplyForm();
    void parseTokenReplyMessageHasNoTokens();
    void tokenSetRoundTrip();
    void jwtClaimsDecoding();
    void pkceS256();
    void providersShipped();
    void providersOverrideMerge();
    void providersBadOverride_data();
    void providersBadOverride();
    void fakeServerChecksPkce();

    // loopback
    void loopbackChatGpt();
    void loopbackClaudeJson();
    void missingRequiredClientSecretFailsBeforeAnyRequest();
    void loopbackGoogle();
    void loopbackStateMismatch();
    void loopbackDenied();
    void loopbackTokenErrors_data();
    void loopbackTokenErrors();
    void loopbackListenerClosedAfterCallback();

    // paste
    void pasteFullUrl();
    void pasteCodeHashState();
    void pasteBareCode();
    void pasteWrongState();

    // device
    void deviceRfc8628();
    void deviceRfc8628Refused_data();
    void deviceRfc8628Refused();
    void deviceOpenAi();
    void deviceUnsupported();
};

void TestOAuth::initTestCase()
{
    // The ChatGPT redirect is http://localhost:{port}/...; the loopback handler listens on 127.0.0.1 only.
    const QHostInfo info = QHostInfo::fromName(QStringLiteral("localhost"));
    QStringList addresses;
    for (const QHostAddress& a : info.addresses())
        addresses.append(a.toString());
    qInfo("localhost resolves to: %s", qPrintable(addresses.join(QLatin1String(", "))));
}

// --- units ---

void TestOAuth::parseTokenReplyOutcomes_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("code");

    const int none = -1;
    QTest::newRow("200 tokens") << 200 << QByteArray("{\"access_token\":\"a\",\"expires_in\":60}") << true << none
                                << QString();
    QTest::newRow("201 tokens") << 201 << QByteArray("{\"access_token\":\"a\"}") << true << none << QString();
    QTest::newRow("200 no access_token") << 200 << QByteArray("{\"token_type\":\"Bearer\"}") << false
                                         << int(OAuthError::Kind::Protocol) << QString();
    QTest::newRow("200 not json") << 200 << QByteArray("<html></html>") << false << int(OAuthError::Kind::Protocol)
                                  << QString();
    QTest::newRow("200 with error") << 200 << QByteArray("{\"error\":\"authorization_pending\"}") << false
                                    << int(OAuthError::Kind::Rejected) << QStringLiteral("authorization_pending");
    QTest::newRow("400 invalid_grant") << 400 << QByteArray("{\"error\":\"invalid_grant\"}") << false
                                       << int(OAuthError::Kind::InvalidGrant) << QStringLiteral("invalid_grant");
    QTest::newRow("401 invalid_grant") << 401
                                       << QByteArray("{\"error\":\"invalid_grant\",\"error_description\":\"gone\"}")
                                       << false << int(OAuthError::Kind::InvalidGrant)
                                       << QStringLiteral("invalid_grant");
    QTest::newRow("400 refresh_token_reused")
        << 400 << QByteArray("{\"error\":\"refresh_token_reused\"}") << false << int(OAuthError::Kind::InvalidGrant)
        << QStringLiteral("refresh_token_reused");
    QTest::newRow("400 error object") << 400
                                      << QByteArray("{\"error\":{\"type\":\"invalid_grant\",\"message\":\"expired\"}}")
                                      << false << int(OAuthError::Kind::InvalidGrant)
                                      << QStringLiteral("invalid_grant");
    QTest::newRow("400 invalid_request") << 400 << QByteArray("{\"error\":\"invalid_request\"}") << false
                                         << int(OAuthError::Kind::Rejected) << QStringLiteral("invalid_request");
    QTest::newRow("403 empty") << 403 << QByteArray() << false << int(OAuthError::Kind::Rejected) << QString();
    QTest::newRow("500 json") << 500 << QByteArray("{\"error\":\"server_error\"}") << false
                              << int(OAuthError::Kind::Server) << QStringLiteral("server_error");
    QTest::newRow("502 html") << 502 << QByteArray("<html>bad gateway</html>") << false << int(OAuthError::Kind::Server)
                              << QString();
    QTest::newRow("302") << 302 << QByteArray() << false << int(OAuthError::Kind::Protocol) << QString();
}

void TestOAuth::parseTokenReplyOutcomes()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(int, kind);
    QFETCH(QString, code);
    TokenSet tokens;
    OAuthError error;
    const bool parsed = parseTokenReply(status, body, 1000, &tokens, &error);
    QCOMPARE(parsed, ok);
    if (ok) {
        QVERIFY(!tokens.isEmpty());
        return;
    }
    QVERIFY(tokens.isEmpty());
    QCOMPARE(kindName(error.kind), kindName(OAuthError::Kind(kind)));
    QCOMPARE(error.httpStatus, status);
    QCOMPARE(error.code, code);
    QVERIFY(!error.message.isEmpty());
    QCOMPARE(error.isTransient(), error.kind == OAuthError::Kind::Server);
}

void TestOAuth::parseTokenReplySuccess()
{
    const QByteArray body = "{\"access_token\":\"at-1\",\"refresh_token\":\"rt-1\",\"id_token\":\"a.b.c\","
                            "\"token_type\":\"Bearer\",\"scope\":\"user:inference\",\"expires_in\":3600,"
                            "\"account\":{\"email_address\":\"c@example.com\"},\"organization\":{\"name\":\"Org\"}}";
    TokenSet t;
    OAuthError e;
    QVERIFY(parseTokenReply(200, body, 1'000'000, &t, &e));
    QVERIFY(t.accessToken == QLatin1String("at-1"));
    QVERIFY(t.refreshToken == QLatin1String("rt-1"));
    QVERIFY(t.idToken == QLatin1String("a.b.c"));
    QCOMPARE(t.tokenType, QStringLiteral("Bearer"));
    QCOMPARE(t.scope, QStringLiteral("user:inference"));
    QCOMPARE(t.expiresAtMs, qint64(1'000'000 + 3600 * 1000));
    // Unknown fields are kept, known ones are not duplicated.
    QCOMPARE(t.extra.keys(), QStringList({QStringLiteral("account"), QStringLiteral("organization")}));
    QCOMPARE(t.extra.value(QLatin1String("account")).toObject().value(QLatin1String("email_address")).toString(),
        QStringLiteral("c@example.com"));

    // expires_in as a string; no expires_in at all.
    QVERIFY(parseTokenReply(200, "{\"access_token\":\"x\",\"expires_in\":\"120\"}", 5000, &t, &e));
    QCOMPARE(t.expiresAtMs, qint64(5000 + 120 * 1000));
    QVERIFY(parseTokenReply(200, "{\"access_token\":\"x\"}", 5000, &t, &e));
    QCOMPARE(t.expiresAtMs, qint64(0));
    QVERIFY(t.extra.isEmpty());
}

void TestOAuth::parseTokenReplyForm()
{
    TokenSet t;
    OAuthError e;
    QVERIFY(parseTokenReply(200, "access_token=form-at&token_type=bearer&expires_in=60", 10, &t, &e));
    QVERIFY(t.accessToken == QLatin1String("form-at"));
    QCOMPARE(t.tokenType, QStringLiteral("bearer"));
    QCOMPARE(t.expiresAtMs, qint64(10 + 60 * 1000));
    QVERIFY(!parseTokenReply(400, "error=invalid_grant&error_description=expired", 10, &t, &e));
    QCOMPARE(kindName(e.kind), "InvalidGrant");
}

void TestOAuth::parseTokenReplyMessageHasNoTokens()
{
    TokenSet t;
    OAuthError e;
    QVERIFY(!parseTokenReply(400,
        "{\"error\":\"invalid_request\",\"error_description\":\"bad scope\",\"access_token\":\"LEAK-A\","
        "\"refresh_token\":\"LEAK-R\"}",
        0, &t, &e));
    QVERIFY(e.message.contains(QLatin1String("invalid_request (bad scope)")));
    QVERIFY(!e.message.contains(QLatin1String("LEAK")));
    QVERIFY(!parseTokenReply(500, "{\"access_token\":\"LEAK-A\"}", 0, &t, &e));
    QVERIFY(!e.message.contains(QLatin1String("LEAK")));
}

void TestOAuth::tokenSetRoundTrip()
{
    TokenSet t;
    t.accessToken = QStringLiteral("at");
    t.refreshToken = QStringLiteral("rt");
    t.idToken = QStringLiteral("id");
    t.tokenType = QStringLiteral("Bearer");
    t.scope = QStringLiteral("a b");
    t.expiresAtMs = 1'700'000'123'456;
    t.extra = parseObject("{\"account\":{\"email_address\":\"x@example.com\"}}");
    const TokenSet back = TokenSet::fromJson(t.toJson());
    QVERIFY(back.accessToken == t.accessToken);
    QVERIFY(back.refreshToken == t.refreshToken);
    QVERIFY(back.idToken == t.idToken);
    QCOMPARE(back.tokenType, t.tokenType);
    QCOMPARE(back.scope, t.scope);
    QCOMPARE(back.expiresAtMs, t.expiresAtMs);
    QCOMPARE(back.extra, t.extra);

    TokenSet minimal;
    minimal.accessToken = QStringLiteral("only");
    const QJsonObject o = QJsonDocument::fromJson(minimal.toJson()).object();
    QCOMPARE(o.keys(), QStringList({QStringLiteral("access_token")}));
    QVERIFY(TokenSet::fromJson("not json").isEmpty());
}

void TestOAuth::jwtClaimsDecoding()
{
    // Payload lengths that need 0, 1 and 2 padding characters.
    for (const char* email : {"a@example.com", "ab@example.com", "abc@example.com"}) {
        QJsonObject auth;
        auth.insert(QLatin1String("chatgpt_account_id"), QLatin1String("acct-9"));
        QJsonObject claims;
        claims.insert(QLatin1String("email"), QLatin1String(email));
        claims.insert(QLatin1String("https://api.openai.com/auth"), auth);
        const QJsonObject decoded = jwtClaims(FakeAuthServer::makeJwt(claims));
        QCOMPARE(decoded, claims);
    }
    // base64url characters ('-' and '_') in the payload.
    QJsonObject tricky;
    tricky.insert(QLatin1String("name"), QStringLiteral("\u00ff\u00fe>>??"));
    QCOMPARE(jwtClaims(FakeAuthServer::makeJwt(tricky)), tricky);

    QVERIFY(jwtClaims(QString()).isEmpty());
    QVERIFY(jwtClaims(QStringLiteral("opaque-access-token")).isEmpty());
    QVERIFY(jwtClaims(QStringLiteral("a.bm90IGpzb24.c")).isEmpty()); // "not json"
}

void TestOAuth::pkceS256()
{
    // RFC 7636, appendix B.
    QCOMPARE(pkce::challengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        QByteArray("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    const QByteArray v1 = pkce::makeVerifier();
    const QByteArray v2 = pkce::makeVerifier();
    QCOMPARE(v1.size(), 43);
    QVERIFY(v1 != v2);
    for (const char c : v1)
        QVERIFY(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    QVERIFY(pkce::makeState() != pkce::makeState());
}

void TestOAuth::providersShipped()
{
    const Result<QList<OAuthProviderSpec>> specs = loadOAuthProviders();
    QVERIFY2(specs.ok(), specs.ok() ? "" : qPrintable(specs.error()));
    QCOMPARE(specs->size(), 3);

    const OAuthProviderSpec* chatgpt = findOAuthProvider(*specs, QStringLiteral("chatgpt"));
    QVERIFY(chatgpt);
    QCOMPARE(findOAuthProvider(*specs, QStringLiteral("chatgpt-codex")), chatgpt);
    QCOMPARE(chatgpt->loopbackPort, quint16(1455));
    QCOMPARE(chatgpt->loopbackRedirect(1455), QStringLiteral("http://localhost:1455/auth/callback"));
    QVERIFY(!chatgpt->tokenJson);
    QCOMPARE(chatgpt->device.style, QStringLiteral("openai"));
    QVERIFY(chatgpt->hasDeviceFlow());
    QCOMPARE(chatgpt->upstreamKind, ProviderKind::OpenAiResponses);
    QVERIFY(chatgpt->upstreamHeaders.contains(qMakePair(QByteArray("originator"), QByteArray("codex_cli_rs"))));
    QVERIFY(
        chatgpt->upstreamHeaders.contains(qMakePair(QByteArray("openai-beta"), QByteArray("responses=experimental"))));

    const OAuthProviderSpec* claude = findOAuthProvider(*specs, QStringLiteral("claude"));
    QVERIFY(claude);
    QVERIFY(claude->tokenJson);
    QVERIFY(claude->tokenIncludesState);
    QCOMPARE(claude->manualRedirectUri, QStringLiteral("https://platform.claude.com/oauth/code/callback"));
    QCOMPARE(claude->manualParams, (QList<QPair<QString, QString>> {{QStringLiteral("code"), QStringLiteral("true")}}));
    QCOMPARE(claude->upstreamKind, ProviderKind::Anthropic);
    QCOMPARE(claude->anthropicBeta, QStringLiteral("oauth-2025-04-20"));
    QVERIFY(!claude->hasDeviceFlow());

    const OAuthProviderSpec* google = findOAuthProvider(*specs, QStringLiteral("google-gemini"));
    QVERIFY(google);
    QCOMPARE(google->id, QStringLiteral("google"));
    // The Gemini CLI client's secret is not shipped: it comes from the config or the environment.
    QVERIFY(google->clientSecretRequired);
    QCOMPARE(google->clientSecretEnv, QStringLiteral("SWITCHYARD_GOOGLE_CLIENT_SECRET"));
    QCOMPARE(google->clientSecret, qEnvironmentVariable("SWITCHYARD_GOOGLE_CLIENT_SECRET"));
    QVERIFY(google->codeAssist);
    QCOMPARE(google->upstreamBaseUrl, QStringLiteral("https://cloudcode-pa.googleapis.com/v1internal"));
    QCOMPARE(google->loopbackRedirect(5555), QStringLiteral("http://127.0.0.1:5555/oauth2callback"));
    QCOMPARE(google->userInfoUrl, QUrl(QStringLiteral("https://www.googleapis.com/oauth2/v2/userinfo")));

    QVERIFY(!findOAuthProvider(*specs, QStringLiteral("nope")));
}

void TestOAuth::providersOverrideMerge()
{
    const QJsonObject overrides
        = parseObject("{\"chatgpt\": {\"token_url\": \"http://127.0.0.1:9/token\", "
                      "\"loopback_port\": 0, \"device\": {\"poll_url\": \"http://127.0.0.1:9/poll\"},"
                      " \"upstream\": {\"headers\": {\"X-Extra\": \"1\"}},"
                      " \"authorize_params\": {\"prompt\": \"login\"}},"
                      " \"acme\": {\"account_type\": \"acme\", \"client_id\": \"acme-client\","
                      " \"authorize_url\": \"http://127.0.0.1:9/a\", \"token_url\": "
                      "\"http://127.0.0.1:9/t\", \"redirect_uri\": \"http://127.0.0.1:{port}/cb\","
                      " \"upstream\": {\"kind\": \"openai-chat\", \"base_url\": "
                      "\"http://127.0.0.1:9/v1/\"}}}");
    const Result<QList<OAuthProviderSpec>> shipped = loadOAuthProviders();
    const Result<QList<OAuthProviderSpec>> specs = loadOAuthProviders(overrides);
    QVERIFY2(specs.ok(), specs.ok() ? "" : qPrintable(specs.error()));
    QCOMPARE(specs->size(), 4);
    const OAuthProviderSpec* before = findOAuthProvider(*shipped, QStringLiteral("chatgpt"));
    const OAuthProviderSpec* c = findOAuthProvider(*specs, QStringLiteral("chatgpt"));
    QVERIFY(before && c);
    QCOMPARE(c->tokenUrl, QUrl(QStringLiteral("http://127.0.0.1:9/token")));
    QCOMPARE(c->loopbackPort, quint16(0));
    // Everything else stays as shipped, also inside nested objects.
    QCOMPARE(c->authorizeUrl, before->authorizeUrl);
    QCOMPARE(c->clientId, before->clientId);
    QCOMPARE(c->scopes, before->scopes);
    QCOMPARE(c->device.style, QStringLiteral("openai"));
    QCOMPARE(c->device.codeUrl, before->device.codeUrl);
    QCOMPARE(c->device.pollUrl, QUrl(QStringLiteral("http://127.0.0.1:9/poll")));
    QCOMPARE(c->device.redirectUri, before->device.redirectUri);
    QCOMPARE(c->upstreamKind, before->upstreamKind);
    QCOMPARE(c->upstreamBaseUrl, before->upstreamBaseUrl);
    QCOMPARE(c->upstreamHeaders.size(), before->upstreamHeaders.size() + 1);
    QVERIFY(c->upstreamHeaders.contains(qMakePair(QByteArray("x-extra"), QByteArray("1"))));
    QVERIFY(c->upstreamHeaders.contains(qMakePair(QByteArray("originator"), QByteArray("codex_cli_rs"))));
    QCOMPARE(c->authorizeParams.size(), before->authorizeParams.size() + 1);
    QVERIFY(c->authorizeParams.contains(qMakePair(QStringLiteral("prompt"), QStringLiteral("login"))));
    // Untouched providers are as shipped.
    QCOMPARE(findOAuthProvider(*specs, QStringLiteral("claude"))->tokenUrl,
        findOAuthProvider(*shipped, QStringLiteral("claude"))->tokenUrl);
    // A provider that only exists in the overrides.
    const OAuthProviderSpec* acme = findOAuthProvider(*specs, QStringLiteral("acme"));
    QVERIFY(acme);
    QCOMPARE(acme->displayName, QStringLiteral("acme"));
    QCOMPARE(acme->upstreamKind, ProviderKind::OpenAiChat);
    QCOMPARE(acme->upstreamBaseUrl, QStringLiteral("http://127.0.0.1:9/v1"));
    QCOMPARE(acme->upstreamProviderId, QStringLiteral("acme"));

    // The fake server's overrides.
    FakeAuthServer server;
    QVERIFY(server.listen());
    const QList<OAuthProviderSpec> fake = server.providers();
    QCOMPARE(fake.size(), 3);
    for (const OAuthProviderSpec& s : fake) {
        QCOMPARE(s.tokenUrl, server.url(QStringLiteral("/token")));
        QCOMPARE(s.authorizeUrl, server.url(QStringLiteral("/authorize")));
        QCOMPARE(s.loopbackPort, quint16(0));
        QCOMPARE(s.clientId, findOAuthProvider(*shipped, s.id)->clientId);
        QVERIFY(s.upstreamBaseUrl.startsWith(server.baseUrl()));
        // No test may reach a real provider.
        QVERIFY(s.userInfoUrl.isEmpty() || s.userInfoUrl.toString().startsWith(server.baseUrl()));
        QVERIFY(s.device.codeUrl.isEmpty() || s.device.codeUrl.toString().startsWith(server.baseUrl()));
        QVERIFY(s.device.pollUrl.isEmpty() || s.device.pollUrl.toString().startsWith(server.baseUrl()));
    }
}

void TestOAuth::providersBadOverride_data()
{
    QTest::addColumn<QByteArray>("overrides");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown kind") << QByteArray("{\"claude\": {\"upstream\": {\"kind\": \"bogus\"}}}")
                                  << QStringLiteral("oauth.claude.upstream.kind");
    QTest::newRow("redirect without port") << QByteArray("{\"google\": {\"redirect_uri\": \"http://127.0.0.1/cb\"}}")
                                           << QStringLiteral("oauth.google.redirect_uri");
    QTest::newRow("device style") << QByteArray("{\"chatgpt\": {\"device\": {\"style\": \"carrier-pigeon\"}}}")
                                  << QStringLiteral("oauth.chatgpt.device.style");
    QTest::newRow("empty client id") << QByteArray("{\"chatgpt\": {\"client_id\": \"\"}}")
                                     << QStringLiteral("oauth.chatgpt.client_id");
    QTest::newRow("empty token url") << QByteArray("{\"claude\": {\"token_url\": \"\"}}")
                                     << QStringLiteral("oauth.claude.token_url");
    QTest::newRow("empty upstream base") << QByteArray("{\"google\": {\"upstream\": {\"base_url\": \"\"}}}")
                                         << QStringLiteral("oauth.google.upstream.base_url");
    QTest::newRow("incomplete new provider")
        << QByteArray("{\"acme\": {\"client_id\": \"x\"}}") << QStringLiteral("oauth.acme.");
}

void TestOAuth::providersBadOverride()
{
    QFETCH(QByteArray, overrides);
    QFETCH(QString, expected);
    const Result<QList<OAuthProviderSpec>> specs = loadOAuthProviders(QJsonDocument::fromJson(overrides).object());
    QVERIFY(!specs.ok());
    QVERIFY2(specs.error().contains(expected), qPrintable(specs.error()));
}

// The fake server must really check PKCE, the redirect URI and single use, or the login tests prove nothing.
void TestOAuth::fakeServerChecksPkce()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("chatgpt"), &spec));
    QSignalSpy arrivals(&server, &FakeAuthServer::requestReceived);
    const QByteArray verifier = pkce::makeVerifier();
    QUrl authorize = server.url(QStringLiteral("/authorize"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("client_id"), spec.clientId);
    q.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    q.addQueryItem(QStringLiteral("code_challenge"), QString::fromLatin1(pkce::challengeS256(verifier)));
    q.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    q.addQueryItem(QStringLiteral("redirect_uri"), QStringLiteral("http://127.0.0.1:1/cb"));
    q.addQueryItem(QStringLiteral("state"), QStringLiteral("s1"));
    authorize.setQuery(q);
    FakeBrowser browser;
    browser.setFollowRedirect(false);
    browser.open(authorize);
    QTRY_VERIFY_WITH_TIMEOUT(browser.isDone(), WaitMs);
    QVERIFY2(browser.error().isEmpty(), qPrintable(browser.error()));
    QCOMPARE(browser.redirect().host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(queryValue(browser.redirect(), "state"), QStringLiteral("s1"));
    const QString code = queryValue(browser.redirect(), "code");
    QVERIFY(!code.isEmpty());

    QNetworkAccessManager nam;
    const auto exchange = [&](const QString& redirect, const QString& v) {
        int status = -1;
        oauthhttp::post(&nam, spec.tokenUrl,
            {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")}, {QStringLiteral("code"), code},
                {QStringLiteral("redirect_uri"), redirect}, {QStringLiteral("code_verifier"), v},
                {QStringLiteral("client_id"), spec.clientId}},
            false, &nam, [&](const oauthhttp::Reply& r) { status = r.status; });
        (void)QTest::qWaitFor([&]() { return status >= 0; }, WaitMs);
        return status;
    };
    QCOMPARE(exchange(QStringLiteral("http://127.0.0.1:1/cb"), QString::fromLatin1(pkce::makeVerifier())), 400);
    QCOMPARE(exchange(QStringLiteral("http://127.0.0.1:2/cb"), QString::fromLatin1(verifier)), 400);
    QCOMPARE(server.problems().size(), 2);
    QVERIFY(server.problems().at(0).contains(QLatin1String("PKCE")));
    QVERIFY(server.problems().at(1).contains(QLatin1String("redirect_uri")));
    QCOMPARE(exchange(QStringLiteral("http://127.0.0.1:1/cb"), QString::fromLatin1(verifier)), 200);
    QCOMPARE(exchange(QStringLiteral("http://127.0.0.1:1/cb"), QString::fromLatin1(verifier)), 400); // used
    QVERIFY(server.problems().last().contains(QLatin1String("already used")));

    // /authorize without PKCE is refused.
    q.removeAllQueryItems(QStringLiteral("code_challenge_method"));
    authorize.setQuery(q);
    FakeBrowser plain;
    plain.setFollowRedirect(false);
    plain.open(authorize);
    QTRY_VERIFY_WITH_TIMEOUT(plain.isDone(), WaitMs);
    QCOMPARE(plain.authorizeStatus(), 400);

    QCOMPARE(arrivals.count(), int(server.requests().size()));
    QCOMPARE(arrivals.first().at(0).value<FakeAuthServer::Endpoint>(), Endpoint::Authorize);
    QCOMPARE(arrivals.at(1).at(0).value<FakeAuthServer::Endpoint>(), Endpoint::CodeExchange);
    QCOMPARE(server.count(Endpoint::Authorize), 2);
    QCOMPARE(server.count(Endpoint::CodeExchange), 4);
}

// --- loopback ---

void TestOAuth::loopbackChatGpt()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("chatgpt"), &spec));
    TestClock clock;
    OAuthLogin login(spec, &clock);
    FakeBrowser browser;
    connect(&login, &OAuthLogin::authorizationUrlReady, &browser, &FakeBrowser::open);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Loopback);
    const quint16 port = login.loopbackPort();
    QVERIFY(port != 0);
    QCOMPARE(login.redirectUri(), QStringLiteral("http://localhost:%1/auth/callback").arg(port));
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.failed.isEmpty(), watch.describe().constData());
    QCOMPARE(server.problems(), QStringList());

    const TokenSet tokens = watch.tokens();
    QVERIFY(!tokens.isEmpty());
    QVERIFY(tokens.accessToken == server.lastAccessToken());
    QVERIFY(tokens.refreshToken == server.lastRefreshToken());
    QVERIFY(tokens.idToken == server.lastIdToken());
    QCOMPARE(tokens.tokenType, QStringLiteral("Bearer"));
    QCOMPARE(tokens.expiresAtMs, clock.nowMs() + 3600 * 1000);

    QCOMPARE(server.count(Endpoint::Authorize), 1);
    const AuthRequest a = server.requests(Endpoint::Authorize).first();
    QCOMPARE(queryValue(a, "client_id"), spec.clientId);
    QCOMPARE(queryValue(a, "response_type"), QStringLiteral("code"));
    QCOMPARE(queryValue(a, "redirect_uri"), login.redirectUri());
    QCOMPARE(queryValue(a, "scope"), spec.scopes.join(QLatin1Char(' ')));
    QCOMPARE(queryValue(a, "code_challenge_method"), QStringLiteral("S256"));
    QCOMPARE(queryValue(a, "code_challenge").size(), 43);
    QVERIFY(!queryValue(a, "state").isEmpty());
    for (const auto& p : std::as_const(spec.authorizeParams))
        QCOMPARE(queryValue(a, p.first.toLatin1().constData()), p.second);

    QCOMPARE(server.count(Endpoint::CodeExchange), 1);
    const AuthRequest x = server.requests(Endpoint::CodeExchange).first();
    QVERIFY(!x.jsonBody);
    QVERIFY(x.header("content-type").startsWith("application/x-www-form-urlencoded"));
    QCOMPARE(x.param(QStringLiteral("redirect_uri")), login.redirectUri());
    QCOMPARE(x.param(QStringLiteral("client_id")), spec.clientId);
    QVERIFY(!x.params.contains(QLatin1String("state")));
    QVERIFY(!x.params.contains(QLatin1String("client_secret")));

    QTRY_VERIFY_WITH_TIMEOUT(browser.isDone(), WaitMs);
    QVERIFY2(browser.error().isEmpty(), qPrintable(browser.error()));
    QCOMPARE(browser.callbackStatus(), 200);
    QCOMPARE(browser.callbackUrl().host(), QStringLiteral("localhost")); // no rewrite needed
    QVERIFY(browser.callbackBody().contains("login received"));
}

void TestOAuth::loopbackClaudeJson()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("claude"), &spec));
    server.setTokenExtra(parseObject("{\"account\":{\"uuid\":\"u-1\",\"email_address\":\"claude@example.com\"}}"));
    TestClock clock;
    OAuthLogin login(spec, &clock);
    FakeBrowser browser;
    connect(&login, &OAuthLogin::authorizationUrlReady, &browser, &FakeBrowser::open);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Loopback);
    QCOMPARE(login.redirectUri(), QStringLiteral("http://localhost:%1/callback").arg(login.loopbackPort()));
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.failed.isEmpty(), watch.describe().constData());
    QCOMPARE(server.problems(), QStringList());
    QVERIFY(watch.tokens().accessToken == server.lastAccessToken());
    QCOMPARE(watch.tokens()
                 .extra.value(QLatin1String("account"))
                 .toObject()
                 .value(QLatin1String("email_address"))
                 .toString(),
        QStringLiteral("claude@example.com"));

    const AuthRequest a = server.requests(Endpoint::Authorize).first();
    QVERIFY(!a.query.hasQueryItem(QStringLiteral("code"))); // manual_params are for paste mode only
    QCOMPARE(server.count(Endpoint::CodeExchange), 1);
    const AuthRequest x = server.requests(Endpoint::CodeExchange).first();
    QVERIFY(x.jsonBody);
    QVERIFY(x.header("content-type").startsWith("application/json"));
    QCOMPARE(x.params.value(QLatin1String("grant_type")).toString(), QStringLiteral("authorization_code"));
    QCOMPARE(x.param(QStringLiteral("redirect_uri")), login.redirectUri());
    QVERIFY(!x.param(QStringLiteral("state")).isEmpty());
    QVERIFY(x.param(QStringLiteral("state")) == queryValue(a, "state"));
    QVERIFY(!x.param(QStringLiteral("code_verifier")).isEmpty());
}

void TestOAuth::missingRequiredClientSecretFailsBeforeAnyRequest()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("google"), &spec));
    spec.clientSecret.clear();
    TestClock clock;
    OAuthLogin login(spec, &clock);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Loopback);
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY(!watch.failed.isEmpty());
    QVERIFY2(watch.describe().contains("SWITCHYARD_GOOGLE_CLIENT_SECRET"), watch.describe().constData());
    QCOMPARE(server.count(Endpoint::Authorize), 0);
}

void TestOAuth::loopbackGoogle()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("google"), &spec));
    TestClock clock;
    OAuthLogin login(spec, &clock);
    FakeBrowser browser;
    connect(&login, &OAuthLogin::authorizationUrlReady, &browser, &FakeBrowser::open);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Loopback);
    QCOMPARE(login.redirectUri(), QStringLiteral("http://127.0.0.1:%1/oauth2callback").arg(login.loopbackPort()));
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.failed.isEmpty(), watch.describe().constData());
    QCOMPARE(server.problems(), QStringList());
    const AuthRequest a = server.requests(Endpoint::Authorize).first();
    QCOMPARE(queryValue(a, "access_type"), QStringLiteral("offline"));
    QCOMPARE(queryValue(a, "prompt"), QStringLiteral("consent"));
    const AuthRequest x = server.requests(Endpoint::CodeExchange).first();
    QVERIFY(!x.jsonBody);
    QVERIFY(x.param(QStringLiteral("client_secret")) == spec.clientSecret);
    QVERIFY(!x.params.contains(QLatin1String("state")));
}

void TestOAuth::loopbackStateMismatch()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("chatgpt"), &spec));
    TestClock clock;
    OAuthLogin login(spec, &clock);
    FakeBrowser browser;
    browser.setTamperedState(QStringLiteral("forged-state"));
    connect(&login, &OAuthLogin::authorizationUrlReady, &browser, &FakeBrowser::open);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Loopback);
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.succeeded.isEmpty(), watch.describe().constData());
    QCOMPARE(kindName(watch.error().kind), "StateMismatch");
    QTRY_VERIFY_WITH_TIMEOUT(browser.isDone(), WaitMs);
    QCOMPARE(queryValue(browser.callbackUrl(), "state"), QStringLiteral("forged-state"));
    // No token request: none made, none in flight.
    QCOMPARE(server.count(Endpoint::CodeExchange), 0);
    QVERIFY(login.findChildren<QNetworkReply*>().isEmpty());
    QCOMPARE(login.loopbackPort(), quint16(0));
    QCOMPARE(watch.failed.count(), 1);
    QCOMPARE(watch.succeeded.count(), 0);
}

void TestOAuth::loopbackDenied()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("claude"), &spec));
    server.setAuthorizeError(QStringLiteral("access_denied"));
    TestClock clock;
    OAuthLogin login(spec, &clock);
    FakeBrowser browser;
    connect(&login, &OAuthLogin::authorizationUrlReady, &browser, &FakeBrowser::open);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Loopback);
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.succeeded.isEmpty(), watch.describe().constData());
    QCOMPARE(kindName(watch.error().kind), "Denied");
    QCOMPARE(watch.error().code, QStringLiteral("access_denied"));
    QCOMPARE(server.count(Endpoint::CodeExchange), 0);
    QVERIFY(login.findChildren<QNetworkReply*>().isEmpty());
}

void TestOAuth::loopbackTokenErrors_data()
{
    QTest::addColumn<int>("failure");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("status");
    QTest::newRow("400 invalid_request") << int(FakeAuthServer::Failure::InvalidRequest)
                                         << int(OAuthError::Kind::Rejected) << 400;
    QTest::newRow("400 invalid_grant") << int(FakeAuthServer::Failure::InvalidGrant)
                                       << int(OAuthError::Kind::InvalidGrant) << 400;
    QTest::newRow("500") << int(FakeAuthServer::Failure::ServerError) << int(OAuthError::Kind::Server) << 500;
    QTest::newRow("dropped") << int(FakeAuthServer::Failure::Drop) << int(OAuthError::Kind::Network) << 0;
}

void TestOAuth::loopbackTokenErrors()
{
    QFETCH(int, failure);
    QFETCH(int, kind);
    QFETCH(int, status);
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("chatgpt"), &spec));
    server.setCodeExchangeFailure(FakeAuthServer::Failure(failure));
    TestClock clock;
    OAuthLogin login(spec, &clock);
    FakeBrowser browser;
    connect(&login, &OAuthLogin::authorizationUrlReady, &browser, &FakeBrowser::open);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Loopback);
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.succeeded.isEmpty(), watch.describe().constData());
    QCOMPARE(kindName(watch.error().kind), kindName(OAuthError::Kind(kind)));
    QCOMPARE(watch.error().httpStatus, status);
    // A dropped connection may be retried once by QNetworkAccessManager itself (it resends a request that got no
    // answer at all); every other failure is answered once.
    if (FakeAuthServer::Failure(failure) == FakeAuthServer::Failure::Drop)
        QVERIFY(server.count(Endpoint::CodeExchange) >= 1);
    else
        QCOMPARE(server.count(Endpoint::CodeExchange), 1);
    QCOMPARE(watch.failed.count(), 1);
}

void TestOAuth::loopbackListenerClosedAfterCallback()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("chatgpt"), &spec));
    server.setHoldTokenRequests(true);
    TestClock clock;
    OAuthLogin login(spec, &clock);
    FakeBrowser browser;
    connect(&login, &OAuthLogin::authorizationUrlReady, &browser, &FakeBrowser::open);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Loopback);
    const quint16 port = login.loopbackPort();
    QVERIFY(port != 0);
    // While the code exchange is still pending, the listener is already gone.
    QTRY_COMPARE_WITH_TIMEOUT(server.heldCount(), 1, WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(browser.isDone(), WaitMs);
    QCOMPARE(browser.callbackStatus(), 200);
    QVERIFY(!watch.ended());
    QCOMPARE(login.loopbackPort(), quint16(0));
    QVERIFY(connectionRefused(port));
    // A second visit of the same callback URL gets nowhere.
    QNetworkAccessManager nam;
    QNetworkReply* again = nam.get(QNetworkRequest(browser.callbackUrl()));
    QSignalSpy againDone(again, &QNetworkReply::finished);
    QVERIFY(againDone.wait(WaitMs));
    QCOMPARE(again->error(), QNetworkReply::ConnectionRefusedError);
    again->deleteLater();

    server.releaseHeld();
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.failed.isEmpty(), watch.describe().constData());
    QCOMPARE(server.count(Endpoint::CodeExchange), 1);
    QCOMPARE(server.problems(), QStringList());
}

// --- paste ---

namespace {

// Starts a paste-mode Claude login and returns the redirect the provider sent the user to.
struct PasteRun
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    TestClock clock;
    std::unique_ptr<OAuthLogin> login;
    std::unique_ptr<LoginWatch> watch;
    FakeBrowser browser;
    QUrl redirect;
};

} // namespace

#define START_PASTE(run)                                                                                               \
    do {                                                                                                               \
        QVERIFY(setUp((run).server, QStringLiteral("claude"), &(run).spec));                                           \
        (run).login = std::make_unique<OAuthLogin>((run).spec, &(run).clock);                                          \
        (run).watch = std::make_unique<LoginWatch>((run).login.get());                                                 \
        (run).browser.setFollowRedirect(false);                                                                        \
        connect((run).login.get(), &OAuthLogin::authorizationUrlReady, &(run).browser, &FakeBrowser::open);            \
        (run).login->start(OAuthLogin::Mode::Paste);                                                                   \
        QCOMPARE((run).login->loopbackPort(), quint16(0));                                                             \
        QCOMPARE((run).login->redirectUri(), (run).spec.manualRedirectUri);                                            \
        QTRY_VERIFY_WITH_TIMEOUT((run).browser.isDone(), WaitMs);                                                      \
        QVERIFY2((run).browser.error().isEmpty(), qPrintable((run).browser.error()));                                  \
        (run).redirect = (run).browser.redirect();                                                                     \
        QCOMPARE((run).redirect.host(), QStringLiteral("platform.claude.com"));                                        \
        const AuthRequest a = (run).server.requests(Endpoint::Authorize).first();                                      \
        QCOMPARE(queryValue(a, "code"), QStringLiteral("true"));                                                       \
        QCOMPARE(queryValue(a, "redirect_uri"), (run).spec.manualRedirectUri);                                         \
    } while (false)

#define FINISH_PASTE_OK(run)                                                                                           \
    do {                                                                                                               \
        QTRY_VERIFY_WITH_TIMEOUT((run).watch->ended(), WaitMs);                                                        \
        QVERIFY2((run).watch->failed.isEmpty(), (run).watch->describe().constData());                                  \
        QCOMPARE((run).server.problems(), QStringList());                                                              \
        QVERIFY((run).watch->tokens().accessToken == (run).server.lastAccessToken());                                  \
        const AuthRequest x = (run).server.requests(Endpoint::CodeExchange).first();                                   \
        QVERIFY(x.jsonBody);                                                                                           \
        QCOMPARE(x.param(QStringLiteral("redirect_uri")), (run).spec.manualRedirectUri);                               \
        QVERIFY(x.param(QStringLiteral("state")) == queryValue((run).redirect, "state"));                              \
    } while (false)

void TestOAuth::pasteFullUrl()
{
    PasteRun run;
    START_PASTE(run);
    run.login->submitRedirect(QStringLiteral("  ") + run.redirect.toString() + QStringLiteral("\n"));
    FINISH_PASTE_OK(run);
}

void TestOAuth::pasteCodeHashState()
{
    PasteRun run;
    START_PASTE(run);
    run.login->submitRedirect(queryValue(run.redirect, "code") + QLatin1Char('#') + queryValue(run.redirect, "state"));
    FINISH_PASTE_OK(run);
}

void TestOAuth::pasteBareCode()
{
    PasteRun run;
    START_PASTE(run);
    run.login->submitRedirect(queryValue(run.redirect, "code"));
    FINISH_PASTE_OK(run);
}

void TestOAuth::pasteWrongState()
{
    PasteRun run;
    START_PASTE(run);
    run.login->submitRedirect(queryValue(run.redirect, "code") + QStringLiteral("#not-the-state"));
    QVERIFY(run.watch->ended()); // refused on the spot
    QCOMPARE(kindName(run.watch->error().kind), "StateMismatch");
    // Nor as a URL.
    PasteRun url;
    START_PASTE(url);
    QUrl forged = url.redirect;
    QUrlQuery q(forged);
    q.removeAllQueryItems(QStringLiteral("state"));
    q.addQueryItem(QStringLiteral("state"), QStringLiteral("forged"));
    forged.setQuery(q);
    url.login->submitRedirect(forged.toString());
    QVERIFY(url.watch->ended());
    QCOMPARE(kindName(url.watch->error().kind), "StateMismatch");
    QCOMPARE(run.server.count(Endpoint::CodeExchange), 0);
    QCOMPARE(url.server.count(Endpoint::CodeExchange), 0);
    QVERIFY(run.login->findChildren<QNetworkReply*>().isEmpty());
    QVERIFY(url.login->findChildren<QNetworkReply*>().isEmpty());
}

// --- device ---

namespace {

QJsonObject rfc8628Device(const FakeAuthServer& server)
{
    QJsonObject device;
    device.insert(QLatin1String("style"), QLatin1String("rfc8628"));
    device.insert(QLatin1String("code_url"), server.url(QStringLiteral("/device/code")).toString());
    device.insert(QLatin1String("verification_url"), server.url(QStringLiteral("/device")).toString());
    QJsonObject google;
    google.insert(QLatin1String("device"), device);
    QJsonObject extra;
    extra.insert(QLatin1String("google"), google);
    return extra;
}

} // namespace

void TestOAuth::deviceRfc8628()
{
    FakeAuthServer server;
    QVERIFY(server.listen());
    OAuthProviderSpec spec = server.provider(QStringLiteral("google"), rfc8628Device(server));
    QCOMPARE(spec.device.style, QStringLiteral("rfc8628"));
    QVERIFY(spec.device.pollUrl.isEmpty()); // polls the token URL
    server.setExpectedClientId(spec.clientId);
    server.setDeviceScript({QStringLiteral("authorization_pending"), QStringLiteral("authorization_pending"),
        QStringLiteral("slow_down")});
    TestClock clock;
    OAuthLogin login(spec, &clock);
    login.setDevicePollTiming(10, 200);
    QSignalSpy code(&login, &OAuthLogin::deviceCodeReady);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Device);
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.failed.isEmpty(), watch.describe().constData());
    QCOMPARE(server.problems(), QStringList());
    QVERIFY(watch.tokens().accessToken == server.lastAccessToken());

    QCOMPARE(code.count(), 1);
    QCOMPARE(code.at(0).at(0).toString(), QStringLiteral("WDJB-MJHT"));
    QCOMPARE(code.at(0).at(1).toUrl(), server.url(QStringLiteral("/device")));
    QCOMPARE(code.at(0).at(2).toUrl(), server.url(QStringLiteral("/device?user_code=WDJB-MJHT")));

    QCOMPARE(server.count(Endpoint::DeviceCode), 1);
    const AuthRequest d = server.requests(Endpoint::DeviceCode).first();
    QVERIFY(!d.jsonBody);
    QCOMPARE(d.param(QStringLiteral("scope")), spec.scopes.join(QLatin1Char(' ')));
    const QList<AuthRequest> polls = server.requests(Endpoint::DeviceGrant);
    QCOMPARE(polls.size(), 4);
    for (const AuthRequest& p : polls)
        QVERIFY(p.param(QStringLiteral("client_secret")) == spec.clientSecret);
    // slow_down added the step to the interval (the server named none, so it started at the default).
    QCOMPARE(login.devicePollIntervalMs(), 210);
    const qint64 afterSlowDown = polls.at(3).receivedAtMs - polls.at(2).receivedAtMs;
    QVERIFY2(afterSlowDown >= 150, qPrintable(QString::number(afterSlowDown)));
}

void TestOAuth::deviceRfc8628Refused_data()
{
    QTest::addColumn<QString>("error");
    QTest::addColumn<int>("kind");
    QTest::newRow("access_denied") << QStringLiteral("access_denied") << int(OAuthError::Kind::Denied);
    QTest::newRow("expired_token") << QStringLiteral("expired_token") << int(OAuthError::Kind::Expired);
    QTest::newRow("invalid_client") << QStringLiteral("invalid_client") << int(OAuthError::Kind::Rejected);
}

void TestOAuth::deviceRfc8628Refused()
{
    QFETCH(QString, error);
    QFETCH(int, kind);
    FakeAuthServer server;
    QVERIFY(server.listen());
    const OAuthProviderSpec spec = server.provider(QStringLiteral("google"), rfc8628Device(server));
    server.setExpectedClientId(spec.clientId);
    server.setDeviceScript({QStringLiteral("authorization_pending"), error});
    TestClock clock;
    OAuthLogin login(spec, &clock);
    login.setDevicePollTiming(10, 10);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Device);
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.succeeded.isEmpty(), watch.describe().constData());
    QCOMPARE(kindName(watch.error().kind), kindName(OAuthError::Kind(kind)));
    QCOMPARE(watch.error().code, error);
    QCOMPARE(server.count(Endpoint::DeviceGrant), 2);
    QCOMPARE(watch.failed.count(), 1);
}

void TestOAuth::deviceOpenAi()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("chatgpt"), &spec));
    server.setOpenAiPendingPolls(2);
    TestClock clock;
    OAuthLogin login(spec, &clock);
    login.setDevicePollTiming(10, 10);
    QSignalSpy code(&login, &OAuthLogin::deviceCodeReady);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Device);
    QTRY_VERIFY_WITH_TIMEOUT(watch.ended(), WaitMs);
    QVERIFY2(watch.failed.isEmpty(), watch.describe().constData());
    QCOMPARE(server.problems(), QStringList());
    QVERIFY(watch.tokens().accessToken == server.lastAccessToken());
    QVERIFY(watch.tokens().idToken == server.lastIdToken());

    QCOMPARE(code.count(), 1);
    QCOMPARE(code.at(0).at(0).toString(), QStringLiteral("ABCD-1234"));
    QCOMPARE(code.at(0).at(1).toUrl(), spec.device.verificationUrl); // the answer names none
    QCOMPARE(server.count(Endpoint::OpenAiUserCode), 1);
    const AuthRequest u = server.requests(Endpoint::OpenAiUserCode).first();
    QVERIFY(u.jsonBody);
    QCOMPARE(u.param(QStringLiteral("client_id")), spec.clientId);
    QCOMPARE(server.count(Endpoint::OpenAiDeviceToken), 3); // 403, 403, code
    for (const AuthRequest& p : server.requests(Endpoint::OpenAiDeviceToken))
        QVERIFY(p.jsonBody);
    QCOMPARE(server.count(Endpoint::CodeExchange), 1);
    const AuthRequest x = server.requests(Endpoint::CodeExchange).first();
    QVERIFY(!x.jsonBody);
    QCOMPARE(x.param(QStringLiteral("redirect_uri")), spec.device.redirectUri);
    QCOMPARE(x.param(QStringLiteral("client_id")), spec.clientId);
}

void TestOAuth::deviceUnsupported()
{
    FakeAuthServer server;
    OAuthProviderSpec spec;
    QVERIFY(setUp(server, QStringLiteral("claude"), &spec));
    TestClock clock;
    OAuthLogin login(spec, &clock);
    LoginWatch watch(&login);
    login.start(OAuthLogin::Mode::Device);
    QVERIFY(watch.ended());
    QCOMPARE(kindName(watch.error().kind), "Protocol");
    QVERIFY(server.requests().isEmpty());
}

QTEST_GUILESS_MAIN(TestOAuth)
#include "tst_oauth.moc"
