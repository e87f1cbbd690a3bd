// SPDX-License-Identifier: EUPL-1.2
#include "appliance/ApiAccess.hpp"

#include "appliance/ApiError.hpp"

namespace plenum::appliance {

using signaling::Action;
using signaling::isAllowed;

signaling::Role roleOf(const ApiExchange& exchange) {
  return exchange.caller ? exchange.caller->role() : signaling::Role::Anonymous;
}

const Caller& require(const ApiExchange& exchange, Action action) {
  if (!isAllowed(roleOf(exchange), action)) {
    if (!exchange.caller) throw ApiError::notLoggedIn();
    throw ApiError::forbidden(std::string("your role may not ") + signaling::toString(action));
  }
  return *exchange.caller;
}

bool mayManage(const ApiExchange& exchange, const RoomRecord& room) {
  const signaling::Role role = roleOf(exchange);
  if (isAllowed(role, Action::ManageAllRooms)) return true;
  return isAllowed(role, Action::ManageOwnRooms) && exchange.caller && exchange.caller->account.id == room.ownerId;
}

RoomRecord manageableRoom(const ApiExchange& exchange, Store& store, std::int64_t id) {
  if (!exchange.caller) throw ApiError::notLoggedIn();
  auto room = store.roomById(id);
  if (!room) throw ApiError::notFound("no such room");
  if (!mayManage(exchange, *room)) throw ApiError::forbidden("this room belongs to someone else");
  return *room;
}

}  // namespace plenum::appliance
