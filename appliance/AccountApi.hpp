// SPDX-License-Identifier: EUPL-1.2
#pragma once
// /api/accounts: admins list, create, disable, edit and delete staff and admin accounts.
#include "appliance/ApiExchange.hpp"
#include "appliance/Services.hpp"

namespace plenum::appliance {

class AccountApi {
public:
  explicit AccountApi(Services& services) : services_(services) {}
  void list(ApiExchange& exchange);
  void create(ApiExchange& exchange);
  void update(ApiExchange& exchange, std::int64_t id);
  // Erases the account, its password hash and its sessions; its rooms go to ?transferTo=<id>.
  void remove(ApiExchange& exchange, std::int64_t id);

private:
  // passed in
  Services& services_;
};

}  // namespace plenum::appliance
