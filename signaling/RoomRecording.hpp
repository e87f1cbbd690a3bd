// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A room's recording: started and stopped by moderators (persistent rooms only), announced to
// everyone in the meeting and in the lobby, stopped when the disk runs low, the recorder fails
// or the meeting ends. The media records (RoomMedia::startRecording); the archive names the
// file and finalises it (RecordingArchive). Room checks who may ask; this class keeps the
// state. Conference thread only.
#include "signaling/Protocol.hpp"
#include "signaling/RecordingArchive.hpp"
#include "signaling/RoomMedia.hpp"
#include "signaling/Timers.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace plenum::signaling {

class RoomRecording {
public:
  struct Outlets {
    std::function<void(const std::string& message)> tellEveryone;  // the meeting and its lobby
    std::function<std::size_t()> audience;                        // how many that is now
  };
  // Who asks to start: for the archive (account) and for everyone (display name).
  struct Starter {
    std::string accountId;
    std::string name;
  };

  // `archive` nullptr: recording is off on this server. `roomId`: the store's id of a
  // persistent room; empty for an ad-hoc room (never recorded).
  RoomRecording(std::string room, std::string roomId, RecordingArchive* archive, Timers& timers, Outlets outlets);
  ~RoomRecording();
  RoomRecording(const RoomRecording&) = delete;
  RoomRecording& operator=(const RoomRecording&) = delete;

  // The media to record with (the room's own, set once it exists).
  void setMedia(RoomMedia* media) { media_ = media; }

  bool running() const { return current_.has_value(); }
  // Since when the running recording runs (nullopt when none runs).
  std::optional<Timers::WallTime> startedAt() const {
    return current_ ? std::optional(current_->startedAt) : std::nullopt;
  }
  // recording-updated as a newcomer (in the meeting or the lobby) needs it.
  std::string stateMessage() const;
  // Someone else was told of the running recording (a consenting join).
  void counted() {
    if (current_) ++current_->noticeCount;
  }

  std::optional<ProtocolError> start(const Starter& starter);
  std::optional<ProtocolError> stop();
  // The recorder failed, or the meeting ends (the room closes): stop with this reason.
  void stopBecause(const std::string& reason);

private:
  struct Current {
    std::string id;
    Timers::WallTime startedAt;
    std::string startedBy;
    std::size_t noticeCount = 0;
  };

  void armDiskCheck();
  void onDiskCheck();

  // passed in
  const std::string room_;
  const std::string roomId_;
  RecordingArchive* archive_;
  Timers& timers_;
  Outlets outlets_;
  RoomMedia* media_ = nullptr;
  // owned
  std::optional<Current> current_;
  std::string lastReason_;  // why the last recording stopped (for newcomers: empty when none ran)
  std::unique_ptr<Timers::Timer> diskCheck_;
};

}  // namespace plenum::signaling
