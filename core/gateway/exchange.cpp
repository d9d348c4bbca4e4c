#include "exchange.h"

#include "common/jsonwriter.h"
#include "common/logging.h"
#include "protocol/anthropic/anthropicrequest.h"
#include "protocol/anthropic/anthropicresponse.h"
#include "protocol/openai-chat/openaichatrequest.h"
#include "protocol/openai-chat/openaichatresponse.h"
#include "protocol/openai-chat/openaichatstream.h"
#include "protocol/signature.h"
#include "protocol/tokencount.h"
#include "server/httpresponder.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>

namespace sy {

namespace {

const QByteArray JsonType = QByteArrayLiteral("application/json");

bool isHopByHop(QByteArrayView name)
{
    static const char* const names[] = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length", "expect", "accept-encoding",
        "x-api-key", "authorization"};
    for (const char* n : names) {
        if (name.compare(QByteArrayView(n), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QString newRequestId()
{
    return QStringLiteral("req_sy_") + anthropic::newMessageId().mid(4);
}

// The first usable credential of a provider, or an empty key. (Pools and strategies come with routing.)
int pickCredential(const ProviderConfig& p)
{
    for (int i = 0; i < p.credentials.size(); ++i) {
        if (!p.credentials.at(i).apiKey.isEmpty())
            return i;
    }
    return -1;
}

// Replaces the value of the top-level "model" key in a JSON object without touching any other byte.
bool spliceTopLevelModel(QByteArray& body, const QString& model)
{
    int depth = 0;
    bool inString = false;
    const qsizetype n = body.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = body.at(i);
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == '"') {
            if (depth == 1 && body.mid(i, 7) == "\"model\"") {
                qsizetype j = i + 7;
                while (j < n && (body.at(j) == ' ' || body.at(j) == '\t' || body.at(j) == '\n' || body.at(j) == '\r'))
                    ++j;
                if (j < n && body.at(j) == ':') {
                    ++j;
                    while (
                        j < n && (body.at(j) == ' ' || body.at(j) == '\t' || body.at(j) == '\n' || body.at(j) == '\r'))
                        ++j;
                    if (j < n && body.at(j) == '"') {
                        qsizetype k = j + 1;
                        while (k < n && body.at(k) != '"') {
                            if (body.at(k) == '\\')
                                ++k;
                            ++k;
                        }
                        QByteArray value;
                        appendJsonString(value, model);
                        body.replace(j, k + 1 - j, value);
                        return true;
                    }
                }
            }
            inString = true;
        }
    }
    return false;
}

// Thinking blocks signed by Switchyard (or unsigned) are rejected by Anthropic: remove them from the history.
bool stripForeignThinking(QJsonObject& root)
{
    bool changed = false;
    QJsonArray messages = root.value(QLatin1String("messages")).toArray();
    for (int i = 0; i < messages.size(); ++i) {
        QJsonObject m = messages.at(i).toObject();
        if (!m.value(QLatin1String("content")).isArray())
            continue;
        QJsonArray content = m.value(QLatin1String("content")).toArray();
        QJsonArray kept;
        for (const QJsonValue& b : content) {
            const QJsonObject bo = b.toObject();
            if (bo.value(QLatin1String("type")).toString() == QLatin1String("thinking")
                && canon::signatureOrigin(bo.value(QLatin1String("signature")).toString())
                    != canon::SignatureOrigin::Anthropic) {
                changed = true;
                continue;
            }
            kept.append(b);
        }
        if (kept.size() != content.size()) {
            m.insert(QLatin1String("content"), kept);
            messages.replace(i, m);
        }
    }
    if (changed)
        root.insert(QLatin1String("messages"), messages);
    return changed;
}

// Claude ids that Claude Code sends for its aliases; listed by /v1/models when a route accepts them.
const char* const KnownClaudeModels[] = {"claude-opus-4-8", "claude-sonnet-5", "claude-haiku-4-5-20251001",
    "claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-fable-5"};

} // namespace

Exchange::Exchange(GatewayEnvironment env, const HttpRequest& request, HttpResponder* responder, QObject* parent)
    : QObject(parent)
    , m_env(std::move(env))
    , m_request(request)
    , m_responder(responder)
{
    m_clock.start();
    m_record.requestId = newRequestId();
    m_record.startedAt = QDateTime::currentDateTimeUtc();
    m_record.method = QString::fromLatin1(request.method);
    m_record.path = QString::fromLatin1(request.path);
    m_record.userAgent = QString::fromUtf8(request.header("user-agent")).left(200);
    connect(responder, &HttpResponder::clientDisconnected, this, &Exchange::onClientGone);
}

Exchange::~Exchange()
{
    if (m_call)
        m_call->abort();
}

void Exchange::run()
{
    const QByteArray& path = m_request.path;
    const QByteArray& method = m_request.method;
    auto methodNotAllowed = [this](const char* allowed) {
        canon::Error e = canon::Error::make(405, canon::ErrorType::InvalidRequest,
            QStringLiteral("method %1 is not allowed on %2 (use %3)")
                .arg(QString::fromLatin1(m_request.method), QString::fromLatin1(m_request.path),
                    QLatin1String(allowed)));
        sendError(e);
    };
    if (path == "/v1/messages") {
        if (method != "POST")
            return methodNotAllowed("POST");
        return handleMessages(false);
    }
    if (path == "/v1/messages/count_tokens") {
        if (method != "POST")
            return methodNotAllowed("POST");
        return handleMessages(true);
    }
    if (path == "/v1/models" || path.startsWith("/v1/models/")) {
        if (method != "GET")
            return methodNotAllowed("GET");
        return handleModels(path.size() > 11 ? path.mid(11) : QByteArray());
    }
    if (path == "/" || path == "/health") {
        if (method != "GET" && method != "HEAD")
            return methodNotAllowed("GET");
        QByteArray body = R"({"status":"ok","service":"switchyard","version":")" SWITCHYARD_VERSION R"("})";
        return respondJson(200, body);
    }
    sendError(canon::Error::make(404, canon::ErrorType::NotFound,
        QStringLiteral("no endpoint %1 %2 (Switchyard serves POST /v1/messages, "
                       "POST /v1/messages/count_tokens, GET /v1/models, GET /health)")
            .arg(QString::fromLatin1(method), QString::fromLatin1(path))));
}

void Exchange::handleModels(const QByteArray& id)
{
    QJsonArray data;
    QStringList seen;
    auto add = [&](const QString& model) {
        if (seen.contains(model, Qt::CaseInsensitive))
            return;
        const auto resolved = m_env.router->resolve(model);
        if (!resolved.ok())
            return;
        seen.append(model);
        QJsonObject o;
        o.insert(QLatin1String("type"), QStringLiteral("model"));
        o.insert(QLatin1String("id"), model);
        o.insert(QLatin1String("display_name"), model);
        o.insert(QLatin1String("created_at"), QStringLiteral("2025-01-01T00:00:00Z"));
        const ResolvedTarget& t = resolved->first();
        const ModelProfile profile = t.provider->profileFor(t.upstreamModel);
        if (profile.contextWindow > 0)
            o.insert(QLatin1String("max_input_tokens"), profile.contextWindow);
        if (profile.maxOutputTokens > 0)
            o.insert(QLatin1String("max_tokens"), profile.maxOutputTokens);
        data.append(o);
    };
    for (const char* m : KnownClaudeModels)
        add(QString::fromLatin1(m));
    for (const RouteRule& r : m_env.config->routes) {
        if (!r.match.contains(QLatin1Char('*')) && !r.match.contains(QLatin1Char('?')))
            add(r.match);
    }
    for (const ProviderConfig& p : m_env.config->providers) {
        for (const ModelProfile& m : p.models)
            add(m.id);
    }
    if (!id.isEmpty()) {
        const QString wanted = QString::fromUtf8(QByteArray::fromPercentEncoding(id));
        for (const QJsonValue& v : data) {
            if (v.toObject().value(QLatin1String("id")).toString() == wanted)
                return respondJson(200, compactJson(v.toObject()));
        }
        if (m_env.router->matches(wanted)) {
            QJsonObject o {{QLatin1String("type"), QStringLiteral("model")}, {QLatin1String("id"), wanted},
                {QLatin1String("display_name"), wanted},
                {QLatin1String("created_at"), QStringLiteral("2025-01-01T00:00:00Z")}};
            return respondJson(200, compactJson(o));
        }
        return sendError(canon::Error::make(
            404, canon::ErrorType::NotFound, QStringLiteral("model \"%1\" is not routed by this gateway").arg(wanted)));
    }
    QJsonObject list;
    list.insert(QLatin1String("data"), data);
    list.insert(QLatin1String("has_more"), false);
    list.insert(
        QLatin1String("first_id"), data.isEmpty() ? QJsonValue() : data.first().toObject().value(QLatin1String("id")));
    list.insert(
        QLatin1String("last_id"), data.isEmpty() ? QJsonValue() : data.last().toObject().value(QLatin1String("id")));
    respondJson(200, compactJson(list));
}

void Exchange::handleMessages(bool countTokens)
{
    auto decoded = anthropic::decodeRequest(
        m_request.body, countTokens ? anthropic::RequestKind::CountTokens : anthropic::RequestKind::Messages);
    if (!decoded.ok())
        return sendError(decoded.error());
    m_canonical = std::move(decoded.value());
    m_record.clientModel = m_canonical.model;
    m_record.stream = m_canonical.stream && !countTokens;
    m_clientStream = m_record.stream;

    auto resolved = m_env.router->resolve(m_canonical.model);
    if (!resolved.ok())
        return sendError(canon::Error::make(404, canon::ErrorType::NotFound, resolved.error()));
    const ResolvedTarget target = resolved->first();
    m_record.providerId = target.provider->id;
    m_record.upstreamModel = target.upstreamModel;
    m_upstreamKind = target.provider->kind;

    if (target.provider->kind == ProviderKind::Anthropic)
        return startPassthrough(target, QJsonDocument::fromJson(m_request.body), countTokens);

    if (countTokens) {
        const qint64 n = estimateRequestTokens(m_canonical);
        return respondJson(200, R"({"input_tokens":)" + QByteArray::number(n) + '}');
    }
    startTranslated(target);
}

void Exchange::startPassthrough(const ResolvedTarget& target, QJsonDocument doc, bool countTokens)
{
    m_mode = countTokens ? Mode::CountTokensPassthrough : Mode::Passthrough;
    QByteArray body = m_request.body;
    QJsonObject root = doc.object();
    if (stripForeignThinking(root)) {
        // Only histories that crossed providers get here; everything else goes out byte for byte.
        root.insert(QLatin1String("model"), target.upstreamModel);
        body = QJsonDocument(root).toJson(QJsonDocument::Compact);
    } else if (target.upstreamModel != m_canonical.model) {
        spliceTopLevelModel(body, target.upstreamModel);
    }

    UpstreamRequest req;
    QString url = target.provider->baseUrl
        + (countTokens ? QLatin1String("/v1/messages/count_tokens") : QLatin1String("/v1/messages"));
    if (!m_request.query.isEmpty())
        url += QLatin1Char('?') + QString::fromLatin1(m_request.query);
    req.url = QUrl(url);
    bool hasVersion = false;
    for (const auto& h : m_request.headers) {
        if (isHopByHop(h.first))
            continue;
        if (QByteArrayView(h.first).compare("anthropic-version", Qt::CaseInsensitive) == 0)
            hasVersion = true;
        req.headers.append(h);
    }
    if (!hasVersion)
        req.headers.append(qMakePair(QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("2023-06-01")));
    const int cred = pickCredential(*target.provider);
    if (cred >= 0) {
        const QByteArray key = target.provider->credentials.at(cred).apiKey.toUtf8();
        if (key.startsWith("sk-ant-oat"))
            req.headers.append({"authorization", "Bearer " + key});
        else
            req.headers.append({"x-api-key", key});
        m_record.credentialIndex = cred;
    } else if (!target.provider->credentials.isEmpty()) {
        return sendError(canon::Error::make(401, canon::ErrorType::Authentication,
            QStringLiteral("provider \"%1\" has no usable credential (is its environment "
                           "variable set?)")
                .arg(target.provider->id)));
    } else {
        // No credentials configured: the client's own key or subscription token goes through.
        const QByteArray apiKey = m_request.header("x-api-key");
        const QByteArray auth = m_request.header("authorization");
        if (!apiKey.isEmpty())
            req.headers.append({"x-api-key", apiKey});
        if (!auth.isEmpty())
            req.headers.append({"authorization", auth});
    }
    for (const auto& h : target.provider->extraHeaders)
        req.headers.append(h);
    req.body = body;
    req.idleTimeoutMs = target.provider->idleTimeoutMs;
    req.totalTimeoutMs = target.provider->totalTimeoutMs;
    m_relay = std::make_unique<anthropic::StreamRelay>();
    sendUpstream(req);
}

void Exchange::startTranslated(const ResolvedTarget& target)
{
    m_mode = Mode::Translated;
    const ModelProfile profile = target.provider->profileFor(target.upstreamModel);
    m_ctx.clientModel = m_canonical.model;
    m_ctx.upstreamModel = target.upstreamModel;
    UpstreamRequest req;
    req.body = openaichat::encodeRequest(m_canonical, profile, m_ctx);
    req.url = QUrl(target.provider->baseUrl + QLatin1String("/chat/completions"));
    req.headers.append(qMakePair(QByteArrayLiteral("content-type"), JsonType));
    req.headers.append(
        qMakePair(QByteArrayLiteral("accept"), m_canonical.stream ? QByteArrayLiteral("text/event-stream") : JsonType));
    const int cred = pickCredential(*target.provider);
    if (cred >= 0) {
        req.headers.append({"authorization", "Bearer " + target.provider->credentials.at(cred).apiKey.toUtf8()});
        m_record.credentialIndex = cred;
    } else if (!target.provider->credentials.isEmpty()) {
        return sendError(canon::Error::make(401, canon::ErrorType::Authentication,
            QStringLiteral("provider \"%1\" has no usable credential (is its environment "
                           "variable set?)")
                .arg(target.provider->id)));
    }
    for (const auto& h : target.provider->extraHeaders)
        req.headers.append(h);
    req.idleTimeoutMs = target.provider->idleTimeoutMs;
    req.totalTimeoutMs = target.provider->totalTimeoutMs;
    // message_start carries 0 input tokens; the upstream's real count follows in message_delta (which clients use).
    m_encoder = std::make_unique<anthropic::SseEncoder>(m_canonical.model, 0);
    sendUpstream(req);
}

void Exchange::sendUpstream(const UpstreamRequest& request)
{
    if (!m_responder)
        return complete();
    UpstreamCall* call = m_env.upstream->send(request, this);
    m_call = call;
    connect(call, &UpstreamCall::responseStarted, this, &Exchange::onUpstreamStarted);
    connect(call, &UpstreamCall::dataReceived, this, &Exchange::onUpstreamData);
    connect(call, &UpstreamCall::finished, this, &Exchange::onUpstreamFinished);
    if (m_clientStream && m_env.keepAliveIntervalMs > 0) {
        m_keepAlive = new QTimer(this);
        m_keepAlive->setInterval(m_env.keepAliveIntervalMs);
        connect(m_keepAlive, &QTimer::timeout, this, &Exchange::onKeepAlive);
        m_keepAlive->start();
    }
}

void Exchange::onUpstreamStarted(int status)
{
    m_upstreamStatus = status;
    m_upstreamOk = status >= 200 && status < 300;
    const QByteArray contentType = m_call ? m_call->responseHeader("content-type").toLower() : QByteArray();
    if (m_call) {
        m_upstreamRetryAfter = m_call->responseHeader("retry-after");
        if (m_upstreamRetryAfter.isEmpty() && !m_call->responseHeader("retry-after-ms").isEmpty())
            m_upstreamRetryAfter
                = QByteArray::number((m_call->responseHeader("retry-after-ms").toLongLong() + 999) / 1000);
        for (const auto& h : m_call->responseHeaders()) {
            const QByteArray name = h.first.toLower();
            if (name == "retry-after" || name == "x-should-retry" || name.startsWith("anthropic-ratelimit-")
                || name == "request-id")
                m_upstreamHeaders.append({name == "request-id" ? QByteArray("upstream-request-id") : name, h.second});
        }
    }
    m_upstreamStreaming = m_upstreamOk && contentType.contains("text/event-stream");
    if (!m_upstreamStreaming)
        return; // buffered until the upstream finishes
    if (m_mode == Mode::Passthrough) {
        if (m_clientStream)
            beginClientStream();
    } else if (m_mode == Mode::Translated) {
        m_chatDecoder = std::make_unique<openaichat::StreamDecoder>(m_ctx);
    }
}

void Exchange::onUpstreamData(const QByteArray& data)
{
    if (m_done)
        return;
    if (m_record.firstByteMs < 0)
        m_record.firstByteMs = m_clock.elapsed();
    if (!m_upstreamStreaming) {
        if (m_upstreamBody.size() + data.size() > 256 * 1024 * 1024) {
            if (m_call)
                m_call->abort();
            return;
        }
        m_upstreamBody.append(data);
        return;
    }
    if (m_mode == Mode::Passthrough) {
        QByteArray out;
        m_relay->feed(data, out);
        if (m_clientStream) {
            writeClient(out);
            if (m_relay->done())
                complete();
        } else {
            m_pending.append(out);
        }
        return;
    }
    canon::StreamEvents events;
    m_chatDecoder->feed(data, events);
    processEvents(events);
}

void Exchange::processEvents(canon::StreamEvents& events)
{
    if (m_done || events.isEmpty())
        return;
    if (!m_clientStream) {
        m_accumulator.add(events);
        if (m_accumulator.failed()) {
            sendError(m_accumulator.error());
        } else if (m_accumulator.finished()) {
            canon::Response r = m_accumulator.take();
            m_record.usage = r.usage;
            m_record.stopReason = r.stopReason;
            respondJson(200, anthropic::encodeResponse(r, m_canonical.model));
        }
        return;
    }
    const bool headersSent = m_responder && m_responder->headersSent();
    QByteArray out;
    for (const canon::StreamEvent& e : std::as_const(events)) {
        if (!headersSent && !(m_responder && m_responder->headersSent())) {
            if (e.type == canon::StreamEvent::Type::Failure) {
                // Nothing went to the client yet: a real HTTP error is more useful than an SSE error event.
                m_pending.clear();
                sendError(e.error);
                return;
            }
            const bool content
                = e.type != canon::StreamEvent::Type::MessageStart && e.type != canon::StreamEvent::Type::UsageUpdate;
            m_encoder->encode(e, m_pending);
            if (content) {
                beginClientStream();
                writeClient(std::exchange(m_pending, QByteArray()));
            }
            continue;
        }
        m_encoder->encode(e, out);
    }
    if (!out.isEmpty())
        writeClient(out);
    if (m_encoder->finished()) {
        m_record.usage = m_encoder->usage();
        m_record.stopReason = m_encoder->stopReason();
        if (m_encoder->failed() && m_record.errorType.isEmpty())
            m_record.errorType = QStringLiteral("api_error");
        complete();
    }
}

void Exchange::onUpstreamFinished(UpstreamCall::Outcome outcome, const QString& errorString)
{
    m_call = nullptr;
    if (m_done)
        return;
    if (outcome != UpstreamCall::Outcome::Completed) {
        const canon::Error e = errorForOutcome(outcome, errorString);
        qCInfo(lcGateway).noquote() << m_record.requestId << "upstream" << m_record.providerId
                                    << "failed:" << e.message;
        if (m_responder && m_responder->headersSent()) {
            QByteArray out;
            if (m_mode == Mode::Passthrough) {
                m_relay->finish(out); // turns the cut into an error event
            } else {
                m_encoder->fail(e, out);
            }
            m_record.errorType = anthropic::errorTypeName(e.type);
            m_record.errorMessage = e.message;
            writeClient(out);
            complete();
        } else {
            sendError(e);
        }
        return;
    }
    if (m_upstreamStreaming) {
        if (m_mode == Mode::Passthrough) {
            QByteArray out;
            m_relay->finish(out);
            m_record.usage = m_relay->usage();
            m_record.stopReason = m_relay->stopReason();
            if (m_clientStream) {
                writeClient(out);
            } else {
                // The client wanted JSON but the upstream streamed: accumulate the relayed stream.
                m_pending.append(out);
                anthropic::StreamDecoder decoder;
                canon::StreamEvents events;
                decoder.feed(m_pending, events);
                decoder.finish(events);
                canon::ResponseAccumulator acc;
                acc.add(events);
                if (acc.failed())
                    return sendError(acc.error());
                return respondJson(200, anthropic::encodeResponse(acc.take(), m_canonical.model));
            }
            return complete();
        }
        canon::StreamEvents events;
        m_chatDecoder->finish(events);
        processEvents(events);
        if (!m_done) {
            // The decoder always ends in Finish or Failure; this is only a guard.
            canon::StreamEvents tail {canon::StreamEvent::of(canon::StreamEvent::Type::Failure)};
            tail.first().error
                = canon::Error::make(502, canon::ErrorType::Api, QStringLiteral("upstream stream ended prematurely"));
            processEvents(tail);
        }
        return;
    }
    finishBufferedUpstream();
}

void Exchange::finishBufferedUpstream()
{
    const int status = m_upstreamStatus;
    const QByteArray body = std::exchange(m_upstreamBody, QByteArray());
    if (m_mode == Mode::Passthrough || m_mode == Mode::CountTokensPassthrough) {
        if (m_upstreamOk) {
            if (m_mode == Mode::Passthrough) {
                auto decoded = anthropic::decodeResponse(body);
                if (decoded.ok()) {
                    m_record.usage = decoded->usage;
                    m_record.stopReason = decoded->stopReason;
                    if (m_clientStream) {
                        // The upstream ignored stream:true; give the client the stream it asked for.
                        m_encoder = std::make_unique<anthropic::SseEncoder>(m_canonical.model, 0);
                        canon::StreamEvents events = canon::eventsFromResponse(*decoded);
                        return processEvents(events);
                    }
                }
            }
            return respondJson(status, body, m_upstreamHeaders);
        }
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        const canon::Error e = anthropic::decodeError(status, body);
        if (o.value(QLatin1String("type")).toString() == QLatin1String("error")) {
            // Already in the client's shape: relay it as it is.
            m_record.errorType = anthropic::errorTypeName(e.type);
            m_record.errorMessage = e.message;
            return respondJson(status, body, m_upstreamHeaders);
        }
        canon::Error wrapped = e;
        wrapped.message = QStringLiteral("provider %1: %2").arg(m_record.providerId, e.message);
        return sendError(wrapped);
    }
    if (!m_upstreamOk) {
        canon::Error e = openaichat::decodeError(status, body, m_upstreamRetryAfter);
        e.message = QStringLiteral("provider %1: %2").arg(m_record.providerId, e.message);
        return sendError(e);
    }
    auto decoded = openaichat::decodeResponse(body, m_ctx);
    if (!decoded.ok()) {
        canon::Error e = decoded.error();
        e.message = QStringLiteral("provider %1: %2").arg(m_record.providerId, e.message);
        return sendError(e);
    }
    canon::StreamEvents events = canon::eventsFromResponse(*decoded);
    processEvents(events);
}

void Exchange::onClientGone()
{
    if (m_done)
        return;
    qCInfo(lcGateway).noquote() << m_record.requestId << "client disconnected; upstream request aborted";
    m_record.errorType = QStringLiteral("client_disconnected");
    m_record.status = 499;
    m_responder = nullptr;
    QPointer<UpstreamCall> call = m_call;
    complete();
    if (call)
        call->abort();
}

void Exchange::onKeepAlive()
{
    if (m_done || !m_clientStream)
        return;
    if (m_responder && m_responder->headersSent()) {
        QByteArray out;
        if (m_mode == Mode::Translated)
            m_encoder->ping(out);
        else if (m_mode == Mode::Passthrough)
            out = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
        writeClient(out);
    } else if (m_mode == Mode::Translated && m_upstreamStreaming) {
        // The upstream accepted the request but is still thinking: commit to the stream so the client sees life.
        beginClientStream();
        QByteArray out = std::exchange(m_pending, QByteArray());
        m_encoder->encode(canon::StreamEvent::of(canon::StreamEvent::Type::MessageStart), out);
        m_encoder->ping(out);
        writeClient(out);
    }
}

void Exchange::beginClientStream()
{
    if (!m_responder || m_responder->headersSent())
        return;
    m_record.status = 200;
    m_responder->beginStream(200,
        {{"content-type", "text/event-stream; charset=utf-8"}, {"cache-control", "no-cache"},
            {"request-id", m_record.requestId.toLatin1()}});
}

void Exchange::writeClient(const QByteArray& bytes)
{
    if (m_responder && !bytes.isEmpty())
        m_responder->writeChunk(bytes);
}

void Exchange::respondJson(int status, const QByteArray& body, const HeaderList& extra)
{
    if (!m_responder || m_done)
        return complete();
    HeaderList headers {{"content-type", JsonType}, {"request-id", m_record.requestId.toLatin1()}};
    headers += extra;
    m_record.status = status;
    m_responder->respond(status, headers, body);
    complete();
}

void Exchange::sendError(const canon::Error& error)
{
    if (m_done)
        return;
    if (m_call)
        m_call->abort();
    m_record.errorType = anthropic::errorTypeName(error.type);
    m_record.errorMessage = error.message;
    if (m_responder && m_responder->headersSent()) {
        QByteArray out;
        if (m_encoder)
            m_encoder->fail(error, out);
        writeClient(out);
        return complete();
    }
    HeaderList extra;
    if (error.retryAfterSeconds >= 0)
        extra.append({"retry-after", QByteArray::number(error.retryAfterSeconds)});
    if (!error.shouldRetry)
        extra.append(qMakePair(QByteArrayLiteral("x-should-retry"), QByteArrayLiteral("false")));
    respondJson(error.httpStatus, anthropic::encodeError(error, m_record.requestId), extra);
}

canon::Error Exchange::errorForOutcome(UpstreamCall::Outcome outcome, const QString& errorString) const
{
    const QString provider = m_record.providerId;
    switch (outcome) {
    case UpstreamCall::Outcome::IdleTimeout:
        return canon::Error::make(504, canon::ErrorType::Timeout,
            QStringLiteral("provider %1 sent nothing for too long (idle timeout)").arg(provider));
    case UpstreamCall::Outcome::TotalTimeout:
        return canon::Error::make(504, canon::ErrorType::Timeout,
            QStringLiteral("provider %1 did not finish within the deadline").arg(provider));
    case UpstreamCall::Outcome::Interrupted:
        return canon::Error::make(502, canon::ErrorType::Api,
            QStringLiteral("connection to provider %1 broke mid-response: %2").arg(provider, errorString));
    case UpstreamCall::Outcome::ConnectionError:
        return canon::Error::make(
            502, canon::ErrorType::Api, QStringLiteral("cannot reach provider %1: %2").arg(provider, errorString));
    case UpstreamCall::Outcome::Aborted:
    case UpstreamCall::Outcome::Completed:
        break;
    }
    return canon::Error::make(
        500, canon::ErrorType::Api, QStringLiteral("upstream request to %1 was aborted").arg(provider));
}

void Exchange::complete()
{
    if (m_done)
        return;
    m_done = true;
    if (m_keepAlive)
        m_keepAlive->stop();
    if (m_responder && m_responder->headersSent() && !m_responder->finished())
        m_responder->endStream();
    m_record.totalMs = m_clock.elapsed();
    qCInfo(lcGateway).noquote() << m_record.requestId << m_record.method << m_record.path << m_record.clientModel
                                << "->"
                                << (m_record.providerId.isEmpty()
                                           ? QStringLiteral("-")
                                           : m_record.providerId + QLatin1Char('/') + m_record.upstreamModel)
                                << m_record.status << m_record.errorType
                                << QStringLiteral("%1 ms").arg(m_record.totalMs);
    Q_EMIT completed(m_record);
    deleteLater();
}

} // namespace sy
