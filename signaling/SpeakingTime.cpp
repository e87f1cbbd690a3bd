// SPDX-License-Identifier: EUPL-1.2
#include "signaling/SpeakingTime.hpp"

#include <algorithm>

namespace plenum::signaling {

void SpeakingTime::set(unsigned limitSeconds, bool autoEnd) {
  limitSeconds_ = std::min(limitSeconds, kMaxLimitSeconds);
  autoEnd_ = autoEnd;
}

void SpeakingTime::start(Time now) {
  startedAt_ = now;
  timeUpReported_ = false;
}

void SpeakingTime::stop() {
  startedAt_.reset();
  timeUpReported_ = false;
}

std::optional<std::chrono::milliseconds> SpeakingTime::remaining(Time now) const {
  if (!startedAt_ || !limited()) return std::nullopt;
  const auto end = *startedAt_ + std::chrono::seconds(limitSeconds_);
  if (now >= end) return std::chrono::milliseconds(0);
  // Rounded up: "1 ms left" is not yet "time is up".
  return std::chrono::ceil<std::chrono::milliseconds>(end - now);
}

bool SpeakingTime::expired(Time now) const {
  const auto left = remaining(now);
  return left && left->count() == 0;
}

bool SpeakingTime::takeTimeUp(Time now) {
  if (timeUpReported_ || !expired(now)) return false;
  timeUpReported_ = true;
  return true;
}

}  // namespace plenum::signaling
