// SPDX-License-Identifier: EUPL-1.2
#include "appliance/RoomApi.hpp"

#include "appliance/ApiAccess.hpp"
#include "appliance/ApiError.hpp"
#include "appliance/ApiJson.hpp"
#include "appliance/InvitationCalendar.hpp"
#include "appliance/JsonBody.hpp"
#include "signaling/LogText.hpp"
#include "signaling/Protocol.hpp"

#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/NumberParser.h>

#include <algorithm>
#include <ctime>
#include <regex>

namespace plenum::appliance {

using signaling::Action;
using Status = ApiError::Status;

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.api"); }

constexpr std::size_t kMaxCoHosts = 50;

std::string titleField(const JsonBody& body) {
  const auto title = signaling::normaliseDisplayName(body.string("title", 512));
  if (!title) throw ApiError::badField("title", "must be 1-64 printable characters");
  return *title;
}

// "" removes the password; otherwise 1-256 bytes, stored as its hash.
std::optional<std::string> passwordHashField(const JsonBody& body, PasswordHasher& hasher) {
  const std::string password = body.string("password", signaling::kMaxPasswordBytes);
  if (password.empty()) return std::nullopt;
  return hasher.hash(password);
}

int maxParticipantsField(const JsonBody& body, int serverLimit) {
  return static_cast<int>(*body.optionalInteger("maxParticipants", 2, serverLimit));
}

// coHosts: the usernames of accounts (staff or admins) that moderate the room's meetings with
// its owner. Each must name an existing account; duplicates and the owner are dropped. Returns
// their ids.
std::vector<std::int64_t> coHostsField(const JsonBody& body, Store& store, std::int64_t ownerId) {
  std::vector<std::int64_t> ids;
  const auto usernames = body.optionalStringList("coHosts", kMaxCoHosts, 256).value_or(std::vector<std::string>{});
  for (const std::string& username : usernames) {
    const auto account = store.accountByUsername(username);
    if (!account) throw ApiError::badField("coHosts", "names no account: " + signaling::logText(username, 64));
    if (account->id == ownerId || std::find(ids.begin(), ids.end(), account->id) != ids.end()) continue;
    ids.push_back(account->id);
  }
  return ids;
}

// A request that takes no fields: no body, or {} (a field such as a wished-for PIN is refused,
// not ignored).
void noFields(const ApiExchange& exchange) {
  if (exchange.hasBody()) JsonBody(exchange.jsonBody(), {});
}

// start: ISO 8601 (e.g. 2025-03-04T09:30:00Z), default the next full hour; minutes: 5-1440.
}  // namespace

InvitationEvent eventFromQuery(const ApiExchange& exchange) {
  InvitationEvent event;
  event.created = static_cast<std::int64_t>(std::time(nullptr));
  event.start = (event.created / 3600 + 1) * 3600;
  if (const auto start = exchange.query("start")) {
    // Poco's parser skips what it does not understand: the shape is checked first.
    static const std::regex iso8601(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))");
    Poco::DateTime parsed;
    int zone = 0;
    if (!std::regex_match(*start, iso8601) ||
        !Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, *start, parsed, zone)) {
      throw ApiError::badField("start", "must be an ISO 8601 date and time, e.g. 2025-03-04T09:30:00Z");
    }
    event.start = parsed.timestamp().epochTime() - zone;
  }
  if (const auto minutes = exchange.query("minutes")) {
    int value = 0;
    if (!Poco::NumberParser::tryParse(*minutes, value) || value < 5 || value > 1440) {
      throw ApiError::badField("minutes", "must be 5-1440");
    }
    event.minutes = value;
  }
  return event;
}

Poco::JSON::Object RoomApi::roomJson(const RoomRecord& room) {
  Poco::JSON::Object o = toJson(room);
  Poco::JSON::Array coHosts;
  for (const std::int64_t id : services_.store->roomCoHosts(room.id)) {
    if (const auto account = services_.store->accountById(id)) coHosts.add(account->username);
  }
  o.set("coHosts", coHosts);
  const InvitationDialIn phone = dialIn();
  o.set("dialIn", phone.enabled);
  o.set("dialInNumber", phone.number);
  return o;
}

InvitationDialIn RoomApi::dialIn() const {
  const SipSettings& sip = services_.settings.sip;
  return {sip.enabled, sip.enabled ? sip.dialInNumber : std::string()};
}

void RoomApi::saveCoHosts(const RoomRecord& room, const std::vector<std::int64_t>& ids, const std::string& by) {
  try {
    services_.store->setRoomCoHosts(room.id, ids);
  } catch (const StoreConflict&) {  // deleted meanwhile
    throw ApiError::badField("coHosts", "names an account that was deleted meanwhile");
  }
  log().information("%s named %z co-host(s) of room %s", by, ids.size(), room.slug);
}

RoomRecord RoomApi::manageable(const ApiExchange& exchange, std::int64_t id) {
  return manageableRoom(exchange, *services_.store, id);
}

void RoomApi::list(ApiExchange& exchange) {
  std::vector<RoomRecord> rooms;
  if (signaling::isAllowed(roleOf(exchange), Action::ManageAllRooms)) {
    rooms = services_.store->rooms();
  } else {
    rooms = services_.store->roomsOwnedBy(require(exchange, Action::ManageOwnRooms).account.id);
  }
  Poco::JSON::Array list;
  for (const RoomRecord& room : rooms) list.add(roomJson(room));
  exchange.sendJson(Status::HTTP_OK, list);
}

void RoomApi::create(ApiExchange& exchange) {
  const Caller& caller = require(exchange, Action::ManageOwnRooms);
  const JsonBody body(exchange.jsonBody(), {"title", "slug", "password", "lobby", "maxParticipants", "coHosts"});
  const int serverLimit = static_cast<int>(services_.settings.conference.maxParticipantsPerRoom);
  RoomRecord room;
  room.title = titleField(body);
  room.slug = body.optionalString("slug", 256).value_or("");
  if (!room.slug.empty() && !signaling::isValidRoomName(room.slug)) {
    throw ApiError::badField("slug", "must be 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  room.lobby = body.optionalBool("lobby").value_or(false);
  room.maxParticipants = body.has("maxParticipants") ? maxParticipantsField(body, serverLimit) : serverLimit;
  room.ownerId = caller.account.id;
  const auto coHosts = body.has("coHosts") ? coHostsField(body, *services_.store, room.ownerId)
                                           : std::vector<std::int64_t>{};
  room.createdAt = static_cast<std::int64_t>(std::time(nullptr));
  // Checked before the (slow) password hash; the store's unique index still decides a race.
  if (!room.slug.empty() && services_.store->roomBySlug(room.slug)) throw ApiError::conflict("the slug is taken");
  if (body.has("password")) room.passwordHash = passwordHashField(body, services_.hasher);
  try {
    room = services_.rooms.create(room);
  } catch (const StoreConflict&) {
    throw ApiError::conflict("the slug is taken");
  }
  log().information("%s created room %s", caller.account.username, room.slug);
  if (!coHosts.empty()) saveCoHosts(room, coHosts, caller.account.username);
  exchange.sendJson(Status::HTTP_CREATED, roomJson(room));
}

void RoomApi::show(ApiExchange& exchange, std::int64_t id) {
  exchange.sendJson(Status::HTTP_OK, roomJson(manageable(exchange, id)));
}

void RoomApi::update(ApiExchange& exchange, std::int64_t id) {
  RoomRecord room = manageable(exchange, id);
  const JsonBody body(exchange.jsonBody(), {"title", "password", "lobby", "maxParticipants", "coHosts"});
  const int serverLimit = static_cast<int>(services_.settings.conference.maxParticipantsPerRoom);
  if (body.has("title")) room.title = titleField(body);
  if (auto lobby = body.optionalBool("lobby")) room.lobby = *lobby;
  if (body.has("maxParticipants")) room.maxParticipants = maxParticipantsField(body, serverLimit);
  const auto coHosts = body.has("coHosts") ? std::optional(coHostsField(body, *services_.store, room.ownerId))
                                           : std::nullopt;
  if (body.has("password")) room.passwordHash = passwordHashField(body, services_.hasher);
  services_.store->updateRoom(room);
  if (coHosts) saveCoHosts(room, *coHosts, exchange.caller->account.username);
  exchange.sendJson(Status::HTTP_OK, roomJson(room));
}

void RoomApi::remove(ApiExchange& exchange, std::int64_t id) {
  const RoomRecord room = manageable(exchange, id);
  // The rows would go with the room, the files would stay: they go first.
  if (!services_.recordings.removeAllOfRoom(room.id)) {
    log().notice("room %s not deleted: a recording of it is running", room.slug);
    throw ApiError(Status::HTTP_CONFLICT, "recording-running", "a recording of this room is running: stop it first");
  }
  services_.store->deleteRoom(room.id);
  log().information("%s deleted room %s", exchange.caller->account.username, room.slug);
  exchange.sendNoContent();
}

void RoomApi::invitation(ApiExchange& exchange, std::int64_t id) {
  const RoomRecord room = manageable(exchange, id);
  const std::string lang = exchange.query("lang").value_or("en");
  if (lang != "de" && lang != "en") throw ApiError::badField("lang", "must be de or en");
  const InvitationEvent event = eventFromQuery(exchange);
  const std::string url = exchange.origin(services_.settings.access.publicUrl) + invitePath(room);
  const Language language = lang == "de" ? Language::German : Language::English;
  exchange.sendAttachment("text/calendar; charset=utf-8", room.slug + ".ics",
                          invitationCalendar(room, url, language, dialIn(), event));
}

void RoomApi::renewInvite(ApiExchange& exchange, std::int64_t id) {
  RoomRecord room = manageable(exchange, id);
  noFields(exchange);
  const auto renewed = services_.rooms.renewInviteToken(std::move(room));
  if (!renewed) throw ApiError::notFound("no such room");
  log().information("%s gave room %s a new invitation link", exchange.caller->account.username, renewed->slug);
  // Re-read: a PIN renewed at the same moment shows too.
  exchange.sendJson(Status::HTTP_OK, roomJson(services_.store->roomById(id).value_or(*renewed)));
}

void RoomApi::renewPin(ApiExchange& exchange, std::int64_t id) {
  RoomRecord room = manageable(exchange, id);
  noFields(exchange);
  const auto renewed = services_.rooms.renewPin(std::move(room));
  if (!renewed) throw ApiError::notFound("no such room");
  log().information("%s gave room %s a new phone PIN", exchange.caller->account.username, renewed->slug);
  exchange.sendJson(Status::HTTP_OK, roomJson(services_.store->roomById(id).value_or(*renewed)));
}

}  // namespace plenum::appliance
