// Every upstream stream decoder (and the Anthropic relay) on arbitrary bytes fed in arbitrary pieces: the first byte
// picks the decoder, the next ones the split points. The decoded events then go through the Anthropic SSE encoder,
// as in the gateway.

#include "protocol/anthropic/anthropicrelay.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/gemini/geministream.h"
#include "protocol/openai-chat/openaichatstream.h"
#include "protocol/openai-responses/responsesstream.h"

#include <cstdint>

using namespace sy;

namespace {

template<typename Decoder>
void run(Decoder& decoder, const QByteArray& stream, const uint8_t* splits, size_t splitCount)
{
    anthropic::SseEncoder encoder(QStringLiteral("claude-fuzz"), 100);
    QByteArray out;
    canon::StreamEvents events;
    qsizetype pos = 0;
    for (size_t i = 0; pos < stream.size(); ++i) {
        const qsizetype piece = i < splitCount ? qsizetype(splits[i]) + 1 : stream.size() - pos;
        const QByteArrayView bytes(stream.constData() + pos, qMin(piece, stream.size() - pos));
        pos += bytes.size();
        events.clear();
        decoder.feed(bytes, events);
        for (const canon::StreamEvent& e : std::as_const(events))
            encoder.encode(e, out);
    }
    events.clear();
    decoder.finish(events);
    for (const canon::StreamEvent& e : std::as_const(events))
        encoder.encode(e, out);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    const size_t splitCount = qMin<size_t>(data[1], (size - 2) / 2);
    const uint8_t* splits = data + 2;
    const QByteArray stream(reinterpret_cast<const char*>(data + 2 + splitCount), qsizetype(size - 2 - splitCount));
    canon::TranslationContext ctx;
    ctx.clientModel = QStringLiteral("claude-fuzz");
    ctx.upstreamModel = QStringLiteral("upstream-fuzz");
    switch (data[0] % 5) {
    case 0: {
        openaichat::StreamDecoder d(ctx);
        d.setFastPathEnabled(data[0] & 0x80);
        run(d, stream, splits, splitCount);
        break;
    }
    case 1: {
        responses::StreamDecoder d(ctx);
        run(d, stream, splits, splitCount);
        break;
    }
    case 2: {
        gemini::StreamDecoder d(ctx);
        run(d, stream, splits, splitCount);
        break;
    }
    case 3: {
        // A whole non-streamed Gemini body (the same decoder in JSON framing).
        gemini::StreamDecoder d(ctx);
        d.setWholeBody(true);
        run(d, stream, splits, splitCount);
        break;
    }
    default: {
        anthropic::StreamRelay relay;
        QByteArray out;
        qsizetype pos = 0;
        for (size_t i = 0; pos < stream.size(); ++i) {
            const qsizetype piece = i < splitCount ? qsizetype(splits[i]) + 1 : stream.size() - pos;
            const QByteArrayView bytes(stream.constData() + pos, qMin(piece, stream.size() - pos));
            pos += bytes.size();
            relay.feed(bytes, out);
        }
        relay.finish(out);
        break;
    }
    }
    return 0;
}
