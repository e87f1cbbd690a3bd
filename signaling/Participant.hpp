#pragma once
// Someone in a room: what the others see of them (name, microphone and camera state), their
// connection back (the sink) and their media endpoint.
#include "mixer/WebRtcEndpoint.hpp"
#include "signaling/Protocol.hpp"
#include "signaling/SignalingSink.hpp"

#include <memory>
#include <string>

namespace plenum::signaling {

struct Participant {
  ParticipantInfo info;
  std::shared_ptr<SignalingSink> sink;
  std::unique_ptr<mixer::WebRtcEndpoint> endpoint;
};

}  // namespace plenum::signaling
