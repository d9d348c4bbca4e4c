#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace sy {

struct Config;

// What the connect snippets point the clients at.
struct ClientSetupOptions
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 3790;
    QString authToken; // a gateway key; empty: a placeholder (the gateway then uses its own provider keys)
    // No gateway key and an anthropic provider forwards the client's own key or login: Claude Code's snippet then
    // leaves ANTHROPIC_AUTH_TOKEN out (a placeholder would replace the user's login).
    bool forwardsClientKey = false;
    QString opusModel; // optional ANTHROPIC_DEFAULT_*_MODEL values; empty: the line is left out
    QString sonnetModel;
    QString haikuModel;
    QString codexModel; // optional `model = "..."` for Codex; empty: left out

    // The options for a config: its listen port (or `runningPort` when the gateway is listening), its first
    // gateway key, if any, and whether it forwards Claude Code's own key.
    static ClientSetupOptions fromConfig(const Config& config, quint16 runningPort = 0);
};

// The exact lines that point Claude Code, Codex CLI and Gemini CLI at the gateway (README "Pointing ... at it").
namespace ClientSetup {

inline constexpr auto PlaceholderToken = "switchyard";
inline constexpr auto CodexEnvKey = "SWITCHYARD_KEY";

// http://HOST:PORT (no trailing slash).
QString baseUrl(const ClientSetupOptions& options);
// The token the snippets use: the gateway key, or the placeholder.
QString token(const ClientSetupOptions& options);
// Claude Code's environment, in order: ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN (unless the client's key is
// forwarded) and the model overrides that are set.
QList<QPair<QString, QString>> claudeCodeEnv(const ClientSetupOptions& options);
// `export NAME=value` lines (values shell-quoted when needed).
QString claudeCodeSnippet(const ClientSetupOptions& options);
// A ~/.codex/config.toml block: model_provider = "switchyard" and its [model_providers.switchyard] table.
QString codexSnippet(const ClientSetupOptions& options);
// GOOGLE_GEMINI_BASE_URL / GEMINI_API_KEY exports, with the settings.json note.
QString geminiSnippet(const ClientSetupOptions& options);
// `value` quoted for a POSIX shell when it needs it.
QString shellQuote(const QString& value);

} // namespace ClientSetup

// Merges the environment keys Switchyard owns into Claude Code's settings.json ("env" object) with a minimal
// textual edit: every byte outside the edited values is kept. A timestamped backup
// (settings.json.switchyard-backup-YYYYMMDD-HHMMSS) is written first; the file is written atomically and keeps its
// mode. Files that are not valid JSON, or whose top level is not an object, are refused and left untouched.
class ClaudeSettingsFile
{
public:
    // ~/.claude/settings.json
    static QString defaultPath();
    // ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN, ANTHROPIC_DEFAULT_OPUS_MODEL, _SONNET_, _HAIKU_.
    static QStringList ownedKeys();

    // Sets each (key, value) of `env` in the file's "env" object (an empty value removes the key). Keys must be
    // owned keys. Creates the file (and its directory, and the "env" object) when missing. False with `error` set
    // (and nothing written) on failure.
    static bool apply(const QString& path, const QList<QPair<QString, QString>>& env, QString* error = nullptr);
    // Undoes the newest apply: restores the newest backup byte for byte (and removes it), or, when the file did not
    // exist before that apply, removes the owned keys again (and the file when nothing else is left in it).
    static bool undo(const QString& path, QString* error = nullptr);
    // Whether undo() has something to undo.
    static bool canUndo(const QString& path);
    // The backups apply() made for `path`, oldest first.
    static QStringList backups(const QString& path);

    // The textual edit alone (exposed for tests): `json` with the env keys set/removed. False with `error` when
    // `json` is not a JSON object document.
    static bool mergeEnv(
        const QByteArray& json, const QList<QPair<QString, QString>>& env, QByteArray* out, QString* error = nullptr);
};

} // namespace sy
