// SPDX-License-Identifier: EUPL-1.2
#pragma once
// How accounts and rooms look in the REST API (see openapi.json): never a password hash.
#include "appliance/Store.hpp"

#include <Poco/JSON/Object.h>

namespace plenum::appliance {

// {id, username, displayName, role, disabled}
Poco::JSON::Object toJson(const Account& account);
// {id, slug, title, lobby, hasPassword, maxParticipants, pin, inviteToken, inviteUrl, ownerId}
Poco::JSON::Object toJson(const RoomRecord& room);
// The guest link's path: /j/<token>.
std::string invitePath(const RoomRecord& room);

}  // namespace plenum::appliance
