// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Gives a new persistent room what must be unique: its phone PIN, its invite token and (when
// the creator chose none) a slug made from its title; and gives a stored room a new PIN or
// invite token when the old one must stop working. Random values are drawn again when the
// store reports a collision, so two rooms never share a PIN however many there are.
#include "appliance/Store.hpp"

#include <functional>
#include <optional>
#include <string>

namespace plenum::appliance {

class RoomAllocator {
public:
  using Source = std::function<std::string()>;
  static constexpr int kMaxAttempts = 50;

  // `pins` and `tokens` draw a fresh value each call (tests pass sources that collide).
  RoomAllocator(Store& store, Source pins, Source tokens);

  // Stores `room` with a new PIN and invite token; an empty slug is made from the title.
  // Throws StoreConflict("slug") when a slug the caller chose is taken, or when every attempt
  // collided.
  RoomRecord create(RoomRecord room);

  // Stores a fresh invite token (or PIN) for the stored `room` and returns the room with it
  // (nullopt when the room was deleted meanwhile); the old value no longer resolves. A drawn
  // value equal to the old one is drawn again. Throws StoreConflict when every attempt collided.
  std::optional<RoomRecord> renewInviteToken(RoomRecord room);
  std::optional<RoomRecord> renewPin(RoomRecord room);

  // "Bürgersprechstunde Bauamt" -> "buergersprechstunde-bauamt": lower-case ASCII letters,
  // digits and single hyphens, at most 48 characters; "room" when nothing is left.
  static std::string slugFromTitle(const std::string& title);

private:
  using Setter = bool (Store::*)(std::int64_t, const std::string&);
  // Draws `field` of the room from `source` until the store takes it (not the old value).
  std::optional<RoomRecord> renew(RoomRecord room, std::string RoomRecord::*field, Setter set, const Source& source,
                                  const char* name);

  // passed in
  Store& store_;
  Source pins_;
  Source tokens_;
};

}  // namespace plenum::appliance
