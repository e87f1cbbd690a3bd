#pragma once
// All rooms of this server and which connection is which participant. Rooms come into being
// with their first join and end with their last leave (ad-hoc rooms). Conference thread only:
// connections post their parsed messages here through the EventLoop.
#include "mixer/MixerSettings.hpp"
#include "signaling/Protocol.hpp"
#include "signaling/Room.hpp"
#include "signaling/SignalingSink.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace plenum::signaling {

using SessionId = std::uint64_t;

struct ConferenceSettings {
  mixer::MixerSettings media;
  std::size_t maxParticipantsPerRoom = 25;
  // Composite codecs in order of preference; the first one the client can receive is used.
  std::vector<mixer::VideoCodec> codecPreference{mixer::VideoCodec::H264, mixer::VideoCodec::VP8};
};

class Conference : public Room::Listener {
public:
  Conference(const ConferenceSettings& settings, std::function<void(std::function<void()>)> defer);
  ~Conference() override;

  void onMessage(SessionId session, const std::shared_ptr<SignalingSink>& sink, ClientEnvelope envelope);
  // The connection closed (reason: "left", "disconnected", "timeout").
  void onSessionClosed(SessionId session, const std::string& reason);
  void closeAll();

  std::size_t roomCount() const { return rooms_.size(); }
  std::size_t participantCount() const { return sessions_.size(); }
  const Room* room(const std::string& name) const;

  void OnRoomParticipantRemoved(Room& room, const std::string& participantId) override;

private:
  struct Binding {
    std::string room;
    std::string participantId;
    std::shared_ptr<SignalingSink> sink;
  };

  void join(SessionId session, const std::shared_ptr<SignalingSink>& sink, const JoinRequest& request);
  void dropRoomIfEmpty(const std::string& name);
  std::string newParticipantId();

  // passed in
  const ConferenceSettings settings_;
  std::function<void(std::function<void()>)> defer_;
  // owned
  std::map<std::string, std::unique_ptr<Room>> rooms_;
  std::map<SessionId, Binding> sessions_;
};

}  // namespace plenum::signaling
