#pragma once

#include "common/result.h"
#include "oauth/tokenset.h"

#include <QHash>
#include <QString>

namespace sy {

// A login read from another tool's credential file. Import is read-only: we never write those files.
struct ImportedLogin
{
    QString providerId; // "chatgpt", "claude", "google"
    TokenSet tokens;
    QString source; // "import:codex", "import:claude", "import:gemini"
};

// `which`: "codex" (~/.codex/auth.json, or $CODEX_HOME/auth.json), "claude" (~/.claude/.credentials.json, or
// $CLAUDE_CONFIG_DIR/.credentials.json), "gemini" (~/.gemini/oauth_creds.json).
QString defaultImportPath(const QString& which, const QHash<QString, QString>& environment);
Result<ImportedLogin> readImportFile(const QString& which, const QString& path);

} // namespace sy
