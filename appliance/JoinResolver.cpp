// SPDX-License-Identifier: EUPL-1.2
#include "appliance/JoinResolver.hpp"

#include "appliance/Cookies.hpp"
#include "appliance/Secrets.hpp"

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
  if (caller) {
    context.role = signaling::Role::Moderator;
    context.accountId = std::to_string(caller->account.id);
  }
  context.linkSession = isValidGuestId(joiner.guestCookie) ? joiner.guestCookie : randomToken();

  std::optional<RoomRecord> room;
  if (request.invite) {
    room = store_.roomByInviteToken(*request.invite);
    if (!room) return ProtocolError{ErrorCode::NoSuchRoom, "this invitation link is not valid (any more)"};
  } else {
    room = store_.roomBySlug(request.room);
    if (room && !caller) return ProtocolError{ErrorCode::InviteRequired, "this room is entered by its invitation link"};
  }

  if (!room) {
    if (!adHocRoomsEnabled()) return ProtocolError{ErrorCode::NoSuchRoom, "there is no room of this name"};
    context.policy.slug = request.room;
    context.policy.title = request.room;
    context.policy.maxParticipants = defaultMaxParticipants_;
    return context;
  }

  if (!caller) {
    if (auto error = checkPassword(*room, request, joiner.address)) return *error;
  }
  request.room = room->slug;
  context.policy.slug = room->slug;
  context.policy.title = room->title;
  context.policy.persistent = true;
  context.policy.lobby = room->lobby;
  context.policy.maxParticipants = static_cast<std::size_t>(room->maxParticipants);
  context.policy.ownerAccountId = std::to_string(room->ownerId);
  return context;
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
