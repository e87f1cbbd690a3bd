// SPDX-License-Identifier: EUPL-1.2
#pragma once
// How many key presses a caller may make: a token bucket of kMaxDigitsPerSecond, refilled
// continuously. A person types a few digits a second; a flood (a broken or hostile gateway, by
// RTP telephone-events or by SIP INFO) would make every digit a prompt, a request to the room or
// a log line. Pure code: unit-tested alone. Used by one thread at a time.
#include <chrono>
#include <optional>

namespace plenum::mixer {

class KeypadRateLimit {
public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kMaxDigitsPerSecond = 20;

  // True if a press at `now` is within the limit (and takes its token); otherwise it counts it.
  bool take(Clock::time_point now);
  // Presses refused so far.
  unsigned limited() const { return limited_; }

private:
  double tokens_ = kMaxDigitsPerSecond;
  std::optional<Clock::time_point> lastRefill_;
  unsigned limited_ = 0;
};

}  // namespace plenum::mixer
