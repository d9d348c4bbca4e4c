#include "accounts/accountpool.h"

namespace sy {

namespace {

Credential accountCredential(const Account& a)
{
    Credential c;
    c.id = a.id;
    c.label = a.label;
    c.kind = Credential::Kind::Account;
    c.source = QStringLiteral("account:") + a.id;
    c.accountType = a.type;
    return c;
}

bool usable(const Account& a)
{
    return a.state != Account::State::NeedsLogin;
}

} // namespace

Config expandAccounts(const Config& config, const QList<Account>& accounts, const QList<OAuthProviderSpec>& specs)
{
    Config out = config;
    for (ProviderConfig& p : out.providers) {
        QList<Credential> creds;
        for (const Credential& c : std::as_const(p.credentials)) {
            if (c.accountRef.isEmpty() && c.accountsOf.isEmpty()) {
                creds.append(c);
                continue;
            }
            for (const Account& a : accounts) {
                const bool match = !c.accountRef.isEmpty() ? a.id == c.accountRef
                                                           : (a.provider == c.accountsOf || a.type == c.accountsOf);
                const bool duplicate
                    = std::any_of(creds.cbegin(), creds.cend(), [&](const Credential& x) { return x.id == a.id; });
                if (match && usable(a) && !duplicate) {
                    Credential ac = accountCredential(a);
                    if (!c.label.isEmpty() && !c.accountRef.isEmpty())
                        ac.label = c.label;
                    creds.append(ac);
                }
            }
        }
        p.credentials = creds;
    }
    for (const OAuthProviderSpec& s : specs) {
        if (out.provider(s.upstreamProviderId))
            continue;
        ProviderConfig p;
        p.id = s.upstreamProviderId;
        p.kind = s.upstreamKind;
        p.baseUrl = s.upstreamBaseUrl;
        p.accountProvider = s.id;
        for (const Account& a : accounts) {
            if (a.provider == s.id && usable(a))
                p.credentials.append(accountCredential(a));
        }
        out.providers.append(p);
    }
    return out;
}

QStringList storedSecretKeys(const Config& config)
{
    QStringList keys;
    for (const ProviderConfig& p : config.providers) {
        for (const Credential& c : p.credentials) {
            if (!c.secretRef.isEmpty())
                keys.append(QStringLiteral("apikey:") + c.secretRef.mid(9));
        }
    }
    for (const GatewayKey& k : config.server.gatewayKeys) {
        if (!k.secretRef.isEmpty())
            keys.append(QStringLiteral("apikey:") + k.secretRef.mid(9));
    }
    keys.removeDuplicates();
    return keys;
}

void applyStoredSecrets(Config* config, const QHash<QString, QString>& secrets)
{
    for (ProviderConfig& p : config->providers) {
        for (Credential& c : p.credentials) {
            if (!c.secretRef.isEmpty())
                c.apiKey = secrets.value(QStringLiteral("apikey:") + c.secretRef.mid(9));
        }
    }
    for (GatewayKey& k : config->server.gatewayKeys) {
        if (!k.secretRef.isEmpty())
            k.key = secrets.value(QStringLiteral("apikey:") + k.secretRef.mid(9));
    }
}

} // namespace sy
