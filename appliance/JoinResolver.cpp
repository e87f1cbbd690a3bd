// SPDX-License-Identifier: EUPL-1.2
#include "appliance/JoinResolver.hpp"

#include "appliance/Cookies.hpp"
#include "appliance/Secrets.hpp"

#include <algorithm>

namespace plenum::appliance {

using signaling::ErrorCode;
using signaling::JoinContext;
using signaling::ProtocolError;

JoinResolver::JoinResolver(Store& store, Sessions& sessions, PasswordHasher& hasher, const AccessSettings& settings,
                           std::size_t defaultMaxParticipants)
    : store_(store),
      sessions_(sessions),
      hasher_(hasher),
      settings_(settings),
      defaultMaxParticipants_(defaultMaxParticipants),
      perRoom_(settings.attemptsPerRoom, std::chrono::seconds(settings.attemptWindowSeconds),
               &std::chrono::steady_clock::now, RateLimiter::WhenFull::RefuseKnownSources),
      perAddress_(settings.attemptsPerAddress, std::chrono::seconds(settings.attemptWindowSeconds)) {}

bool JoinResolver::adHocRoomsEnabled() { return settings_.adHocRooms.value_or(store_.accountCount() == 0); }

std::variant<JoinContext, ProtocolError> JoinResolver::resolve(const Joiner& joiner, signaling::JoinRequest& request) {
  JoinContext context;
  const auto caller = sessions_.recognise(joiner.sessionCookie);
  if (caller) context.accountId = std::to_string(caller->account.id);
  context.linkSession = isValidGuestId(joiner.guestCookie) ? joiner.guestCookie : randomToken();

  // One answer for a persistent room entered by name without the right to, and for a name no
  // room has: the error must not tell which slugs exist.
  const ProtocolError inviteRequired{ErrorCode::InviteRequired, "this room is entered by its invitation link"};
  std::optional<RoomRecord> room;
  if (request.invite) {
    room = store_.roomByInviteToken(*request.invite);
    if (!room) return ProtocolError{ErrorCode::NoSuchRoom, "this invitation link is not valid (any more)"};
  } else {
    room = store_.roomBySlug(request.room);
  }

  if (!room) {
    if (!adHocRoomsEnabled()) return inviteRequired;
    // An ad-hoc room belongs to nobody: anyone logged in moderates it (as does the first in it).
    if (caller) context.role = signaling::Role::Moderator;
    context.policy.slug = request.room;
    context.policy.title = request.room;
    context.policy.maxParticipants = defaultMaxParticipants_;
    return context;
  }

  // A persistent room is moderated by its owner and the co-hosts the owner named; everyone
  // else, other staff and admins included, enters as a guest: by the invitation link only,
  // with the room's password, through its lobby.
  if (caller && isModeratorOf(*room, caller->account.id)) {
    context.role = signaling::Role::Moderator;
  } else {
    context.role = signaling::Role::Guest;
    if (!request.invite) return inviteRequired;
    if (auto error = checkPassword(*room, request, joiner.address)) return *error;
  }
  request.room = room->slug;
  context.policy = roomPolicyOf(*room);
  return context;
}

signaling::RoomPolicy roomPolicyOf(const RoomRecord& room) {
  signaling::RoomPolicy policy;
  policy.slug = room.slug;
  policy.title = room.title;
  policy.persistent = true;
  policy.lobby = room.lobby;
  policy.maxParticipants = static_cast<std::size_t>(room.maxParticipants);
  policy.ownerAccountId = std::to_string(room.ownerId);
  policy.roomId = std::to_string(room.id);
  return policy;
}

bool JoinResolver::isModeratorOf(const RoomRecord& room, std::int64_t accountId) {
  if (room.ownerId == accountId) return true;
  const auto coHosts = store_.roomCoHosts(room.id);
  return std::find(coHosts.begin(), coHosts.end(), accountId) != coHosts.end();
}

std::optional<ProtocolError> JoinResolver::checkPassword(const RoomRecord& room, const signaling::JoinRequest& request,
                                                         const std::string& address) {
  if (!room.passwordHash) return std::nullopt;
  if (!request.password || request.password->empty()) {
    return ProtocolError{ErrorCode::PasswordRequired, "this room needs its password"};
  }
  const std::string roomKey = std::to_string(room.id);
  const std::string addressKey = clientAddressKey(address);
  // Counted before the (slow) check, so that parallel guesses cannot all pass (as for logins:
  // someone's wrong guesses refuse their own address, not the guests who arrive after them).
  int wait = perAddress_.reserve(addressKey, roomKey);
  if (wait == 0) {
    wait = perRoom_.reserve(roomKey, addressKey);
    if (wait > 0) perAddress_.release(addressKey, roomKey);
  }
  if (wait > 0) {
    return ProtocolError{ErrorCode::RateLimited,
                         "too many wrong passwords: try again in " + std::to_string(wait) + " s",
                         static_cast<unsigned>(wait)};
  }
  if (!hasher_.verify(*room.passwordHash, *request.password)) {
    return ProtocolError{ErrorCode::WrongPassword, "the room password is wrong"};  // stays counted
  }
  perAddress_.release(addressKey, roomKey);
  perRoom_.forgetSource(roomKey, addressKey);
  return std::nullopt;
}

}  // namespace plenum::appliance
