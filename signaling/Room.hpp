#pragma once
// A room: its participants and its mixer. Joins, leaves and media changes arrive from the
// Conference; endpoint events arrive from the mixer; everyone else in the room hears of each
// change. Conference thread only.
#include "mixer/RoomMixer.hpp"
#include "mixer/WebRtcEndpoint.hpp"
#include "signaling/Participant.hpp"
#include "signaling/Protocol.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plenum::signaling {

class Room : public mixer::RoomMixer::Listener, public mixer::WebRtcEndpoint::Listener {
public:
  class Listener {
  public:
    virtual ~Listener() = default;
    // A participant left on the room's own account (media failed); its connection is closed.
    virtual void OnRoomParticipantRemoved(Room& room, const std::string& participantId) = 0;
  };

  Room(const std::string& name, const mixer::MixerSettings& settings, Listener& listener,
       std::function<void(std::function<void()>)> defer);
  ~Room() override;

  const std::string& name() const { return name_; }
  std::size_t size() const { return participants_.size(); }
  std::vector<ParticipantInfo> participants() const;

  void join(const std::string& participantId, const JoinRequest& request, mixer::VideoCodec codec,
            std::shared_ptr<SignalingSink> sink);
  void leave(const std::string& participantId, const std::string& reason);
  std::optional<ProtocolError> answer(const std::string& participantId, const std::string& sdp);
  std::optional<ProtocolError> candidate(const std::string& participantId, const CandidateRequest& request);
  void media(const std::string& participantId, const MediaRequest& request);

  // RoomMixer::Listener
  void OnRoomMixerError(const std::string& element, const std::string& message) override;
  // WebRtcEndpoint::Listener
  void OnWebRtcEndpointOffer(mixer::WebRtcEndpoint& endpoint, const std::string& sdp) override;
  void OnWebRtcEndpointCandidate(mixer::WebRtcEndpoint& endpoint, unsigned mline,
                                 const std::string& candidate) override;
  void OnWebRtcEndpointFailed(mixer::WebRtcEndpoint& endpoint, const std::string& reason) override;

  const mixer::RoomMixer& mixer() const { return *mixer_; }

private:
  void broadcast(const std::string& message, const std::string& exceptId = {});
  Participant* find(const std::string& participantId);
  // Runs `work` later on the conference thread, if this room still exists then.
  void later(std::function<void()> work);

  // passed in
  const std::string name_;
  Listener& listener_;
  std::function<void(std::function<void()>)> defer_;
  // owned
  std::unique_ptr<mixer::RoomMixer> mixer_;
  std::map<std::string, Participant> participants_;
  std::vector<std::string> order_;  // join order
  std::shared_ptr<mixer::Liveness> alive_ = std::make_shared<mixer::Liveness>();
};

}  // namespace plenum::signaling
