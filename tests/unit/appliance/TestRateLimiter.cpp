// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/RateLimiter with an injected clock: the limit, the sliding window, the
// wait it reports, independence of keys, reset.
#include "appliance/RateLimiter.hpp"

#include <catch2/catch.hpp>

using namespace plenum::appliance;
using namespace std::chrono_literals;

namespace {
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  RateLimiter::Clock function() {
    return [this] { return now; };
  }
};
}  // namespace

TEST_CASE("a key may fail `limit` times within the window", "[appliance][ratelimiter]") {
  FakeClock clock;
  RateLimiter limiter(5, 300s, clock.function());
  for (int i = 0; i < 4; ++i) {
    limiter.recordFailure("anna");
    clock.now += 10s;
  }
  CHECK(limiter.retryAfter("anna") == 0);
  limiter.recordFailure("anna");  // the fifth, at t = 40 s
  // Free again when the first failure (t = 0) is 300 s old.
  CHECK(limiter.retryAfter("anna") == 260);

  SECTION("other keys are not affected") { CHECK(limiter.retryAfter("bert") == 0); }

  SECTION("the wait counts down and ends when the oldest failure leaves the window") {
    clock.now += 200s;
    CHECK(limiter.retryAfter("anna") == 60);
    clock.now += 59s + 500ms;
    CHECK(limiter.retryAfter("anna") == 1);  // rounded up: never 0 while still blocked
    clock.now += 500ms;
    CHECK(limiter.retryAfter("anna") == 0);
    // One attempt is free again, then the next oldest failure decides.
    limiter.recordFailure("anna");
    CHECK(limiter.retryAfter("anna") == 10);
  }

  SECTION("reset forgets the key's failures") {
    limiter.reset("anna");
    CHECK(limiter.retryAfter("anna") == 0);
  }
}

TEST_CASE("failures older than the window do not count", "[appliance][ratelimiter]") {
  FakeClock clock;
  RateLimiter limiter(3, 60s, clock.function());
  limiter.recordFailure("k");
  limiter.recordFailure("k");
  clock.now += 61s;
  limiter.recordFailure("k");
  limiter.recordFailure("k");
  CHECK(limiter.retryAfter("k") == 0);
  limiter.recordFailure("k");
  CHECK(limiter.retryAfter("k") == 60);
}

TEST_CASE("failures while blocked extend the block to the newest `limit` failures", "[appliance][ratelimiter]") {
  FakeClock clock;
  RateLimiter limiter(2, 100s, clock.function());
  limiter.recordFailure("k");
  clock.now += 50s;
  limiter.recordFailure("k");
  CHECK(limiter.retryAfter("k") == 50);
  clock.now += 10s;
  limiter.recordFailure("k");  // a caller that ignores the answer: counted all the same
  CHECK(limiter.retryAfter("k") == 90);
}

TEST_CASE("a flood of keys does not grow the table without bound", "[appliance][ratelimiter]") {
  FakeClock clock;
  RateLimiter limiter(1, 10s, clock.function());
  for (std::size_t i = 0; i < RateLimiter::kMaxKeys + 10; ++i) limiter.recordFailure("address-" + std::to_string(i));
  CHECK(limiter.keyCount() == RateLimiter::kMaxKeys);
  CHECK(limiter.retryAfter("address-" + std::to_string(RateLimiter::kMaxKeys + 9)) == 10);  // the newest stays
  clock.now += 11s;
  limiter.recordFailure("late");  // a full table is first pruned of expired keys
  CHECK(limiter.keyCount() == 1);
  CHECK(limiter.retryAfter("late") == 10);
}

TEST_CASE("an attempt is counted when it is reserved, before it is checked", "[appliance][ratelimiter]") {
  FakeClock clock;
  RateLimiter limiter(3, 60s, clock.function());
  // Three parallel attempts reserve before any is checked: the fourth must wait.
  CHECK(limiter.reserve("anna", "10.0.0.1") == 0);
  CHECK(limiter.reserve("anna", "10.0.0.1") == 0);
  CHECK(limiter.reserve("anna", "10.0.0.2") == 0);
  CHECK(limiter.reserve("anna", "10.0.0.3") == 60);
  CHECK(limiter.retryAfter("anna") == 60);

  SECTION("a released reservation (a success) no longer counts") {
    limiter.release("anna", "10.0.0.2");
    CHECK(limiter.retryAfter("anna") == 0);
    CHECK(limiter.reserve("anna", "10.0.0.3") == 0);
    CHECK(limiter.reserve("anna", "10.0.0.3") == 60);
  }
  SECTION("releasing takes back one attempt of that source only") {
    limiter.release("anna", "10.0.0.9");  // none of its own: nothing changes
    CHECK(limiter.retryAfter("anna") == 60);
    limiter.release("anna", "10.0.0.1");
    CHECK(limiter.reserve("anna", "x") == 0);
  }
  SECTION("forgetting a source takes back all of its attempts") {
    limiter.forgetSource("anna", "10.0.0.1");
    CHECK(limiter.reserve("anna", "x") == 0);
    CHECK(limiter.reserve("anna", "y") == 0);
    CHECK(limiter.reserve("anna", "z") > 0);
  }
}

TEST_CASE("a full key can refuse only the sources that filled it", "[appliance][ratelimiter]") {
  FakeClock clock;
  RateLimiter limiter(2, 100s, clock.function(), RateLimiter::WhenFull::RefuseKnownSources);
  CHECK(limiter.reserve("anna", "attacker") == 0);
  clock.now += 10s;
  CHECK(limiter.reserve("anna", "attacker") == 0);
  // Full: the attacker waits until the count is below the limit again (t = 100 s).
  CHECK(limiter.reserve("anna", "attacker") == 90);
  CHECK(limiter.retryAfter("anna", "attacker") == 90);
  clock.now += 50s;
  CHECK(limiter.retryAfter("anna", "attacker") == 40);
  // The owner, from another address, may still try (once: then it is a known source too).
  CHECK(limiter.retryAfter("anna", "owner") == 0);
  CHECK(limiter.reserve("anna", "owner") == 0);
  CHECK(limiter.reserve("anna", "owner") == 50);  // below the limit again at t = 110 s

  SECTION("a success forgets the owner's attempts, not the attacker's") {
    limiter.forgetSource("anna", "owner");
    CHECK(limiter.reserve("anna", "attacker") == 40);
    CHECK(limiter.retryAfter("anna", "owner") == 0);
  }
  SECTION("many sources together get at most kFreshSourceFactor times the limit") {
    const int capacity = 2 * RateLimiter::kFreshSourceFactor;
    for (int i = 3; i < capacity; ++i) CHECK(limiter.reserve("anna", "bot-" + std::to_string(i)) == 0);
    // Full for everyone now: free again when the oldest of the newest `capacity` attempts (t = 0) leaves.
    CHECK(limiter.reserve("anna", "someone-new") == 40);
    CHECK(limiter.retryAfter("anna", "owner") == 100);  // its own attempt (t = 60 s) must leave too
    clock.now += 40s;  // t = 100 s: the first attempt is gone, the count (7) is still at least the limit
    CHECK(limiter.reserve("anna", "someone-new") == 0);
    CHECK(limiter.reserve("anna", "someone-newer") > 0);
  }
}

TEST_CASE("client addresses are limited by IPv4 address and by IPv6 /64", "[appliance][ratelimiter]") {
  CHECK(clientAddressKey("192.0.2.17") == "192.0.2.17");
  CHECK(clientAddressKey("192.0.2.18") != clientAddressKey("192.0.2.17"));
  // Every address of one /64 is one key: rotating within it does not escape the limit.
  CHECK(clientAddressKey("2001:db8:1:2::1") == "2001:db8:1:2::/64");
  CHECK(clientAddressKey("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64");
  CHECK(clientAddressKey("2001:DB8:1:2:a:b:c:d") == "2001:db8:1:2::/64");
  CHECK(clientAddressKey("2001:db8:1:3::1") == "2001:db8:1:3::/64");
  // An IPv4 client of a dual-stack socket is its IPv4 address, not the shared ::ffff:0:0/64.
  CHECK(clientAddressKey("::ffff:192.0.2.17") == "192.0.2.17");
  CHECK(clientAddressKey("::ffff:198.51.100.1") == "198.51.100.1");
  CHECK(clientAddressKey("not an address") == "not an address");

  SECTION("as the limiter's key") {
    FakeClock clock;
    RateLimiter limiter(2, 60s, clock.function());
    CHECK(limiter.reserve(clientAddressKey("2001:db8:1:2::1")) == 0);
    CHECK(limiter.reserve(clientAddressKey("2001:db8:1:2::2")) == 0);
    CHECK(limiter.reserve(clientAddressKey("2001:db8:1:2:dead:beef:0:1")) == 60);
    CHECK(limiter.reserve(clientAddressKey("2001:db8:1:3::1")) == 0);
  }
}
