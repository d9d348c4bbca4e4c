#pragma once

#include <QStringList>

namespace sy {

// `switchyard account list|login|logout|import ...` (see the --help of each). Needs a QCoreApplication; runs its
// event loop. Returns the exit code, or -1 when `arguments` is not an account command.
int runAccountCommand(const QStringList& arguments);

} // namespace sy
