#include "exchange.h"

#include "accounts/accountmanager.h"
#include "gateway/accountwire.h"
#include "usage/budgetguard.h"
#include "usage/usagelog.h"
#include "usage/usagequery.h"

#include <QCryptographicHash>

#include "common/jsonwriter.h"
#include "common/logging.h"
#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "gateway/inboundadapter.h"
#include "gateway/upstreamadapter.h"
#include "protocol/signature.h"
#include "protocol/tokencount.h"
#include "server/httpresponder.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

namespace sy {

namespace {

// The longest an answer waits for its usage row to be committed (the writer may be behind a locked database).
constexpr int kMaxLogWaitMs = 2000;

// What the accounts' thread found for one attempt.
struct AccountLease
{
    bool loaded = false;
    bool ok = false;
    OAuthProviderSpec spec;
    QJsonObject meta;
    QString token;
    QString error;
};

// Runs `work` on the thread `target` lives in: at once when that is this thread, else queued there. Dropped when
// `target` is gone (an exchange's home object ends with the gateway).
void onThreadOf(const QPointer<QObject>& target, std::function<void()> work)
{
    if (!target)
        return;
    if (target->thread() == QThread::currentThread())
        work();
    else
        QMetaObject::invokeMethod(target, std::move(work), Qt::QueuedConnection);
}

// The Host header (lowercase) names this machine: localhost, a loopback address, the listen address or a configured
// name, with or without a port.
bool isLocalHostName(const QString& hostHeader, const QStringList& allowed, const QHostAddress& listenAddress)
{
    QString name = hostHeader;
    if (name.startsWith(QLatin1Char('['))) {
        const qsizetype close = name.indexOf(QLatin1Char(']'));
        name = close > 0 ? name.mid(1, close - 1) : QString();
    } else if (name.count(QLatin1Char(':')) == 1) {
        name = name.left(name.indexOf(QLatin1Char(':')));
    }
    if (name == QLatin1String("localhost") || name.endsWith(QLatin1String(".localhost")))
        return true;
    if (allowed.contains(name) || allowed.contains(hostHeader))
        return true;
    const QHostAddress address(name);
    if (address.isNull())
        return false;
    return address.isLoopback() || (!listenAddress.isNull() && address.isEqual(listenAddress));
}

} // namespace

namespace {

const QByteArray JsonType = QByteArrayLiteral("application/json");

bool isHopByHop(QByteArrayView name)
{
    static const char* const names[] = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length", "expect", "accept-encoding",
        "x-api-key", "authorization"};
    for (const char* n : names) {
        if (name.compare(QByteArrayView(n), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// Replaces the value of the top-level "model" key in a JSON object without touching any other byte.
bool spliceTopLevelModel(QByteArray& body, const QString& model)
{
    int depth = 0;
    bool inString = false;
    const qsizetype n = body.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = body.at(i);
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == '"') {
            if (depth == 1 && body.mid(i, 7) == "\"model\"") {
                qsizetype j = i + 7;
                while (j < n && (body.at(j) == ' ' || body.at(j) == '\t' || body.at(j) == '\n' || body.at(j) == '\r'))
                    ++j;
                if (j < n && body.at(j) == ':') {
                    ++j;
                    while (
                        j < n && (body.at(j) == ' ' || body.at(j) == '\t' || body.at(j) == '\n' || body.at(j) == '\r'))
                        ++j;
                    if (j < n && body.at(j) == '"') {
                        qsizetype k = j + 1;
                        while (k < n && body.at(k) != '"') {
                            if (body.at(k) == '\\')
                                ++k;
                            ++k;
                        }
                        QByteArray value;
                        appendJsonString(value, model);
                        body.replace(j, k + 1 - j, value);
                        return true;
                    }
                }
            }
            inString = true;
        }
    }
    return false;
}

// Thinking blocks signed by Switchyard (or unsigned) are rejected by Anthropic: remove them from the history.
bool stripForeignThinking(QJsonObject& root)
{
    bool changed = false;
    QJsonArray messages = root.value(QLatin1String("messages")).toArray();
    for (int i = 0; i < messages.size(); ++i) {
        QJsonObject m = messages.at(i).toObject();
        if (!m.value(QLatin1String("content")).isArray())
            continue;
        QJsonArray content = m.value(QLatin1String("content")).toArray();
        QJsonArray kept;
        for (const QJsonValue& b : content) {
            const QJsonObject bo = b.toObject();
            if (bo.value(QLatin1String("type")).toString() == QLatin1String("thinking")
                && canon::signatureOrigin(bo.value(QLatin1String("signature")).toString())
                    != canon::SignatureOrigin::Anthropic) {
                changed = true;
                continue;
            }
            kept.append(b);
        }
        if (kept.size() != content.size()) {
            m.insert(QLatin1String("content"), kept);
            messages.replace(i, m);
        }
    }
    if (changed)
        root.insert(QLatin1String("messages"), messages);
    return changed;
}

FailureKind failureKindForStatus(int status)
{
    if (status == 429)
        return FailureKind::RateLimited;
    if (status == 401 || status == 403)
        return FailureKind::Unauthorized;
    if (status == 529 || status == 503)
        return FailureKind::Overloaded;
    if (status >= 500)
        return FailureKind::ServerError;
    return FailureKind::Network;
}

// An error that arrived inside a 200 answer (a stream's error event): classify by its type.
FailureKind failureKindFor(const canon::Error& e)
{
    switch (e.type) {
    case canon::ErrorType::RateLimit:
        return FailureKind::RateLimited;
    case canon::ErrorType::Overloaded:
        return FailureKind::Overloaded;
    case canon::ErrorType::Authentication:
    case canon::ErrorType::Permission:
        return FailureKind::Unauthorized;
    default:
        return FailureKind::ServerError;
    }
}

const QRegularExpression& subagentTagPattern()
{
    static const QRegularExpression re(QStringLiteral("<CCR-SUBAGENT-MODEL>[^<]*</CCR-SUBAGENT-MODEL>\\s*"));
    return re;
}

// Removes the subagent routing tag from the system prompt of an Anthropic body, keeping every other field.
void stripSubagentTag(QJsonObject& root)
{
    QJsonValue system = root.value(QLatin1String("system"));
    if (system.isString()) {
        root.insert(QLatin1String("system"), system.toString().remove(subagentTagPattern()).trimmed());
        return;
    }
    QJsonArray blocks = system.toArray();
    QJsonArray kept;
    for (const QJsonValue& b : std::as_const(blocks)) {
        QJsonObject block = b.toObject();
        if (block.value(QLatin1String("type")).toString() == QLatin1String("text")) {
            const QString text = block.value(QLatin1String("text")).toString().remove(subagentTagPattern()).trimmed();
            if (text.isEmpty())
                continue;
            block.insert(QLatin1String("text"), text);
        }
        kept.append(block);
    }
    root.insert(QLatin1String("system"), kept);
}

// A route suffix such as (high) or (16384) sets the reasoning of an Anthropic request.
void applyReasoningOverride(QJsonObject& root, const ResolvedTarget& target)
{
    if (!target.effort.isEmpty()) {
        if (target.effort == QLatin1String("none")) {
            root.insert(QLatin1String("thinking"), QJsonObject {{QLatin1String("type"), QStringLiteral("disabled")}});
            return;
        }
        QJsonObject oc = root.value(QLatin1String("output_config")).toObject();
        oc.insert(QLatin1String("effort"), target.effort);
        root.insert(QLatin1String("output_config"), oc);
        root.insert(QLatin1String("thinking"), QJsonObject {{QLatin1String("type"), QStringLiteral("adaptive")}});
    } else if (target.thinkingBudget == 0) {
        root.insert(QLatin1String("thinking"), QJsonObject {{QLatin1String("type"), QStringLiteral("disabled")}});
    } else if (target.thinkingBudget > 0) {
        root.insert(QLatin1String("thinking"),
            QJsonObject {{QLatin1String("type"), QStringLiteral("enabled")},
                {QLatin1String("budget_tokens"), target.thinkingBudget}});
    }
}

// Claude ids that Claude Code sends for its aliases; listed by /v1/models when a route accepts them.
const char* const KnownClaudeModels[] = {"claude-opus-4-8", "claude-sonnet-5", "claude-haiku-4-5-20251001",
    "claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-fable-5"};

} // namespace

QString newRequestId()
{
    return QStringLiteral("req_sy_") + anthropic::newMessageId().mid(4);
}

Exchange::Exchange(GatewayEnvironment env, const HttpRequest& request, HttpResponder* responder, QObject* parent)
    : QObject(parent)
    , m_env(std::move(env))
    , m_request(request)
    , m_responder(responder)
{
    m_clock.start();
    m_record.requestId = newRequestId();
    m_record.startedAt
        = m_env.clock ? QDateTime::fromMSecsSinceEpoch(m_env.clock->nowMs(), Qt::UTC) : QDateTime::currentDateTimeUtc();
    m_record.method = QString::fromLatin1(request.method);
    m_record.path = QString::fromLatin1(request.path);
    m_record.userAgent = QString::fromUtf8(request.header("user-agent")).left(200);
    m_inbound = &anthropicInbound();
    connect(responder, &HttpResponder::clientDisconnected, this, &Exchange::onClientGone);
}

Exchange::~Exchange()
{
    if (m_call)
        m_call->abort();
}

bool Exchange::admitCaller()
{
    const ServerConfig& server = m_env.config->server;
    const QByteArray origin = m_request.header("origin");
    const QString originName = QString::fromUtf8(origin).trimmed().toLower();
    const bool originAllowed = !origin.isEmpty() && server.allowedOrigins.contains(originName);
    if (originAllowed) {
        m_responder->setExtraHeaders({qMakePair(QByteArrayLiteral("access-control-allow-origin"), origin.trimmed()),
            qMakePair(QByteArrayLiteral("vary"), QByteArrayLiteral("Origin"))});
    }
    // The error goes out in the dialect of the endpoint the client called.
    const auto refuse = [this](const QString& why) {
        m_inbound = &inboundForPath(m_request.path);
        m_record.inboundDialect = m_inbound->name();
        qCWarning(lcGateway).noquote() << m_record.requestId << "refused:" << why;
        sendError(canon::Error::make(403, canon::ErrorType::Permission, why));
        return false;
    };
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 still says "Host: evil.example".
    const QString host = QString::fromUtf8(m_request.header("host")).trimmed().toLower();
    // Beyond loopback (only allowed with gateway keys) clients use whatever name reaches the machine.
    const bool exposed = !m_env.listenAddress.isNull() && !m_env.listenAddress.isLoopback();
    if (!host.isEmpty() && !exposed && !isLocalHostName(host, server.allowedHosts, m_env.listenAddress)) {
        return refuse(QStringLiteral("Host \"%1\" is not this gateway's (allowed: localhost, 127.0.0.1, [::1] and "
                                     "server.allowed_hosts)")
                          .arg(host.left(100)));
    }
    // Browsers send Origin; a web page must not spend the user's quota (CSRF). Preflights get no permissive answer.
    if (!origin.isEmpty() && !originAllowed) {
        return refuse(QStringLiteral("requests from web pages are refused: Origin \"%1\" is not in "
                                     "server.allowed_origins")
                          .arg(originName.left(100)));
    }
    if (m_request.method == "OPTIONS") {
        if (!originAllowed)
            return refuse(QStringLiteral("CORS preflight without an allowed Origin"));
        const QByteArray requested = m_request.header("access-control-request-headers");
        respondWhole(204,
            {qMakePair(QByteArrayLiteral("access-control-allow-methods"), QByteArrayLiteral("GET, POST")),
                qMakePair(QByteArrayLiteral("access-control-allow-headers"),
                    requested.isEmpty() ? QByteArrayLiteral("content-type") : requested),
                qMakePair(QByteArrayLiteral("access-control-max-age"), QByteArrayLiteral("600"))},
            {});
        return false;
    }
    return true;
}

void Exchange::run()
{
    const QByteArray& path = m_request.path;
    const QByteArray& method = m_request.method;
    if (!admitCaller())
        return;
    auto methodNotAllowed = [this](const char* allowed) {
        canon::Error e = canon::Error::make(405, canon::ErrorType::InvalidRequest,
            QStringLiteral("method %1 is not allowed on %2 (use %3)")
                .arg(QString::fromLatin1(m_request.method), QString::fromLatin1(m_request.path),
                    QLatin1String(allowed)));
        sendError(e);
    };
    if (path == "/v1/messages") {
        if (method != "POST")
            return methodNotAllowed("POST");
        return handleMessages(false);
    }
    if (path == "/v1/responses") {
        if (method != "POST")
            return methodNotAllowed("POST");
        m_inbound = &openAiResponsesInbound();
        m_record.inboundDialect = m_inbound->name();
        return handleMessages(false);
    }
    if (path == "/v1/chat/completions") {
        if (method != "POST")
            return methodNotAllowed("POST");
        m_inbound = &openAiChatInbound();
        m_record.inboundDialect = m_inbound->name();
        return handleMessages(false);
    }
    if (path.startsWith("/v1beta/models/") || path.startsWith("/v1/models/")) {
        // Gemini: /v1beta/models/{model}:generateContent | :streamGenerateContent | :countTokens
        const qsizetype colon = path.lastIndexOf(':');
        if (colon > 0) {
            const QByteArray verb = path.mid(colon + 1);
            const qsizetype modelStart = path.indexOf("/models/") + 8;
            m_geminiModel
                = QString::fromUtf8(QByteArray::fromPercentEncoding(path.mid(modelStart, colon - modelStart)));
            if (verb == "generateContent" || verb == "streamGenerateContent" || verb == "countTokens") {
                if (method != "POST")
                    return methodNotAllowed("POST");
                m_geminiStream = verb == "streamGenerateContent";
                m_inbound = &geminiInbound(m_geminiStream && !m_request.query.contains("alt=sse"));
                m_record.inboundDialect = m_inbound->name();
                return handleMessages(verb == "countTokens");
            }
        }
    }
    if (path == "/v1/messages/count_tokens") {
        if (method != "POST")
            return methodNotAllowed("POST");
        return handleMessages(true);
    }
    if (path == "/v1/models" || path.startsWith("/v1/models/")) {
        if (method != "GET")
            return methodNotAllowed("GET");
        return handleModels(path.size() > 11 ? path.mid(11) : QByteArray());
    }
    if (path == "/v1beta/models" && method == "GET") {
        m_inbound = &geminiInbound();
        m_geminiModelList = true;
        return handleModels(QByteArray());
    }
    if (path == "/switchyard/v1/usage" || path == "/switchyard/v1/usage.csv") {
        if (method != "GET")
            return methodNotAllowed("GET");
        if (!authorizeClient())
            return;
        return handleUsage(path.endsWith(".csv"));
    }
    if (path == "/switchyard/v1/status") {
        if (method != "GET")
            return methodNotAllowed("GET");
        if (!authorizeClient())
            return;
        QJsonObject status = m_env.credentials ? m_env.credentials->status() : QJsonObject();
        // Login providers nobody logged in to are noise here.
        QJsonArray providers;
        for (const QJsonValue& v : status.value(QLatin1String("providers")).toArray()) {
            const ProviderConfig* p = m_env.config->provider(v.toObject().value(QLatin1String("id")).toString());
            if (!(p && !p->accountProvider.isEmpty() && p->credentials.isEmpty()))
                providers.append(v);
        }
        status.insert(QLatin1String("providers"), providers);
        status.insert(QLatin1String("version"), QStringLiteral(SWITCHYARD_VERSION));
        AccountManager* accounts = m_env.accounts;
        if (!accounts)
            return respondJson(200, compactJson(status));
        // The accounts' part is read on their thread and the answer sent from this one.
        QPointer<Exchange> self(this);
        QPointer<QObject> home(m_env.upstream);
        return onThreadOf(accounts, [accounts, self, home, status]() mutable {
            status.insert(QLatin1String("accounts"), accounts->status().value(QLatin1String("accounts")));
            onThreadOf(home, [self, status] {
                if (self && !self->m_done)
                    self->respondJson(200, compactJson(status));
            });
        });
    }
    if (path == "/" || path == "/health") {
        if (method != "GET" && method != "HEAD")
            return methodNotAllowed("GET");
        QByteArray body = R"({"status":"ok","service":"switchyard","version":")" SWITCHYARD_VERSION R"("})";
        return respondJson(200, body);
    }
    sendError(canon::Error::make(404, canon::ErrorType::NotFound,
        QStringLiteral("no endpoint %1 %2 (Switchyard serves POST /v1/messages, "
                       "POST /v1/messages/count_tokens, GET /v1/models, GET /health)")
            .arg(QString::fromLatin1(method), QString::fromLatin1(path))));
}

void Exchange::handleUsage(bool csv)
{
    if (!m_env.usage || !m_env.usage->isOpen())
        return sendError(canon::Error::make(
            404, canon::ErrorType::NotFound, QStringLiteral("the usage log is not open in this gateway")));
    const QUrlQuery q(QString::fromUtf8(m_request.query));
    const qint64 now = m_env.clock ? m_env.clock->nowMs() : QDateTime::currentMSecsSinceEpoch();
    QString error;
    const std::optional<UsageQuery> query = usageQueryFrom(q.queryItemValue(QStringLiteral("from"), QUrl::FullyDecoded),
        q.queryItemValue(QStringLiteral("to"), QUrl::FullyDecoded),
        q.queryItemValue(QStringLiteral("group_by"), QUrl::FullyDecoded),
        q.queryItemValue(QStringLiteral("bucket"), QUrl::FullyDecoded), now, &error);
    if (!query)
        return sendError(canon::Error::make(400, canon::ErrorType::InvalidRequest, error));
    const UsageReport report = m_env.usage->query(*query);
    if (csv) {
        return respondWhole(200,
            {qMakePair(QByteArrayLiteral("content-type"), QByteArrayLiteral("text/csv; charset=utf-8"))},
            report.toCsv());
    }
    respondJson(200, compactJson(report.toJson()));
}

void Exchange::handleModels(const QByteArray& id)
{
    if (!authorizeClient())
        return;
    QJsonArray data;
    QStringList seen;
    auto add = [&](const QString& model) {
        if (seen.contains(model, Qt::CaseInsensitive))
            return;
        const auto resolved = m_env.router->resolve(model);
        if (!resolved.ok())
            return;
        seen.append(model);
        QJsonObject o;
        o.insert(QLatin1String("type"), QStringLiteral("model"));
        o.insert(QLatin1String("id"), model);
        o.insert(QLatin1String("display_name"), model);
        o.insert(QLatin1String("created_at"), QStringLiteral("2025-01-01T00:00:00Z"));
        const ResolvedTarget& t = resolved->first();
        const ModelProfile profile = t.provider->profileFor(t.upstreamModel);
        if (profile.contextWindow > 0)
            o.insert(QLatin1String("max_input_tokens"), profile.contextWindow);
        if (profile.maxOutputTokens > 0)
            o.insert(QLatin1String("max_tokens"), profile.maxOutputTokens);
        data.append(o);
    };
    for (const char* m : KnownClaudeModels)
        add(QString::fromLatin1(m));
    for (const RouteRule& r : m_env.config->routes) {
        if (!r.match.contains(QLatin1Char('*')) && !r.match.contains(QLatin1Char('?')))
            add(r.match);
    }
    for (const ProviderConfig& p : m_env.config->providers) {
        for (const ModelProfile& m : p.models)
            add(m.id);
    }
    if (!id.isEmpty()) {
        const QString wanted = QString::fromUtf8(QByteArray::fromPercentEncoding(id));
        for (const QJsonValue& v : data) {
            if (v.toObject().value(QLatin1String("id")).toString() == wanted)
                return respondJson(200, compactJson(v.toObject()));
        }
        if (m_env.router->matches(wanted)) {
            QJsonObject o {{QLatin1String("type"), QStringLiteral("model")}, {QLatin1String("id"), wanted},
                {QLatin1String("display_name"), wanted},
                {QLatin1String("created_at"), QStringLiteral("2025-01-01T00:00:00Z")}};
            return respondJson(200, compactJson(o));
        }
        return sendError(canon::Error::make(
            404, canon::ErrorType::NotFound, QStringLiteral("model \"%1\" is not routed by this gateway").arg(wanted)));
    }
    if (m_geminiModelList) {
        QJsonArray models;
        for (const QJsonValue& v : std::as_const(data)) {
            const QString modelId = v.toObject().value(QLatin1String("id")).toString();
            QJsonObject m {{QLatin1String("name"), QString(QStringLiteral("models/") + modelId)},
                {QLatin1String("displayName"), modelId},
                {QLatin1String("supportedGenerationMethods"),
                    QJsonArray {QStringLiteral("generateContent"), QStringLiteral("streamGenerateContent"),
                        QStringLiteral("countTokens")}}};
            if (v.toObject().contains(QLatin1String("max_input_tokens")))
                m.insert(QLatin1String("inputTokenLimit"), v.toObject().value(QLatin1String("max_input_tokens")));
            if (v.toObject().contains(QLatin1String("max_tokens")))
                m.insert(QLatin1String("outputTokenLimit"), v.toObject().value(QLatin1String("max_tokens")));
            models.append(m);
        }
        return respondJson(200, compactJson(QJsonObject {{QLatin1String("models"), models}}));
    }
    // Anthropic clients send anthropic-version (or x-api-key); everyone else gets OpenAI's list shape.
    if (m_request.header("anthropic-version").isNull() && m_request.header("x-api-key").isNull()) {
        QJsonArray openAi;
        for (const QJsonValue& v : std::as_const(data)) {
            openAi.append(QJsonObject {{QLatin1String("id"), v.toObject().value(QLatin1String("id"))},
                {QLatin1String("object"), QStringLiteral("model")}, {QLatin1String("created"), 1735689600},
                {QLatin1String("owned_by"), QStringLiteral("switchyard")}});
        }
        return respondJson(200,
            compactJson(
                QJsonObject {{QLatin1String("object"), QStringLiteral("list")}, {QLatin1String("data"), openAi}}));
    }
    QJsonObject list;
    list.insert(QLatin1String("data"), data);
    list.insert(QLatin1String("has_more"), false);
    list.insert(
        QLatin1String("first_id"), data.isEmpty() ? QJsonValue() : data.first().toObject().value(QLatin1String("id")));
    list.insert(
        QLatin1String("last_id"), data.isEmpty() ? QJsonValue() : data.last().toObject().value(QLatin1String("id")));
    respondJson(200, compactJson(list));
}

bool Exchange::authorizeClient()
{
    const QList<GatewayKey>& keys = m_env.config->server.gatewayKeys;
    if (keys.isEmpty())
        return true;
    QByteArray presented = m_request.header("x-api-key");
    if (presented.isEmpty()) {
        const QByteArray auth = m_request.header("authorization");
        if (auth.size() > 7 && auth.left(7).toLower() == "bearer ")
            presented = auth.mid(7).trimmed();
    }
    if (presented.isEmpty())
        presented = m_request.header("x-goog-api-key");
    if (presented.isEmpty()) {
        for (const QByteArray& item : m_request.query.split('&')) {
            if (item.startsWith("key="))
                presented = QByteArray::fromPercentEncoding(item.mid(4));
        }
    }
    // Compare digests so the time taken says nothing about how much of a key matched.
    const QByteArray digest = QCryptographicHash::hash(presented, QCryptographicHash::Sha256);
    for (const GatewayKey& k : keys) {
        if (k.key.isEmpty() || presented.isEmpty())
            continue;
        const QByteArray expected = QCryptographicHash::hash(k.key.toUtf8(), QCryptographicHash::Sha256);
        unsigned char diff = 0;
        for (int i = 0; i < expected.size(); ++i)
            diff |= static_cast<unsigned char>(expected.at(i) ^ digest.at(i));
        if (diff == 0) {
            m_record.gatewayKey = k.id;
            m_clientKeyIsGatewayKey = true;
            return true;
        }
    }
    sendError(canon::Error::make(401, canon::ErrorType::Authentication,
        presented.isEmpty()
            ? QStringLiteral("this gateway requires a key: send it as x-api-key or Authorization: Bearer")
            : QStringLiteral("the key is not one of this gateway's keys")));
    return false;
}

bool Exchange::admitByBudget()
{
    if (!m_env.budget)
        return true;
    const BudgetGuard::Verdict v = m_env.budget->admit(m_record.gatewayKey);
    if (v.allowed)
        return true;
    canon::Error e = canon::Error::make(429, canon::ErrorType::RateLimit, v.message);
    e.code = v.code;
    e.retryAfterSeconds = v.retryAfterSeconds;
    sendError(e);
    return false;
}

bool Exchange::decodeClientRequest()
{
    QByteArray body = m_request.body;
    if (m_countTokens && !m_geminiModel.isEmpty()) {
        // Gemini's countTokens may wrap a whole request: {"generateContentRequest": {...}}.
        const QJsonObject wrapped
            = QJsonDocument::fromJson(body).object().value(QLatin1String("generateContentRequest")).toObject();
        if (!wrapped.isEmpty())
            body = compactJson(wrapped);
    }
    auto decoded = m_inbound->decodeRequest(body, m_countTokens);
    if (!decoded.ok()) {
        sendError(decoded.error());
        return false;
    }
    m_canonical = std::move(decoded.value());
    if (!m_geminiModel.isEmpty()) {
        m_canonical.model = m_geminiModel;
        m_canonical.stream = m_geminiStream;
    }
    m_subagentModel = takeSubagentModel(m_canonical);
    m_canonicalReleased = false;
    return true;
}

void Exchange::releaseCanonicalBulk()
{
    // The conversation is the bulk of a request's memory (UTF-16 text, often 100-400 KB) and is only needed to
    // encode an attempt; a failover decodes the client's bytes again.
    m_canonical.system.clear();
    m_canonical.messages.clear();
    m_canonical.tools.clear();
    m_canonical.outputSchema = QJsonObject();
    m_canonicalReleased = true;
}

void Exchange::handleMessages(bool countTokens)
{
    if (!authorizeClient())
        return;
    if (!countTokens && !admitByBudget())
        return;
    m_countTokens = countTokens;
    if (!decodeClientRequest())
        return;
    m_record.clientModel = m_canonical.model;
    m_record.stream = m_canonical.stream && !countTokens;
    m_clientStream = m_record.stream;
    m_record.client = detectClient(m_request.header("user-agent"));

    const QString subagent = m_subagentModel;
    m_bodyEdited = !subagent.isEmpty();
    RouteQuery query = routeQueryFor(m_canonical, m_record.client, m_env.router->needsTokenCount());
    query.gatewayKey = m_record.gatewayKey;
    query.subagentModel = subagent;
    auto decision = m_env.router->resolve(query);
    if (!decision.ok())
        return sendError(canon::Error::make(404, canon::ErrorType::NotFound, decision.error()));
    m_decision = std::move(decision.value());
    m_record.routeVia = m_decision.via;
    m_affinity = affinityKey();
    const ProviderKind firstKind = m_decision.first().provider->kind;
    if (countTokens && !(firstKind == ProviderKind::Anthropic && m_inbound->relaysTo(firstKind))) {
        return respondJson(200, m_inbound->encodeTokenCount(estimateRequestTokens(m_canonical)));
    }
    startNextAttempt();
}

QString Exchange::affinityKey() const
{
    // Claude Code: metadata.user_id is a JSON string carrying session_id; other clients send a session header.
    const QJsonObject meta = QJsonDocument::fromJson(m_canonical.userId.toUtf8()).object();
    const QString session = meta.value(QLatin1String("session_id")).toString();
    if (!session.isEmpty())
        return session;
    for (const char* h : {"x-claude-code-session-id", "session-id", "session_id"}) {
        const QByteArray v = m_request.header(h);
        if (!v.isEmpty())
            return QString::fromUtf8(v);
    }
    return m_canonical.userId;
}

void Exchange::resetAttempt()
{
    m_upstreamStatus = 0;
    m_upstreamOk = false;
    m_upstreamStreaming = false;
    m_upstreamRetryAfter.clear();
    m_upstreamHeaders.clear();
    m_upstreamBody.clear();
    m_streamDecoder.reset();
    m_relay.reset();
    m_encoder.reset();
    m_accumulator = canon::ResponseAccumulator();
    m_pending.clear();
    m_ctx = canon::TranslationContext();
}

void Exchange::startNextAttempt()
{
    if (m_done)
        return;
    resetAttempt();
    CredentialManager* creds = m_env.credentials;
    while (true) {
        if (m_advanceTarget || m_targetIndex < 0) {
            ++m_targetIndex;
            m_advanceTarget = false;
            m_triesOnTarget = 0;
            if (m_targetIndex >= m_decision.chain.size())
                return finishExhausted();
            const ResolvedTarget& candidate = m_decision.chain.at(m_targetIndex);
            if (m_minContextWindow >= 0 && candidate.profile.contextWindow <= m_minContextWindow) {
                recordSkip(candidate, QStringLiteral("context window not larger than the one that overflowed"));
                m_advanceTarget = true;
                continue;
            }
        }
        const ResolvedTarget& target = m_decision.chain.at(m_targetIndex);
        if (m_triesOnTarget >= qMax<qsizetype>(1, target.provider->credentials.size())) {
            m_advanceTarget = true;
            continue;
        }
        ++m_triesOnTarget;
        CredentialManager::Pick pick;
        pick.index = -2;
        if (creds)
            pick = creds->pick(*target.provider, target.upstreamModel, m_affinity, m_decision.priority);
        else if (!target.provider->credentials.isEmpty())
            pick.index = target.provider->credentials.first().apiKey.isEmpty() ? -1 : 0;
        if (pick.index == -2 && !target.provider->accountProvider.isEmpty()) {
            // A login provider's pool never forwards the client's own key.
            recordSkip(target,
                QStringLiteral("no %1 account is logged in (switchyard account login %1)")
                    .arg(target.provider->accountProvider));
            m_advanceTarget = true;
            continue;
        }
        if (pick.index == -1) {
            recordSkip(target, QStringLiteral("no ready credential (cooling down or invalid)"));
            m_advanceTarget = true;
            continue;
        }
        m_target = target;
        m_credIndex = pick.index;
        m_record.providerId = target.provider->id;
        m_record.upstreamModel = target.upstreamModel;
        m_record.credentialId = pick.index >= 0 ? target.provider->credentials.at(pick.index).id : QString();
        UpstreamAttempt attempt;
        attempt.providerId = target.provider->id;
        attempt.model = target.upstreamModel;
        attempt.credentialId = m_record.credentialId;
        m_record.attempts.append(attempt);
        m_attemptClock.start();
        if (creds && m_credIndex >= 0)
            creds->requestStarted(target.provider->id, m_credIndex);
        m_account = nullptr;
        m_accountToken.clear();
        if (m_credIndex >= 0 && target.provider->credentials.at(m_credIndex).kind == Credential::Kind::Account)
            return startWithAccount(target.provider->credentials.at(m_credIndex).id);
        return dispatchAttempt();
    }
}

void Exchange::startWithAccount(const QString& accountId)
{
    AccountManager* accounts = m_env.accounts;
    if (!accounts) {
        endAttempt(QStringLiteral("skipped"), QStringLiteral("account %1 is not loaded").arg(accountId));
        m_advanceTarget = false;
        return startNextAttempt();
    }
    // The token comes from the accounts' thread; the answer comes back to this exchange's thread through `home`
    // (an object of this thread that outlives exchanges), and is dropped when the exchange is gone.
    QPointer<Exchange> self(this);
    QPointer<QObject> home(m_env.upstream);
    const auto resume = [self, home](const AccountLease& lease) {
        onThreadOf(home, [self, lease] {
            if (self)
                self->onAccountLease(lease.loaded, lease.ok, lease.spec, lease.meta, lease.token, lease.error);
        });
    };
    m_accountId = accountId;
    onThreadOf(accounts, [accounts, accountId, resume] {
        AccountLease lease;
        const Account* account = accounts->account(accountId);
        const OAuthProviderSpec* spec = account ? accounts->spec(account->provider) : nullptr;
        if (!account || !spec) {
            lease.error = QStringLiteral("account %1 is not loaded").arg(accountId);
            return resume(lease);
        }
        lease.loaded = true;
        lease.spec = *spec;
        lease.meta = account->meta;
        accounts->withFreshToken(
            accountId, accounts, [lease, resume](bool ok, const QString& token, const QString& error) mutable {
                lease.ok = ok;
                lease.token = token;
                lease.error = error;
                resume(lease);
            });
    });
}

void Exchange::onAccountLease(bool loaded, bool ok, const OAuthProviderSpec& spec, const QJsonObject& meta,
    const QString& token, const QString& error)
{
    if (m_done)
        return;
    if (!loaded) {
        endAttempt(QStringLiteral("skipped"), error);
        m_advanceTarget = false;
        return startNextAttempt();
    }
    m_accountSpec = spec;
    m_account = &m_accountSpec;
    m_accountMeta = meta;
    if (!ok) {
        // The account cannot be used now (needs login, offline refresh): the next credential or target.
        if (m_env.credentials && m_credIndex >= 0)
            m_env.credentials->reportFailure(m_target.provider->id, m_credIndex, m_target.upstreamModel,
                FailureKind::Unauthorized, 401, {}, {}, error);
        endAttempt(QStringLiteral("skipped"), error);
        return startNextAttempt();
    }
    m_accountToken = token.toUtf8();
    if (m_account->codeAssist && m_accountMeta.value(QLatin1String("project_id")).toString().isEmpty()) {
        endAttempt(QStringLiteral("skipped"),
            QStringLiteral("the Google account has no Code Assist project yet (log in again)"));
        return startNextAttempt();
    }
    dispatchAttempt();
}

void Exchange::dispatchAttempt()
{
    const ResolvedTarget& target = m_target;
    {
        // Accounts of ChatGPT and Google need request rewriting (Codex backend rules, Code Assist envelope).
        const bool rewrite = m_account && m_account->upstreamKind != ProviderKind::Anthropic;
        const ProviderKind kind = m_account ? m_account->upstreamKind : target.provider->kind;
        if (m_inbound->relaysTo(kind) && !rewrite) {
            if (kind == ProviderKind::Anthropic)
                return startPassthrough();
            // Same dialect in and out: the bytes go through untouched, unless the request had to change.
            if (!m_bodyEdited && target.effort.isEmpty() && target.thinkingBudget < 0 && !m_countTokens)
                return startRawRelay();
        }
        if (!upstreamAdapter(kind)) {
            endAttempt(QStringLiteral("skipped"), QStringLiteral("provider kind not supported by this build"));
            return sendError(canon::Error::make(501, canon::ErrorType::Api,
                QStringLiteral("provider %1 is of kind %2, which this build cannot translate to yet")
                    .arg(target.provider->id, providerKindName(target.provider->kind))));
        }
        return startTranslated();
    }
}

HeaderList Exchange::accountHeaders() const
{
    HeaderList h {qMakePair(QByteArrayLiteral("authorization"), QByteArray("Bearer " + m_accountToken))};
    for (const auto& extra : m_account->upstreamHeaders)
        h.append(extra);
    if (m_account->accountType == QLatin1String("chatgpt-codex")) {
        const QString accountId = m_accountMeta.value(QLatin1String("chatgpt_account_id")).toString();
        if (!accountId.isEmpty())
            h.append(qMakePair(QByteArrayLiteral("chatgpt-account-id"), accountId.toUtf8()));
        h.append(qMakePair(
            QByteArrayLiteral("session_id"), (m_affinity.isEmpty() ? m_record.requestId : m_affinity).toUtf8()));
    }
    return h;
}

void Exchange::recordSkip(const ResolvedTarget& target, const QString& why)
{
    UpstreamAttempt a;
    a.providerId = target.provider->id;
    a.model = target.upstreamModel;
    a.outcome = QStringLiteral("skipped");
    a.error = why;
    m_record.attempts.append(a);
}

void Exchange::endAttempt(const QString& outcome, const QString& error)
{
    if (m_record.attempts.isEmpty())
        return;
    UpstreamAttempt& a = m_record.attempts.last();
    if (!a.outcome.isEmpty())
        return;
    a.status = m_upstreamStatus;
    a.outcome = outcome;
    a.error = error.left(300);
    a.ms = m_attemptClock.isValid() ? m_attemptClock.elapsed() : 0;
    if (m_env.credentials && m_credIndex >= 0)
        m_env.credentials->requestFinished(m_target.provider->id, m_credIndex);
}

bool Exchange::tryFailover(FailureKind kind, int status, const QByteArray& body, const canon::Error& error)
{
    // Only while nothing has gone to the client.
    if (m_done || (m_responder && m_responder->headersSent()))
        return false;
    const bool contextOverflow = status == 400 && error.message.startsWith(QLatin1String("prompt is too long"));
    if (status >= 400 && status < 500 && status != 429 && status != 401 && status != 403 && !contextOverflow)
        return false; // the client's problem: pass it through
    if (m_env.credentials && m_credIndex >= 0 && !contextOverflow)
        m_env.credentials->reportFailure(m_target.provider->id, m_credIndex, m_target.upstreamModel, kind, status,
            m_upstreamHeaderList, body, error.message);
    if ((status == 401 || status == 403) && m_account && m_env.accounts) {
        AccountManager* accounts = m_env.accounts;
        onThreadOf(accounts, [accounts, id = m_accountId] { accounts->reportUnauthorized(id); });
    }
    m_lastError = error;
    // Name the provider once: connection and timeout messages already say "provider <id> ...".
    const QString provider = QStringLiteral("provider ") + m_target.provider->id;
    if (!m_lastError.message.startsWith(QLatin1String("provider "))
        && !m_lastError.message.contains(provider + QLatin1Char(':'))
        && !m_lastError.message.contains(provider + QLatin1Char(' ')))
        m_lastError.message = QStringLiteral("provider %1: %2").arg(m_target.provider->id, error.message);
    endAttempt(QStringLiteral("failover"), error.message);
    if (m_call) {
        m_call->disconnect(this);
        m_call->abort();
        m_call = nullptr;
    }
    if (contextOverflow) {
        m_minContextWindow = qMax(m_target.profile.contextWindow, 0);
        m_advanceTarget = true;
    } else if (status == 429 || status == 401 || status == 403) {
        m_advanceTarget = m_credIndex < 0; // another credential of the same target first, when there is a pool
    } else {
        m_advanceTarget = true;
    }
    qCInfo(lcGateway).noquote() << m_record.requestId << "failing over from"
                                << m_target.provider->id + QLatin1Char('/') + m_target.upstreamModel << "after"
                                << (status ? QString::number(status) : QStringLiteral("no response"));
    // Continue from the event loop: the caller may be inside the upstream call's signal.
    QMetaObject::invokeMethod(this, &Exchange::startNextAttempt, Qt::QueuedConnection);
    return true;
}

void Exchange::finishExhausted()
{
    // Every target was tried or skipped. Say why in the most useful way.
    const bool anyResponse = std::any_of(m_record.attempts.cbegin(), m_record.attempts.cend(),
        [](const UpstreamAttempt& a) { return a.outcome != QLatin1String("skipped"); });
    int ready = 0, cooling = 0, invalid = 0;
    qint64 soonest = -1;
    QStringList recent;
    if (m_env.credentials) {
        for (const ResolvedTarget& t : std::as_const(m_decision.chain)) {
            if (t.provider->credentials.isEmpty())
                continue;
            const CredentialManager::Availability a = m_env.credentials->availability(*t.provider, t.upstreamModel);
            ready += a.ready;
            cooling += a.cooling;
            invalid += a.invalid;
            if (a.soonestRecoveryMs >= 0 && (soonest < 0 || a.soonestRecoveryMs < soonest))
                soonest = a.soonestRecoveryMs;
            for (const QString& r : a.recentStatuses)
                if (!recent.contains(r))
                    recent.append(r);
        }
    }
    // Targets were really tried in this request: their last answer says most (a 429 keeps its Retry-After).
    if (anyResponse && !m_lastError.message.isEmpty())
        return sendError(m_lastError);
    const qint64 now = m_env.clock ? m_env.clock->nowMs() : QDateTime::currentMSecsSinceEpoch();
    const int retryAfter = soonest >= 0 ? int(qMax<qint64>(1, (soonest - now + 999) / 1000)) : -1;
    if (ready == 0 && cooling > 0) {
        canon::Error e = canon::Error::make(429, canon::ErrorType::RateLimit,
            QStringLiteral("every credential for model \"%1\" is cooling down after rate limits; retry in %2 s")
                .arg(m_canonical.model)
                .arg(retryAfter));
        e.code = QStringLiteral("model_cooldown");
        e.retryAfterSeconds = retryAfter;
        return sendError(e);
    }
    if (ready == 0 && invalid > 0 && cooling == 0) {
        canon::Error e = canon::Error::make(503, canon::ErrorType::Overloaded,
            QStringLiteral(
                "no usable credential for model \"%1\": %2 invalid or missing (check the keys in the config)")
                .arg(m_canonical.model)
                .arg(invalid));
        e.code = QStringLiteral("auth_unavailable");
        e.retryAfterSeconds = 60;
        e.shouldRetry = false;
        e.details = QJsonObject {{QLatin1String("invalid"), invalid}, {QLatin1String("cooling"), cooling},
            {QLatin1String("recent_statuses"), QJsonArray::fromStringList(recent.mid(0, 10))}};
        return sendError(e);
    }
    QStringList reasons;
    bool accountsOnly = true;
    for (const UpstreamAttempt& a : std::as_const(m_record.attempts)) {
        if (a.error.isEmpty())
            continue;
        const QString reason = a.providerId + QStringLiteral(": ") + a.error;
        if (!reasons.contains(reason))
            reasons.append(reason);
        accountsOnly = accountsOnly && a.error.contains(QLatin1String("account"));
    }
    if (!reasons.isEmpty() && accountsOnly) {
        // Only OAuth accounts were in the way (none logged in, or each needs a new login).
        canon::Error e = canon::Error::make(503, canon::ErrorType::Overloaded,
            QStringLiteral("no usable account for model \"%1\": %2")
                .arg(m_canonical.model, reasons.join(QStringLiteral("; "))));
        e.code = QStringLiteral("auth_unavailable");
        e.shouldRetry = false;
        return sendError(e);
    }
    sendError(canon::Error::make(502, canon::ErrorType::Api,
        QStringLiteral("no target of the route for \"%1\" could be tried%2")
            .arg(m_canonical.model,
                reasons.isEmpty() ? QString() : QStringLiteral(": ") + reasons.join(QStringLiteral("; ")))));
}

void Exchange::startPassthrough()
{
    m_mode = m_countTokens ? Mode::CountTokensPassthrough : Mode::Passthrough;
    const ResolvedTarget& target = m_target;
    QByteArray body = m_request.body;
    if (m_rootJson.isEmpty())
        m_rootJson = QJsonDocument::fromJson(m_request.body).object();
    QJsonObject root = m_rootJson;
    bool reencode = m_bodyEdited;
    if (m_bodyEdited)
        stripSubagentTag(root);
    if (stripForeignThinking(root))
        reencode = true; // only histories that crossed providers get here
    if (!target.effort.isEmpty() || target.thinkingBudget >= 0) {
        applyReasoningOverride(root, target);
        reencode = true;
    }
    if (reencode) {
        root.insert(QLatin1String("model"), target.upstreamModel);
        body = QJsonDocument(root).toJson(QJsonDocument::Compact);
    } else if (target.upstreamModel != m_canonical.model) {
        spliceTopLevelModel(body, target.upstreamModel); // everything else goes out byte for byte
    }

    UpstreamRequest req;
    QString url = (m_account ? m_account->upstreamBaseUrl : target.provider->baseUrl)
        + (m_countTokens ? QLatin1String("/v1/messages/count_tokens") : QLatin1String("/v1/messages"));
    if (!m_request.query.isEmpty())
        url += QLatin1Char('?') + QString::fromLatin1(m_request.query);
    req.url = QUrl(url);
    bool hasVersion = false;
    bool hasBeta = false;
    const QByteArray accountBeta = m_account ? m_account->anthropicBeta.toLatin1() : QByteArray();
    for (const auto& h : m_request.headers) {
        if (isHopByHop(h.first))
            continue;
        if (QByteArrayView(h.first).compare("anthropic-version", Qt::CaseInsensitive) == 0)
            hasVersion = true;
        if (!accountBeta.isEmpty() && QByteArrayView(h.first).compare("anthropic-beta", Qt::CaseInsensitive) == 0) {
            // A subscription token needs the OAuth beta flag beside the client's own flags.
            hasBeta = true;
            if (!h.second.split(',').contains(accountBeta)) {
                req.headers.append(qMakePair(h.first, QByteArray(h.second + ',' + accountBeta)));
                continue;
            }
        }
        req.headers.append(h);
    }
    if (!hasVersion)
        req.headers.append(qMakePair(QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("2023-06-01")));
    if (!accountBeta.isEmpty() && !hasBeta)
        req.headers.append(qMakePair(QByteArrayLiteral("anthropic-beta"), accountBeta));
    if (m_account) {
        req.headers += accountHeaders();
    } else if (m_credIndex >= 0) {
        const QByteArray key = target.provider->credentials.at(m_credIndex).apiKey.toUtf8();
        if (key.startsWith("sk-ant-oat"))
            req.headers.append({"authorization", "Bearer " + key});
        else
            req.headers.append({"x-api-key", key});
    } else if (!m_clientKeyIsGatewayKey) {
        // No credentials configured: the client's own key or subscription token goes through.
        const QByteArray apiKey = m_request.header("x-api-key");
        const QByteArray auth = m_request.header("authorization");
        if (!apiKey.isEmpty())
            req.headers.append({"x-api-key", apiKey});
        if (!auth.isEmpty())
            req.headers.append({"authorization", auth});
    }
    for (const auto& h : target.provider->extraHeaders)
        req.headers.append(h);
    req.body = body;
    req.idleTimeoutMs = target.provider->idleTimeoutMs;
    req.totalTimeoutMs = target.provider->totalTimeoutMs;
    m_relay = std::make_unique<anthropic::StreamRelay>();
    sendUpstream(req);
}

void Exchange::startRawRelay()
{
    m_mode = Mode::RawRelay;
    const ResolvedTarget& target = m_target;
    m_adapter = upstreamAdapter(target.provider->kind);
    UpstreamRequest req;
    req.body = m_request.body;
    QString path = m_adapter->path(target.upstreamModel, m_canonical.stream);
    if (target.provider->kind == ProviderKind::Gemini) {
        // The model is in the path; keep the client's framing (SSE with alt=sse, a JSON array without).
        if (m_canonical.stream && !m_request.query.contains("alt=sse"))
            path.remove(QStringLiteral("?alt=sse"));
    } else if (target.upstreamModel != m_canonical.model) {
        spliceTopLevelModel(req.body, target.upstreamModel);
    }
    req.url = QUrl(target.provider->baseUrl + path);
    req.headers.append(qMakePair(QByteArrayLiteral("content-type"), JsonType));
    if (m_credIndex >= 0) {
        req.headers += m_adapter->authHeaders(target.provider->credentials.at(m_credIndex).apiKey.toUtf8());
    } else if (!m_clientKeyIsGatewayKey) {
        for (const char* h : {"authorization", "x-goog-api-key"}) {
            const QByteArray v = m_request.header(h);
            if (!v.isEmpty())
                req.headers.append(qMakePair(QByteArray(h), v));
        }
    }
    for (const auto& h : target.provider->extraHeaders)
        req.headers.append(h);
    req.idleTimeoutMs = target.provider->idleTimeoutMs;
    req.totalTimeoutMs = target.provider->totalTimeoutMs;
    sendUpstream(req);
}

void Exchange::startTranslated()
{
    m_mode = Mode::Translated;
    if (m_canonicalReleased && !decodeClientRequest())
        return;
    const ResolvedTarget& target = m_target;
    canon::Request request = m_canonical;
    if (!target.effort.isEmpty()) {
        if (target.effort == QLatin1String("none")) {
            request.thinking = canon::Thinking {canon::Thinking::Mode::Disabled, 0, QString()};
        } else {
            request.thinking.mode = canon::Thinking::Mode::Adaptive;
            request.thinking.effort = target.effort;
        }
    } else if (target.thinkingBudget >= 0) {
        request.thinking.mode
            = target.thinkingBudget == 0 ? canon::Thinking::Mode::Disabled : canon::Thinking::Mode::Enabled;
        request.thinking.budgetTokens = target.thinkingBudget;
        request.thinking.effort.clear();
    }
    m_ctx.clientModel = m_canonical.model;
    m_ctx.upstreamModel = target.upstreamModel;
    UpstreamRequest req;
    const ProviderKind kind = m_account ? m_account->upstreamKind : target.provider->kind;
    m_adapter = m_account && m_account->codeAssist ? codeAssistAdapter() : upstreamAdapter(kind);
    req.body = m_adapter->encodeRequest(request, target.profile, m_ctx);
    request = canon::Request();
    releaseCanonicalBulk();
    bool upstreamStream = m_canonical.stream;
    if (m_account && m_account->accountType == QLatin1String("chatgpt-codex")) {
        req.body = codexRequestBody(req.body);
        upstreamStream = true; // the Codex backend only streams; a JSON client gets the accumulated answer
    } else if (m_account && m_account->codeAssist) {
        req.body = wrapCodeAssistRequest(req.body, target.upstreamModel,
            m_accountMeta.value(QLatin1String("project_id")).toString(), m_record.requestId);
    }
    const QString base = m_account ? m_account->upstreamBaseUrl : target.provider->baseUrl;
    req.url = QUrl(base + m_adapter->path(target.upstreamModel, upstreamStream));
    req.headers.append(qMakePair(QByteArrayLiteral("content-type"), JsonType));
    req.headers.append(
        qMakePair(QByteArrayLiteral("accept"), upstreamStream ? QByteArrayLiteral("text/event-stream") : JsonType));
    if (m_account) {
        req.headers += accountHeaders();
        if (kind == ProviderKind::Anthropic) {
            req.headers.append(qMakePair(QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("2023-06-01")));
            if (!m_account->anthropicBeta.isEmpty())
                req.headers.append(qMakePair(QByteArrayLiteral("anthropic-beta"), m_account->anthropicBeta.toLatin1()));
        }
    } else if (m_credIndex >= 0) {
        req.headers += m_adapter->authHeaders(target.provider->credentials.at(m_credIndex).apiKey.toUtf8());
    }
    for (const auto& h : target.provider->extraHeaders)
        req.headers.append(h);
    req.idleTimeoutMs = target.provider->idleTimeoutMs;
    req.totalTimeoutMs = target.provider->totalTimeoutMs;
    // message_start carries 0 input tokens; the upstream's real count follows in message_delta (which clients use).
    m_encoder = m_inbound->streamEncoder(m_canonical.model);
    sendUpstream(req);
}

void Exchange::sendUpstream(const UpstreamRequest& request)
{
    if (!m_responder)
        return complete();
    UpstreamCall* call = m_env.upstream->send(request, this);
    m_call = call;
    connect(call, &UpstreamCall::responseStarted, this, &Exchange::onUpstreamStarted);
    connect(call, &UpstreamCall::dataReceived, this, &Exchange::onUpstreamData);
    connect(call, &UpstreamCall::finished, this, &Exchange::onUpstreamFinished);
    if (m_clientStream && m_env.keepAliveIntervalMs > 0 && !m_keepAlive) {
        m_keepAlive = new QTimer(this);
        m_keepAlive->setInterval(m_env.keepAliveIntervalMs);
        connect(m_keepAlive, &QTimer::timeout, this, &Exchange::onKeepAlive);
        m_keepAlive->start();
    }
}

void Exchange::onUpstreamStarted(int status)
{
    m_upstreamStatus = status;
    m_upstreamOk = status >= 200 && status < 300;
    if (m_call)
        m_upstreamHeaderList = m_call->responseHeaders();
    if (m_account && m_env.accounts) {
        AccountManager* accounts = m_env.accounts;
        onThreadOf(accounts,
            [accounts, id = m_accountId, headers = m_upstreamHeaderList] { accounts->noteQuotaHeaders(id, headers); });
    }
    if (m_upstreamOk && m_env.credentials && m_credIndex >= 0)
        m_env.credentials->reportSuccess(m_target.provider->id, m_credIndex, m_target.upstreamModel);
    const QByteArray contentType = m_call ? m_call->responseHeader("content-type").toLower() : QByteArray();
    if (m_call) {
        m_upstreamRetryAfter = m_call->responseHeader("retry-after");
        if (m_upstreamRetryAfter.isEmpty() && !m_call->responseHeader("retry-after-ms").isEmpty())
            m_upstreamRetryAfter
                = QByteArray::number((m_call->responseHeader("retry-after-ms").toLongLong() + 999) / 1000);
        for (const auto& h : m_call->responseHeaders()) {
            const QByteArray name = h.first.toLower();
            if (name == "retry-after" || name == "x-should-retry" || name.startsWith("anthropic-ratelimit-")
                || name == "request-id")
                m_upstreamHeaders.append({name == "request-id" ? QByteArray("upstream-request-id") : name, h.second});
        }
    }
    m_upstreamStreaming = m_upstreamOk && contentType.contains("text/event-stream");
    if (m_mode == Mode::RawRelay) {
        m_upstreamStreaming = m_upstreamOk && m_clientStream;
        if (m_upstreamStreaming)
            beginClientStream(contentType.isEmpty() ? m_inbound->streamContentType() : contentType);
        return;
    }
    if (!m_upstreamStreaming)
        return; // buffered until the upstream finishes
    if (m_mode == Mode::Passthrough) {
        if (m_clientStream)
            beginClientStream();
    } else if (m_mode == Mode::Translated) {
        m_streamDecoder = m_adapter->streamDecoder(m_ctx);
    }
}

void Exchange::onUpstreamData(const QByteArray& data)
{
    if (m_done)
        return;
    if (m_record.firstByteMs < 0)
        m_record.firstByteMs = m_clock.elapsed();
    if (!m_upstreamStreaming) {
        if (m_upstreamBody.size() + data.size() > 256 * 1024 * 1024) {
            if (m_call)
                m_call->abort();
            return;
        }
        m_upstreamBody.append(data);
        return;
    }
    if (m_mode == Mode::RawRelay) {
        writeClient(data);
        return;
    }
    if (m_mode == Mode::Passthrough) {
        QByteArray out;
        m_relay->feed(data, out);
        if (m_clientStream) {
            writeClient(out);
            if (m_relay->done())
                complete();
        } else {
            m_pending.append(out);
        }
        return;
    }
    canon::StreamEvents events;
    m_streamDecoder->feed(data, events);
    processEvents(events);
}

void Exchange::processEvents(canon::StreamEvents& events)
{
    if (m_done || events.isEmpty())
        return;
    if (!m_clientStream) {
        m_accumulator.add(events);
        if (m_accumulator.failed()) {
            const canon::Error e = m_accumulator.error();
            if (!tryFailover(failureKindFor(e), e.httpStatus, {}, e))
                sendError(e);
        } else if (m_accumulator.finished()) {
            canon::Response r = m_accumulator.take();
            m_record.usage = r.usage;
            m_record.stopReason = r.stopReason;
            respondJson(200, m_inbound->encodeResponse(r, m_canonical.model));
        }
        return;
    }
    const bool headersSent = m_responder && m_responder->headersSent();
    QByteArray out;
    for (const canon::StreamEvent& e : std::as_const(events)) {
        if (!headersSent && !(m_responder && m_responder->headersSent())) {
            if (e.type == canon::StreamEvent::Type::Failure) {
                // Nothing went to the client yet: fail over, or answer with a real HTTP error (more useful than
                // an SSE error event).
                m_pending.clear();
                if (!tryFailover(failureKindFor(e.error), e.error.httpStatus, {}, e.error))
                    sendError(e.error);
                return;
            }
            const bool content
                = e.type != canon::StreamEvent::Type::MessageStart && e.type != canon::StreamEvent::Type::UsageUpdate;
            m_encoder->encode(e, m_pending);
            if (content) {
                beginClientStream();
                writeClient(std::exchange(m_pending, QByteArray()));
            }
            continue;
        }
        m_encoder->encode(e, out);
    }
    if (!out.isEmpty())
        writeClient(out);
    if (m_encoder->finished()) {
        m_record.usage = m_encoder->usage();
        m_record.stopReason = m_encoder->stopReason();
        if (m_encoder->failed() && m_record.errorType.isEmpty())
            m_record.errorType = QStringLiteral("api_error");
        complete();
    }
}

void Exchange::onUpstreamFinished(UpstreamCall::Outcome outcome, const QString& errorString)
{
    m_call = nullptr;
    if (m_done)
        return;
    if (outcome != UpstreamCall::Outcome::Completed) {
        const canon::Error e = errorForOutcome(outcome, errorString);
        qCInfo(lcGateway).noquote() << m_record.requestId << "upstream" << m_record.providerId
                                    << "failed:" << e.message;
        if (tryFailover(FailureKind::Network, 0, {}, e))
            return;
        if (m_responder && m_responder->headersSent()) {
            QByteArray out;
            if (m_mode == Mode::RawRelay) {
                // A byte relay cannot add an event in a dialect it does not parse; the client sees the cut.
            } else if (m_mode == Mode::Passthrough) {
                m_relay->finish(out); // turns the cut into an error event
            } else {
                m_encoder->fail(e, out);
            }
            m_record.errorType = anthropic::errorTypeName(e.type);
            m_record.errorMessage = e.message;
            writeClient(out);
            complete();
        } else {
            sendError(e);
        }
        return;
    }
    if (m_upstreamStreaming) {
        if (m_mode == Mode::RawRelay)
            return complete();
        if (m_mode == Mode::Passthrough) {
            QByteArray out;
            m_relay->finish(out);
            m_record.usage = m_relay->usage();
            m_record.stopReason = m_relay->stopReason();
            if (m_clientStream) {
                writeClient(out);
            } else {
                // The client wanted JSON but the upstream streamed: accumulate the relayed stream.
                m_pending.append(out);
                anthropic::StreamDecoder decoder;
                canon::StreamEvents events;
                decoder.feed(m_pending, events);
                decoder.finish(events);
                canon::ResponseAccumulator acc;
                acc.add(events);
                if (acc.failed())
                    return sendError(acc.error());
                return respondJson(200, anthropic::encodeResponse(acc.take(), m_canonical.model));
            }
            return complete();
        }
        canon::StreamEvents events;
        m_streamDecoder->finish(events);
        processEvents(events);
        if (!m_done) {
            // The decoder always ends in Finish or Failure; this is only a guard.
            canon::StreamEvents tail {canon::StreamEvent::of(canon::StreamEvent::Type::Failure)};
            tail.first().error
                = canon::Error::make(502, canon::ErrorType::Api, QStringLiteral("upstream stream ended prematurely"));
            processEvents(tail);
        }
        return;
    }
    finishBufferedUpstream();
}

void Exchange::finishBufferedUpstream()
{
    const int status = m_upstreamStatus;
    const QByteArray body = std::exchange(m_upstreamBody, QByteArray());
    // A success status with a body nobody can read (truncated, not JSON) is the provider's failure: nothing has
    // reached the client yet, so the next target may still answer.
    const auto unreadable = [this, &body](const QString& why) {
        const canon::Error e = canon::Error::make(502, canon::ErrorType::Api,
            QStringLiteral("provider %1 sent an unreadable answer: %2").arg(m_record.providerId, why));
        if (!tryFailover(FailureKind::ServerError, 502, body, e))
            sendError(e);
    };
    if (m_mode == Mode::Passthrough || m_mode == Mode::CountTokensPassthrough) {
        if (m_upstreamOk) {
            if (m_mode == Mode::Passthrough) {
                auto decoded = anthropic::decodeResponse(body);
                if (!decoded.ok())
                    return unreadable(decoded.error().message);
                m_record.usage = decoded->usage;
                m_record.stopReason = decoded->stopReason;
                if (m_clientStream) {
                    // The upstream ignored stream:true; give the client the stream it asked for.
                    m_encoder = m_inbound->streamEncoder(m_canonical.model);
                    canon::StreamEvents events = canon::eventsFromResponse(*decoded);
                    return processEvents(events);
                }
            }
            return respondJson(status, body, m_upstreamHeaders);
        }
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        canon::Error e = anthropic::decodeError(status, body);
        if (e.retryAfterSeconds < 0 && !m_upstreamRetryAfter.isEmpty())
            e.retryAfterSeconds = m_upstreamRetryAfter.toInt();
        if (tryFailover(failureKindForStatus(status), status, body, e))
            return;
        if (o.value(QLatin1String("type")).toString() == QLatin1String("error")) {
            // Already in the client's shape: relay it as it is.
            m_record.errorType = anthropic::errorTypeName(e.type);
            m_record.errorMessage = e.message;
            return respondJson(status, body, m_upstreamHeaders);
        }
        canon::Error wrapped = e;
        wrapped.message = QStringLiteral("provider %1: %2").arg(m_record.providerId, e.message);
        return sendError(wrapped);
    }
    if (m_mode == Mode::RawRelay) {
        if (m_upstreamOk && !QJsonDocument::fromJson(body).isObject())
            return unreadable(QStringLiteral("the body is not a JSON object"));
        if (!m_upstreamOk) {
            const canon::Error e = m_adapter->decodeError(status, body, m_upstreamRetryAfter);
            if (tryFailover(failureKindForStatus(status), status, body, e))
                return;
            m_record.errorType = anthropic::errorTypeName(e.type);
            m_record.errorMessage = e.message;
        }
        return respondJson(status, body, m_upstreamHeaders); // already in the client's dialect
    }
    if (!m_upstreamOk) {
        canon::Error e = m_adapter->decodeError(status, body, m_upstreamRetryAfter);
        if (tryFailover(failureKindForStatus(status), status, body, e))
            return;
        e.message = QStringLiteral("provider %1: %2").arg(m_record.providerId, e.message);
        return sendError(e);
    }
    auto decoded = m_adapter->decodeResponse(body, m_ctx);
    if (!decoded.ok())
        return unreadable(decoded.error().message);
    canon::StreamEvents events = canon::eventsFromResponse(*decoded);
    processEvents(events);
}

void Exchange::onClientGone()
{
    m_responder = nullptr;
    if (m_done)
        return;
    qCInfo(lcGateway).noquote() << m_record.requestId << "client disconnected; upstream request aborted";
    m_record.errorType = QStringLiteral("client_disconnected");
    m_record.status = 499;
    m_responder = nullptr;
    QPointer<UpstreamCall> call = m_call;
    complete();
    if (call)
        call->abort();
}

void Exchange::onKeepAlive()
{
    if (m_done || !m_clientStream)
        return;
    if (m_responder && m_responder->headersSent()) {
        QByteArray out;
        if (m_mode == Mode::Translated)
            m_encoder->ping(out);
        else if (m_mode == Mode::Passthrough)
            out = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
        writeClient(out);
    } else if (m_mode == Mode::Translated && m_upstreamStreaming) {
        // The upstream accepted the request but is still thinking: commit to the stream so the client sees life.
        beginClientStream();
        QByteArray out = std::exchange(m_pending, QByteArray());
        m_encoder->encode(canon::StreamEvent::of(canon::StreamEvent::Type::MessageStart), out);
        m_encoder->ping(out);
        writeClient(out);
    }
}

void Exchange::beginClientStream(const QByteArray& contentType)
{
    if (!m_responder || m_responder->headersSent())
        return;
    m_record.status = 200;
    m_responder->beginStream(200,
        {{"content-type", contentType.isEmpty() ? m_inbound->streamContentType() : contentType},
            {"cache-control", "no-cache"}, {"request-id", m_record.requestId.toLatin1()}});
    // From here on nothing is retried, so the client's bytes can go too while the answer streams.
    releaseCanonicalBulk();
    m_request.body = QByteArray();
    m_rootJson = QJsonObject();
}

void Exchange::writeClient(const QByteArray& bytes)
{
    if (m_responder && !bytes.isEmpty())
        m_responder->writeChunk(bytes);
}

void Exchange::respondJson(int status, const QByteArray& body, const HeaderList& extra)
{
    HeaderList headers {{"content-type", JsonType}, {"request-id", m_record.requestId.toLatin1()}};
    headers += extra;
    respondWhole(status, headers, body);
}

void Exchange::respondWhole(int status, const HeaderList& headers, const QByteArray& body)
{
    if (!m_responder || m_done)
        return complete();
    m_record.status = status;
    m_held = HeldAnswer {status, headers, body};
    complete();
}

void Exchange::sendError(const canon::Error& error)
{
    if (m_done)
        return;
    if (m_call)
        m_call->abort();
    m_record.errorType = anthropic::errorTypeName(error.type);
    m_record.errorMessage = error.message;
    if (m_responder && m_responder->headersSent()) {
        QByteArray out;
        if (m_encoder)
            m_encoder->fail(error, out);
        writeClient(out);
        return complete();
    }
    HeaderList extra;
    if (error.retryAfterSeconds >= 0)
        extra.append({"retry-after", QByteArray::number(error.retryAfterSeconds)});
    if (!error.shouldRetry)
        extra.append(qMakePair(QByteArrayLiteral("x-should-retry"), QByteArrayLiteral("false")));
    respondJson(m_inbound->errorStatus(error), m_inbound->encodeError(error, m_record.requestId), extra);
}

canon::Error Exchange::errorForOutcome(UpstreamCall::Outcome outcome, const QString& errorString) const
{
    const QString provider = m_record.providerId;
    switch (outcome) {
    case UpstreamCall::Outcome::IdleTimeout:
        return canon::Error::make(504, canon::ErrorType::Timeout,
            QStringLiteral("provider %1 sent nothing for too long (idle timeout)").arg(provider));
    case UpstreamCall::Outcome::TotalTimeout:
        return canon::Error::make(504, canon::ErrorType::Timeout,
            QStringLiteral("provider %1 did not finish within the deadline").arg(provider));
    case UpstreamCall::Outcome::Interrupted:
        return canon::Error::make(502, canon::ErrorType::Api,
            QStringLiteral("connection to provider %1 broke mid-response: %2").arg(provider, errorString));
    case UpstreamCall::Outcome::ConnectionError:
        return canon::Error::make(
            502, canon::ErrorType::Api, QStringLiteral("cannot reach provider %1: %2").arg(provider, errorString));
    case UpstreamCall::Outcome::Aborted:
    case UpstreamCall::Outcome::Completed:
        break;
    }
    return canon::Error::make(
        500, canon::ErrorType::Api, QStringLiteral("upstream request to %1 was aborted").arg(provider));
}

void Exchange::complete()
{
    if (m_done)
        return;
    m_done = true;
    if (m_keepAlive)
        m_keepAlive->stop();
    endAttempt(m_record.errorType.isEmpty() ? QStringLiteral("ok") : QStringLiteral("passed-to-client"),
        m_record.errorMessage);
    m_record.totalMs = m_clock.elapsed();
    qCInfo(lcGateway).noquote() << m_record.requestId << m_record.method << m_record.path << m_record.clientModel
                                << "->"
                                << (m_record.providerId.isEmpty()
                                           ? QStringLiteral("-")
                                           : m_record.providerId + QLatin1Char('/') + m_record.upstreamModel)
                                << m_record.status << m_record.errorType
                                << QStringLiteral("%1 ms").arg(m_record.totalMs);
    m_logTicket = m_env.logFinished ? m_env.logFinished(m_record) : 0;
    Q_EMIT completed(m_record);
    const bool answerPending = m_responder && (m_held || (m_responder->headersSent() && !m_responder->finished()));
    if (m_logTicket == 0 || !answerPending || !m_env.usage)
        return release();
    // The client sees its answer end only once the request is in the usage log: a crash cannot lose a request
    // the client saw finish. Rows of concurrent requests share one commit, so this costs one commit's latency.
    connect(m_env.usage, &UsageLog::settled, this, [this](quint64 upTo) {
        if (upTo >= m_logTicket)
            release();
    });
    if (m_env.usage->settledTicket() >= m_logTicket)
        return release();
    // A writer stuck behind a locked database must not hold answers for long.
    QTimer::singleShot(kMaxLogWaitMs, this, [this] {
        if (!m_released)
            qCWarning(lcGateway).noquote() << m_record.requestId << "usage log is slow; answering before it commits";
        release();
    });
}

void Exchange::release()
{
    if (m_released)
        return;
    m_released = true;
    if (m_responder) {
        if (m_held)
            m_responder->respond(m_held->status, m_held->headers, m_held->body);
        else if (m_responder->headersSent() && !m_responder->finished())
            m_responder->endStream();
    }
    m_held.reset();
    deleteLater();
}

} // namespace sy
