#pragma once

#include "gateway/gatewayservice.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

// A GatewayService for integration tests: runs `config` (JSON), listens on 127.0.0.1:0, sends no keep-alive pings
// and appends every finished request's record to `records` (which must outlive the gateway). Null, with the reason
// in `error`, when the config is invalid or the gateway cannot listen.
std::unique_ptr<sy::GatewayService> startTestGateway(
    const QByteArray& config, QList<sy::RequestRecord>* records, QString* error);
