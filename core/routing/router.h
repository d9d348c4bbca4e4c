#pragma once

#include "common/result.h"
#include "config/config.h"

#include <QRegularExpression>

namespace sy {

QRegularExpression globToRegularExpression(const QString& glob);

struct ResolvedTarget
{
    const ProviderConfig* provider = nullptr;
    QString upstreamModel;
    int ruleIndex = -1;
};

// Maps the model name a client sends to an upstream target. Rules are tried top to bottom; the first whose
// case-insensitive glob matches wins. (Fallback chains, conditions and pools build on this in the routing issue.)
class Router
{
public:
    explicit Router(const Config* config);
    // All targets of the first matching rule, in order; an error message when no rule matches.
    Result<QList<ResolvedTarget>> resolve(const QString& model) const;
    bool matches(const QString& model) const;

private:
    const Config* m_config;
    QList<QRegularExpression> m_patterns;
};

} // namespace sy
