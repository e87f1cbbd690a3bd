// SPDX-License-Identifier: EUPL-1.2
#include "appliance/RecordingLibrary.hpp"

#include "appliance/RecordingFiles.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <system_error>

namespace plenum::appliance {

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.recordings"); }

constexpr std::int64_t kSecondsPerDay = 86400;

const char* toString(RecordingRemoval by) {
  switch (by) {
    case RecordingRemoval::Owner: return "owner";
    case RecordingRemoval::Admin: return "admin";
    case RecordingRemoval::Retention: return "retention";
    case RecordingRemoval::RoomDeleted: return "room deleted";
  }
  return "owner";
}

// A file that is not there is fine (Failed recordings keep none); any other error is logged
// and the row goes anyway, so that a broken file does not keep a recording listed forever.
void removeFile(const std::filesystem::path& path, const std::string& id) {
  std::error_code error;
  std::filesystem::remove(path, error);
  if (error) log().error("recording %s: cannot delete its file %s: %s", id, path.filename().string(), error.message());
}

}  // namespace

bool RecordingLibrary::isValidId(const std::string& id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::vector<RecordingRecord> RecordingLibrary::list(std::int64_t roomId) { return store_.recordingsOfRoom(roomId); }

std::optional<RecordingRecord> RecordingLibrary::find(const std::string& id) {
  if (!isValidId(id)) return std::nullopt;
  return store_.recordingById(id);
}

std::filesystem::path RecordingLibrary::filePath(const RecordingRecord& recording) const {
  return RecordingFiles::finalPath(dataDir_, recording.id);
}

std::optional<std::int64_t> RecordingLibrary::expiresAt(const RecordingRecord& recording) const {
  if (recording.state == RecordingState::Recording) return std::nullopt;
  // A stopped row without a stop time (written by a repair that could not tell) counts from
  // its start: it must not escape retention.
  const std::int64_t stopped = std::max(recording.stoppedAt, recording.startedAt);
  return stopped + static_cast<std::int64_t>(settings_.retentionDays) * kSecondsPerDay;
}

void RecordingLibrary::removeFilesAndRow(const RecordingRecord& recording, RecordingRemoval by) {
  removeFile(RecordingFiles::finalPath(dataDir_, recording.id), recording.id);
  removeFile(RecordingFiles::partPath(dataDir_, recording.id), recording.id);
  store_.deleteRecording(recording.id);
  log().information("recording %s deleted (by %s)", recording.id, std::string(toString(by)));
}

bool RecordingLibrary::remove(const std::string& id, RecordingRemoval by) {
  const auto recording = find(id);
  if (!recording || recording->state == RecordingState::Recording) return false;
  removeFilesAndRow(*recording, by);
  return true;
}

bool RecordingLibrary::removeAllOfRoom(std::int64_t roomId) {
  const auto recordings = list(roomId);
  const bool running = std::any_of(recordings.begin(), recordings.end(),
                                   [](const RecordingRecord& r) { return r.state == RecordingState::Recording; });
  if (running) return false;
  for (const RecordingRecord& recording : recordings) removeFilesAndRow(recording, RecordingRemoval::RoomDeleted);
  return true;
}

std::size_t RecordingLibrary::sweepExpired(std::int64_t now) {
  const std::int64_t retention = static_cast<std::int64_t>(settings_.retentionDays) * kSecondsPerDay;
  std::size_t removed = 0;
  // The query narrows the candidates; expiresAt decides (the same rule the API shows).
  for (const RecordingRecord& recording : store_.recordingsStoppedBefore(now - retention + 1)) {
    const auto expires = expiresAt(recording);
    if (!expires || *expires > now) continue;
    removeFilesAndRow(recording, RecordingRemoval::Retention);
    ++removed;
  }
  return removed;
}

}  // namespace plenum::appliance
