// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The address of the client a request comes from, for the limits per client address (logins,
// WebSockets, joins). Normally the connection's peer. Behind a reverse proxy every request
// comes from the proxy, so all clients would share its limits: when the peer is one of the
// trusted proxies (http.trusted-proxies), the client is the last address in X-Forwarded-For
// that is not a trusted proxy (each proxy appends the address it got the request from; what
// the client itself wrote further left is not believed).
#include <Poco/Net/HTTPServerRequest.h>

#include <string>
#include <vector>

namespace plenum::appliance {

// `peer`: the connection's peer address; `forwardedFor`: the X-Forwarded-For header ("" if
// none). A malformed entry where the client should be gives the peer.
std::string forwardedClient(const std::string& peer, const std::string& forwardedFor,
                            const std::vector<std::string>& trustedProxies);

// Whether `address` is one of `trustedProxies` (compared as IP addresses).
bool isTrustedProxy(const std::string& address, const std::vector<std::string>& trustedProxies);

std::string clientAddressOf(const Poco::Net::HTTPServerRequest& request, const std::vector<std::string>& trustedProxies);

}  // namespace plenum::appliance
