#include "logging.h"

Q_LOGGING_CATEGORY(lcServer, "switchyard.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGateway, "switchyard.gateway", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProtocol, "switchyard.protocol", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUpstream, "switchyard.upstream", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "switchyard.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRouting, "switchyard.routing", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOAuth, "switchyard.oauth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAccounts, "switchyard.accounts", QtInfoMsg)
