#pragma once

// Local token-count estimates (PROTOCOLS §6.17, §6.18) for upstreams that cannot count tokens, and for clamping
// max_tokens against a context window. Not a real BPE: text is split with a GPT-like pre-tokenizer (letter runs with
// an optional leading space, digit groups of up to 3, punctuation runs, whitespace runs, one piece per CJK/other
// character) and every piece is priced with rules calibrated against the token counts providers reported for the
// recorded fixtures (see tests/core/tst_tokencount.cpp).

#include "protocol/canonical.h"

#include <QStringView>

namespace sy {

qint64 estimateTextTokens(QStringView text);

// The whole prompt: system, every message part (tool-call input JSON, tool results, images, documents), tool
// definitions (name, description, compact JSON schema) and the per-message / per-tool framing overhead.
qint64 estimateRequestTokens(const canon::Request& req);

// A base64 image's token estimate (from its decoded size when known, else a fixed ~1,500).
qint64 estimateImageTokens(const canon::Part& image);

} // namespace sy
