#pragma once

#include "protocol/canonical.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace sy {

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
    int credentialIndex = -1;
    bool stream = false;
    int status = 0;
    QString errorType; // empty on success
    QString errorMessage; // never contains secrets
    qint64 firstByteMs = -1;
    qint64 totalMs = 0;
    canon::Usage usage;
    canon::StopReason stopReason = canon::StopReason::None;
    QString userAgent;
};

} // namespace sy

Q_DECLARE_METATYPE(sy::RequestRecord)
