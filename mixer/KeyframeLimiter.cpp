// SPDX-License-Identifier: EUPL-1.2
#include "mixer/KeyframeLimiter.hpp"

namespace plenum::mixer {

bool KeyframeLimiter::allowedLocked(Clock::time_point now) const {
  return !everGranted_ || now - last_ >= interval_;
}

bool KeyframeLimiter::request(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (allowedLocked(now)) {
    everGranted_ = true;
    last_ = now;
    pending_ = false;
    ++granted_;
    return true;
  }
  pending_ = true;
  ++suppressed_;
  return false;
}

bool KeyframeLimiter::takePending(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!pending_ || !allowedLocked(now)) return false;
  pending_ = false;
  last_ = now;
  ++granted_;
  return true;
}

unsigned KeyframeLimiter::granted() const {
  std::lock_guard lock(mutex_);
  return granted_;
}

unsigned KeyframeLimiter::suppressed() const {
  std::lock_guard lock(mutex_);
  return suppressed_;
}

}  // namespace plenum::mixer
