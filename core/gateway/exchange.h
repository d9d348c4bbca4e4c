#pragma once

#include "accounts/credentialmanager.h"
#include "common/clock.h"
#include "config/config.h"
#include "oauth/oauthprovider.h"
#include "gateway/requestrecord.h"
#include "protocol/anthropic/anthropicrelay.h"
#include "protocol/anthropic/anthropicsse.h"
#include "protocol/canonical.h"
#include "routing/router.h"
#include "server/httprequest.h"
#include "upstream/upstreamclient.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace sy {

class HttpResponder;

class UpstreamAdapter;
class AccountManager;
class InboundAdapter;
class DownstreamEncoder;
class UpstreamStreamDecoder;

// What every exchange needs from the gateway; owned by GatewayService, replaced as a whole on config reload.
struct GatewayEnvironment
{
    std::shared_ptr<const Config> config;
    std::shared_ptr<const Router> router;
    UpstreamClient* upstream = nullptr;
    CredentialManager* credentials = nullptr; // pools and cooldowns; outlives config reloads
    AccountManager* accounts = nullptr; // OAuth accounts' tokens; may be null (no accounts)
    class BudgetGuard* budget = nullptr; // request/token/spend limits; may be null
    const class UsageLog* usage = nullptr; // the usage log, for /switchyard/v1/usage; may be null
    // Logs a finished request once (usage log, budgets). Returns a usage-log ticket to wait for before the answer's
    // last bytes go out (see UsageLog::record), or 0 when nothing needs waiting for. Called on the exchange's thread.
    std::function<quint64(const RequestRecord&)> logFinished;
    const Clock* clock = nullptr;
    int keepAliveIntervalMs = 10000;
    QHostAddress listenAddress; // where the server listens (a Host header naming it is accepted)
};

// A fresh request id ("req_sy_..."), as clients see it in the request-id header and the usage log.
QString newRequestId();

// One client request from arrival to the last byte of its answer: decode, route, call the upstream (byte-exact
// relay for the same dialect, translation through the canonical model otherwise), answer, and report one record.
class Exchange : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Exchange)
public:
    Exchange(GatewayEnvironment env, const HttpRequest& request, HttpResponder* responder, QObject* parent = nullptr);
    ~Exchange() override;
    void run();

Q_SIGNALS:
    void completed(const sy::RequestRecord& record);

private:
    enum class Mode { None, Passthrough, Translated, CountTokensPassthrough, RawRelay };

    void handleMessages(bool countTokens);
    // Decodes the client's body into m_canonical (false after answering the error).
    bool decodeClientRequest();
    void releaseCanonicalBulk();
    void handleModels(const QByteArray& id);
    QString affinityKey() const;
    void resetAttempt();
    void startNextAttempt();
    void startWithAccount(const QString& accountId);
    void onAccountLease(bool loaded, bool ok, const OAuthProviderSpec& spec, const QJsonObject& meta,
        const QString& token, const QString& error);
    // Host and Origin checks (DNS rebinding, CSRF) and CORS preflights: false after answering.
    bool admitCaller();
    // Gateway keys (when configured): false after answering 401.
    bool authorizeClient();
    // Limits and budgets: false after answering 429.
    bool admitByBudget();
    void handleUsage(bool csv);
    void dispatchAttempt();
    HeaderList accountHeaders() const;
    void recordSkip(const ResolvedTarget& target, const QString& why);
    void endAttempt(const QString& outcome, const QString& error);
    // Before the first byte reached the client: note the failure (cooldowns) and move along the chain.
    // Returns false when the error is the client's (other 4xx) or bytes were already sent.
    bool tryFailover(FailureKind kind, int status, const QByteArray& body, const canon::Error& error);
    void finishExhausted();
    void startPassthrough();
    void startTranslated();
    void startRawRelay();
    void sendUpstream(const UpstreamRequest& request);

    void onUpstreamStarted(int status);
    void onUpstreamData(const QByteArray& data);
    void onUpstreamFinished(UpstreamCall::Outcome outcome, const QString& errorString);
    void onClientGone();
    void onKeepAlive();

    void processEvents(canon::StreamEvents& events);
    void finishBufferedUpstream();
    void beginClientStream(const QByteArray& contentType = {});
    void writeClient(const QByteArray& bytes);

    void respondJson(int status, const QByteArray& body, const HeaderList& extra = {});
    // Answers with a whole response (sent by complete(), once the request is logged).
    void respondWhole(int status, const HeaderList& headers, const QByteArray& body);
    void sendError(const canon::Error& error);
    canon::Error errorForOutcome(UpstreamCall::Outcome outcome, const QString& errorString) const;
    // Ends the request: logs it once, then (when the log is committed) sends the held answer or ends the stream.
    void complete();
    void release();

    GatewayEnvironment m_env;
    HttpRequest m_request;
    QPointer<HttpResponder> m_responder;
    QPointer<UpstreamCall> m_call;
    QTimer* m_keepAlive = nullptr;
    QElapsedTimer m_clock;
    RequestRecord m_record;
    Mode m_mode = Mode::None;

    // routing and failover state
    RouteDecision m_decision;
    ResolvedTarget m_target;
    int m_targetIndex = -1;
    int m_triesOnTarget = 0;
    bool m_advanceTarget = false;
    int m_credIndex = -2;
    // The OAuth account of this attempt (null for API keys): its login provider, id, metadata and token.
    const OAuthProviderSpec* m_account = nullptr; // points at m_accountSpec when set
    OAuthProviderSpec m_accountSpec;
    QString m_accountId;
    QJsonObject m_accountMeta;
    QByteArray m_accountToken;
    int m_minContextWindow = -1; // after a context overflow: only larger windows
    QString m_affinity;
    bool m_countTokens = false;
    bool m_clientKeyIsGatewayKey = false; // the client's key was ours: never forward it
    QString m_geminiModel; // Gemini inbound: the model comes from the path
    bool m_geminiStream = false;
    bool m_geminiModelList = false;
    bool m_bodyEdited = false; // the request changed (subagent tag removed): no byte-exact relay
    QJsonObject m_rootJson;
    canon::Error m_lastError;
    QElapsedTimer m_attemptClock;
    HeaderList m_upstreamHeaderList;

    // translation state
    canon::Request m_canonical;
    bool m_canonicalReleased = false; // its conversation was dropped after encoding (decoded again on failover)
    QString m_subagentModel;
    canon::TranslationContext m_ctx;
    bool m_clientStream = false;
    bool m_upstreamStreaming = false;
    bool m_upstreamOk = false;
    int m_upstreamStatus = 0;
    QByteArray m_upstreamRetryAfter;
    HeaderList m_upstreamHeaders; // upstream headers worth relaying to the client (retry-after, rate limits)
    QByteArray m_upstreamBody; // buffered upstream answer (errors, non-streamed answers)
    const class UpstreamAdapter* m_adapter = nullptr;
    std::unique_ptr<class UpstreamStreamDecoder> m_streamDecoder;
    std::unique_ptr<anthropic::StreamRelay> m_relay;
    const class InboundAdapter* m_inbound = nullptr;
    std::unique_ptr<class DownstreamEncoder> m_encoder;
    canon::ResponseAccumulator m_accumulator;
    QByteArray m_pending; // client bytes held until the answer is known to be good
    // The whole answer, held by complete() until its usage row is committed.
    struct HeldAnswer
    {
        int status = 0;
        HeaderList headers;
        QByteArray body;
    };
    std::optional<HeldAnswer> m_held;
    quint64 m_logTicket = 0;
    bool m_released = false;
    bool m_done = false;
};

} // namespace sy
