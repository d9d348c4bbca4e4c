#include "router.h"

#include "protocol/tokencount.h"

namespace sy {

namespace {

const QLatin1String kAliases[] = {QLatin1String("opus"), QLatin1String("sonnet"), QLatin1String("haiku")};

bool isAlias(const QString& lowerName)
{
    for (QLatin1String a : kAliases) {
        if (lowerName == a)
            return true;
    }
    return false;
}

// Whether `glob` matches at least one string that starts with `prefix` (case-insensitive): runs the glob as an NFA over
// the prefix; any state still alive can be completed by some suffix.
bool globAcceptsSomeExtension(const QString& glob, const QString& prefix)
{
    const qsizetype n = glob.size();
    QList<bool> states(n + 1, false);
    auto close = [&](QList<bool>& s) {
        for (qsizetype i = 0; i < n; ++i) {
            if (s.at(i) && glob.at(i) == QLatin1Char('*'))
                s[i + 1] = true;
        }
    };
    states[0] = true;
    close(states);
    for (QChar c : prefix) {
        QList<bool> next(n + 1, false);
        bool any = false;
        for (qsizetype i = 0; i < n; ++i) {
            if (!states.at(i))
                continue;
            const QChar g = glob.at(i);
            if (g == QLatin1Char('*')) {
                next[i] = true;
                any = true;
            } else if (g == QLatin1Char('?') || g.toCaseFolded() == c.toCaseFolded()) {
                next[i + 1] = true;
                any = true;
            }
        }
        if (!any)
            return false;
        close(next);
        states = next;
    }
    return true;
}

// The rule's match against a model without suffix; `re` is globToRegularExpression(match).
bool accepts(const QString& match, const QRegularExpression& re, const QString& model)
{
    const QString m = match.toLower();
    if (isAlias(m))
        return claudeFamily(model) == m;
    if (re.match(model).hasMatch())
        return true;
    const QString lower = model.toLower();
    if (!isAlias(lower))
        return false;
    // A bare alias from the client is any model of its family: "sonnet" matches "claude-sonnet-*", "claude-*".
    const QString family = QStringLiteral("claude-") + lower;
    return re.match(family).hasMatch() || globAcceptsSomeExtension(match, family + QLatin1Char('-'));
}

// "web_search" matches the tool "web_search" and the versioned builtin type "web_search_20250305"; a name with '*'
// or '?' is a glob ("mcp__github__*").
bool toolMatches(const QString& wanted, const QString& tool)
{
    if (wanted.contains(QLatin1Char('*')) || wanted.contains(QLatin1Char('?')))
        return globToRegularExpression(wanted).match(tool).hasMatch();
    if (tool.compare(wanted, Qt::CaseInsensitive) == 0)
        return true;
    if (tool.size() <= wanted.size() + 1 || !tool.startsWith(wanted, Qt::CaseInsensitive)
        || tool.at(wanted.size()) != QLatin1Char('_'))
        return false;
    for (qsizetype i = wanted.size() + 1; i < tool.size(); ++i) {
        if (!tool.at(i).isDigit())
            return false;
    }
    return true;
}

// Checks the conditions in a fixed order; on the first that fails, describes it in `failed`.
bool conditionsHold(const RouteConditions& when, const RouteQuery& q, QString* failed)
{
    if (when.thinking && *when.thinking != q.thinking) {
        *failed = QStringLiteral("when.thinking: no");
        return false;
    }
    if (when.tokensOver >= 0) {
        if (q.inputTokens < 0) {
            *failed = QStringLiteral("when.tokens_over %1: no (tokens not counted)").arg(when.tokensOver);
            return false;
        }
        if (q.inputTokens <= when.tokensOver) {
            *failed = QStringLiteral("when.tokens_over %1: no (%2 tokens)").arg(when.tokensOver).arg(q.inputTokens);
            return false;
        }
    }
    if (when.hasImages && *when.hasImages != q.hasImages) {
        *failed = QStringLiteral("when.has_images: no");
        return false;
    }
    if (!when.toolsInclude.isEmpty()) {
        bool any = false;
        for (const QString& wanted : when.toolsInclude) {
            for (const QString& tool : q.tools)
                any = any || toolMatches(wanted, tool);
        }
        if (!any) {
            *failed = QStringLiteral("when.tools_include: no");
            return false;
        }
    }
    if (!when.clients.isEmpty()) {
        const bool byClient = !q.client.isEmpty() && when.clients.contains(q.client, Qt::CaseInsensitive);
        const bool byKey = !q.gatewayKey.isEmpty() && when.clients.contains(q.gatewayKey, Qt::CaseInsensitive);
        if (!byClient && !byKey) {
            *failed = q.client.isEmpty() ? QStringLiteral("when.client: no (client unknown)")
                                         : QStringLiteral("when.client: no (client \"%1\")").arg(q.client);
            return false;
        }
    }
    return true;
}

// `target` is the target's model and suffix ("*" forwards the requested model); its suffix, if any, replaces the
// client's.
ResolvedTarget makeTarget(const ProviderConfig* provider, const ModelSuffix& target, const ModelSuffix& client)
{
    ResolvedTarget t;
    t.provider = provider;
    t.upstreamModel = target.model == QLatin1String("*") ? client.model : target.model;
    t.profile = provider->profileFor(t.upstreamModel);
    const ModelSuffix& suffix = target.hasSuffix() ? target : client;
    t.effort = suffix.effort;
    t.thinkingBudget = suffix.thinkingBudget;
    return t;
}

bool hasImage(const QList<canon::Part>& parts)
{
    for (const canon::Part& p : parts) {
        if (p.kind == canon::PartKind::Image)
            return true;
        if (p.kind == canon::PartKind::ToolResult && hasImage(p.content))
            return true;
    }
    return false;
}

bool isHorizontalSpace(QChar c)
{
    return c == QLatin1Char(' ') || c == QLatin1Char('\t');
}

qsizetype leadingSpace(const QString& s)
{
    qsizetype i = 0;
    while (i < s.size() && s.at(i).isSpace())
        ++i;
    return i;
}

qsizetype trailingSpace(const QString& s)
{
    qsizetype i = 0;
    while (i < s.size() && s.at(s.size() - 1 - i).isSpace())
        ++i;
    return i;
}

// Removes text[start, end) and tidies the whitespace around it: no blank line or double space is left behind.
QString cutOut(const QString& text, qsizetype start, qsizetype end)
{
    QString before = text.left(start);
    QString after = text.mid(end);
    while (!before.isEmpty() && isHorizontalSpace(before.back()))
        before.chop(1);
    qsizetype h = 0;
    while (h < after.size() && isHorizontalSpace(after.at(h)))
        ++h;
    after.remove(0, h);
    if (before.trimmed().isEmpty())
        return after.mid(leadingSpace(after));
    if (after.trimmed().isEmpty())
        return before.chopped(trailingSpace(before));
    const qsizetype tb = trailingSpace(before);
    const qsizetype la = leadingSpace(after);
    const QString gapBefore = before.right(tb);
    const QString gapAfter = after.left(la);
    const qsizetype nb = gapBefore.count(QLatin1Char('\n'));
    const qsizetype na = gapAfter.count(QLatin1Char('\n'));
    QString gap;
    if (nb == 0 && na == 0)
        gap = QStringLiteral(" ");
    else
        gap = nb >= na ? gapBefore : gapAfter;
    return QString(before.chopped(tb) + gap + after.mid(la));
}

// Takes every subagent tag out of the text parts; the first tag's content goes to `found`. False if there is none.
bool takeTag(QList<canon::Part>& parts, QString* found)
{
    static const QRegularExpression tag(QStringLiteral("<CCR-SUBAGENT-MODEL>(.*?)</CCR-SUBAGENT-MODEL>"),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
    bool any = false;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        canon::Part& part = parts[i];
        if (part.kind != canon::PartKind::Text)
            continue;
        bool here = false;
        for (QRegularExpressionMatch m = tag.match(part.text); m.hasMatch(); m = tag.match(part.text)) {
            if (!any)
                *found = m.captured(1).trimmed();
            any = true;
            here = true;
            part.text = cutOut(part.text, m.capturedStart(), m.capturedEnd());
        }
        if (here && part.text.trimmed().isEmpty()) {
            parts.removeAt(i);
            --i;
        }
    }
    return any;
}

} // namespace

QRegularExpression globToRegularExpression(const QString& glob)
{
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

ModelSuffix splitModelSuffix(const QString& model)
{
    ModelSuffix out;
    out.model = model;
    if (!model.endsWith(QLatin1Char(')')))
        return out;
    const qsizetype open = model.lastIndexOf(QLatin1Char('('));
    if (open <= 0)
        return out;
    const QString base = model.left(open).trimmed();
    const QString inner = model.mid(open + 1, model.size() - open - 2).trimmed().toLower();
    if (base.isEmpty() || inner.isEmpty())
        return out;
    static const QStringList efforts = {QStringLiteral("none"), QStringLiteral("minimal"), QStringLiteral("low"),
        QStringLiteral("medium"), QStringLiteral("high"), QStringLiteral("xhigh"), QStringLiteral("max")};
    if (efforts.contains(inner)) {
        out.model = base;
        out.effort = inner;
        return out;
    }
    for (QChar c : inner) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return out;
    }
    bool ok = false;
    const int budget = inner.toInt(&ok);
    if (!ok)
        return out;
    out.model = base;
    out.thinkingBudget = budget;
    return out;
}

QString claudeFamily(const QString& model)
{
    const QString m = model.toLower();
    if (isAlias(m))
        return m;
    if (!m.startsWith(QLatin1String("claude-")))
        return {};
    const QStringList words = m.split(QLatin1Char('-'));
    for (const QString& w : words) {
        if (isAlias(w))
            return w;
    }
    return {};
}

bool routeMatchAccepts(const QString& match, const QString& model)
{
    return accepts(match, globToRegularExpression(match), model);
}

Router::Router(const Config* config)
    : m_config(config)
{
    for (const RouteRule& r : config->routes)
        m_patterns.append(globToRegularExpression(r.match));
}

const ProviderConfig* Router::findProvider(const QString& id) const
{
    if (const ProviderConfig* p = m_config->provider(id))
        return p;
    for (const ProviderConfig& p : m_config->providers) {
        if (p.id.compare(id, Qt::CaseInsensitive) == 0)
            return &p;
    }
    return nullptr;
}

const ProviderConfig* Router::splitProviderModel(const QString& text, QString* providerId, QString* model) const
{
    for (QChar sep : {QLatin1Char(','), QLatin1Char('/')}) {
        const qsizetype at = text.indexOf(sep);
        if (at <= 0)
            continue;
        *providerId = text.left(at).trimmed();
        *model = text.mid(at + 1).trimmed();
        if (model->isEmpty())
            continue;
        if (const ProviderConfig* p = findProvider(*providerId))
            return p;
    }
    return nullptr;
}

Result<RouteDecision> Router::resolve(const RouteQuery& query) const
{
    const ModelSuffix client = splitModelSuffix(query.model.trimmed());
    RouteDecision d;
    d.requestedModel = client.model;

    if (!query.subagentModel.isEmpty()) {
        const ModelSuffix tag = splitModelSuffix(query.subagentModel.trimmed());
        QString providerId;
        QString model;
        const QString line = QStringLiteral("subagent \"%1\"").arg(query.subagentModel);
        if (const ProviderConfig* p = splitProviderModel(tag.model, &providerId, &model)) {
            d.chain.append(makeTarget(p, ModelSuffix {model, tag.effort, tag.thinkingBudget}, client));
            d.via = QStringLiteral("subagent");
            d.trace.append(line + QStringLiteral(": provider \"%1\"").arg(p->id));
            return d;
        }
        d.trace.append(providerId.isEmpty() ? line + QStringLiteral(": no (not \"provider,model\")")
                                            : line + QStringLiteral(": no (no provider \"%1\")").arg(providerId));
    }

    if (client.model.contains(QLatin1Char(',')) || client.model.contains(QLatin1Char('/'))) {
        QString providerId;
        QString model;
        const QString line = QStringLiteral("direct \"%1\"").arg(client.model);
        if (const ProviderConfig* p = splitProviderModel(client.model, &providerId, &model)) {
            d.chain.append(makeTarget(p, ModelSuffix {model, {}, -1}, client));
            d.via = QStringLiteral("direct");
            d.trace.append(line + QStringLiteral(": provider \"%1\"").arg(p->id));
            return d;
        }
        if (!providerId.isEmpty())
            d.trace.append(line + QStringLiteral(": no (no provider \"%1\")").arg(providerId));
    }

    for (int i = 0; i < m_patterns.size(); ++i) {
        const RouteRule& rule = m_config->routes.at(i);
        const QString line = QStringLiteral("routes[%1] match \"%2\"").arg(i).arg(rule.match);
        if (!accepts(rule.match, m_patterns.at(i), client.model)) {
            d.trace.append(line + QStringLiteral(": no (model)"));
            continue;
        }
        QString failed;
        if (!conditionsHold(rule.when, query, &failed)) {
            d.trace.append(line + QStringLiteral(": ") + failed);
            continue;
        }
        for (const RouteTarget& t : rule.targets) {
            if (const ProviderConfig* p = findProvider(t.providerId))
                d.chain.append(makeTarget(p, splitModelSuffix(t.model), client));
        }
        if (d.chain.isEmpty()) {
            d.trace.append(line + QStringLiteral(": matched, but no target names a configured provider"));
            continue;
        }
        d.trace.append(line + QStringLiteral(": matched"));
        d.ruleIndex = i;
        d.priority = rule.priority;
        d.via = QStringLiteral("rule");
        return d;
    }

    const QString tried
        = d.trace.isEmpty() ? QStringLiteral("no routes are configured") : d.trace.join(QStringLiteral("; "));
    return Result<RouteDecision>::failure(
        QStringLiteral("no route matches model \"%1\"; add a rule to \"routes\" in the config (\"*\" matches any "
                       "model). Tried: %2")
            .arg(query.model, tried));
}

Result<RouteDecision> Router::resolve(const QString& model) const
{
    RouteQuery q;
    q.model = model;
    return resolve(q);
}

bool Router::matches(const QString& model) const
{
    return resolve(model).ok();
}

bool Router::needsTokenCount() const
{
    for (const RouteRule& r : m_config->routes) {
        if (r.when.tokensOver >= 0)
            return true;
    }
    return false;
}

QString detectClient(QByteArrayView userAgent)
{
    const QByteArray ua = userAgent.toByteArray().trimmed().toLower();
    if (ua.startsWith("claude-cli/") || ua.startsWith("claude-code/"))
        return QStringLiteral("claude-code");
    if (ua.startsWith("codex"))
        return QStringLiteral("codex");
    if (ua.startsWith("geminicli/") || ua.startsWith("gemini-cli/"))
        return QStringLiteral("gemini-cli");
    return {};
}

QString takeSubagentModel(canon::Request& request)
{
    QString found;
    if (takeTag(request.system, &found))
        return found;
    for (canon::Message& m : request.messages) {
        if (m.role == canon::Role::User) {
            takeTag(m.parts, &found);
            break;
        }
    }
    return found;
}

RouteQuery routeQueryFor(const canon::Request& request, const QString& client, bool countTokens)
{
    RouteQuery q;
    q.model = request.model;
    q.client = client;
    q.thinking = request.thinking.mode == canon::Thinking::Mode::Enabled
        || request.thinking.mode == canon::Thinking::Mode::Adaptive;
    q.hasImages = hasImage(request.system);
    for (const canon::Message& m : request.messages)
        q.hasImages = q.hasImages || hasImage(m.parts);
    for (const canon::Tool& t : request.tools) {
        if (!t.name.isEmpty())
            q.tools.append(t.name);
        if (!t.builtinType.isEmpty())
            q.tools.append(t.builtinType);
    }
    q.inputTokens = countTokens ? estimateRequestTokens(request) : -1;
    return q;
}

} // namespace sy
