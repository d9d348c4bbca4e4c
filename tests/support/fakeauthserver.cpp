#include "fakeauthserver.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTcpSocket>

#include <utility>

namespace {

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char& c : raw)
        c = char(QRandomGenerator::global()->bounded(256));
    return QString::fromLatin1(raw.toHex());
}

// RFC 7636 S256, computed here independently of the production pkce helpers.
QString s256(const QString& verifier)
{
    return QString::fromLatin1(base64Url(QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)));
}

QJsonObject deepMerged(QJsonObject base, const QJsonObject& over)
{
    for (auto it = over.begin(); it != over.end(); ++it) {
        if (it.value().isObject() && base.value(it.key()).isObject())
            base.insert(it.key(), deepMerged(base.value(it.key()).toObject(), it.value().toObject()));
        else
            base.insert(it.key(), it.value());
    }
    return base;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    default:
        return "Status";
    }
}

QJsonObject errorBody(const QString& error, const QString& description = QString())
{
    QJsonObject o;
    o.insert(QLatin1String("error"), error);
    if (!description.isEmpty())
        o.insert(QLatin1String("error_description"), description);
    return o;
}

} // namespace

QByteArray AuthRequest::header(const QByteArray& name) const
{
    for (const auto& h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

QString AuthRequest::bearer() const
{
    const QByteArray value = header("authorization");
    if (!value.startsWith("Bearer "))
        return QString();
    return QString::fromUtf8(value.mid(7).trimmed());
}

FakeAuthServer::FakeAuthServer(QObject* parent)
    : QObject(parent)
{
    m_started.start();
    connect(&m_server, &QTcpServer::newConnection, this, &FakeAuthServer::onConnection);
}

FakeAuthServer::~FakeAuthServer()
{
    m_server.close();
    for (QTcpSocket* s : m_server.findChildren<QTcpSocket*>()) {
        s->disconnect(this);
        delete s;
    }
}

bool FakeAuthServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

void FakeAuthServer::setIdentity(const QString& email, const QString& chatgptAccountId, const QString& plan)
{
    m_email = email;
    m_chatgptAccountId = chatgptAccountId;
    m_plan = plan;
}

void FakeAuthServer::releaseHeld()
{
    const QList<std::function<void()>> held = std::exchange(m_held, {});
    for (const auto& answer : held)
        answer();
}

QList<AuthRequest> FakeAuthServer::requests(Endpoint endpoint) const
{
    QList<AuthRequest> out;
    for (const AuthRequest& r : m_requests) {
        if (r.endpoint == int(endpoint))
            out.append(r);
    }
    return out;
}

QString FakeAuthServer::makeJwt(const QJsonObject& claims)
{
    QJsonObject header;
    header.insert(QLatin1String("alg"), QLatin1String("none"));
    header.insert(QLatin1String("typ"), QLatin1String("JWT"));
    return QString::fromLatin1(base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact)) + '.' + base64Url("unsigned"));
}

QJsonObject FakeAuthServer::newTokens()
{
    const int n = ++m_issued;
    const QString access = QStringLiteral("fake-at-%1-%2").arg(n).arg(randomHex(12));
    const QString refresh = QStringLiteral("fake-rt-%1-%2").arg(n).arg(randomHex(12));
    QJsonObject auth;
    auth.insert(QLatin1String("chatgpt_account_id"), m_chatgptAccountId);
    auth.insert(QLatin1String("chatgpt_plan_type"), m_plan);
    auth.insert(QLatin1String("user_id"), QLatin1String("user-fake-1"));
    QJsonObject claims;
    claims.insert(QLatin1String("iss"), baseUrl());
    claims.insert(QLatin1String("aud"), m_expectedClientId);
    claims.insert(QLatin1String("sub"), QLatin1String("user-fake-1"));
    claims.insert(QLatin1String("email"), m_email);
    claims.insert(QLatin1String("email_verified"), true);
    claims.insert(QLatin1String("https://api.openai.com/auth"), auth);
    claims.insert(QLatin1String("iat"), 1700000000);
    claims.insert(QLatin1String("exp"), 1700003600);
    const QString id = makeJwt(claims);

    QJsonObject o = m_tokenExtra;
    o.insert(QLatin1String("access_token"), access);
    o.insert(QLatin1String("refresh_token"), refresh);
    o.insert(QLatin1String("id_token"), id);
    o.insert(QLatin1String("token_type"), QLatin1String("Bearer"));
    o.insert(QLatin1String("expires_in"), m_expiresIn);
    m_accessTokens.insert(access);
    m_refreshTokens.insert(refresh);
    m_lastAccessToken = access;
    m_lastRefreshToken = refresh;
    m_lastIdToken = id;
    return o;
}

QByteArray FakeAuthServer::issueTokenReply()
{
    return QJsonDocument(newTokens()).toJson(QJsonDocument::Compact);
}

// --- HTTP ---

void FakeAuthServer::onConnection()
{
    while (QTcpSocket* s = m_server.nextPendingConnection()) {
        connect(s, &QTcpSocket::readyRead, this, [this, s]() { onReadable(s); });
        connect(s, &QTcpSocket::disconnected, this, [this, s]() {
            m_buffers.remove(s);
            s->deleteLater();
        });
    }
}

void FakeAuthServer::onReadable(QTcpSocket* s)
{
    if (s->property("answered").toBool()) {
        s->readAll(); // one request per connection; the answer closes it
        return;
    }
    QByteArray& buf = m_buffers[s];
    buf += s->readAll();
    const qsizetype end = buf.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    const QList<QByteArray> lines = buf.left(end).split('\n');
    AuthRequest req;
    const QList<QByteArray> first = lines.first().trimmed().split(' ');
    req.method = first.value(0);
    const QByteArray target = first.value(1);
    const qsizetype question = target.indexOf('?');
    req.path = QUrl::fromPercentEncoding(question < 0 ? target : target.left(question));
    if (question >= 0)
        req.query = QUrlQuery(QString::fromUtf8(target.mid(question + 1)));
    qsizetype length = 0;
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype c = line.indexOf(':');
        if (c < 0)
            continue;
        const QByteArray name = line.left(c).trimmed();
        const QByteArray value = line.mid(c + 1).trimmed();
        req.headers.append({name, value});
        if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            length = value.toLongLong();
    }
    if (buf.size() < end + 4 + length)
        return;
    req.body = buf.mid(end + 4, length);
    m_buffers.remove(s);
    s->setProperty("answered", true);

    if (req.header("content-type").contains("json")) {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(req.body, &pe);
        if (doc.isObject()) {
            req.jsonBody = true;
            req.params = doc.object();
        } else {
            problem(QStringLiteral("%1: JSON content type with a body that is no JSON object").arg(req.path));
        }
    } else if (!req.body.isEmpty()) {
        const QUrlQuery form(QString::fromUtf8(req.body));
        for (const auto& item : form.queryItems(QUrl::FullyDecoded))
            req.params.insert(item.first, item.second);
    }
    handle(s, req);
}

void FakeAuthServer::handle(QTcpSocket* s, AuthRequest r)
{
    Endpoint e = Endpoint::Unknown;
    const bool get = r.method == "GET";
    const bool post = r.method == "POST";
    if (get && r.path == QLatin1String("/authorize")) {
        e = Endpoint::Authorize;
    } else if (post && r.path == QLatin1String("/token")) {
        const QString grant = r.param(QStringLiteral("grant_type"));
        e = grant == QLatin1String("authorization_code")                             ? Endpoint::CodeExchange
            : grant == QLatin1String("refresh_token")                                ? Endpoint::Refresh
            : grant == QLatin1String("urn:ietf:params:oauth:grant-type:device_code") ? Endpoint::DeviceGrant
                                                                                     : Endpoint::TokenOther;
    } else if (post && r.path == QLatin1String("/device/code")) {
        e = Endpoint::DeviceCode;
    } else if (post && r.path == QLatin1String("/deviceauth/usercode")) {
        e = Endpoint::OpenAiUserCode;
    } else if (post && r.path == QLatin1String("/deviceauth/token")) {
        e = Endpoint::OpenAiDeviceToken;
    } else if (get && r.path == QLatin1String("/userinfo")) {
        e = Endpoint::UserInfo;
    } else if (get && r.path == QLatin1String("/api/oauth/profile")) {
        e = Endpoint::ClaudeProfile;
    } else if (post && r.path == QLatin1String("/v1internal:loadCodeAssist")) {
        e = Endpoint::LoadCodeAssist;
    } else if (post && r.path == QLatin1String("/v1internal:onboardUser")) {
        e = Endpoint::OnboardUser;
    }
    r.endpoint = int(e);
    r.receivedAtMs = m_started.elapsed();
    m_requests.append(r);
    ++m_counts[int(e)];
    Q_EMIT requestReceived(e);

    switch (e) {
    case Endpoint::Authorize:
        return handleAuthorize(s, r);
    case Endpoint::CodeExchange:
    case Endpoint::Refresh:
    case Endpoint::DeviceGrant:
    case Endpoint::TokenOther:
        return handleToken(s, r);
    case Endpoint::DeviceCode:
        return handleDeviceCode(s, r);
    case Endpoint::OpenAiUserCode:
        return handleOpenAiUserCode(s, r);
    case Endpoint::OpenAiDeviceToken:
        return handleOpenAiDeviceToken(s, r);
    case Endpoint::UserInfo:
    case Endpoint::ClaudeProfile:
    case Endpoint::LoadCodeAssist:
    case Endpoint::OnboardUser:
        return handleBearer(s, r);
    case Endpoint::Unknown:
        break;
    }
    problem(QStringLiteral("unexpected request %1 %2").arg(QString::fromLatin1(r.method), r.path));
    respondJson(s, 404, errorBody(QStringLiteral("not_found")));
}

void FakeAuthServer::respond(
    QTcpSocket* s, int status, const QByteArray& body, const QList<QPair<QByteArray, QByteArray>>& headers)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto& h : headers)
        head += h.first + ": " + h.second + "\r\n";
    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n";
    s->write(head + body);
    s->disconnectFromHost();
}

void FakeAuthServer::respondJson(QTcpSocket* s, int status, const QJsonObject& body)
{
    respond(s, status, QJsonDocument(body).toJson(QJsonDocument::Compact),
        {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")}});
}

void FakeAuthServer::respondFailure(QTcpSocket* s, Failure failure)
{
    switch (failure) {
    case Failure::None:
        break;
    case Failure::InvalidGrant:
        return respondJson(s, 400, errorBody(QStringLiteral("invalid_grant"), QStringLiteral("scripted")));
    case Failure::InvalidRequest:
        return respondJson(s, 400, errorBody(QStringLiteral("invalid_request"), QStringLiteral("scripted")));
    case Failure::ServerError:
        return respondJson(s, 500, errorBody(QStringLiteral("server_error")));
    case Failure::Drop:
        s->abort();
        return;
    }
}

bool FakeAuthServer::checkClient(const QString& clientId, const QString& where)
{
    if (clientId.isEmpty()) {
        problem(QStringLiteral("%1: no client_id").arg(where));
        return false;
    }
    if (!m_expectedClientId.isEmpty() && clientId != m_expectedClientId) {
        problem(QStringLiteral("%1: unexpected client_id %2").arg(where, clientId));
        return false;
    }
    return true;
}

// --- endpoints ---

void FakeAuthServer::handleAuthorize(QTcpSocket* s, const AuthRequest& r)
{
    const auto value
        = [&](const char* name) { return r.query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded); };
    const QString redirectUri = value("redirect_uri");
    const QString challenge = value("code_challenge");
    const QString state = value("state");
    QStringList bad;
    if (!checkClient(value("client_id"), QStringLiteral("/authorize")))
        bad.append(QStringLiteral("client_id"));
    if (value("response_type") != QLatin1String("code"))
        bad.append(QStringLiteral("response_type must be code"));
    if (value("code_challenge_method") != QLatin1String("S256"))
        bad.append(QStringLiteral("code_challenge_method must be S256"));
    if (challenge.size() != 43)
        bad.append(QStringLiteral("code_challenge must be 43 base64url characters"));
    const QUrl redirect(redirectUri, QUrl::StrictMode);
    if (redirectUri.isEmpty() || !redirect.isValid() || redirect.scheme().isEmpty() || redirect.host().isEmpty())
        bad.append(QStringLiteral("redirect_uri is missing or invalid"));
    if (!bad.isEmpty()) {
        problem(QStringLiteral("/authorize: %1").arg(bad.join(QLatin1String("; "))));
        return respondJson(s, 400, errorBody(QStringLiteral("invalid_request"), bad.join(QLatin1String("; "))));
    }
    QUrl location = redirect;
    QUrlQuery back(location);
    if (!m_authorizeError.isEmpty()) {
        back.addQueryItem(QStringLiteral("error"), m_authorizeError);
        back.addQueryItem(QStringLiteral("error_description"), QStringLiteral("The user denied the request"));
    } else {
        const QString code = QStringLiteral("ac-") + randomHex(16);
        m_codes.insert(code, IssuedCode {redirectUri, challenge, value("client_id"), false});
        back.addQueryItem(QStringLiteral("code"), code);
    }
    if (!state.isEmpty())
        back.addQueryItem(QStringLiteral("state"), state);
    location.setQuery(back);
    respond(s, 302, QByteArray(), {{QByteArrayLiteral("Location"), location.toEncoded()}});
}

void FakeAuthServer::handleToken(QTcpSocket* s, const AuthRequest& r)
{
    if (m_hold) {
        QPointer<QTcpSocket> guard(s);
        m_held.append([this, guard, r]() {
            if (guard)
                answerToken(guard, r);
        });
        return;
    }
    answerToken(s, r);
}

void FakeAuthServer::answerToken(QTcpSocket* s, const AuthRequest& r)
{
    const Endpoint e = Endpoint(r.endpoint);
    const QString clientId = r.param(QStringLiteral("client_id"));
    if (e == Endpoint::CodeExchange) {
        if (m_codeExchangeFailure != Failure::None)
            return respondFailure(s, m_codeExchangeFailure);
        const QString code = r.param(QStringLiteral("code"));
        const QString verifier = r.param(QStringLiteral("code_verifier"));
        QString why;
        auto it = m_codes.find(code);
        if (!checkClient(clientId, QStringLiteral("/token (authorization_code)")))
            why = QStringLiteral("bad client_id");
        else if (it == m_codes.end())
            why = QStringLiteral("unknown authorization code");
        else if (it->used)
            why = QStringLiteral("authorization code already used");
        else if (it->clientId != clientId)
            why = QStringLiteral("code issued to another client");
        else if (r.param(QStringLiteral("redirect_uri")) != it->redirectUri)
            why = QStringLiteral("redirect_uri %1 differs from %2")
                      .arg(r.param(QStringLiteral("redirect_uri")), it->redirectUri);
        else if (verifier.isEmpty() || s256(verifier) != it->challenge)
            why = QStringLiteral("PKCE verification failed");
        if (!why.isEmpty()) {
            problem(QStringLiteral("/token (authorization_code): %1").arg(why));
            return respondJson(s, 400, errorBody(QStringLiteral("invalid_grant"), why));
        }
        it->used = true;
        return respondJson(s, 200, newTokens());
    }
    if (e == Endpoint::Refresh) {
        if (m_refreshFailure != Failure::None)
            return respondFailure(s, m_refreshFailure);
        if (!checkClient(clientId, QStringLiteral("/token (refresh_token)")))
            return respondJson(s, 401, errorBody(QStringLiteral("invalid_client")));
        if (!m_refreshTokens.contains(r.param(QStringLiteral("refresh_token")))) {
            problem(QStringLiteral("/token (refresh_token): unknown refresh token"));
            return respondJson(s, 400, errorBody(QStringLiteral("invalid_grant"), QStringLiteral("unknown token")));
        }
        return respondJson(s, 200, newTokens());
    }
    if (e == Endpoint::DeviceGrant) {
        if (!checkClient(clientId, QStringLiteral("/token (device_code)")))
            return respondJson(s, 401, errorBody(QStringLiteral("invalid_client")));
        if (m_deviceCode.isEmpty() || r.param(QStringLiteral("device_code")) != m_deviceCode) {
            problem(QStringLiteral("/token (device_code): unknown device code"));
            return respondJson(s, 400, errorBody(QStringLiteral("invalid_grant")));
        }
        if (!m_deviceScript.isEmpty())
            return respondJson(s, 400, errorBody(m_deviceScript.takeFirst()));
        m_deviceCode.clear();
        return respondJson(s, 200, newTokens());
    }
    problem(QStringLiteral("/token: unsupported grant_type \"%1\"").arg(r.param(QStringLiteral("grant_type"))));
    respondJson(s, 400, errorBody(QStringLiteral("unsupported_grant_type")));
}

void FakeAuthServer::handleDeviceCode(QTcpSocket* s, const AuthRequest& r)
{
    if (!checkClient(r.param(QStringLiteral("client_id")), QStringLiteral("/device/code")))
        return respondJson(s, 401, errorBody(QStringLiteral("invalid_client")));
    m_deviceCode = QStringLiteral("dc-") + randomHex(16);
    QJsonObject o;
    o.insert(QLatin1String("device_code"), m_deviceCode);
    o.insert(QLatin1String("user_code"), QLatin1String("WDJB-MJHT"));
    o.insert(QLatin1String("verification_uri"), url(QStringLiteral("/device")).toString());
    o.insert(QLatin1String("verification_uri_complete"), url(QStringLiteral("/device?user_code=WDJB-MJHT")).toString());
    o.insert(QLatin1String("expires_in"), 600);
    o.insert(QLatin1String("interval"), 0);
    respondJson(s, 200, o);
}

void FakeAuthServer::handleOpenAiUserCode(QTcpSocket* s, const AuthRequest& r)
{
    if (!r.jsonBody)
        problem(QStringLiteral("/deviceauth/usercode: body is not JSON"));
    if (!checkClient(r.param(QStringLiteral("client_id")), QStringLiteral("/deviceauth/usercode")))
        return respondJson(s, 400, errorBody(QStringLiteral("invalid_client")));
    m_openAiDeviceAuthId = QStringLiteral("deviceauth-") + randomHex(8);
    m_openAiUserCode = QStringLiteral("ABCD-1234");
    m_openAiClientId = r.param(QStringLiteral("client_id"));
    m_openAiPolls = 0;
    QJsonObject o;
    o.insert(QLatin1String("device_auth_id"), m_openAiDeviceAuthId);
    o.insert(QLatin1String("user_code"), m_openAiUserCode);
    o.insert(QLatin1String("interval"), QLatin1String("0")); // OpenAI sends the interval as a string
    respondJson(s, 200, o);
}

void FakeAuthServer::handleOpenAiDeviceToken(QTcpSocket* s, const AuthRequest& r)
{
    if (!r.jsonBody)
        problem(QStringLiteral("/deviceauth/token: body is not JSON"));
    if (m_openAiDeviceAuthId.isEmpty() || r.param(QStringLiteral("device_auth_id")) != m_openAiDeviceAuthId
        || r.param(QStringLiteral("user_code")) != m_openAiUserCode) {
        problem(QStringLiteral("/deviceauth/token: unknown device_auth_id or user_code"));
        return respondJson(s, 400, errorBody(QStringLiteral("invalid_request")));
    }
    if (++m_openAiPolls <= m_openAiPendingPolls) {
        QJsonObject pending;
        pending.insert(QLatin1String("error"), QLatin1String("deviceauth_authorization_pending"));
        return respondJson(s, 403, pending);
    }
    const QString verifier = QString::fromLatin1(
        base64Url(QCryptographicHash::hash(randomHex(16).toLatin1(), QCryptographicHash::Sha256)));
    const QString code = QStringLiteral("ac-device-") + randomHex(16);
    m_codes.insert(code,
        IssuedCode {url(QStringLiteral("/deviceauth/callback")).toString(), s256(verifier), m_openAiClientId, false});
    m_openAiDeviceAuthId.clear();
    QJsonObject o;
    o.insert(QLatin1String("authorization_code"), code);
    o.insert(QLatin1String("code_verifier"), verifier);
    o.insert(QLatin1String("code_challenge"), s256(verifier));
    respondJson(s, 200, o);
}

void FakeAuthServer::handleBearer(QTcpSocket* s, const AuthRequest& r)
{
    const Endpoint e = Endpoint(r.endpoint);
    if (!m_accessTokens.contains(r.bearer())) {
        problem(QStringLiteral("%1: missing or unknown bearer token").arg(r.path));
        return respondJson(s, 401, errorBody(QStringLiteral("unauthorized")));
    }
    if (e == Endpoint::UserInfo) {
        QJsonObject o;
        o.insert(QLatin1String("id"), QLatin1String("109876543210"));
        o.insert(QLatin1String("email"), m_email);
        o.insert(QLatin1String("verified_email"), true);
        return respondJson(s, 200, o);
    }
    if (e == Endpoint::ClaudeProfile) {
        QJsonObject account;
        account.insert(QLatin1String("uuid"), QLatin1String("user-fake-1"));
        account.insert(QLatin1String("email"), m_email);
        account.insert(QLatin1String("has_claude_pro"), m_plan == QLatin1String("pro"));
        account.insert(QLatin1String("has_claude_max"), m_plan == QLatin1String("max"));
        QJsonObject organization;
        organization.insert(QLatin1String("uuid"), QLatin1String("org-fake-1"));
        organization.insert(QLatin1String("name"), QLatin1String("Fake Org"));
        QJsonObject o;
        o.insert(QLatin1String("account"), account);
        o.insert(QLatin1String("organization"), organization);
        return respondJson(s, 200, o);
    }
    if (!r.jsonBody || !r.params.value(QLatin1String("metadata")).isObject())
        problem(QStringLiteral("%1: no JSON body with metadata").arg(r.path));
    if (e == Endpoint::LoadCodeAssist) {
        const auto tier = [](const char* id, bool isDefault) {
            QJsonObject t;
            t.insert(QLatin1String("id"), QLatin1String(id));
            t.insert(QLatin1String("isDefault"), isDefault);
            return t;
        };
        QJsonObject o;
        o.insert(QLatin1String("allowedTiers"), QJsonArray {tier("free-tier", true), tier("standard-tier", false)});
        if (m_onboarded) {
            QJsonObject current;
            current.insert(QLatin1String("id"), QLatin1String("free-tier"));
            o.insert(QLatin1String("currentTier"), current);
            o.insert(QLatin1String("cloudaicompanionProject"), QLatin1String("proj-123"));
        }
        return respondJson(s, 200, o);
    }
    // onboardUser
    if (r.param(QStringLiteral("tierId")).isEmpty())
        problem(QStringLiteral("onboardUser without tierId"));
    QJsonObject project;
    project.insert(QLatin1String("id"), QLatin1String("proj-456"));
    project.insert(QLatin1String("name"), QLatin1String("Fake Code Assist project"));
    QJsonObject response;
    response.insert(QLatin1String("cloudaicompanionProject"), project);
    QJsonObject o;
    o.insert(QLatin1String("done"), true);
    o.insert(QLatin1String("response"), response);
    m_onboarded = true;
    respondJson(s, 200, o);
}

// --- specs ---

QJsonObject FakeAuthServer::providerOverrides() const
{
    const auto u = [this](const char* path) { return url(QLatin1String(path)).toString(); };
    QJsonObject chatgptDevice;
    chatgptDevice.insert(QLatin1String("code_url"), u("/deviceauth/usercode"));
    chatgptDevice.insert(QLatin1String("poll_url"), u("/deviceauth/token"));
    chatgptDevice.insert(QLatin1String("verification_url"), u("/codex/device"));
    chatgptDevice.insert(QLatin1String("redirect_uri"), u("/deviceauth/callback"));
    const auto upstream = [](const QString& baseUrl) {
        QJsonObject o;
        o.insert(QLatin1String("base_url"), baseUrl);
        return o;
    };
    QJsonObject chatgpt;
    chatgpt.insert(QLatin1String("authorize_url"), u("/authorize"));
    chatgpt.insert(QLatin1String("token_url"), u("/token"));
    chatgpt.insert(QLatin1String("loopback_port"), 0);
    chatgpt.insert(QLatin1String("device"), chatgptDevice);
    chatgpt.insert(QLatin1String("upstream"), upstream(u("/backend-api/codex")));
    QJsonObject claude;
    claude.insert(QLatin1String("authorize_url"), u("/authorize"));
    claude.insert(QLatin1String("token_url"), u("/token"));
    claude.insert(QLatin1String("loopback_port"), 0);
    claude.insert(QLatin1String("userinfo_url"), u("/api/oauth/profile"));
    claude.insert(QLatin1String("upstream"), upstream(baseUrl()));
    QJsonObject google;
    google.insert(QLatin1String("authorize_url"), u("/authorize"));
    google.insert(QLatin1String("token_url"), u("/token"));
    google.insert(QLatin1String("loopback_port"), 0);
    google.insert(QLatin1String("client_secret"), QLatin1String("fake-installed-app-secret"));
    google.insert(QLatin1String("userinfo_url"), u("/userinfo"));
    google.insert(QLatin1String("upstream"), upstream(u("/v1internal")));
    QJsonObject all;
    all.insert(QLatin1String("chatgpt"), chatgpt);
    all.insert(QLatin1String("claude"), claude);
    all.insert(QLatin1String("google"), google);
    return all;
}

QList<sy::OAuthProviderSpec> FakeAuthServer::providers(const QJsonObject& extra) const
{
    const sy::Result<QList<sy::OAuthProviderSpec>> specs
        = sy::loadOAuthProviders(deepMerged(providerOverrides(), extra));
    if (!specs) {
        m_specError = specs.error();
        return {};
    }
    m_specError.clear();
    return specs.value();
}

sy::OAuthProviderSpec FakeAuthServer::provider(const QString& id, const QJsonObject& extra) const
{
    const QList<sy::OAuthProviderSpec> specs = providers(extra);
    const sy::OAuthProviderSpec* s = sy::findOAuthProvider(specs, id);
    return s ? *s : sy::OAuthProviderSpec();
}

// --- browser ---

FakeBrowser::FakeBrowser(QObject* parent)
    : QObject(parent)
    , m_nam(new QNetworkAccessManager(this))
{
}

void FakeBrowser::open(const QUrl& authorizationUrl)
{
    QNetworkRequest req(authorizationUrl);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply* reply = m_nam->get(req);
    connect(reply, &QNetworkReply::finished, this, [this, reply]() {
        reply->deleteLater();
        m_authorizeStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_redirect = QUrl::fromEncoded(reply->rawHeader("Location"));
        if (m_authorizeStatus != 302 || !m_redirect.isValid() || m_redirect.isEmpty()) {
            return finish(QStringLiteral("the authorization endpoint answered HTTP %1 without a redirect: %2")
                              .arg(m_authorizeStatus)
                              .arg(QString::fromUtf8(reply->readAll())));
        }
        QUrl next = m_redirect;
        if (!m_tamperedState.isNull()) {
            QUrlQuery q(next);
            q.removeAllQueryItems(QStringLiteral("state"));
            q.addQueryItem(QStringLiteral("state"), m_tamperedState);
            next.setQuery(q);
        }
        if (m_rewriteLocalhost && next.host() == QLatin1String("localhost"))
            next.setHost(QStringLiteral("127.0.0.1"));
        m_callbackUrl = next;
        if (!m_follow)
            return finish();
        QNetworkRequest callback(next);
        callback.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        QNetworkReply* r2 = m_nam->get(callback);
        connect(r2, &QNetworkReply::finished, this, [this, r2]() {
            r2->deleteLater();
            m_callbackStatus = r2->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            m_callbackBody = r2->readAll();
            finish(m_callbackStatus == 0 ? QStringLiteral("callback failed: %1").arg(r2->errorString()) : QString());
        });
    });
}

void FakeBrowser::finish(const QString& error)
{
    m_error = error;
    m_done = true;
    Q_EMIT finished();
}

QByteArray base64Url(const QByteArray& data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}
