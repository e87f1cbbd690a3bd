// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A room's speaker queue and floor: raised hands in order, who has the floor, and the speaking
// time's countdown (with its timer). The Room checks who may do what (roles, message rate) and
// hands the requests here; what changes is told to everyone through `broadcast`, and the floor
// holder to the media through `markFloor`. Conference thread only.
#include "signaling/Protocol.hpp"
#include "signaling/SpeakerQueue.hpp"
#include "signaling/SpeakingTime.hpp"
#include "signaling/Timers.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace plenum::signaling {

class FloorControl {
public:
  struct Outlets {
    std::function<void(const std::string& message)> broadcast;
    std::function<void(const std::optional<std::string>& participantId)> markFloor;
    // The current name of a participant in the meeting (nullopt: not there).
    std::function<std::optional<std::string>(const std::string& participantId)> nameOf;
  };

  FloorControl(std::string room, Timers& timers, Outlets outlets);

  const SpeakerQueue& queue() const { return queue_; }
  // What a newcomer needs: queue-updated and floor-updated.
  std::string queueMessage() const;
  std::string floorMessage() const;

  // Requests of a sender the room has checked; each returns the refusal or nothing.
  void raiseHand(const std::string& senderId, const std::string& name, HandKind kind);
  std::optional<ProtocolError> lowerHand(const std::string& senderId, const std::optional<std::string>& entryId);
  std::optional<ProtocolError> move(const QueueMoveRequest& request);
  std::optional<ProtocolError> remove(const std::string& entryId);
  void clear();
  std::optional<ProtocolError> giveFloor(const GiveFloorRequest& request);
  void takeFloor();
  void setSpeakingTime(const SpeakingTimeRequest& request);

  // A participant left: their hands go down and the floor is free if it was theirs.
  void participantLeft(const std::string& participantId);
  // The meeting ended: everything is forgotten, no timer fires any more.
  void reset();

private:
  std::optional<FloorInfo> floorInfo() const;
  void queueChanged();
  void floorChanged();
  // The floor goes to `holder` (nullopt: nobody); the media marks the tile, the countdown
  // restarts, everyone gets floor-updated.
  void setFloor(std::optional<FloorHolder> holder);
  // (Re)arms the timer for the current countdown, or cancels it.
  void armTimer();
  void onTimer();

  // passed in
  const std::string room_;
  Timers& timers_;
  Outlets outlets_;
  // owned
  SpeakerQueue queue_;
  SpeakingTime speakingTime_;
  std::unique_ptr<Timers::Timer> timer_;  // the running countdown's; cancelled when destroyed
};

}  // namespace plenum::signaling
