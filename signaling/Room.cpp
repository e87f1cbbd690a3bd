// SPDX-License-Identifier: EUPL-1.2
#include "signaling/Room.hpp"
#include "signaling/ServerMessages.hpp"

#include "signaling/ChatExport.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <random>

namespace plenum::signaling {

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.room"); }

// The role inside a meeting: Moderator as the appliance decided (a persistent room's owner and
// co-hosts); account roles (Staff, Admin) give no power there.
Role meetingRole(Role role) { return role == Role::Moderator ? Role::Moderator : Role::Guest; }

// media-failed's `message` (English, for the client's log; clients show their own words).
const char* mediaFailureText(MediaFailure failure) {
  switch (failure) {
    case MediaFailure::ConnectionFailed: return "your media connection failed (ICE or DTLS); join again to reconnect";
    case MediaFailure::AnswerRefused: return "the server could not use your answer; join again";
    case MediaFailure::DecoderError: return "the server could not decode your camera or microphone; join again";
    case MediaFailure::Internal: return "the server failed to handle your media; join again";
  }
  return "your media failed; join again";
}

// 32 random bytes, base64url without padding (43 characters).
std::string newUploadToken() {
  static std::random_device random;
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token;
  for (int i = 0; i < 43; ++i) token += alphabet[random() % 64];
  return token;
}

}  // namespace

Room::Room(const RoomPolicy& policy, const RoomMediaFactory& media, Listener& listener,
           std::function<void(std::function<void()>)> defer, Timers& timers, RoomTimeouts timeouts,
           RecordingArchive* recordings, DocumentPages* documents)
    : listener_(listener), defer_(std::move(defer)), timers_(timers), timeouts_(timeouts), policy_(policy),
      label_(policy.breakoutId.empty() ? policy.slug : policy.slug + "#" + policy.breakoutId),
      floor_(policy.slug, timers,
             FloorControl::Outlets{[this](const std::string& message) { broadcast(message); },
                                   [this](const std::optional<std::string>& id) { media_->setFloorHolder(id); },
                                   [this](const std::string& id) -> std::optional<std::string> {
                                     const Participant* p = find(id);
                                     return p ? std::optional(p->info.name) : std::nullopt;
                                   }}),
      recording_(policy.slug, policy.persistent ? policy.roomId : std::string(), recordings, timers,
                 RoomRecording::Outlets{[this](const std::string& message) { tellEveryone(message); },
                                        [this] { return participants_.size() + lobby_.size(); }}),
      documents_(documents) {
  media_ = media(label_, *this);
  recording_.setMedia(media_.get());
  log().information("room %s opened (%s%s, at most %z)", label_,
                    std::string(isBreakout() ? "breakout" : policy_.persistent ? "persistent" : "ad-hoc"),
                    std::string(policy_.lobby ? ", lobby" : ""), policy_.maxParticipants);
}

Room::~Room() {
  // The meeting ends with its last participant: so does its recording (the file is finished).
  recording_.stopBecause("meeting-ended");
  // A document belongs to its meeting: its files go with it.
  if (presentation_.document && documents_) documents_->discard(presentation_.document->id);
  floor_.reset();
  media_.reset();
  log().information("room %s closed", label_);
}

void Room::updatePolicy(const RoomPolicy& policy) {
  // The conference's key stays: the slug, and what makes this a breakout room.
  const RoomPolicy before = policy_;
  policy_ = policy;
  policy_.slug = before.slug;
  policy_.breakoutId = before.breakoutId;
  policy_.breakoutName = before.breakoutName;
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
  return RoomInfo{policy_.slug, policy_.title.empty() ? policy_.slug : policy_.title, locked_, policy_.breakoutId,
                  policy_.breakoutName};
}

void Room::later(std::function<void()> work) {
  std::weak_ptr<const bool> alive = alive_;
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
    if (id != exceptId) sendTo(participant, message);
  }
}

void Room::tellEveryone(const std::string& message) {
  broadcast(message);
  for (auto& waiting : lobby_) sendTo(waiting.participant, message);
}

void Room::tellModerators(const std::string& message) {
  for (auto& [id, participant] : participants_) {
    if (participant.role == Role::Moderator) sendTo(participant, message);
  }
}

void Room::sendTo(Participant& participant, const std::string& message) {
  const bool answers = answering_ && answering_->participantId == participant.info.id;
  participant.sink->send(answers ? server::withRequestId(message, answering_->requestId) : message);
}

void Room::sendFatal(Participant& participant, ErrorCode code, const std::string& message) {
  const bool answers = answering_ && answering_->participantId == participant.info.id;
  participant.sink->send(server::error({code, message, 0, answers ? answering_->requestId : std::nullopt}, true));
  participant.sink->close();
}

Room::Answering::Answering(Room& room, const std::string& participantId, const std::optional<std::string>& requestId)
    : room_(room), previous_(std::move(room.answering_)) {
  room_.answering_ = Request{participantId, requestId};
}

Room::Answering::~Answering() { room_.answering_ = std::move(previous_); }

void Room::lobbyChanged() { tellModerators(server::lobbyUpdated(waiting())); }

// ---- joining and leaving ----------------------------------------------------------------------

std::optional<ProtocolError> Room::join(const std::string& participantId, const JoinRequest& request,
                                        const JoinContext& context, mixer::VideoCodec codec,
                                        std::shared_ptr<SignalingSink> sink) {
  if (ended_) return ProtocolError{ErrorCode::MeetingEnded, "the meeting has ended"};
  if (isBanned(context.linkSession)) {
    return ProtocolError{ErrorCode::Banned, "you were removed from this meeting"};
  }
  // Nobody enters a meeting that is being recorded without having been told (PROTOCOL.md).
  if (recording_.running()) {
    if (!request.recordingConsent) {
      ProtocolError refusal{ErrorCode::RecordingConsentRequired,
                            "the meeting is being recorded: join again with recordingConsent if you agree"};
      refusal.startedAt = recording_.startedAt();
      return refusal;
    }
  }
  Participant participant;
  // Ad-hoc rooms (no accounts involved): whoever opens the room moderates it.
  participant.role = participants_.empty() && !policy_.persistent ? Role::Moderator : meetingRole(context.role);
  participant.info = ParticipantInfo{participantId, request.name, request.audio, request.video,
                                     participant.role == Role::Moderator};
  participant.linkSession = context.linkSession;
  participant.accountId = context.accountId;
  participant.sink = std::move(sink);
  participant.iceServers = context.iceServers;
  participant.phone = context.phone;
  participant.info.phone = context.phone != nullptr;
  const bool moderator = participant.role == Role::Moderator;

  if (locked_ && !moderator) return ProtocolError{ErrorCode::RoomLocked, "the room is locked"};
  if (policy_.lobby && !moderator) {
    if (lobby_.size() >= limit()) return ProtocolError{ErrorCode::RoomFull, "too many people are waiting"};
    wait(Waiting{std::move(participant), request, codec, nullptr});
    if (recording_.running()) recording_.counted();  // told by the consent they gave
    return std::nullopt;
  }
  if (participants_.size() + away_ >= limit()) {
    return ProtocolError{ErrorCode::RoomFull, "the room has reached its participant limit"};
  }
  enter(std::move(participant), request, codec);
  if (recording_.running()) recording_.counted();
  return std::nullopt;
}

void Room::wait(Waiting waiting) {
  const WaitingInfo knocking{waiting.participant.info.id, waiting.participant.info.name};
  sendTo(waiting.participant, server::lobby(info()));
  sendTo(waiting.participant, recording_.stateMessage());
  const std::string id = knocking.id;
  waiting.deadline = timers_.after(timeouts_.lobby, [this, id] { onLobbyDeadline(id); });
  lobby_.push_back(std::move(waiting));
  tellModerators(server::knock(knocking));
  lobbyChanged();
  log().information("room %s: %s waits in the lobby (%z waiting)", label_, knocking.id, lobby_.size());
}

void Room::enter(Participant participant, const JoinRequest& request, mixer::VideoCodec codec) {
  const std::string id = participant.info.id;
  auto& added = participants_.emplace(id, std::move(participant)).first->second;
  order_.push_back(id);
  added.uploadToken = newUploadToken();
  sendTo(added, server::joined(id, info(), participants(), mixer::toString(codec), added.iceServers,
                               added.uploadToken));
  sendMeetingState(added);
  broadcast(server::participantJoined(added.info), id);
  if (added.role == Role::Moderator) sendTo(added, server::lobbyUpdated(waiting()));
  log().information("room %s: %s joined as %s (%z in the room, composite %s)", label_, id,
                    std::string(toString(added.role)), participants_.size(), std::string(mixer::toString(codec)));
  // Last: its offer goes out after "joined".
  try {
    if (added.phone) {
      media_->addPhone(id, request.name, added.phone, !request.audio);
    } else {
      media_->addParticipant(id, request.name, codec, !request.audio, request.video);
    }
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
    log().information("room %s: %s left the lobby (%s)", label_, participantId, reason);
    return;
  }
  auto it = participants_.find(participantId);
  if (it == participants_.end()) return;
  endScreenShareOf(participantId);
  media_->removeParticipant(participantId);
  participants_.erase(it);
  std::erase(order_, participantId);
  broadcast(server::participantLeft(participantId, reason));
  log().information("room %s: %s left (%s), %z remain", label_, participantId, reason, participants_.size());
  // One's hands go down and the floor is free.
  floor_.participantLeft(participantId);
  if (activeSpeaker_ == participantId) {
    activeSpeaker_.reset();
    broadcast(server::activeSpeaker(activeSpeaker_));
  }
  ensureModerator();
}

void Room::drop(const std::string& participantId, const std::string& reason) {
  leave(participantId, reason);
  listener_.OnRoomSessionDropped(*this, participantId);
}

void Room::ensureModerator() {
  // Breakout rooms take their moderators from the plenum; a plenum whose moderators visit
  // breakout rooms keeps them.
  if (policy_.persistent || order_.empty() || isBreakout() || away_ > 0) return;
  for (const auto& [id, p] : participants_) {
    if (p.role == Role::Moderator) return;
  }
  Participant& next = participants_.at(order_.front());
  log().information("room %s: %s takes over as moderator", label_, next.info.id);
  makeModerator(next);
}

void Room::makeModerator(Participant& participant) {
  participant.role = Role::Moderator;
  participant.info.moderator = true;
  broadcast(server::participantUpdated(participant.info));
  sendTo(participant, server::lobbyUpdated(waiting()));
  // Moderators read the messages to the moderators too: the history again, with those.
  sendChatHistory(participant);
}

// ---- media ------------------------------------------------------------------------------------

std::optional<ProtocolError> Room::answer(const std::string& participantId, const std::string& sdp) {
  if (isWaiting(participantId)) return ProtocolError{ErrorCode::NotJoined, "you are waiting in the lobby"};
  if (!find(participantId)) return ProtocolError{ErrorCode::Internal, "no media endpoint"};
  if (auto problem = media_->setRemoteAnswer(participantId, sdp)) return ProtocolError{ErrorCode::BadSdp, *problem};
  find(participantId)->answerDeadline.reset();
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

std::optional<ProtocolError> Room::view(const std::string& participantId, const ViewRequest& request) {
  Participant* p = find(participantId);
  if (!p || p->phone) return std::nullopt;  // in the lobby: the client says it again once in
  try {
    media_->setCompositeShape(participantId, request.portrait ? mixer::CompositeShape::Portrait
                                                              : mixer::CompositeShape::Landscape);
  } catch (const std::exception& e) {
    log().error("room %s: %s's view cannot be changed: %s", label_, participantId, std::string(e.what()));
    return ProtocolError{ErrorCode::Internal, "the view could not be changed"};
  }
  return std::nullopt;
}

void Room::OnRoomMediaOffer(const std::string& participantId, const std::string& sdp) {
  log().debug("room %s: offer to %s", label_, participantId);
  Participant* p = find(participantId);
  if (!p) return;
  sendTo(*p, server::offer(sdp));
  p->answerDeadline = timers_.after(timeouts_.answer, [this, participantId] { onAnswerDeadline(participantId); });
}

void Room::onAnswerDeadline(const std::string& participantId) {
  Participant* p = find(participantId);
  if (!p) return;
  log().information("room %s: %s did not answer its offer within %z s", label_, participantId,
                    static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(timeouts_.answer).count()));
  sendFatal(*p, ErrorCode::AnswerTimeout, "no answer to the offer in time");
  drop(participantId, "answer-timeout");
}

void Room::onLobbyDeadline(const std::string& participantId) {
  auto it = std::find_if(lobby_.begin(), lobby_.end(),
                         [&](const Waiting& w) { return w.participant.info.id == participantId; });
  if (it == lobby_.end()) return;
  log().information("room %s: %s waited in the lobby for too long", label_, participantId);
  sendFatal(it->participant, ErrorCode::LobbyTimeout, "nobody let you in in time");
  lobby_.erase(it);
  lobbyChanged();
  listener_.OnRoomSessionDropped(*this, participantId);
}

void Room::OnRoomMediaCandidate(const std::string& participantId, unsigned mline, const std::string& candidate) {
  if (Participant* p = find(participantId)) sendTo(*p, server::candidate(mline, candidate));
}

void Room::OnRoomMediaFailed(const std::string& participantId, MediaFailure failure, const std::string& detail) {
  log().warning("room %s: media of %s failed (%s): %s", label_, participantId, std::string(toString(failure)), detail);
  // Not from inside the media's own callback: leave() destroys the endpoint.
  later([this, participantId, failure] {
    Participant* p = find(participantId);
    if (!p) return;
    sendTo(*p, server::mediaFailed(toString(failure), mediaFailureText(failure)));
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
  admitted.deadline.reset();
  lobby_.erase(it);
  log().information("room %s: %s admitted %s", label_, senderId, targetId);
  lobbyChanged();
  const auto sink = admitted.participant.sink;
  try {
    enter(std::move(admitted.participant), admitted.request, admitted.codec);
  } catch (const std::exception& e) {
    log().error("room %s: admitting %s failed: %s", label_, targetId, std::string(e.what()));
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
  sendFatal(it->participant, ErrorCode::LobbyRejected, "a moderator did not let you in");
  lobby_.erase(it);
  log().information("room %s: %s rejected %s", label_, senderId, targetId);
  lobbyChanged();
  listener_.OnRoomSessionDropped(*this, targetId);
  return std::nullopt;
}

void Room::muteOne(Participant& target, const Participant& by) {
  if (!target.info.audio) return;
  target.info.audio = false;
  media_->setAudioMuted(target.info.id, true);
  broadcast(server::participantUpdated(target.info));
  if (&target != &by) sendTo(target, server::mutedByModerator(by.info.name));
}

std::optional<ProtocolError> Room::mute(const std::string& senderId, const std::string& targetId) {
  if (auto refused = check(senderId, Action::MuteParticipant)) return refused;
  Participant* target = find(targetId);
  if (!target) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is in the room"};
  log().information("room %s: %s muted %s", label_, senderId, targetId);
  muteOne(*target, *find(senderId));
  return std::nullopt;
}

std::optional<ProtocolError> Room::muteAll(const std::string& senderId) {
  if (auto refused = check(senderId, Action::MuteAll)) return refused;
  const Participant& sender = *find(senderId);
  log().information("room %s: %s muted everyone else", label_, senderId);
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
    log().warning("room %s: %s has no link session: removed, but not banned", label_, targetId);
  } else {
    banned_.insert(target->linkSession);
  }
  log().information("room %s: %s removed %s", label_, senderId, targetId);
  sendTo(*target, server::removed(find(senderId)->info.name));
  target->sink->close();
  drop(targetId, "removed");
  return std::nullopt;
}

std::optional<ProtocolError> Room::lock(const std::string& senderId, bool locked) {
  if (auto refused = check(senderId, Action::LockRoom)) return refused;
  if (locked_ == locked) return std::nullopt;
  locked_ = locked;
  log().information("room %s: %s %s the room", label_, senderId, std::string(locked ? "locked" : "unlocked"));
  broadcast(server::roomUpdated(info()));
  return std::nullopt;
}

std::optional<ProtocolError> Room::promote(const std::string& senderId, const std::string& targetId) {
  if (auto refused = check(senderId, Action::PromoteModerator)) return refused;
  Participant* target = find(targetId);
  if (!target) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is in the room"};
  if (target->role == Role::Moderator) return std::nullopt;
  log().information("room %s: %s made %s moderator", label_, senderId, targetId);
  makeModerator(*target);
  return std::nullopt;
}

std::optional<ProtocolError> Room::end(const std::string& senderId) {
  if (auto refused = check(senderId, Action::EndMeeting)) return refused;
  log().information("room %s: %s ended the meeting", label_, senderId);
  ended_ = true;
  stopPresenting("the meeting ended");
  for (auto& w : lobby_) sendFatal(w.participant, ErrorCode::MeetingEnded, "a moderator ended the meeting");
  for (auto& [id, p] : participants_) sendFatal(p, ErrorCode::MeetingEnded, "a moderator ended the meeting");
  for (const auto& id : order_) media_->removeParticipant(id);
  lobby_.clear();
  participants_.clear();
  order_.clear();
  // The chat is gone with the meeting; no timer may fire into it any more.
  floor_.reset();
  chat_.clear();
  listener_.OnRoomEnded(*this);
  return std::nullopt;
}

// ---- meeting tools: state for newcomers -------------------------------------------------------

void Room::sendMeetingState(Participant& participant) {
  sendChatHistory(participant);
  sendTo(participant, floor_.queueMessage());
  sendTo(participant, floor_.floorMessage());
  sendTo(participant, server::layoutUpdated(layout_));
  sendTo(participant, server::activeSpeaker(activeSpeaker_));
  sendTo(participant, recording_.stateMessage());
  sendTo(participant, server::presentation(presentation_));
}

void Room::sendChatHistory(Participant& participant) {
  sendTo(participant,
      server::chatHistory(chat_.readableBy(participant.info.id, participant.role == Role::Moderator)));
}

// ---- chat -------------------------------------------------------------------------------------
// The text is never logged (privacy): only who wrote to whom, and counts.

std::optional<ProtocolError> Room::chat(const std::string& senderId, const ChatRequest& request) {
  if (auto refused = check(senderId, Action::Chat)) return refused;
  Participant& sender = *find(senderId);
  if (auto wait = sender.chatRate.take(timers_.now())) {
    return ProtocolError{ErrorCode::TooFast, "too many chat messages", *wait};
  }
  const ChatMessageInfo& message =
      chat_.add({senderId, sender.info.name, sender.role == Role::Moderator}, request.to, request.text, timers_.wallNow());
  const std::string json = server::chat(message);
  for (auto& [id, p] : participants_) {
    if (ChatLog::mayRead(message, id, p.role == Role::Moderator)) sendTo(p, json);
  }
  log().debug("room %s: chat message %s from %s to %s (%z stored)", label_, message.id, senderId,
              std::string(toString(request.to)), chat_.size());
  return std::nullopt;
}

std::optional<ProtocolError> Room::chatExport(const std::string& senderId, ExportFormat format) {
  if (auto refused = check(senderId, Action::ExportChat)) return refused;
  const ChatExportFile file = exportChat(chat_.all(), format, info(), timers_.wallNow());
  sendTo(*find(senderId), server::chatExport(format, file.filename, file.content));
  log().information("room %s: %s exported the chat (%z messages, %s)", label_, senderId, chat_.size(),
                    std::string(toString(format)));
  return std::nullopt;
}

// ---- speaker queue and floor ------------------------------------------------------------------

std::optional<ProtocolError> Room::checkHand(const std::string& senderId, Action action) {
  if (auto refused = check(senderId, action)) return refused;
  if (auto wait = find(senderId)->handRate.take(timers_.now())) {
    return ProtocolError{ErrorCode::TooFast, "too many hand and queue messages", *wait};
  }
  return std::nullopt;
}

std::optional<ProtocolError> Room::raiseHand(const std::string& senderId, HandKind kind) {
  if (auto refused = checkHand(senderId, Action::RaiseHand)) return refused;
  floor_.raiseHand(senderId, find(senderId)->info.name, kind);
  return std::nullopt;
}

std::optional<ProtocolError> Room::lowerHand(const std::string& senderId, const std::optional<std::string>& entryId) {
  if (auto refused = checkHand(senderId, Action::RaiseHand)) return refused;
  return floor_.lowerHand(senderId, entryId);
}

std::optional<ProtocolError> Room::queueMove(const std::string& senderId, const QueueMoveRequest& request) {
  if (auto refused = checkHand(senderId, Action::ManageQueue)) return refused;
  return floor_.move(request);
}

std::optional<ProtocolError> Room::queueRemove(const std::string& senderId, const std::string& entryId) {
  if (auto refused = checkHand(senderId, Action::ManageQueue)) return refused;
  return floor_.remove(entryId);
}

std::optional<ProtocolError> Room::queueClear(const std::string& senderId) {
  if (auto refused = checkHand(senderId, Action::ManageQueue)) return refused;
  floor_.clear();
  return std::nullopt;
}

std::optional<ProtocolError> Room::giveFloor(const std::string& senderId, const GiveFloorRequest& request) {
  if (auto refused = checkHand(senderId, Action::GiveFloor)) return refused;
  return floor_.giveFloor(request);
}

std::optional<ProtocolError> Room::takeFloor(const std::string& senderId) {
  if (auto refused = checkHand(senderId, Action::GiveFloor)) return refused;
  floor_.takeFloor();
  return std::nullopt;
}

std::optional<ProtocolError> Room::speakingTime(const std::string& senderId, const SpeakingTimeRequest& request) {
  if (auto refused = checkHand(senderId, Action::SetSpeakingTime)) return refused;
  floor_.setSpeakingTime(request);
  log().information("room %s: %s set the speaking time to %u s%s", label_, senderId, request.limitSeconds,
                    std::string(request.autoEnd ? " (ends the floor)" : ""));
  return std::nullopt;
}

std::optional<ProtocolError> Room::layout(const std::string& senderId, mixer::Layout layout) {
  if (auto refused = checkHand(senderId, Action::SetLayout)) return refused;
  if (layout_ == layout) return std::nullopt;
  layout_ = layout;
  media_->setLayout(layout);
  broadcast(server::layoutUpdated(layout));
  log().information("room %s: %s set the layout to %s", label_, senderId, std::string(toString(layout)));
  return std::nullopt;
}

// ---- recording --------------------------------------------------------------------------------

std::optional<ProtocolError> Room::recordingStart(const std::string& senderId) {
  if (auto refused = checkHand(senderId, Action::RecordMeeting)) return refused;
  const Participant* sender = find(senderId);
  return recording_.start({sender->accountId, sender->info.name});
}

std::optional<ProtocolError> Room::recordingStop(const std::string& senderId) {
  if (auto refused = checkHand(senderId, Action::RecordMeeting)) return refused;
  return recording_.stop();
}

void Room::OnRoomMediaRecordingFailed(const std::string& detail) {
  log().error("room %s: the recorder failed: %s", label_, detail);
  // Not from inside the media's own callback: stopping detaches the recorder.
  later([this] { recording_.stopBecause("failed"); });
}

// ---- breakout rooms ---------------------------------------------------------------------------

std::optional<Role> Room::roleOf(const std::string& participantId) const {
  const Participant* p = find(participantId);
  return p ? std::optional(p->role) : std::nullopt;
}

const std::string* Room::linkSessionOf(const std::string& participantId) const {
  const Participant* p = find(participantId);
  return p ? &p->linkSession : nullptr;
}

std::string Room::nameOf(const std::string& participantId) const {
  const Participant* p = find(participantId);
  return p ? p->info.name : std::string();
}

void Room::ban(const std::string& linkSession) {
  if (!linkSession.empty()) banned_.insert(linkSession);
}

std::optional<ProtocolError> Room::throttle(const std::string& participantId) {
  Participant* p = find(participantId);
  if (!p) return ProtocolError{ErrorCode::NotJoined, "you are waiting in the lobby"};
  if (auto wait = p->handRate.take(timers_.now())) {
    return ProtocolError{ErrorCode::TooFast, "too many requests", *wait};
  }
  return std::nullopt;
}

void Room::setAway(std::size_t away) {
  away_ = away;
  ensureModerator();
}

bool Room::tell(const std::string& participantId, const std::string& message) {
  Participant* p = find(participantId);
  if (!p) return false;
  sendTo(*p, message);
  return true;
}

std::optional<ProtocolError> Room::moveTo(const std::string& participantId, Room& to) {
  auto it = participants_.find(participantId);
  if (it == participants_.end()) return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is in the room"};
  endScreenShareOf(participantId);
  Participant moving = std::move(it->second);
  participants_.erase(it);
  std::erase(order_, participantId);
  broadcast(server::participantLeft(participantId, "moved"));
  floor_.participantLeft(participantId);
  if (activeSpeaker_ == participantId) {
    activeSpeaker_.reset();
    broadcast(server::activeSpeaker(activeSpeaker_));
  }
  const bool audioMuted = !moving.info.audio;
  const bool videoVisible = moving.info.video;
  to.arrive(std::move(moving));
  const auto started = std::chrono::steady_clock::now();
  try {
    media_->moveParticipant(participantId, *to.media_, audioMuted, videoVisible);
  } catch (...) {
    to.participants_.erase(participantId);
    std::erase(to.order_, participantId);
    to.broadcast(server::participantLeft(participantId, "media-failed"));
    throw;
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  log().information("room %s: %s moved to %s (%z remain; media moved in %d ms)", label_, participantId, to.label_,
                    participants_.size(), static_cast<int>(took.count()));
  return std::nullopt;
}

void Room::arrive(Participant participant) {
  const std::string id = participant.info.id;
  // An offer still unanswered: its deadline now belongs to this room.
  if (participant.answerDeadline) {
    participant.answerDeadline = timers_.after(timeouts_.answer, [this, id] { onAnswerDeadline(id); });
  }
  auto& added = participants_.emplace(id, std::move(participant)).first->second;
  order_.push_back(id);
  sendTo(added, server::moved(info(), participants()));
  sendMeetingState(added);
  broadcast(server::participantJoined(added.info), id);
  if (added.role == Role::Moderator && !isBreakout()) sendTo(added, server::lobbyUpdated(waiting()));
  log().information("room %s: %s arrived (%z in the room)", label_, id, participants_.size());
}

// ---- active speaker ---------------------------------------------------------------------------

void Room::OnRoomMediaActiveSpeaker(const std::optional<std::string>& participantId) {
  // The media may report someone who has just left: only people in the meeting count.
  if (participantId && !find(*participantId)) return;
  if (activeSpeaker_ == participantId) return;
  activeSpeaker_ = participantId;
  broadcast(server::activeSpeaker(activeSpeaker_));
}

// ---- send what is shown -----------------------------------------------------------------------

void Room::OnRoomMediaVideoRequest(const std::string& participantId, const mixer::VideoRequest& request) {
  if (Participant* participant = find(participantId)) sendTo(*participant, server::sendVideo(request));
}

}  // namespace plenum::signaling
