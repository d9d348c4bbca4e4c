#include "redact.h"

namespace sy {

QString redactSecret(QStringView secret)
{
    if (secret.isEmpty())
        return QStringLiteral("(empty)");
    return QStringLiteral("…(%1 chars)").arg(secret.size());
}

bool isSecretHeader(QByteArrayView name)
{
    static const char* const secretNames[]
        = {"authorization", "x-api-key", "x-goog-api-key", "proxy-authorization", "cookie", "api-key"};
    for (const char* s : secretNames) {
        if (name.compare(QByteArrayView(s), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace sy
