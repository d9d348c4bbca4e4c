#pragma once

#include "common/result.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <optional>

namespace sy {

// USD per million tokens of one model.
struct ModelPrice
{
    double input = 0; // uncached input
    double output = 0; // output, reasoning included
    double cacheRead = 0;
    double cacheWrite = 0;
};

// Prices per model: shipped in resources/pricing.json (with the date they were taken), overridable in the config's
// "pricing" object ({"models": {"deepseek-chat": {"input": 0.27, ...}}}). Lookups are by exact model id, then by
// the longest matching glob ("gpt-5*"), then with a dated suffix ("-20250929", "@...") removed.
class PriceTable
{
public:
    static const Result<PriceTable>& shipped();
    // The shipped table, or an empty one (everything unpriced) if it cannot be read.
    static const PriceTable& defaults();
    // `overrides` = the config's "pricing" object.
    Result<PriceTable> withOverrides(const QJsonObject& overrides) const;
    static Result<PriceTable> fromJson(const QJsonObject& o);

    std::optional<ModelPrice> find(const QString& model) const;
    // Cost in USD of the usage (tokens < 0 count as 0); nullopt when the model has no price.
    std::optional<double> cost(
        const QString& model, qint64 input, qint64 output, qint64 cacheRead, qint64 cacheWrite) const;
    QString pricesDate() const { return m_date; }
    int size() const { return int(m_exact.size() + m_globs.size()); }

private:
    QString m_date;
    QHash<QString, ModelPrice> m_exact; // lower-case id
    QList<QPair<QString, ModelPrice>> m_globs; // lower-case pattern, longest first
    QList<QRegularExpression> m_globRegex; // m_globs' patterns compiled once (a lookup runs per logged request)
    void compileGlobs();
};

} // namespace sy
