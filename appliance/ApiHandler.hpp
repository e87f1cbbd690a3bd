// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Serves /api/...: finds the route for method and path, recognises the caller's session,
// enforces login and the CSRF token on state-changing requests, runs the handler, and turns
// every refusal into the JSON error body.
#include "appliance/Services.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace plenum::appliance {

class ApiHandler : public Poco::Net::HTTPRequestHandler {
public:
  explicit ApiHandler(Services& services) : services_(services) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
  // passed in
  Services& services_;
};

// The OpenAPI 3 document (appliance/openapi.json, compiled in).
const std::string& openApiDocument();

}  // namespace plenum::appliance
