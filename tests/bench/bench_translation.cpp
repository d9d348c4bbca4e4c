// Micro-benchmarks of the translation core (issue 8): the 60 KB Claude Code request decoded and translated to each
// upstream dialect (and a 2x body, to check that the cost grows linearly), 200-chunk streams of each upstream
// dialect translated to Anthropic SSE, SSE parsing, token counting, the passthrough relay, and JSON parse/serialize
// alone. The request body is the shared bench's (bench/bodies/gen_bodies.py, built by bench/build.sh into
// $SY_BENCH_DIR/bodies); without it a body of the same shape is synthesized.

#include "common/fastjson.h"
#include "common/jsonwriter.h"
#include "config/config.h"
#include "protocol/anthropic/anthropicrelay.h"
#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/gemini/geminirequest.h"
#include "protocol/gemini/geministream.h"
#include "protocol/openai-chat/openaichatstream.h"
#include "protocol/openai-responses/responsesrequest.h"
#include "protocol/openai-responses/responsesstream.h"
#include "protocol/sse/sseparser.h"
#include "protocol/tokencount.h"

#include <benchmark/benchmark.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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

// The body with its system blocks, tools (renamed copies) and messages doubled: about twice the bytes, same shape.
QByteArray doubledBody(const QByteArray& body)
{
    QJsonObject o = QJsonDocument::fromJson(body).object();
    for (const char* key : {"system", "messages"}) {
        QJsonArray a = o.value(QLatin1String(key)).toArray();
        const QJsonArray copy = a;
        for (const auto& v : copy)
            a.append(v);
        o.insert(QLatin1String(key), a);
    }
    QJsonArray tools = o.value(QLatin1String("tools")).toArray();
    const QJsonArray toolsCopy = tools;
    for (const auto& v : toolsCopy) {
        QJsonObject t = v.toObject();
        t.insert(QLatin1String("name"), QString(t.value(QLatin1String("name")).toString() + QLatin1String("_2")));
        tools.append(t);
    }
    o.insert(QLatin1String("tools"), tools);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
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

// The same answer with the members OpenAI really sends in every chunk (object, created, service_tier,
// system_fingerprint, logprobs, usage:null, obfuscation), text with escapes and non-ASCII, and the usage chunk with
// its details objects.
QByteArray chatStreamOpenAiShape(int chunks)
{
    const QByteArray head
        = "data: {\"id\":\"chatcmpl-C0cq6yRSl2rnOpCaZGKk7ZPkVFV8E\",\"object\":\"chat.completion.chunk\","
          "\"created\":1754487054,\"model\":\"gpt-4.1-2025-04-14\",\"service_tier\":\"default\","
          "\"system_fingerprint\":\"fp_b3f1157249\",\"choices\":[{\"index\":0,\"delta\":";
    QByteArray s = head
        + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,"
          "\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"d1\"}\n\n";
    for (int i = 0; i < chunks; ++i) {
        const QByteArray text = i % 10 == 9 ? QByteArray("\\n\\n")
            : i % 10 == 5                   ? QByteArray(" caf\xc3\xa9")
                                            : QByteArray(" w" + QByteArray::number(i));
        s += head + "{\"content\":\"" + text
            + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"X1xkF\"}\n\n";
    }
    s += head + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null,\"obfuscation\":\"k\"}\n\n";
    s += "data: {\"id\":\"chatcmpl-C0cq6yRSl2rnOpCaZGKk7ZPkVFV8E\",\"object\":\"chat.completion.chunk\",\"created\":"
         "1754487054,\"model\":\"gpt-4.1-2025-04-14\",\"service_tier\":\"default\",\"system_fingerprint\":"
         "\"fp_b3f1157249\",\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":200,\"total_tokens\":"
         "300,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":"
         "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
         "\"rejected_prediction_tokens\":0}},\"obfuscation\":\"Qx\"}\n\ndata: [DONE]\n\n";
    return s;
}

// A realistic OpenAI Responses stream: created, a message item, `chunks` text deltas, the closing events, completed.
QByteArray responsesStream(int chunks)
{
    const QByteArray item = "msg_02ce8deeb6197db200698c5198ca0c81979bedbe6c98a8ab93";
    int seq = 0;
    auto event = [&seq](const char* type, const QByteArray& rest) -> QByteArray {
        return "event: " + QByteArray(type) + "\ndata: {\"type\":\"" + type
            + "\",\"sequence_number\":" + QByteArray::number(seq++) + "," + rest + "}\n\n";
    };
    const QByteArray response = "\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1770803606,"
                                "\"status\":\"in_progress\",\"model\":\"gpt-5.1\",\"output\":[],\"usage\":null}";
    QByteArray s = event("response.created", response);
    s += event("response.in_progress", response);
    s += event("response.output_item.added",
        "\"output_index\":0,\"item\":{\"id\":\"" + item
            + "\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}");
    s += event("response.content_part.added",
        "\"item_id\":\"" + item
            + "\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],"
              "\"logprobs\":[],\"text\":\"\"}");
    QByteArray text;
    for (int i = 0; i < chunks; ++i) {
        const QByteArray w = "w" + QByteArray::number(i) + " ";
        text += w;
        s += event("response.output_text.delta",
            "\"item_id\":\"" + item + "\",\"output_index\":0,\"content_index\":0,\"delta\":\"" + w
                + "\",\"logprobs\":[],\"obfuscation\":\"VLMdSoETMf5\"");
    }
    s += event("response.output_text.done",
        "\"item_id\":\"" + item + "\",\"output_index\":0,\"content_index\":0,\"text\":\"" + text
            + "\",\"logprobs\":[]");
    s += event("response.content_part.done",
        "\"item_id\":\"" + item
            + "\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],"
              "\"logprobs\":[],\"text\":\""
            + text + "\"}");
    s += event("response.output_item.done",
        "\"output_index\":0,\"item\":{\"id\":\"" + item
            + "\",\"type\":\"message\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\","
              "\"annotations\":[],\"logprobs\":[],\"text\":\""
            + text + "\"}],\"role\":\"assistant\"}");
    s += event("response.completed",
        "\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1770803606,\"status\":"
        "\"completed\",\"model\":\"gpt-5.1\",\"output\":[],\"usage\":{\"input_tokens\":100,"
        "\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":200,\"output_tokens_details\":"
        "{\"reasoning_tokens\":0},\"total_tokens\":300}}");
    return s;
}

// A Gemini streamGenerateContent?alt=sse stream: `chunks` text chunks, then one with finishReason and usage.
QByteArray geminiStream(int chunks)
{
    QByteArray s;
    for (int i = 0; i < chunks; ++i)
        s += "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"w" + QByteArray::number(i)
            + " \"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":100,"
              "\"totalTokenCount\":"
            + QByteArray::number(100 + i)
            + "},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"4HFfavXADZ\"}\r\n\r\n";
    s += "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},\"finishReason\":"
         "\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":100,\"candidatesTokenCount\":200,"
         "\"totalTokenCount\":300},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"4HFfavXADZ\"}\r\n\r\n";
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

const QByteArray& body1x()
{
    static const QByteArray body = claudeCodeBody();
    return body;
}

const QByteArray& body2x()
{
    static const QByteArray body = doubledBody(body1x());
    return body;
}

ModelProfile benchProfile()
{
    ProviderConfig provider;
    provider.baseUrl = QStringLiteral("http://127.0.0.1/v1");
    return provider.profileFor(QStringLiteral("mock"));
}

void BM_DecodeAnthropicRequest(benchmark::State& state)
{
    const QByteArray& body = body1x();
    for (auto _ : state)
        benchmark::DoNotOptimize(anthropic::decodeRequest(body));
    state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeAnthropicRequest);

// The QJsonObject route of the decoder (json::parse, then the same decoding): what decodeRequest saves by reading the
// tape directly.
void BM_DecodeAnthropicRequestViaQJson(benchmark::State& state)
{
    const QByteArray& body = body1x();
    for (auto _ : state)
        benchmark::DoNotOptimize(anthropic::decodeRequestViaQJson(body));
    state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeAnthropicRequestViaQJson);

void BM_DecodeAnthropicRequest2x(benchmark::State& state)
{
    const QByteArray& body = body2x();
    for (auto _ : state)
        benchmark::DoNotOptimize(anthropic::decodeRequest(body));
    state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_DecodeAnthropicRequest2x);

// Decode the Anthropic body and encode it for one upstream dialect: the whole request-side translation.
template<typename Encode> void translateRequest(benchmark::State& state, const QByteArray& body, Encode encode)
{
    const ModelProfile profile = benchProfile();
    for (auto _ : state) {
        auto req = anthropic::decodeRequest(body);
        canon::TranslationContext ctx;
        ctx.upstreamModel = QStringLiteral("mock");
        benchmark::DoNotOptimize(encode(*req, profile, ctx));
    }
    state.SetBytesProcessed(state.iterations() * body.size());
}

void BM_TranslateRequestToChat(benchmark::State& state)
{
    translateRequest(state, body1x(), openaichat::encodeRequest);
}
BENCHMARK(BM_TranslateRequestToChat);

void BM_TranslateRequestToChat2x(benchmark::State& state)
{
    translateRequest(state, body2x(), openaichat::encodeRequest);
}
BENCHMARK(BM_TranslateRequestToChat2x);

void BM_TranslateRequestToResponses(benchmark::State& state)
{
    translateRequest(state, body1x(), responses::encodeRequest);
}
BENCHMARK(BM_TranslateRequestToResponses);

void BM_TranslateRequestToGemini(benchmark::State& state)
{
    translateRequest(state, body1x(), gemini::encodeRequest);
}
BENCHMARK(BM_TranslateRequestToGemini);

void BM_TranslateRequestToGemini2x(benchmark::State& state)
{
    translateRequest(state, body2x(), gemini::encodeRequest);
}
BENCHMARK(BM_TranslateRequestToGemini2x);

// Encode only (the canonical request decoded once), per dialect.
template<typename Encode> void encodeOnly(benchmark::State& state, Encode encode)
{
    const ModelProfile profile = benchProfile();
    const auto req = anthropic::decodeRequest(body1x());
    for (auto _ : state) {
        canon::TranslationContext ctx;
        ctx.upstreamModel = QStringLiteral("mock");
        benchmark::DoNotOptimize(encode(*req, profile, ctx));
    }
    state.SetBytesProcessed(state.iterations() * body1x().size());
}

void BM_EncodeChatRequest(benchmark::State& state)
{
    encodeOnly(state, openaichat::encodeRequest);
}
BENCHMARK(BM_EncodeChatRequest);

void BM_EncodeResponsesRequest(benchmark::State& state)
{
    encodeOnly(state, responses::encodeRequest);
}
BENCHMARK(BM_EncodeResponsesRequest);

void BM_EncodeGeminiRequest(benchmark::State& state)
{
    encodeOnly(state, gemini::encodeRequest);
}
BENCHMARK(BM_EncodeGeminiRequest);

void BM_CountTokens(benchmark::State& state)
{
    auto req = anthropic::decodeRequest(body1x());
    for (auto _ : state)
        benchmark::DoNotOptimize(estimateRequestTokens(*req));
}
BENCHMARK(BM_CountTokens);

// Feeds a 200-chunk upstream stream in network-sized pieces through the dialect's decoder and the Anthropic SSE
// encoder. Items = chunks, so the time per item is the cost per upstream chunk.
template<typename Decoder>
void streamToAnthropic(benchmark::State& state, const QByteArray& stream, void (*setup)(Decoder&) = nullptr)
{
    const qsizetype piece = 1400; // a typical network read
    bool checked = false;
    for (auto _ : state) {
        canon::TranslationContext ctx;
        Decoder decoder(ctx);
        if (setup)
            setup(decoder);
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
        if (!checked) {
            checked = true;
            // The synthesized stream must translate into a complete answer, or the numbers mean nothing.
            if (out.count("\"text_delta\"") != 200 || !out.contains("event: message_stop"))
                state.SkipWithError("the stream did not translate into 200 text deltas and a message_stop");
        }
    }
    state.SetItemsProcessed(state.iterations() * 200);
    state.SetBytesProcessed(state.iterations() * stream.size());
}

void BM_ChatStreamToAnthropic(benchmark::State& state)
{
    streamToAnthropic<openaichat::StreamDecoder>(state, chatStream(200));
}
BENCHMARK(BM_ChatStreamToAnthropic);

void BM_ChatStreamOpenAiShapeToAnthropic(benchmark::State& state)
{
    streamToAnthropic<openaichat::StreamDecoder>(state, chatStreamOpenAiShape(200));
}
BENCHMARK(BM_ChatStreamOpenAiShapeToAnthropic);

// The same through the decoder's general (QJsonObject) path, for comparison.
void BM_ChatStreamOpenAiShapeToAnthropicGeneralPath(benchmark::State& state)
{
    streamToAnthropic<openaichat::StreamDecoder>(
        state, chatStreamOpenAiShape(200), [](openaichat::StreamDecoder& d) { d.setFastPathEnabled(false); });
}
BENCHMARK(BM_ChatStreamOpenAiShapeToAnthropicGeneralPath);

void BM_ResponsesStreamToAnthropic(benchmark::State& state)
{
    streamToAnthropic<responses::StreamDecoder>(state, responsesStream(200));
}
BENCHMARK(BM_ResponsesStreamToAnthropic);

void BM_GeminiStreamToAnthropic(benchmark::State& state)
{
    streamToAnthropic<gemini::StreamDecoder>(state, geminiStream(200));
}
BENCHMARK(BM_GeminiStreamToAnthropic);

void BM_JsonParseQt(benchmark::State& state)
{
    const QByteArray& body = body1x();
    for (auto _ : state)
        benchmark::DoNotOptimize(QJsonDocument::fromJson(body));
    state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_JsonParseQt);

void BM_JsonSerializeQt(benchmark::State& state)
{
    const QJsonObject o = QJsonDocument::fromJson(body1x()).object();
    for (auto _ : state)
        benchmark::DoNotOptimize(QJsonDocument(o).toJson(QJsonDocument::Compact));
    state.SetBytesProcessed(state.iterations() * body1x().size());
}
BENCHMARK(BM_JsonSerializeQt);

void BM_JsonParseFast(benchmark::State& state)
{
    const QByteArray& body = body1x();
    for (auto _ : state)
        benchmark::DoNotOptimize(json::parse(body));
    state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_JsonParseFast);

void BM_JsonSerializeFast(benchmark::State& state)
{
    const QJsonObject o = QJsonDocument::fromJson(body1x()).object();
    for (auto _ : state)
        benchmark::DoNotOptimize(compactJson(o));
    state.SetBytesProcessed(state.iterations() * body1x().size());
}
BENCHMARK(BM_JsonSerializeFast);

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
