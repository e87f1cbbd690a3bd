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
