// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/OriginCheck: which Origin headers may open /ws (no Origin, this server's own
// origin by scheme + Host, or http.public-url's), and how URLs are reduced to their origin.
#include "appliance/OriginCheck.hpp"

#include <catch2/catch.hpp>

using namespace plenum::appliance;

TEST_CASE("a URL's origin is scheme, host and a port that is not the default", "[appliance][origin]") {
  CHECK(urlOrigin("https://Meet.Example.org") == "https://meet.example.org");
  CHECK(urlOrigin("HTTPS://meet.example.org:443") == "https://meet.example.org");
  CHECK(urlOrigin("http://meet.example.org:80") == "http://meet.example.org");
  CHECK(urlOrigin("http://localhost:8080") == "http://localhost:8080");
  CHECK(urlOrigin("https://meet.example.org:8443/plenum/") == "https://meet.example.org:8443");
  CHECK(urlOrigin("http://[::1]:8080") == "http://[::1]:8080");
  CHECK(urlOrigin("http://127.0.0.1:8080/x?y") == "http://127.0.0.1:8080");

  const auto bad = GENERATE(as<std::string>{}, "null", "", "ftp://example.org", "https://", "https://:443",
                            "https://user@example.org", "https://evil.example@ours.example",
                            "https://example.org:99999", "https://example.org:0", "https://example.org:8a",
                            "https://exa mple.org", "https://[::1", "https://[zz]", "file:///etc/passwd",
                            "https://example.org\r\nX-Forged: 1");
  CAPTURE(bad);
  CHECK_FALSE(urlOrigin(bad));
}

TEST_CASE("an Origin header has no path", "[appliance][origin]") {
  CHECK(urlOrigin("https://example.org", true) == "https://example.org");
  CHECK_FALSE(urlOrigin("https://example.org/", true));
  CHECK_FALSE(urlOrigin("https://example.org/x", true));
}

TEST_CASE("only this server's own origin may open a WebSocket", "[appliance][origin]") {
  SECTION("no Origin header: not a browser, allowed") {
    CHECK(isOwnOrigin(std::nullopt, false, "localhost:8080", ""));
    CHECK(isOwnOrigin(std::nullopt, true, "", ""));
  }
  SECTION("the connection's scheme with the Host header") {
    CHECK(isOwnOrigin("http://localhost:8080", false, "localhost:8080", ""));
    CHECK(isOwnOrigin("http://LOCALHOST:8080", false, "localhost:8080", ""));
    CHECK(isOwnOrigin("https://meet.example.org", true, "meet.example.org", ""));
    CHECK(isOwnOrigin("https://meet.example.org", true, "meet.example.org:443", ""));
    CHECK(isOwnOrigin("http://[::1]:8080", false, "[::1]:8080", ""));
  }
  SECTION("another site, scheme or port is refused") {
    CHECK_FALSE(isOwnOrigin("https://evil.example", true, "meet.example.org", ""));
    CHECK_FALSE(isOwnOrigin("https://evil.example", false, "localhost:8080", ""));
    CHECK_FALSE(isOwnOrigin("http://meet.example.org", true, "meet.example.org", ""));  // over HTTPS
    CHECK_FALSE(isOwnOrigin("https://meet.example.org", false, "meet.example.org", ""));
    CHECK_FALSE(isOwnOrigin("http://localhost:8081", false, "localhost:8080", ""));
    CHECK_FALSE(isOwnOrigin("http://meet.example.org.evil.example", false, "meet.example.org", ""));
    CHECK_FALSE(isOwnOrigin("null", false, "localhost:8080", ""));
    CHECK_FALSE(isOwnOrigin("", false, "localhost:8080", ""));
    CHECK_FALSE(isOwnOrigin("http://localhost:8080/", false, "localhost:8080", ""));
    CHECK_FALSE(isOwnOrigin("http://localhost:8080", false, "", ""));  // no Host, no public URL
    CHECK_FALSE(isOwnOrigin("http://localhost:8080", false, "localhost:8080/x", ""));
  }
  SECTION("http.public-url: a proxy in front ends TLS or rewrites Host") {
    CHECK(isOwnOrigin("https://meet.example.org", false, "127.0.0.1:8080", "https://meet.example.org"));
    CHECK(isOwnOrigin("https://meet.example.org", false, "127.0.0.1:8080", "https://Meet.example.org:443/plenum"));
    CHECK_FALSE(isOwnOrigin("https://evil.example", false, "127.0.0.1:8080", "https://meet.example.org"));
    CHECK_FALSE(isOwnOrigin("http://meet.example.org", false, "127.0.0.1:8080", "https://meet.example.org"));
  }
}
