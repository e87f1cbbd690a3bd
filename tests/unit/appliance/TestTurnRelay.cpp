// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/TurnRelay: the coturn configuration it writes (no open relay, loopback
// only, no client addresses in a log by default).
#include "appliance/TurnRelay.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

using namespace plenum::appliance;

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE("coturn listens on loopback in TCP only and relays to the appliance only", "[appliance][turn]") {
  TurnConfig config;
  config.listeningPort = 34567;
  config.secret = "s3cret";
  config.relayIp = "192.0.2.10";
  config.allowedPeers = {"192.0.2.10", "2001:db8::10"};
  config.directory = "/var/lib/plenum/turn";
  const auto text = lines(turnServerConfig(config));
  CHECK(has(text, "listening-ip=127.0.0.1"));
  CHECK(has(text, "listening-port=34567"));
  for (const char* off : {"no-udp", "no-tls", "no-dtls", "no-tcp-relay", "no-cli", "no-multicast-peers"}) {
    CHECK(has(text, off));
  }
  CHECK(has(text, "use-auth-secret"));
  CHECK(has(text, "static-auth-secret=s3cret"));
  CHECK(has(text, "relay-ip=192.0.2.10"));
  CHECK(has(text, "denied-peer-ip=0.0.0.0-255.255.255.255"));
  CHECK(has(text, "allowed-peer-ip=192.0.2.10"));
  CHECK(has(text, "allowed-peer-ip=2001:db8::10"));
  CHECK_FALSE(has(text, "allow-loopback-peers"));
  CHECK(has(text, "pidfile=/var/lib/plenum/turn/turnserver.pid"));
  // coturn's log names client addresses: none unless asked for.
  CHECK(has(text, "log-file=/dev/null"));
  config.log = true;
  CHECK(has(lines(turnServerConfig(config)), "log-file=stdout"));
}

TEST_CASE("the machine's own addresses exclude loopback and link-local ones", "[appliance][turn]") {
  for (const auto& address : localAddresses()) {
    CHECK(address.rfind("127.", 0) != 0);
    CHECK(address != "::1");
    CHECK(address.rfind("fe80", 0) != 0);
  }
}
