#pragma once

#include <QtGlobal>

namespace sy {

// Wall-clock time in milliseconds since the Unix epoch, injectable so that cooldown logic can be tested without
// sleeping. Implementations must be cheap; nowMs() is called on every credential pick.
class Clock
{
public:
    virtual ~Clock();
    virtual qint64 nowMs() const = 0;
};

class SystemClock : public Clock
{
public:
    qint64 nowMs() const override;
};

// The process-wide system clock.
Clock& systemClock();

} // namespace sy
