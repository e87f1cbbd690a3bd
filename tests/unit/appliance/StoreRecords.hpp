// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Records for store tests: a staff account with a made-up password hash, a room, a recording.
#include "appliance/Store.hpp"

#include <string>

namespace plenum::appliance::test {

inline Account staffAccount(const std::string& username) {
  Account a;
  a.username = username;
  a.displayName = "Name of " + username;
  a.passwordHash = "$argon2id$hash";
  a.createdAt = 1000;
  return a;
}

inline RoomRecord roomRecord(std::int64_t owner, const std::string& slug, const std::string& pin,
                             const std::string& token) {
  RoomRecord r;
  r.slug = slug;
  r.title = "Title " + slug;
  r.ownerId = owner;
  r.maxParticipants = 10;
  r.pin = pin;
  r.inviteToken = token;
  return r;
}

// stoppedAt 0: still recording.
inline RecordingRecord recordingRecord(const std::string& id, std::int64_t roomId, std::int64_t startedAt,
                                       std::int64_t stoppedAt, RecordingState state) {
  RecordingRecord r;
  r.id = id;
  r.roomId = roomId;
  r.startedBy = 1;
  r.startedAt = startedAt;
  r.stoppedAt = stoppedAt;
  r.state = state;
  return r;
}

}  // namespace plenum::appliance::test
