#pragma once

#include <QStringList>

namespace sy {

// `switchyard usage [--since 7d] [--until TIME] [--by model] [--bucket day] [--json | --csv] [--db PATH]`: totals
// from the usage log. Returns the exit code, or -1 when `arguments` is not the usage command.
int runUsageCommand(const QStringList& arguments);

} // namespace sy
