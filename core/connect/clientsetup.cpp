#include "connect/clientsetup.h"

#include "config/config.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>
#include <optional>

namespace sy {

namespace {

constexpr QLatin1String BackupInfix(".switchyard-backup-");
constexpr QLatin1String CreatedInfix(".switchyard-created-");

QString tr(const char* text)
{
    return QCoreApplication::translate("sy::ClaudeSettingsFile", text);
}

// ---- A small JSON scanner: byte spans of the members of an object. Input is validated by QJsonDocument first, so
// the scanner only has to be right on valid JSON; it still fails cleanly on anything unexpected.

struct Member
{
    QString key;
    qsizetype keyStart = 0; // the opening quote of the key
    qsizetype valueStart = 0;
    qsizetype valueEnd = 0; // one past the value
};

struct ObjectSpan
{
    qsizetype open = 0; // '{'
    qsizetype close = 0; // '}'
    QList<Member> members;
};

class Scanner
{
public:
    explicit Scanner(const QByteArray& data)
        : m_data(data)
    {
    }

    qsizetype skipWs(qsizetype pos) const
    {
        while (pos < m_data.size()) {
            const char c = m_data.at(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++pos;
        }
        return pos;
    }

    // pos at '"'; returns one past the closing quote (or -1) and the decoded text.
    qsizetype string(qsizetype pos, QString* text) const
    {
        if (pos >= m_data.size() || m_data.at(pos) != '"')
            return -1;
        QByteArray raw;
        QString decoded;
        auto flush = [&] {
            decoded += QString::fromUtf8(raw);
            raw.clear();
        };
        ++pos;
        while (pos < m_data.size()) {
            const char c = m_data.at(pos);
            if (c == '"') {
                flush();
                if (text)
                    *text = decoded;
                return pos + 1;
            }
            if (c != '\\') {
                raw += c;
                ++pos;
                continue;
            }
            if (pos + 1 >= m_data.size())
                return -1;
            const char e = m_data.at(pos + 1);
            pos += 2;
            switch (e) {
            case '"':
                raw += '"';
                break;
            case '\\':
                raw += '\\';
                break;
            case '/':
                raw += '/';
                break;
            case 'b':
                raw += '\b';
                break;
            case 'f':
                raw += '\f';
                break;
            case 'n':
                raw += '\n';
                break;
            case 'r':
                raw += '\r';
                break;
            case 't':
                raw += '\t';
                break;
            case 'u': {
                if (pos + 4 > m_data.size())
                    return -1;
                bool ok = false;
                const ushort unit = m_data.mid(pos, 4).toUShort(&ok, 16);
                if (!ok)
                    return -1;
                pos += 4;
                flush();
                decoded += QChar(unit); // surrogate halves pair up in the QString
                break;
            }
            default:
                return -1;
            }
        }
        return -1;
    }

    // pos at the first byte of a value; returns one past it, or -1.
    qsizetype value(qsizetype pos, int depth = 0) const
    {
        if (pos >= m_data.size() || depth > 512)
            return -1;
        const char c = m_data.at(pos);
        if (c == '"')
            return string(pos, nullptr);
        if (c == '{') {
            ObjectSpan span;
            return object(pos, &span, depth + 1) ? span.close + 1 : -1;
        }
        if (c == '[') {
            pos = skipWs(pos + 1);
            if (pos < m_data.size() && m_data.at(pos) == ']')
                return pos + 1;
            while (pos < m_data.size()) {
                pos = value(pos, depth + 1);
                if (pos < 0)
                    return -1;
                pos = skipWs(pos);
                if (pos >= m_data.size())
                    return -1;
                if (m_data.at(pos) == ']')
                    return pos + 1;
                if (m_data.at(pos) != ',')
                    return -1;
                pos = skipWs(pos + 1);
            }
            return -1;
        }
        // number, true, false, null
        const qsizetype start = pos;
        while (pos < m_data.size()) {
            const char d = m_data.at(pos);
            if (d == ',' || d == '}' || d == ']' || d == ' ' || d == '\t' || d == '\n' || d == '\r')
                break;
            ++pos;
        }
        return pos > start ? pos : -1;
    }

    // pos at '{'.
    bool object(qsizetype pos, ObjectSpan* span, int depth = 0) const
    {
        if (pos >= m_data.size() || m_data.at(pos) != '{')
            return false;
        span->open = pos;
        span->members.clear();
        pos = skipWs(pos + 1);
        if (pos < m_data.size() && m_data.at(pos) == '}') {
            span->close = pos;
            return true;
        }
        while (pos < m_data.size()) {
            Member m;
            m.keyStart = pos;
            pos = string(pos, &m.key);
            if (pos < 0)
                return false;
            pos = skipWs(pos);
            if (pos >= m_data.size() || m_data.at(pos) != ':')
                return false;
            m.valueStart = skipWs(pos + 1);
            m.valueEnd = value(m.valueStart, depth);
            if (m.valueEnd < 0)
                return false;
            span->members.append(m);
            pos = skipWs(m.valueEnd);
            if (pos >= m_data.size())
                return false;
            if (m_data.at(pos) == '}') {
                span->close = pos;
                return true;
            }
            if (m_data.at(pos) != ',')
                return false;
            pos = skipWs(pos + 1);
        }
        return false;
    }

private:
    const QByteArray& m_data;
};

QByteArray jsonString(const QString& value)
{
    const QByteArray array = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2); // strip [ ]
}

// The whitespace at the start of the line that holds `pos` (up to `pos`), or nullopt when `pos` is not the first
// non-blank byte of its line.
std::optional<QByteArray> lineIndent(const QByteArray& data, qsizetype pos)
{
    qsizetype start = pos;
    while (start > 0 && (data.at(start - 1) == ' ' || data.at(start - 1) == '\t'))
        --start;
    if (start > 0 && data.at(start - 1) != '\n' && data.at(start - 1) != '\r')
        return std::nullopt;
    return data.mid(start, pos - start);
}

// Validates `json` as a JSON document with an object at the top; the scanner's view of it.
bool parseTop(const QByteArray& json, qsizetype* bomSkip, ObjectSpan* top, QString* error)
{
    *bomSkip = json.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.mid(*bomSkip), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = tr("it is not valid JSON (%1 at offset %2)")
                         .arg(parseError.errorString())
                         .arg(parseError.offset + *bomSkip);
        return false;
    }
    if (!doc.isObject()) {
        if (error)
            *error = tr("its top level is not a JSON object");
        return false;
    }
    Scanner scanner(json);
    const qsizetype start = scanner.skipWs(*bomSkip);
    if (!scanner.object(start, top)) {
        if (error)
            *error = tr("its JSON could not be scanned");
        return false;
    }
    return true;
}

// One edit: sets (value non-empty) or removes (value empty) `key` in the top-level "env" object.
bool editOne(QByteArray& data, const QString& key, const QString& value, QString* error)
{
    qsizetype bomSkip = 0;
    ObjectSpan top;
    if (!parseTop(data, &bomSkip, &top, error))
        return false;
    const QByteArray newline = data.contains("\r\n") ? QByteArray("\r\n") : QByteArray("\n");
    const QByteArray entry = jsonString(key) + ": " + jsonString(value);

    const Member* env = nullptr;
    for (const Member& m : std::as_const(top.members)) {
        if (m.key == QLatin1String("env"))
            env = &m; // the last one wins, as in JSON.parse
    }

    if (!env) {
        if (value.isEmpty())
            return true;
        if (top.members.isEmpty()) {
            const QByteArray text
                = "{" + newline + "  \"env\": {" + newline + "    " + entry + newline + "  }" + newline + "}";
            data.replace(top.open, top.close + 1 - top.open, text);
            return true;
        }
        const Member& last = top.members.constLast();
        const std::optional<QByteArray> indent = lineIndent(data, last.keyStart);
        QByteArray text;
        if (indent) {
            const QByteArray unit = indent->isEmpty() ? QByteArray("  ") : *indent;
            text = "," + newline + *indent + "\"env\": {" + newline + *indent + unit + entry + newline + *indent + "}";
        } else {
            text = ", \"env\": {" + entry + "}";
        }
        data.insert(last.valueEnd, text);
        return true;
    }

    if (data.at(env->valueStart) != '{') {
        if (error)
            *error = tr("its \"env\" is not a JSON object");
        return false;
    }
    Scanner scanner(data);
    ObjectSpan envSpan;
    if (!scanner.object(env->valueStart, &envSpan)) {
        if (error)
            *error = tr("its JSON could not be scanned");
        return false;
    }

    // Existing occurrences, last first so that earlier offsets stay valid.
    QList<int> found;
    for (int i = 0; i < envSpan.members.size(); ++i) {
        if (envSpan.members.at(i).key == key)
            found.prepend(i);
    }
    if (!found.isEmpty()) {
        if (!value.isEmpty()) {
            for (int i : std::as_const(found)) {
                const Member& m = envSpan.members.at(i);
                data.replace(m.valueStart, m.valueEnd - m.valueStart, jsonString(value));
            }
            return true;
        }
        for (int i : std::as_const(found)) {
            const Member& m = envSpan.members.at(i);
            if (envSpan.members.size() == 1) {
                data.remove(envSpan.open + 1, envSpan.close - envSpan.open - 1);
            } else if (i > 0) {
                const Member& previous = envSpan.members.at(i - 1);
                data.remove(previous.valueEnd, m.valueEnd - previous.valueEnd);
            } else {
                const Member& next = envSpan.members.at(i + 1);
                data.remove(m.keyStart, next.keyStart - m.keyStart);
            }
            // Re-scan for the next occurrence (offsets moved).
            return editOne(data, key, value, error);
        }
        return true;
    }
    if (value.isEmpty())
        return true;

    if (envSpan.members.isEmpty()) {
        const std::optional<QByteArray> envIndent = lineIndent(data, env->keyStart);
        QByteArray text;
        if (envIndent) {
            const QByteArray unit = envIndent->isEmpty() ? QByteArray("  ") : *envIndent;
            text = newline + *envIndent + unit + entry + newline + *envIndent;
        } else {
            text = entry;
        }
        data.replace(envSpan.open + 1, envSpan.close - envSpan.open - 1, text);
        return true;
    }
    const Member& last = envSpan.members.constLast();
    // Copy the separator that precedes the last member (", \n    " style) for the new one.
    QByteArray separator;
    if (envSpan.members.size() >= 2) {
        const Member& previous = envSpan.members.at(envSpan.members.size() - 2);
        separator = data.mid(previous.valueEnd, last.keyStart - previous.valueEnd);
    } else {
        separator = "," + data.mid(envSpan.open + 1, last.keyStart - envSpan.open - 1);
    }
    if (!separator.startsWith(','))
        separator = ", ";
    data.insert(last.valueEnd, separator + entry);
    return true;
}

bool writeAtomically(const QString& path, const QByteArray& data, QFileDevice::Permissions permissions, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    if (permissions)
        file.setPermissions(permissions);
    if (file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        file.cancelWriting();
        return false;
    }
    return true;
}

struct Snapshot
{
    QString path; // the backup or marker file
    bool created = false; // a marker: there was no file before that apply
    QString stamp; // yyyyMMdd-HHmmss
    int counter = 0;
};

QList<Snapshot> snapshots(const QString& path)
{
    const QFileInfo info(path);
    const QDir dir = info.absoluteDir();
    static const QRegularExpression pattern(QStringLiteral("^(\\d{8}-\\d{6})(?:-(\\d+))?$"));
    QList<Snapshot> result;
    const QStringList names = dir.entryList({info.fileName() + QStringLiteral(".switchyard-*")}, QDir::Files);
    for (const QString& name : names) {
        const QString rest = name.mid(info.fileName().size());
        Snapshot s;
        QString stampPart;
        if (rest.startsWith(BackupInfix)) {
            stampPart = rest.mid(BackupInfix.size());
        } else if (rest.startsWith(CreatedInfix)) {
            stampPart = rest.mid(CreatedInfix.size());
            s.created = true;
        } else {
            continue;
        }
        const QRegularExpressionMatch match = pattern.match(stampPart);
        if (!match.hasMatch())
            continue;
        s.path = dir.filePath(name);
        s.stamp = match.captured(1);
        s.counter = match.captured(2).toInt();
        result.append(s);
    }
    std::sort(result.begin(), result.end(), [](const Snapshot& a, const Snapshot& b) {
        return a.stamp != b.stamp ? a.stamp < b.stamp : a.counter < b.counter;
    });
    return result;
}

// A fresh snapshot name: <path><infix><stamp>[-N] that does not exist yet and sorts after every existing one.
QString newSnapshotPath(const QString& path, QLatin1String infix)
{
    QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    int counter = 0;
    const QList<Snapshot> existing = snapshots(path);
    if (!existing.isEmpty()) {
        const Snapshot& newest = existing.constLast();
        if (newest.stamp > stamp)
            stamp = newest.stamp; // the clock went back: keep the order
        if (newest.stamp == stamp)
            counter = newest.counter + 1;
    }
    return counter ? QString(path + infix + stamp + QLatin1Char('-') + QString::number(counter))
                   : QString(path + infix + stamp);
}

bool isOwned(const QString& key)
{
    return ClaudeSettingsFile::ownedKeys().contains(key);
}

} // namespace

// ---- ClientSetupOptions / ClientSetup

ClientSetupOptions ClientSetupOptions::fromConfig(const Config& config, quint16 runningPort)
{
    ClientSetupOptions o;
    o.port = runningPort ? runningPort : config.server.listenPort;
    const QHostAddress address = config.server.listenAddress;
    if (address.isLoopback() || address == QHostAddress::Any || address == QHostAddress::AnyIPv4 || address.isNull()) {
        o.host = address.protocol() == QAbstractSocket::IPv6Protocol && address.isLoopback()
            ? QStringLiteral("[::1]")
            : QStringLiteral("127.0.0.1");
    } else if (address == QHostAddress::AnyIPv6) {
        o.host = QStringLiteral("[::1]");
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        o.host = QLatin1Char('[') + address.toString() + QLatin1Char(']');
    } else {
        o.host = address.toString();
    }
    for (const GatewayKey& key : config.server.gatewayKeys) {
        if (!key.key.isEmpty()) {
            o.authToken = key.key;
            break;
        }
    }
    if (config.server.gatewayKeys.isEmpty()) {
        for (const ProviderConfig& provider : config.providers) {
            if (provider.kind == ProviderKind::Anthropic && provider.credentials.isEmpty()
                && provider.accountProvider.isEmpty())
                o.forwardsClientKey = true;
        }
    }
    return o;
}

namespace ClientSetup {

QString baseUrl(const ClientSetupOptions& options)
{
    return QStringLiteral("http://") + options.host + QLatin1Char(':') + QString::number(options.port);
}

QString token(const ClientSetupOptions& options)
{
    return options.authToken.isEmpty() ? QString::fromLatin1(PlaceholderToken) : options.authToken;
}

QList<QPair<QString, QString>> claudeCodeEnv(const ClientSetupOptions& options)
{
    QList<QPair<QString, QString>> env;
    env.append({QStringLiteral("ANTHROPIC_BASE_URL"), baseUrl(options)});
    if (!options.forwardsClientKey || !options.authToken.isEmpty())
        env.append({QStringLiteral("ANTHROPIC_AUTH_TOKEN"), token(options)});
    if (!options.opusModel.isEmpty())
        env.append({QStringLiteral("ANTHROPIC_DEFAULT_OPUS_MODEL"), options.opusModel});
    if (!options.sonnetModel.isEmpty())
        env.append({QStringLiteral("ANTHROPIC_DEFAULT_SONNET_MODEL"), options.sonnetModel});
    if (!options.haikuModel.isEmpty())
        env.append({QStringLiteral("ANTHROPIC_DEFAULT_HAIKU_MODEL"), options.haikuModel});
    return env;
}

QString shellQuote(const QString& value)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_./:@%+=,\\[\\]-]+$"));
    if (safe.match(value).hasMatch())
        return value;
    QString quoted = value;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString claudeCodeSnippet(const ClientSetupOptions& options)
{
    QString text;
    for (const auto& [name, value] : claudeCodeEnv(options))
        text += QStringLiteral("export ") + name + QLatin1Char('=') + shellQuote(value) + QLatin1Char('\n');
    text += QStringLiteral("claude\n");
    return text;
}

QString codexSnippet(const ClientSetupOptions& options)
{
    auto toml = [](const QString& s) { return QString::fromUtf8(jsonString(s)); }; // a TOML basic string
    QString text = QStringLiteral("# ~/.codex/config.toml\n");
    if (!options.codexModel.isEmpty())
        text += QStringLiteral("model = ") + toml(options.codexModel) + QLatin1Char('\n');
    text += QStringLiteral("model_provider = \"switchyard\"\n"
                           "\n"
                           "[model_providers.switchyard]\n"
                           "name = \"Switchyard\"\n"
                           "base_url = ")
        + toml(baseUrl(options) + QStringLiteral("/v1"))
        + QStringLiteral("\n"
                         "env_key = \"")
        + QLatin1String(CodexEnvKey)
        + QStringLiteral("\"\n"
                         "wire_api = \"responses\"\n"
                         "\n"
                         "# then run: export ")
        + QLatin1String(CodexEnvKey) + QLatin1Char('=') + shellQuote(token(options)) + QStringLiteral("; codex\n");
    return text;
}

QString geminiSnippet(const ClientSetupOptions& options)
{
    return QStringLiteral("export GOOGLE_GEMINI_BASE_URL=") + shellQuote(baseUrl(options))
        + QStringLiteral("\nexport GEMINI_API_KEY=") + shellQuote(token(options))
        + QStringLiteral("\ngemini\n"
                         "# with \"security\": {\"auth\": {\"selectedType\": \"gemini-api-key\"}} in "
                         "~/.gemini/settings.json\n");
}

} // namespace ClientSetup

// ---- ClaudeSettingsFile

QString ClaudeSettingsFile::defaultPath()
{
    return QDir::home().filePath(QStringLiteral(".claude/settings.json"));
}

QStringList ClaudeSettingsFile::ownedKeys()
{
    return {QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("ANTHROPIC_AUTH_TOKEN"),
        QStringLiteral("ANTHROPIC_DEFAULT_OPUS_MODEL"), QStringLiteral("ANTHROPIC_DEFAULT_SONNET_MODEL"),
        QStringLiteral("ANTHROPIC_DEFAULT_HAIKU_MODEL")};
}

bool ClaudeSettingsFile::mergeEnv(
    const QByteArray& json, const QList<QPair<QString, QString>>& env, QByteArray* out, QString* error)
{
    QByteArray data = json;
    for (const auto& [key, value] : env) {
        if (!editOne(data, key, value, error))
            return false;
    }
    // The result must still be a valid object document (a safety net for the scanner).
    qsizetype bomSkip = 0;
    ObjectSpan top;
    QString checkError;
    if (!parseTop(data, &bomSkip, &top, &checkError)) {
        if (error)
            *error = tr("the edited file would not be valid JSON: %1").arg(checkError);
        return false;
    }
    *out = data;
    return true;
}

bool ClaudeSettingsFile::apply(const QString& path, const QList<QPair<QString, QString>>& env, QString* error)
{
    for (const auto& entry : env) {
        if (!isOwned(entry.first)) {
            if (error)
                *error = tr("%1 is not a key Switchyard manages").arg(entry.first);
            return false;
        }
    }
    const QString shown = QDir::toNativeSeparators(path);
    QFile file(path);
    const bool existed = file.exists();
    QByteArray old;
    QFileDevice::Permissions permissions;
    if (existed) {
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = tr("cannot read %1: %2").arg(shown, file.errorString());
            return false;
        }
        old = file.readAll();
        file.close();
        permissions = file.permissions();
    } else if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        if (error)
            *error = tr("cannot create the folder of %1").arg(shown);
        return false;
    }

    QByteArray merged;
    QString mergeError;
    if (!mergeEnv(existed ? old : QByteArray("{}\n"), env, &merged, &mergeError)) {
        if (error)
            *error = tr("%1 was left unchanged: %2").arg(shown, mergeError);
        return false;
    }
    if (existed && merged == old)
        return true; // nothing to change, no backup needed

    // The backup (or, for a new file, the marker that says there was none) goes first.
    if (existed) {
        if (!writeAtomically(newSnapshotPath(path, BackupInfix), old, permissions, error))
            return false;
    } else if (!writeAtomically(newSnapshotPath(path, CreatedInfix), QByteArray(),
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner, error)) {
        return false;
    }
    return writeAtomically(path, merged,
        existed ? permissions
                : QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther,
        error);
}

bool ClaudeSettingsFile::canUndo(const QString& path)
{
    return !snapshots(path).isEmpty();
}

QStringList ClaudeSettingsFile::backups(const QString& path)
{
    QStringList result;
    for (const Snapshot& s : snapshots(path)) {
        if (!s.created)
            result.append(s.path);
    }
    return result;
}

bool ClaudeSettingsFile::undo(const QString& path, QString* error)
{
    const QList<Snapshot> all = snapshots(path);
    if (all.isEmpty()) {
        if (error)
            *error = tr("there is no Switchyard backup of %1").arg(QDir::toNativeSeparators(path));
        return false;
    }
    const Snapshot& newest = all.constLast();
    if (!newest.created) {
        QFile backup(newest.path);
        if (!backup.open(QIODevice::ReadOnly)) {
            if (error)
                *error = tr("cannot read %1: %2").arg(QDir::toNativeSeparators(newest.path), backup.errorString());
            return false;
        }
        const QByteArray data = backup.readAll();
        backup.close();
        const QFileDevice::Permissions permissions
            = QFile::exists(path) ? QFile::permissions(path) : QFile::permissions(newest.path);
        if (!writeAtomically(path, data, permissions, error))
            return false;
        QFile::remove(newest.path);
        return true;
    }

    // There was no file before that apply: take the owned keys out again, and the file when nothing else is left.
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = tr("cannot read %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
            return false;
        }
        const QByteArray old = file.readAll();
        file.close();
        QList<QPair<QString, QString>> removals;
        for (const QString& key : ownedKeys())
            removals.append({key, QString()});
        QByteArray edited;
        QString mergeError;
        if (!mergeEnv(old, removals, &edited, &mergeError)) {
            if (error)
                *error = tr("%1 was left unchanged: %2").arg(QDir::toNativeSeparators(path), mergeError);
            return false;
        }
        const QJsonObject rest = QJsonDocument::fromJson(edited).object();
        const bool onlyEmptyEnv = rest.size() == 1 && rest.value(QLatin1String("env")).isObject()
            && rest.value(QLatin1String("env")).toObject().isEmpty();
        if (rest.isEmpty() || onlyEmptyEnv) {
            if (!file.remove()) {
                if (error)
                    *error = tr("cannot remove %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
                return false;
            }
        } else if (edited != old && !writeAtomically(path, edited, file.permissions(), error)) {
            return false;
        }
    }
    QFile::remove(newest.path);
    return true;
}

} // namespace sy
