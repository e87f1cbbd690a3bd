// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A data folder of its own for a test (with its recordings folder), removed afterwards.
#include "appliance/RecordingFiles.hpp"

#include <filesystem>
#include <random>
#include <string>

namespace plenum::appliance::test {

struct TempDataDir {
  TempDataDir() {
    path = std::filesystem::temp_directory_path() / ("plenum-recordings-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(RecordingFiles::folder(path.string()));
  }
  ~TempDataDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDataDir(const TempDataDir&) = delete;
  TempDataDir& operator=(const TempDataDir&) = delete;
  std::filesystem::path path;
};

}  // namespace plenum::appliance::test
