// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Serves /api/...: finds the route for method and path, recognises the caller's session,
// enforces login and the CSRF token on state-changing requests, runs the handler, and turns
// every refusal into the JSON error body.
#include "appliance/Services.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

#include <functional>

namespace plenum::appliance {

class ApiHandler : public Poco::Net::HTTPRequestHandler {
public:
  // `progressed`: told as a long answer (a file download) goes out (ApiExchange::onProgress).
  explicit ApiHandler(Services& services, std::function<void()> progressed = {})
      : services_(services), progressed_(std::move(progressed)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
  // passed in
  Services& services_;
  std::function<void()> progressed_;
};

// The OpenAPI 3 document (appliance/openapi.json, compiled in).
const std::string& openApiDocument();

}  // namespace plenum::appliance
