#pragma once

#include "usage/usagelog.h"

#include <QString>

#include <optional>

namespace sy {

// A time in the usage API and CLI: ISO 8601 ("2026-11-01", "2026-11-01T12:00:00Z"), epoch milliseconds, or an age
// before `nowMs` ("90m", "24h", "7d", "4w"). nullopt when unreadable.
std::optional<qint64> parseUsageTime(const QString& text, qint64 nowMs);

// The query of GET /switchyard/v1/usage?from=&to=&group_by=&bucket= and `switchyard usage`: from defaults to 7 days
// before `nowMs`, to to `nowMs`. nullopt with `error` set (naming the parameter) on bad input.
std::optional<UsageQuery> usageQueryFrom(const QString& from, const QString& to, const QString& groupBy,
    const QString& bucket, qint64 nowMs, QString* error);

} // namespace sy
