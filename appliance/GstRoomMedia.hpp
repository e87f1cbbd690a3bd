// SPDX-License-Identifier: EUPL-1.2
#pragma once
// RoomMedia over GStreamer: one mixer::RoomMixer and one mixer::WebRtcEndpoint per participant,
// attached to it (a telephone caller's mixer::PhoneEndpoint, made by their appliance::PhoneCall); a mixer::SlideEndpoint while slides are shown, a recorder while recording. The appliance's wiring of the room model (signaling/) to the media (mixer/).
#include "mixer/PhoneEndpoint.hpp"
#include "mixer/RoomMixer.hpp"
#include "mixer/SlideEndpoint.hpp"
#include "mixer/WebRtcEndpoint.hpp"
#include "recordings/RecordingEndpoint.hpp"
#include "signaling/RoomMedia.hpp"

#include <map>
#include <memory>
#include <string>

namespace plenum::appliance {

class GstRoomMedia : public signaling::RoomMedia, public mixer::RoomMixer::Listener, public mixer::WebRtcEndpoint::Listener {
public:
  GstRoomMedia(const std::string& room, const mixer::MixerSettings& settings, signaling::RoomMedia::Listener& listener);
  ~GstRoomMedia() override;

  static signaling::RoomMediaFactory factory(const mixer::MixerSettings& settings);

  // RoomMedia
  void addParticipant(const std::string& id, const std::string& name, mixer::VideoCodec codec, bool audioMuted,
                      bool videoVisible) override;
  void addPhone(const std::string& id, const std::string& name, const std::shared_ptr<signaling::PhoneLine>& call,
                bool audioMuted) override;
  void removeParticipant(const std::string& id) override;
  void moveParticipant(const std::string& id, signaling::RoomMedia& to, bool audioMuted, bool videoVisible) override;
  void setAudioMuted(const std::string& id, bool muted) override;
  void setVideoVisible(const std::string& id, bool visible) override;
  void setCompositeShape(const std::string& id, mixer::CompositeShape shape) override;
  void setLayout(mixer::Layout layout) override;
  void setFloorHolder(const std::optional<std::string>& id) override;
  void presentScreen(const std::optional<std::string>& id) override;
  void showSlide(const std::string& pngPath) override;
  void stopSlides() override;
  void startRecording(const std::string& partPath) override;
  void stopRecording(std::function<void(bool complete)> done) override;
  std::optional<std::string> setRemoteAnswer(const std::string& id, const std::string& sdp) override;
  std::optional<std::string> addRemoteCandidate(const std::string& id, unsigned mline,
                                                const std::string& candidate) override;

  // RoomMixer::Listener
  void OnRoomMixerError(const std::string& element, const std::string& message) override;
  void OnRoomMixerActiveSpeaker(const std::optional<std::string>& id) override;
  void OnRoomMixerVideoRequest(const std::string& id, const mixer::VideoRequest& request) override;
  // WebRtcEndpoint::Listener
  void OnWebRtcEndpointOffer(mixer::WebRtcEndpoint& endpoint, const std::string& sdp) override;
  void OnWebRtcEndpointCandidate(mixer::WebRtcEndpoint& endpoint, unsigned mline,
                                 const std::string& candidate) override;
  // Endpoint::Listener
  void OnEndpointFailed(mixer::Endpoint& endpoint, mixer::EndpointFailure failure, const std::string& detail) override;

private:
  // passed in
  const std::string room_;
  signaling::RoomMedia::Listener& listener_;
  // owned
  std::unique_ptr<mixer::RoomMixer> mixer_;
  std::map<std::string, std::unique_ptr<mixer::WebRtcEndpoint>> endpoints_;
  // Telephone callers' seats; their PhoneCall holds them too (for its prompts).
  std::map<std::string, std::shared_ptr<mixer::PhoneEndpoint>> phones_;
  std::unique_ptr<recordings::RecordingEndpoint> recorder_;  // while recording
  std::unique_ptr<mixer::SlideEndpoint> slides_;             // while slides are shown
};

}  // namespace plenum::appliance
