// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What a participant's browser gets to use the TURN relay: the relay's URL on this server's
// own HTTP(S) port (SharedPort.hpp) and credentials of the "TURN REST API" scheme that coturn
// checks with use-auth-secret: username "<expiry, Unix seconds>:<random name>", password
// base64(HMAC-SHA1(secret, username)). coturn refuses them after the expiry; nothing is stored.
#include "signaling/JoinContext.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace plenum::appliance {

class TurnCredentials {
public:
  // `host`: the name in the URLs (turn.host), or empty for the Host header the browser used;
  // `tls`: the port speaks TLS (https.port), giving turns: URLs.
  TurnCredentials(std::string secret, std::chrono::seconds ttl, std::string host, bool tls, int port);

  // The ICE servers for a participant whose browser reached us under `hostHeader`; empty when
  // no host is known (no turn.host and a Host header that is not a plain name or address).
  std::vector<signaling::IceServer> iceServersFor(
      const std::string& hostHeader, std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

  // base64(HMAC-SHA1(secret, username)).
  static std::string password(const std::string& secret, const std::string& username);

private:
  const std::string secret_;
  const std::chrono::seconds ttl_;
  const std::string host_;
  const bool tls_;
  const int port_;
};

}  // namespace plenum::appliance
