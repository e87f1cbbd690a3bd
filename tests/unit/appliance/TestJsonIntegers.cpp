// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/JsonIntegers: integer literals outside the signed 64-bit range are found
// (with the field they belong to) before Poco's parser would wrap or clamp them.
#include "appliance/JsonIntegers.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace plenum::appliance;

TEST_CASE("integers within 64 bits pass", "[appliance][jsonintegers]") {
  const auto json = GENERATE(as<std::string>{}, R"({"n":9223372036854775807})", R"({"n":-9223372036854775808})",
                             R"({"n":0,"m":-1})", R"({"n":1e400})", R"({"n":123456789012345678901234.5})",
                             R"({"text":"99999999999999999999999"})", R"({"n":"\"99999999999999999999\""})",
                             R"([1,2,3])", "", "{");
  CAPTURE(json);
  CHECK_FALSE(integerBeyond64Bits(json));
}

TEST_CASE("integers beyond 64 bits are found with their field", "[appliance][jsonintegers]") {
  CHECK(integerBeyond64Bits(R"({"maxParticipants":9223372036854775808})") == "maxParticipants");
  CHECK(integerBeyond64Bits(R"({"title":"T", "maxParticipants" : 18446744073709551621})") == "maxParticipants");
  CHECK(integerBeyond64Bits(R"({"a":1,"n":-9223372036854775809})") == "n");
  CHECK(integerBeyond64Bits(R"({"a":{"b":[1, 100000000000000000000000000000000]}})") == "b");
  CHECK(integerBeyond64Bits(R"({"k\"ey":99999999999999999999})") == "k\"ey");
  CHECK(integerBeyond64Bits("[18446744073709551616]") == "");
}

