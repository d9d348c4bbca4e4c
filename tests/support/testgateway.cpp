#include "testgateway.h"

#include "config/config.h"

std::unique_ptr<sy::GatewayService> startTestGateway(
    const QByteArray& config, QList<sy::RequestRecord>* records, QString* error)
{
    auto parsed = sy::parseConfig(config, {});
    if (!parsed.ok()) {
        *error = parsed.error();
        return nullptr;
    }
    auto gateway = std::make_unique<sy::GatewayService>();
    gateway->setConfig(*parsed);
    gateway->setListenOverride(QHostAddress::LocalHost, 0);
    gateway->setKeepAliveInterval(0);
    QObject::connect(gateway.get(), &sy::GatewayService::requestCompleted, gateway.get(),
        [records](const sy::RequestRecord& r) { records->append(r); });
    if (!gateway->start(error))
        return nullptr;
    return gateway;
}
