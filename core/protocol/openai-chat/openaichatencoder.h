#pragma once

#include "protocol/canonical.h"

#include <QByteArray>

namespace sy::openaichat {

// Canonical stream events -> OpenAI Chat Completions chunks (`data: {...}\n\n`, then `data: [DONE]`), for clients
// that speak Chat Completions. Reasoning goes out as delta.reasoning_content; tool calls by index with their id
// and name in the first fragment; the last chunk carries finish_reason, a usage chunk follows when asked for.
class SseEncoder
{
public:
    SseEncoder(const QString& model, bool includeUsage);
    void encode(const canon::StreamEvent& event, QByteArray& out);
    void fail(const canon::Error& error, QByteArray& out);
    void ping(QByteArray& out);
    bool started() const { return m_started; }
    bool finished() const { return m_finished; }
    bool failed() const { return m_failed; }
    const canon::Usage& usage() const { return m_usage; }
    canon::StopReason stopReason() const { return m_stop; }

private:
    void chunk(QByteArray& out, const QByteArray& delta, const char* finishReason = nullptr);
    QString m_id;
    QString m_model;
    qint64 m_created;
    bool m_includeUsage;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    bool m_sentRole = false;
    int m_toolIndex = -1;
    bool m_inTool = false;
    canon::Usage m_usage;
    canon::StopReason m_stop = canon::StopReason::None;
};

// OpenAI's error body: {"error":{"message","type","param":null,"code"}}.
QByteArray encodeError(const canon::Error& error);

} // namespace sy::openaichat
