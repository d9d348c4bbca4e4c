#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace sy {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// One parsed HTTP/1.x request, as handed to the server's handler.
// The byte arrays are implicitly shared: copying an HttpRequest (e.g. to answer asynchronously) does not copy the body.
struct HttpRequest
{
    QByteArray method; // "GET", "POST", ...
    QByteArray target; // the raw request-target, e.g. "/v1/messages?beta=true"
    QByteArray path; // target without the query (absolute-form targets reduced to their path); NOT percent-decoded
    QByteArray query; // the part after '?', without the '?'; empty when there is none
    HttpHeaders headers; // in the order received, names as received; trailers of chunked bodies are not included
    QByteArray body; // the de-chunked body
    bool keepAlive = true; // the client allows another request on this connection
    int httpMinor = 1; // 0 for HTTP/1.0, 1 for HTTP/1.1
    QHostAddress peerAddress;
    quint64 connectionId = 0; // unique per accepted connection of one server

    // The value of the header `name` (ASCII case-insensitive). Repeated headers are joined with ", ".
    // Returns a null QByteArray when the header is absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
};

// ASCII case-insensitive comparison of header names (and other protocol tokens).
bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b) noexcept;

} // namespace sy
