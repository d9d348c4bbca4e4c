#pragma once

#include <QStringList>

namespace sy {

// `switchyard config check [PATH]`, `switchyard route list`, `switchyard route resolve --model M ...`.
// Returns the process exit code, or -1 when `arguments` is not one of these commands.
int runCliCommand(const QStringList& arguments);

} // namespace sy
