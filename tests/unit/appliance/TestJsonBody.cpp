// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/JsonBody: integers within a range (also those the JSON parser keeps as
// unsigned 64-bit or as doubles are refused with bad-field, never another exception), and
// unknown field names echoed without control characters.
#include "appliance/ApiError.hpp"
#include "appliance/JsonBody.hpp"

#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <string>

using namespace plenum::appliance;

namespace {
Poco::JSON::Object::Ptr parse(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

// The bad-field message for `text` as a body with the field "n" (2-100), or "ok".
std::string integerOutcome(const std::string& value) {
  try {
    const JsonBody body(parse(R"({"n":)" + value + "}"), {"n"});
    return std::to_string(*body.optionalInteger("n", 2, 100));
  } catch (const ApiError& e) {
    CHECK(e.code() == "bad-field");
    return e.what();
  }
}
}  // namespace

TEST_CASE("integers are read within their range", "[appliance][jsonbody]") {
  CHECK(integerOutcome("2") == "2");
  CHECK(integerOutcome("100") == "100");
  const std::string refused = "field 'n' must be an integer from 2 to 100";
  const auto value = GENERATE(as<std::string>{}, "1", "101", "-1", "0", "5.5", "1e2", "true", "\"5\"", "null",
                              "[5]", "9223372036854775807",   // 2^63 - 1
                              "9223372036854775808",          // 2^63: unsigned 64-bit in the parser
                              "18446744073709551615",         // 2^64 - 1
                              "-9223372036854775808", "1e30");
  // (Literals beyond 64 bits never reach JsonBody: ApiExchange refuses them, see TestJsonIntegers.)
  CAPTURE(value);
  CHECK(integerOutcome(value) == refused);
  const JsonBody empty(parse("{}"), {"n"});
  CHECK_FALSE(empty.optionalInteger("n", 2, 100));
}

TEST_CASE("an unknown field's name is echoed on one line", "[appliance][jsonbody]") {
  try {
    JsonBody(parse(R"({"x\nforged: yes\u001b[1m":1})"), {"n"});
    FAIL("an unknown field was accepted");
  } catch (const ApiError& e) {
    CHECK(std::string(e.what()) == R"(field 'x\nforged: yes\x1b[1m' is not known)");
  }
}
