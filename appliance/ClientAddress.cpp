// SPDX-License-Identifier: EUPL-1.2
#include "appliance/ClientAddress.hpp"

#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

namespace plenum::appliance {

bool isTrustedProxy(const std::string& address, const std::vector<std::string>& trustedProxies) {
  Poco::Net::IPAddress ip;
  if (!Poco::Net::IPAddress::tryParse(address, ip)) return false;
  for (const std::string& proxy : trustedProxies) {
    Poco::Net::IPAddress trusted;
    if (Poco::Net::IPAddress::tryParse(proxy, trusted) && trusted == ip) return true;
  }
  return false;
}

std::string forwardedClient(const std::string& peer, const std::string& forwardedFor,
                            const std::vector<std::string>& trustedProxies) {
  if (forwardedFor.empty() || !isTrustedProxy(peer, trustedProxies)) return peer;
  const Poco::StringTokenizer entries(forwardedFor, ",", Poco::StringTokenizer::TOK_TRIM);
  for (auto it = entries.end(); it != entries.begin();) {
    const std::string& entry = *--it;
    if (isTrustedProxy(entry, trustedProxies)) continue;
    Poco::Net::IPAddress ip;
    return Poco::Net::IPAddress::tryParse(entry, ip) ? ip.toString() : peer;
  }
  return peer;  // only proxies: the request came from one of them
}

std::string clientAddressOf(const Poco::Net::HTTPServerRequest& request, const std::vector<std::string>& trustedProxies) {
  return forwardedClient(request.clientAddress().host().toString(), request.get("X-Forwarded-For", ""),
                         trustedProxies);
}

}  // namespace plenum::appliance
