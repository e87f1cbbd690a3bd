// SPDX-License-Identifier: EUPL-1.2
#include "signaling/Conference.hpp"
#include "signaling/ServerMessages.hpp"

#include "signaling/Exhaustive.hpp"
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
  breakouts_.clear();
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

// A message type without a handler is a compile-time error here, not a silent drop.
static_assert(HandlesEveryAlternative<Conference::MessageHandler, ClientMessage>,
              "Conference::MessageHandler needs an operator() for every ClientMessage alternative");

void Conference::onMessage(SessionId session, const std::shared_ptr<SignalingSink>& sink, ClientEnvelope envelope) {
  std::optional<ProtocolError> error;
  auto bound = sessions_.find(session);
  // A join's "room" names the room to enter, not the sender's own: it is not a target.
  if (bound != sessions_.end() && !std::holds_alternative<JoinRequest>(envelope.message) &&
      ((envelope.room && *envelope.room != bound->second.room) ||
       (envelope.participantId && *envelope.participantId != bound->second.participantId))) {
    error = ProtocolError{ErrorCode::WrongTarget, "message names another room or participant"};
  } else {
    error = std::visit(MessageHandler(*this, session, sink, envelope.requestId), envelope.message);
  }
  if (error) {
    log().warning("session %s: %s: %s", std::to_string(session), std::string(toString(error->code)), error->message);
    error->requestId = envelope.requestId;
    sink->sendError(*error);
  }
}

// ---- one handler per client message ------------------------------------------------------------

Conference::MessageHandler::MessageHandler(Conference& conference, SessionId session,
                                           const std::shared_ptr<SignalingSink>& sink,
                                           const std::optional<std::string>& requestId)
    : conference_(conference), session_(session), sink_(sink), requestId_(requestId) {}

template <class Request>
std::optional<ProtocolError> Conference::MessageHandler::inRoom(Request request) {
  auto bound = conference_.sessions_.find(session_);
  if (bound == conference_.sessions_.end()) return ProtocolError{ErrorCode::NotJoined, "join a room first"};
  auto room = conference_.rooms_.find(bound->second.key);
  if (room == conference_.rooms_.end()) return ProtocolError{ErrorCode::Internal, "the room is gone"};
  // A copy: the request may end the binding (end, remove). The room itself outlives this call
  // (dropRoomIfEmpty defers).
  const std::string me = bound->second.participantId;
  Room::Answering answering(*room->second, me, requestId_);
  return request(*room->second, me);
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const PingRequest&) {
  sink_->send(server::withRequestId(server::pong(), requestId_));
  return std::nullopt;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const JoinRequest& join) {
  if (conference_.joinsResolved_) {
    log().error("session %s: a join bypassed the appliance's join resolution", std::to_string(session_));
    return ProtocolError{ErrorCode::Internal, "join not resolved"};
  }
  if (conference_.sessions_.count(session_)) {
    return ProtocolError{ErrorCode::AlreadyJoined, "this connection already joined a room"};
  }
  if (join.room.empty()) return ProtocolError{ErrorCode::NoSuchRoom, "invitations are not supported by this server"};
  // An ad-hoc room: no accounts, no lobby, the first in the room moderates.
  JoinContext context;
  context.role = Role::Guest;
  context.policy.slug = join.room;
  context.policy.title = join.room;
  context.policy.persistent = false;
  context.policy.lobby = false;
  context.policy.maxParticipants = conference_.settings_.maxParticipantsPerRoom;
  const bool resolved = conference_.joinsResolved_;
  conference_.onJoin(session_, sink_, join, std::move(context), requestId_);
  conference_.joinsResolved_ = resolved;
  return std::nullopt;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const LeaveRequest&) {
  if (!conference_.sessions_.count(session_)) return ProtocolError{ErrorCode::NotJoined, "join a room first"};
  conference_.onSessionClosed(session_, "left");
  sink_->close();
  return std::nullopt;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const AnswerRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.answer(me, m.sdp); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const CandidateRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.candidate(me, m); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const MediaRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.media(me, m); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const ViewRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.view(me, m); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const AdmitRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.admit(me, m.participantId); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const RejectRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.reject(me, m.participantId); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const MuteRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.mute(me, m.participantId); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const MuteAllRequest&) {
  return inRoom([&](Room& room, const std::string& me) { return room.muteAll(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const RemoveRequest& m) {
  // Removed in a breakout room: banned from the whole meeting, whose bans the plenum keeps.
  std::string home, link;
  if (auto bound = conference_.sessions_.find(session_);
      bound != conference_.sessions_.end() && bound->second.key != bound->second.home) {
    home = bound->second.home;
    const Room* here = conference_.roomAt(bound->second.key);
    if (const std::string* l = here ? here->linkSessionOf(m.participantId) : nullptr) link = *l;
  }
  auto refused = inRoom([&](Room& room, const std::string& me) { return room.remove(me, m.participantId); });
  if (Room* plenum = refused || link.empty() ? nullptr : conference_.roomAt(home)) plenum->ban(link);
  return refused;
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const LockRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.lock(me, m.locked); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const PromoteRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.promote(me, m.participantId); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const EndRequest&) {
  // With breakout rooms open, a moderator (wherever they are) ends the whole meeting: everyone
  // comes back first and is told in the plenum.
  if (auto bound = conference_.sessions_.find(session_); bound != conference_.sessions_.end() &&
                                                          conference_.breakouts_.count(bound->second.home)) {
    const Room* here = conference_.roomAt(bound->second.key);
    const auto role = here ? here->roleOf(bound->second.participantId) : std::nullopt;
    if (!role || !isAllowed(*role, Action::EndMeeting)) {
      return ProtocolError{ErrorCode::Forbidden, "only moderators may end-meeting"};
    }
    conference_.closeBreakouts(bound->second.home);
  }
  return inRoom([&](Room& room, const std::string& me) { return room.end(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const ChatRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.chat(me, m); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const ChatExportRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.chatExport(me, m.format); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const RaiseHandRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.raiseHand(me, m.kind); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const LowerHandRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.lowerHand(me, m.entryId); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const QueueMoveRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.queueMove(me, m); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const QueueRemoveRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.queueRemove(me, m.entryId); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const QueueClearRequest&) {
  return inRoom([&](Room& room, const std::string& me) { return room.queueClear(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const GiveFloorRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.giveFloor(me, m); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const TakeFloorRequest&) {
  return inRoom([&](Room& room, const std::string& me) { return room.takeFloor(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const SpeakingTimeRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.speakingTime(me, m); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const LayoutRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.layout(me, m.layout); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const RecordingStartRequest&) {
  return inRoom([&](Room& room, const std::string& me) { return room.recordingStart(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const RecordingStopRequest&) {
  return inRoom([&](Room& room, const std::string& me) { return room.recordingStop(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const ScreenShareStartRequest&) {
  return inRoom([&](Room& room, const std::string& me) { return room.screenShareStart(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const ScreenShareStopRequest&) {
  return inRoom([&](Room& room, const std::string& me) { return room.screenShareStop(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const PresentationStopRequest&) {
  return inRoom([&](Room& room, const std::string& me) { return room.presentationStop(me); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const SlidesPageRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.slidesPage(me, m.page); });
}
std::optional<ProtocolError> Conference::MessageHandler::operator()(const PresentationSettingsRequest& m) {
  return inRoom([&](Room& room, const std::string& me) { return room.presentationSettings(me, m); });
}

// ---- documents (uploads over HTTP) ------------------------------------------------------------

std::pair<Room*, std::string> Conference::uploader(const std::string& uploadToken) const {
  for (const auto& [key, room] : rooms_) {
    if (auto id = room->participantWithUploadToken(uploadToken)) return {room.get(), *id};
  }
  return {nullptr, {}};
}

std::optional<ProtocolError> Conference::mayShowDocument(const std::string& uploadToken) const {
  auto [room, participantId] = uploader(uploadToken);
  if (!room) return ProtocolError{ErrorCode::Forbidden, "the upload token names nobody in a meeting"};
  return room->mayShowDocument(participantId);
}

std::optional<ProtocolError> Conference::showDocument(const std::string& uploadToken, const DocumentInfo& document) {
  auto [room, participantId] = uploader(uploadToken);
  if (!room) return ProtocolError{ErrorCode::Forbidden, "the upload token names nobody in a meeting"};
  return room->showDocument(participantId, document);
}

std::optional<std::string> Conference::downloadableDocument(const std::string& uploadToken) const {
  auto [room, participantId] = uploader(uploadToken);
  if (!room) return std::nullopt;
  const PresentationInfo& shown = room->presentation();
  if (!shown.document) return std::nullopt;
  const auto role = room->roleOf(participantId);
  if (!shown.documentDownload && !(role && isAllowed(*role, Action::Present))) return std::nullopt;
  return shown.document->id;
}

// ---- joining and leaving -----------------------------------------------------------------------

void Conference::onJoin(SessionId session, const std::shared_ptr<SignalingSink>& sink, JoinRequest request,
                        JoinContext context, const std::optional<std::string>& requestId) {
  joinsResolved_ = true;
  // Every refusal answers the join: it carries the join's requestId.
  const auto refuse = [&](ProtocolError error) {
    error.requestId = requestId;
    this->refuse(*sink, error);
  };
  if (sessions_.count(session)) {
    refuse({ErrorCode::AlreadyJoined, "this connection already joined a room"});
    return;
  }
  const auto codec = chooseCodec(settings_.codecPreference, request.videoCodecs);
  if (!codec) {
    refuse({ErrorCode::BadField, "field 'videoCodecs' names no codec this server sends (H264/42e01f, VP8)"});
    return;
  }
  RoomPolicy& policy = context.policy;
  if (policy.slug.empty()) policy.slug = request.room;
  if (!isValidRoomName(policy.slug)) {
    log().error("join without a valid room (slug '%s')", policy.slug.substr(0, 64));
    refuse({ErrorCode::NoSuchRoom, "no such room"});
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
    refuse({ErrorCode::ServerFull, "the server is full; please try again later"});
    return;
  }
  try {
    if (it == rooms_.end()) {
      it = rooms_.emplace(name, std::make_unique<Room>(policy, media_, *this, defer_, timers_, settings_.timeouts, recordings_, documents_)).first;
    } else {
      it->second->updatePolicy(policy);
    }
    const std::string participantId = newParticipantId();
    sessions_[session] = Binding{name, name, policy.slug, participantId, sink};
    std::optional<ProtocolError> refused;
    {
      Room::Answering answering(*it->second, participantId, requestId);
      refused = it->second->join(participantId, request, context, *codec, sink);
    }
    if (refused) {
      sessions_.erase(session);
      refuse(*refused);
      dropRoomIfEmpty(name);
    } else if (breakouts_.count(name)) {
      welcomeToBreakouts(session);
    }
  } catch (const std::exception& e) {
    log().error("join of room %s failed: %s", name, std::string(e.what()));
    refuse({ErrorCode::Internal, "could not join the room"});
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
  if (breakouts_.count(binding.home)) {
    const bool anyoneLeft = std::any_of(sessions_.begin(), sessions_.end(),
                                        [&](const auto& entry) { return entry.second.home == binding.home; });
    if (anyoneLeft) {
      breakoutsChanged(binding.home);
    } else {
      closeBreakouts(binding.home);
    }
  }
  dropRoomIfEmpty(binding.key);
}

void Conference::OnRoomSessionDropped(Room& room, const std::string& participantId) {
  const std::string key = room.key();
  std::string home = key;
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->second.participantId == participantId && it->second.key == key) {
      home = it->second.home;
      sessions_.erase(it);
      break;
    }
  }
  if (breakouts_.count(home)) breakoutsChanged(home);
  dropRoomIfEmpty(key);
}

void Conference::OnRoomEnded(Room& room) {
  const std::string key = room.key();
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.key == key; });
  dropRoomIfEmpty(key);
}

void Conference::dropRoomIfEmpty(const std::string& key) {
  auto it = rooms_.find(key);
  if (it == rooms_.end() || !it->second->empty()) return;
  // A plenum and its breakout rooms stay while the breakout rooms are open.
  if (breakouts_.count(key.substr(0, key.find('#')))) return;
  // Not now: we may be inside one of the room's own callbacks.
  const Room* which = it->second.get();
  defer_([this, key, which] {
    auto again = rooms_.find(key);
    if (again != rooms_.end() && again->second.get() == which && again->second->empty() &&
        !breakouts_.count(key.substr(0, key.find('#')))) {
      rooms_.erase(again);
    }
  });
}

}  // namespace plenum::signaling
