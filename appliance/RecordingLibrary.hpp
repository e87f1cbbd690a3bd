// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The recordings as their owners, admins and the housekeeping see them: the store's rows plus
// their files in <data>/recordings (RecordingFiles). Lists, finds and deletes them (file first,
// then the row), and deletes those past recordings.retention-days. A recording that is still
// being written (state Recording) belongs to the recorder: nothing here deletes it. Times are
// Unix seconds from the caller, so that tests control the clock. Thread-safe as the store is.
#include "appliance/Settings.hpp"
#include "appliance/Store.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace plenum::appliance {

// Who deleted a recording (for the log line).
enum class RecordingRemoval { Owner, Admin, Retention, RoomDeleted };

class RecordingLibrary {
public:
  RecordingLibrary(Store& store, std::string dataDir, const RecordingSettings& settings)
      : store_(store), dataDir_(std::move(dataDir)), settings_(settings) {}

  // Ids are 16 lowercase hex digits; anything else names no recording (and no file).
  static bool isValidId(const std::string& id);

  // The room's recordings, newest first.
  std::vector<RecordingRecord> list(std::int64_t roomId);
  // nullopt for an unknown or malformed id.
  std::optional<RecordingRecord> find(const std::string& id);
  // Where the finished file of a Ready or Recovered recording is.
  std::filesystem::path filePath(const RecordingRecord& recording) const;
  // When retention deletes it: stoppedAt + retention-days; nullopt while it records.
  std::optional<std::int64_t> expiresAt(const RecordingRecord& recording) const;

  // Deletes the files (final and part), then the row. False when there is no such recording
  // or it is still being written.
  bool remove(const std::string& id, RecordingRemoval by);
  // Before the room is deleted: every recording of it. False (and nothing deleted) while one
  // of them is still being written.
  bool removeAllOfRoom(std::int64_t roomId);
  // Deletes every stopped recording whose expiresAt is at or before `now`; returns how many.
  std::size_t sweepExpired(std::int64_t now);

private:
  void removeFilesAndRow(const RecordingRecord& recording, RecordingRemoval by);

  // passed in
  Store& store_;
  const std::string dataDir_;
  const RecordingSettings& settings_;
};

}  // namespace plenum::appliance
