// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The recordings of a room for its owner and admins (Action::ManageRecordings and room
// ownership, like the room itself): the list, the file (ranges, for playing in the page), and
// deleting one. A recording id is checked for its form (RecordingLibrary::isValidId) before
// anything else, so a malformed one never reaches the store or the file system.
#include "appliance/ApiExchange.hpp"
#include "appliance/Services.hpp"

#include <Poco/JSON/Object.h>

#include <string>

namespace plenum::appliance {

class RecordingApi {
public:
  explicit RecordingApi(Services& services) : services_(services) {}
  // GET /api/rooms/{id}/recordings: newest first.
  void list(ApiExchange& exchange, std::int64_t roomId);
  // GET (and HEAD) /api/recordings/{id}/file: the MP4 of a Ready or Recovered recording.
  void file(ApiExchange& exchange, const std::string& id);
  // DELETE /api/recordings/{id}: file and row; not while it records.
  void remove(ApiExchange& exchange, const std::string& id);

private:
  struct Found {
    RecordingRecord recording;
    RoomRecord room;
  };
  // The recording and its room, if the caller's role may manage recordings (403), the id is
  // well-formed and known (404) and the caller may manage its room (403).
  Found manageable(const ApiExchange& exchange, const std::string& id);
  Poco::JSON::Object recordingJson(const RecordingRecord& recording);

  // passed in
  Services& services_;
};

// "<room-slug>-<YYYY-MM-DD-HHMM>.mp4" with the UTC start time (also called by tests).
std::string recordingFileName(const RoomRecord& room, const RecordingRecord& recording);

}  // namespace plenum::appliance
