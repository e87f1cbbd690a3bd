// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/Sessions with an injected wall clock: login outcomes, rate limits per
// account (the addresses that failed wait, others may still try) and per address (IPv6 by its
// /64), expiry after idle time and its refresh, disabled accounts, logout.
#include "appliance/Secrets.hpp"
#include "appliance/Sessions.hpp"
#include "appliance/SqliteStore.hpp"

#include <catch2/catch.hpp>

using namespace plenum::appliance;
using Outcome = Sessions::Outcome;

namespace {
struct Fixture {
  SqliteStore store{":memory:"};
  PasswordHasher hasher;
  AccessSettings settings;
  std::int64_t now = 1'000'000;
  std::unique_ptr<Sessions> sessions;
  Account anna;

  Fixture() {
    settings.sessionHours = 1;
    settings.attemptsPerAccount = 3;
    settings.attemptsPerAddress = 5;
    settings.attemptWindowSeconds = 300;
    sessions = std::make_unique<Sessions>(store, hasher, settings, [this] { return now; });
    anna = add("anna", "anna-password", AccountRole::Staff);
  }
  Account add(const std::string& username, const std::string& password, AccountRole role) {
    Account a;
    a.username = username;
    a.displayName = username;
    a.passwordHash = hasher.hash(password);
    a.role = role;
    return store.createAccount(a);
  }
};
}  // namespace

TEST_CASE("login with the right password opens a session", "[appliance][sessions]") {
  Fixture f;
  const auto result = f.sessions->login("ANNA", "anna-password", "10.0.0.1");
  REQUIRE(result.outcome == Outcome::LoggedIn);
  CHECK(result.sessionId.size() == 43);
  REQUIRE(result.caller);
  CHECK(result.caller->account.id == f.anna.id);
  CHECK(result.caller->role() == plenum::signaling::Role::Staff);
  // The store has the hash, not the id.
  CHECK_FALSE(f.store.sessionByIdHash(result.sessionId));
  const auto stored = f.store.sessionByIdHash(hashSessionId(result.sessionId));
  REQUIRE(stored);
  CHECK(stored->expiresAt == f.now + 3600);

  const auto caller = f.sessions->recognise(result.sessionId);
  REQUIRE(caller);
  CHECK(caller->account.username == "anna");
  CHECK(caller->session.csrfToken == result.caller->session.csrfToken);
  CHECK_FALSE(f.sessions->recognise(result.sessionId + "x"));
  CHECK_FALSE(f.sessions->recognise(""));

  SECTION("logout ends it") {
    f.sessions->logout(*caller);
    CHECK_FALSE(f.sessions->recognise(result.sessionId));
  }
  SECTION("disabling the account ends it") {
    Account disabled = f.anna;
    disabled.disabled = true;
    f.store.updateAccount(disabled);
    CHECK_FALSE(f.sessions->recognise(result.sessionId));
  }
}

TEST_CASE("a session expires after the idle time; use moves the expiry at most every few minutes",
          "[appliance][sessions]") {
  Fixture f;
  const auto result = f.sessions->login("anna", "anna-password", "a");
  const std::string hash = hashSessionId(result.sessionId);
  const std::int64_t start = f.now;

  f.now += 200;  // less than the refresh interval (min(300 s, lifetime/10) = 300 s): no write
  REQUIRE(f.sessions->recognise(result.sessionId));
  CHECK(f.store.sessionByIdHash(hash)->expiresAt == start + 3600);

  f.now += 200;  // 400 s after the last refresh: moved
  REQUIRE(f.sessions->recognise(result.sessionId));
  CHECK(f.store.sessionByIdHash(hash)->expiresAt == f.now + 3600);

  f.now += 3599;
  CHECK(f.sessions->recognise(result.sessionId));
  f.now += 3600;
  CHECK_FALSE(f.sessions->recognise(result.sessionId));

  SECTION("the next login purges expired sessions") {
    f.sessions->login("anna", "anna-password", "a");
    CHECK_FALSE(f.store.sessionByIdHash(hash));
  }
}

TEST_CASE("wrong credentials and disabled accounts", "[appliance][sessions]") {
  Fixture f;
  CHECK(f.sessions->login("anna", "wrong", "a").outcome == Outcome::WrongCredentials);
  CHECK(f.sessions->login("nobody", "anna-password", "a").outcome == Outcome::WrongCredentials);
  CHECK(f.sessions->login("not valid!", "x", "a").outcome == Outcome::WrongCredentials);
  Account disabled = f.add("bert", "bert-password", AccountRole::Staff);
  disabled.disabled = true;
  f.store.updateAccount(disabled);
  CHECK(f.sessions->login("bert", "bert-password", "b").outcome == Outcome::Disabled);
  CHECK(f.sessions->login("bert", "wrong", "b").outcome == Outcome::WrongCredentials);
}

TEST_CASE("failed logins are limited per account and per address", "[appliance][sessions]") {
  Fixture f;
  f.add("bert", "bert-password", AccountRole::Staff);

  SECTION("per account: the addresses that failed wait, even with the right password") {
    CHECK(f.sessions->login("anna", "wrong", "10.0.0.1").outcome == Outcome::WrongCredentials);
    CHECK(f.sessions->login("Anna", "wrong", "10.0.0.2").outcome == Outcome::WrongCredentials);
    CHECK(f.sessions->login("anna", "wrong", "10.0.0.1").outcome == Outcome::WrongCredentials);
    const auto limited = f.sessions->login("anna", "anna-password", "10.0.0.1");
    CHECK(limited.outcome == Outcome::RateLimited);
    CHECK(limited.retryAfter > 0);
    CHECK(limited.retryAfter <= 300);
    CHECK(f.sessions->login("ANNA", "anna-password", "10.0.0.2").outcome == Outcome::RateLimited);
    // Other accounts from the same address are not affected (2 failures < 5 per address).
    CHECK(f.sessions->login("bert", "bert-password", "10.0.0.1").outcome == Outcome::LoggedIn);

    // Someone else's wrong guesses do not lock the owner out: another address may try.
    CHECK(f.sessions->login("anna", "anna-password", "10.0.0.9").outcome == Outcome::LoggedIn);
    // That success forgets only its own address's failures.
    CHECK(f.sessions->login("anna", "anna-password", "10.0.0.1").outcome == Outcome::RateLimited);
    CHECK(f.sessions->login("anna", "anna-password", "10.0.0.9").outcome == Outcome::LoggedIn);

    SECTION("a wrong guess makes the new address a known one") {
      CHECK(f.sessions->login("anna", "wrong", "10.0.0.10").outcome == Outcome::WrongCredentials);
      CHECK(f.sessions->login("anna", "anna-password", "10.0.0.10").outcome == Outcome::RateLimited);
    }
  }
  SECTION("per account: many addresses together get a bounded number of guesses") {
    const int capacity = 3 * RateLimiter::kFreshSourceFactor;
    for (int i = 0; i < capacity; ++i) {
      CHECK(f.sessions->login("anna", "wrong", "10.1.0." + std::to_string(i)).outcome == Outcome::WrongCredentials);
    }
    CHECK(f.sessions->login("anna", "anna-password", "10.2.0.1").outcome == Outcome::RateLimited);
  }
  SECTION("per address, whichever accounts are tried") {
    for (int i = 0; i < 5; ++i) f.sessions->login("guess" + std::to_string(i), "x", "10.0.0.7");
    CHECK(f.sessions->login("bert", "bert-password", "10.0.0.7").outcome == Outcome::RateLimited);
    CHECK(f.sessions->login("bert", "bert-password", "10.0.0.8").outcome == Outcome::LoggedIn);
  }
  SECTION("per address: an IPv6 client is limited by its /64") {
    for (int i = 1; i <= 5; ++i) f.sessions->login("guess" + std::to_string(i), "x", "2001:db8:0:7::" + std::to_string(i));
    CHECK(f.sessions->login("bert", "bert-password", "2001:db8:0:7:1:2:3:4").outcome == Outcome::RateLimited);
    CHECK(f.sessions->login("bert", "bert-password", "2001:db8:0:8::1").outcome == Outcome::LoggedIn);
  }
  SECTION("a right password is not counted against the address") {
    for (int i = 0; i < 10; ++i) CHECK(f.sessions->login("bert", "bert-password", "10.0.0.5").outcome == Outcome::LoggedIn);
  }
}
