#pragma once

#include "accounts/account.h"
#include "config/config.h"
#include "oauth/oauthprovider.h"

#include <QHash>

namespace sy {

// The config the gateway runs: `config` with OAuth accounts joined to the pools.
//  - {"account": ID} and {"accounts": "chatgpt"} entries become one Account credential per matching account.
//  - Every login provider whose provider id ("chatgpt", "claude", "google") the config does not define gets an
//    implicit provider of that id, with the spec's kind and base URL and all its accounts as the pool. Routes can
//    target "chatgpt/gpt-5-codex" as soon as someone logged in.
// Accounts that need a new login are left out of every pool.
Config expandAccounts(const Config& config, const QList<Account>& accounts, const QList<OAuthProviderSpec>& specs);

// Fills the apiKey of "keychain:ID" credentials from `secrets` (secret store key "apikey:ID" -> value).
void applyStoredSecrets(Config* config, const QHash<QString, QString>& secrets);
// The secret store keys the config refers to ("apikey:ID").
QStringList storedSecretKeys(const Config& config);

} // namespace sy
