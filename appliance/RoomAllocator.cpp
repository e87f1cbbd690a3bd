// SPDX-License-Identifier: EUPL-1.2
#include "appliance/RoomAllocator.hpp"

#include <map>

namespace plenum::appliance {

RoomAllocator::RoomAllocator(Store& store, Source pins, Source tokens)
    : store_(store), pins_(std::move(pins)), tokens_(std::move(tokens)) {}

RoomRecord RoomAllocator::create(RoomRecord room) {
  const bool chosenSlug = !room.slug.empty();
  const std::string baseSlug = chosenSlug ? room.slug : slugFromTitle(room.title);
  int slugSuffix = 1;
  room.slug = baseSlug;
  room.pin = pins_();
  room.inviteToken = tokens_();
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    try {
      return store_.createRoom(room);
    } catch (const StoreConflict& conflict) {
      if (conflict.field() == "pin") room.pin = pins_();
      else if (conflict.field() == "inviteToken") room.inviteToken = tokens_();
      else if (conflict.field() == "slug" && !chosenSlug) room.slug = baseSlug + "-" + std::to_string(++slugSuffix);
      else throw;
    }
  }
  throw StoreConflict("slug");
}

std::optional<RoomRecord> RoomAllocator::renewInviteToken(RoomRecord room) {
  return renew(std::move(room), &RoomRecord::inviteToken, &Store::setRoomInviteToken, tokens_, "inviteToken");
}

std::optional<RoomRecord> RoomAllocator::renewPin(RoomRecord room) {
  return renew(std::move(room), &RoomRecord::pin, &Store::setRoomPin, pins_, "pin");
}

std::optional<RoomRecord> RoomAllocator::renew(RoomRecord room, std::string RoomRecord::*field, Setter set,
                                               const Source& source, const char* name) {
  const std::string old = room.*field;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    room.*field = source();
    // The old value would "succeed" without a conflict and leave the leaked one working.
    if (room.*field == old) continue;
    try {
      if (!(store_.*set)(room.id, room.*field)) return std::nullopt;
      return room;
    } catch (const StoreConflict& conflict) {
      if (conflict.field() != name) throw;
    }
  }
  throw StoreConflict(name);
}

std::string RoomAllocator::slugFromTitle(const std::string& title) {
  // The German letters a title is likely to hold, as their usual ASCII spelling.
  static const std::map<std::string, std::string> spelled{
      {"\xC3\xA4", "ae"}, {"\xC3\xB6", "oe"}, {"\xC3\xBC", "ue"}, {"\xC3\x84", "ae"},
      {"\xC3\x96", "oe"}, {"\xC3\x9C", "ue"}, {"\xC3\x9F", "ss"}, {"\xC3\xA9", "e"}};
  std::string slug;
  auto addHyphen = [&] {
    if (!slug.empty() && slug.back() != '-') slug += '-';
  };
  for (std::size_t i = 0; i < title.size();) {
    const char c = title[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      slug += c;
      ++i;
    } else if (c >= 'A' && c <= 'Z') {
      slug += static_cast<char>(c - 'A' + 'a');
      ++i;
    } else if (i + 1 < title.size() && spelled.count(title.substr(i, 2))) {
      slug += spelled.at(title.substr(i, 2));
      i += 2;
    } else {
      addHyphen();
      ++i;
    }
  }
  if (slug.size() > 48) slug.resize(48);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  while (!slug.empty() && slug.front() == '-') slug.erase(slug.begin());
  return slug.empty() ? "room" : slug;
}

}  // namespace plenum::appliance
