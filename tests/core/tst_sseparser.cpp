#include "protocol/sse/sseparser.h"

#include <QTest>

using namespace sy;

class TestSseParser : public QObject
{
    Q_OBJECT

    static QList<SseEvent> parseInPieces(const QByteArray& in, int piece, bool keepRaw = false)
    {
        SseParser p;
        p.setKeepRaw(keepRaw);
        QList<SseEvent> out;
        for (qsizetype i = 0; i < in.size(); i += piece)
            p.feed(QByteArrayView(in).sliced(i, qMin<qsizetype>(piece, in.size() - i)), out);
        p.finish(out);
        return out;
    }

private Q_SLOTS:
    void framing_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArrayList>("events");
        QTest::addColumn<QByteArrayList>("data");
        QTest::addRow("lf") << QByteArray("event: a\ndata: {\"x\":1}\n\ndata: 2\n\n") << QByteArrayList {"a", ""}
                            << QByteArrayList {"{\"x\":1}", "2"};
        QTest::addRow("crlf") << QByteArray("data: 1\r\n\r\ndata: 2\r\n\r\n") << QByteArrayList {"", ""}
                              << QByteArrayList {"1", "2"};
        QTest::addRow("cr") << QByteArray("data: 1\r\rdata: 2\r\r") << QByteArrayList {"", ""}
                            << QByteArrayList {"1", "2"};
        QTest::addRow("no space") << QByteArray("data:{}\n\n") << QByteArrayList {""} << QByteArrayList {"{}"};
        QTest::addRow("multi-line data") << QByteArray("data: a\ndata: b\n\n") << QByteArrayList {""}
                                         << QByteArrayList {"a\nb"};
        QTest::addRow("comments") << QByteArray(": OPENROUTER PROCESSING\n\ndata: x\n: mid\n\n") << QByteArrayList {""}
                                  << QByteArrayList {"x"};
        QTest::addRow("utf8 split") << QByteArray("data: \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n\n")
                                    << QByteArrayList {""} << QByteArrayList {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"};
        QTest::addRow("unterminated last")
            << QByteArray("data: 1\n\ndata: 2") << QByteArrayList {"", ""} << QByteArrayList {"1", "2"};
        QTest::addRow("event without data")
            << QByteArray("event: ping\n\ndata: 1\n\n") << QByteArrayList {""} << QByteArrayList {"1"};
    }
    void framing()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArrayList, events);
        QFETCH(QByteArrayList, data);
        for (int piece : {1, 2, 3, 5, 1000}) {
            const QList<SseEvent> out = parseInPieces(input, piece);
            QCOMPARE(out.size(), data.size());
            for (int i = 0; i < out.size(); ++i) {
                QCOMPARE(out.at(i).event, events.at(i));
                QCOMPARE(out.at(i).data, data.at(i));
            }
        }
    }

    void rawBytesAreExact()
    {
        const QByteArray in = "event: a\ndata: 1\n\n: keepalive\n\nevent: b\r\ndata: 2\r\n\r\n";
        for (int piece : {1, 4, 100}) {
            const QList<SseEvent> out = parseInPieces(in, piece, true);
            QCOMPARE(out.size(), 2);
            QCOMPARE(out.at(0).raw, QByteArray("event: a\ndata: 1\n\n"));
            QCOMPARE(out.at(1).raw, QByteArray("event: b\r\ndata: 2\r\n\r\n"));
        }
    }

    void truncationIsReported()
    {
        SseParser p;
        QList<SseEvent> out;
        p.feed("data: {\"a\":", out);
        QVERIFY(out.isEmpty());
        QVERIFY(p.finish(out));
        SseParser q;
        q.feed("data: 1\n\n", out);
        QVERIFY(!q.finish(out));
    }

    void largeStreamIsLinear()
    {
        QByteArray in;
        for (int i = 0; i < 20000; ++i)
            in += "data: {\"choices\":[{\"delta\":{\"content\":\"w" + QByteArray::number(i) + " \"}}]}\n\n";
        SseParser p;
        QList<SseEvent> out;
        for (qsizetype i = 0; i < in.size(); i += 7)
            p.feed(QByteArrayView(in).sliced(i, qMin<qsizetype>(7, in.size() - i)), out);
        QCOMPARE(out.size(), 20000);
    }
};

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
