// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/ClientAddress: whose address a request counts for, directly and behind
// trusted reverse proxies (X-Forwarded-For).
#include "appliance/ClientAddress.hpp"

#include <catch2/catch.hpp>

using namespace plenum::appliance;

TEST_CASE("without trusted proxies, X-Forwarded-For is ignored", "[appliance][client-address]") {
  CHECK(forwardedClient("198.51.100.7", "", {}) == "198.51.100.7");
  CHECK(forwardedClient("198.51.100.7", "203.0.113.1", {}) == "198.51.100.7");
  // A peer that is not the trusted proxy: its header is not believed either.
  CHECK(forwardedClient("198.51.100.7", "203.0.113.1", {"10.0.0.2"}) == "198.51.100.7");
}

TEST_CASE("behind a trusted proxy, the client is the last address it appended", "[appliance][client-address]") {
  const std::vector<std::string> proxies{"10.0.0.2", "::1"};
  CHECK(forwardedClient("10.0.0.2", "203.0.113.1", proxies) == "203.0.113.1");
  // What the client wrote itself (left) is not believed; the proxy's own entry is on the right.
  CHECK(forwardedClient("10.0.0.2", "1.2.3.4, 203.0.113.1", proxies) == "203.0.113.1");
  // Two trusted proxies in a row are skipped.
  CHECK(forwardedClient("10.0.0.2", "203.0.113.1, ::1", proxies) == "203.0.113.1");
  CHECK(forwardedClient("::1", "2001:db8::5", proxies) == "2001:db8::5");
  // No header, only proxies, or garbage where the client should be: the proxy itself.
  CHECK(forwardedClient("10.0.0.2", "", proxies) == "10.0.0.2");
  CHECK(forwardedClient("10.0.0.2", "::1", proxies) == "10.0.0.2");
  CHECK(forwardedClient("10.0.0.2", "1.2.3.4, not-an-address", proxies) == "10.0.0.2");
}

TEST_CASE("trusted proxies are compared as addresses", "[appliance][client-address]") {
  CHECK(isTrustedProxy("::1", {"0:0:0:0:0:0:0:1"}));
  CHECK_FALSE(isTrustedProxy("10.0.0.3", {"10.0.0.2"}));
  CHECK_FALSE(isTrustedProxy("garbage", {"garbage"}));
}
