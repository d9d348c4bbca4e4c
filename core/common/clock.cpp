#include "common/clock.h"

#include <QDateTime>

namespace sy {

Clock::~Clock() = default;

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

Clock& systemClock()
{
    static SystemClock clock;
    return clock;
}

} // namespace sy
