// SPDX-License-Identifier: EUPL-1.2
#pragma once
// HTTPS for plenumd (Poco NetSSL on OpenSSL): the server's TLS context (TLS 1.2 and 1.3 only,
// ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2, OpenSSL's TLS 1.3 suites, the server's
// cipher order), the plain-HTTP side once HTTPS is on (301 to https://, except /healthz), and
// the HSTS header on HTTPS responses when tls.hsts is set.
#include "appliance/Settings.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <optional>
#include <string>

namespace plenum::appliance {

// The cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults, all AEAD).
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr const char* kHstsValue = "max-age=31536000";

// Loads tls.certificate (PEM, the server's certificate first, then intermediates) and tls.key.
// Throws Poco::Exception (e.g. Poco::Net::SSLContextException) when a file is missing,
// unreadable, not PEM, or the key does not belong to the certificate.
Poco::Net::Context::Ptr makeServerContext(const TlsSettings& tls);

// The host of a Host header without its port (an IPv6 address stays in brackets), when the
// header is a plain host name, IPv4 or bracketed IPv6 address with an optional port.
std::optional<std::string> hostOfHeader(const std::string& hostHeader);

// Where a plain-HTTP request goes: "https://HOST[:PORT]URI" from the request's Host header
// (its port dropped; PORT only when httpsPort is not 443). Nothing when the Host header is not a
// plain host name, IPv4 or bracketed IPv6 address (with an optional port).
std::optional<std::string> httpsLocation(const std::string& hostHeader, const std::string& uri, int httpsPort);

// The factory of the plain-HTTP server while HTTPS is on: every request gets 301 to its HTTPS
// location (400 without a usable Host header); /healthz is answered by `router` (monitoring).
class HttpsRedirect : public Poco::Net::HTTPRequestHandlerFactory {
public:
  HttpsRedirect(int httpsPort, Poco::Net::HTTPRequestHandlerFactory::Ptr router);
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
  // passed in
  const int httpsPort_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr router_;
};

// Wraps the router of the HTTPS server: adds Strict-Transport-Security to every response.
class HstsHeader : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit HstsHeader(Poco::Net::HTTPRequestHandlerFactory::Ptr router);
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
  // passed in
  Poco::Net::HTTPRequestHandlerFactory::Ptr router_;
};

}  // namespace plenum::appliance
