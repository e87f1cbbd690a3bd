// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The timestamps of the mixing loop's 20 ms ticks, in the pipeline's running time. Every frame
// a tick produces (the shared mix, each talker's mix-minus) carries the same timestamp, so that
// the shared and the own Opus encoder stamp the same tick alike and a switch between them keeps
// the RTP timestamps continuous. Consecutive ticks are exactly 20 ms apart (encoders and
// payloaders see a perfect stream); the clock's reading is taken over again only when the loop
// fell behind it by more than a tick (a stall), in whole ticks (a receiver then sees a gap of
// whole 20 ms frames, never a step that splits a frame), and never backwards: the loop's
// catch-up after a short stall runs a few ticks early, and timestamps must not go back.
#include <gst/gst.h>

namespace plenum::mixer {

class TickClock {
public:
  static constexpr GstClockTime kTick = 20 * GST_MSECOND;

  // The timestamp of the tick that runs at running time `now`.
  GstClockTime next(GstClockTime now) {
    if (GST_CLOCK_TIME_IS_VALID(last_)) {
      const GstClockTime predicted = last_ + kTick;
      if (!GST_CLOCK_TIME_IS_VALID(now) || now <= predicted + kTick) return last_ = predicted;
      return last_ = last_ + (now - last_) / kTick * kTick;
    }
    return last_ = now;
  }

private:
  GstClockTime last_ = GST_CLOCK_TIME_NONE;
};

}  // namespace plenum::mixer
