// SPDX-License-Identifier: EUPL-1.2
#include "appliance/GstRoomMedia.hpp"

#include "signaling/LogText.hpp"

#include <Poco/Logger.h>

namespace plenum::appliance {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.room"); }
}  // namespace

GstRoomMedia::GstRoomMedia(const std::string& room, const mixer::MixerSettings& settings,
                           signaling::RoomMedia::Listener& listener)
    : room_(room), listener_(listener), mixer_(std::make_unique<mixer::RoomMixer>(room, settings, this)) {}

GstRoomMedia::~GstRoomMedia() {
  // Endpoints leave the pipeline before the pipeline goes.
  endpoints_.clear();
  mixer_.reset();
}

signaling::RoomMediaFactory GstRoomMedia::factory(const mixer::MixerSettings& settings) {
  return [settings](const std::string& room, signaling::RoomMedia::Listener& listener) -> std::unique_ptr<signaling::RoomMedia> {
    return std::make_unique<GstRoomMedia>(room, settings, listener);
  };
}

void GstRoomMedia::addParticipant(const std::string& id, const std::string& name, mixer::VideoCodec codec,
                                  bool audioMuted, bool videoVisible) {
  mixer_->addParticipant(id, name);
  try {
    mixer_->setAudioMuted(id, audioMuted);
    mixer_->setVideoVisible(id, videoVisible);
    endpoints_[id] = std::make_unique<mixer::WebRtcEndpoint>(*mixer_, id, codec, *this);
  } catch (...) {
    endpoints_.erase(id);
    mixer_->removeParticipant(id);
    throw;
  }
}

void GstRoomMedia::removeParticipant(const std::string& id) {
  endpoints_.erase(id);
  mixer_->removeParticipant(id);
}

void GstRoomMedia::setAudioMuted(const std::string& id, bool muted) { mixer_->setAudioMuted(id, muted); }

void GstRoomMedia::setVideoVisible(const std::string& id, bool visible) { mixer_->setVideoVisible(id, visible); }

void GstRoomMedia::setLayout(mixer::Layout layout) { mixer_->setLayout(layout); }

void GstRoomMedia::setFloorHolder(const std::optional<std::string>& id) { mixer_->setFloorHolder(id); }

std::optional<std::string> GstRoomMedia::setRemoteAnswer(const std::string& id, const std::string& sdp) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return "no media endpoint";
  return it->second->setRemoteAnswer(sdp);
}

std::optional<std::string> GstRoomMedia::addRemoteCandidate(const std::string& id, unsigned mline,
                                                            const std::string& candidate) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return "no media endpoint";
  return it->second->addRemoteCandidate(mline, candidate);
}

void GstRoomMedia::OnRoomMixerError(const std::string& element, const std::string& rawMessage) {
  // GStreamer's messages may quote what a client sent (an SDP line): one escaped line.
  const std::string message = signaling::logText(rawMessage);
  log().error("room %s: media error in %s: %s", room_, element, message);
  // An error in one participant's elements ("webrtc-<id>", "p-<id>-...") drops that participant;
  // the room carries on for the others.
  for (const auto& [id, endpoint] : endpoints_) {
    if (element.find(id) != std::string::npos) {
      listener_.OnRoomMediaFailed(id, signaling::MediaFailure::Internal, message);
      return;
    }
  }
}

void GstRoomMedia::OnRoomMixerActiveSpeaker(const std::optional<std::string>& id) {
  listener_.OnRoomMediaActiveSpeaker(id);
}

void GstRoomMedia::OnWebRtcEndpointOffer(mixer::WebRtcEndpoint& endpoint, const std::string& sdp) {
  listener_.OnRoomMediaOffer(endpoint.id(), sdp);
}

void GstRoomMedia::OnWebRtcEndpointCandidate(mixer::WebRtcEndpoint& endpoint, unsigned mline,
                                             const std::string& candidate) {
  listener_.OnRoomMediaCandidate(endpoint.id(), mline, candidate);
}

void GstRoomMedia::OnWebRtcEndpointFailed(mixer::WebRtcEndpoint& endpoint, const std::string& reason) {
  listener_.OnRoomMediaFailed(endpoint.id(), signaling::MediaFailure::ConnectionFailed, signaling::logText(reason));
}

}  // namespace plenum::appliance
