#include "httprequest.h"

namespace sy {

namespace {

constexpr char toLowerAscii(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
}

} // namespace

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b) noexcept
{
    if (a.size() != b.size())
        return false;
    const char* pa = a.data();
    const char* pb = b.data();
    for (qsizetype i = 0, n = a.size(); i < n; ++i) {
        if (pa[i] != pb[i] && toLowerAscii(pa[i]) != toLowerAscii(pb[i]))
            return false;
    }
    return true;
}

QByteArray HttpRequest::header(QByteArrayView name) const
{
    QByteArray result;
    bool found = false;
    for (const auto& h : headers) {
        if (!equalsIgnoreCase(h.first, name))
            continue;
        if (!found) {
            result = h.second;
            found = true;
        } else {
            result.append(", ").append(h.second);
        }
    }
    if (found && result.isNull())
        result = QByteArray(""); // present but empty: not null
    return result;
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    for (const auto& h : headers) {
        if (equalsIgnoreCase(h.first, name))
            return true;
    }
    return false;
}

} // namespace sy
