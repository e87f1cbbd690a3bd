// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Turns a recording's fragmented MP4 (as written while recording, or what a crash left of it)
// into the file users get: the same streams, copied, with the index at the front so that a
// browser plays it while it downloads (ffmpeg -c copy -movflags +faststart). Written under a
// temporary name and renamed when complete; the fragmented file is removed then.
#include <glib.h>

#include <functional>
#include <optional>
#include <string>

namespace plenum::recordings {

struct RemuxResult {
  bool ok = false;
  std::string error;  // when not ok: what ffmpeg said (its last line)
};

// Runs ffmpeg and calls `done` on the calling thread's main context (the conference thread)
// when it has finished; the caller never waits.
void remuxAsync(const std::string& partPath, const std::string& finalPath, std::function<void(RemuxResult)> done);
// The same, waiting (at start-up, for what a crash left).
RemuxResult remuxNow(const std::string& partPath, const std::string& finalPath);

}  // namespace plenum::recordings
