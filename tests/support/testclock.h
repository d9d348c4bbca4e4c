#pragma once

#include "common/clock.h"

// A manually driven clock for tests: time only moves when the test says so.
class TestClock : public sy::Clock
{
public:
    explicit TestClock(qint64 now = 1'700'000'000'000) // 2023-11-14T22:13:20Z
        : m_now(now)
    {
    }
    qint64 nowMs() const override { return m_now; }
    void advance(qint64 ms) { m_now += ms; }
    void set(qint64 now) { m_now = now; }

private:
    qint64 m_now;
};
