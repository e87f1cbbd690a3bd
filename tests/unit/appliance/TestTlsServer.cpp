// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/TlsServer: where plain HTTP redirects to, and that a TLS context refuses
// files that are not a certificate and key.
#include "appliance/TlsServer.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/NetSSL.h>

#include <catch2/catch.hpp>

using namespace plenum::appliance;

TEST_CASE("plain HTTP redirects to the same host, path and query over HTTPS", "[appliance][tls]") {
  struct Row {
    std::string host, uri;
    int port;
    std::optional<std::string> location;
  };
  const std::vector<Row> rows = {
      {"meet.example.org", "/r/room?name=A&autojoin=1", 443, "https://meet.example.org/r/room?name=A&autojoin=1"},
      {"meet.example.org:80", "/", 443, "https://meet.example.org/"},
      {"localhost:8080", "/api/session", 8443, "https://localhost:8443/api/session"},
      {"127.0.0.1:8080", "/j/abc", 8443, "https://127.0.0.1:8443/j/abc"},
      {"[::1]:8080", "/x", 443, "https://[::1]/x"},
      {"[2001:db8::1]", "/", 8443, "https://[2001:db8::1]:8443/"},
      {"host", "*", 443, "https://host/"},
      {"", "/", 443, std::nullopt},
      {"evil.org/path", "/", 443, std::nullopt},
      {"a b", "/", 443, std::nullopt},
      {"host:port", "/", 443, std::nullopt},
      {"[::1", "/", 443, std::nullopt},
      {"[::1]x", "/", 443, std::nullopt},
      {"user@host", "/", 443, std::nullopt},
  };
  for (const auto& row : rows) {
    INFO(row.host << " " << row.uri);
    CHECK(httpsLocation(row.host, row.uri, row.port) == row.location);
  }
}

TEST_CASE("a TLS context needs a readable certificate and key", "[appliance][tls]") {
  Poco::Net::initializeSSL();
  TlsSettings tls;
  tls.httpsPort = 443;
  tls.certificateFile = "/nonexistent/cert.pem";
  tls.keyFile = "/nonexistent/key.pem";
  CHECK_THROWS_AS(makeServerContext(tls), Poco::Exception);
}
