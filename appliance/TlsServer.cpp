// SPDX-License-Identifier: EUPL-1.2
#include "appliance/TlsServer.hpp"

#include "appliance/HttpRouter.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <memory>

namespace plenum::appliance {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

Poco::Net::Context::Ptr makeServerContext(const TlsSettings& tls) {
  Poco::Net::Context::Params params;
  params.certificateFile = tls.certificateFile;
  params.privateKeyFile = tls.keyFile;
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // no client certificates
  params.loadDefaultCAs = false;
  params.cipherList = kTls12Ciphers;
  params.ecdhCurve = "X25519:P-256:P-384";
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  context->preferServerCiphers();
  return context;
}

namespace {

bool isHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool isDigits(const std::string& s) {
  return !s.empty() && s.size() <= 5 && s.find_first_not_of("0123456789") == std::string::npos;
}

class RedirectHandler : public HTTPRequestHandler {
public:
  explicit RedirectHandler(std::string location) : location_(std::move(location)) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
    response.setStatusAndReason(HTTPResponse::HTTP_MOVED_PERMANENTLY);
    response.set("Location", location_);
    response.setContentLength(0);
    addSecurityHeaders(response);
    response.send();
  }

private:
  std::string location_;
};

class BadHostHandler : public HTTPRequestHandler {
public:
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
    sendJsonError(response, HTTPResponse::HTTP_BAD_REQUEST, "bad-host", "use https:// with this server's name");
  }
};

// Sets the header, then lets the wrapped handler answer.
class HstsHandler : public HTTPRequestHandler {
public:
  explicit HstsHandler(HTTPRequestHandler* inner) : inner_(inner) {}
  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    response.set("Strict-Transport-Security", kHstsValue);
    inner_->handleRequest(request, response);
  }

private:
  std::unique_ptr<HTTPRequestHandler> inner_;
};

}  // namespace

std::optional<std::string> hostOfHeader(const std::string& hostHeader) {
  std::string host;
  if (!hostHeader.empty() && hostHeader.front() == '[') {
    const auto close = hostHeader.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = hostHeader.substr(0, close + 1);
    if (host.size() < 3 || host.find_first_not_of("0123456789abcdefABCDEF:.", 1) != host.size() - 1) return std::nullopt;
    const std::string rest = hostHeader.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && isDigits(rest.substr(1)))) return std::nullopt;
  } else {
    const auto colon = hostHeader.find(':');
    host = hostHeader.substr(0, colon);
    if (colon != std::string::npos && !isDigits(hostHeader.substr(colon + 1))) return std::nullopt;
    if (host.empty() || host.size() > 253) return std::nullopt;
    for (char c : host) {
      if (!isHostChar(c)) return std::nullopt;
    }
  }
  return host;
}

std::optional<std::string> httpsLocation(const std::string& hostHeader, const std::string& uri, int httpsPort) {
  const auto host = hostOfHeader(hostHeader);
  if (!host) return std::nullopt;
  std::string location = "https://" + *host;
  if (httpsPort != 443) location += ":" + std::to_string(httpsPort);
  location += (!uri.empty() && uri.front() == '/') ? uri : "/";
  return location;
}

HttpsRedirect::HttpsRedirect(int httpsPort, Poco::Net::HTTPRequestHandlerFactory::Ptr router)
    : httpsPort_(httpsPort), router_(std::move(router)) {}

HTTPRequestHandler* HttpsRedirect::createRequestHandler(const HTTPServerRequest& request) {
  std::string path;
  try {
    path = Poco::URI(request.getURI()).getPath();
  } catch (const Poco::Exception&) {
    // The router answers 400 for a URI that does not parse.
    return router_->createRequestHandler(request);
  }
  if (path == "/healthz") return router_->createRequestHandler(request);
  const auto location = httpsLocation(request.get("Host", ""), request.getURI(), httpsPort_);
  if (!location) return new BadHostHandler;
  return new RedirectHandler(*location);
}

HstsHeader::HstsHeader(Poco::Net::HTTPRequestHandlerFactory::Ptr router) : router_(std::move(router)) {}

HTTPRequestHandler* HstsHeader::createRequestHandler(const HTTPServerRequest& request) {
  HTTPRequestHandler* inner = router_->createRequestHandler(request);
  return inner ? new HstsHandler(inner) : nullptr;
}

}  // namespace plenum::appliance
