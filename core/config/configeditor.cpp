#include "configeditor.h"

#include "secrets/secretstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include "config/jsonlocator.h"

#include <QJsonDocument>
#include <QSaveFile>

namespace sy {

namespace {

// Scalars and empty containers in their compact JSON form (strings escaped as QJsonDocument does).
QByteArray compactValue(const QJsonValue& v)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// Objects keep the key order of the file they were loaded from (`order`: path -> keys); keys the file did not have
// follow in alphabetical order.
void writeValue(
    QByteArray& out, const QJsonValue& v, int depth, const QString& path, const QHash<QString, QStringList>& order)
{
    const QByteArray indent(2 * (depth + 1), ' ');
    const QByteArray closing(2 * depth, ' ');
    if (v.isObject() && !v.toObject().isEmpty()) {
        const QJsonObject o = v.toObject();
        QStringList keys;
        for (const QString& k : order.value(path)) {
            if (o.contains(k))
                keys.append(k);
        }
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!keys.contains(it.key()))
                keys.append(it.key());
        }
        out += "{\n";
        for (qsizetype i = 0; i < keys.size(); ++i) {
            out += indent + compactValue(keys.at(i)) + ": ";
            writeValue(out, o.value(keys.at(i)), depth + 1,
                path.isEmpty() ? keys.at(i) : QString(path + QLatin1Char('.') + keys.at(i)), order);
            if (i + 1 < keys.size())
                out += ',';
            out += '\n';
        }
        out += closing + '}';
    } else if (v.isArray() && !v.toArray().isEmpty()) {
        const QJsonArray a = v.toArray();
        out += "[\n";
        for (qsizetype i = 0; i < a.size(); ++i) {
            out += indent;
            writeValue(out, a.at(i), depth + 1, path + QStringLiteral("[%1]").arg(i), order);
            if (i + 1 < a.size())
                out += ',';
            out += '\n';
        }
        out += closing + ']';
    } else {
        out += compactValue(v);
    }
}

QJsonObject modelToJson(const ConfigEditor::Model& m, const QJsonValue& previous)
{
    QJsonObject o = previous.isObject() ? previous.toObject() : QJsonObject();
    o.insert(QStringLiteral("id"), m.id);
    if (m.contextWindow > 0)
        o.insert(QStringLiteral("context_window"), m.contextWindow);
    else
        o.remove(QStringLiteral("context_window"));
    if (m.maxOutputTokens > 0)
        o.insert(QStringLiteral("max_output_tokens"), m.maxOutputTokens);
    else
        o.remove(QStringLiteral("max_output_tokens"));
    return o;
}

QJsonObject providerToJson(const ConfigEditor::Provider& p, QJsonObject o)
{
    o.insert(QStringLiteral("id"), p.id);
    o.insert(QStringLiteral("kind"), p.kind);
    o.insert(QStringLiteral("base_url"), p.baseUrl);
    if (p.strategy.isEmpty())
        o.remove(QStringLiteral("strategy"));
    else
        o.insert(QStringLiteral("strategy"), p.strategy);
    if (p.credentials.isEmpty())
        o.remove(QStringLiteral("credentials"));
    else
        o.insert(QStringLiteral("credentials"), p.credentials);
    // Models keep their other fields (reasoning_style, ...) when the id stays; a model with nothing but an id is
    // written as a plain name.
    const QJsonArray oldModels = o.value(QStringLiteral("models")).toArray();
    QJsonArray models;
    for (const ConfigEditor::Model& m : p.models) {
        QJsonValue previous;
        for (const QJsonValue& old : oldModels) {
            if (old.toObject().value(QStringLiteral("id")).toString() == m.id)
                previous = old;
        }
        const QJsonObject mo = modelToJson(m, previous);
        if (mo.size() == 1)
            models.append(m.id);
        else
            models.append(mo);
    }
    if (models.isEmpty())
        o.remove(QStringLiteral("models"));
    else
        o.insert(QStringLiteral("models"), models);
    return o;
}

QJsonObject routeToJson(const ConfigEditor::Route& r, QJsonObject o)
{
    o.insert(QStringLiteral("match"), r.match);
    if (r.when.isEmpty())
        o.remove(QStringLiteral("when"));
    else
        o.insert(QStringLiteral("when"), r.when);
    o.insert(QStringLiteral("to"), QJsonArray::fromStringList(r.to));
    return o;
}

} // namespace

ConfigEditor::ConfigEditor()
    : m_environment(processEnvironment())
{
    m_doc = QJsonDocument::fromJson(starterConfig()).object();
    m_keyOrder = JsonLocator(starterConfig()).keyOrders();
}

bool ConfigEditor::load(const QString& path, QString* error)
{
    QFile f(path);
    if (!f.exists()) {
        m_doc = QJsonDocument::fromJson(starterConfig()).object();
        m_keyOrder = JsonLocator(starterConfig()).keyOrders();
        return true;
    }
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    QJsonParseError perr;
    const QByteArray text = f.readAll();
    const QJsonDocument doc = QJsonDocument::fromJson(text, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error)
            *error = QStringLiteral("%1 is not a JSON object: %2").arg(path, perr.errorString());
        return false;
    }
    m_doc = doc.object();
    m_keyOrder = JsonLocator(text).keyOrders();
    return true;
}

QByteArray ConfigEditor::toJson() const
{
    QByteArray out;
    writeValue(out, m_doc, 0, QString(), m_keyOrder);
    out += '\n';
    return out;
}

QJsonArray ConfigEditor::array(const char* key) const
{
    return m_doc.value(QLatin1String(key)).toArray();
}

QJsonObject ConfigEditor::object(const char* key) const
{
    return m_doc.value(QLatin1String(key)).toObject();
}

int ConfigEditor::providerCount() const
{
    return int(array("providers").size());
}

QStringList ConfigEditor::providerIds() const
{
    QStringList ids;
    for (const QJsonValue& v : array("providers"))
        ids.append(v.toObject().value(QStringLiteral("id")).toString());
    return ids;
}

int ConfigEditor::indexOfProvider(const QString& id) const
{
    return int(providerIds().indexOf(id));
}

ConfigEditor::Provider ConfigEditor::provider(int index) const
{
    const QJsonObject o = array("providers").at(index).toObject();
    Provider p;
    p.id = o.value(QStringLiteral("id")).toString();
    p.kind = o.value(QStringLiteral("kind")).toString();
    p.baseUrl = o.value(QStringLiteral("base_url")).toString();
    p.strategy = o.value(QStringLiteral("strategy")).toString();
    p.credentials = o.value(QStringLiteral("credentials")).toArray();
    for (const QJsonValue& v : o.value(QStringLiteral("models")).toArray()) {
        Model m;
        if (v.isString()) {
            m.id = v.toString();
        } else {
            const QJsonObject mo = v.toObject();
            m.id = mo.value(QStringLiteral("id")).toString();
            m.contextWindow = mo.value(QStringLiteral("context_window")).toInt(0);
            m.maxOutputTokens = mo.value(QStringLiteral("max_output_tokens")).toInt(0);
        }
        p.models.append(m);
    }
    return p;
}

void ConfigEditor::addProvider(const Provider& provider)
{
    QJsonArray providers = array("providers");
    providers.append(providerToJson(provider, QJsonObject()));
    m_doc.insert(QStringLiteral("providers"), providers);
}

void ConfigEditor::updateProvider(int index, const Provider& provider)
{
    QJsonArray providers = array("providers");
    if (index < 0 || index >= providers.size())
        return;
    providers[index] = providerToJson(provider, providers.at(index).toObject());
    m_doc.insert(QStringLiteral("providers"), providers);
}

void ConfigEditor::removeProvider(int index)
{
    QJsonArray providers = array("providers");
    if (index < 0 || index >= providers.size())
        return;
    providers.removeAt(index);
    m_doc.insert(QStringLiteral("providers"), providers);
}

int ConfigEditor::routeCount() const
{
    return int(array("routes").size());
}

ConfigEditor::Route ConfigEditor::route(int index) const
{
    const QJsonObject o = array("routes").at(index).toObject();
    Route r;
    r.match = o.value(QStringLiteral("match")).toString();
    r.when = o.value(QStringLiteral("when")).toObject();
    const QJsonValue to = o.value(QStringLiteral("to"));
    if (to.isString())
        r.to.append(to.toString());
    for (const QJsonValue& t : to.toArray())
        r.to.append(t.toString());
    return r;
}

void ConfigEditor::addRoute(const Route& route)
{
    insertRoute(routeCount(), route);
}

void ConfigEditor::insertRoute(int index, const Route& route)
{
    QJsonArray routes = array("routes");
    routes.insert(qBound(0, index, int(routes.size())), routeToJson(route, QJsonObject()));
    m_doc.insert(QStringLiteral("routes"), routes);
}

void ConfigEditor::updateRoute(int index, const Route& route)
{
    QJsonArray routes = array("routes");
    if (index < 0 || index >= routes.size())
        return;
    routes[index] = routeToJson(route, routes.at(index).toObject());
    m_doc.insert(QStringLiteral("routes"), routes);
}

void ConfigEditor::removeRoute(int index)
{
    QJsonArray routes = array("routes");
    if (index < 0 || index >= routes.size())
        return;
    routes.removeAt(index);
    m_doc.insert(QStringLiteral("routes"), routes);
}

void ConfigEditor::moveRoute(int from, int to)
{
    QJsonArray routes = array("routes");
    if (from < 0 || from >= routes.size() || to < 0 || to >= routes.size() || from == to)
        return;
    const QJsonValue v = routes.takeAt(from);
    routes.insert(to, v);
    m_doc.insert(QStringLiteral("routes"), routes);
}

QString ConfigEditor::listen() const
{
    return object("server").value(QStringLiteral("listen")).toString();
}

void ConfigEditor::setListen(const QString& hostPort)
{
    QJsonObject server = object("server");
    if (hostPort.isEmpty())
        server.remove(QStringLiteral("listen"));
    else
        server.insert(QStringLiteral("listen"), hostPort);
    m_doc.insert(QStringLiteral("server"), server);
}

QList<ConfigEditor::GatewayKey> ConfigEditor::gatewayKeys() const
{
    QList<GatewayKey> keys;
    for (const QJsonValue& v : object("server").value(QStringLiteral("gateway_keys")).toArray()) {
        const QJsonObject o = v.toObject();
        keys.append({o.value(QStringLiteral("id")).toString(), o.value(QStringLiteral("key")).toString()});
    }
    return keys;
}

void ConfigEditor::setGatewayKeys(const QList<GatewayKey>& keys)
{
    QJsonObject server = object("server");
    QJsonArray arr;
    for (const GatewayKey& k : keys)
        arr.append(QJsonObject {{QStringLiteral("id"), k.id}, {QStringLiteral("key"), k.key}});
    if (arr.isEmpty())
        server.remove(QStringLiteral("gateway_keys"));
    else
        server.insert(QStringLiteral("gateway_keys"), arr);
    m_doc.insert(QStringLiteral("server"), server);
}

int ConfigEditor::retentionDays() const
{
    return object("usage").value(QStringLiteral("retention_days")).toInt(90);
}

void ConfigEditor::setRetentionDays(int days)
{
    QJsonObject usage = object("usage");
    usage.insert(QStringLiteral("retention_days"), days);
    m_doc.insert(QStringLiteral("usage"), usage);
}

QString ConfigEditor::language() const
{
    return object("ui").value(QStringLiteral("language")).toString(QStringLiteral("system"));
}

void ConfigEditor::setLanguage(const QString& language)
{
    QJsonObject ui = object("ui");
    ui.insert(QStringLiteral("language"), language);
    m_doc.insert(QStringLiteral("ui"), ui);
}

QString ConfigEditor::logLevel() const
{
    return object("ui").value(QStringLiteral("log_level")).toString(QStringLiteral("info"));
}

void ConfigEditor::setLogLevel(const QString& level)
{
    QJsonObject ui = object("ui");
    ui.insert(QStringLiteral("log_level"), level);
    m_doc.insert(QStringLiteral("ui"), ui);
}

Result<Config> ConfigEditor::parse() const
{
    return parseConfig(toJson(), m_environment);
}

QString ConfigEditor::validate() const
{
    const Result<Config> r = parse();
    return r.ok() ? QString() : r.error();
}

bool ConfigEditor::save(const QString& path, QString* error) const
{
    const QString invalid = validate();
    if (!invalid.isEmpty()) {
        if (error)
            *error = invalid;
        return false;
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(toJson()) < 0 || !f.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

void ConfigEditor::setProviderApiKey(const QString& providerId, const QString& key, SecretStore* store, Done done)
{
    const int index = indexOfProvider(providerId);
    if (index < 0 || !store || key.isEmpty()) {
        if (done)
            done(false,
                !store ? QStringLiteral("no secret store is open")
                       : (key.isEmpty() ? QStringLiteral("the key is empty")
                                        : QStringLiteral("unknown provider \"%1\"").arg(providerId)));
        return;
    }
    QStringList used;
    for (const QJsonValue& c : provider(index).credentials)
        used.append(c.toObject().value(QStringLiteral("api_key")).toString());
    int n = 1;
    while (used.contains(QStringLiteral("keychain:%1-%2").arg(providerId).arg(n)))
        ++n;
    const QString id = QStringLiteral("%1-%2").arg(providerId).arg(n);
    store->write(QStringLiteral("apikey:") + id, key.toUtf8(), [this, providerId, id, done](const SecretResult& r) {
        if (!r.ok()) {
            if (done)
                done(false, r.message);
            return;
        }
        const int i = indexOfProvider(providerId);
        if (i >= 0) {
            Provider p = provider(i);
            p.credentials.append(QJsonObject {{QStringLiteral("api_key"), QString(QStringLiteral("keychain:") + id)}});
            updateProvider(i, p);
        }
        if (done)
            done(true, QString());
    });
}

void ConfigEditor::setGatewayKeySecret(const QString& keyId, const QString& key, SecretStore* store, Done done)
{
    if (!store || key.isEmpty() || keyId.isEmpty()) {
        if (done)
            done(false, !store ? QStringLiteral("no secret store is open") : QStringLiteral("the key is empty"));
        return;
    }
    const QString id = QStringLiteral("gateway-") + keyId;
    store->write(QStringLiteral("apikey:") + id, key.toUtf8(), [this, keyId, id, done](const SecretResult& r) {
        if (!r.ok()) {
            if (done)
                done(false, r.message);
            return;
        }
        QList<GatewayKey> keys = gatewayKeys();
        bool found = false;
        for (GatewayKey& k : keys) {
            if (k.id == keyId) {
                k.key = QStringLiteral("keychain:") + id;
                found = true;
            }
        }
        if (!found)
            keys.append({keyId, QStringLiteral("keychain:") + id});
        setGatewayKeys(keys);
        if (done)
            done(true, QString());
    });
}

} // namespace sy
