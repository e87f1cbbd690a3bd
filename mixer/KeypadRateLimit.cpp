// SPDX-License-Identifier: EUPL-1.2
#include "mixer/KeypadRateLimit.hpp"

#include <algorithm>

namespace plenum::mixer {

bool KeypadRateLimit::take(Clock::time_point now) {
  if (lastRefill_) {
    const double elapsed = std::chrono::duration<double>(now - *lastRefill_).count();
    tokens_ = std::min<double>(kMaxDigitsPerSecond, tokens_ + std::max(0.0, elapsed) * kMaxDigitsPerSecond);
  }
  lastRefill_ = now;
  if (tokens_ < 1) {
    ++limited_;
    return false;
  }
  tokens_ -= 1;
  return true;
}

}  // namespace plenum::mixer
