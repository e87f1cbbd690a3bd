// SPDX-License-Identifier: EUPL-1.2
#include "signaling/MessageRate.hpp"

#include <algorithm>
#include <cmath>

namespace plenum::signaling {

MessageRate::MessageRate(unsigned burst, double perSecond)
    : burst_(burst), perSecond_(perSecond > 0 ? perSecond : 1), tokens_(burst) {}

void MessageRate::refill(Time now) {
  if (last_ && now > *last_) {
    const double seconds = std::chrono::duration<double>(now - *last_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * perSecond_);
  }
  if (!last_ || now > *last_) last_ = now;
}

std::optional<unsigned> MessageRate::take(Time now) {
  refill(now);
  // A little slack for the floating-point sums of many refills.
  if (tokens_ >= 1.0 - 1e-9) {
    tokens_ = std::max(0.0, tokens_ - 1.0);
    return std::nullopt;
  }
  const double wait = (1.0 - tokens_) / perSecond_;
  return std::max(1u, static_cast<unsigned>(std::ceil(wait)));
}

}  // namespace plenum::signaling
