// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The samples one participant has sent and the mixer has not yet taken. Filled by a GStreamer
// streaming thread, emptied by the mixing thread every tick; bounded so that a burst cannot
// add lasting latency (the oldest samples are dropped instead).
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <vector>

namespace plenum::mixer {

class AudioFifo {
public:
  explicit AudioFifo(std::size_t maxSamples) : maxSamples_(maxSamples) {}

  void push(std::span<const int16_t> samples);

  // Moves up to out.size() samples into `out`, filling the rest with silence. Returns how many
  // real samples were taken (0: nothing arrived in time).
  std::size_t pop(std::span<int16_t> out);

  std::size_t size() const;
  std::size_t dropped() const;

private:
  const std::size_t maxSamples_;
  mutable std::mutex mutex_;
  std::deque<int16_t> samples_;
  std::size_t dropped_ = 0;
};

}  // namespace plenum::mixer
