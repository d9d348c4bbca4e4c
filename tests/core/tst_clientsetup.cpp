// Connect helpers: the client snippets, and the minimal, reversible edit of Claude Code's settings.json.

#include "config/config.h"
#include "connect/clientsetup.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace sy;

namespace {

using Env = QList<QPair<QString, QString>>;

const QByteArray SampleSettings = "{\n"
                                  "  \"$schema\": \"https://json.schemastore.org/claude-code-settings.json\",\n"
                                  "  \"permissions\": {\n"
                                  "    \"allow\": [\"Bash(npm run lint)\", \"Read(~/.zshrc)\"],\n"
                                  "    \"deny\":   []\n"
                                  "  },\n"
                                  "  \"env\": {\n"
                                  "    \"FOO\": \"bar\",\n"
                                  "    \"ANTHROPIC_BASE_URL\": \"https://old.example\",\n"
                                  "    \"DISABLE_TELEMETRY\": \"1\"\n"
                                  "  },\n"
                                  "  \"model\"  :  \"opus\",\n"
                                  "  \"nested\": {\"env\": {\"ANTHROPIC_BASE_URL\": \"keep me\"}},\n"
                                  "  \"unicode\": \"h\\u00e9llo \\\"q\\\" \\\\ \xe2\x9c\x93\"\n"
                                  "}\n";

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// The [start, end) span of the top-level "env" object's value, found by brace counting from the marker (the test
// documents have no braces inside the env strings).
QPair<qsizetype, qsizetype> envSpan(const QByteArray& doc)
{
    const qsizetype key = doc.indexOf("\"env\": {");
    if (key < 0)
        return {-1, -1};
    const qsizetype open = doc.indexOf('{', key);
    int depth = 0;
    for (qsizetype i = open; i < doc.size(); ++i) {
        if (doc.at(i) == '{')
            ++depth;
        else if (doc.at(i) == '}' && --depth == 0)
            return {open, i + 1};
    }
    return {-1, -1};
}

QJsonObject envOf(const QByteArray& doc)
{
    return QJsonDocument::fromJson(doc).object().value(QLatin1String("env")).toObject();
}

} // namespace

class TestClientSetup : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    QString path() const { return m_dir->filePath(QStringLiteral("claude/settings.json")); }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QVERIFY(QDir(m_dir->path()).mkpath(QStringLiteral("claude")));
    }

    void claudeSnippetHasTheExactLines()
    {
        ClientSetupOptions o;
        o.port = 4123;
        o.authToken = QStringLiteral("sy-gateway-key");
        o.opusModel = QStringLiteral("kimi-k2");
        o.sonnetModel = QStringLiteral("deepseek-chat");
        o.haikuModel = QStringLiteral("glm-4.5-air");
        const QStringList lines = ClientSetup::claudeCodeSnippet(o).split(QLatin1Char('\n'));
        QVERIFY(lines.contains(QStringLiteral("export ANTHROPIC_BASE_URL=http://127.0.0.1:4123")));
        QVERIFY(lines.contains(QStringLiteral("export ANTHROPIC_AUTH_TOKEN=sy-gateway-key")));
        QVERIFY(lines.contains(QStringLiteral("export ANTHROPIC_DEFAULT_OPUS_MODEL=kimi-k2")));
        QVERIFY(lines.contains(QStringLiteral("export ANTHROPIC_DEFAULT_SONNET_MODEL=deepseek-chat")));
        QVERIFY(lines.contains(QStringLiteral("export ANTHROPIC_DEFAULT_HAIKU_MODEL=glm-4.5-air")));

        // Without a gateway key: a placeholder; without model overrides: no such lines.
        ClientSetupOptions plain;
        plain.port = 3790;
        const QString text = ClientSetup::claudeCodeSnippet(plain);
        QVERIFY(text.contains(QStringLiteral("export ANTHROPIC_AUTH_TOKEN=")
            + QLatin1String(ClientSetup::PlaceholderToken) + QLatin1Char('\n')));
        QVERIFY(!text.contains(QLatin1String("DEFAULT_OPUS")));
        // Values that need it are quoted for the shell.
        o.authToken = QStringLiteral("a b'c");
        QVERIFY(ClientSetup::claudeCodeSnippet(o).contains(QStringLiteral("ANTHROPIC_AUTH_TOKEN='a b'\\''c'\n")));
    }

    void codexAndGeminiSnippets()
    {
        ClientSetupOptions o;
        o.port = 4123;
        const QStringList codex = ClientSetup::codexSnippet(o).split(QLatin1Char('\n'));
        QVERIFY(codex.contains(QStringLiteral("model_provider = \"switchyard\"")));
        QVERIFY(codex.contains(QStringLiteral("[model_providers.switchyard]")));
        QVERIFY(codex.contains(QStringLiteral("base_url = \"http://127.0.0.1:4123/v1\"")));
        QVERIFY(codex.contains(QStringLiteral("wire_api = \"responses\"")));
        QVERIFY(codex.contains(QStringLiteral("env_key = \"SWITCHYARD_KEY\"")));
        // Top-level keys come before the table (TOML).
        QVERIFY(codex.indexOf(QStringLiteral("model_provider = \"switchyard\""))
            < codex.indexOf(QStringLiteral("[model_providers.switchyard]")));

        const QStringList gemini = ClientSetup::geminiSnippet(o).split(QLatin1Char('\n'));
        QVERIFY(gemini.contains(QStringLiteral("export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4123")));
        QVERIFY(
            gemini.contains(QStringLiteral("export GEMINI_API_KEY=") + QLatin1String(ClientSetup::PlaceholderToken)));
    }

    void optionsFromConfig()
    {
        auto config = parseConfig("{\"server\":{\"listen\":\"127.0.0.1:4999\",\"gateway_keys\":[{\"id\":\"me\","
                                  "\"key\":\"sy-secret\"}]},\"providers\":[{\"id\":\"a\",\"kind\":\"anthropic\","
                                  "\"base_url\":\"https://api.anthropic.com\"}],\"routes\":[{\"match\":\"*\",\"to\":["
                                  "\"a/*\"]}]}",
            {});
        QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error()));
        ClientSetupOptions o = ClientSetupOptions::fromConfig(*config);
        QCOMPARE(o.port, quint16(4999));
        QCOMPARE(o.host, QStringLiteral("127.0.0.1"));
        QCOMPARE(o.authToken, QStringLiteral("sy-secret"));
        QCOMPARE(ClientSetupOptions::fromConfig(*config, 5001).port, quint16(5001));

        // No gateway key and a forwarding anthropic provider: Claude Code keeps its own login (no token line).
        config->server.gatewayKeys.clear();
        o = ClientSetupOptions::fromConfig(*config);
        QVERIFY(o.forwardsClientKey);
        QVERIFY(!ClientSetup::claudeCodeSnippet(o).contains(QLatin1String("ANTHROPIC_AUTH_TOKEN")));
        QVERIFY(ClientSetup::claudeCodeSnippet(o).contains(QLatin1String("ANTHROPIC_BASE_URL=http://127.0.0.1:4999")));
    }

    // Only the owned values change: every byte outside the env object is kept, other env keys too.
    void applyKeepsEverythingElse()
    {
        QVERIFY(writeAll(path(), SampleSettings));
        QFile::setPermissions(path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QString error;
        QVERIFY2(ClaudeSettingsFile::apply(path(),
                     {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://127.0.0.1:3790")},
                         {QStringLiteral("ANTHROPIC_AUTH_TOKEN"), QStringLiteral("sy-\"key\"")}},
                     &error),
            qPrintable(error));
        const QByteArray now = readAll(path());
        const auto before = envSpan(SampleSettings);
        const auto after = envSpan(now);
        QVERIFY(before.first > 0 && after.first > 0);
        QCOMPARE(now.left(after.first), SampleSettings.left(before.first));
        QCOMPARE(now.mid(after.second), SampleSettings.mid(before.second));

        const QJsonObject env = envOf(now);
        QCOMPARE(env.value(QLatin1String("ANTHROPIC_BASE_URL")).toString(), QStringLiteral("http://127.0.0.1:3790"));
        QCOMPARE(env.value(QLatin1String("ANTHROPIC_AUTH_TOKEN")).toString(), QStringLiteral("sy-\"key\""));
        QCOMPARE(env.value(QLatin1String("FOO")).toString(), QStringLiteral("bar"));
        QCOMPARE(env.value(QLatin1String("DISABLE_TELEMETRY")).toString(), QStringLiteral("1"));
        QCOMPARE(env.size(), 4);
        // The replaced key stays where it was; the new one follows the last member in the same style.
        QVERIFY(now.contains("    \"FOO\": \"bar\",\n    \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:3790\",\n"));
        QVERIFY(
            now.contains("    \"DISABLE_TELEMETRY\": \"1\",\n    \"ANTHROPIC_AUTH_TOKEN\": \"sy-\\\"key\\\"\"\n  }"));
        // The nested "env" is not the top-level one.
        QVERIFY(now.contains("\"nested\": {\"env\": {\"ANTHROPIC_BASE_URL\": \"keep me\"}}"));
        // The mode is kept.
        const QFileDevice::Permissions modeBits = QFileDevice::ReadOwner | QFileDevice::WriteOwner
            | QFileDevice::ExeOwner | QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther
            | QFileDevice::WriteOther;
        QCOMPARE(QFile::permissions(path()) & modeBits, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

        // The backup is the old file, byte for byte, and named with a timestamp.
        const QStringList backups = ClaudeSettingsFile::backups(path());
        QCOMPARE(backups.size(), 1);
        QVERIFY(
            QFileInfo(backups.first())
                .fileName()
                .contains(QRegularExpression(QStringLiteral("^settings\\.json\\.switchyard-backup-\\d{8}-\\d{6}$"))));
        QCOMPARE(readAll(backups.first()), SampleSettings);

        // Undo restores it exactly.
        QVERIFY(ClaudeSettingsFile::canUndo(path()));
        QVERIFY2(ClaudeSettingsFile::undo(path(), &error), qPrintable(error));
        QCOMPARE(readAll(path()), SampleSettings);
        QVERIFY(!ClaudeSettingsFile::canUndo(path()));
    }

    void applyTwiceUndoesInOrder()
    {
        QVERIFY(writeAll(path(), SampleSettings));
        QVERIFY(
            ClaudeSettingsFile::apply(path(), {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://a")}}));
        const QByteArray first = readAll(path());
        QVERIFY(
            ClaudeSettingsFile::apply(path(), {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://b")}}));
        QCOMPARE(ClaudeSettingsFile::backups(path()).size(), 2);
        // The same values again change nothing and write no backup.
        QVERIFY(
            ClaudeSettingsFile::apply(path(), {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://b")}}));
        QCOMPARE(ClaudeSettingsFile::backups(path()).size(), 2);
        QVERIFY(ClaudeSettingsFile::undo(path()));
        QCOMPARE(readAll(path()), first);
        QVERIFY(ClaudeSettingsFile::undo(path()));
        QCOMPARE(readAll(path()), SampleSettings);
    }

    void emptyValueRemovesTheKey()
    {
        QVERIFY(writeAll(path(), SampleSettings));
        QVERIFY(ClaudeSettingsFile::apply(path(), {{QStringLiteral("ANTHROPIC_BASE_URL"), QString()}}));
        const QByteArray now = readAll(path());
        QVERIFY(now.contains("    \"FOO\": \"bar\",\n    \"DISABLE_TELEMETRY\": \"1\"\n  },"));
        QVERIFY(!envOf(now).contains(QLatin1String("ANTHROPIC_BASE_URL")));
    }

    void addsEnvWhenMissing_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::addRow("pretty") << QByteArray("{\n  \"model\": \"opus\"\n}\n")
                                << QByteArray("{\n  \"model\": \"opus\",\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": "
                                              "\"http://x\"\n  }\n}\n");
        QTest::addRow("compact") << QByteArray("{\"model\":\"opus\"}")
                                 << QByteArray("{\"model\":\"opus\", \"env\": {\"ANTHROPIC_BASE_URL\": \"http://x\"}}");
        QTest::addRow("empty object") << QByteArray(
            "{}") << QByteArray("{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"http://x\"\n  }\n}");
        QTest::addRow("empty env") << QByteArray("{\n  \"env\": {}\n}")
                                   << QByteArray("{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"http://x\"\n  }\n}");
        QTest::addRow("crlf") << QByteArray("{\r\n  \"a\": 1\r\n}\r\n")
                              << QByteArray("{\r\n  \"a\": 1,\r\n  \"env\": {\r\n    \"ANTHROPIC_BASE_URL\": "
                                            "\"http://x\"\r\n  }\r\n}\r\n");
        QTest::addRow("one env key, compact") << QByteArray(
            "{\"env\":{\"A\":\"1\"}}") << QByteArray("{\"env\":{\"A\":\"1\",\"ANTHROPIC_BASE_URL\": \"http://x\"}}");
    }

    void addsEnvWhenMissing()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        QByteArray out;
        QString error;
        QVERIFY2(ClaudeSettingsFile::mergeEnv(
                     input, {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://x")}}, &out, &error),
            qPrintable(error));
        QCOMPARE(out, expected);
    }

    void refusesInvalidFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addRow("not json") << QByteArray("{\"env\": {\"A\": 1},}");
        QTest::addRow("comments") << QByteArray("{\n  // a comment\n  \"env\": {}\n}");
        QTest::addRow("array") << QByteArray("[1, 2]");
        QTest::addRow("env not an object") << QByteArray("{\"env\": \"x\"}");
        QTest::addRow("empty file") << QByteArray("");
    }

    void refusesInvalidFiles()
    {
        QFETCH(QByteArray, content);
        QVERIFY(writeAll(path(), content));
        QString error;
        QVERIFY(!ClaudeSettingsFile::apply(
            path(), {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://x")}}, &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(readAll(path()), content);
        QVERIFY(ClaudeSettingsFile::backups(path()).isEmpty());
        QVERIFY(!ClaudeSettingsFile::canUndo(path()));
    }

    // A settings.json that is a symlink (dotfile managers) stays a symlink; its target gets the edit.
    void keepsASymlink()
    {
        const QString target = m_dir->filePath(QStringLiteral("dotfiles-settings.json"));
        QVERIFY(writeAll(target, SampleSettings));
        QVERIFY(QFile::link(target, path()));
        QVERIFY(
            ClaudeSettingsFile::apply(path(), {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://x")}}));
        QVERIFY(QFileInfo(path()).isSymLink());
        QCOMPARE(
            envOf(readAll(target)).value(QLatin1String("ANTHROPIC_BASE_URL")).toString(), QStringLiteral("http://x"));
        QVERIFY(ClaudeSettingsFile::undo(path()));
        QVERIFY(QFileInfo(path()).isSymLink());
        QCOMPARE(readAll(target), SampleSettings);
    }

    void refusesKeysItDoesNotOwn()
    {
        QVERIFY(writeAll(path(), SampleSettings));
        QString error;
        QVERIFY(!ClaudeSettingsFile::apply(path(), {{QStringLiteral("FOO"), QStringLiteral("x")}}, &error));
        QCOMPARE(readAll(path()), SampleSettings);
    }

    void createsAMissingFileAndUndoRemovesIt()
    {
        const QString fresh = m_dir->filePath(QStringLiteral("new/.claude/settings.json"));
        QString error;
        QVERIFY2(ClaudeSettingsFile::apply(fresh,
                     {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://127.0.0.1:3790")},
                         {QStringLiteral("ANTHROPIC_AUTH_TOKEN"), QStringLiteral("k")}},
                     &error),
            qPrintable(error));
        const QJsonObject env = envOf(readAll(fresh));
        QCOMPARE(env.value(QLatin1String("ANTHROPIC_BASE_URL")).toString(), QStringLiteral("http://127.0.0.1:3790"));
        QCOMPARE(env.value(QLatin1String("ANTHROPIC_AUTH_TOKEN")).toString(), QStringLiteral("k"));
        QVERIFY(ClaudeSettingsFile::canUndo(fresh));
        QVERIFY2(ClaudeSettingsFile::undo(fresh, &error), qPrintable(error));
        QVERIFY(!QFile::exists(fresh));
        QVERIFY(!ClaudeSettingsFile::canUndo(fresh));

        // When the user added something meanwhile, undo only takes its keys out.
        QVERIFY(ClaudeSettingsFile::apply(fresh, {{QStringLiteral("ANTHROPIC_BASE_URL"), QStringLiteral("http://x")}}));
        QByteArray edited = readAll(fresh);
        edited.replace("\n}", ",\n  \"model\": \"opus\"\n}");
        QVERIFY(writeAll(fresh, edited));
        QVERIFY(ClaudeSettingsFile::undo(fresh));
        const QJsonObject rest = QJsonDocument::fromJson(readAll(fresh)).object();
        QCOMPARE(rest.value(QLatin1String("model")).toString(), QStringLiteral("opus"));
        QVERIFY(rest.value(QLatin1String("env")).toObject().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestClientSetup)
#include "tst_clientsetup.moc"
