#pragma once

// The canonical model of a conversation and of a streamed answer. Every dialect has one adapter that converts
// between its wire format and these types, so N dialects need N adapters. Nothing here does I/O.

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace sy::canon {

enum class PartKind {
    Text,
    Image, // mediaType + data (base64) or url
    Document, // PDF (mediaType + data), plain text (text), or url
    ToolCall, // id, name, input
    ToolResult, // toolCallId, content (Text/Image/Document parts), isError
    Reasoning, // text + signature (opaque; see signature.h for provenance)
    RedactedReasoning, // data (opaque, Anthropic only)
    Opaque, // an Anthropic-only block kept verbatim in raw (server tool use and results, ...)
};

struct Part
{
    PartKind kind = PartKind::Text;
    QString text; // Text, Reasoning, plain-text Document
    QString mediaType; // Image, Document
    QString data; // base64 payload (Image, Document), opaque data (RedactedReasoning)
    QString url; // Image, Document given by URL
    QString title; // Document
    QString id; // ToolCall
    QString name; // ToolCall
    QJsonObject input; // ToolCall arguments
    QString toolCallId; // ToolResult
    QList<Part> content; // ToolResult
    bool isError = false; // ToolResult
    QString signature; // Reasoning
    QJsonObject raw; // Opaque

    static Part makeText(const QString& t)
    {
        Part p;
        p.text = t;
        return p;
    }
};

enum class Role { System, User, Assistant };

struct Message
{
    Role role = Role::User;
    QList<Part> parts;
};

struct Tool
{
    QString name;
    QString description;
    QJsonObject inputSchema;
    QString builtinType; // non-empty for provider-executed tools such as "web_search_20250305"
    QJsonObject raw; // the tool as the client sent it (for builtin tools)
};

struct ToolChoice
{
    enum class Mode { Unset, Auto, Any, Tool, None };
    Mode mode = Mode::Unset;
    QString name;
    bool disableParallel = false;
};

struct Thinking
{
    enum class Mode { Unset, Disabled, Enabled, Adaptive };
    Mode mode = Mode::Unset;
    int budgetTokens = 0;
    QString effort; // "low" | "medium" | "high" | "xhigh" | "max" (Anthropic output_config.effort)
};

struct Request
{
    QString model;
    QList<Part> system; // Text parts
    QList<Message> messages;
    QList<Tool> tools;
    ToolChoice toolChoice;
    int maxTokens = 0; // 0: not given
    std::optional<double> temperature;
    std::optional<double> topP;
    std::optional<int> topK;
    QStringList stopSequences;
    bool stream = false;
    Thinking thinking;
    QJsonObject outputSchema; // structured output JSON schema, empty if none
    QString userId;
};

enum class StopReason { None, EndTurn, MaxTokens, StopSequence, ToolUse, Refusal, PauseTurn, ContextWindowExceeded };

// Token usage in one normalized convention: inputTokens excludes cache reads and writes; outputTokens includes
// reasoning. -1 means "not reported".
struct Usage
{
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    qint64 cacheReadTokens = -1;
    qint64 cacheWriteTokens = -1;
    qint64 reasoningTokens = -1;

    bool isEmpty() const { return inputTokens < 0 && outputTokens < 0 && cacheReadTokens < 0 && cacheWriteTokens < 0; }
    // Fields reported in `newer` replace ours (usage numbers are cumulative totals).
    void mergeFrom(const Usage& newer);
};

enum class ErrorType {
    InvalidRequest,
    Authentication,
    Billing,
    Permission,
    NotFound,
    RequestTooLarge,
    RateLimit,
    Api,
    Timeout,
    Overloaded,
    Conflict,
};

struct Error
{
    int httpStatus = 500;
    ErrorType type = ErrorType::Api;
    QString message;
    int retryAfterSeconds = -1; // -1: none
    bool shouldRetry = true; // false for errors no retry can fix (quota, billing)
    QString code; // a machine-readable reason of ours, e.g. "model_cooldown" (optional)
    QJsonObject details; // extra facts for the client (optional)

    static Error make(int status, ErrorType type, const QString& message)
    {
        Error e;
        e.httpStatus = status;
        e.type = type;
        e.message = message;
        return e;
    }
};

struct Response
{
    QString id;
    QString model;
    QList<Part> content;
    StopReason stopReason = StopReason::None;
    QString stopSequence;
    Usage usage;
};

// One step of a streamed answer, in the order the upstream produced it. Block bookkeeping (indexes, opening and
// closing blocks) is the downstream encoder's job; decoders only say what arrived.
struct StreamEvent
{
    enum class Type {
        MessageStart, // id, text = upstream model; usage may carry early input counts
        TextDelta, // text
        ReasoningDelta, // text
        ReasoningSignature, // text = opaque signature for the current reasoning block
        RedactedReasoning, // text = opaque data; a complete block
        ToolCallStart, // id, name
        ToolCallArgsDelta, // text = JSON fragment for the open tool call
        BlockEnd, // closes whatever block is open (separates two blocks of the same kind)
        OpaqueBlock, // raw = a complete Anthropic-only block
        UsageUpdate, // usage (cumulative)
        Finish, // stopReason, text = stop sequence, usage
        Failure, // error; terminal
    };
    Type type = Type::TextDelta;
    QString text;
    QString id;
    QString name;
    Usage usage;
    StopReason stopReason = StopReason::None;
    Error error;
    QJsonObject raw;

    static StreamEvent of(Type t, const QString& text = {})
    {
        StreamEvent e;
        e.type = t;
        e.text = text;
        return e;
    }
};

using StreamEvents = QList<StreamEvent>;

// Per-request facts shared by the encoder and decoder of one upstream exchange.
struct TranslationContext
{
    QString clientModel; // the model name the client asked for (reported back to it)
    QString upstreamModel; // the model the upstream is asked for
    QHash<QString, QString> toolNameToClient; // upstream tool name -> name the client declared
};

// Accumulates stream events into a complete response, following the Anthropic SDK's accumulation rules.
class ResponseAccumulator
{
public:
    void add(const StreamEvent& event);
    void add(const StreamEvents& events)
    {
        for (const auto& e : events)
            add(e);
    }
    bool failed() const { return m_failed; }
    bool finished() const { return m_finished; }
    const Error& error() const { return m_error; }
    Response take();

private:
    void closeOpen();
    Response m_response;
    QString m_args;
    int m_open = -1; // index into m_response.content of the open block
    bool m_failed = false;
    bool m_finished = false;
    Error m_error;
};

// The events that replay a complete response (used when the client streams but the upstream answered in one piece).
StreamEvents eventsFromResponse(const Response& response);

QString stopReasonName(StopReason reason);
StopReason stopReasonFromName(QStringView name);

} // namespace sy::canon
