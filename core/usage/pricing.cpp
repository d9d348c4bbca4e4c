#include "usage/pricing.h"

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace sy {

namespace {

QRegularExpression globRegex(const QString& pattern)
{
    // Model ids have no path separators worth honouring: '*' matches any run of characters.
    QString rx = QRegularExpression::escape(pattern);
    rx.replace(QLatin1String("\\*"), QLatin1String(".*")).replace(QLatin1String("\\?"), QLatin1String("."));
    return QRegularExpression(QRegularExpression::anchoredPattern(rx));
}

Result<ModelPrice> parsePrice(const QString& id, const QJsonValue& v)
{
    if (!v.isObject())
        return Result<ModelPrice>::failure(QStringLiteral("pricing.models.%1 must be an object").arg(id));
    const QJsonObject o = v.toObject();
    ModelPrice p;
    const auto field = [&](const char* name, double* out, bool required) {
        const QJsonValue f = o.value(QLatin1String(name));
        if (f.isUndefined())
            return !required;
        if (!f.isDouble() || f.toDouble() < 0)
            return false;
        *out = f.toDouble();
        return true;
    };
    if (!field("input", &p.input, true) || !field("output", &p.output, true)
        || !field("cache_read", &p.cacheRead, false) || !field("cache_write", &p.cacheWrite, false))
        return Result<ModelPrice>::failure(QStringLiteral(
            "pricing.models.%1: needs non-negative numbers \"input\" and \"output\" (and optional \"cache_read\", "
            "\"cache_write\"), USD per million tokens")
                                               .arg(id));
    if (!o.contains(QLatin1String("cache_read")))
        p.cacheRead = p.input; // no cache discount known
    if (!o.contains(QLatin1String("cache_write")))
        p.cacheWrite = p.input;
    return p;
}

} // namespace

Result<PriceTable> PriceTable::fromJson(const QJsonObject& o)
{
    PriceTable t;
    t.m_date = o.value(QLatin1String("date")).toString();
    const QJsonValue modelsValue = o.value(QLatin1String("models"));
    if (!modelsValue.isUndefined() && !modelsValue.isObject())
        return Result<PriceTable>::failure(QStringLiteral(
            "pricing.models must be an object of model id -> {\"input\", \"output\", ...} (USD per million tokens)"));
    const QJsonObject models = modelsValue.toObject();
    for (auto it = models.begin(); it != models.end(); ++it) {
        const Result<ModelPrice> p = parsePrice(it.key(), it.value());
        if (!p)
            return Result<PriceTable>::failure(p.error());
        const QString key = it.key().toLower();
        if (key.contains(QLatin1Char('*')) || key.contains(QLatin1Char('?')))
            t.m_globs.append(qMakePair(key, p.value()));
        else
            t.m_exact.insert(key, p.value());
    }
    std::stable_sort(t.m_globs.begin(), t.m_globs.end(),
        [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    t.compileGlobs();
    return t;
}

const Result<PriceTable>& PriceTable::shipped()
{
    // Parsed once per process; the table is immutable.
    static const Result<PriceTable> table = []() {
        QFile f(QStringLiteral(":/core/pricing.json"));
        if (!f.open(QIODevice::ReadOnly))
            return Result<PriceTable>::failure(QStringLiteral("pricing.json is not built in"));
        return fromJson(QJsonDocument::fromJson(f.readAll()).object());
    }();
    return table;
}

const PriceTable& PriceTable::defaults()
{
    static const PriceTable empty;
    return shipped() ? shipped().value() : empty;
}

Result<PriceTable> PriceTable::withOverrides(const QJsonObject& overrides) const
{
    const Result<PriceTable> extra = fromJson(overrides);
    if (!extra)
        return extra;
    PriceTable t = *this;
    for (auto it = extra->m_exact.begin(); it != extra->m_exact.end(); ++it)
        t.m_exact.insert(it.key(), it.value());
    for (const auto& g : extra->m_globs) {
        t.m_globs.removeIf([&](const auto& existing) { return existing.first == g.first; });
        t.m_globs.append(g);
    }
    std::stable_sort(t.m_globs.begin(), t.m_globs.end(),
        [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    t.compileGlobs();
    if (!extra->m_date.isEmpty())
        t.m_date = extra->m_date;
    return t;
}

void PriceTable::compileGlobs()
{
    m_globRegex.clear();
    for (const auto& g : std::as_const(m_globs))
        m_globRegex.append(globRegex(g.first));
}

std::optional<ModelPrice> PriceTable::find(const QString& model) const
{
    QString id = model.toLower().trimmed();
    // Provider prefixes ("openai/gpt-5", "models/gemini-2.5-pro") do not change the price.
    for (const QString& candidate : {id, id.section(QLatin1Char('/'), -1)}) {
        const auto exact = m_exact.constFind(candidate);
        if (exact != m_exact.constEnd())
            return *exact;
        for (qsizetype i = 0; i < m_globs.size(); ++i) {
            if (m_globRegex.at(i).match(candidate).hasMatch())
                return m_globs.at(i).second;
        }
        // Dated or versioned ids: "deepseek-chat-20250101", "claude-x@20250929".
        static const QRegularExpression dated(
            QStringLiteral("([-@]\\d{8}|-\\d{4}-\\d{2}-\\d{2}|-latest|-preview(-\\d{2}-\\d{4})?)$"));
        QString bare = candidate;
        bare.remove(dated);
        if (bare != candidate) {
            const auto b = m_exact.constFind(bare);
            if (b != m_exact.constEnd())
                return *b;
        }
    }
    return std::nullopt;
}

std::optional<double> PriceTable::cost(
    const QString& model, qint64 input, qint64 output, qint64 cacheRead, qint64 cacheWrite) const
{
    const std::optional<ModelPrice> p = find(model);
    if (!p)
        return std::nullopt;
    const auto n = [](qint64 v) { return double(qMax<qint64>(v, 0)); };
    return (n(input) * p->input + n(output) * p->output + n(cacheRead) * p->cacheRead + n(cacheWrite) * p->cacheWrite)
        / 1e6;
}

} // namespace sy
