// SPDX-License-Identifier: EUPL-1.2
#include "signaling/RoomRecording.hpp"

#include "signaling/ServerMessages.hpp"

#include <Poco/Logger.h>

namespace plenum::signaling {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.room"); }
// How often a room that records looks at the free disk space.
constexpr std::chrono::seconds kDiskCheckInterval{5};
}  // namespace

RoomRecording::RoomRecording(std::string room, std::string roomId, RecordingArchive* archive, Timers& timers,
                             Outlets outlets)
    : room_(std::move(room)), roomId_(std::move(roomId)), archive_(archive), timers_(timers),
      outlets_(std::move(outlets)) {}

RoomRecording::~RoomRecording() {
  diskCheck_.reset();
}

std::string RoomRecording::stateMessage() const {
  if (!current_) return server::recordingUpdated({std::nullopt, {}, lastReason_});
  return server::recordingUpdated({current_->startedAt, current_->startedBy, {}});
}

std::optional<ProtocolError> RoomRecording::start(const Starter& starter) {
  if (roomId_.empty()) {
    return ProtocolError{ErrorCode::RecordingUnavailable, "only persistent rooms can be recorded (their owner gets the file)"};
  }
  if (!archive_ || !media_) return ProtocolError{ErrorCode::RecordingUnavailable, "recording is off on this server"};
  if (current_) return ProtocolError{ErrorCode::AlreadyRecording, "the meeting is being recorded already"};
  const auto startedAt = timers_.wallNow();
  auto begun = archive_->begin(roomId_, starter.accountId, startedAt);
  if (const auto* refusal = std::get_if<RecordingArchive::Refusal>(&begun)) {
    log().warning("room %s: recording refused: %s", room_, refusal->message);
    return ProtocolError{ErrorCode::RecordingUnavailable, refusal->message};
  }
  const auto recording = std::get<RecordingArchive::Recording>(begun);
  try {
    media_->startRecording(recording.partPath);
  } catch (const std::exception& e) {
    log().error("room %s: recording %s could not start: %s", room_, recording.id, std::string(e.what()));
    archive_->finished(recording.id, false, timers_.wallNow(), 0);
    return ProtocolError{ErrorCode::Internal, "the recorder could not start"};
  }
  // Everyone present now is told by the message that follows; so is everyone waiting.
  current_ = Current{recording.id, startedAt, starter.name, outlets_.audience()};
  log().information("room %s: recording %s started", room_, recording.id);
  outlets_.tellEveryone(stateMessage());
  armDiskCheck();
  return std::nullopt;
}

std::optional<ProtocolError> RoomRecording::stop() {
  if (!current_) return ProtocolError{ErrorCode::NotRecording, "nothing is being recorded"};
  stopBecause("stopped");
  return std::nullopt;
}

void RoomRecording::stopBecause(const std::string& reason) {
  if (!current_) return;
  diskCheck_.reset();
  const Current ended = *current_;
  current_.reset();
  lastReason_ = reason;
  log().information("room %s: recording %s stopped (%s)", room_, ended.id, reason);
  // The archive outlives every room: the file is finished after the room is gone, too.
  RecordingArchive* archive = archive_;
  const auto stoppedAt = timers_.wallNow();
  media_->stopRecording([archive, ended, stoppedAt](bool complete) {
    archive->finished(ended.id, complete, stoppedAt, ended.noticeCount);
  });
  outlets_.tellEveryone(stateMessage());
}

void RoomRecording::armDiskCheck() {
  diskCheck_ = timers_.after(kDiskCheckInterval, [this] { onDiskCheck(); });
}

void RoomRecording::onDiskCheck() {
  if (!current_) return;
  if (archive_->diskLow()) {
    log().warning("room %s: too little free disk space: recording %s stops", room_, current_->id);
    stopBecause("disk-full");
    return;
  }
  armDiskCheck();
}

}  // namespace plenum::signaling
