// SPDX-License-Identifier: EUPL-1.2
#pragma once
// argon2id password hashes (libsodium, "interactive" limits: 64 MiB and about 0.1 s each).
// Each hash holds 64 MiB while it runs, so only a few run at once; the others wait. Callers
// are HTTP and WebSocket threads, never the conference thread.
#include <semaphore>
#include <string>
#include <string_view>

namespace plenum::appliance {

class PasswordHasher {
public:
  static constexpr std::size_t kMinLength = 8;    // bytes, for account passwords
  static constexpr std::size_t kMaxLength = 256;  // bytes

  PasswordHasher();
  std::string hash(std::string_view password);
  bool verify(const std::string& hash, std::string_view password);
  // Spends the time of a verification without a hash to check against, so that a login with
  // an unknown username takes as long as one with a wrong password.
  void verifyNothing(std::string_view password);

private:
  // owned
  std::counting_semaphore<> running_{2};
  std::string decoy_;  // a hash of a random password, for verifyNothing
};

}  // namespace plenum::appliance
