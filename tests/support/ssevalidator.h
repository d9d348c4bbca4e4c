#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// Checks a complete Anthropic SSE answer against the output invariants (PROTOCOLS.md §1.5, §6.0): message_start
// first and once, contiguous block indexes, no interleaving, deltas inside open blocks and of a fitting type, every
// block stopped, message_delta after the last block, message_stop last — or a terminal error event. Returns an
// empty string when valid, else what is wrong. `message` receives the accumulated message (SDK rules).
// `lenient` accepts what Anthropic itself sends for its own server-side blocks (any delta in a non-client block,
// empty text blocks), for checking a pass-through.
QString validateAnthropicStream(
    const QByteArray& sse, QJsonObject* message = nullptr, bool* endedWithError = nullptr, bool lenient = false);
