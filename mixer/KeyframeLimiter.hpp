// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Key frame requests (a new receiver, a PLI/FIR from any receiver) are costly for the shared
// encoder and for every receiver's bandwidth. At most one key frame per interval is let
// through; a request inside the interval is remembered and served when it ends, so nobody is
// left waiting for a picture. Thread-safe: requests arrive on RTCP threads.
#include <chrono>
#include <mutex>

namespace plenum::mixer {

class KeyframeLimiter {
public:
  using Clock = std::chrono::steady_clock;
  explicit KeyframeLimiter(std::chrono::milliseconds interval) : interval_(interval) {}

  // True when a key frame may be produced now; otherwise the request is kept pending.
  bool request(Clock::time_point now);
  // True (once) when a pending request may now be served.
  bool takePending(Clock::time_point now);

  unsigned granted() const;
  unsigned suppressed() const;

private:
  bool allowedLocked(Clock::time_point now) const;

  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  bool everGranted_ = false;
  Clock::time_point last_{};
  bool pending_ = false;
  unsigned granted_ = 0;
  unsigned suppressed_ = 0;
};

}  // namespace plenum::mixer
