// SPDX-License-Identifier: EUPL-1.2
#include "appliance/TurnCredentials.hpp"

#include "appliance/Secrets.hpp"
#include "appliance/TlsServer.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA1Engine.h>

#include <sstream>

namespace plenum::appliance {

TurnCredentials::TurnCredentials(std::string secret, std::chrono::seconds ttl, std::string host, bool tls, int port)
    : secret_(std::move(secret)), ttl_(ttl), host_(std::move(host)), tls_(tls), port_(port) {}

std::string TurnCredentials::password(const std::string& secret, const std::string& username) {
  Poco::HMACEngine<Poco::SHA1Engine> hmac(secret);
  hmac.update(username);
  const auto& digest = hmac.digest();
  std::ostringstream out;
  Poco::Base64Encoder base64(out);
  base64.rdbuf()->setLineLength(0);
  base64.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
  base64.close();
  return out.str();
}

std::vector<signaling::IceServer> TurnCredentials::iceServersFor(const std::string& hostHeader,
                                                                 std::chrono::system_clock::time_point now) const {
  const auto host = host_.empty() ? hostOfHeader(hostHeader) : std::optional<std::string>(host_);
  if (!host) return {};
  const auto expiry = std::chrono::duration_cast<std::chrono::seconds>((now + ttl_).time_since_epoch()).count();
  // The name only tells coturn's per-user quota one participant from another.
  const std::string username = std::to_string(expiry) + ":" + randomHex(8);
  // TURN over TCP (or TLS) only: where UDP works, the browser reaches the server directly.
  const std::string url = std::string(tls_ ? "turns:" : "turn:") + *host + ":" + std::to_string(port_) + "?transport=tcp";
  return {signaling::IceServer{{url}, username, password(secret_, username)}};
}

}  // namespace plenum::appliance
