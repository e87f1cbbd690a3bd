// SPDX-License-Identifier: EUPL-1.2
#include "signaling/Conference.hpp"

#include "signaling/GlibTimers.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <random>

namespace plenum::signaling {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.conference"); }

// The codec a client gets: the first of our preference that it says it can receive.
std::optional<mixer::VideoCodec> chooseCodec(const std::vector<mixer::VideoCodec>& preference,
                                             const std::vector<std::string>& offered) {
  for (mixer::VideoCodec codec : preference) {
    const std::string prefix = mixer::toString(codec);
    for (const std::string& name : offered) {
      if (name.rfind(prefix, 0) == 0) {
        // H.264 must be constrained baseline (42e0..) or baseline (4200..) to decode our stream.
        if (codec == mixer::VideoCodec::H264 && name.size() > 5 && name.rfind("H264/42", 0) != 0) continue;
        return codec;
      }
    }
  }
  return std::nullopt;
}

// A live room's key in rooms_: the slug for ad-hoc rooms, "p:" and the slug for persistent ones
// (':' is never part of a slug, so the two kinds cannot collide).
std::string roomKey(const std::string& slug, bool persistent) { return persistent ? "p:" + slug : slug; }
std::string roomKey(const RoomPolicy& policy) { return roomKey(policy.slug, policy.persistent); }
}  // namespace

Conference::Conference(const ConferenceSettings& settings, std::function<void(std::function<void()>)> defer,
                       RoomMediaFactory media)
    : settings_(settings),
      defer_(std::move(defer)),
      media_(std::move(media)),
      // Timers are started on the conference thread: its thread-default context is the loop's.
      ownTimers_(std::make_unique<GlibTimers>()),
      timers_(*ownTimers_) {}

Conference::Conference(const ConferenceSettings& settings, std::function<void(std::function<void()>)> defer,
                       RoomMediaFactory media, Timers& timers)
    : settings_(settings), defer_(std::move(defer)), media_(std::move(media)), timers_(timers) {}

Conference::~Conference() { closeAll(); }

void Conference::closeAll() {
  for (auto& [id, binding] : sessions_) binding.sink->close();
  sessions_.clear();
  rooms_.clear();
}

const Room* Conference::room(const std::string& slug) const {
  if (const Room* persistent = room(slug, true)) return persistent;
  return room(slug, false);
}

const Room* Conference::room(const std::string& slug, bool persistent) const {
  auto it = rooms_.find(roomKey(slug, persistent));
  return it == rooms_.end() ? nullptr : it->second.get();
}

std::string Conference::newParticipantId() {
  static std::random_device random;
  static const char* hex = "0123456789abcdef";
  std::string id;
  do {
    id.clear();
    for (int i = 0; i < 12; ++i) id += hex[random() % 16];
  } while ([&] {
    for (auto& [s, b] : sessions_) if (b.participantId == id) return true;
    return false;
  }());
  return id;
}

void Conference::refuse(SignalingSink& sink, const ProtocolError& error) {
  if (isFatal(error.code)) {
    log().information("refused (closing): %s: %s", std::string(toString(error.code)), error.message);
    sink.send(server::error(error, true));
    sink.close();
  } else {
    sink.sendError(error);
  }
}

void Conference::onMessage(SessionId session, const std::shared_ptr<SignalingSink>& sink, ClientEnvelope envelope) {
  auto bound = sessions_.find(session);
  // A join's "room" names the room to enter, not the sender's own: it is not a target.
  if (bound != sessions_.end() && !std::holds_alternative<JoinRequest>(envelope.message) &&
      ((envelope.room && *envelope.room != bound->second.room) ||
       (envelope.participantId && *envelope.participantId != bound->second.participantId))) {
    sink->sendError({ErrorCode::WrongTarget, "message names another room or participant"});
    return;
  }
  if (std::holds_alternative<PingRequest>(envelope.message)) {
    sink->send(server::pong());
    return;
  }
  if (auto* join = std::get_if<JoinRequest>(&envelope.message)) {
    if (joinsResolved_) {
      log().error("session %s: a join bypassed the appliance's join resolution", std::to_string(session));
      sink->sendError({ErrorCode::Internal, "join not resolved"});
      return;
    }
    if (bound != sessions_.end()) {
      sink->sendError({ErrorCode::AlreadyJoined, "this connection already joined a room"});
      return;
    }
    if (join->room.empty()) {
      sink->sendError({ErrorCode::NoSuchRoom, "invitations are not supported by this server"});
      return;
    }
    // An ad-hoc room: no accounts, no lobby, the first in the room moderates.
    JoinContext context;
    context.role = Role::Guest;
    context.policy.slug = join->room;
    context.policy.title = join->room;
    context.policy.persistent = false;
    context.policy.lobby = false;
    context.policy.maxParticipants = settings_.maxParticipantsPerRoom;
    JoinRequest request = std::move(*join);
    const bool resolved = joinsResolved_;
    onJoin(session, sink, std::move(request), std::move(context));
    joinsResolved_ = resolved;
    return;
  }
  if (bound == sessions_.end()) {
    sink->sendError({ErrorCode::NotJoined, "join a room first"});
    return;
  }
  const Binding binding = bound->second;
  auto roomIt = rooms_.find(binding.key);
  if (roomIt == rooms_.end()) {
    sink->sendError({ErrorCode::Internal, "the room is gone"});
    return;
  }
  Room& room = *roomIt->second;
  const std::string& me = binding.participantId;
  std::optional<ProtocolError> error;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, AnswerRequest>) error = room.answer(me, m.sdp);
        else if constexpr (std::is_same_v<T, CandidateRequest>) error = room.candidate(me, m);
        else if constexpr (std::is_same_v<T, MediaRequest>) error = room.media(me, m);
        else if constexpr (std::is_same_v<T, AdmitRequest>) error = room.admit(me, m.participantId);
        else if constexpr (std::is_same_v<T, RejectRequest>) error = room.reject(me, m.participantId);
        else if constexpr (std::is_same_v<T, MuteRequest>) error = room.mute(me, m.participantId);
        else if constexpr (std::is_same_v<T, MuteAllRequest>) error = room.muteAll(me);
        else if constexpr (std::is_same_v<T, RemoveRequest>) error = room.remove(me, m.participantId);
        else if constexpr (std::is_same_v<T, LockRequest>) error = room.lock(me, m.locked);
        else if constexpr (std::is_same_v<T, PromoteRequest>) error = room.promote(me, m.participantId);
        else if constexpr (std::is_same_v<T, EndRequest>) error = room.end(me);
        else if constexpr (std::is_same_v<T, ChatRequest>) error = room.chat(me, m);
        else if constexpr (std::is_same_v<T, ChatExportRequest>) error = room.chatExport(me, m.format);
        else if constexpr (std::is_same_v<T, RaiseHandRequest>) error = room.raiseHand(me, m.kind);
        else if constexpr (std::is_same_v<T, LowerHandRequest>) error = room.lowerHand(me, m.entryId);
        else if constexpr (std::is_same_v<T, QueueMoveRequest>) error = room.queueMove(me, m);
        else if constexpr (std::is_same_v<T, QueueRemoveRequest>) error = room.queueRemove(me, m.entryId);
        else if constexpr (std::is_same_v<T, QueueClearRequest>) error = room.queueClear(me);
        else if constexpr (std::is_same_v<T, GiveFloorRequest>) error = room.giveFloor(me, m);
        else if constexpr (std::is_same_v<T, TakeFloorRequest>) error = room.takeFloor(me);
        else if constexpr (std::is_same_v<T, SpeakingTimeRequest>) error = room.speakingTime(me, m);
        else if constexpr (std::is_same_v<T, LayoutRequest>) error = room.layout(me, m.layout);
        // LeaveRequest: below. Join and ping were handled above.
      },
      envelope.message);
  if (error) {
    log().warning("participant %s: %s: %s", me, std::string(toString(error->code)), error->message);
    sink->sendError(*error);
  }
  if (std::holds_alternative<LeaveRequest>(envelope.message)) {
    onSessionClosed(session, "left");
    sink->close();
  }
}

void Conference::onJoin(SessionId session, const std::shared_ptr<SignalingSink>& sink, JoinRequest request,
                        JoinContext context) {
  joinsResolved_ = true;
  if (sessions_.count(session)) {
    sink->sendError({ErrorCode::AlreadyJoined, "this connection already joined a room"});
    return;
  }
  const auto codec = chooseCodec(settings_.codecPreference, request.videoCodecs);
  if (!codec) {
    sink->sendError({ErrorCode::BadField, "field 'videoCodecs' names no codec this server sends (H264/42e01f, VP8)"});
    return;
  }
  RoomPolicy& policy = context.policy;
  if (policy.slug.empty()) policy.slug = request.room;
  if (!isValidRoomName(policy.slug)) {
    log().error("join without a valid room (slug '%s')", policy.slug.substr(0, 64));
    refuse(*sink, {ErrorCode::NoSuchRoom, "no such room"});
    return;
  }
  if (policy.title.empty()) policy.title = policy.slug;
  if (policy.maxParticipants == 0 || policy.maxParticipants > settings_.maxParticipantsPerRoom) {
    policy.maxParticipants = settings_.maxParticipantsPerRoom;
  }
  const std::string name = roomKey(policy);
  auto it = rooms_.find(name);
  if (it != rooms_.end() && it->second->ended()) {
    // Ended a moment ago and not yet dropped: a new meeting begins.
    rooms_.erase(it);
    it = rooms_.end();
  }
  if (sessions_.size() >= settings_.maxParticipants || (it == rooms_.end() && rooms_.size() >= settings_.maxRooms)) {
    log().warning("join refused: the server is full (%z rooms, %z participants)", rooms_.size(), sessions_.size());
    refuse(*sink, {ErrorCode::ServerFull, "the server is full; please try again later"});
    return;
  }
  try {
    if (it == rooms_.end()) {
      it = rooms_.emplace(name, std::make_unique<Room>(policy, media_, *this, defer_, timers_, settings_.timeouts)).first;
    } else {
      it->second->updatePolicy(policy);
    }
    const std::string participantId = newParticipantId();
    sessions_[session] = Binding{name, policy.slug, participantId, sink};
    if (auto refused = it->second->join(participantId, request, context, *codec, sink)) {
      sessions_.erase(session);
      refuse(*sink, *refused);
      dropRoomIfEmpty(name);
    }
  } catch (const std::exception& e) {
    log().error("join of room %s failed: %s", name, std::string(e.what()));
    sink->sendError({ErrorCode::Internal, "could not join the room"});
    sessions_.erase(session);
    dropRoomIfEmpty(name);
  }
}

void Conference::onSessionClosed(SessionId session, const std::string& reason) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return;
  const Binding binding = it->second;
  sessions_.erase(it);
  if (auto room = rooms_.find(binding.key); room != rooms_.end()) {
    room->second->leave(binding.participantId, reason);
  }
  dropRoomIfEmpty(binding.key);
}

void Conference::OnRoomSessionDropped(Room& room, const std::string& participantId) {
  const std::string key = roomKey(room.policy());
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->second.participantId == participantId && it->second.key == key) {
      sessions_.erase(it);
      break;
    }
  }
  dropRoomIfEmpty(key);
}

void Conference::OnRoomEnded(Room& room) {
  const std::string key = roomKey(room.policy());
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.key == key; });
  dropRoomIfEmpty(key);
}

void Conference::dropRoomIfEmpty(const std::string& key) {
  auto it = rooms_.find(key);
  if (it == rooms_.end() || !it->second->empty()) return;
  // Not now: we may be inside one of the room's own callbacks.
  const Room* which = it->second.get();
  defer_([this, key, which] {
    auto again = rooms_.find(key);
    if (again != rooms_.end() && again->second.get() == which && again->second->empty()) rooms_.erase(again);
  });
}

}  // namespace plenum::signaling
