// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One port for the web and the TURN relay: networks that allow nothing but TCP to port 443
// must reach both, on the one address and name the appliance has. A connection's first byte
// tells what it speaks (on a TLS port: the first byte inside TLS, after the handshake): a STUN
// message (what a TURN client sends first) starts with 0x00 or 0x01, an HTTP request with the
// letter of its method. Reading that byte without taking it from the stream (MSG_PEEK, or
// SSL_peek inside TLS) leaves the connection untouched for whoever serves it.
#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include <optional>

namespace plenum::appliance {

// Whether a connection whose first byte is `first` speaks STUN/TURN.
constexpr bool startsTurn(unsigned char first) { return first <= 0x01; }

// Lets peekFirstByte see inside TLS on connections of this context (Poco hides the OpenSSL
// connection; an info callback on the context finds it during the handshake). Once, before
// the server starts.
void enableFirstBytePeek(Poco::Net::Context& context);

// The server side of TLS on an accepted TCP connection (the handshake follows at the first
// read, on the connection's thread). Unlike Poco's own TLS sockets, its poll() counts what
// OpenSSL holds already decrypted: after a peek, the request is there, not in the kernel
// socket, and Poco's HTTP server polls before it reads the first request.
Poco::Net::StreamSocket serverTls(const Poco::Net::StreamSocket& tcp, Poco::Net::Context::Ptr context);

// The first byte the client sent (after completing the TLS handshake on a TLS connection),
// left in the stream; nothing when the connection closed or failed first. Blocks until then
// (the HTTP connection guard shuts a silent connection down).
std::optional<unsigned char> peekFirstByte(Poco::Net::StreamSocket& socket);

}  // namespace plenum::appliance
