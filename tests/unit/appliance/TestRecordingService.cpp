// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/RecordingService with a real store in memory, a temporary data folder and
// Debian's ffmpeg (the recorder's fragmented file is made with it): a begun recording gets a row
// and a part file name; when it has finished, the file users get is ready with its duration and
// size; what a crash left is recovered; one deleted while it ran leaves no file; shutdown waits
// for the recordings still open; refusals when recording is off or the disk is (nearly) full.
#include "appliance/RecordingFiles.hpp"
#include "appliance/RecordingService.hpp"
#include "appliance/SqliteStore.hpp"

#include "StoreRecords.hpp"
#include "TempDataDir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <limits>

using namespace plenum::appliance;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A 2 s fragmented MP4 (H.264 + AAC), as the recorder writes while it records.
void writeFragmentedMp4(const fs::path& path) {
  const std::string command =
      "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=d=2:s=160x120:r=10 -f lavfi -i sine=d=2 "
      "-c:v libx264 -g 10 -pix_fmt yuv420p -c:a aac -f mp4 -movflags frag_keyframe+empty_moov '" +
      path.string() + "'";
  REQUIRE(std::system(command.c_str()) == 0);
}

struct Service {
  explicit Service(RecordingSettings settings = {}) : service(store, dir.path.string(), settings) {
    owner = store.createAccount(test::staffAccount("owner"));
    room = store.createRoom(test::roomRecord(owner.id, "rat", "12345678", "tokenA"));
  }
  fs::path finalPath(const std::string& id) const { return RecordingFiles::finalPath(dir.path.string(), id); }

  test::TempDataDir dir;
  SqliteStore store{":memory:"};
  RecordingService service;
  Account owner;
  RoomRecord room;
};

RecordingService::Recording begun(Service& s) {
  auto result = s.service.begin(std::to_string(s.room.id), std::to_string(s.owner.id), std::chrono::system_clock::now());
  REQUIRE(std::holds_alternative<RecordingService::Recording>(result));
  return std::get<RecordingService::Recording>(result);
}

}  // namespace

TEST_CASE("a recording: begun, written, finished, then ready with its length and size", "[appliance][recordings]") {
  Service s;
  const auto recording = begun(s);
  CHECK(fs::path(recording.partPath).parent_path() == RecordingFiles::folder(s.dir.path.string()));
  s.service.drain();
  REQUIRE(s.store.recordingById(recording.id));
  CHECK(s.store.recordingById(recording.id)->state == RecordingState::Recording);
  CHECK_FALSE(s.service.awaitClosed(10ms));  // still open

  writeFragmentedMp4(recording.partPath);
  s.service.finished(recording.id, true, std::chrono::system_clock::now(), 3);
  CHECK(s.service.awaitClosed(10ms));
  s.service.drain();
  const auto row = s.store.recordingById(recording.id);
  REQUIRE(row);
  CHECK(row->state == RecordingState::Ready);
  CHECK(row->durationMs >= 1500);
  CHECK(row->durationMs <= 2500);
  CHECK(row->noticeCount == 3);
  CHECK(row->bytes == static_cast<std::int64_t>(fs::file_size(s.finalPath(recording.id))));
  CHECK_FALSE(fs::exists(recording.partPath));
}

TEST_CASE("a recording interrupted by a crash is repaired at the next start and listed as recovered",
          "[appliance][recordings]") {
  Service s;
  const auto recording = begun(s);
  s.service.drain();
  writeFragmentedMp4(recording.partPath);
  // The next start: the row still says recording.
  s.service.recoverInterrupted();
  s.service.drain();
  const auto row = s.store.recordingById(recording.id);
  REQUIRE(row);
  CHECK(row->state == RecordingState::Recovered);
  CHECK(row->stoppedAt > 0);
  CHECK(row->durationMs >= 1500);
  CHECK(fs::exists(s.finalPath(recording.id)));
}

TEST_CASE("a recording deleted while it ran (with its room) leaves no file", "[appliance][recordings]") {
  Service s;
  const auto recording = begun(s);
  s.service.drain();
  writeFragmentedMp4(recording.partPath);
  REQUIRE(s.store.deleteRecording(recording.id));
  s.service.finished(recording.id, true, std::chrono::system_clock::now(), 1);
  s.service.drain();
  CHECK_FALSE(fs::exists(recording.partPath));
  CHECK_FALSE(fs::exists(s.finalPath(recording.id)));
}

TEST_CASE("nothing usable recorded: the recording is failed and no file is left", "[appliance][recordings]") {
  Service s;
  const auto recording = begun(s);
  s.service.finished(recording.id, false, std::chrono::system_clock::now(), 1);  // no file at all
  s.service.drain();
  CHECK(s.store.recordingById(recording.id)->state == RecordingState::Failed);
  CHECK_FALSE(fs::exists(s.finalPath(recording.id)));
}

TEST_CASE("recording refused when off or when the disk is nearly full", "[appliance][recordings]") {
  RecordingSettings off;
  off.enabled = false;
  Service disabled(off);
  auto refused = disabled.service.begin(std::to_string(disabled.room.id), "", std::chrono::system_clock::now());
  REQUIRE(std::holds_alternative<RecordingService::Refusal>(refused));
  CHECK(std::get<RecordingService::Refusal>(refused).message == "recording is off on this server");

  RecordingSettings full;
  full.minFreeMb = std::numeric_limits<int>::max();
  Service nearlyFull(full);
  CHECK(nearlyFull.service.diskLow());
  refused = nearlyFull.service.begin(std::to_string(nearlyFull.room.id), "", std::chrono::system_clock::now());
  REQUIRE(std::holds_alternative<RecordingService::Refusal>(refused));
  CHECK(std::get<RecordingService::Refusal>(refused).message == "too little free disk space to record");
  nearlyFull.service.drain();
  CHECK(nearlyFull.store.recordingsOfRoom(nearlyFull.room.id).empty());
  CHECK(nearlyFull.service.awaitClosed(10ms));
}
