#include "config.h"

#include "common/logging.h"
#include "jsonlocator.h"
#include "jsonschema.h"
#include "oauth/oauthprovider.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QUrl>

namespace sy {

QString providerKindName(ProviderKind kind)
{
    switch (kind) {
    case ProviderKind::Anthropic:
        return QStringLiteral("anthropic");
    case ProviderKind::OpenAiChat:
        return QStringLiteral("openai-chat");
    case ProviderKind::OpenAiResponses:
        return QStringLiteral("openai-responses");
    case ProviderKind::Gemini:
        return QStringLiteral("gemini");
    }
    return {};
}

ModelProfile ProviderConfig::profileFor(const QString& model) const
{
    for (const ModelProfile& p : models) {
        if (p.id.compare(model, Qt::CaseInsensitive) == 0)
            return p;
    }
    ModelProfile p;
    p.id = model;
    const QString url = baseUrl.toLower();
    const QString m = model.toLower();
    if (url.contains(QLatin1String("api.openai.com"))) {
        p.reasoningStyle = QStringLiteral("effort");
        static const QRegularExpression reasoningModel(QStringLiteral("^(o\\d|gpt-5)"));
        p.useMaxCompletionTokens = reasoningModel.match(m).hasMatch();
    } else if (url.contains(QLatin1String("deepseek"))) {
        p.reasoningStyle = QStringLiteral("deepseek");
        p.reasoningEcho = true;
        if (m.contains(QLatin1String("deepseek-chat")) && p.maxOutputTokens == 0)
            p.maxOutputTokens = 8192;
    } else if (url.contains(QLatin1String("openrouter"))) {
        p.reasoningStyle = QStringLiteral("openrouter");
    } else if (url.contains(QLatin1String("dashscope"))) {
        p.reasoningStyle = QStringLiteral("qwen");
        p.reasoningEcho = true;
    } else if (url.contains(QLatin1String("moonshot")) || url.contains(QLatin1String("bigmodel"))
        || url.contains(QLatin1String("z.ai"))) {
        p.reasoningStyle = QStringLiteral("deepseek");
        p.reasoningEcho = true;
    } else {
        p.reasoningStyle = QStringLiteral("none");
    }
    return p;
}

const ProviderConfig* Config::provider(const QString& id) const
{
    for (const ProviderConfig& p : providers) {
        if (p.id == id)
            return &p;
    }
    return nullptr;
}

bool parseListen(const QString& text, QHostAddress* address, quint16* port, QString* error)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0) {
        *error = QStringLiteral("expected HOST:PORT, got \"%1\"").arg(text);
        return false;
    }
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    if (!ok || p > 65535) {
        *error = QStringLiteral("invalid port in \"%1\"").arg(text);
        return false;
    }
    QHostAddress addr;
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        addr = QHostAddress(QHostAddress::LocalHost);
    else if (host == QLatin1String("*") || host == QLatin1String("0.0.0.0"))
        addr = QHostAddress(QHostAddress::AnyIPv4);
    else if (!addr.setAddress(host)) {
        *error = QStringLiteral("invalid listen address \"%1\" (use an IP address or localhost)").arg(host);
        return false;
    }
    *address = addr;
    *port = quint16(p);
    return true;
}

QHash<QString, QString> processEnvironment()
{
    QHash<QString, QString> env;
    const QProcessEnvironment pe = QProcessEnvironment::systemEnvironment();
    for (const QString& k : pe.keys())
        env.insert(k, pe.value(k));
    return env;
}

namespace {

class ConfigParser
{
public:
    ConfigParser(const QByteArray& json, const QHash<QString, QString>& env)
        : m_locator(json)
        , m_env(env)
    {
    }

    QString fail(const QString& path, const QString& message)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("line %1: %2: %3").arg(m_locator.lineOf(path)).arg(path, message);
        return m_error;
    }
    void warn(const QString& path, const QString& message)
    {
        qCWarning(lcConfig).noquote()
            << QStringLiteral("config line %1: %2: %3").arg(m_locator.lineOf(path)).arg(path, message);
    }
    void checkKeys(const QJsonObject& o, const QString& path, std::initializer_list<const char*> known)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            bool found = false;
            for (const char* k : known)
                found = found || it.key() == QLatin1String(k);
            if (!found)
                warn(path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key(),
                    QStringLiteral("unknown field, ignored"));
        }
    }
    bool readInt(const QJsonObject& o, const char* key, const QString& path, qint64 min, qint64 max, qint64* out)
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return true;
        const QString p = path + QLatin1Char('.') + QLatin1String(key);
        if (!v.isDouble() || v.toDouble() != double(qint64(v.toDouble()))) {
            fail(p, QStringLiteral("must be an integer"));
            return false;
        }
        const qint64 n = qint64(v.toDouble());
        if (n < min || n > max) {
            fail(p, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
            return false;
        }
        *out = n;
        return true;
    }
    bool readBool(const QJsonObject& o, const char* key, const QString& path, bool* out)
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return true;
        if (!v.isBool()) {
            fail(path + QLatin1Char('.') + QLatin1String(key), QStringLiteral("must be true or false"));
            return false;
        }
        *out = v.toBool();
        return true;
    }

    static Limits parseLimits(const QJsonObject& o)
    {
        Limits l;
        l.requestsPerMinute = o.value(QLatin1String("requests_per_minute")).toInt(0);
        l.tokensPerMinute = qint64(o.value(QLatin1String("tokens_per_minute")).toDouble(0));
        l.dailyUsd = o.value(QLatin1String("daily_usd")).toDouble(0);
        l.monthlyUsd = o.value(QLatin1String("monthly_usd")).toDouble(0);
        l.warnAt = o.value(QLatin1String("warn_at")).toDouble(0.8);
        return l;
    }

    bool parseServer(const QJsonObject& o, ServerConfig* s)
    {
        checkKeys(o, QStringLiteral("server"),
            {"listen", "max_body_bytes", "max_header_bytes", "idle_timeout_ms", "request_timeout_ms", "worker_threads",
                "gateway_keys", "allowed_hosts", "allowed_origins"});
        const QJsonArray keys = o.value(QLatin1String("gateway_keys")).toArray();
        for (int i = 0; i < keys.size(); ++i) {
            const QJsonObject k = keys.at(i).toObject();
            const QString path = QStringLiteral("server.gateway_keys[%1]").arg(i);
            GatewayKey gk;
            gk.id = k.value(QLatin1String("id")).toString();
            const QString key = k.value(QLatin1String("key")).toString();
            if (gk.id.isEmpty() || key.isEmpty()) {
                fail(path, QStringLiteral("needs an \"id\" and a \"key\" (a key, env:NAME or keychain:ID)"));
                return false;
            }
            for (const GatewayKey& other : std::as_const(s->gatewayKeys)) {
                if (other.id == gk.id) {
                    fail(path + QStringLiteral(".id"), QStringLiteral("duplicate gateway key id \"%1\"").arg(gk.id));
                    return false;
                }
            }
            if (key.startsWith(QLatin1String("env:"))) {
                gk.source = key;
                gk.key = m_env.value(key.mid(4));
                if (gk.key.isEmpty())
                    warn(path + QStringLiteral(".key"),
                        QStringLiteral("environment variable %1 is not set; this key cannot be used").arg(key.mid(4)));
            } else if (key.startsWith(QLatin1String("keychain:"))) {
                gk.source = key;
                gk.secretRef = key;
            } else {
                gk.source = QStringLiteral("literal");
                gk.key = key;
            }
            s->gatewayKeys.append(gk);
        }
        const QJsonValue listen = o.value(QLatin1String("listen"));
        if (!listen.isUndefined()) {
            QString err;
            if (!listen.isString() || !parseListen(listen.toString(), &s->listenAddress, &s->listenPort, &err)) {
                fail(QStringLiteral("server.listen"),
                    err.isEmpty() ? QStringLiteral("must be a \"HOST:PORT\" string") : err);
                return false;
            }
        }
        qint64 v = s->maxBodyBytes;
        if (!readInt(o, "max_body_bytes", QStringLiteral("server"), 1024, qint64(1) << 32, &v))
            return false;
        s->maxBodyBytes = v;
        v = s->maxHeaderBytes;
        if (!readInt(o, "max_header_bytes", QStringLiteral("server"), 1024, 1 << 24, &v))
            return false;
        s->maxHeaderBytes = int(v);
        v = s->idleTimeoutMs;
        if (!readInt(o, "idle_timeout_ms", QStringLiteral("server"), 100, 24 * 3600 * 1000, &v))
            return false;
        s->idleTimeoutMs = int(v);
        v = s->requestTimeoutMs;
        if (!readInt(o, "request_timeout_ms", QStringLiteral("server"), 100, 24 * 3600 * 1000, &v))
            return false;
        s->requestTimeoutMs = int(v);
        for (const char* key : {"allowed_hosts", "allowed_origins"}) {
            const QJsonValue list = o.value(QLatin1String(key));
            if (list.isUndefined())
                continue;
            QStringList* out = qstrcmp(key, "allowed_hosts") == 0 ? &s->allowedHosts : &s->allowedOrigins;
            const QJsonArray items = list.toArray();
            for (int i = 0; i < items.size(); ++i) {
                const QString item = items.at(i).toString().trimmed();
                if (!items.at(i).isString() || item.isEmpty() || item == QLatin1String("*")) {
                    fail(QStringLiteral("server.%1[%2]").arg(QLatin1String(key)).arg(i),
                        QStringLiteral("must be a host name or origin (no wildcards)"));
                    return false;
                }
                out->append(item.toLower());
            }
            if (!list.isArray()) {
                fail(QStringLiteral("server.%1").arg(QLatin1String(key)), QStringLiteral("must be an array"));
                return false;
            }
        }
        v = s->workerThreads;
        if (!readInt(o, "worker_threads", QStringLiteral("server"), -1, 64, &v))
            return false;
        s->workerThreads = int(v);
        return true;
    }

    bool parseModel(const QJsonValue& v, const QString& path, ProviderConfig* provider)
    {
        ModelProfile m;
        if (v.isString()) {
            m = provider->profileFor(v.toString());
        } else if (v.isObject()) {
            const QJsonObject o = v.toObject();
            checkKeys(o, path,
                {"id", "max_output_tokens", "context_window", "max_completion_tokens", "reasoning_echo",
                    "reasoning_style", "stream_options"});
            if (!o.value(QLatin1String("id")).isString() || o.value(QLatin1String("id")).toString().isEmpty()) {
                fail(path + QStringLiteral(".id"), QStringLiteral("a model needs a non-empty \"id\""));
                return false;
            }
            m = provider->profileFor(o.value(QLatin1String("id")).toString());
            qint64 n = m.maxOutputTokens;
            if (!readInt(o, "max_output_tokens", path, 1, 100000000, &n))
                return false;
            m.maxOutputTokens = int(n);
            n = m.contextWindow;
            if (!readInt(o, "context_window", path, 1, 1000000000, &n))
                return false;
            m.contextWindow = int(n);
            if (!readBool(o, "max_completion_tokens", path, &m.useMaxCompletionTokens)
                || !readBool(o, "reasoning_echo", path, &m.reasoningEcho)
                || !readBool(o, "stream_options", path, &m.sendStreamOptions))
                return false;
            const QJsonValue style = o.value(QLatin1String("reasoning_style"));
            if (!style.isUndefined()) {
                static const QStringList styles = {QStringLiteral("effort"), QStringLiteral("deepseek"),
                    QStringLiteral("openrouter"), QStringLiteral("qwen"), QStringLiteral("none")};
                if (!styles.contains(style.toString())) {
                    fail(path + QStringLiteral(".reasoning_style"),
                        QStringLiteral("must be one of %1").arg(styles.join(QStringLiteral(", "))));
                    return false;
                }
                m.reasoningStyle = style.toString();
            }
        } else {
            fail(path, QStringLiteral("a model is a name or an object with \"id\""));
            return false;
        }
        provider->models.append(m);
        return true;
    }

    bool parseProvider(const QJsonValue& v, const QString& path, ProviderConfig* p)
    {
        if (!v.isObject()) {
            fail(path, QStringLiteral("a provider must be an object"));
            return false;
        }
        const QJsonObject o = v.toObject();
        checkKeys(o, path, {"id", "kind", "base_url", "credentials", "models", "headers", "timeouts", "strategy"});
        static const QRegularExpression idRe(QStringLiteral("^[A-Za-z0-9_.-]+$"));
        const QJsonValue id = o.value(QLatin1String("id"));
        if (!id.isString() || !idRe.match(id.toString()).hasMatch()) {
            fail(path + QStringLiteral(".id"),
                QStringLiteral("a provider needs an \"id\" made of letters, digits, '_', '.' or '-'"));
            return false;
        }
        p->id = id.toString();
        const QString kind = o.value(QLatin1String("kind")).toString();
        if (kind == QLatin1String("anthropic")) {
            p->kind = ProviderKind::Anthropic;
        } else if (kind == QLatin1String("openai-chat")) {
            p->kind = ProviderKind::OpenAiChat;
        } else if (kind == QLatin1String("openai-responses")) {
            p->kind = ProviderKind::OpenAiResponses;
        } else if (kind == QLatin1String("gemini")) {
            p->kind = ProviderKind::Gemini;
        } else {
            fail(path + QStringLiteral(".kind"),
                kind.isEmpty()
                    ? QStringLiteral("missing; expected \"anthropic\" or \"openai-chat\"")
                    : QStringLiteral(
                        "unknown provider kind \"%1\" (expected anthropic, openai-chat, openai-responses, gemini)")
                          .arg(kind));
            return false;
        }
        const QString base = o.value(QLatin1String("base_url")).toString();
        const QUrl url(base, QUrl::StrictMode);
        if (base.isEmpty() || !url.isValid()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
            || url.host().isEmpty()) {
            fail(path + QStringLiteral(".base_url"), QStringLiteral("must be an http:// or https:// URL"));
            return false;
        }
        p->baseUrl = base.endsWith(QLatin1Char('/')) ? base.chopped(1) : base;
        const QJsonValue strategy = o.value(QLatin1String("strategy"));
        if (!strategy.isUndefined()) {
            const QString st = strategy.toString();
            if (st == QLatin1String("round-robin"))
                p->strategy = PoolStrategy::RoundRobin;
            else if (st == QLatin1String("fill-first"))
                p->strategy = PoolStrategy::FillFirst;
            else if (st == QLatin1String("least-used"))
                p->strategy = PoolStrategy::LeastUsed;
            else if (st == QLatin1String("sticky"))
                p->strategy = PoolStrategy::Sticky;
            else {
                fail(path + QStringLiteral(".strategy"),
                    QStringLiteral("must be one of round-robin, fill-first, least-used, sticky"));
                return false;
            }
        }

        const QJsonValue creds = o.value(QLatin1String("credentials"));
        if (!creds.isUndefined()) {
            if (!creds.isArray()) {
                fail(path + QStringLiteral(".credentials"), QStringLiteral("must be an array"));
                return false;
            }
            const QJsonArray arr = creds.toArray();
            for (int i = 0; i < arr.size(); ++i) {
                const QString cp = path + QStringLiteral(".credentials[%1]").arg(i);
                const QJsonObject c = arr.at(i).toObject();
                checkKeys(c, cp, {"api_key", "account", "accounts", "id", "label"});
                const QJsonValue key = c.value(QLatin1String("api_key"));
                const QString accountRef = c.value(QLatin1String("account")).toString();
                const QString accountsOf = c.value(QLatin1String("accounts")).toString();
                const int kinds = int(!key.isUndefined()) + int(!accountRef.isEmpty()) + int(!accountsOf.isEmpty());
                if (kinds != 1) {
                    fail(cp, QStringLiteral("give exactly one of \"api_key\", \"account\" or \"accounts\""));
                    return false;
                }
                if (!key.isUndefined() && (!key.isString() || key.toString().isEmpty())) {
                    fail(cp + QStringLiteral(".api_key"),
                        QStringLiteral("must be a key, \"env:NAME\" or \"keychain:ID\""));
                    return false;
                }
                Credential cred;
                cred.id = c.value(QLatin1String("id")).toString();
                if (cred.id.isEmpty())
                    cred.id = p->id + QLatin1Char('#') + QString::number(i + 1);
                cred.label = c.value(QLatin1String("label")).toString();
                for (const Credential& other : std::as_const(p->credentials)) {
                    if (other.id == cred.id) {
                        fail(cp + QStringLiteral(".id"), QStringLiteral("duplicate credential id \"%1\"").arg(cred.id));
                        return false;
                    }
                }
                const QString k = key.toString();
                if (!accountRef.isEmpty() || !accountsOf.isEmpty()) {
                    cred.kind = Credential::Kind::Account;
                    cred.accountRef = accountRef;
                    cred.accountsOf = accountsOf;
                    cred.source = accountRef.isEmpty() ? QStringLiteral("accounts:") + accountsOf
                                                       : QStringLiteral("account:") + accountRef;
                } else if (k.startsWith(QLatin1String("keychain:"))) {
                    cred.source = k;
                    cred.secretRef = k;
                    if (k.size() <= 9) {
                        fail(cp + QStringLiteral(".api_key"), QStringLiteral("\"keychain:\" needs an id"));
                        return false;
                    }
                } else if (k.startsWith(QLatin1String("env:"))) {
                    const QString name = k.mid(4);
                    cred.source = k;
                    cred.apiKey = m_env.value(name);
                    if (cred.apiKey.isEmpty())
                        warn(cp + QStringLiteral(".api_key"),
                            QStringLiteral("environment variable %1 is not set; requests to this provider will fail")
                                .arg(name));
                } else {
                    cred.source = QStringLiteral("literal");
                    cred.apiKey = k;
                }
                p->credentials.append(cred);
            }
        }
        const QJsonValue models = o.value(QLatin1String("models"));
        if (!models.isUndefined()) {
            if (!models.isArray()) {
                fail(path + QStringLiteral(".models"), QStringLiteral("must be an array"));
                return false;
            }
            const QJsonArray arr = models.toArray();
            for (int i = 0; i < arr.size(); ++i) {
                if (!parseModel(arr.at(i), path + QStringLiteral(".models[%1]").arg(i), p))
                    return false;
            }
        }
        const QJsonValue headers = o.value(QLatin1String("headers"));
        if (!headers.isUndefined()) {
            if (!headers.isObject()) {
                fail(path + QStringLiteral(".headers"), QStringLiteral("must be an object of header names to values"));
                return false;
            }
            const QJsonObject h = headers.toObject();
            for (auto it = h.begin(); it != h.end(); ++it)
                p->extraHeaders.append({it.key().toLatin1(), it.value().toString().toUtf8()});
        }
        const QJsonValue timeouts = o.value(QLatin1String("timeouts"));
        if (timeouts.isObject()) {
            const QJsonObject t = timeouts.toObject();
            const QString tp = path + QStringLiteral(".timeouts");
            checkKeys(t, tp, {"connect_ms", "idle_ms", "total_ms"});
            qint64 n = p->connectTimeoutMs;
            if (!readInt(t, "connect_ms", tp, 100, 3600000, &n))
                return false;
            p->connectTimeoutMs = int(n);
            n = p->idleTimeoutMs;
            if (!readInt(t, "idle_ms", tp, 100, 24 * 3600000, &n))
                return false;
            p->idleTimeoutMs = int(n);
            n = p->totalTimeoutMs;
            if (!readInt(t, "total_ms", tp, 100, 24 * 3600000, &n))
                return false;
            p->totalTimeoutMs = int(n);
        }
        return true;
    }

    bool parseConditions(const QJsonValue& v, const QString& path, RouteConditions* c)
    {
        if (v.isUndefined())
            return true;
        if (!v.isObject()) {
            fail(path, QStringLiteral("must be an object of conditions"));
            return false;
        }
        const QJsonObject o = v.toObject();
        checkKeys(o, path, {"thinking", "tokens_over", "has_images", "tools_include", "client"});
        bool b = false;
        if (o.contains(QLatin1String("thinking"))) {
            if (!readBool(o, "thinking", path, &b))
                return false;
            c->thinking = b;
        }
        if (o.contains(QLatin1String("has_images"))) {
            if (!readBool(o, "has_images", path, &b))
                return false;
            c->hasImages = b;
        }
        if (!readInt(o, "tokens_over", path, 0, qint64(1) << 40, &c->tokensOver))
            return false;
        auto stringList = [&](const char* key, QStringList* out) {
            const QJsonValue lv = o.value(QLatin1String(key));
            if (lv.isUndefined())
                return true;
            const QJsonArray arr = lv.isArray() ? lv.toArray() : QJsonArray {lv};
            for (const QJsonValue& item : arr) {
                if (!item.isString() || item.toString().isEmpty()) {
                    fail(path + QLatin1Char('.') + QLatin1String(key),
                        QStringLiteral("must be a string or a list of strings"));
                    return false;
                }
                out->append(item.toString());
            }
            return true;
        };
        return stringList("tools_include", &c->toolsInclude) && stringList("client", &c->clients);
    }

    bool parseRoute(const QJsonValue& v, const QString& path, const Config& config, RouteRule* r)
    {
        const QJsonObject o = v.toObject();
        if (!v.isObject()) {
            fail(path, QStringLiteral("a route must be an object with \"match\" and \"to\""));
            return false;
        }
        checkKeys(o, path, {"match", "to", "when", "priority"});
        if (!parseConditions(o.value(QLatin1String("when")), path + QStringLiteral(".when"), &r->when))
            return false;
        const QJsonValue priority = o.value(QLatin1String("priority"));
        if (!priority.isUndefined()) {
            if (priority.toString() == QLatin1String("accounts-first"))
                r->priority = CredentialPriority::AccountsFirst;
            else if (priority.toString() == QLatin1String("keys-first"))
                r->priority = CredentialPriority::KeysFirst;
            else {
                fail(
                    path + QStringLiteral(".priority"), QStringLiteral("must be \"accounts-first\" or \"keys-first\""));
                return false;
            }
        }
        const QJsonValue match = o.value(QLatin1String("match"));
        if (!match.isString() || match.toString().isEmpty()) {
            fail(path + QStringLiteral(".match"),
                QStringLiteral("must be a non-empty model pattern such as \"claude-haiku-*\" or \"*\""));
            return false;
        }
        r->match = match.toString();
        QJsonValue to = o.value(QLatin1String("to"));
        if (to.isString())
            to = QJsonArray {to};
        if (!to.isArray() || to.toArray().isEmpty()) {
            fail(
                path + QStringLiteral(".to"), QStringLiteral("must be a non-empty list of \"provider/model\" targets"));
            return false;
        }
        const QJsonArray arr = to.toArray();
        for (int i = 0; i < arr.size(); ++i) {
            const QString tp = path + QStringLiteral(".to[%1]").arg(i);
            const QString t = arr.at(i).toString();
            qsizetype slash = t.indexOf(QLatin1Char('/'));
            const qsizetype comma = t.indexOf(QLatin1Char(','));
            if (comma > 0 && (slash < 0 || comma < slash))
                slash = comma;
            if (slash <= 0 || slash == t.size() - 1) {
                fail(tp, QStringLiteral("\"%1\" is not of the form \"provider/model\"").arg(t));
                return false;
            }
            RouteTarget target {t.left(slash), t.mid(slash + 1)};
            if (!config.provider(target.providerId) && !loginProviderIds(config).contains(target.providerId)) {
                fail(tp, QStringLiteral("unknown provider \"%1\"").arg(target.providerId));
                return false;
            }
            r->targets.append(target);
        }
        return true;
    }

    Result<Config> parse(const QByteArray& json)
    {
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
        if (perr.error != QJsonParseError::NoError) {
            return Result<Config>::failure(QStringLiteral("line %1: invalid JSON: %2")
                                               .arg(JsonLocator::lineAtOffset(json, perr.offset))
                                               .arg(perr.errorString()));
        }
        if (!doc.isObject())
            return Result<Config>::failure(QStringLiteral("line 1: the config must be a JSON object"));
        const QJsonObject root = doc.object();
        // Shape first, against the schema shipped in resources/; then what a schema cannot say (references,
        // uniqueness).
        const JsonSchema::Violation violation = JsonSchema::configSchema().validate(root);
        if (!violation.isEmpty())
            return Result<Config>::failure(
                fail(violation.path.isEmpty() ? QStringLiteral("(top level)") : violation.path, violation.message));
        Config config;
        checkKeys(
            root, QString(), {"version", "server", "providers", "routes", "oauth", "pricing", "usage", "limits", "ui"});
        const QJsonObject ui = root.value(QLatin1String("ui")).toObject();
        config.uiLanguage = ui.value(QLatin1String("language")).toString(QStringLiteral("system"));
        config.logLevel = ui.value(QLatin1String("log_level")).toString(QStringLiteral("info"));
        config.pricing = root.value(QLatin1String("pricing")).toObject();
        config.usageRetentionDays
            = root.value(QLatin1String("usage")).toObject().value(QLatin1String("retention_days")).toInt(90);
        const QJsonObject limits = root.value(QLatin1String("limits")).toObject();
        config.limits.global = parseLimits(limits.value(QLatin1String("global")).toObject());
        const QJsonObject perKey = limits.value(QLatin1String("keys")).toObject();
        for (auto it = perKey.begin(); it != perKey.end(); ++it)
            config.limits.perKey.insert(it.key(), parseLimits(it.value().toObject()));
        config.oauth = root.value(QLatin1String("oauth")).toObject();
        if (!config.oauth.isEmpty()) {
            const Result<QList<OAuthProviderSpec>> specs = loadOAuthProviders(config.oauth);
            if (!specs)
                return Result<Config>::failure(fail(QStringLiteral("oauth"), specs.error()));
        }
        const QJsonValue version = root.value(QLatin1String("version"));
        if (!version.isUndefined() && version.toInt(-1) != 1)
            return Result<Config>::failure(fail(
                QStringLiteral("version"), QStringLiteral("unsupported config version (this build reads version 1)")));
        if (root.contains(QLatin1String("server"))) {
            if (!root.value(QLatin1String("server")).isObject())
                return Result<Config>::failure(fail(QStringLiteral("server"), QStringLiteral("must be an object")));
            if (!parseServer(root.value(QLatin1String("server")).toObject(), &config.server))
                return Result<Config>::failure(m_error);
        }
        const QJsonValue providers = root.value(QLatin1String("providers"));
        if (!providers.isArray())
            return Result<Config>::failure(
                fail(QStringLiteral("providers"), QStringLiteral("must be a list of providers")));
        const QJsonArray parr = providers.toArray();
        for (int i = 0; i < parr.size(); ++i) {
            ProviderConfig p;
            const QString path = QStringLiteral("providers[%1]").arg(i);
            if (!parseProvider(parr.at(i), path, &p))
                return Result<Config>::failure(m_error);
            if (config.provider(p.id))
                return Result<Config>::failure(
                    fail(path + QStringLiteral(".id"), QStringLiteral("duplicate provider id \"%1\"").arg(p.id)));
            config.providers.append(p);
        }
        const QJsonValue routes = root.value(QLatin1String("routes"));
        if (!routes.isArray())
            return Result<Config>::failure(fail(QStringLiteral("routes"), QStringLiteral("must be a list of routes")));
        const QJsonArray rarr = routes.toArray();
        for (int i = 0; i < rarr.size(); ++i) {
            RouteRule r;
            if (!parseRoute(rarr.at(i), QStringLiteral("routes[%1]").arg(i), config, &r))
                return Result<Config>::failure(m_error);
            config.routes.append(r);
        }
        return config;
    }

private:
    // Ids of the implicit providers that OAuth logins add ("chatgpt", "claude", "google"); routes may name them.
    // Read once per parse, after config.oauth is known.
    const QStringList& loginProviderIds(const Config& config)
    {
        if (!m_loginProviderIds) {
            m_loginProviderIds = QStringList();
            const Result<QList<OAuthProviderSpec>> specs = loadOAuthProviders(config.oauth);
            if (specs) {
                for (const OAuthProviderSpec& s : specs.value())
                    m_loginProviderIds->append(s.upstreamProviderId);
            }
        }
        return *m_loginProviderIds;
    }

    std::optional<QStringList> m_loginProviderIds;
    JsonLocator m_locator;
    const QHash<QString, QString>& m_env;
    QString m_error;
};

} // namespace

Result<Config> parseConfig(const QByteArray& json, const QHash<QString, QString>& environment)
{
    ConfigParser parser(json, environment);
    return parser.parse(json);
}

Result<Config> loadConfigFile(const QString& path, const QHash<QString, QString>& environment)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<Config>::failure(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    const QByteArray json = f.readAll();
    Result<Config> r = parseConfig(json, environment);
    if (!r.ok())
        return Result<Config>::failure(path + QStringLiteral(": ") + r.error());
    return r;
}

QByteArray starterConfig()
{
    QFile f(QStringLiteral(":/core/starter-config.json"));
    if (f.open(QIODevice::ReadOnly))
        return f.readAll();
    return QByteArray();
}

} // namespace sy

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace sy {

QString defaultConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/config.json");
}

Result<Config> loadOrCreateConfig(const QString& path, bool createStarter, const QHash<QString, QString>& environment)
{
    if (createStarter && !QFileInfo::exists(path)) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QSaveFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(starterConfig()) < 0 || !f.commit())
            return Result<Config>::failure(
                QStringLiteral("cannot create the starter config %1: %2").arg(path, f.errorString()));
        qCInfo(lcConfig).noquote() << "created a starter config at" << path;
    }
    return loadConfigFile(path, environment);
}

} // namespace sy
