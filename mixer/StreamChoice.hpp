// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Which of a participant's two Opus streams reaches them: their own mix-minus encode or the
// room's shared encode, and from which tick on. The mixing thread sets it (select) before it
// pushes the tick's frames; pad probes on GStreamer's streaming threads ask it (passes) for
// every encoded buffer. One atomic word, so neither side ever waits for the other.
//
// Alignment: a buffer passes when it comes from the selected stream and its timestamp is at or
// after the tick of the switch. Both encoders get the same timestamp for the same tick (the
// mixing loop stamps every frame of a tick alike), so per tick exactly one stream passes:
//   - to the own stream at tick N: shared buffers still on their way (ticks before N) are
//     dropped; shared N, which may carry the talker's first frame, is dropped too (the choice
//     is made before it is pushed); own N and later pass.
//   - back to the shared stream at tick M: own buffers before M still on their way are dropped,
//     shared M and later pass. Never two buffers for one tick, never a step back in time; at
//     most a packet or two missing at a switch, which the browser's decoder conceals (a
//     resumed own encoder's first packet always is: see EncodedAudioProbe in RoomMixer.cpp).
// Why a talker never hears itself: the shared stream is selected for a participant only from a
// tick on where they have been below the floor for the whole hold (1 s), from that tick on
// their frames are not mixed at all (AudioMixLoop's gate), and the switch to the own stream is
// made before the tick with their first sound is pushed. So even a shared buffer that slipped
// through around a switch carries at most their sub-floor (< -60 dBFS) samples.
#include <gst/gst.h>

#include <atomic>
#include <cstdint>

namespace plenum::mixer {

class StreamChoice {
public:
  // Timestamps within half a tick of the switch count as the switch's tick (an encoder may
  // shift its output a little, by its look-ahead).
  static constexpr GstClockTime kTolerance = 10 * GST_MSECOND;

  void select(bool own, GstClockTime fromTick) {
    state_.store((fromTick << 1) | (own ? 1u : 0u), std::memory_order_release);
  }
  bool ownSelected() const { return state_.load(std::memory_order_acquire) & 1u; }

  bool passes(bool ownStream, GstClockTime pts) const {
    const uint64_t state = state_.load(std::memory_order_acquire);
    if (ownStream != static_cast<bool>(state & 1u)) return false;
    const GstClockTime from = state >> 1;
    return GST_CLOCK_TIME_IS_VALID(pts) && pts + kTolerance >= from;
  }

private:
  std::atomic<uint64_t> state_{0};  // (tick << 1) | own; starts on the shared stream
};

}  // namespace plenum::mixer
