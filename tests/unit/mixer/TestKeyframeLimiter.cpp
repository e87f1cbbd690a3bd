// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/KeyframeLimiter: at most one key frame per interval, late requests served
// when the interval ends.
#include "mixer/KeyframeLimiter.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using plenum::mixer::KeyframeLimiter;
using namespace std::chrono_literals;

namespace {
using Clock = KeyframeLimiter::Clock;
// An arbitrary point in time; the limiter must not depend on what the clock's epoch is.
const Clock::time_point t0 = Clock::time_point{} + 12345s;
}  // namespace

SCENARIO("The first key frame request is granted", "[mixer][KeyframeLimiter]") {
  const auto start = GENERATE(as<Clock::time_point>{}, Clock::time_point{}, t0, Clock::now());
  KeyframeLimiter limiter(500ms);

  THEN("it is granted, whatever the time") { CHECK(limiter.request(start)); }
  THEN("nothing is pending afterwards") {
    limiter.request(start);
    CHECK_FALSE(limiter.takePending(start + 1h));
  }
  THEN("the counters say one granted, none suppressed") {
    limiter.request(start);
    CHECK(limiter.granted() == 1);
    CHECK(limiter.suppressed() == 0);
  }
}

SCENARIO("Requests inside the interval are suppressed and kept pending", "[mixer][KeyframeLimiter]") {
  KeyframeLimiter limiter(500ms);
  REQUIRE(limiter.request(t0));

  GIVEN("a second request at a given delay after the first grant") {
    // delay, granted
    const auto [delay, granted] = GENERATE(table<std::chrono::milliseconds, bool>({
        {0ms, false},
        {1ms, false},
        {250ms, false},
        {499ms, false},
        {500ms, true},
        {501ms, true},
        {10000ms, true},
    }));
    CAPTURE(delay.count());
    THEN("it is granted only once the interval has passed") { CHECK(limiter.request(t0 + delay) == granted); }
    THEN("the counters agree") {
      limiter.request(t0 + delay);
      CHECK(limiter.granted() == (granted ? 2u : 1u));
      CHECK(limiter.suppressed() == (granted ? 0u : 1u));
    }
  }

  GIVEN("a suppressed request") {
    REQUIRE_FALSE(limiter.request(t0 + 100ms));

    THEN("it is not served before the interval ends") {
      CHECK_FALSE(limiter.takePending(t0 + 100ms));
      CHECK_FALSE(limiter.takePending(t0 + 499ms));
    }
    THEN("it is served when the interval ends") { CHECK(limiter.takePending(t0 + 500ms)); }
    THEN("it is served only once") {
      CHECK(limiter.takePending(t0 + 500ms));
      CHECK_FALSE(limiter.takePending(t0 + 500ms));
      CHECK_FALSE(limiter.takePending(t0 + 10s));
    }
    THEN("an early look does not lose it") {
      CHECK_FALSE(limiter.takePending(t0 + 200ms));
      CHECK(limiter.takePending(t0 + 600ms));
    }
    THEN("serving it counts as a grant") {
      limiter.takePending(t0 + 500ms);
      CHECK(limiter.granted() == 2);
      CHECK(limiter.suppressed() == 1);
    }
    THEN("serving it starts a new interval") {
      REQUIRE(limiter.takePending(t0 + 700ms));
      CHECK_FALSE(limiter.request(t0 + 1100ms));  // 400 ms after the pending grant
      CHECK_FALSE(limiter.takePending(t0 + 1199ms));
      CHECK(limiter.takePending(t0 + 1200ms));
    }
    THEN("a new granted request makes it unnecessary") {
      CHECK(limiter.request(t0 + 600ms));
      CHECK_FALSE(limiter.takePending(t0 + 2s));
    }
  }

  GIVEN("several requests inside one interval") {
    for (auto delay : {10ms, 20ms, 30ms, 400ms, 499ms}) REQUIRE_FALSE(limiter.request(t0 + delay));
    THEN("each is counted as suppressed") { CHECK(limiter.suppressed() == 5); }
    THEN("they are served by a single key frame") {
      CHECK(limiter.takePending(t0 + 500ms));
      CHECK_FALSE(limiter.takePending(t0 + 2s));
      CHECK(limiter.granted() == 2);
    }
  }

  GIVEN("no request inside the interval") {
    THEN("there is nothing pending to serve, ever") {
      CHECK_FALSE(limiter.takePending(t0 + 500ms));
      CHECK_FALSE(limiter.takePending(t0 + 1h));
      CHECK(limiter.granted() == 1);
    }
  }
}

SCENARIO("A limiter that was never asked has nothing pending", "[mixer][KeyframeLimiter]") {
  KeyframeLimiter limiter(500ms);
  CHECK_FALSE(limiter.takePending(t0));
  CHECK(limiter.granted() == 0);
  CHECK(limiter.suppressed() == 0);
}

SCENARIO("A limiter with a zero interval grants every request", "[mixer][KeyframeLimiter]") {
  KeyframeLimiter limiter(0ms);
  for (int i = 0; i < 5; ++i) CHECK(limiter.request(t0));
  CHECK(limiter.granted() == 5);
  CHECK(limiter.suppressed() == 0);
}

SCENARIO("A steady stream of requests gives one key frame per interval", "[mixer][KeyframeLimiter]") {
  KeyframeLimiter limiter(1000ms);
  unsigned keyFrames = 0;
  // A PLI every 100 ms for 10 s, the pending check every 20 ms.
  for (auto t = 0ms; t < 10000ms; t += 20ms) {
    if (t % 100ms == 0ms && limiter.request(t0 + t)) ++keyFrames;
    else if (limiter.takePending(t0 + t)) ++keyFrames;
  }
  CHECK(keyFrames == 10);
  CHECK(limiter.granted() == keyFrames);
  CHECK(limiter.granted() + limiter.suppressed() == 100);
}

SCENARIO("Simultaneous requests from RTCP threads", "[mixer][KeyframeLimiter][thread]") {
  constexpr int kThreads = 8;
  constexpr int kRequestsEach = 1000;
  KeyframeLimiter limiter(500ms);
  std::atomic<int> grantedSeen{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      while (!go) std::this_thread::yield();
      for (int k = 0; k < kRequestsEach; ++k) {
        if (limiter.request(t0)) ++grantedSeen;
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();

  THEN("exactly one is granted") {
    CHECK(grantedSeen == 1);
    CHECK(limiter.granted() == 1);
  }
  THEN("all others are suppressed") { CHECK(limiter.suppressed() == kThreads * kRequestsEach - 1); }
  THEN("one pending key frame follows") {
    CHECK(limiter.takePending(t0 + 500ms));
    CHECK_FALSE(limiter.takePending(t0 + 500ms));
  }
}
