#pragma once

#include "common/result.h"
#include "config/config.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace sy {

class SecretStore;

// The config file as a JSON document that the settings dialog edits. Typed helpers read and change the parts the
// UI knows; everything else in the document (pricing, limits, oauth, provider headers and timeouts, model flags,
// credential labels, route priority, ...) is kept as it is. validate() runs the same parser the gateway uses, and
// save() refuses an invalid document and writes atomically.
//
// Secrets typed in the UI never enter the document: setProviderApiKey() and setGatewayKeySecret() store them in the
// secret store under "apikey:ID" and reference them as "keychain:ID" (the form the gateway resolves).
class ConfigEditor
{
public:
    struct Model
    {
        QString id;
        int contextWindow = 0; // 0: not set
        int maxOutputTokens = 0; // 0: not set
    };
    struct Provider
    {
        QString id;
        QString kind = QStringLiteral("openai-chat");
        QString baseUrl;
        QString strategy; // empty: not set (round-robin)
        QList<Model> models;
        QJsonArray credentials; // as in the document: {"api_key": ...}, {"account": ...}, {"accounts": ...}
    };
    struct Route
    {
        QString match;
        QJsonObject when; // the "when" conditions, as in the document
        QStringList to; // "provider/model" targets, in order
    };
    struct GatewayKey
    {
        QString id;
        QString key; // a literal key, "env:NAME" or "keychain:ID"
    };

    // Starts with the starter config.
    ConfigEditor();

    // Reads `path`; a missing file gives the starter config (returns true). False when the file cannot be read or is
    // not a JSON object.
    bool load(const QString& path, QString* error = nullptr);
    void setDocument(const QJsonObject& document) { m_doc = document; }
    const QJsonObject& document() const { return m_doc; }
    // The document as written by save(): indented by 2 spaces.
    QByteArray toJson() const;
    // Environment used to validate "env:NAME" references (warnings only); the process environment by default.
    void setEnvironment(const QHash<QString, QString>& environment) { m_environment = environment; }

    // Providers, in document order.
    int providerCount() const;
    QStringList providerIds() const;
    int indexOfProvider(const QString& id) const;
    Provider provider(int index) const;
    void addProvider(const Provider& provider);
    // Keeps the fields of the provider (and of each model with the same id) that Provider does not describe.
    void updateProvider(int index, const Provider& provider);
    void removeProvider(int index);

    // Routes, tried top to bottom.
    int routeCount() const;
    Route route(int index) const;
    void addRoute(const Route& route);
    void insertRoute(int index, const Route& route);
    // Keeps the route's other fields ("priority").
    void updateRoute(int index, const Route& route);
    void removeRoute(int index);
    // Moves route `from` so that it ends up at index `to`.
    void moveRoute(int from, int to);

    QString listen() const; // empty when not set
    void setListen(const QString& hostPort);
    QList<GatewayKey> gatewayKeys() const;
    void setGatewayKeys(const QList<GatewayKey>& keys);

    int retentionDays() const; // 90 when not set
    void setRetentionDays(int days);

    // "ui": {"language": "system"|"en"|"de"|"zh_CN", "log_level": "info"|"debug"|"warning"}.
    QString language() const; // "system" when not set
    void setLanguage(const QString& language);
    QString logLevel() const; // "info" when not set
    void setLogLevel(const QString& level);

    // Parses the document with the gateway's parser. The error names the field and the line of toJson().
    Result<Config> parse() const;
    // Empty when valid, else the parser's message.
    QString validate() const;
    // Validates, then writes toJson() to `path` atomically (QSaveFile). Nothing is written when invalid.
    bool save(const QString& path, QString* error) const;

    using Done = std::function<void(bool ok, const QString& error)>;
    // Stores `key` under "apikey:<providerId>-<n>" (the first n not used by the provider's credentials) and, once
    // stored, appends {"api_key": "keychain:<providerId>-<n>"} to the provider's credentials. `done` runs from the
    // event loop. The editor must outlive the job.
    void setProviderApiKey(const QString& providerId, const QString& key, SecretStore* store, Done done);
    // Stores a gateway key under "apikey:gateway-<id>" and sets that key's entry to "keychain:gateway-<id>" (adding
    // it when missing).
    void setGatewayKeySecret(const QString& keyId, const QString& key, SecretStore* store, Done done);

private:
    QJsonArray array(const char* key) const;
    QJsonObject object(const char* key) const;

    QJsonObject m_doc;
    QHash<QString, QStringList> m_keyOrder; // key order of the loaded file, per object path
    QHash<QString, QString> m_environment;
};

} // namespace sy
