// SPDX-License-Identifier: EUPL-1.2
#include "signaling/Breakouts.hpp"

namespace plenum::signaling {

Breakouts::Breakouts(const BreakoutOpenRequest& plan, std::chrono::seconds closingCountdown, Timers& timers,
                     Outlets outlets)
    : timers_(timers), outlets_(std::move(outlets)), countdown_(closingCountdown), assignment_(plan.assignment),
      allowReturn_(plan.allowReturn) {
  for (std::size_t i = 0; i < plan.names.size(); ++i) rooms_.push_back({"b" + std::to_string(i + 1), plan.names[i]});
  arm(std::chrono::seconds(plan.durationSeconds), [this] { closeSoon(); });
}

std::map<std::string, std::string> Breakouts::place(const BreakoutOpenRequest& plan, const std::vector<Member>& members) {
  std::map<std::string, std::size_t> listed(plan.assign.begin(), plan.assign.end());
  std::map<std::string, std::string> places;
  std::size_t next = 0;
  for (const Member& m : members) {
    if (auto it = listed.find(m.participantId); it != listed.end()) {
      if (it->second > 0) places[m.participantId] = "b" + std::to_string(it->second);
    } else if (plan.assignment == BreakoutAssignment::Automatic && !m.moderator) {
      places[m.participantId] = "b" + std::to_string(next % plan.names.size() + 1);
      ++next;
    }
  }
  return places;
}

const BreakoutRoom* Breakouts::room(const std::string& id) const {
  for (const auto& r : rooms_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::chrono::milliseconds Breakouts::remaining() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - timers_.now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

Timers::WallTime Breakouts::endsAt() const {
  return timers_.wallNow() + std::chrono::duration_cast<Timers::WallTime::duration>(remaining());
}

void Breakouts::arm(std::chrono::milliseconds in, std::function<void()> then) {
  deadline_ = timers_.now() + in;
  timer_ = timers_.after(in, std::move(then));
}

void Breakouts::extend(std::chrono::seconds by) {
  const auto base = phase_ == Phase::Open ? remaining() : std::chrono::milliseconds(0);
  phase_ = Phase::Open;
  arm(base + by, [this] { closeSoon(); });
  outlets_.changed();
}

void Breakouts::closeSoon() {
  if (phase_ == Phase::Closing) return;
  phase_ = Phase::Closing;
  // The outlet may end this object: the timer is armed first and nothing runs after it.
  arm(countdown_, [this] { outlets_.closed(); });
  outlets_.changed();
}

void Breakouts::remember(const std::string& linkSession, const std::string& roomId) {
  if (linkSession.empty()) return;
  if (roomId.empty()) {
    places_.erase(linkSession);
  } else {
    places_[linkSession] = roomId;
  }
}

std::optional<std::string> Breakouts::placeOf(const std::string& linkSession) const {
  auto it = places_.find(linkSession);
  return it == places_.end() ? std::nullopt : std::optional(it->second);
}

const char* toString(Breakouts::Phase phase) { return phase == Breakouts::Phase::Closing ? "closing" : "open"; }

}  // namespace plenum::signaling
