// sy::json::parse and sy::compactJson against Qt's own JSON reader and writer: every upstream fixture (whole bodies
// and every SSE data line), edge cases, mutated inputs, and serializer output byte for byte.

#include "common/fastjson.h"
#include "common/jsonwriter.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using namespace sy;

namespace {

QString fixtureRoot()
{
    return QStringLiteral(SWITCHYARD_SHARED_DIR "/fixtures/upstream");
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Every JSON text of the fixtures: whole .json bodies, every line of .chunks.txt, every SSE data payload.
QList<QPair<QString, QByteArray>> fixtureTexts()
{
    QList<QPair<QString, QByteArray>> out;
    QDirIterator it(fixtureRoot(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString name = QDir(fixtureRoot()).relativeFilePath(path);
        const QByteArray bytes = readFile(path);
        if (path.endsWith(QLatin1String(".json"))) {
            out.append({name, bytes});
        } else if (path.endsWith(QLatin1String(".chunks.txt")) || path.endsWith(QLatin1String(".sse"))) {
            int line = 0;
            for (QByteArray l : bytes.split('\n')) {
                ++line;
                if (l.endsWith('\r'))
                    l.chop(1);
                if (l.startsWith("data:"))
                    l = l.mid(5);
                else if (path.endsWith(QLatin1String(".sse")))
                    continue;
                if (l.trimmed().isEmpty())
                    continue;
                out.append({name + QLatin1Char(':') + QString::number(line), l});
            }
        }
    }
    return out;
}

// Every accessor of a TapeValue answers what the same accessor of the QJsonValue Qt builds answers.
void compareTapeValue(const json::TapeValue& t, const QJsonValue& q)
{
    QCOMPARE(t.isUndefined(), q.isUndefined());
    QCOMPARE(t.isNull(), q.isNull());
    QCOMPARE(t.isBool(), q.isBool());
    QCOMPARE(t.isDouble(), q.isDouble());
    QCOMPARE(t.isString(), q.isString());
    QCOMPARE(t.isArray(), q.isArray());
    QCOMPARE(t.isObject(), q.isObject());
    QCOMPARE(t.toBool(), q.toBool());
    QCOMPARE(t.toBool(true), q.toBool(true));
    QCOMPARE(t.toInt(), q.toInt());
    QCOMPARE(t.toInt(-7), q.toInt(-7));
    if (!std::isnan(q.toDouble()))
        QCOMPARE(t.toDouble(), q.toDouble());
    QCOMPARE(t.toString(), q.toString());
    QCOMPARE(t.toJsonValue(), q);
    QCOMPARE(t.toJsonObject(), q.toObject());
    if (q.isString() && q.toString().size() < 40 && QtPrivate::isAscii(q.toString())) {
        const QByteArray latin1 = q.toString().toLatin1();
        QVERIFY2(t.equals(QLatin1StringView(latin1.constData(), latin1.size())), latin1.toHex().constData());
    }
    QVERIFY(!t.equals(QLatin1StringView("\x01no such string")));
    QVERIFY(t.value(QLatin1StringView("\x01no such key")).isUndefined());
    if (q.isObject()) {
        const QJsonObject o = q.toObject();
        QVERIFY(t.size() >= o.size());
        QCOMPARE(t.isEmpty(), o.isEmpty());
        QVERIFY(t.begin() == t.end());
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!QtPrivate::isAscii(it.key()))
                continue; // value() takes Latin-1 keys
            const QByteArray key = it.key().toLatin1();
            const QLatin1StringView k(key.constData(), key.size()); // keys may hold NUL
            QVERIFY(t.contains(k));
            compareTapeValue(t.value(k), it.value());
        }
    } else if (q.isArray()) {
        const QJsonArray a = q.toArray();
        QCOMPARE(t.size(), a.size());
        QCOMPARE(t.isEmpty(), a.isEmpty());
        qsizetype i = 0;
        for (const json::TapeValue& e : t) {
            QVERIFY(i < a.size());
            compareTapeValue(e, a.at(i++));
        }
        QCOMPARE(i, a.size());
    } else {
        QCOMPARE(t.size(), 0);
        QVERIFY(t.begin() == t.end());
    }
}

// Parses with both readers and checks they agree: same success, same error, equal documents with identical output.
void compareWithQt(const QByteArray& json)
{
    QJsonParseError qtError;
    const QJsonDocument expected = QJsonDocument::fromJson(json, &qtError);
    QJsonParseError error;
    error.error = QJsonParseError::UnterminatedObject; // must be overwritten
    const QJsonDocument viaParse = json::parse(json, &error);
    QCOMPARE(error.error, qtError.error);
    QCOMPARE(error.offset, qtError.offset);
    QCOMPARE(viaParse, expected);
    // the scanner route, whatever the size
    error.error = QJsonParseError::UnterminatedObject;
    const QJsonDocument actual = json::parseLarge(json, &error);
    QCOMPARE(error.error, qtError.error);
    QCOMPARE(error.offset, qtError.offset);
    QCOMPARE(actual.isNull(), expected.isNull());
    QCOMPARE(actual, expected);
    QCOMPARE(actual.isObject(), expected.isObject());
    QCOMPARE(json::isObject(json), expected.isObject());
    bool ok = false;
    QCOMPARE(json::parseObject(json, &ok), expected.object());
    QCOMPARE(ok, expected.isObject());
    // the tape reader: takes what Qt takes (but lone surrogate escapes) and reads the same values
    json::TapeDocument tape;
    const bool tapeOk = tape.parse(json);
    if (expected.isNull())
        QVERIFY(!tapeOk);
    else if (!tapeOk)
        QVERIFY(json.contains("\\u") || json.contains("\xef\xbb\xbf"));
    if (tapeOk) {
        compareTapeValue(
            tape.root(), expected.isObject() ? QJsonValue(expected.object()) : QJsonValue(expected.array()));
        if (QTest::currentTestFailed())
            return;
    }
    if (!expected.isNull()) {
        // Same values AND same types (integer vs double): the writer's output tells them apart.
        const QByteArray qtOut = expected.toJson(QJsonDocument::Compact);
        QCOMPARE(actual.toJson(QJsonDocument::Compact), qtOut);
        QCOMPARE(actual.isObject() ? compactJson(actual.object()) : compactJson(actual.array()), qtOut);
    }
}

QString utf16(std::initializer_list<char16_t> units)
{
    QString s;
    for (char16_t u : units)
        s.append(QChar(u));
    return s;
}

} // namespace

class TestFastJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixtures()
    {
        if (!QDir(fixtureRoot()).exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        const auto texts = fixtureTexts();
        QVERIFY(texts.size() > 500);
        int objects = 0;
        for (const auto& [name, json] : texts) {
            compareWithQt(json);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("differs from Qt: ") + name));
            objects += json::isObject(json);
        }
        QVERIFY(objects > 500);
    }

    void benchBodies()
    {
        const QString dir = QDir::homePath() + QStringLiteral("/.cache/switchyard-bench/bodies");
        const QStringList files = QDir(dir).entryList({QStringLiteral("*.json")}, QDir::Files);
        if (files.isEmpty())
            QSKIP("no bench bodies");
        for (const QString& f : files) {
            compareWithQt(readFile(dir + QLatin1Char('/') + f));
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(f));
        }
    }

    void edgeCases_data()
    {
        QTest::addColumn<QByteArray>("json");
        const QList<QByteArray> cases {
            // structure
            "",
            " ",
            "{}",
            "[]",
            " \t\r\n{ } \n",
            "{",
            "[",
            "}",
            "]",
            "{]",
            "[}",
            "[1,]",
            "{\"a\":1,}",
            "[,1]",
            "{,}",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":}",
            "{a:1}",
            "{'a':1}",
            "{\"a\":1}{",
            "[1]x",
            "[1] ",
            "[1]\n\n",
            "[1]\x00",
            QByteArray("[1]\0", 4),
            "1",
            "\"s\"",
            "true",
            "null",
            "\xef\xbb\xbf[1]",
            "\xef\xbb\xbf",
            "\xef\xbb[1]",
            "[1\x0b]",
            "\x0c[1]",
            // literals
            "[true,false,null]",
            "[tru]",
            "[nul]",
            "[falsee]",
            "[truefalse]",
            "[TRUE]",
            "[nulL]",
            // numbers
            "[0]",
            "[-0]",
            "[-0.0]",
            "[0.0]",
            "[1.0]",
            "[1e2]",
            "[1E+2]",
            "[1e-2]",
            "[2.5E-3]",
            "[01]",
            "[00]",
            "[-01]",
            "[1.]",
            "[.5]",
            "[-.5]",
            "[+1]",
            "[-]",
            "[1e]",
            "[1e+]",
            "[1.e5]",
            "[.]",
            "[-e]",
            "[e5]",
            "[1e400]",
            "[-1e400]",
            "[1e-400]",
            "[4.9e-324]",
            "[2e-324]",
            "[1.7976931348623157e308]",
            "[1.7976931348623159e308]",
            "[9223372036854775807]",
            "[9223372036854775808]",
            "[-9223372036854775808]",
            "[-9223372036854775809]",
            "[18446744073709551615]",
            "[18446744073709551616]",
            "[123456789012345678901234567890]",
            "[9999999999999999999]",
            "[-9999999999999999999]",
            "[10000000000000000000]",
            "[9007199254740993]",
            "[9007199254740993.0]",
            "[1e15]",
            "[1e16]",
            "[1e19]",
            "[1.5]",
            "[0.1]",
            "[123.456]",
            "[1e-7]",
            "[100000000000000000000]",
            "[9223372036854775807.0]",
            "[-9223372036854775808.0]",
            "[0e0]",
            "[-0e-0]",
            "[1_000]",
            "[0x10]",
            "[Infinity]",
            "[NaN]",
            "[-Infinity]",
            "{\"a\":-}",
            "{\"t\":1.5,\"u\":-2}",
            // strings and escapes
            "[\"\"]",
            "[\"abc\"]",
            "[\"a\\\"b\\\\c\\/d\"]",
            "[\"\\b\\f\\n\\r\\t\"]",
            "[\"\\u0000\"]",
            "[\"\\u001f\"]",
            "[\"\\u00e9\\u00E9\"]",
            "[\"\\u20ac\"]",
            "[\"\\ud83d\\ude00\"]",
            "[\"\\uD834\\uDD1E\"]",
            "[\"\\ud800\"]",
            "[\"\\udc00x\"]",
            "[\"\\ud800\\u0041\"]",
            "[\"\\ude00\\ud83d\"]",
            "[\"\\ud800\\ud800\"]",
            "[\"\\x\"]",
            "[\"\\a\\'\"]",
            "[\"\\u12\"]",
            "[\"\\u12g4\"]",
            "[\"\\u\"]",
            "[\"\\\"]",
            "[\"\\",
            "[\"abc",
            "[\"abc\\\"]",
            "[\"\\\xc3\xa9\"]",
            "[\"\\\x7f\"]",
            "[\"a\tb\"]",
            "[\"x\x01y\"]",
            "[\"\x7f\"]",
            "[\"a\nb\"]",
            QByteArray("[\"a\0b\"]", 7),
            // UTF-8
            "[\"\xc3\xa9\"]",
            "[\"\xe2\x82\xac\"]",
            "[\"\xf0\x9f\x98\x80\"]",
            "[\"\xef\xbf\xbf\"]",
            "[\"\xef\xbb\xbf\"]",
            // a leading U+FEFF: dropped by the UTF-8 decoder when raw, kept when escaped (Qt decodes escaped strings
            // itself)
            "[\"\\ufeffx\"]",
            "[\"\\ufeff\"]",
            "{\"\\ufeffk\":1,\"k\":2}",
            "[\"\xef\xbb\xbfa\\n\"]",
            "[\"\\n\xef\xbb\xbf\"]",
            "[\"a\\ufeff\"]",
            "{\"\xef\xbb\xbfk\":1,\"k\":2}",
            "[\"\xff\"]",
            "[\"\xfe\"]",
            "[\"\x80\"]",
            "[\"\xc0\x80\"]",
            "[\"\xc1\xbf\"]",
            "[\"\xe0\x80\x80\"]",
            "[\"\xe0\x9f\xbf\"]",
            "[\"\xed\xa0\x80\"]",
            "[\"\xed\xbf\xbf\"]",
            "[\"\xf0\x80\x80\x80\"]",
            "[\"\xf4\x90\x80\x80\"]",
            "[\"\xf5\x80\x80\x80\"]",
            "[\"\xc3\"]",
            "[\"\xe2\x82\"]",
            "[\"\xf0\x9f\x98\"]",
            "[\"\xc3\xc3\"]",
            "[\"\xe2\x28\xa1\"]",
            "[\"\\n\xc3\xa9\\n\"]",
            "[\"\\n\xff\"]",
            "[\"\\n\xed\xa0\x80\"]",
            "[\"\\n\xf0\x9f\x98\x80\\u00e9\"]",
            "[\xc3\xa9]",
            "{\"\xc3\xa9\":1}",
            "{\"\xff\":1}",
            "[\"0123456789abcdef0123456789abcdef\xc3\xa9 and more text\"]",
            "[\"0123456789abcdef0123456789abcdef\\n\xc3\xa9 and more text\\u00e9\"]",
            "[\"0123456789abcdef0123456789abcdef\xff 0123456789abcdef\"]",
            "[\"0123456789abcdef0123456789abcdef\\n0123456789abcdef\xff\"]",
            // objects: keys, order, duplicates
            "{\"a\":1,\"a\":2}",
            "{\"b\":1,\"a\":2,\"b\":3}",
            "{\"a\":1,\"b\":2,\"a\":3,\"a\":4}",
            "{\"\":1}",
            "{\"\":1,\"\":2}",
            "{\"z\":1,\"y\":2,\"x\":3,\"w\":{\"b\":1,\"a\":[{\"d\":1,\"c\":2}]}}",
            "{\"\\u00e9\":1,\"e\":2,\"\xc3\xa9\":3}",
            "{\"\xef\xbd\x81\":1,\"\xf0\x9f\x98\x80\":2}",
            "{\"\\ud800\":1,\"\\ud7ff\":2,\"\\ue000\":3}",
            "{\"a\\nb\":1,\"a\":2}",
            "{\"type\":\"text\",\"type\":\"x\"}",
            "{\"1\":1,\"10\":2,\"9\":3,\"A\":4,\"a\":5,\"_\":6}",
            "{\"k\":[],\"j\":{},\"i\":[{}],\"h\":[[]]}",
            "{\"a\":{\"a\":{\"a\":{}}}}",
        };
        int i = 0;
        for (const QByteArray& c : cases)
            QTest::addRow("%d", i++) << c;
    }

    void edgeCases()
    {
        QFETCH(QByteArray, json);
        compareWithQt(json);
    }

    void nesting_data()
    {
        QTest::addColumn<int>("depth");
        QTest::addColumn<bool>("object");
        for (int d : {1, 2, 100, 512, 1000, 1023, 1024, 1025, 1026, 2000, 100000})
            for (bool o : {false, true})
                QTest::addRow("%d %s", d, o ? "objects" : "arrays") << d << o;
    }

    void nesting()
    {
        QFETCH(int, depth);
        QFETCH(bool, object);
        QByteArray json;
        if (object) {
            json = QByteArray("{\"a\":").repeated(depth - 1) + "{}" + QByteArray(depth - 1, '}');
        } else {
            json = QByteArray(depth, '[') + QByteArray(depth, ']');
        }
        compareWithQt(json);
        // unterminated: must fail without running out of stack
        compareWithQt(json.left(json.size() / 2));
    }

    // Truncations and single-byte corruptions of real documents: both readers must accept and reject the same inputs.
    void mutations()
    {
        QList<QByteArray> seeds {
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\\n\\u00e9 \xc3\xa9 \\ud83d\\ude00\"}],"
            "\"max_tokens\":-12.5e1,\"stream\":true,\"n\":null,\"t\":false}",
        };
        if (QDir(fixtureRoot()).exists()) {
            const auto texts = fixtureTexts();
            for (int i = 0; i < texts.size(); i += 37)
                seeds.append(texts.at(i).second.left(600));
        }
        QRandomGenerator rng(8);
        const char replacements[] = {'"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '-', '.', 'e', 'u', 'n', 't',
            'x', '\x01', '\x80', '\xc3', '\xff'};
        for (const QByteArray& seed : std::as_const(seeds)) {
            for (qsizetype cut = 0; cut <= seed.size(); cut += qMax<qsizetype>(1, seed.size() / 60)) {
                compareWithQt(seed.left(cut));
                if (QTest::currentTestFailed())
                    QFAIL(seed.left(cut).constData());
            }
            for (int k = 0; k < 150; ++k) {
                QByteArray m = seed;
                const qsizetype at = rng.bounded(qMax<qsizetype>(1, m.size()));
                m[at] = replacements[rng.bounded(int(sizeof(replacements)))];
                compareWithQt(m);
                if (QTest::currentTestFailed())
                    QFAIL(m.constData());
            }
        }
    }

    void serializeStrings()
    {
        QString all;
        for (char16_t u = 0; u < 0x100; ++u)
            all.append(QChar(u));
        const QList<QString> strings {
            QString(),
            QStringLiteral("plain"),
            all,
            utf16({0xd800}),
            utf16({0xdc00, 0x41}),
            utf16({0xd83d, 0xde00}),
            utf16({0xd83d}),
            utf16({0x41, 0xd83d}),
            utf16({0xd800, 0xd800, 0xdc00}),
            utf16({0x2028, 0x2029, 0xfeff, 0xfffe, 0xffff, 0x7ff, 0x800, 0x7f, 0x80}),
            QString::fromUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \"quoted\" back\\slash\n\ttab"),
        };
        for (const QString& s : strings) {
            QJsonObject o {{QStringLiteral("s"), s}, {s, 1}};
            QCOMPARE(compactJson(o), QJsonDocument(o).toJson(QJsonDocument::Compact));
            QJsonArray a {s, s};
            QCOMPARE(compactJson(a), QJsonDocument(a).toJson(QJsonDocument::Compact));
            const QByteArray single = QJsonDocument(QJsonArray {s}).toJson(QJsonDocument::Compact);
            QCOMPARE(compactJson(QJsonValue(s)), single.mid(1, single.size() - 2));
            // appendJsonString(QStringView) == appendJsonString(toUtf8())
            QByteArray viaView;
            appendJsonString(viaView, QStringView(s));
            QByteArray viaUtf8;
            appendJsonString(viaUtf8, QByteArrayView(s.toUtf8()));
            QCOMPARE(viaView, viaUtf8);
        }
    }

    void serializeNumbers()
    {
        const double inf = std::numeric_limits<double>::infinity();
        const QList<QJsonValue> values {0, 1, -1, qint64(1) << 62, std::numeric_limits<qint64>::max(),
            std::numeric_limits<qint64>::min(), 0.0, -0.0, 1.0, -1.0, 3.0, 0.5, 0.1, -0.1, 1e-7, 1e-6, 123.456, 1e15,
            1e16, 1e17, 1e20, 1e21, 1e300, -1e300, 4.9e-324, 4611686018427387904.0, 9007199254740992.0,
            9007199254740993.0, 9223372036854775808.0, 18446744073709551616.0, 36893488147419103232.0,
            1.8446744073709552e19, 123456789.125, 2.5e-3, inf, -inf, std::nan(""), true, false, QJsonValue::Null};
        QJsonArray all;
        for (const QJsonValue& v : values) {
            const QJsonArray a {v};
            const QByteArray expected = QJsonDocument(a).toJson(QJsonDocument::Compact);
            QCOMPARE(compactJson(a), expected);
            QCOMPARE(QByteArray('[' + compactJson(v) + ']'), expected);
            QJsonObject o {{QStringLiteral("n"), v}};
            QCOMPARE(compactJson(o), QJsonDocument(o).toJson(QJsonDocument::Compact));
            all.append(v);
        }
        QCOMPARE(compactJson(all), QJsonDocument(all).toJson(QJsonDocument::Compact));
    }

    void serializeStructures()
    {
        QJsonObject o;
        o.insert(QStringLiteral("zeta"), QJsonArray {1, QStringLiteral("two"), QJsonObject {}, QJsonArray {}});
        o.insert(
            QStringLiteral("alpha"), QJsonObject {{QStringLiteral("b"), true}, {QStringLiteral("a"), QJsonValue()}});
        o.insert(QStringLiteral("\xc3\xa9"), 1);
        o.insert(utf16({0xd83d, 0xde00}), 2);
        o.insert(utf16({0xff41}), 3);
        o.insert(QString(), QStringLiteral("empty key"));
        QCOMPARE(compactJson(o), QJsonDocument(o).toJson(QJsonDocument::Compact));
        QCOMPARE(compactJson(QJsonObject()), QByteArray("{}"));
        QCOMPARE(compactJson(QJsonArray()), QByteArray("[]"));
        QCOMPARE(compactJson(QJsonValue(o)), QJsonDocument(o).toJson(QJsonDocument::Compact));
        QByteArray appended = "x";
        appendCompactJson(appended, o);
        QCOMPARE(appended, QByteArray("x" + QJsonDocument(o).toJson(QJsonDocument::Compact)));
    }

    // Round trips of every fixture: compactJson(parse(x)) is byte-identical to Qt's, and parses back to the same.
    void roundTrips()
    {
        if (!QDir(fixtureRoot()).exists())
            QSKIP("shared fixtures not found (set SWITCHYARD_SHARED_DIR)");
        for (const auto& [name, json] : fixtureTexts()) {
            const QJsonDocument doc = json::parse(json);
            if (doc.isNull())
                continue;
            const QByteArray out = doc.isObject() ? compactJson(doc.object()) : compactJson(doc.array());
            QCOMPARE(out, doc.toJson(QJsonDocument::Compact));
            QCOMPARE(json::parse(out), doc);
        }
    }
};

QTEST_GUILESS_MAIN(TestFastJson)
#include "tst_fastjson.moc"
