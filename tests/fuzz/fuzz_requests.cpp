// Every inbound request decoder on arbitrary bytes (the first byte picks the dialect), then every upstream encoder on
// whatever decoded: bad input must become an error, never a crash.

#include "config/config.h"
#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/gemini/geminirequest.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/openai-responses/responsesrequest.h"
#include "protocol/tokencount.h"

#include <cstdint>

using namespace sy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray body(reinterpret_cast<const char*>(data + 1), qsizetype(size - 1));
    auto decoded = Result<canon::Request, canon::Error>::failure(canon::Error());
    switch (data[0] % 5) {
    case 0:
        decoded = anthropic::decodeRequest(body);
        break;
    case 1:
        decoded = anthropic::decodeRequest(body, anthropic::RequestKind::CountTokens);
        break;
    case 2:
        decoded = openaichat::decodeRequest(body);
        break;
    case 3:
        decoded = responses::decodeRequest(body);
        break;
    default:
        decoded = gemini::decodeRequest(body, QStringLiteral("gemini-fuzz"));
        break;
    }
    if (!decoded.ok())
        return 0;
    const canon::Request& request = decoded.value();
    ModelProfile profile;
    profile.contextWindow = 200000;
    profile.maxOutputTokens = 8192;
    canon::TranslationContext chat;
    canon::TranslationContext resp;
    canon::TranslationContext gem;
    (void)openaichat::encodeRequest(request, profile, chat);
    (void)responses::encodeRequest(request, profile, resp);
    (void)gemini::encodeRequest(request, profile, gem);
    (void)anthropic::encodeRequest(request);
    (void)estimateRequestTokens(request);
    return 0;
}
