#include "accounts/account.h"

namespace sy {

QString accountStateName(Account::State state)
{
    switch (state) {
    case Account::State::Ready:
        return QStringLiteral("ready");
    case Account::State::Refreshing:
        return QStringLiteral("refreshing");
    case Account::State::NeedsLogin:
        return QStringLiteral("needs-login");
    case Account::State::Error:
        return QStringLiteral("error");
    }
    return QString();
}

QJsonObject Account::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("id"), id);
    o.insert(QLatin1String("type"), type);
    o.insert(QLatin1String("provider"), provider);
    o.insert(QLatin1String("label"), label);
    o.insert(QLatin1String("email"), email);
    if (!plan.isEmpty())
        o.insert(QLatin1String("plan"), plan);
    o.insert(QLatin1String("source"), source);
    if (!meta.isEmpty())
        o.insert(QLatin1String("meta"), meta);
    if (!quota.isEmpty())
        o.insert(QLatin1String("quota"), quota);
    o.insert(QLatin1String("state"), accountStateName(state));
    if (!lastError.isEmpty())
        o.insert(QLatin1String("last_error"), lastError);
    o.insert(QLatin1String("expires_at_ms"), double(expiresAtMs));
    o.insert(QLatin1String("created_at_ms"), double(createdAtMs));
    o.insert(QLatin1String("last_refresh_ms"), double(lastRefreshMs));
    return o;
}

Account Account::fromJson(const QJsonObject& o)
{
    Account a;
    a.id = o.value(QLatin1String("id")).toString();
    a.type = o.value(QLatin1String("type")).toString();
    a.provider = o.value(QLatin1String("provider")).toString();
    a.label = o.value(QLatin1String("label")).toString();
    a.email = o.value(QLatin1String("email")).toString();
    a.plan = o.value(QLatin1String("plan")).toString();
    a.source = o.value(QLatin1String("source")).toString();
    a.meta = o.value(QLatin1String("meta")).toObject();
    a.quota = o.value(QLatin1String("quota")).toObject();
    const QString state = o.value(QLatin1String("state")).toString();
    a.state = state == QLatin1String("needs-login") ? State::NeedsLogin
        : state == QLatin1String("error")           ? State::Error
                                                    : State::Ready;
    a.lastError = o.value(QLatin1String("last_error")).toString();
    a.expiresAtMs = qint64(o.value(QLatin1String("expires_at_ms")).toDouble());
    a.createdAtMs = qint64(o.value(QLatin1String("created_at_ms")).toDouble());
    a.lastRefreshMs = qint64(o.value(QLatin1String("last_refresh_ms")).toDouble());
    return a;
}

} // namespace sy
