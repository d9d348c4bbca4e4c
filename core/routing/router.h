#pragma once

// Picks the upstream for a request (issue 3). Pure code, no I/O: the gateway describes the request with a
// RouteQuery (see routeQueryFor) and gets back an ordered fallback chain.
//
// Order of precedence:
//   1. the claude-code-router subagent tag (<CCR-SUBAGENT-MODEL>provider,model</CCR-SUBAGENT-MODEL>), when it names a
//      configured provider;
//   2. a model written "provider,model" or "provider/model" whose provider is a configured provider id;
//   3. the config's "routes", top to bottom; the first rule whose "match" and every "when" condition hold wins.
//
// Model names may carry a suffix "(effort)" or "(budget)": "gpt-5(high)", "claude-sonnet-4-5(16384)". Efforts are
// none|minimal|low|medium|high|xhigh|max (case-insensitive); a budget is a non-negative integer. The suffix is stripped
// before matching and from the model sent upstream. Anything else in parentheses, such as "(foo)", is not a suffix
// and stays part of the name.

#include "common/result.h"
#include "config/config.h"
#include "protocol/canonical.h"

#include <QByteArrayView>
#include <QRegularExpression>

namespace sy {

// '*' matches any run of characters (including '/'), '?' one character; case-insensitive; anchored.
QRegularExpression globToRegularExpression(const QString& glob);

// A model name split from its "(effort)" / "(budget)" suffix.
struct ModelSuffix
{
    QString model; // without the suffix
    QString effort; // lower case, empty when none
    int thinkingBudget = -1; // -1 when none
    bool hasSuffix() const { return !effort.isEmpty() || thinkingBudget >= 0; }
};
ModelSuffix splitModelSuffix(const QString& model);

// The Claude family of a model name: "opus", "sonnet", "haiku" for the bare alias or a "claude-..." name with that
// word between dashes (claude-opus-4-8, claude-3-5-sonnet-20241022); empty otherwise.
QString claudeFamily(const QString& model);

// Whether a rule's "match" accepts `model` (suffix already stripped): the glob, plus the Claude aliases both ways.
bool routeMatchAccepts(const QString& match, const QString& model);

struct RouteQuery
{
    QString model; // as the client sent it
    bool thinking = false;
    qint64 inputTokens = -1; // -1: not counted (rules with tokens_over then do not match; see needsTokenCount)
    bool hasImages = false;
    QStringList tools; // tool names and builtin types, e.g. {"Bash", "Read", "web_search_20250305", "web_search"}
    QString client; // detected client id ("claude-code", "codex", "gemini-cli")
    QString gatewayKey; // id of the gateway key the client presented
    QString subagentModel; // "provider,model" from the CCR tag, if any
};

struct ResolvedTarget
{
    const ProviderConfig* provider = nullptr;
    QString upstreamModel; // without suffix
    ModelProfile profile; // provider->profileFor(upstreamModel)
    // From a suffix. The target's suffix, when it has one, replaces the client's as a whole, so at most one of the two
    // is set.
    QString effort;
    int thinkingBudget = -1;
};

struct RouteDecision
{
    QList<ResolvedTarget> chain; // ordered fallback chain (targets whose provider exists); never empty on success
    int ruleIndex = -1; // -1 for direct or subagent routing
    CredentialPriority priority = CredentialPriority::AccountsFirst;
    QString via; // "rule", "direct", "subagent"
    QString requestedModel; // the client's model without its suffix
    // One line per step tried, e.g. "routes[0] match \"claude-haiku-*\": no (model)",
    // "routes[1] match \"*\": when.thinking: no", "routes[2] match \"*\": matched".
    QStringList trace;

    const ResolvedTarget& first() const { return chain.first(); }
};

class Router
{
public:
    explicit Router(const Config* config);

    // The error names the model and lists the trace briefly.
    Result<RouteDecision> resolve(const RouteQuery& query) const;
    // resolve() with only the model known (no thinking, no tools, no images, no client, tokens not counted).
    Result<RouteDecision> resolve(const QString& model) const;
    bool matches(const QString& model) const;
    // Some rule uses tokens_over, so the query needs inputTokens.
    bool needsTokenCount() const;

private:
    const ProviderConfig* findProvider(const QString& id) const;
    // "provider,model" or "provider/model" naming a configured provider; nullptr otherwise.
    const ProviderConfig* splitProviderModel(const QString& text, QString* providerId, QString* model) const;

    const Config* m_config;
    QList<QRegularExpression> m_patterns;
};

// The client behind a User-Agent: "claude-code" (claude-cli/...), "codex" (codex_exec/..., codex_cli_rs/..., any
// codex originator), "gemini-cli" (GeminiCLI/...), empty otherwise.
QString detectClient(QByteArrayView userAgent);

// Finds the CCR subagent tag in the system text parts (and, if absent there, in the first user message's text parts),
// removes every occurrence there (and the blank it leaves; a part left empty is dropped) and returns the first tag's
// content ("provider,model", trimmed); empty when there is none.
QString takeSubagentModel(canon::Request& request);

// A query from a decoded request: model, thinking (enabled or adaptive), images (anywhere, tool results included),
// tool names and builtin types, and the client. Counts input tokens only when `countTokens` (else -1). Does not look
// for the subagent tag: call takeSubagentModel() first and set subagentModel.
RouteQuery routeQueryFor(const canon::Request& request, const QString& client, bool countTokens);

} // namespace sy
