// The request log window (live rows from a running gateway, filter, detail pane) and the connect dialog (copy
// buttons, apply/undo against a temporary settings.json), offscreen.

#include "fakeupstream.h"

#include "config/config.h"
#include "connect/clientsetup.h"
#include "connect/connectdialog.h"
#include "gateway/gatewayservice.h"
#include "requestlog/requestlogwindow.h"
#include "usage/usagelog.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace sy;

namespace {

QByteArray chatReply(int prompt, int completion)
{
    return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"deepseek-chat\",\"choices\":[{\"index\":0,"
           "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{"
           "\"prompt_tokens\":"
        + QByteArray::number(prompt) + ",\"completion_tokens\":" + QByteArray::number(completion) + "}}";
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestRequestLogWindow : public QObject
{
    Q_OBJECT

    std::unique_ptr<FakeUpstream> m_up;
    std::unique_ptr<GatewayService> m_gateway;
    std::unique_ptr<QTemporaryDir> m_dir;

    void start(bool withUsageLog = true)
    {
        const QByteArray cfg = "{\"providers\":[{\"id\":\"ds\",\"kind\":\"openai-chat\",\"base_url\":\""
            + m_up->baseUrl().toUtf8()
            + "/v1\",\"credentials\":[{\"api_key\":\"sk-upstream\"}]},"
              "{\"id\":\"unpriced\",\"kind\":\"openai-chat\",\"base_url\":\""
            + m_up->baseUrl().toUtf8()
            + "/v1\",\"credentials\":[{\"api_key\":\"sk-other\"}]}],"
              "\"routes\":[{\"match\":\"mystery-*\",\"to\":[\"unpriced/*\"]},{\"match\":\"*\",\"to\":[\"ds/"
              "deepseek-chat\"]}]}";
        auto config = parseConfig(cfg, {});
        QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error()));
        m_gateway = std::make_unique<GatewayService>();
        if (withUsageLog) {
            QString error;
            QVERIFY2(
                m_gateway->openUsageLog(m_dir->filePath(QStringLiteral("usage.sqlite")), &error), qPrintable(error));
        }
        m_gateway->setConfig(*config);
        m_gateway->setListenOverride(QHostAddress::LocalHost, 0);
        m_gateway->setKeepAliveInterval(0);
        QVERIFY(m_gateway->start());
    }

    int message(const QByteArray& model)
    {
        const QByteArray body
            = "{\"model\":\"" + model + "\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return sendHttp(
            m_gateway->port(), "POST /v1/messages", body, "User-Agent: claude-cli/2.0.1 (external, cli)\r\n")
            .status;
    }

    static QString cell(QTableView* table, int row, int column)
    {
        return table->model()->index(row, column).data().toString();
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_up = std::make_unique<FakeUpstream>();
        QVERIFY(m_up->listen());
    }

    void cleanup()
    {
        m_gateway.reset();
        m_up.reset();
    }

    void showsRequestsLiveFiltersAndDetails()
    {
        start();
        // One request before the window opens: it comes from the usage log.
        m_up->enqueue(FakeReply::json(200, chatReply(1200, 50)));
        QCOMPARE(message("claude-sonnet-4-5"), 200);

        RequestLogWindow window(m_gateway.get());
        window.show();
        auto* table = window.findChild<QTableView*>(QStringLiteral("requestTable"));
        auto* filter = window.findChild<QLineEdit*>(QStringLiteral("filterEdit"));
        auto* details = window.findChild<QTextBrowser*>(QStringLiteral("detailView"));
        QVERIFY(table && filter && details);
        QCOMPARE(table->model()->rowCount(), 1);
        QVERIFY(cell(table, 0, 2).contains(QStringLiteral("claude-sonnet-4-5 → ds/deepseek-chat")));

        // Live: an error from the upstream and an unpriced model, newest first.
        m_up->enqueue(FakeReply::json(429, "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}"));
        message("claude-haiku-4-5");
        m_up->enqueue(FakeReply::json(200, chatReply(10, 5)));
        QCOMPARE(message("mystery-model-9"), 200);
        QTRY_COMPARE(table->model()->rowCount(), 3);
        QVERIFY(cell(table, 0, 2).contains(QStringLiteral("mystery-model-9 → unpriced/mystery-model-9")));
        QCOMPARE(cell(table, 0, 6), QStringLiteral("n/a")); // unknown cost is never $0
        QVERIFY(cell(table, 1, 2).contains(QLatin1String("claude-haiku-4-5")));
        QVERIFY(cell(table, 1, 4).startsWith(QLatin1String("429")));
        QVERIFY(cell(table, 2, 6).startsWith(QLatin1Char('$')));
        QCOMPARE(cell(table, 2, 5), QStringLiteral("1,200 / 50"));
        QCOMPARE(cell(table, 2, 1), QStringLiteral("claude-code"));

        // The filter matches model, provider, status and error.
        QTest::keyClicks(filter, QStringLiteral("haiku"));
        QCOMPARE(table->model()->rowCount(), 1);
        filter->clear();
        QTest::keyClicks(filter, QStringLiteral("unpriced"));
        QCOMPARE(table->model()->rowCount(), 1);
        filter->clear();
        QTest::keyClicks(filter, QStringLiteral("429"));
        QCOMPARE(table->model()->rowCount(), 1);
        filter->clear();
        QTest::keyClicks(filter, QStringLiteral("no-such-thing"));
        QCOMPARE(table->model()->rowCount(), 0);
        filter->clear();
        QCOMPARE(table->model()->rowCount(), 3);

        // Selecting a row shows its attempts and its error.
        table->selectRow(1);
        QTRY_VERIFY(details->toPlainText().contains(QLatin1String("Attempts (1)")));
        const QString text = details->toPlainText();
        QVERIFY2(text.contains(QLatin1String("ds")) && text.contains(QLatin1String("deepseek-chat")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("429")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("rate_limit_error")), qPrintable(text));
        QVERIFY(!text.contains(QLatin1String("sk-upstream")));
        table->selectRow(0);
        QTRY_VERIFY(details->toPlainText().contains(QLatin1String("unpriced")));
        QVERIFY(details->toPlainText().contains(QLatin1String("n/a")));
    }

    void worksWithoutUsageLog()
    {
        start(false);
        RequestLogWindow window(m_gateway.get());
        auto* table = window.findChild<QTableView*>(QStringLiteral("requestTable"));
        QCOMPARE(table->model()->rowCount(), 0);
        m_up->enqueue(FakeReply::json(200, chatReply(10, 5)));
        QCOMPARE(message("claude-sonnet-4-5"), 200);
        QTRY_COMPARE(table->model()->rowCount(), 1);
    }

    void connectDialogCopiesAndAppliesAndUndoes()
    {
        start();
        ConnectDialog dialog(m_gateway.get());
        const QString settings = m_dir->filePath(QStringLiteral("home/.claude/settings.json"));
        QVERIFY(QDir().mkpath(QFileInfo(settings).absolutePath()));
        const QByteArray original = "{\n  \"model\": \"opus\",\n  \"env\": {\n    \"KEEP\": \"1\"\n  }\n}\n";
        {
            QFile f(settings);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(original);
        }
        dialog.setClaudeSettingsPath(settings);
        int asked = 0;
        bool answer = false;
        dialog.setConfirmHandler([&](const QString&) {
            ++asked;
            return answer;
        });
        dialog.show();

        const QString port = QString::number(m_gateway->port());
        auto* copyClaude = dialog.findChild<QPushButton*>(QStringLiteral("copyClaudeButton"));
        auto* copyCodex = dialog.findChild<QPushButton*>(QStringLiteral("copyCodexButton"));
        auto* copyGemini = dialog.findChild<QPushButton*>(QStringLiteral("copyGeminiButton"));
        auto* apply = dialog.findChild<QPushButton*>(QStringLiteral("applyClaudeButton"));
        auto* undo = dialog.findChild<QPushButton*>(QStringLiteral("undoClaudeButton"));
        QVERIFY(copyClaude && copyCodex && copyGemini && apply && undo);

        QTest::mouseClick(copyClaude, Qt::LeftButton);
        QVERIFY(QGuiApplication::clipboard()->text().contains(
            QStringLiteral("ANTHROPIC_BASE_URL=http://127.0.0.1:") + port + QLatin1Char('\n')));
        QCOMPARE(QGuiApplication::clipboard()->text(), ConnectDialog::claudeCodeSetupText(m_gateway.get()));
        QTest::mouseClick(copyCodex, Qt::LeftButton);
        QVERIFY(QGuiApplication::clipboard()->text().contains(
            QStringLiteral("base_url = \"http://127.0.0.1:") + port + QStringLiteral("/v1\"")));
        QVERIFY(QGuiApplication::clipboard()->text().contains(QLatin1String("wire_api = \"responses\"")));
        QTest::mouseClick(copyGemini, Qt::LeftButton);
        QVERIFY(QGuiApplication::clipboard()->text().contains(
            QStringLiteral("GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:") + port));

        // A model override shows up in the snippet.
        QTest::keyClicks(
            dialog.findChild<QLineEdit*>(QStringLiteral("sonnetModelEdit")), QStringLiteral("deepseek-chat"));
        QVERIFY(dialog.findChild<QPlainTextEdit*>(QStringLiteral("claudeSnippetEdit"))
                    ->toPlainText()
                    .contains(QLatin1String("ANTHROPIC_DEFAULT_SONNET_MODEL=deepseek-chat")));

        // Declining the confirmation writes nothing.
        QVERIFY(!undo->isEnabled());
        QTest::mouseClick(apply, Qt::LeftButton);
        QCOMPARE(asked, 1);
        QCOMPARE(readAll(settings), original);

        answer = true;
        QTest::mouseClick(apply, Qt::LeftButton);
        QCOMPARE(asked, 2);
        const QJsonObject doc = QJsonDocument::fromJson(readAll(settings)).object();
        const QJsonObject env = doc.value(QLatin1String("env")).toObject();
        QCOMPARE(env.value(QLatin1String("ANTHROPIC_BASE_URL")).toString(), QStringLiteral("http://127.0.0.1:") + port);
        QCOMPARE(
            env.value(QLatin1String("ANTHROPIC_DEFAULT_SONNET_MODEL")).toString(), QStringLiteral("deepseek-chat"));
        QCOMPARE(env.value(QLatin1String("KEEP")).toString(), QStringLiteral("1"));
        QCOMPARE(doc.value(QLatin1String("model")).toString(), QStringLiteral("opus"));
        QVERIFY(undo->isEnabled());

        QTest::mouseClick(undo, Qt::LeftButton);
        QCOMPARE(readAll(settings), original);
        QVERIFY(!undo->isEnabled());

        // An invalid file is refused and stays as it is; the error is shown.
        {
            QFile f(settings);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{ not json");
        }
        QTest::mouseClick(apply, Qt::LeftButton);
        QCOMPARE(readAll(settings), QByteArray("{ not json"));
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("claudeStatusLabel"))->text().contains(QLatin1String("JSON")));
    }
};

QTEST_MAIN(TestRequestLogWindow)
#include "tst_requestlogwindow.moc"
