// SPDX-License-Identifier: EUPL-1.2
#include "signaling/FloorControl.hpp"

#include "signaling/ServerMessages.hpp"

#include <Poco/Logger.h>

namespace plenum::signaling {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.room"); }
}  // namespace

FloorControl::FloorControl(std::string room, Timers& timers, Outlets outlets)
    : room_(std::move(room)), timers_(timers), outlets_(std::move(outlets)) {}

std::string FloorControl::queueMessage() const { return server::queueUpdated(queue_.entries()); }

std::string FloorControl::floorMessage() const {
  return server::floorUpdated(floorInfo(), {speakingTime_.limitSeconds(), speakingTime_.autoEnd()});
}

void FloorControl::queueChanged() { outlets_.broadcast(queueMessage()); }

void FloorControl::floorChanged() { outlets_.broadcast(floorMessage()); }

std::optional<FloorInfo> FloorControl::floorInfo() const {
  const auto& holder = queue_.floor();
  if (!holder) return std::nullopt;
  FloorInfo floor{holder->participantId, holder->name, holder->since, std::nullopt, std::nullopt,
                  speakingTime_.autoEnd()};
  if (const auto left = speakingTime_.remaining(timers_.now())) {
    floor.limitSeconds = speakingTime_.limitSeconds();
    floor.remainingMs = left->count();
  }
  return floor;
}

void FloorControl::setFloor(std::optional<FloorHolder> holder) {
  const std::optional<std::string> id = holder ? std::optional(holder->participantId) : std::nullopt;
  if (holder) {
    queue_.giveFloor(std::move(*holder));
    speakingTime_.start(timers_.now());
  } else {
    queue_.takeFloor();
    speakingTime_.stop();
  }
  armTimer();
  outlets_.markFloor(id);
  floorChanged();
  log().information("room %s: floor %s", room_, id ? "to " + *id : std::string("free"));
}

void FloorControl::armTimer() {
  timer_.reset();
  const auto left = speakingTime_.remaining(timers_.now());
  if (!queue_.floor() || !left) return;
  // Owned here: destroyed (cancelled) with the room, or when the floor changes.
  timer_ = timers_.after(*left, [this] { onTimer(); });
}

void FloorControl::onTimer() {
  const auto now = timers_.now();
  if (!queue_.floor()) return;
  if (!speakingTime_.expired(now)) {  // woken a little early: sleep the rest
    armTimer();
    return;
  }
  if (!speakingTime_.takeTimeUp(now)) return;
  const std::string holder = queue_.floor()->participantId;
  log().information("room %s: speaking time of %s is up%s", room_, holder,
                    std::string(speakingTime_.autoEnd() ? ", floor taken back" : ""));
  outlets_.broadcast(server::floorTimeUp(holder));
  if (speakingTime_.autoEnd()) setFloor(std::nullopt);
}

void FloorControl::raiseHand(const std::string& senderId, const std::string& name, HandKind kind) {
  if (queue_.raise(senderId, name, kind, timers_.wallNow())) queueChanged();
}

std::optional<ProtocolError> FloorControl::lowerHand(const std::string& senderId,
                                                     const std::optional<std::string>& entryId) {
  if (queue_.lower(senderId, entryId)) {
    queueChanged();
  } else if (entryId) {
    return ProtocolError{ErrorCode::NoSuchEntry, "you have no entry with this id"};
  }
  return std::nullopt;
}

std::optional<ProtocolError> FloorControl::move(const QueueMoveRequest& request) {
  if (!queue_.move(request.entryId, request.position)) {
    return ProtocolError{ErrorCode::NoSuchEntry, "no entry with this id is in the queue"};
  }
  queueChanged();
  return std::nullopt;
}

std::optional<ProtocolError> FloorControl::remove(const std::string& entryId) {
  if (!queue_.remove(entryId)) return ProtocolError{ErrorCode::NoSuchEntry, "no entry with this id is in the queue"};
  queueChanged();
  return std::nullopt;
}

void FloorControl::clear() {
  if (queue_.clear()) queueChanged();
}

std::optional<ProtocolError> FloorControl::giveFloor(const GiveFloorRequest& request) {
  if (request.participantId) {
    const auto name = outlets_.nameOf(*request.participantId);
    if (!name) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is in the room"};
    // Their raised hand is answered now (a point of order is a different request: it stays).
    for (const auto& entry : queue_.entries()) {
      if (entry.participantId == *request.participantId && entry.kind == HandKind::Speak) {
        queue_.take(entry.entryId);
        queueChanged();
        break;
      }
    }
    setFloor(FloorHolder{*request.participantId, *name, timers_.wallNow()});
    return std::nullopt;
  }
  auto entry = queue_.take(request.entryId);
  if (!entry) {
    return ProtocolError{ErrorCode::NoSuchEntry,
                         request.entryId ? "no entry with this id is in the queue" : "the queue is empty"};
  }
  queueChanged();
  // Entries leave with their participant, so the target is here; the name is today's.
  const auto name = outlets_.nameOf(entry->participantId);
  setFloor(FloorHolder{entry->participantId, name.value_or(entry->name), timers_.wallNow()});
  return std::nullopt;
}

void FloorControl::takeFloor() {
  if (queue_.floor()) setFloor(std::nullopt);
}

void FloorControl::setSpeakingTime(const SpeakingTimeRequest& request) {
  speakingTime_.set(request.limitSeconds, request.autoEnd);
  // The current floor's countdown starts again with the new limit.
  if (queue_.floor()) speakingTime_.start(timers_.now());
  armTimer();
  floorChanged();
}

void FloorControl::participantLeft(const std::string& participantId) {
  const auto effect = queue_.removeParticipant(participantId);
  if (effect.queueChanged) queueChanged();
  if (effect.floorFreed) setFloor(std::nullopt);
}

void FloorControl::reset() {
  timer_.reset();
  queue_.clear();
  queue_.takeFloor();
}

}  // namespace plenum::signaling
