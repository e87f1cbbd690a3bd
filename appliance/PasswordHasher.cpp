// SPDX-License-Identifier: EUPL-1.2
#include "appliance/PasswordHasher.hpp"

#include "appliance/Secrets.hpp"

#include <sodium.h>

#include <stdexcept>

namespace plenum::appliance {

namespace {
// Holds one of the semaphore's slots for the lifetime of a hash computation.
class Slot {
public:
  explicit Slot(std::counting_semaphore<>& semaphore) : semaphore_(semaphore) { semaphore_.acquire(); }
  ~Slot() { semaphore_.release(); }

private:
  std::counting_semaphore<>& semaphore_;
};
}  // namespace

PasswordHasher::PasswordHasher() {
  initSodium();
  decoy_ = hash(randomToken());
}

std::string PasswordHasher::hash(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  Slot slot(running_);
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool PasswordHasher::verify(const std::string& hash, std::string_view password) {
  Slot slot(running_);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::verifyNothing(std::string_view password) { (void)verify(decoy_, password); }

}  // namespace plenum::appliance
