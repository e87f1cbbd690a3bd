// SPDX-License-Identifier: EUPL-1.2
// Tests of signaling/SpeakingTime: the countdown of the floor, given time points.
#include "signaling/SpeakingTime.hpp"

#include <catch2/catch.hpp>

using namespace plenum::signaling;
using namespace std::chrono_literals;

SCENARIO("The speaking-time countdown", "[signaling][SpeakingTime]") {
  const SpeakingTime::Time t0 = SpeakingTime::Time{} + 100h;
  SpeakingTime time;
  GIVEN("no limit") {
    time.start(t0);
    THEN("nothing counts down, nothing expires") {
      CHECK_FALSE(time.limited());
      CHECK_FALSE(time.remaining(t0 + 1h));
      CHECK_FALSE(time.expired(t0 + 1h));
      CHECK_FALSE(time.takeTimeUp(t0 + 1h));
    }
  }
  GIVEN("a limit of 180 s") {
    time.set(180, false);
    THEN("without a floor there is no countdown") { CHECK_FALSE(time.remaining(t0)); }
    WHEN("a floor starts") {
      time.start(t0);
      THEN("the remaining time counts down to 0") {
        CHECK(time.remaining(t0) == 180000ms);
        CHECK(time.remaining(t0 + 50ms) == 179950ms);
        CHECK(time.remaining(t0 + 179999ms) == 1ms);
        CHECK(time.remaining(t0 + 180s) == 0ms);
        CHECK(time.remaining(t0 + 1h) == 0ms);
      }
      THEN("it expires at the limit, not before") {
        CHECK_FALSE(time.expired(t0 + 179999ms));
        CHECK(time.expired(t0 + 180s));
      }
      THEN("time-up is reported once") {
        CHECK_FALSE(time.takeTimeUp(t0 + 179s));
        CHECK(time.takeTimeUp(t0 + 181s));
        CHECK_FALSE(time.takeTimeUp(t0 + 182s));
      }
      WHEN("the countdown starts again (a new floor or a new limit)") {
        CHECK(time.takeTimeUp(t0 + 181s));
        time.set(60, true);
        time.start(t0 + 200s);
        THEN("it counts from then, with the new limit, and can be up again") {
          CHECK(time.remaining(t0 + 200s) == 60000ms);
          CHECK(time.autoEnd());
          CHECK(time.takeTimeUp(t0 + 260s));
        }
      }
      WHEN("the floor ends") {
        time.stop();
        CHECK_FALSE(time.running());
        CHECK_FALSE(time.remaining(t0 + 1s));
      }
    }
  }
  GIVEN("a limit beyond 3600 s") {
    time.set(100000, false);
    THEN("it is clamped") { CHECK(time.limitSeconds() == 3600); }
  }
}
