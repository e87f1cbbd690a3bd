// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The speaking time of the floor: the limit a moderator set (0 = none), whether the floor is
// taken back when it runs out, and the countdown of the current floor. Pure: every question
// takes the time point it is asked at, so tests need no clock.
#include <chrono>
#include <optional>

namespace plenum::signaling {

class SpeakingTime {
public:
  using Time = std::chrono::steady_clock::time_point;
  static constexpr unsigned kMaxLimitSeconds = 3600;

  // The setting from now on (limitSeconds 0 = no limit; clamped to kMaxLimitSeconds).
  void set(unsigned limitSeconds, bool autoEnd);
  unsigned limitSeconds() const { return limitSeconds_; }
  bool autoEnd() const { return autoEnd_; }
  bool limited() const { return limitSeconds_ > 0; }

  // A countdown of the current limit starts (a new floor, or a new limit for the current one).
  void start(Time now);
  // Nobody has the floor: no countdown.
  void stop();
  bool running() const { return startedAt_.has_value(); }

  // Time left at `now` (0 once it has run out); nullopt without a running, limited countdown.
  std::optional<std::chrono::milliseconds> remaining(Time now) const;
  bool expired(Time now) const;
  // True exactly once per countdown: the first time it is asked after the time ran out.
  bool takeTimeUp(Time now);

private:
  unsigned limitSeconds_ = 0;
  bool autoEnd_ = false;
  std::optional<Time> startedAt_;
  bool timeUpReported_ = false;
};

}  // namespace plenum::signaling
