#pragma once

#include "common/result.h"
#include "protocol/canonical.h"

#include <QByteArray>

namespace sy::anthropic {

QString errorTypeName(canon::ErrorType type);
canon::ErrorType errorTypeFromName(QStringView name);
// The Anthropic status for an error type (used when only the type is known).
int statusForErrorType(canon::ErrorType type);

// {"type":"error","error":{"type":...,"message":...},"request_id":...}
QByteArray encodeError(const canon::Error& error, const QString& requestId = {});
// An Anthropic error body (or anything else) from an Anthropic-compatible upstream -> canonical error.
canon::Error decodeError(int httpStatus, const QByteArray& body);

// Canonical response -> Anthropic Message JSON. Enforces the output invariants: no empty text blocks, stop_reason
// tool_use exactly when a tool_use block is present, every thinking block signed, tool ids in [A-Za-z0-9_-].
QByteArray encodeResponse(const canon::Response& response, const QString& model);
// Anthropic Message JSON -> canonical response.
Result<canon::Response, canon::Error> decodeResponse(const QByteArray& body);

// An Anthropic usage object -> canonical usage (absent or null fields stay -1).
canon::Usage usageFromJson(const QJsonObject& usage);

// A message id of the form msg_<24 random base62 chars>.
QString newMessageId();
// Makes a tool-use id acceptable to Anthropic (^[a-zA-Z0-9_-]+$); generates one if empty.
QString sanitizeToolId(const QString& id);

} // namespace sy::anthropic
