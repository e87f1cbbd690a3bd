// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Secrets.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace plenum::appliance {

void initSodium() {
  // Safe to call from several threads and more than once (returns 1 when already done).
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string randomToken(std::size_t bytes) {
  initSodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string encoded(sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.find('\0'));
  sodium_memzero(raw.data(), raw.size());
  return encoded;
}

std::string randomHex(std::size_t bytes) {
  initSodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

std::string randomPin(int length) {
  if (length < 6 || length > 9) throw std::invalid_argument("PIN length must be 6-9");
  initSodium();
  std::string pin;
  pin += static_cast<char>('1' + randombytes_uniform(9));
  while (static_cast<int>(pin.size()) < length) pin += static_cast<char>('0' + randombytes_uniform(10));
  return pin;
}

std::string hashSessionId(std::string_view sessionId) {
  initSodium();
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(sessionId.data()), sessionId.size(),
                     nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

bool equalSecrets(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace plenum::appliance
