// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The breakout rooms of one meeting (its plenum) while they are open: their names and ids, the
// plan's rules (free choice, early return), the timer everyone sees, and the closing countdown
// after which everyone is brought back. Who is in which room is the Conference's business (it
// moves the participants); this class decides when, and whom an automatic plan sends where.
// Conference thread only; time comes from Timers (a hand-driven clock in the unit tests).
#include "signaling/Protocol.hpp"
#include "signaling/Timers.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plenum::signaling {

struct BreakoutRoom {
  std::string id;    // "b1", "b2", ...
  std::string name;  // as the moderator named it
};

class Breakouts {
public:
  enum class Phase { Open, Closing };

  struct Outlets {
    std::function<void()> changed;  // phase or end time changed: tell everyone
    std::function<void()> closed;   // the closing countdown ran out: bring everyone back
  };

  // Someone to be placed by a plan.
  struct Member {
    std::string participantId;
    bool moderator = false;
  };

  Breakouts(const BreakoutOpenRequest& plan, std::chrono::seconds closingCountdown, Timers& timers, Outlets outlets);
  Breakouts(const Breakouts&) = delete;
  Breakouts& operator=(const Breakouts&) = delete;

  // Where each member goes when the plan opens (a room id; members not listed stay in the
  // plenum). Listed members go where the moderator put them; with the automatic plan the other
  // guests are spread evenly, in the order given (moderators stay unless listed).
  static std::map<std::string, std::string> place(const BreakoutOpenRequest& plan, const std::vector<Member>& members);

  const std::vector<BreakoutRoom>& rooms() const { return rooms_; }
  const BreakoutRoom* room(const std::string& id) const;
  BreakoutAssignment assignment() const { return assignment_; }
  bool allowReturn() const { return allowReturn_; }
  Phase phase() const { return phase_; }
  // When the rooms close (Open: the planned end, when the countdown starts; Closing: the end
  // of the countdown), and how long until then.
  Timers::WallTime endsAt() const;
  std::chrono::milliseconds remaining() const;
  std::chrono::seconds closingCountdown() const { return countdown_; }

  // More time for all; during the closing countdown it reopens the rooms.
  void extend(std::chrono::seconds by);
  // Starts the closing countdown now (a moderator's "close", or the planned end).
  void closeSoon();

  // Where a participant was placed, by their link session: who reconnects during the breakouts
  // goes back to their room.
  void remember(const std::string& linkSession, const std::string& roomId);
  std::optional<std::string> placeOf(const std::string& linkSession) const;

private:
  void arm(std::chrono::milliseconds in, std::function<void()> then);

  // passed in
  Timers& timers_;
  Outlets outlets_;
  const std::chrono::seconds countdown_;
  // owned
  std::vector<BreakoutRoom> rooms_;
  BreakoutAssignment assignment_;
  bool allowReturn_;
  Phase phase_ = Phase::Open;
  Timers::SteadyTime deadline_;  // see endsAt()
  std::unique_ptr<Timers::Timer> timer_;
  std::map<std::string, std::string> places_;  // link session -> room id
};

const char* toString(Breakouts::Phase phase);

}  // namespace plenum::signaling
