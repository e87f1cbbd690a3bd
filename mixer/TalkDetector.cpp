// SPDX-License-Identifier: EUPL-1.2
#include "mixer/TalkDetector.hpp"

#include <algorithm>

namespace plenum::mixer {

bool TalkDetector::aboveFloor(std::span<const int16_t> frame) {
  return std::any_of(frame.begin(), frame.end(), [](int16_t s) { return s >= kFloorAmplitude || s <= -kFloorAmplitude; });
}

bool TalkDetector::update(std::span<const int16_t> frame, bool muted) {
  if (!muted && aboveFloor(frame)) quietTicks_ = 0;
  else quietTicks_ = std::min(quietTicks_ + 1, kHoldTicks);
  return talking();
}

}  // namespace plenum::mixer
