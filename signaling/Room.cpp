#include "signaling/Room.hpp"

#include <Poco/Logger.h>

#include <algorithm>

namespace plenum::signaling {

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.room"); }

// The role inside a meeting: staff and admins are moderators there (README, "Roles").
Role meetingRole(Role role) {
  return role == Role::Moderator || role == Role::Staff || role == Role::Admin ? Role::Moderator : Role::Guest;
}

// The last word to a connection: a fatal error, then the connection closes.
void sendFatal(SignalingSink& sink, ErrorCode code, const std::string& message) {
  sink.send(server::error({code, message}, true));
  sink.close();
}

}  // namespace

Room::Room(const RoomPolicy& policy, const RoomMediaFactory& media, Listener& listener,
           std::function<void(std::function<void()>)> defer)
    : listener_(listener), defer_(std::move(defer)), policy_(policy) {
  media_ = media(policy_.slug, *this);
  log().information("room %s opened (%s%s, at most %z)", policy_.slug,
                    std::string(policy_.persistent ? "persistent" : "ad-hoc"),
                    std::string(policy_.lobby ? ", lobby" : ""), policy_.maxParticipants);
}

Room::~Room() {
  media_.reset();
  log().information("room %s closed", policy_.slug);
}

void Room::updatePolicy(const RoomPolicy& policy) {
  const std::string slug = policy_.slug;  // the conference's key: stays
  policy_ = policy;
  policy_.slug = slug;
}

std::size_t Room::limit() const { return policy_.maxParticipants; }

bool Room::isBanned(const std::string& linkSession) const {
  return !linkSession.empty() && banned_.count(linkSession) > 0;
}

bool Room::isWaiting(const std::string& id) const {
  return std::any_of(lobby_.begin(), lobby_.end(), [&](const Waiting& w) { return w.participant.info.id == id; });
}

std::vector<ParticipantInfo> Room::participants() const {
  std::vector<ParticipantInfo> list;
  for (const auto& id : order_) list.push_back(participants_.at(id).info);
  return list;
}

std::vector<WaitingInfo> Room::waiting() const {
  std::vector<WaitingInfo> list;
  for (const auto& w : lobby_) list.push_back({w.participant.info.id, w.participant.info.name});
  return list;
}

RoomInfo Room::info() const {
  return RoomInfo{policy_.slug, policy_.title.empty() ? policy_.slug : policy_.title, locked_};
}

void Room::later(std::function<void()> work) {
  std::weak_ptr<mixer::Liveness> alive = alive_;
  defer_([alive, work = std::move(work)] {
    if (alive.lock()) work();
  });
}

Participant* Room::find(const std::string& participantId) {
  auto it = participants_.find(participantId);
  return it == participants_.end() ? nullptr : &it->second;
}

const Participant* Room::find(const std::string& participantId) const {
  auto it = participants_.find(participantId);
  return it == participants_.end() ? nullptr : &it->second;
}

void Room::broadcast(const std::string& message, const std::string& exceptId) {
  for (auto& [id, participant] : participants_) {
    if (id != exceptId) participant.sink->send(message);
  }
}

void Room::tellModerators(const std::string& message) {
  for (auto& [id, participant] : participants_) {
    if (participant.role == Role::Moderator) participant.sink->send(message);
  }
}

void Room::lobbyChanged() { tellModerators(server::lobbyUpdated(waiting())); }

// ---- joining and leaving ----------------------------------------------------------------------

std::optional<ProtocolError> Room::join(const std::string& participantId, const JoinRequest& request,
                                        const JoinContext& context, mixer::VideoCodec codec,
                                        std::shared_ptr<SignalingSink> sink) {
  if (ended_) return ProtocolError{ErrorCode::MeetingEnded, "the meeting has ended"};
  if (isBanned(context.linkSession)) {
    return ProtocolError{ErrorCode::Banned, "you were removed from this meeting"};
  }
  Participant participant;
  // Ad-hoc rooms (no accounts involved): whoever opens the room moderates it.
  participant.role = participants_.empty() && !policy_.persistent ? Role::Moderator : meetingRole(context.role);
  participant.info = ParticipantInfo{participantId, request.name, request.audio, request.video,
                                     participant.role == Role::Moderator};
  participant.linkSession = context.linkSession;
  participant.accountId = context.accountId;
  participant.sink = std::move(sink);
  const bool moderator = participant.role == Role::Moderator;

  if (locked_ && !moderator) return ProtocolError{ErrorCode::RoomLocked, "the room is locked"};
  if (policy_.lobby && !moderator) {
    if (lobby_.size() >= limit()) return ProtocolError{ErrorCode::RoomFull, "too many people are waiting"};
    wait(Waiting{std::move(participant), request, codec});
    return std::nullopt;
  }
  if (participants_.size() >= limit()) {
    return ProtocolError{ErrorCode::RoomFull, "the room has reached its participant limit"};
  }
  enter(std::move(participant), request, codec);
  return std::nullopt;
}

void Room::wait(Waiting waiting) {
  const WaitingInfo knocking{waiting.participant.info.id, waiting.participant.info.name};
  waiting.participant.sink->send(server::lobby(info()));
  lobby_.push_back(std::move(waiting));
  tellModerators(server::knock(knocking));
  lobbyChanged();
  log().information("room %s: %s waits in the lobby (%z waiting)", policy_.slug, knocking.id, lobby_.size());
}

void Room::enter(Participant participant, const JoinRequest& request, mixer::VideoCodec codec) {
  const std::string id = participant.info.id;
  auto& added = participants_.emplace(id, std::move(participant)).first->second;
  order_.push_back(id);
  added.sink->send(server::joined(id, info(), participants(), mixer::toString(codec)));
  broadcast(server::participantJoined(added.info), id);
  if (added.role == Role::Moderator) added.sink->send(server::lobbyUpdated(waiting()));
  log().information("room %s: %s joined as %s (%z in the room, composite %s)", policy_.slug, id,
                    std::string(toString(added.role)), participants_.size(), std::string(mixer::toString(codec)));
  // Last: its offer goes out after "joined".
  try {
    media_->addParticipant(id, request.name, codec, !request.audio, request.video);
  } catch (...) {
    participants_.erase(id);
    std::erase(order_, id);
    broadcast(server::participantLeft(id, "media-failed"));
    ensureModerator();
    throw;
  }
}

void Room::leave(const std::string& participantId, const std::string& reason) {
  auto waiting = std::find_if(lobby_.begin(), lobby_.end(),
                              [&](const Waiting& w) { return w.participant.info.id == participantId; });
  if (waiting != lobby_.end()) {
    lobby_.erase(waiting);
    lobbyChanged();
    log().information("room %s: %s left the lobby (%s)", policy_.slug, participantId, reason);
    return;
  }
  auto it = participants_.find(participantId);
  if (it == participants_.end()) return;
  media_->removeParticipant(participantId);
  participants_.erase(it);
  std::erase(order_, participantId);
  broadcast(server::participantLeft(participantId, reason));
  log().information("room %s: %s left (%s), %z remain", policy_.slug, participantId, reason, participants_.size());
  ensureModerator();
}

void Room::drop(const std::string& participantId, const std::string& reason) {
  leave(participantId, reason);
  listener_.OnRoomSessionDropped(*this, participantId);
}

void Room::ensureModerator() {
  if (policy_.persistent || order_.empty()) return;
  for (const auto& [id, p] : participants_) {
    if (p.role == Role::Moderator) return;
  }
  Participant& next = participants_.at(order_.front());
  log().information("room %s: %s takes over as moderator", policy_.slug, next.info.id);
  makeModerator(next);
}

void Room::makeModerator(Participant& participant) {
  participant.role = Role::Moderator;
  participant.info.moderator = true;
  broadcast(server::participantUpdated(participant.info));
  participant.sink->send(server::lobbyUpdated(waiting()));
}

// ---- media ------------------------------------------------------------------------------------

std::optional<ProtocolError> Room::answer(const std::string& participantId, const std::string& sdp) {
  if (isWaiting(participantId)) return ProtocolError{ErrorCode::NotJoined, "you are waiting in the lobby"};
  if (!find(participantId)) return ProtocolError{ErrorCode::Internal, "no media endpoint"};
  if (auto problem = media_->setRemoteAnswer(participantId, sdp)) return ProtocolError{ErrorCode::BadSdp, *problem};
  return std::nullopt;
}

std::optional<ProtocolError> Room::candidate(const std::string& participantId, const CandidateRequest& request) {
  if (isWaiting(participantId)) return ProtocolError{ErrorCode::NotJoined, "you are waiting in the lobby"};
  if (!find(participantId)) return ProtocolError{ErrorCode::Internal, "no media endpoint"};
  if (auto problem = media_->addRemoteCandidate(participantId, request.mlineIndex, request.candidate)) {
    return ProtocolError{ErrorCode::BadCandidate, *problem};
  }
  return std::nullopt;
}

std::optional<ProtocolError> Room::media(const std::string& participantId, const MediaRequest& request) {
  for (auto& w : lobby_) {
    if (w.participant.info.id == participantId) {
      // Taken along into the meeting.
      w.request.audio = w.participant.info.audio = request.audio;
      w.request.video = w.participant.info.video = request.video;
      return std::nullopt;
    }
  }
  Participant* p = find(participantId);
  if (!p) return std::nullopt;
  if (p->info.audio == request.audio && p->info.video == request.video) return std::nullopt;
  p->info.audio = request.audio;
  p->info.video = request.video;
  media_->setAudioMuted(participantId, !request.audio);
  media_->setVideoVisible(participantId, request.video);
  broadcast(server::participantUpdated(p->info));
  return std::nullopt;
}

void Room::OnRoomMediaOffer(const std::string& participantId, const std::string& sdp) {
  log().debug("room %s: offer to %s", policy_.slug, participantId);
  if (Participant* p = find(participantId)) p->sink->send(server::offer(sdp));
}

void Room::OnRoomMediaCandidate(const std::string& participantId, unsigned mline, const std::string& candidate) {
  if (Participant* p = find(participantId)) p->sink->send(server::candidate(mline, candidate));
}

void Room::OnRoomMediaFailed(const std::string& participantId, const std::string& reason) {
  log().warning("room %s: media of %s failed: %s", policy_.slug, participantId, reason);
  // Not from inside the media's own callback: leave() destroys the endpoint.
  later([this, participantId] {
    Participant* p = find(participantId);
    if (!p) return;
    p->sink->sendError({ErrorCode::Internal, "your media connection failed"});
    p->sink->close();
    drop(participantId, "media-failed");
  });
}

// ---- moderation -------------------------------------------------------------------------------

std::optional<ProtocolError> Room::check(const std::string& senderId, Action action) const {
  const Participant* sender = find(senderId);
  if (!sender) return ProtocolError{ErrorCode::NotJoined, "you are waiting in the lobby"};
  if (!isAllowed(sender->role, action)) {
    return ProtocolError{ErrorCode::Forbidden, std::string("only moderators may ") + toString(action)};
  }
  return std::nullopt;
}

std::optional<ProtocolError> Room::admit(const std::string& senderId, const std::string& targetId) {
  if (auto refused = check(senderId, Action::AdmitFromLobby)) return refused;
  auto it = std::find_if(lobby_.begin(), lobby_.end(),
                         [&](const Waiting& w) { return w.participant.info.id == targetId; });
  if (it == lobby_.end()) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is waiting"};
  if (participants_.size() >= limit()) {
    return ProtocolError{ErrorCode::RoomFull, "the room has reached its participant limit"};
  }
  Waiting admitted = std::move(*it);
  lobby_.erase(it);
  log().information("room %s: %s admitted %s", policy_.slug, senderId, targetId);
  lobbyChanged();
  const auto sink = admitted.participant.sink;
  try {
    enter(std::move(admitted.participant), admitted.request, admitted.codec);
  } catch (const std::exception& e) {
    log().error("room %s: admitting %s failed: %s", policy_.slug, targetId, std::string(e.what()));
    sink->sendError({ErrorCode::Internal, "could not join the room"});
    sink->close();
    listener_.OnRoomSessionDropped(*this, targetId);
    return ProtocolError{ErrorCode::Internal, "could not admit the participant"};
  }
  return std::nullopt;
}

std::optional<ProtocolError> Room::reject(const std::string& senderId, const std::string& targetId) {
  if (auto refused = check(senderId, Action::AdmitFromLobby)) return refused;
  auto it = std::find_if(lobby_.begin(), lobby_.end(),
                         [&](const Waiting& w) { return w.participant.info.id == targetId; });
  if (it == lobby_.end()) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is waiting"};
  const auto sink = it->participant.sink;
  lobby_.erase(it);
  log().information("room %s: %s rejected %s", policy_.slug, senderId, targetId);
  sendFatal(*sink, ErrorCode::LobbyRejected, "a moderator did not let you in");
  lobbyChanged();
  listener_.OnRoomSessionDropped(*this, targetId);
  return std::nullopt;
}

void Room::muteOne(Participant& target, const Participant& by) {
  if (!target.info.audio) return;
  target.info.audio = false;
  media_->setAudioMuted(target.info.id, true);
  broadcast(server::participantUpdated(target.info));
  if (&target != &by) target.sink->send(server::mutedByModerator(by.info.name));
}

std::optional<ProtocolError> Room::mute(const std::string& senderId, const std::string& targetId) {
  if (auto refused = check(senderId, Action::MuteParticipant)) return refused;
  Participant* target = find(targetId);
  if (!target) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is in the room"};
  log().information("room %s: %s muted %s", policy_.slug, senderId, targetId);
  muteOne(*target, *find(senderId));
  return std::nullopt;
}

std::optional<ProtocolError> Room::muteAll(const std::string& senderId) {
  if (auto refused = check(senderId, Action::MuteAll)) return refused;
  const Participant& sender = *find(senderId);
  log().information("room %s: %s muted everyone else", policy_.slug, senderId);
  for (const auto& id : order_) {
    if (id != senderId) muteOne(participants_.at(id), sender);
  }
  return std::nullopt;
}

std::optional<ProtocolError> Room::remove(const std::string& senderId, const std::string& targetId) {
  if (auto refused = check(senderId, Action::RemoveParticipant)) return refused;
  if (targetId == senderId) return ProtocolError{ErrorCode::BadField, "field 'participantId' names yourself"};
  Participant* target = find(targetId);
  if (!target) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is in the room"};
  if (target->linkSession.empty()) {
    log().warning("room %s: %s has no link session: removed, but not banned", policy_.slug, targetId);
  } else {
    banned_.insert(target->linkSession);
  }
  log().information("room %s: %s removed %s", policy_.slug, senderId, targetId);
  target->sink->send(server::removed(find(senderId)->info.name));
  target->sink->close();
  drop(targetId, "removed");
  return std::nullopt;
}

std::optional<ProtocolError> Room::lock(const std::string& senderId, bool locked) {
  if (auto refused = check(senderId, Action::LockRoom)) return refused;
  if (locked_ == locked) return std::nullopt;
  locked_ = locked;
  log().information("room %s: %s %s the room", policy_.slug, senderId, std::string(locked ? "locked" : "unlocked"));
  broadcast(server::roomUpdated(info()));
  return std::nullopt;
}

std::optional<ProtocolError> Room::promote(const std::string& senderId, const std::string& targetId) {
  if (auto refused = check(senderId, Action::PromoteModerator)) return refused;
  Participant* target = find(targetId);
  if (!target) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is in the room"};
  if (target->role == Role::Moderator) return std::nullopt;
  log().information("room %s: %s made %s moderator", policy_.slug, senderId, targetId);
  makeModerator(*target);
  return std::nullopt;
}

std::optional<ProtocolError> Room::end(const std::string& senderId) {
  if (auto refused = check(senderId, Action::EndMeeting)) return refused;
  log().information("room %s: %s ended the meeting", policy_.slug, senderId);
  ended_ = true;
  for (auto& w : lobby_) sendFatal(*w.participant.sink, ErrorCode::MeetingEnded, "a moderator ended the meeting");
  for (auto& [id, p] : participants_) sendFatal(*p.sink, ErrorCode::MeetingEnded, "a moderator ended the meeting");
  for (const auto& id : order_) media_->removeParticipant(id);
  lobby_.clear();
  participants_.clear();
  order_.clear();
  listener_.OnRoomEnded(*this);
  return std::nullopt;
}

// TODO(issue 4): tell everyone who is speaking.
void Room::OnRoomMediaActiveSpeaker(const std::optional<std::string>&) {}

}  // namespace plenum::signaling
