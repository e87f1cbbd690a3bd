// SPDX-License-Identifier: EUPL-1.2
#include "appliance/ApiJson.hpp"

namespace plenum::appliance {

Poco::JSON::Object toJson(const Account& account) {
  Poco::JSON::Object o;
  o.set("id", account.id);
  o.set("username", account.username);
  o.set("displayName", account.displayName);
  o.set("role", toString(account.role));
  o.set("disabled", account.disabled);
  return o;
}

std::string invitePath(const RoomRecord& room) { return "/j/" + room.inviteToken; }

Poco::JSON::Object toJson(const RoomRecord& room) {
  Poco::JSON::Object o;
  o.set("id", room.id);
  o.set("slug", room.slug);
  o.set("title", room.title);
  o.set("lobby", room.lobby);
  o.set("hasPassword", room.passwordHash.has_value());
  o.set("maxParticipants", room.maxParticipants);
  o.set("pin", room.pin);
  o.set("inviteToken", room.inviteToken);
  o.set("inviteUrl", invitePath(room));
  o.set("ownerId", room.ownerId);
  return o;
}

}  // namespace plenum::appliance
