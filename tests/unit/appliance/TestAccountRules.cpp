// SPDX-License-Identifier: EUPL-1.2
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

TEST_CASE("when an account may be deleted", "[appliance][accounts]") {
  Account admin;
  admin.id = 1;
  admin.role = AccountRole::Admin;
  Account staff;
  staff.id = 2;

  SECTION("the last enabled admin: never, not even by someone else") {
    CHECK(deletionRefusal(admin, 1, 1) == DeletionRefusal::LastAdmin);
    CHECK(deletionRefusal(admin, 7, 1) == DeletionRefusal::LastAdmin);
  }
  SECTION("one's own account: never, even with other admins") {
    CHECK(deletionRefusal(admin, 1, 2) == DeletionRefusal::OwnAccount);
    CHECK(deletionRefusal(staff, 2, 1) == DeletionRefusal::OwnAccount);
  }
  SECTION("another admin while more remain, a disabled admin, a staff member: yes") {
    CHECK_FALSE(deletionRefusal(admin, 7, 2));
    Account disabledAdmin = admin;
    disabledAdmin.disabled = true;
    CHECK_FALSE(deletionRefusal(disabledAdmin, 7, 1));  // it is not among the enabled ones
    CHECK_FALSE(deletionRefusal(staff, 1, 1));
  }
  CHECK(std::string(toMessage(DeletionRefusal::LastAdmin)).find("last") != std::string::npos);
  CHECK(std::string(toMessage(DeletionRefusal::OwnAccount)).find("own") != std::string::npos);
}

TEST_CASE("who may take over the rooms of a deleted account", "[appliance][accounts]") {
  Account heir;
  heir.id = 3;
  CHECK_FALSE(heirProblem(2, heir));
  CHECK(heirProblem(2, std::nullopt));
  CHECK(heirProblem(3, heir));  // not the deleted account itself
  heir.disabled = true;
  CHECK(heirProblem(2, heir));
}
