#pragma once

#include <QString>

#include <cstdio>

namespace sy::cli {

// A line on standard output, flushed (an interactive login waits for input right after it).
inline void out(const QString& text)
{
    std::fputs(qPrintable(text + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

// "switchyard: <text>" on standard error.
inline void err(const QString& text)
{
    std::fputs(qPrintable(QStringLiteral("switchyard: ") + text + QLatin1Char('\n')), stderr);
}

} // namespace sy::cli
