#include "router.h"

namespace sy {

QRegularExpression globToRegularExpression(const QString& glob)
{
    // '*' matches any run of characters (including '/'), '?' one character; everything else is literal.
    QString re = QStringLiteral("\\A");
    for (QChar c : glob) {
        if (c == QLatin1Char('*'))
            re += QLatin1String(".*");
        else if (c == QLatin1Char('?'))
            re += QLatin1Char('.');
        else
            re += QRegularExpression::escape(QString(c));
    }
    re += QLatin1String("\\z");
    return QRegularExpression(
        re, QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
}

Router::Router(const Config* config)
    : m_config(config)
{
    for (const RouteRule& r : config->routes)
        m_patterns.append(globToRegularExpression(r.match));
}

Result<QList<ResolvedTarget>> Router::resolve(const QString& model) const
{
    for (int i = 0; i < m_patterns.size(); ++i) {
        const QRegularExpression& re = m_patterns.at(i);
        if (!re.match(model).hasMatch())
            continue;
        QList<ResolvedTarget> out;
        for (const RouteTarget& t : m_config->routes.at(i).targets) {
            ResolvedTarget rt;
            rt.provider = m_config->provider(t.providerId);
            rt.upstreamModel = t.model == QLatin1String("*") ? model : t.model;
            rt.ruleIndex = i;
            if (rt.provider)
                out.append(rt);
        }
        if (!out.isEmpty())
            return out;
    }
    return Result<QList<ResolvedTarget>>::failure(QStringLiteral(
        "no route matches model \"%1\"; add a rule to \"routes\" in the config (\"*\" matches any model)")
                                                      .arg(model));
}

bool Router::matches(const QString& model) const
{
    return resolve(model).ok();
}

} // namespace sy
