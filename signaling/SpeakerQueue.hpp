// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The speaker queue and the floor (PROTOCOL.md, "Speaker queue"): one queue, the same for
// everyone. A participant has at most one entry of each kind; a "speak" entry goes to the end,
// a "point-of-order" entry ahead of every "speak" entry (behind earlier points of order).
// Moderators move and remove entries; the floor goes to an entry's participant (the entry
// leaves the queue) or to anyone. Rules only: who may do what is the room's business.
#include "signaling/Protocol.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace plenum::signaling {

struct FloorHolder {
  std::string participantId;
  std::string name;
  WallTime since;
};

class SpeakerQueue {
public:
  const std::vector<QueueEntryInfo>& entries() const { return entries_; }
  const QueueEntryInfo* find(const std::string& entryId) const;

  // Adds an entry; false (nothing changes) if the participant has one of this kind already.
  bool raise(const std::string& participantId, const std::string& name, HandKind kind, WallTime now);
  // Removes the participant's entry `entryId`, or all of its entries when none is given.
  // False if there is no such entry of theirs (nothing changes then).
  bool lower(const std::string& participantId, const std::optional<std::string>& entryId);
  // Moves an entry to index `position` (past the end: last). False if there is no such entry.
  bool move(const std::string& entryId, std::size_t position);
  bool remove(const std::string& entryId);
  // False if the queue was empty already.
  bool clear();
  // Takes an entry out and returns it (the first when no id is given); nullopt if there is none.
  std::optional<QueueEntryInfo> take(const std::optional<std::string>& entryId);

  const std::optional<FloorHolder>& floor() const { return floor_; }
  void giveFloor(FloorHolder holder) { floor_ = std::move(holder); }
  // False if nobody had the floor.
  bool takeFloor();

  // Someone left: their entries go, and the floor if they had it.
  struct LeaveEffect {
    bool queueChanged = false;
    bool floorFreed = false;
  };
  LeaveEffect removeParticipant(const std::string& participantId);

private:
  std::vector<QueueEntryInfo> entries_;
  std::optional<FloorHolder> floor_;
  std::uint64_t nextId_ = 1;
};

}  // namespace plenum::signaling
