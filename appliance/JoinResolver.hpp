// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Decides, before a join reaches the conference thread, who is joining and under which room's
// rules (signaling::JoinContext): an invite token or a slug names a persistent room, moderated
// by its owner and the co-hosts the owner named (their session cookie says who they are);
// everyone else, other staff and admins too, is a guest there and needs the invite, and the
// room password if it has one. Otherwise an ad-hoc room, if those are enabled (anyone logged in
// moderates those). A slug that names no room and a persistent room entered by name without
// the right to get the same error (invite-required), so that joins do not tell which slugs
// exist. Runs on the connection's thread: store look-ups and argon2id checks never delay the
// conference.
#include "appliance/PasswordHasher.hpp"
#include "appliance/RateLimiter.hpp"
#include "appliance/Sessions.hpp"
#include "appliance/Settings.hpp"
#include "appliance/Store.hpp"
#include "signaling/JoinContext.hpp"
#include "signaling/Protocol.hpp"

#include <string>
#include <variant>

namespace plenum::appliance {

// What the WebSocket upgrade request said about the browser.
struct Joiner {
  std::string sessionCookie;  // plenum_session (staff/admin login), may be empty
  std::string guestCookie;    // plenum_guest (the link session), may be empty
  std::string address;        // client address: for rate limiting, in memory only
  std::string host;           // the Host header: the name the TURN URLs use
};

// The rules of a persistent room's meeting, from its record (for browsers and phone callers).
signaling::RoomPolicy roomPolicyOf(const RoomRecord& room);

class JoinResolver {
public:
  JoinResolver(Store& store, Sessions& sessions, PasswordHasher& hasher, const AccessSettings& settings,
               std::size_t defaultMaxParticipants);

  // The context for `request`, or the error to send. Sets request.room to the room's slug
  // (a join by invite may name no room).
  std::variant<signaling::JoinContext, signaling::ProtocolError> resolve(const Joiner& joiner,
                                                                         signaling::JoinRequest& request);

  // Whether /r/<name> may open an ad-hoc room now (rooms.ad-hoc, or no account exists yet).
  bool adHocRoomsEnabled();

private:
  // The room's owner, or one of the co-hosts the owner named.
  bool isModeratorOf(const RoomRecord& room, std::int64_t accountId);
  std::optional<signaling::ProtocolError> checkPassword(const RoomRecord& room, const signaling::JoinRequest& request,
                                                        const std::string& address);

  // passed in
  Store& store_;
  Sessions& sessions_;
  PasswordHasher& hasher_;
  const AccessSettings& settings_;
  const std::size_t defaultMaxParticipants_;
  // owned
  RateLimiter perRoom_;
  RateLimiter perAddress_;
};

}  // namespace plenum::appliance
