#include "gateway/requestrecord.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "protocol/gemini/geminiresponse.h"
#include "protocol/openai-chat/openaichatresponse.h"
#include "protocol/openai-responses/responsesresponse.h"
#include "usage/pricing.h"
#include "usage/usagelog.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace sy;

namespace {

// JSON written with single quotes (no raw string literals in a file with Q_OBJECT).
QByteArray J(const char* text)
{
    QByteArray out(text);
    out.replace('\'', '"');
    return out;
}

QJsonObject obj(const char* text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(J(text), &error);
    if (!doc.isObject())
        qFatal("bad test JSON: %s: %s", text, qPrintable(error.errorString()));
    return doc.object();
}

PriceTable shippedTable()
{
    const Result<PriceTable> t = PriceTable::shipped();
    if (!t)
        qFatal("shipped prices: %s", qPrintable(t.error()));
    return t.value();
}

// A table of our own, so the arithmetic does not depend on the shipped list prices.
PriceTable testTable()
{
    const Result<PriceTable> t = PriceTable::fromJson(obj("{'date': '2030-01-01', 'models': {"
                                                          " 'big': {'input': 3, 'output': 15, 'cache_read': 0.3,"
                                                          "         'cache_write': 3.75},"
                                                          " 'plain': {'input': 2, 'output': 4}}}"));
    if (!t)
        qFatal("test prices: %s", qPrintable(t.error()));
    return t.value();
}

bool fuzzyEqual(double a, double b)
{
    return std::abs(a - b) <= 1e-12 + 1e-9 * std::abs(b);
}

RequestRecord recordWith(const QString& model, const canon::Usage& usage)
{
    RequestRecord r;
    r.requestId = QStringLiteral("req-1");
    r.startedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);
    r.clientModel = QStringLiteral("client-alias");
    r.upstreamModel = model;
    r.providerId = QStringLiteral("p");
    r.status = 200;
    r.usage = usage;
    return r;
}

} // namespace

class TestPricing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shippedLoads();
    void lookup_data();
    void lookup();
    void unknownModel();
    void overrides();
    void badOverrides_data();
    void badOverrides();
    void costMath();
    void costPerDialect_data();
    void costPerDialect();
    void noTokensCostsNothing();
    void unpricedRowHasNoCost();
};

void TestPricing::shippedLoads()
{
    const Result<PriceTable> t = PriceTable::shipped();
    QVERIFY2(t.ok(), t.ok() ? "" : qPrintable(t.error()));
    QVERIFY(t->size() > 10);
    QVERIFY(!t->pricesDate().isEmpty());
}

void TestPricing::lookup_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<double>("input");
    QTest::addColumn<double>("output");
    QTest::addColumn<double>("cacheRead");

    // Exact ids, case-insensitive, surrounding space ignored.
    QTest::newRow("exact") << QStringLiteral("gpt-4.1") << 2.0 << 8.0 << 0.5;
    QTest::newRow("exact, other case") << QStringLiteral("GPT-4.1-Mini") << 0.4 << 1.6 << 0.1;
    QTest::newRow("exact, spaces") << QStringLiteral("  deepseek-chat ") << 0.28 << 0.42 << 0.028;
    // The exact "gemini-2.5-flash" and the longer glob "gemini-2.5-flash-lite*" do not shadow each other.
    QTest::newRow("exact beside glob") << QStringLiteral("gemini-2.5-flash") << 0.3 << 2.5 << 0.03;
    QTest::newRow("glob beside exact") << QStringLiteral("gemini-2.5-flash-lite") << 0.1 << 0.4 << 0.01;
    // Globs, longest pattern first.
    QTest::newRow("gpt-5 (gpt-5*)") << QStringLiteral("gpt-5") << 1.25 << 10.0 << 0.125;
    QTest::newRow("gpt-5-codex (gpt-5*)") << QStringLiteral("gpt-5-codex") << 1.25 << 10.0 << 0.125;
    QTest::newRow("gpt-5-mini (gpt-5-mini* over gpt-5*)") << QStringLiteral("gpt-5-mini") << 0.25 << 2.0 << 0.025;
    QTest::newRow("gpt-5-mini dated") << QStringLiteral("gpt-5-mini-2025-08-07") << 0.25 << 2.0 << 0.025;
    QTest::newRow("gpt-5-nano") << QStringLiteral("gpt-5-nano") << 0.05 << 0.4 << 0.005;
    QTest::newRow("claude-opus-4-5 (claude-opus-4-5* over claude-opus-4*)")
        << QStringLiteral("claude-opus-4-5") << 5.0 << 25.0 << 0.5;
    QTest::newRow("claude-opus-4-5 dated") << QStringLiteral("claude-opus-4-5-20251101") << 5.0 << 25.0 << 0.5;
    QTest::newRow("claude-opus-4 dated (claude-opus-4*)")
        << QStringLiteral("claude-opus-4-20250514") << 15.0 << 75.0 << 1.5;
    QTest::newRow("claude-opus-4-1") << QStringLiteral("claude-opus-4-1-20250805") << 15.0 << 75.0 << 1.5;
    QTest::newRow("claude-sonnet-4-5") << QStringLiteral("claude-sonnet-4-5-20250929") << 3.0 << 15.0 << 0.3;
    QTest::newRow("claude-haiku-4-5") << QStringLiteral("claude-haiku-4-5") << 1.0 << 5.0 << 0.1;
    // Provider prefixes do not change the price.
    QTest::newRow("openai/gpt-5") << QStringLiteral("openai/gpt-5") << 1.25 << 10.0 << 0.125;
    QTest::newRow("openai/gpt-5-mini") << QStringLiteral("openai/gpt-5-mini") << 0.25 << 2.0 << 0.025;
    QTest::newRow("models/gemini-2.5-pro") << QStringLiteral("models/gemini-2.5-pro") << 1.25 << 10.0 << 0.125;
    QTest::newRow("openrouter/anthropic/claude-sonnet-4.5")
        << QStringLiteral("openrouter/anthropic/claude-sonnet-4.5") << 3.0 << 15.0 << 0.3;
    QTest::newRow("deepseek/deepseek-chat") << QStringLiteral("deepseek/deepseek-chat") << 0.28 << 0.42 << 0.028;
    // Dated and versioned suffixes of exact ids.
    QTest::newRow("-20250101") << QStringLiteral("deepseek-chat-20250101") << 0.28 << 0.42 << 0.028;
    QTest::newRow("@20240806") << QStringLiteral("gpt-4o@20240806") << 2.5 << 10.0 << 1.25;
    QTest::newRow("-latest") << QStringLiteral("gpt-4.1-latest") << 2.0 << 8.0 << 0.5;
    QTest::newRow("prefix and dated") << QStringLiteral("openai/gpt-4.1-20250414") << 2.0 << 8.0 << 0.5;
    // No cache_write in the list: cache writes cost the input price.
    QTest::newRow("o4-mini") << QStringLiteral("o4-mini") << 1.1 << 4.4 << 0.275;
}

void TestPricing::lookup()
{
    QFETCH(QString, model);
    QFETCH(double, input);
    QFETCH(double, output);
    QFETCH(double, cacheRead);
    const std::optional<ModelPrice> p = shippedTable().find(model);
    QVERIFY2(p.has_value(), qPrintable(model));
    QCOMPARE(p->input, input);
    QCOMPARE(p->output, output);
    QCOMPARE(p->cacheRead, cacheRead);
}

void TestPricing::unknownModel()
{
    const PriceTable t = shippedTable();
    for (const char* m : {"llama-3-70b", "my-gpt-5", "xgpt-5", "claude-opus", "", "gpt-4.1x", "openai/"}) {
        const QString model = QString::fromLatin1(m);
        QVERIFY2(!t.find(model).has_value(), m);
        QVERIFY2(!t.cost(model, 1000, 1000, 1000, 1000).has_value(), m);
    }
    // An empty table prices nothing.
    QVERIFY(!PriceTable().find(QStringLiteral("gpt-5")).has_value());
    QVERIFY(!PriceTable().cost(QStringLiteral("gpt-5"), 1, 1, 1, 1).has_value());
}

void TestPricing::overrides()
{
    const PriceTable base = shippedTable();
    const Result<PriceTable> t = base.withOverrides(obj("{'date': '2031-02-03', 'models': {"
                                                        // an existing exact model, without cache prices
                                                        " 'deepseek-chat': {'input': 0.5, 'output': 1},"
                                                        // a new model, spelled in capitals
                                                        " 'My-Model': {'input': 1, 'output': 2, 'cache_read': 0.25,"
                                                        "              'cache_write': 1.5},"
                                                        // an existing glob
                                                        " 'gpt-5*': {'input': 2, 'output': 20, 'cache_read': 0.2},"
                                                        // a new glob longer than gpt-5-mini*
                                                        " 'gpt-5-mini-fast*': {'input': 9, 'output': 9}}}"));
    QVERIFY2(t.ok(), t.ok() ? "" : qPrintable(t.error()));
    QCOMPARE(t->pricesDate(), QStringLiteral("2031-02-03"));

    const std::optional<ModelPrice> ds = t->find(QStringLiteral("deepseek-chat"));
    QVERIFY(ds);
    QCOMPARE(ds->input, 0.5);
    QCOMPARE(ds->output, 1.0);
    // The override replaces the whole price: without cache prices, cached tokens cost the input price.
    QCOMPARE(ds->cacheRead, 0.5);
    QCOMPARE(ds->cacheWrite, 0.5);
    // The dated suffix reaches the override too.
    QCOMPARE(t->find(QStringLiteral("deepseek-chat-20250101"))->input, 0.5);

    const std::optional<ModelPrice> mine = t->find(QStringLiteral("my-model"));
    QVERIFY(mine);
    QCOMPARE(mine->input, 1.0);
    QCOMPARE(mine->output, 2.0);
    QCOMPARE(mine->cacheRead, 0.25);
    QCOMPARE(mine->cacheWrite, 1.5);
    QCOMPARE(t->find(QStringLiteral("local/My-Model"))->output, 2.0);

    QCOMPARE(t->find(QStringLiteral("gpt-5"))->input, 2.0);
    QCOMPARE(t->find(QStringLiteral("gpt-5-codex"))->output, 20.0);
    QCOMPARE(t->find(QStringLiteral("gpt-5-mini"))->input, 0.25); // the longer shipped glob still wins
    QCOMPARE(t->find(QStringLiteral("gpt-5-mini-fast-1"))->input, 9.0); // the longest glob wins
    QCOMPARE(t->size(), base.size() + 2); // two replaced, two added

    // The table the overrides were applied to is unchanged.
    QCOMPARE(base.find(QStringLiteral("deepseek-chat"))->input, 0.28);
    QCOMPARE(base.find(QStringLiteral("gpt-5"))->input, 1.25);
    QVERIFY(!base.find(QStringLiteral("my-model")));
    QCOMPARE(base.pricesDate(), shippedTable().pricesDate());

    // No overrides at all: the same table.
    const Result<PriceTable> same = base.withOverrides(QJsonObject());
    QVERIFY(same.ok());
    QCOMPARE(same->size(), base.size());
    QCOMPARE(same->pricesDate(), base.pricesDate());
}

void TestPricing::badOverrides_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("mentions");

    QTest::newRow("input not a number") << J("{'models': {'my-model': {'input': 'cheap', 'output': 1}}}")
                                        << QStringList {
                                               QStringLiteral("pricing.models.my-model"), QStringLiteral("\"input\"")};
    QTest::newRow("output missing") << J("{'models': {'my-model': {'input': 1}}}")
                                    << QStringList {
                                           QStringLiteral("pricing.models.my-model"), QStringLiteral("\"output\"")};
    QTest::newRow("negative cache_read") << J(
        "{'models': {'deepseek-chat': {'input': 1, 'output': 1, 'cache_read': -0.1}}}")
                                         << QStringList {QStringLiteral("pricing.models.deepseek-chat"),
                                                QStringLiteral("cache_read")};
    QTest::newRow("cache_write a string")
        << J("{'models': {'gpt-5*': {'input': 1, 'output': 1, 'cache_write': '1'}}}")
        << QStringList {QStringLiteral("pricing.models.gpt-5*"), QStringLiteral("cache_write")};
    QTest::newRow("price not an object") << J("{'models': {'my-model': 5}}")
                                         << QStringList {
                                                QStringLiteral("pricing.models.my-model"), QStringLiteral("object")};
    QTest::newRow("models not an object") << J("{'models': [{'input': 1, 'output': 1}]}")
                                          << QStringList {QStringLiteral("pricing.models"), QStringLiteral("object")};
}

void TestPricing::badOverrides()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, mentions);
    const PriceTable base = shippedTable();
    const Result<PriceTable> t = base.withOverrides(QJsonDocument::fromJson(json).object());
    QVERIFY(!t.ok());
    for (const QString& m : std::as_const(mentions))
        QVERIFY2(t.error().contains(m), qPrintable(t.error() + QStringLiteral(" lacks ") + m));
    // The base table is untouched.
    QCOMPARE(base.find(QStringLiteral("deepseek-chat"))->input, 0.28);
}

void TestPricing::costMath()
{
    const PriceTable t = testTable();
    QCOMPARE(t.pricesDate(), QStringLiteral("2030-01-01"));
    // big: 1000×3 + 2000×15 + 10000×0.3 + 4000×3.75 = 3000 + 30000 + 3000 + 15000 = 51000 per million = 0.051
    std::optional<double> c = t.cost(QStringLiteral("big"), 1000, 2000, 10000, 4000);
    QVERIFY(c);
    QVERIFY2(fuzzyEqual(*c, 0.051), qPrintable(QString::number(*c, 'g', 17)));
    // Unknown counts (-1) count as 0: 1000×15 = 0.015
    c = t.cost(QStringLiteral("big"), -1, 1000, -1, -1);
    QVERIFY(c);
    QVERIFY(fuzzyEqual(*c, 0.015));
    // Nothing used costs 0 (priced model): a value, not nullopt.
    c = t.cost(QStringLiteral("big"), 0, 0, -1, 0);
    QVERIFY(c);
    QCOMPARE(*c, 0.0);
    // plain has no cache prices: cache reads and writes cost the input price.
    // 100×2 + 10×4 + 1000×2 + 500×2 = 200 + 40 + 2000 + 1000 = 3240 per million
    c = t.cost(QStringLiteral("plain"), 100, 10, 1000, 500);
    QVERIFY(c);
    QVERIFY(fuzzyEqual(*c, 0.00324));
    // A million of each at the big price: 3 + 15 + 0.3 + 3.75
    c = t.cost(QStringLiteral("BIG"), 1'000'000, 1'000'000, 1'000'000, 1'000'000);
    QVERIFY(c);
    QVERIFY(fuzzyEqual(*c, 22.05));
    // Unknown model: nullopt, never 0.
    QVERIFY(!t.cost(QStringLiteral("other"), 1, 1, 1, 1).has_value());
}

void TestPricing::costPerDialect_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("model");
    QTest::addColumn<qint64>("input");
    QTest::addColumn<qint64>("output");
    QTest::addColumn<qint64>("cacheRead");
    QTest::addColumn<qint64>("cacheWrite");
    QTest::addColumn<qint64>("reasoning");
    QTest::addColumn<double>("cost");

    // gpt-4.1: input 2, output 8, cache_read 0.5. prompt_tokens (1200) includes the 1000 cached ones:
    // 200×2 + 1000×0.5 + 50×8 = 400 + 500 + 400 = 1300 per million = 0.0013
    // (counting the cached tokens twice would give 1200×2 + 1000×0.5 + 50×8 = 0.0033).
    QTest::newRow("openai-chat") << QStringLiteral("openai-chat")
                                 << J("{'id':'chatcmpl-1','object':'chat.completion','model':'gpt-4.1',"
                                      "'choices':[{'index':0,'message':{'role':'assistant','content':'hi'},"
                                      "'finish_reason':'stop'}],"
                                      "'usage':{'prompt_tokens':1200,'completion_tokens':50,'total_tokens':1250,"
                                      "'prompt_tokens_details':{'cached_tokens':1000}}}")
                                 << QStringLiteral("gpt-4.1") << qint64(200) << qint64(50) << qint64(1000) << qint64(-1)
                                 << qint64(-1) << 0.0013;

    // An Anthropic model behind an OpenAI-compatible router that reports cache writes in prompt_tokens_details.
    // claude-sonnet-4*: input 3, output 15, cache_read 0.3, cache_write 3.75. prompt 3000 = 500 + 1000 read + 1500
    // written: 500×3 + 1000×0.3 + 1500×3.75 + 100×15 = 1500 + 300 + 5625 + 1500 = 8925 per million = 0.008925
    QTest::newRow("openai-chat with cache writes")
        << QStringLiteral("openai-chat")
        << J("{'id':'gen-1','object':'chat.completion','model':'anthropic/claude-sonnet-4.5',"
             "'choices':[{'index':0,'message':{'role':'assistant','content':'hi'},'finish_reason':'stop'}],"
             "'usage':{'prompt_tokens':3000,'completion_tokens':100,'total_tokens':3100,"
             "'prompt_tokens_details':{'cached_tokens':1000,'cache_write_tokens':1500}}}")
        << QStringLiteral("anthropic/claude-sonnet-4.5") << qint64(500) << qint64(100) << qint64(1000) << qint64(1500)
        << qint64(-1) << 0.008925;

    // DeepSeek reports hit and miss (hit + miss = prompt_tokens) and, lately, cached_tokens as well.
    // deepseek-chat: input 0.28, output 0.42, cache_read 0.028:
    // 200×0.28 + 1000×0.028 + 50×0.42 = 56 + 28 + 21 = 105 per million = 0.000105
    QTest::newRow("deepseek") << QStringLiteral("openai-chat")
                              << J("{'id':'x','object':'chat.completion','model':'deepseek-chat',"
                                   "'choices':[{'index':0,'message':{'role':'assistant','content':'hi'},"
                                   "'finish_reason':'stop'}],"
                                   "'usage':{'prompt_tokens':1200,'completion_tokens':50,'total_tokens':1250,"
                                   "'prompt_tokens_details':{'cached_tokens':1000},"
                                   "'prompt_cache_hit_tokens':1000,'prompt_cache_miss_tokens':200}}")
                              << QStringLiteral("deepseek-chat") << qint64(200) << qint64(50) << qint64(1000)
                              << qint64(0) << qint64(-1) << 0.000105;

    // deepseek-reasoner: completion_tokens (80) include the 30 reasoning tokens; no cache hit.
    // 500×0.28 + 0×0.028 + 80×0.42 = 140 + 33.6 = 173.6 per million = 0.0001736
    QTest::newRow("deepseek reasoner") << QStringLiteral("openai-chat")
                                       << J("{'id':'x','object':'chat.completion','model':'deepseek-reasoner',"
                                            "'choices':[{'index':0,'message':{'role':'assistant','content':'hi',"
                                            "'reasoning_content':'hmm'},'finish_reason':'stop'}],"
                                            "'usage':{'prompt_tokens':500,'completion_tokens':80,"
                                            "'total_tokens':580,'prompt_cache_hit_tokens':0,"
                                            "'prompt_cache_miss_tokens':500,"
                                            "'completion_tokens_details':{'reasoning_tokens':30}}}")
                                       << QStringLiteral("deepseek-reasoner") << qint64(500) << qint64(80) << qint64(0)
                                       << qint64(0) << qint64(30) << 0.0001736;

    // gpt-5: input 1.25, output 10, cache_read 0.125. input_tokens (5000) include 4000 cached; output_tokens (300)
    // include 200 reasoning tokens: 1000×1.25 + 4000×0.125 + 300×10 = 1250 + 500 + 3000 = 4750 per million
    // = 0.00475 (adding the reasoning again would give 0.00675; the cached tokens again 0.00975).
    QTest::newRow("openai-responses")
        << QStringLiteral("openai-responses")
        << J("{'id':'resp_1','object':'response','status':'completed','model':'gpt-5',"
             "'output':[{'type':'message','id':'msg_1','role':'assistant','status':'completed',"
             "'content':[{'type':'output_text','text':'hi','annotations':[]}]}],"
             "'usage':{'input_tokens':5000,'input_tokens_details':{'cached_tokens':4000},"
             "'output_tokens':300,'output_tokens_details':{'reasoning_tokens':200},'total_tokens':5300}}")
        << QStringLiteral("gpt-5") << qint64(1000) << qint64(300) << qint64(4000) << qint64(-1) << qint64(200)
        << 0.00475;

    // gemini-2.5-pro: input 1.25, output 10, cache_read 0.125. promptTokenCount (10000) includes 8000 cached;
    // candidatesTokenCount (100) leaves out thoughtsTokenCount (400), both are output:
    // 2000×1.25 + 8000×0.125 + 500×10 = 2500 + 1000 + 5000 = 8500 per million = 0.0085
    QTest::newRow("gemini") << QStringLiteral("gemini")
                            << J("{'candidates':[{'content':{'role':'model','parts':[{'text':'hi'}]},"
                                 "'finishReason':'STOP','index':0}],"
                                 "'usageMetadata':{'promptTokenCount':10000,'cachedContentTokenCount':8000,"
                                 "'candidatesTokenCount':100,'thoughtsTokenCount':400,'totalTokenCount':10500},"
                                 "'modelVersion':'gemini-2.5-pro','responseId':'r1'}")
                            << QStringLiteral("gemini-2.5-pro") << qint64(2000) << qint64(500) << qint64(8000)
                            << qint64(-1) << qint64(400) << 0.0085;

    // claude-sonnet-4*: input 3, output 15, cache_read 0.3, cache_write 3.75. Anthropic's input_tokens are the
    // uncached ones already: 50×3 + 20000×0.3 + 1000×3.75 + 400×15 = 150 + 6000 + 3750 + 6000 = 15900 per million
    // = 0.0159
    QTest::newRow("anthropic") << QStringLiteral("anthropic")
                               << J("{'id':'msg_1','type':'message','role':'assistant',"
                                    "'model':'claude-sonnet-4-5-20250929',"
                                    "'content':[{'type':'text','text':'hi'}],'stop_reason':'end_turn',"
                                    "'stop_sequence':null,'usage':{'input_tokens':50,'cache_read_input_tokens':20000,"
                                    "'cache_creation_input_tokens':1000,'output_tokens':400}}")
                               << QStringLiteral("claude-sonnet-4-5-20250929") << qint64(50) << qint64(400)
                               << qint64(20000) << qint64(1000) << qint64(-1) << 0.0159;
}

void TestPricing::costPerDialect()
{
    QFETCH(QString, dialect);
    QFETCH(QByteArray, body);
    QFETCH(QString, model);
    QFETCH(qint64, input);
    QFETCH(qint64, output);
    QFETCH(qint64, cacheRead);
    QFETCH(qint64, cacheWrite);
    QFETCH(qint64, reasoning);
    QFETCH(double, cost);

    canon::TranslationContext ctx;
    ctx.clientModel = QStringLiteral("client-alias");
    ctx.upstreamModel = model;
    Result<canon::Response, canon::Error> decoded = canon::Response();
    if (dialect == QLatin1String("openai-chat"))
        decoded = openaichat::decodeResponse(body, ctx);
    else if (dialect == QLatin1String("openai-responses"))
        decoded = responses::decodeResponse(body, ctx);
    else if (dialect == QLatin1String("gemini"))
        decoded = gemini::decodeResponse(body, ctx);
    else
        decoded = anthropic::decodeResponse(body);
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : qPrintable(decoded.error().message));

    const canon::Usage& u = decoded->usage;
    QCOMPARE(u.inputTokens, input);
    QCOMPARE(u.outputTokens, output);
    QCOMPARE(u.cacheReadTokens, cacheRead);
    QCOMPARE(u.cacheWriteTokens, cacheWrite);
    QCOMPARE(u.reasoningTokens, reasoning);

    const PriceTable prices = shippedTable();
    const UsageRow row = UsageRow::fromRecord(recordWith(model, u), prices);
    QCOMPARE(row.inputTokens, input);
    QCOMPARE(row.outputTokens, output);
    QCOMPARE(row.cacheReadTokens, cacheRead);
    QCOMPARE(row.cacheWriteTokens, cacheWrite);
    QCOMPARE(row.reasoningTokens, reasoning);
    QVERIFY(row.costUsd.has_value());
    QVERIFY2(fuzzyEqual(*row.costUsd, cost),
        qPrintable(QStringLiteral("cost %1, expected %2").arg(*row.costUsd, 0, 'g', 17).arg(cost, 0, 'g', 17)));
    // The row's JSON carries the same cost.
    QVERIFY(fuzzyEqual(row.toJson().value(QLatin1String("cost_usd")).toDouble(), cost));

    // Without an upstream model the requested model is priced.
    RequestRecord byAlias = recordWith(QString(), u);
    byAlias.clientModel = model;
    const UsageRow aliasRow = UsageRow::fromRecord(byAlias, prices);
    QVERIFY(aliasRow.costUsd.has_value());
    QVERIFY(fuzzyEqual(*aliasRow.costUsd, cost));
}

void TestPricing::noTokensCostsNothing()
{
    // A request that failed before the upstream answered costs 0, also for a model without a price.
    for (const QString& model : {QStringLiteral("gpt-5"), QStringLiteral("no-such-model")}) {
        RequestRecord r = recordWith(model, canon::Usage());
        r.status = 502;
        r.errorType = QStringLiteral("api_error");
        const UsageRow row = UsageRow::fromRecord(r, shippedTable());
        QVERIFY(row.costUsd.has_value());
        QCOMPARE(*row.costUsd, 0.0);
        QCOMPARE(row.toJson().value(QLatin1String("cost_usd")).toDouble(-1), 0.0);
    }
}

void TestPricing::unpricedRowHasNoCost()
{
    canon::Usage u;
    u.inputTokens = 100;
    u.outputTokens = 10;
    const UsageRow row = UsageRow::fromRecord(recordWith(QStringLiteral("no-such-model"), u), shippedTable());
    QVERIFY(!row.costUsd.has_value());
    QVERIFY(row.toJson().value(QLatin1String("cost_usd")).isNull());
    // Cache-only usage is usage too.
    canon::Usage cached;
    cached.cacheReadTokens = 5000;
    const UsageRow cachedRow
        = UsageRow::fromRecord(recordWith(QStringLiteral("no-such-model"), cached), shippedTable());
    QVERIFY(!cachedRow.costUsd.has_value());
    // 5000×0.125 per million at the gpt-5 cache price
    const UsageRow pricedCached = UsageRow::fromRecord(recordWith(QStringLiteral("gpt-5"), cached), shippedTable());
    QVERIFY(pricedCached.costUsd.has_value());
    QVERIFY(fuzzyEqual(*pricedCached.costUsd, 0.000625));
}

QTEST_GUILESS_MAIN(TestPricing)

#include "tst_pricing.moc"
