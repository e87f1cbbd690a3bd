// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Turns a recording's fragmented MP4 (as written while recording, or what a crash left of it)
// into the file users get: the same streams, copied, with the index at the front so that a
// browser plays it while it downloads (ffmpeg -c copy -movflags +faststart). Written under a
// temporary name and renamed when complete; the fragmented file is removed then.
#include <glib.h>

#include <cstdint>
#include <optional>
#include <string>

namespace plenum::recordings {

struct RemuxResult {
  bool ok = false;
  std::string error;  // when not ok: what ffmpeg said (its last line)
};

// Runs ffmpeg and waits for it (on a thread that may wait: appliance::RecordingService's).
RemuxResult remuxNow(const std::string& partPath, const std::string& finalPath);
// "ffmpeg" or "ffprobe" when that program is not on the PATH (the package ffmpeg is missing);
// nothing when both are there.
std::optional<std::string> missingTool();
// The file's duration as ffprobe reads it; nothing when it cannot be read.
std::optional<std::int64_t> durationMsOf(const std::string& path);

}  // namespace plenum::recordings
