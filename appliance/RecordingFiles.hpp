// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where a recording's file is: <data>/recordings/<id>.mp4 once finalised, <id>.part.mp4 while
// it is written (fragmented MP4: what a crash leaves is repaired from it at start-up).
#include <filesystem>
#include <string>

namespace plenum::appliance::RecordingFiles {

inline std::filesystem::path folder(const std::string& dataDir) { return std::filesystem::path(dataDir) / "recordings"; }
inline std::filesystem::path finalPath(const std::string& dataDir, const std::string& id) {
  return folder(dataDir) / (id + ".mp4");
}
inline std::filesystem::path partPath(const std::string& dataDir, const std::string& id) {
  return folder(dataDir) / (id + ".part.mp4");
}

}  // namespace plenum::appliance::RecordingFiles
