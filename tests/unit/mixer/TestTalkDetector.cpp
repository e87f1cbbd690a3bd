// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/TalkDetector (who gets their own Opus stream), mixer/StreamChoice (which
// encoded buffers pass at a switch) and mixer/TickClock (the ticks' timestamps), on synthetic
// frames and timestamps.
#include "mixer/StreamChoice.hpp"
#include "mixer/TalkDetector.hpp"
#include "mixer/TickClock.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using plenum::mixer::StreamChoice;
using plenum::mixer::TalkDetector;
using plenum::mixer::TickClock;

namespace {

// A 20 ms frame of silence with one sample of the given value.
std::vector<int16_t> frame(int16_t peak = 0) {
  std::vector<int16_t> samples(960, 0);
  samples[480] = peak;
  return samples;
}

constexpr GstClockTime kTick = 20 * GST_MSECOND;

}  // namespace

SCENARIO("TalkDetector: talking starts at once, ends after the hold", "[mixer][talk]") {
  TalkDetector talk;
  GIVEN("a participant who has not said anything") {
    CHECK_FALSE(talk.talking());

    THEN("frames below the floor, empty frames and -60 dBFS minus one step are silence") {
      CHECK_FALSE(talk.update(frame(0), false));
      CHECK_FALSE(talk.update({}, false));
      CHECK_FALSE(talk.update(frame(32), false));
      CHECK_FALSE(talk.update(frame(-32), false));
    }
    THEN("one frame at the floor (either sign) makes them talk in that very tick") {
      const auto [peak] = GENERATE(table<int16_t>({{33}, {-33}, {1000}, {-32768}, {32767}}));
      CHECK(talk.update(frame(peak), false));
    }
    THEN("a muted participant never talks, however loud") {
      for (int i = 0; i < 10; ++i) CHECK_FALSE(talk.update(frame(20000), true));
    }
  }

  GIVEN("a participant who talks") {
    REQUIRE(talk.update(frame(5000), false));

    THEN("they keep talking through pauses shorter than the hold (1 s)") {
      for (int pause = 0; pause < 3; ++pause) {
        for (int i = 0; i < TalkDetector::kHoldTicks - 1; ++i) CHECK(talk.update(frame(0), false));
        CHECK(talk.update(frame(500), false));  // a word: the hold starts again
      }
    }
    THEN("after 1 s below the floor they are silent, and the next sound is talking again") {
      for (int i = 0; i < TalkDetector::kHoldTicks - 1; ++i) REQUIRE(talk.update(frame(10), false));
      CHECK_FALSE(talk.update(frame(10), false));
      CHECK_FALSE(talk.update(frame(10), false));
      CHECK(talk.update(frame(-40), false));
    }
    THEN("muted, they stay on their own stream for the hold, then fall silent") {
      for (int i = 0; i < TalkDetector::kHoldTicks - 1; ++i) REQUIRE(talk.update(frame(20000), true));
      CHECK_FALSE(talk.update(frame(20000), true));
    }
  }
}

SCENARIO("StreamChoice: exactly one stream per tick across a switch", "[mixer][talk]") {
  StreamChoice choice;
  const GstClockTime t0 = 10 * GST_SECOND;

  GIVEN("a new participant") {
    THEN("the shared stream passes and the own one does not") {
      CHECK(choice.passes(false, t0));
      CHECK_FALSE(choice.passes(true, t0));
      CHECK_FALSE(choice.passes(false, GST_CLOCK_TIME_NONE));
    }
  }
  GIVEN("a switch to the own stream at tick t0") {
    choice.select(true, t0);
    CHECK(choice.ownSelected());
    THEN("no shared buffer passes any more, not even older ones still on their way") {
      for (GstClockTime t : {t0 - 2 * kTick, t0 - kTick, t0, t0 + kTick}) CHECK_FALSE(choice.passes(false, t));
    }
    THEN("own buffers from t0 on pass (an encoder's small shift tolerated), none from before") {
      CHECK(choice.passes(true, t0));
      CHECK(choice.passes(true, t0 + kTick));
      CHECK(choice.passes(true, t0 - 7 * GST_MSECOND));
      CHECK_FALSE(choice.passes(true, t0 - kTick));
    }
    AND_WHEN("back to the shared stream at t1") {
      const GstClockTime t1 = t0 + 60 * kTick;
      choice.select(false, t1);
      THEN("own buffers before t1 still on their way are dropped; shared ones pass from t1") {
        CHECK_FALSE(choice.passes(true, t1 - kTick));
        CHECK_FALSE(choice.passes(false, t1 - kTick));
        CHECK(choice.passes(false, t1));
        CHECK(choice.passes(false, t1 + kTick));
      }
    }
  }
}

SCENARIO("TickClock: 20 ms steps, forward resynchronisation only", "[mixer][talk]") {
  TickClock clock;
  const GstClockTime start = GST_SECOND;
  CHECK(clock.next(start) == start);
  WHEN("the loop ticks with jitter") {
    THEN("the timestamps are exactly 20 ms apart") {
      CHECK(clock.next(start + kTick + 3 * GST_MSECOND) == start + kTick);
      CHECK(clock.next(start + 2 * kTick - 4 * GST_MSECOND) == start + 2 * kTick);
    }
  }
  WHEN("the loop stalled for 200 ms") {
    THEN("the timestamps jump forward to the clock") {
      CHECK(clock.next(start + 10 * kTick) == start + 10 * kTick);
      CHECK(clock.next(start + 11 * kTick) == start + 11 * kTick);
    }
  }
  WHEN("the loop stalled for a time that is no whole number of ticks") {
    THEN("the timestamps jump forward by whole ticks, to the last tick the clock has passed") {
      CHECK(clock.next(start + 7 * kTick + 13 * GST_MSECOND) == start + 7 * kTick);
      CHECK(clock.next(start + 8 * kTick + 13 * GST_MSECOND) == start + 8 * kTick);
    }
  }
  WHEN("the loop runs early (catching up after a short stall)") {
    THEN("the timestamps never go back") {
      CHECK(clock.next(start - 5 * kTick) == start + kTick);
      CHECK(clock.next(start - 4 * kTick) == start + 2 * kTick);
    }
  }
}
