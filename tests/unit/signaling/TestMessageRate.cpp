// SPDX-License-Identifier: EUPL-1.2
// Tests of signaling/MessageRate: the token buckets of PROTOCOL.md "Limits".
#include "signaling/MessageRate.hpp"

#include <catch2/catch.hpp>

using namespace plenum::signaling;
using namespace std::chrono_literals;

SCENARIO("A token bucket: a burst, then a steady rate", "[signaling][MessageRate]") {
  const MessageRate::Time t0 = MessageRate::Time{} + 10h;
  GIVEN("chat: 5 in a burst, then 1 a second") {
    MessageRate rate(5, 1);
    for (int i = 0; i < 5; ++i) CHECK_FALSE(rate.take(t0));
    THEN("the sixth at once is refused, to try again in 1 s") { CHECK(rate.take(t0) == 1u); }
    THEN("a refused message takes nothing: after a second one more goes") {
      CHECK(rate.take(t0 + 500ms) == 1u);
      CHECK_FALSE(rate.take(t0 + 1s));
      CHECK(rate.take(t0 + 1s));
    }
    THEN("one a second goes on for ever") {
      for (int s = 1; s <= 100; ++s) {
        CHECK_FALSE(rate.take(t0 + std::chrono::seconds(s)));
        CHECK(rate.take(t0 + std::chrono::seconds(s)));
      }
    }
    THEN("after a pause the burst is back, but no more") {
      for (int i = 0; i < 5; ++i) CHECK_FALSE(rate.take(t0 + 1h));
      CHECK(rate.take(t0 + 1h));
    }
  }
  GIVEN("hand and queue messages: 10 in a burst, then 2 a second") {
    MessageRate rate(10, 2);
    for (int i = 0; i < 10; ++i) CHECK_FALSE(rate.take(t0));
    CHECK(rate.take(t0) == 1u);
    CHECK_FALSE(rate.take(t0 + 500ms));
    CHECK(rate.take(t0 + 500ms));
    CHECK_FALSE(rate.take(t0 + 1s));
  }
  GIVEN("a slow rate") {
    MessageRate rate(1, 0.25);
    CHECK_FALSE(rate.take(t0));
    THEN("retryAfter is the whole seconds until the next token") { CHECK(rate.take(t0) == 4u); }
  }
}
