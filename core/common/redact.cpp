#include "redact.h"

#include <QMutex>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QSet>

#include <atomic>
#include <cstdio>

namespace sy {

namespace {

constexpr qsizetype kMinRegisteredLength = 8;
constexpr qsizetype kMaxRegistered = 4096;

struct Registry
{
    QMutex mutex;
    QSet<QString> secrets;
    std::atomic<bool> any = false;
};

Registry& registry()
{
    static Registry r;
    return r;
}

// Credential shapes. Each keeps a recognisable prefix (group 1) and loses the secret part (group 2).
const QList<QRegularExpression>& patterns()
{
    static const QList<QRegularExpression> list = [] {
        const QRegularExpression::PatternOptions ci = QRegularExpression::CaseInsensitiveOption;
        return QList<QRegularExpression> {
            // Authorization: Bearer xyz / Basic xyz
            QRegularExpression(QStringLiteral("(\\b(?:bearer|basic)\\s+)([A-Za-z0-9._~+/=-]{6,})"), ci),
            // x-api-key: xyz, authorization=xyz, "cookie": "..."
            QRegularExpression(QStringLiteral("(\\b(?:x-api-key|x-goog-api-key|api-key|proxy-authorization|"
                                              "authorization|cookie)\\b[\"']?\\s*[:=]\\s*[\"']?)(?!(?:bearer|basic)\\s)"
                                              "([^\\s\"',;]{4,})"),
                ci),
            // JSON or form fields named like secrets: "access_token": "xyz", refresh_token=xyz
            QRegularExpression(QStringLiteral("(\\b(?:access_token|refresh_token|id_token|api_key|apikey|"
                                              "client_secret|password|secret|key|token)[\"']?\\s*[:=]\\s*[\"']?)"
                                              "([^\\s\"'&,;]{6,})"),
                ci),
            // Provider key shapes anywhere in the text (OpenAI, Stripe-style, Groq, xAI, generic "key-").
            QRegularExpression(QStringLiteral("(\\b(?:sk|pk|rk|gsk|xai|key)[-_])([A-Za-z0-9_-]{8,})")),
            QRegularExpression(QStringLiteral("(\\bAIza)([0-9A-Za-z_-]{20,})")),
            // JWTs (OAuth access and id tokens).
            QRegularExpression(QStringLiteral("(\\beyJ)([A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*)")),
        };
    }();
    return list;
}

QtMessageHandler g_previous = nullptr;
std::atomic<bool> g_installed = false;

void redactingHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    const QString clean = scrubSecrets(message);
    if (g_previous)
        g_previous(type, context, clean);
    else
        std::fprintf(stderr, "%s\n", clean.toLocal8Bit().constData());
}

} // namespace

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

void registerSecret(QStringView secret)
{
    const QStringView s = secret.trimmed();
    if (s.size() < kMinRegisteredLength)
        return;
    Registry& r = registry();
    const QMutexLocker lock(&r.mutex);
    if (r.secrets.size() >= kMaxRegistered)
        return;
    r.secrets.insert(s.toString());
    r.any = true;
}

QString scrubSecrets(const QString& text, QStringView marker)
{
    const auto replacement
        = [marker](QStringView secret) { return marker.isNull() ? redactSecret(secret) : marker.toString(); };
    QString out = text;
    Registry& r = registry();
    if (r.any) {
        const QMutexLocker lock(&r.mutex);
        for (const QString& secret : std::as_const(r.secrets)) {
            if (out.contains(secret))
                out.replace(secret, replacement(secret));
        }
    }
    for (const QRegularExpression& re : patterns()) {
        QString result;
        qsizetype last = 0;
        QRegularExpressionMatchIterator it = re.globalMatch(out);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            if (m.capturedView(2).startsWith(QStringLiteral("…(")) || m.capturedView(2) == marker)
                continue; // already a marker
            result += QStringView(out).mid(last, m.capturedStart(2) - last);
            result += replacement(m.capturedView(2));
            last = m.capturedEnd(2);
        }
        if (last > 0) {
            result += QStringView(out).mid(last);
            out = result;
        }
    }
    return out;
}

void installLogRedaction()
{
    if (g_installed.exchange(true))
        return;
    g_previous = qInstallMessageHandler(&redactingHandler);
}

} // namespace sy
