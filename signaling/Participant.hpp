// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Someone in a room, or waiting in its lobby: what the others see of them (name, microphone
// and camera state, role), their connection back (the sink) and what identifies their browser
// (the link session, which bans apply to). Their media lives in the room's RoomMedia.
#include "mixer/MixerSettings.hpp"
#include "signaling/JoinContext.hpp"
#include "signaling/MessageRate.hpp"
#include "signaling/Permissions.hpp"
#include "signaling/Protocol.hpp"
#include "signaling/SignalingSink.hpp"
#include "signaling/Timers.hpp"

#include <memory>
#include <string>

namespace plenum::signaling {

// How many messages a participant may send (PROTOCOL.md, "Limits"): chat 5 in a burst, then
// 1 a second; hand and queue messages (also floor, speaking time, layout) 10, then 2 a second.
constexpr unsigned kChatBurst = 5;
constexpr double kChatPerSecond = 1;
constexpr unsigned kHandBurst = 10;
constexpr double kHandPerSecond = 2;

struct Participant {
  ParticipantInfo info;
  Role role = Role::Guest;  // Guest or Moderator (the role inside the meeting)
  std::string linkSession;
  std::string accountId;
  std::shared_ptr<SignalingSink> sink;
  std::vector<IceServer> iceServers;  // from the join, for "joined"
  std::shared_ptr<PhoneLine> phone;   // a telephone caller's call (no offer, no answer)
  // Sent with "joined": the client's proof for uploads and downloads over HTTP (documents).
  std::string uploadToken;
  MessageRate chatRate{kChatBurst, kChatPerSecond};
  MessageRate handRate{kHandBurst, kHandPerSecond};
  // Runs from the offer until the answer arrives (RoomTimeouts::answer); cancelled with it.
  std::unique_ptr<Timers::Timer> answerDeadline;
};

// Someone in the lobby: they have no media yet and appear in no participant list; what they
// asked for is kept until a moderator admits them.
struct Waiting {
  Participant participant;
  JoinRequest request;
  mixer::VideoCodec codec = mixer::VideoCodec::H264;
  // Ends the wait (RoomTimeouts::lobby) unless a moderator decides first.
  std::unique_ptr<Timers::Timer> deadline;
};

}  // namespace plenum::signaling
