// Tests of appliance/AccountRules: which usernames and account passwords are accepted.
#include "appliance/AccountRules.hpp"

#include <catch2/catch.hpp>

using namespace plenum::appliance;

TEST_CASE("usernames", "[appliance][accounts]") {
  for (const char* ok : {"anna", "a", "Anna.Schmidt", "a_b-c", "anna@stadt.example", "0815"}) {
    CAPTURE(ok);
    CHECK(isValidUsername(ok));
  }
  for (const std::string& bad : {std::string(""), std::string("anna schmidt"), std::string("anna/x"),
                                std::string("änna"), std::string(65, 'a'), std::string("a\nb")}) {
    CAPTURE(bad);
    CHECK_FALSE(isValidUsername(bad));
  }
  CHECK(isValidUsername(std::string(64, 'a')));
}

TEST_CASE("account passwords: 8-256 bytes", "[appliance][accounts]") {
  CHECK(passwordProblem("1234567"));
  CHECK_FALSE(passwordProblem("12345678"));
  CHECK_FALSE(passwordProblem(std::string(256, 'x')));
  CHECK(passwordProblem(std::string(257, 'x')));
}
