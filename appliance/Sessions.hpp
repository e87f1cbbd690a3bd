// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Login sessions of staff and admins: logging in (password check, rate limits per account and
// per client address), recognising a session cookie, logging out. The cookie holds a random
// 256-bit id; the store keeps only its hash. A session ends after AccessSettings::sessionHours
// without use; its expiry moves forward at most every few minutes, so that reading requests
// do not write to the database each time.
#include "appliance/PasswordHasher.hpp"
#include "appliance/RateLimiter.hpp"
#include "appliance/Settings.hpp"
#include "appliance/Store.hpp"
#include "signaling/Permissions.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace plenum::appliance {

// A recognised session and the (enabled) account it belongs to.
struct Caller {
  Account account;
  SessionRecord session;
  signaling::Role role() const;  // Staff or Admin
};

class Sessions {
public:
  using WallClock = std::function<std::int64_t()>;  // Unix seconds

  enum class Outcome { LoggedIn, WrongCredentials, Disabled, RateLimited };
  struct LoginResult {
    Outcome outcome = Outcome::WrongCredentials;
    int retryAfter = 0;         // RateLimited: seconds
    std::string sessionId;      // LoggedIn: the cookie's value
    std::optional<Caller> caller;  // LoggedIn
  };

  Sessions(Store& store, PasswordHasher& hasher, const AccessSettings& settings, WallClock now = defaultClock());

  // `clientAddress` is used for rate limiting only, in memory.
  LoginResult login(const std::string& username, const std::string& password, const std::string& clientAddress);
  // The session's caller if the id is valid, unexpired and its account enabled.
  std::optional<Caller> recognise(const std::string& sessionId);
  void logout(const Caller& caller);

  std::int64_t lifetimeSeconds() const { return lifetime_; }
  static WallClock defaultClock();

private:
  // passed in
  Store& store_;
  PasswordHasher& hasher_;
  WallClock now_;
  // owned
  const std::int64_t lifetime_;
  RateLimiter perAccount_;
  RateLimiter perAddress_;
};

}  // namespace plenum::appliance
