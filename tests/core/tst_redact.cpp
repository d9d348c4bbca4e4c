// Log redaction: registered secrets and credential-shaped text never reach a log line.

#include "common/redact.h"

#include <QLoggingCategory>
#include <QTest>

using namespace sy;

namespace {

QStringList g_captured;
Q_LOGGING_CATEGORY(lcTest, "switchyard.test")

void capture(QtMsgType, const QMessageLogContext&, const QString& message)
{
    g_captured.append(message);
}

} // namespace

class TestRedact : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void credentialShapesAreScrubbed_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("kept");
        QTest::newRow("bearer") << QStringLiteral("upstream said 401 for Authorization: Bearer abcDEF123456789xyz")
                                << QStringLiteral("abcDEF123456789xyz") << QStringLiteral("Bearer ");
        QTest::newRow("x-api-key header") << QStringLiteral("headers: x-api-key: qwerty-123456-zxcv, accept: */*")
                                          << QStringLiteral("qwerty-123456-zxcv") << QStringLiteral("accept: */*");
        // Key shapes are put together at run time from obvious filler, so that no key-like literal is in the source.
        const QString openAiKey = QStringLiteral("sk-") + QStringLiteral("proj-") + QStringLiteral("FAKE").repeated(4);
        QTest::newRow("openai key in an echo")
            << QStringLiteral("{\"error\":{\"message\":\"Incorrect API key provided: %1.\"}}").arg(openAiKey)
            << openAiKey.mid(3) << QStringLiteral("Incorrect API key provided: sk-");
        const QString googleKey = QStringLiteral("AI") + QStringLiteral("za") + QStringLiteral("NOTAKEY").repeated(5);
        QTest::newRow("google key in a url")
            << QStringLiteral("GET https://generativelanguage.googleapis.com/v1beta/models?key=") + googleKey
            << googleKey << QStringLiteral("v1beta/models?key=");
        QTest::newRow("json token fields")
            << QStringLiteral("{\"access_token\":\"opaque-access-7777\",\"refresh_token\":\"rt-opaque-8888\"}")
            << QStringLiteral("opaque-access-7777") << QStringLiteral("\"access_token\":\"");
        const auto part = [](const char* json) {
            return QString::fromLatin1(
                QByteArray(json).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        };
        const QString claims = part("{\"sub\":\"test-user\"}");
        const QString jwt = part("{\"alg\":\"none\"}") + QLatin1Char('.') + claims + QStringLiteral(".c2lnbmF0dXJl");
        QTest::newRow("jwt") << QStringLiteral("id token ") + jwt << claims << QStringLiteral("id token eyJ");
    }

    void credentialShapesAreScrubbed()
    {
        QFETCH(QString, line);
        QFETCH(QString, secret);
        QFETCH(QString, kept);
        const QString clean = scrubSecrets(line);
        QVERIFY2(!clean.contains(secret), qPrintable(clean));
        QVERIFY2(clean.contains(kept), qPrintable(clean));
        QVERIFY2(clean.contains(QStringLiteral("chars)")), qPrintable(clean));
        QCOMPARE(scrubSecrets(clean), clean); // markers are left alone
    }

    void ordinaryLinesAreUntouched()
    {
        const QString line = QStringLiteral("3f1c POST /v1/messages claude-sonnet-4-5 -> ds/deepseek-chat 200  812 ms "
                                            "input_tokens=1200 max_tokens: 4096");
        QCOMPARE(scrubSecrets(line), line);
    }

    void registeredSecretsAreScrubbedAnywhere()
    {
        const QString secret = QStringLiteral("plain0ld-pa55word-without-a-shape");
        QVERIFY(scrubSecrets(QStringLiteral("x ") + secret).contains(secret));
        registerSecret(secret);
        registerSecret(QStringLiteral("short")); // too short to register
        const QString clean = scrubSecrets(QStringLiteral("value was '") + secret + QStringLiteral("' and short"));
        QVERIFY2(!clean.contains(secret), qPrintable(clean));
        QVERIFY(clean.contains(QStringLiteral("and short")));
    }

    // The installed handler scrubs every message before the previous handler (stderr, a file, a test) sees it.
    void installedHandlerScrubsEveryLine()
    {
        const QtMessageHandler before = qInstallMessageHandler(&capture);
        installLogRedaction();
        installLogRedaction(); // idempotent: one pass, no loop
        const QString token = QStringLiteral("registered-oauth-token-0042");
        registerSecret(token);
        qCWarning(lcTest).noquote() << "refresh failed for" << token << "with Authorization: Bearer zzzz999988887777";
        qInstallMessageHandler(before);
        QCOMPARE(g_captured.size(), 1);
        QVERIFY2(!g_captured.at(0).contains(token), qPrintable(g_captured.at(0)));
        QVERIFY2(!g_captured.at(0).contains(QStringLiteral("zzzz999988887777")), qPrintable(g_captured.at(0)));
        QVERIFY(g_captured.at(0).contains(QStringLiteral("refresh failed for")));
    }
};

QTEST_GUILESS_MAIN(TestRedact)
#include "tst_redact.moc"
