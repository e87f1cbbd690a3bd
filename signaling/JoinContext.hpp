// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What the appliance has found out about a join before it reaches the conference thread:
// who is joining (from the session cookie) and the room's rules (from the store). Password
// checks (slow: argon2id) and store look-ups happen on the connection's thread, never on the
// conference thread.
#include "signaling/Permissions.hpp"
#include "signaling/PhoneLine.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace plenum::signaling {

struct RoomPolicy {
  std::string slug;               // the name in /r/<slug>
  std::string title;              // shown in the client; the slug for ad-hoc rooms
  bool persistent = false;        // false: an ad-hoc room that ends with its last participant
  bool lobby = false;             // guests wait until a moderator admits them
  std::size_t maxParticipants = 25;
  std::string ownerAccountId;     // empty for ad-hoc rooms
  std::string roomId;             // the store's id of a persistent room; empty for ad-hoc rooms
  // A breakout room of the meeting above (Conference makes them): its id ("b1") and name.
  std::string breakoutId;
  std::string breakoutName;
};

// A TURN server the participant's browser may relay through (RTCIceServer), with credentials
// that work for this participant only and for a limited time.
struct IceServer {
  std::vector<std::string> urls;
  std::string username;
  std::string credential;
};

struct JoinContext {
  Role role = Role::Guest;        // Guest, or Moderator (a persistent room's owner and co-hosts;
                                  // anyone logged in, in an ad-hoc room)
  std::string accountId;          // the account logged in (also when it joins as a guest), or empty
  std::string linkSession;        // the browser's guest session (cookie): bans apply to it
  RoomPolicy policy;
  std::vector<IceServer> iceServers;  // sent in "joined"; empty without a TURN relay
  // A telephone caller (appliance::PhoneCalls): their media is the call, not a browser's.
  std::shared_ptr<PhoneLine> phone;
};

}  // namespace plenum::signaling
