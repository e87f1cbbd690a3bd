#include "signaling/Room.hpp"

#include <Poco/Logger.h>

namespace plenum::signaling {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.room"); }
}  // namespace

Room::Room(const std::string& name, const mixer::MixerSettings& settings, Listener& listener,
           std::function<void(std::function<void()>)> defer)
    : name_(name), listener_(listener), defer_(std::move(defer)),
      mixer_(std::make_unique<mixer::RoomMixer>(name, settings, this)) {
  log().information("room %s opened", name_);
}

Room::~Room() {
  for (auto& [id, participant] : participants_) participant.endpoint.reset();
  participants_.clear();
  mixer_.reset();
  log().information("room %s closed", name_);
}

std::vector<ParticipantInfo> Room::participants() const {
  std::vector<ParticipantInfo> list;
  for (const auto& id : order_) list.push_back(participants_.at(id).info);
  return list;
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

void Room::broadcast(const std::string& message, const std::string& exceptId) {
  for (auto& [id, participant] : participants_) {
    if (id != exceptId) participant.sink->send(message);
  }
}

void Room::join(const std::string& participantId, const JoinRequest& request, mixer::VideoCodec codec,
                std::shared_ptr<SignalingSink> sink) {
  Participant participant;
  participant.info = ParticipantInfo{participantId, request.name, request.audio, request.video};
  participant.sink = std::move(sink);
  mixer_->addParticipant(participantId, request.name);
  mixer_->setAudioMuted(participantId, !request.audio);
  mixer_->setVideoVisible(participantId, request.video);
  auto& added = participants_.emplace(participantId, std::move(participant)).first->second;
  order_.push_back(participantId);

  added.sink->send(server::joined(participantId, name_, participants(), mixer::toString(codec)));
  broadcast(server::participantJoined(added.info), participantId);
  log().information("room %s: %s joined (%z in the room, composite %s)", name_, participantId,
                    participants_.size(), std::string(mixer::toString(codec)));
  // Created last: its offer goes out after "joined".
  added.endpoint = std::make_unique<mixer::WebRtcEndpoint>(*mixer_, participantId, codec, *this);
}

void Room::leave(const std::string& participantId, const std::string& reason) {
  auto it = participants_.find(participantId);
  if (it == participants_.end()) return;
  it->second.endpoint.reset();
  mixer_->removeParticipant(participantId);
  participants_.erase(it);
  std::erase(order_, participantId);
  broadcast(server::participantLeft(participantId, reason));
  log().information("room %s: %s left (%s), %z remain", name_, participantId, reason, participants_.size());
}

std::optional<ProtocolError> Room::answer(const std::string& participantId, const std::string& sdp) {
  Participant* p = find(participantId);
  if (!p || !p->endpoint) return ProtocolError{ErrorCode::Internal, "no media endpoint"};
  if (auto problem = p->endpoint->setRemoteAnswer(sdp)) return ProtocolError{ErrorCode::BadSdp, *problem};
  return std::nullopt;
}

std::optional<ProtocolError> Room::candidate(const std::string& participantId, const CandidateRequest& request) {
  Participant* p = find(participantId);
  if (!p || !p->endpoint) return ProtocolError{ErrorCode::Internal, "no media endpoint"};
  if (auto problem = p->endpoint->addRemoteCandidate(request.mlineIndex, request.candidate)) {
    return ProtocolError{ErrorCode::BadCandidate, *problem};
  }
  return std::nullopt;
}

void Room::media(const std::string& participantId, const MediaRequest& request) {
  Participant* p = find(participantId);
  if (!p) return;
  if (p->info.audio == request.audio && p->info.video == request.video) return;
  p->info.audio = request.audio;
  p->info.video = request.video;
  mixer_->setAudioMuted(participantId, !request.audio);
  mixer_->setVideoVisible(participantId, request.video);
  broadcast(server::participantUpdated(p->info));
}

void Room::OnRoomMixerError(const std::string& element, const std::string& message) {
  log().error("room %s: media error in %s: %s", name_, element, message);
  // An error in one participant's elements ("webrtc-<id>", "p-<id>-...") drops that participant;
  // the room carries on for the others.
  for (const auto& [id, participant] : participants_) {
    if (element.find(id) != std::string::npos) {
      const std::string failed = id;
      later([this, failed] {
        if (!find(failed)) return;
        leave(failed, "media-failed");
        listener_.OnRoomParticipantRemoved(*this, failed);
      });
      return;
    }
  }
}

void Room::OnWebRtcEndpointOffer(mixer::WebRtcEndpoint& endpoint, const std::string& sdp) {
  log().debug("room %s: offer to %s", name_, endpoint.id());
  if (Participant* p = find(endpoint.id())) p->sink->send(server::offer(sdp));
}

void Room::OnWebRtcEndpointCandidate(mixer::WebRtcEndpoint& endpoint, unsigned mline, const std::string& candidate) {
  if (Participant* p = find(endpoint.id())) p->sink->send(server::candidate(mline, candidate));
}

void Room::OnWebRtcEndpointFailed(mixer::WebRtcEndpoint& endpoint, const std::string& reason) {
  const std::string id = endpoint.id();
  log().warning("room %s: media of %s failed: %s", name_, id, reason);
  // Not from inside the endpoint's own callback: the endpoint is destroyed by leave().
  later([this, id] {
    if (!find(id)) return;
    leave(id, "media-failed");
    listener_.OnRoomParticipantRemoved(*this, id);
  });
}

}  // namespace plenum::signaling
