// SPDX-License-Identifier: EUPL-1.2
#pragma once
// /api/session: log in (POST), who am I (GET), log out (DELETE).
#include "appliance/ApiExchange.hpp"
#include "appliance/Services.hpp"

namespace plenum::appliance {

class SessionApi {
public:
  explicit SessionApi(Services& services) : services_(services) {}
  void login(ApiExchange& exchange);
  void show(ApiExchange& exchange);
  void logout(ApiExchange& exchange);

private:
  // passed in
  Services& services_;
};

}  // namespace plenum::appliance
