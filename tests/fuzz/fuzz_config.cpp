// The config loader on arbitrary bytes: it must answer with a config or an error, never crash or hang.

#include "config/config.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char*>(data), qsizetype(size));
    const QHash<QString, QString> environment {{QStringLiteral("OPENAI_API_KEY"), QStringLiteral("sk-fuzz")}};
    const auto config = sy::parseConfig(input, environment);
    if (config.ok())
        (void)config->routes.size();
    return 0;
}
