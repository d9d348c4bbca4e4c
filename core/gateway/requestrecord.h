#pragma once

#include "protocol/canonical.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace sy {

// One try of one target of the route's chain.
struct UpstreamAttempt
{
    QString providerId;
    QString model;
    QString credentialId; // never the secret
    int status = 0; // HTTP status; 0: no response (connection, timeout) or not sent (no ready credential)
    QString outcome; // "ok", "failover", "passed-to-client", "skipped"
    QString error; // short reason, no secrets
    qint64 ms = 0;
};

// What one client request did; emitted exactly once per request (the usage log stores these).
struct RequestRecord
{
    QString requestId;
    QDateTime startedAt;
    QString method;
    QString path;
    QString inboundDialect = QStringLiteral("anthropic");
    QString clientModel;
    QString providerId;
    QString upstreamModel;
    QString credentialId;
    bool stream = false;
    int status = 0;
    QString errorType; // empty on success
    QString errorMessage; // never contains secrets
    qint64 firstByteMs = -1;
    qint64 totalMs = 0;
    canon::Usage usage;
    canon::StopReason stopReason = canon::StopReason::None;
    QString userAgent;
    QString client; // detected client ("claude-code", "codex", "gemini-cli") or empty
    QString gatewayKey; // id of the gateway key the client presented (never the key); empty when none
    QString routeVia; // "rule", "direct", "subagent"
    QList<UpstreamAttempt> attempts; // every attempt, failed ones too, in order
};

} // namespace sy

Q_DECLARE_METATYPE(sy::RequestRecord)
