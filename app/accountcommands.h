#pragma once

#include <QStringList>

namespace sy {

// `switchyard account list|login|logout|import ...` (see the --help of each). Needs a QCoreApplication; runs its
// event loop. Returns the exit code, or -1 when `arguments` is not an account command.
int runAccountCommand(const QStringList& arguments);

// `switchyard secret set ID` (the key is read from standard input) and `switchyard secret remove ID`: API keys in
// the secret store, used from the config as "api_key": "keychain:ID". Returns -1 when not a secret command.
int runSecretCommand(const QStringList& arguments);

} // namespace sy
