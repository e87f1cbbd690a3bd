#include "signaling/Conference.hpp"

#include <Poco/Logger.h>

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
}  // namespace

Conference::Conference(const ConferenceSettings& settings, std::function<void(std::function<void()>)> defer)
    : settings_(settings), defer_(std::move(defer)) {}

Conference::~Conference() { closeAll(); }

void Conference::closeAll() {
  for (auto& [id, binding] : sessions_) binding.sink->close();
  sessions_.clear();
  rooms_.clear();
}

const Room* Conference::room(const std::string& name) const {
  auto it = rooms_.find(name);
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
  if (std::holds_alternative<JoinRequest>(envelope.message)) {
    if (bound != sessions_.end()) {
      sink->sendError({ErrorCode::AlreadyJoined, "this connection already joined a room"});
      return;
    }
    join(session, sink, std::get<JoinRequest>(envelope.message));
    return;
  }
  if (bound == sessions_.end()) {
    sink->sendError({ErrorCode::NotJoined, "join a room first"});
    return;
  }
  const Binding& binding = bound->second;
  Room& room = *rooms_.at(binding.room);
  std::optional<ProtocolError> error;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, AnswerRequest>) error = room.answer(binding.participantId, m.sdp);
        else if constexpr (std::is_same_v<T, CandidateRequest>) error = room.candidate(binding.participantId, m);
        else if constexpr (std::is_same_v<T, MediaRequest>) room.media(binding.participantId, m);
        else if constexpr (std::is_same_v<T, LeaveRequest>) {
          // handled below: the binding is erased
        }
      },
      envelope.message);
  if (error) {
    log().warning("participant %s: %s: %s", binding.participantId, std::string(toString(error->code)), error->message);
    sink->sendError(*error);
  }
  if (std::holds_alternative<LeaveRequest>(envelope.message)) {
    onSessionClosed(session, "left");
    sink->close();
  }
}

void Conference::join(SessionId session, const std::shared_ptr<SignalingSink>& sink, const JoinRequest& request) {
  const auto codec = chooseCodec(settings_.codecPreference, request.videoCodecs);
  if (!codec) {
    sink->sendError({ErrorCode::BadField, "field 'videoCodecs' names no codec this server sends (H264/42e01f, VP8)"});
    return;
  }
  auto it = rooms_.find(request.room);
  if (it != rooms_.end() && it->second->size() >= settings_.maxParticipantsPerRoom) {
    sink->sendError({ErrorCode::RoomFull, "the room has reached its participant limit"});
    return;
  }
  try {
    if (it == rooms_.end()) {
      it = rooms_.emplace(request.room, std::make_unique<Room>(request.room, settings_.media, *this, defer_)).first;
    }
    const std::string participantId = newParticipantId();
    sessions_[session] = Binding{request.room, participantId, sink};
    it->second->join(participantId, request, *codec, sink);
  } catch (const std::exception& e) {
    log().error("join of room %s failed: %s", request.room, std::string(e.what()));
    sink->sendError({ErrorCode::Internal, "could not join the room"});
    if (auto s = sessions_.find(session); s != sessions_.end()) {
      if (auto r = rooms_.find(s->second.room); r != rooms_.end()) r->second->leave(s->second.participantId, "media-failed");
      sessions_.erase(s);
    }
    dropRoomIfEmpty(request.room);
  }
}

void Conference::onSessionClosed(SessionId session, const std::string& reason) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return;
  const Binding binding = it->second;
  sessions_.erase(it);
  if (auto room = rooms_.find(binding.room); room != rooms_.end()) {
    room->second->leave(binding.participantId, reason);
  }
  dropRoomIfEmpty(binding.room);
}

void Conference::OnRoomParticipantRemoved(Room& room, const std::string& participantId) {
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->second.participantId == participantId) {
      it->second.sink->sendError({ErrorCode::Internal, "your media connection failed"});
      it->second.sink->close();
      sessions_.erase(it);
      break;
    }
  }
  dropRoomIfEmpty(room.name());
}

void Conference::dropRoomIfEmpty(const std::string& name) {
  auto it = rooms_.find(name);
  if (it == rooms_.end() || it->second->size() > 0) return;
  // Not now: we may be inside one of the room's own callbacks.
  defer_([this, name] {
    auto again = rooms_.find(name);
    if (again != rooms_.end() && again->second->size() == 0) rooms_.erase(again);
  });
}

}  // namespace plenum::signaling
