// SPDX-License-Identifier: EUPL-1.2
#include "mixer/AudioFifo.hpp"

#include <algorithm>

namespace plenum::mixer {

void AudioFifo::push(std::span<const int16_t> samples) {
  std::lock_guard lock(mutex_);
  samples_.insert(samples_.end(), samples.begin(), samples.end());
  if (samples_.size() > maxSamples_) {
    const std::size_t excess = samples_.size() - maxSamples_;
    samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(excess));
    dropped_ += excess;
  }
}

std::size_t AudioFifo::pop(std::span<int16_t> out) {
  std::lock_guard lock(mutex_);
  const std::size_t n = std::min(out.size(), samples_.size());
  std::copy_n(samples_.begin(), n, out.begin());
  samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(n));
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), int16_t{0});
  if (trimWindow_ > 0) {
    lowest_ = std::min(lowest_, samples_.size());
    if (++pops_ >= trimWindow_) {
      if (lowest_ > slack_) {
        const std::size_t excess = std::min(lowest_ - slack_, samples_.size());
        samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(excess));
        trimmed_ += excess;
      }
      pops_ = 0;
      lowest_ = SIZE_MAX;
    }
  }
  return n;
}

std::size_t AudioFifo::trimmed() const {
  std::lock_guard lock(mutex_);
  return trimmed_;
}

std::size_t AudioFifo::size() const {
  std::lock_guard lock(mutex_);
  return samples_.size();
}

std::size_t AudioFifo::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace plenum::mixer
