// SPDX-License-Identifier: EUPL-1.2
#include "appliance/RecordingApi.hpp"

#include "appliance/ApiAccess.hpp"
#include "appliance/ApiError.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <filesystem>

namespace plenum::appliance {

using signaling::Action;
using Status = ApiError::Status;

namespace {

// By ids only: no names, no addresses (a recording's log lines are about the file).
Poco::Logger& log() { return Poco::Logger::get("plenum.recordings"); }

std::string utc(std::int64_t unixSeconds, const std::string& format) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(unixSeconds)),
                                         format);
}

ApiError noSuchRecording() { return ApiError::notFound("no such recording"); }

}  // namespace

std::string recordingFileName(const RoomRecord& room, const RecordingRecord& recording) {
  return room.slug + "-" + utc(recording.startedAt, "%Y-%m-%d-%H%M") + ".mp4";
}

Poco::JSON::Object RecordingApi::recordingJson(const RecordingRecord& recording) {
  Poco::JSON::Object o;
  o.set("id", recording.id);
  o.set("startedAt", utc(recording.startedAt, Poco::DateTimeFormat::ISO8601_FORMAT));
  o.set("durationSeconds", static_cast<double>(recording.durationMs) / 1000.0);
  o.set("bytes", recording.bytes);
  o.set("state", toString(recording.state));
  const auto expires = services_.recordings.expiresAt(recording);
  o.set("expiresAt", expires ? Poco::Dynamic::Var(utc(*expires, Poco::DateTimeFormat::ISO8601_FORMAT))
                             : Poco::Dynamic::Var());
  return o;
}

RecordingApi::Found RecordingApi::manageable(const ApiExchange& exchange, const std::string& id) {
  const Caller& caller = require(exchange, Action::ManageRecordings);
  if (!RecordingLibrary::isValidId(id)) {
    log().notice("recording request of account %Ld refused: the id is not 16 hex digits", caller.account.id);
    throw noSuchRecording();
  }
  const auto recording = services_.recordings.find(id);
  const auto room = recording ? services_.store->roomById(recording->roomId) : std::nullopt;
  if (!recording || !room) {
    log().notice("recording %s: no such recording (asked by account %Ld)", id, caller.account.id);
    throw noSuchRecording();
  }
  if (!mayManage(exchange, *room)) {
    log().notice("recording %s: account %Ld may not manage it", id, caller.account.id);
    throw ApiError::forbidden("this recording belongs to someone else's room");
  }
  return {*recording, *room};
}

void RecordingApi::list(ApiExchange& exchange, std::int64_t roomId) {
  require(exchange, Action::ManageRecordings);
  const RoomRecord room = manageableRoom(exchange, *services_.store, roomId);
  Poco::JSON::Array recordings;
  for (const RecordingRecord& recording : services_.recordings.list(room.id)) recordings.add(recordingJson(recording));
  Poco::JSON::Object body;
  body.set("recordings", recordings);
  exchange.sendJson(Status::HTTP_OK, body);
}

void RecordingApi::file(ApiExchange& exchange, const std::string& id) {
  const auto [recording, room] = manageable(exchange, id);
  switch (recording.state) {
    case RecordingState::Recording:
    case RecordingState::Processing:
      log().notice("recording %s: file asked for while %s", id, std::string(toString(recording.state)));
      throw ApiError(Status::HTTP_CONFLICT, "not-ready", "the recording is not finished yet");
    case RecordingState::Failed:
      log().notice("recording %s: file asked for, but it failed (no file)", id);
      throw ApiError::notFound("this recording failed: there is no file");
    case RecordingState::Ready:
    case RecordingState::Recovered: break;
  }
  const std::filesystem::path path = services_.recordings.filePath(recording);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    log().error("recording %s: its file %s is missing", id, path.filename().string());
    throw ApiError::notFound("the recording's file is missing");
  }
  exchange.sendFile(path, "video/mp4", recordingFileName(room, recording));
}

void RecordingApi::remove(ApiExchange& exchange, const std::string& id) {
  const auto [recording, room] = manageable(exchange, id);
  if (recording.state == RecordingState::Recording) {
    log().notice("recording %s: not deleted, it is running", id);
    throw ApiError(Status::HTTP_CONFLICT, "recording-running", "the recording is running: stop it first");
  }
  const bool owner = exchange.caller->account.id == room.ownerId;
  // Removed meanwhile (retention, another tab): gone either way.
  if (!services_.recordings.remove(id, owner ? RecordingRemoval::Owner : RecordingRemoval::Admin)) {
    throw noSuchRecording();
  }
  exchange.sendNoContent();
}

}  // namespace plenum::appliance
