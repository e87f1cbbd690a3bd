// SPDX-License-Identifier: EUPL-1.2
#pragma once
// /api/rooms: staff manage their persistent rooms, admins every room; the invitation as .ics;
// a new invitation link or phone PIN when the old one leaked; the co-hosts (accounts that
// moderate the room's meetings with its owner).
#include "appliance/ApiExchange.hpp"
#include "appliance/InvitationCalendar.hpp"
#include "appliance/Services.hpp"

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

namespace plenum::appliance {

class RoomApi {
public:
  explicit RoomApi(Services& services) : services_(services) {}
  void list(ApiExchange& exchange);
  void create(ApiExchange& exchange);
  void show(ApiExchange& exchange, std::int64_t id);
  void update(ApiExchange& exchange, std::int64_t id);
  void remove(ApiExchange& exchange, std::int64_t id);
  void invitation(ApiExchange& exchange, std::int64_t id);
  // POST .../invite, .../pin: a fresh invite token or PIN; the old one stops working at once.
  void renewInvite(ApiExchange& exchange, std::int64_t id);
  void renewPin(ApiExchange& exchange, std::int64_t id);

private:
  // The room, if it exists (404) and the caller may manage it (403).
  RoomRecord manageable(const ApiExchange& exchange, std::int64_t id);
  // toJson(room) with its co-hosts' usernames (coHosts) and the server's phone dial-in (dialIn,
  // dialInNumber).
  Poco::JSON::Object roomJson(const RoomRecord& room);
  // sip.enabled and sip.dial-in-number (empty while dial-in is off).
  InvitationDialIn dialIn() const;
  void saveCoHosts(const RoomRecord& room, const std::vector<std::int64_t>& ids, const std::string& by);

  // passed in
  Services& services_;
};

// The meeting an invitation describes, from the query: ?start= (ISO 8601, default the next full
// hour) and ?minutes= (5-1440); ApiError::badField otherwise. (Also called by tests/fuzz.)
InvitationEvent eventFromQuery(const ApiExchange& exchange);

}  // namespace plenum::appliance
