// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Whether a participant talks, for the choice of the Opus stream they receive: while they
// talk they get their own mix-minus encode, otherwise the room's shared encode of the full mix
// (which is then also what they would hear in their own mix-minus). Plain arithmetic, one
// instance per participant, fed by the mixing thread once per 20 ms tick.
//
//   floor   a frame talks when any sample reaches kFloorDbfs (peak, not RMS: the peak is the
//           stricter test, so a frame judged silent is silent in every sample). The mixing loop
//           leaves a silent listener's frames out of the mix altogether (a gate at the floor),
//           so the shared stream never carries anything of a listener who receives it.
//   onset   at once, in the tick of the first frame above the floor: the switch to the own
//           stream must happen before that frame can reach the shared stream.
//   hold    talking until kHoldTicks ticks in a row were below the floor (1 s), so that the
//           stream does not change in every pause between words.
//   muted   a participant muted on the server counts as silent (their frames are not mixed);
//           the hold still runs, so a mute does not switch streams while earlier shared
//           frames with their voice may still be on their way.
#include <cstdint>
#include <span>

namespace plenum::mixer {

class TalkDetector {
public:
  static constexpr double kFloorDbfs = -60.0;
  // The floor as a 16-bit sample value: 32768 * 10^(-60/20) = 32.8.
  static constexpr int kFloorAmplitude = 33;
  static constexpr int kHoldTicks = 1000 / 20;  // 1 s

  // One tick's frame (empty: nothing arrived). Returns whether the participant talks now.
  bool update(std::span<const int16_t> frame, bool muted);
  bool talking() const { return quietTicks_ < kHoldTicks; }

  static bool aboveFloor(std::span<const int16_t> frame);

private:
  int quietTicks_ = kHoldTicks;  // ticks in a row below the floor, up to kHoldTicks
};

}  // namespace plenum::mixer
