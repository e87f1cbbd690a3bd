// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/Secrets: tokens (length, alphabet, uniqueness), phone PINs (length,
// digits, spread), the stored hash of session ids.
#include "appliance/Secrets.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace plenum::appliance;

namespace {
bool isBase64Url(const std::string& s) {
  return s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}
}  // namespace

TEST_CASE("tokens are URL-safe base64 of the requested number of random bytes", "[appliance][secrets]") {
  CHECK(randomToken().size() == 22);    // 128 bits
  CHECK(randomToken(32).size() == 43);  // 256 bits (session ids)
  std::set<std::string> seen;
  std::set<char> alphabet;
  for (int i = 0; i < 20000; ++i) {
    const std::string token = randomToken();
    REQUIRE(token.size() == 22);
    REQUIRE(isBase64Url(token));
    alphabet.insert(token.begin(), token.end());
    seen.insert(token);
  }
  CHECK(seen.size() == 20000);
  CHECK(alphabet.size() == 64);  // every character of the alphabet occurs: the bytes are spread
}

TEST_CASE("PINs have the configured number of digits and no leading zero", "[appliance][secrets]") {
  for (int length = 6; length <= 9; ++length) {
    CAPTURE(length);
    for (int i = 0; i < 500; ++i) {
      const std::string pin = randomPin(length);
      REQUIRE(pin.size() == static_cast<std::size_t>(length));
      REQUIRE(pin.find_first_not_of("0123456789") == std::string::npos);
      REQUIRE(pin[0] != '0');
    }
  }
  CHECK_THROWS(randomPin(5));
  CHECK_THROWS(randomPin(10));
}

TEST_CASE("PIN digits are spread over 0-9 at every position", "[appliance][secrets]") {
  // 3000 PINs: each digit is expected 300 times per position (270 for the first, 1-9 only);
  // fewer than 150 would mean a broken generator (the chance by luck is far below 1e-15).
  int counts[8][10] = {};
  std::set<std::string> distinct;
  for (int i = 0; i < 3000; ++i) {
    const std::string pin = randomPin(8);
    distinct.insert(pin);
    for (int p = 0; p < 8; ++p) ++counts[p][pin[p] - '0'];
  }
  for (int p = 0; p < 8; ++p) {
    for (int d = (p == 0 ? 1 : 0); d < 10; ++d) {
      CAPTURE(p, d);
      CHECK(counts[p][d] > 150);
    }
  }
  CHECK(distinct.size() > 2990);  // 3000 draws from 9e7: a handful of repeats at most
}

TEST_CASE("session ids are stored as a fixed-length hash", "[appliance][secrets]") {
  const std::string id = randomToken(32);
  const std::string hash = hashSessionId(id);
  CHECK(hash.size() == 64);
  CHECK(hash.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(hash == hashSessionId(id));
  CHECK(hash != hashSessionId(id + "x"));
  CHECK(hash.find(id) == std::string::npos);
}

TEST_CASE("secrets compare equal only when identical", "[appliance][secrets]") {
  CHECK(equalSecrets("abc", "abc"));
  CHECK_FALSE(equalSecrets("abc", "abd"));
  CHECK_FALSE(equalSecrets("abc", "abcd"));
  CHECK_FALSE(equalSecrets("", "a"));
  CHECK(equalSecrets("", ""));
}
