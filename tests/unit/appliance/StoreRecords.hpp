// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Records for store tests: a staff account with a made-up password hash.
#include "appliance/Store.hpp"

#include <string>

namespace plenum::appliance::test {

inline Account staffAccount(const std::string& username) {
  Account a;
  a.username = username;
  a.displayName = "Name of " + username;
  a.passwordHash = "$argon2id$hash";
  a.createdAt = 1000;
  return a;
}

}  // namespace plenum::appliance::test
