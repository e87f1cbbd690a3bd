// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A token bucket: how many messages of one kind a participant may send (PROTOCOL.md, "Limits").
// It starts full with `burst` tokens and refills `perSecond` tokens a second up to `burst`;
// each accepted message takes one. Pure: the caller passes the time.
#include <chrono>
#include <optional>

namespace plenum::signaling {

class MessageRate {
public:
  using Time = std::chrono::steady_clock::time_point;

  MessageRate(unsigned burst, double perSecond);

  // Takes a token and returns nullopt, or refuses and returns the whole seconds (at least 1)
  // after which a message will be accepted again. A refused message takes nothing.
  std::optional<unsigned> take(Time now);

private:
  void refill(Time now);

  double burst_;
  double perSecond_;
  double tokens_;
  std::optional<Time> last_;
};

}  // namespace plenum::signaling
