// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where a room's recordings go: a new recording's id and file, and what happens to the file
// once the media has closed it (finalised and listed for the room's owner). plenumd's is
// appliance::RecordingService; tests pass a fake. Called on the conference thread only; an
// implementation never blocks it (the store and ffmpeg work elsewhere).
#include "signaling/Timers.hpp"

#include <cstddef>
#include <string>
#include <variant>

namespace plenum::signaling {

class RecordingArchive {
public:
  struct Recording {
    std::string id;
    std::string partPath;  // the media writes the fragmented MP4 here
  };
  // Why no recording can start now (e.g. too little free disk space): shown to the moderator.
  struct Refusal {
    std::string message;
  };

  virtual ~RecordingArchive() = default;
  // A new recording of the persistent room `roomId` (the store's id), started by the moderator
  // logged in as `accountId`.
  virtual std::variant<Recording, Refusal> begin(const std::string& roomId, const std::string& accountId,
                                                 Timers::WallTime startedAt) = 0;
  // The media has closed the file (`complete`: the muxer saw both streams end). `noticeCount`:
  // how many people were told that the meeting was being recorded.
  virtual void finished(const std::string& id, bool complete, Timers::WallTime stoppedAt, std::size_t noticeCount) = 0;
  // The free disk space has fallen below the limit: recordings stop (rooms ask every few seconds).
  virtual bool diskLow() = 0;
};

}  // namespace plenum::signaling
