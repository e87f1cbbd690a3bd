#pragma once
// /api/accounts: admins list, create, disable and edit staff and admin accounts.
#include "appliance/ApiExchange.hpp"
#include "appliance/Services.hpp"

namespace plenum::appliance {

class AccountApi {
public:
  explicit AccountApi(Services& services) : services_(services) {}
  void list(ApiExchange& exchange);
  void create(ApiExchange& exchange);
  void update(ApiExchange& exchange, std::int64_t id);

private:
  // passed in
  Services& services_;
};

}  // namespace plenum::appliance
