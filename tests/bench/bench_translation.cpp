// Micro-benchmarks of the translation core: the 60 KB Claude Code request and a 200-chunk stream.
// The request body is the shared bench's (bench/bodies/gen_bodies.py, built by bench/build.sh into
// $SY_BENCH_DIR/bodies); without it a body of the same shape is synthesized.

#include "config/config.h"
#include "protocol/anthropic/anthropicrelay.h"
#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/openai-chat/openaichatstream.h"
#include "protocol/sse/sseparser.h"
#include "protocol/tokencount.h"

#include <benchmark/benchmark.h>

#include <QDir>
#include <QFile>

using namespace sy;

namespace {

QByteArray claudeCodeBody()
{
    QString dir = qEnvironmentVariable("SY_BENCH_DIR");
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.cache/switchyard-bench");
    QFile f(dir + QStringLiteral("/bodies/anthropic_stream.json"));
    if (f.open(QIODevice::ReadOnly))
        return f.readAll();
    QByteArray tools;
    for (int i = 0; i < 16; ++i)
        tools += (i ? "," : "") + QByteArray(R"({"name":"Tool)") + QByteArray::number(i) + R"(","description":")"
            + QByteArray(2000, 'd') + R"(","input_schema":{"type":"object","properties":{"a":{"type":"string"}}}})";
    return R"({"model":"claude-sonnet-5","max_tokens":32000,"stream":true,"system":[{"type":"text","text":")"
        + QByteArray(6000, 's') + R"("}],"tools":[)" + tools + R"(],"messages":[{"role":"user","content":")"
        + QByteArray(15000, 'u') + R"("}]})";
}

QByteArray chatStream(int chunks)
{
    QByteArray s = "data: "
                   "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                   "\"content\":\"\"}}]}\n\n";
    for (int i = 0; i < chunks; ++i)
        s += "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w"
            + QByteArray::number(i) + " \"},\"finish_reason\":null}]}\n\n";
    s += "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    s += "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":200}}\n\ndata: "
         "[DONE]\n\n";
    return s;
}

QByteArray anthropicStream(int chunks)
{
    QByteArray s
        = "event: message_start\ndata: "
          "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\","
          "\"content\":[],\"usage\":{\"input_tokens\":5}}}\n\n"
          "event: content_block_start\ndata: "
          "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    for (int i = 0; i < chunks; ++i)
        s += "event: content_block_delta\ndata: "
             "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"w"
            + QByteArray::number(i) + " \"}}\n\n";
    s += "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
         "event: message_delta\ndata: "
         "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":200}}\n\n"
         "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    return s;
}

void BM_DecodeAnthropicRequest(benchmark::State& state)
{
    const QByteArray body = claudeCodeBody();
    for (auto _ : state)
        benchmark::DoNotOptimize(anthropic::decodeRequest(body));
    state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeAnthropicRequest);

void BM_TranslateRequestToChat(benchmark::State& state)
{
    const QByteArray body = claudeCodeBody();
    ProviderConfig provider;
    provider.baseUrl = QStringLiteral("http://127.0.0.1/v1");
    const ModelProfile profile = provider.profileFor(QStringLiteral("mock"));
    for (auto _ : state) {
        auto req = anthropic::decodeRequest(body);
        canon::TranslationContext ctx;
        ctx.upstreamModel = QStringLiteral("mock");
        benchmark::DoNotOptimize(openaichat::encodeRequest(*req, profile, ctx));
    }
    state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_TranslateRequestToChat);

void BM_CountTokens(benchmark::State& state)
{
    auto req = anthropic::decodeRequest(claudeCodeBody());
    for (auto _ : state)
        benchmark::DoNotOptimize(estimateRequestTokens(*req));
}
BENCHMARK(BM_CountTokens);

void BM_ChatStreamToAnthropic(benchmark::State& state)
{
    const QByteArray stream = chatStream(200);
    const qsizetype piece = 1400; // a typical network read
    for (auto _ : state) {
        canon::TranslationContext ctx;
        openaichat::StreamDecoder decoder(ctx);
        anthropic::SseEncoder encoder(QStringLiteral("claude-sonnet-5"), 100);
        QByteArray out;
        canon::StreamEvents events;
        for (qsizetype i = 0; i < stream.size(); i += piece) {
            events.clear();
            decoder.feed(QByteArrayView(stream).sliced(i, qMin(piece, stream.size() - i)), events);
            encoder.encode(events, out);
        }
        events.clear();
        decoder.finish(events);
        encoder.encode(events, out);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations() * 200);
}
BENCHMARK(BM_ChatStreamToAnthropic);

void BM_SseParse(benchmark::State& state)
{
    const QByteArray stream = chatStream(200);
    for (auto _ : state) {
        SseParser p;
        QList<SseEvent> events;
        p.feed(stream, events);
        benchmark::DoNotOptimize(events);
    }
    state.SetBytesProcessed(state.iterations() * stream.size());
}
BENCHMARK(BM_SseParse);

void BM_PassthroughRelay(benchmark::State& state)
{
    const QByteArray stream = anthropicStream(200);
    for (auto _ : state) {
        anthropic::StreamRelay relay;
        QByteArray out;
        for (qsizetype i = 0; i < stream.size(); i += 1400)
            relay.feed(QByteArrayView(stream).sliced(i, qMin<qsizetype>(1400, stream.size() - i)), out);
        relay.finish(out);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(state.iterations() * stream.size());
}
BENCHMARK(BM_PassthroughRelay);

} // namespace

BENCHMARK_MAIN();
