// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The samples one participant has sent and the mixer has not yet taken. Filled by a GStreamer
// streaming thread, emptied by the mixing thread every tick; bounded so that a burst cannot
// add lasting latency (the oldest samples are dropped instead). Arrival and mixing run at the
// same rate, so a backlog once built (the first packets before the room's mix ran, a stall)
// would otherwise stay for good: every `trimWindow` pops, what never left the FIFO in that
// window (its lowest level after a pop) beyond `slack` samples is dropped, oldest first. A
// FIFO that ran dry in the window (late packets) keeps everything.
#include <cstdint>
#include <cstddef>
#include <deque>
#include <mutex>
#include <span>
#include <vector>

namespace plenum::mixer {

class AudioFifo {
public:
  explicit AudioFifo(std::size_t maxSamples, std::size_t slack = 0, unsigned trimWindow = 0)
      : maxSamples_(maxSamples), slack_(slack), trimWindow_(trimWindow) {}

  void push(std::span<const int16_t> samples);

  // Moves up to out.size() samples into `out`, filling the rest with silence. Returns how many
  // real samples were taken (0: nothing arrived in time).
  std::size_t pop(std::span<int16_t> out);

  std::size_t size() const;
  // Samples dropped for being over maxSamples, and for standing in the FIFO (trimmed).
  std::size_t dropped() const;
  std::size_t trimmed() const;

private:
  const std::size_t maxSamples_;
  const std::size_t slack_;
  const unsigned trimWindow_;  // 0: never trimmed
  mutable std::mutex mutex_;
  std::deque<int16_t> samples_;
  std::size_t dropped_ = 0;
  std::size_t trimmed_ = 0;
  unsigned pops_ = 0;              // in the current window
  std::size_t lowest_ = SIZE_MAX;  // the lowest level after a pop in the current window
};

}  // namespace plenum::mixer
