// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The REST API's permission checks: the role x action table of signaling/Permissions (the same
// one the WebSocket protocol uses) plus room ownership. Nothing else in the API decides who may
// do what.
#include "appliance/ApiExchange.hpp"
#include "appliance/Store.hpp"
#include "signaling/Permissions.hpp"

namespace plenum::appliance {

// Anonymous when nobody is logged in, else Staff or Admin.
signaling::Role roleOf(const ApiExchange& exchange);
// The caller, if their role may do `action`: else 401 (nobody logged in) or 403.
const Caller& require(const ApiExchange& exchange, signaling::Action action);
// Whether the caller may manage this room: every room (ManageAllRooms), or their own
// (ManageOwnRooms and owner).
bool mayManage(const ApiExchange& exchange, const RoomRecord& room);
// The room, if it exists (else 404) and the caller may manage it (else 403; 401 without login).
RoomRecord manageableRoom(const ApiExchange& exchange, Store& store, std::int64_t id);

}  // namespace plenum::appliance
