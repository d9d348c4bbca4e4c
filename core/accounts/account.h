#pragma once

#include <QJsonObject>
#include <QString>

namespace sy {

// An OAuth account (a subscription login) as a pool member. Its tokens live in the secret store under
// "account:<id>"; everything here is safe to write to disk and show.
struct Account
{
    enum class State {
        Ready,
        Refreshing, // a refresh is in flight (the current token may still be used)
        NeedsLogin, // the provider refused the refresh token: only a new login helps
        Error, // the last refresh failed for a transient reason (offline); retried with backoff
    };
    QString id; // "chatgpt-3f2a9c1b": provider id + hash of the identity, stable across logins
    QString type; // "chatgpt-codex", "claude", "google-gemini"
    QString provider; // the OAuth spec id: "chatgpt", "claude", "google"
    QString label; // for people; defaults to the email
    QString email;
    QString plan; // e.g. "plus", "pro", "max", "free-tier", when the provider says
    QString source; // "login", "import:codex", "import:claude", "import:gemini"
    QJsonObject meta; // chatgpt_account_id, project_id, ...
    QJsonObject quota; // the provider's own usage headers from the last answer (Codex usage %, Claude unified limits)
    State state = State::Ready;
    QString lastError;
    qint64 expiresAtMs = 0; // of the current access token (0: unknown)
    qint64 createdAtMs = 0;
    qint64 lastRefreshMs = 0;

    QJsonObject toJson() const; // no secrets
    static Account fromJson(const QJsonObject& o);
};

QString accountStateName(Account::State state);

} // namespace sy
Q_DECLARE_METATYPE(sy::Account::State)
