// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/RecordingRetention: its first sweep runs at once (start-up), by the real
// clock, and destroying it stops the timer.
#include "appliance/RecordingRetention.hpp"
#include "appliance/SqliteStore.hpp"

#include "StoreRecords.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <thread>

using namespace plenum::appliance;

TEST_CASE("retention sweeps at start-up and stops when destroyed", "[appliance][recordings][retention]") {
  SqliteStore store(":memory:");
  RecordingSettings settings;  // 30 days
  // No files in this data folder: removing a missing file is fine.
  RecordingLibrary library(store, "/nonexistent-plenum-data", settings);
  const Account owner = store.createAccount(test::staffAccount("owner"));
  const RoomRecord room = store.createRoom(test::roomRecord(owner.id, "a", "12345678", "tokenA"));
  store.createRecording(test::recordingRecord("00000000000000a1", room.id, 1000, 2000, RecordingState::Ready));
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  store.createRecording(test::recordingRecord("00000000000000a2", room.id, now - 60, now, RecordingState::Ready));

  {
    RecordingRetention retention(library, std::chrono::hours(1));
    for (int i = 0; i < 200 && store.recordingById("00000000000000a1"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  CHECK_FALSE(store.recordingById("00000000000000a1"));  // stopped in 1970: long expired
  CHECK(store.recordingById("00000000000000a2"));        // stopped now: 30 days to go
}
