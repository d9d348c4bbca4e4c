#pragma once

#include "upstream/upstreamclient.h"

#include <QByteArray>

namespace sy {

// How long the upstream asks us to wait before retrying, in milliseconds, from a (usually 429) response's headers and
// body; -1 when nothing says. `nowMs` (Unix epoch ms) turns absolute reset times into delays. The result is clamped
// to [0, 24 h]; a reset time already in the past gives 0. Header names are matched case-insensitively.
//
// Signals, in order of precedence:
//  1. `retry-after-ms` (milliseconds, fractional allowed), else `retry-after` (seconds, fractional allowed, or an
//     HTTP-date). When `anthropic-ratelimit-unified-status: rejected` is also present, the later of this and
//     `anthropic-ratelimit-unified-reset` wins.
//  2. `anthropic-ratelimit-unified-reset` (Unix epoch seconds; RFC 3339 also accepted), unless
//     `anthropic-ratelimit-unified-status` says the unified limit was not what blocked us ("allowed…").
//  3. Gemini's body: `error.details[]` entry of `@type` "type.googleapis.com/google.rpc.RetryInfo" with
//     `retryDelay` "34.4s" (or a {seconds, nanos} object); the body may also be a one-element array.
//  4. OpenAI `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` (Go-style durations "1s", "6m0s", "1h2m3.5s",
//     "120ms", or bare seconds).
//  5. Anthropic `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset` (RFC 3339).
// For 4 and 5 the larger reset wins; when the matching `…-remaining` headers say which limits are exhausted (0), only
// those are considered, so a far-off reset of a limit that still has room does not stall the credential.
qint64 retryDelayMs(const HeaderList& headers, const QByteArray& body, qint64 nowMs);

// Parses a Go/OpenAI-style duration ("1h2m3.5s", "120ms", "34.4s", "2"=seconds) into milliseconds (rounded up);
// -1 if malformed. Exposed for tests.
qint64 parseDurationMs(QByteArrayView text);

// Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime) into Unix epoch ms; -1 if malformed. Exposed for tests.
qint64 parseHttpDateMs(QByteArrayView text);

} // namespace sy
