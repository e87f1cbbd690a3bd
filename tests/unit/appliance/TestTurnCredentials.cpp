// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/TurnCredentials: the TURN REST credentials coturn checks, the URL on the
// server's own port, and the host taken from the browser's Host header.
#include "appliance/SharedPort.hpp"
#include "appliance/TurnCredentials.hpp"

#include <catch2/catch.hpp>

using namespace plenum::appliance;

TEST_CASE("the password is base64(HMAC-SHA1(secret, username)), as coturn computes it", "[appliance][turn]") {
  // python3: base64.b64encode(hmac.new(b'north', b'1700000000:abc', hashlib.sha1).digest())
  CHECK(TurnCredentials::password("north", "1700000000:abc") == "g5HTmCBrPDhYXFpM/1dHUtfE+c4=");
}

TEST_CASE("each participant gets its own credentials that expire after the TTL", "[appliance][turn]") {
  const TurnCredentials turn("secret", std::chrono::hours(24), "", true, 443);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  const auto a = turn.iceServersFor("meet.example.org", now);
  const auto b = turn.iceServersFor("meet.example.org:443", now);
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(a[0].urls == std::vector<std::string>{"turns:meet.example.org:443?transport=tcp"});
  CHECK(b[0].urls == a[0].urls);
  CHECK(a[0].username.rfind("1700086400:", 0) == 0);
  CHECK(a[0].username != b[0].username);
  CHECK(a[0].credential == TurnCredentials::password("secret", a[0].username));
}

TEST_CASE("the TURN URL names the host the browser used, or turn.host", "[appliance][turn]") {
  const TurnCredentials plain("s", std::chrono::seconds(60), "", false, 8080);
  CHECK(plain.iceServersFor("localhost:8080").at(0).urls.at(0) == "turn:localhost:8080?transport=tcp");
  CHECK(plain.iceServersFor("[2001:db8::1]:8080").at(0).urls.at(0) == "turn:[2001:db8::1]:8080?transport=tcp");
  // Not a host name: no relay rather than a URL made of what the client wrote.
  CHECK(plain.iceServersFor("evil.org/x?y").empty());
  CHECK(plain.iceServersFor("").empty());
  const TurnCredentials named("s", std::chrono::seconds(60), "turn.example.org", true, 443);
  CHECK(named.iceServersFor("").at(0).urls.at(0) == "turns:turn.example.org:443?transport=tcp");
}

TEST_CASE("a connection speaks TURN when its first byte starts a STUN message", "[appliance][turn]") {
  CHECK(startsTurn(0x00));  // Allocate, Binding, Refresh, ... requests
  CHECK(startsTurn(0x01));
  CHECK_FALSE(startsTurn('G'));   // GET
  CHECK_FALSE(startsTurn('P'));   // POST, PUT
  CHECK_FALSE(startsTurn(0x16));  // a TLS ClientHello on the plain port stays HTTP's (400)
  CHECK_FALSE(startsTurn(0x40));  // ChannelData never comes first
}
