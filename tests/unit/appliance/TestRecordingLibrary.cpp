// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/RecordingLibrary in a temporary data folder: ids are checked for their
// form; remove deletes the final and part files and then the row; a room's recordings go
// before the room (not while one records); retention deletes what expired by a clock the test
// sets, never a recording that is still being written.
#include "appliance/RecordingFiles.hpp"
#include "appliance/RecordingLibrary.hpp"
#include "appliance/SqliteStore.hpp"

#include "StoreRecords.hpp"
#include "TempDataDir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

using namespace plenum::appliance;
namespace fs = std::filesystem;
using S = RecordingState;

namespace {

constexpr std::int64_t kDay = 86400;

void writeFile(const fs::path& path) { std::ofstream(path, std::ios::binary) << "not really an mp4"; }

struct Library {
  Library() {
    settings.retentionDays = 30;
    owner = store.createAccount(test::staffAccount("owner"));
    room = makeRoom("a", "12345678", "tokenA");
    other = makeRoom("b", "22345678", "tokenB");
  }
  RoomRecord makeRoom(const std::string& slug, const std::string& pin, const std::string& token) {
    return store.createRoom(test::roomRecord(owner.id, slug, pin, token));
  }
  // A recording with its final file (and a part file while it records).
  void add(const std::string& id, std::int64_t roomId, std::int64_t stoppedAt, S state) {
    RecordingRecord r = test::recordingRecord(id, roomId, stoppedAt > 0 ? stoppedAt - 60 : 1000, stoppedAt, state);
    r.startedBy = owner.id;
    store.createRecording(r);
    writeFile(state == S::Recording ? partPath(id) : finalPath(id));
  }
  fs::path finalPath(const std::string& id) const { return RecordingFiles::finalPath(dir.path.string(), id); }
  fs::path partPath(const std::string& id) const { return RecordingFiles::partPath(dir.path.string(), id); }

  test::TempDataDir dir;
  SqliteStore store{":memory:"};
  RecordingSettings settings;
  RecordingLibrary library{store, dir.path.string(), settings};
  Account owner;
  RoomRecord room;
  RoomRecord other;
};

}  // namespace

TEST_CASE("recording ids are 16 lowercase hex digits", "[appliance][recordings]") {
  CHECK(RecordingLibrary::isValidId("0123456789abcdef"));
  const std::vector<std::string> bad{"",         "0123456789ABCDEF", "0123456789abcde",       "0123456789abcdef0",
                                    "../x/../../etc0", "0123456789abcdeg", std::string(300, 'a'),
                                    std::string("0123456789abcde\0", 16)};
  for (const std::string& id : bad) {
    CAPTURE(id);
    CHECK_FALSE(RecordingLibrary::isValidId(id));
  }
}

TEST_CASE("the library lists, finds and deletes recordings with their files", "[appliance][recordings]") {
  Library l;
  l.add("00000000000000a1", l.room.id, 5000, S::Ready);
  l.add("00000000000000a2", l.room.id, 0, S::Recording);
  l.add("00000000000000b1", l.other.id, 6000, S::Recovered);

  SECTION("list and find") {
    CHECK(l.library.list(l.room.id).size() == 2);
    CHECK(l.library.find("00000000000000b1")->roomId == l.other.id);
    CHECK_FALSE(l.library.find("../00000000000000b1"));
    CHECK(l.library.filePath(*l.library.find("00000000000000a1")) == l.finalPath("00000000000000a1"));
  }

  SECTION("expiresAt: retention-days after the stop; none while it records") {
    CHECK(l.library.expiresAt(*l.library.find("00000000000000a1")) == 5000 + 30 * kDay);
    CHECK_FALSE(l.library.expiresAt(*l.library.find("00000000000000a2")));
  }

  SECTION("remove deletes the final and the part file, then the row") {
    writeFile(l.partPath("00000000000000a1"));  // left by a repair
    CHECK(l.library.remove("00000000000000a1", RecordingRemoval::Owner));
    CHECK_FALSE(fs::exists(l.finalPath("00000000000000a1")));
    CHECK_FALSE(fs::exists(l.partPath("00000000000000a1")));
    CHECK_FALSE(l.store.recordingById("00000000000000a1"));
    CHECK_FALSE(l.library.remove("00000000000000a1", RecordingRemoval::Owner));
  }

  SECTION("a row whose file is gone is still removed") {
    fs::remove(l.finalPath("00000000000000b1"));
    CHECK(l.library.remove("00000000000000b1", RecordingRemoval::Admin));
    CHECK_FALSE(l.store.recordingById("00000000000000b1"));
  }

  SECTION("a recording that is being written is not removed") {
    CHECK_FALSE(l.library.remove("00000000000000a2", RecordingRemoval::Admin));
    CHECK(fs::exists(l.partPath("00000000000000a2")));
    CHECK(l.store.recordingById("00000000000000a2"));
  }

  SECTION("removeAllOfRoom: refused while one records; then every file and row of that room only") {
    CHECK_FALSE(l.library.removeAllOfRoom(l.room.id));
    CHECK(fs::exists(l.finalPath("00000000000000a1")));
    RecordingRecord running = *l.store.recordingById("00000000000000a2");
    running.state = S::Failed;
    running.stoppedAt = 7000;
    l.store.updateRecording(running);
    CHECK(l.library.removeAllOfRoom(l.room.id));
    CHECK(l.library.list(l.room.id).empty());
    CHECK_FALSE(fs::exists(l.finalPath("00000000000000a1")));
    CHECK_FALSE(fs::exists(l.partPath("00000000000000a2")));
    CHECK(fs::exists(l.finalPath("00000000000000b1")));
    CHECK(l.library.removeAllOfRoom(999));
  }
}

TEST_CASE("retention deletes stopped recordings once they expire, by the clock it is given",
          "[appliance][recordings][retention]") {
  Library l;
  l.add("00000000000000a1", l.room.id, 1000, S::Ready);
  l.add("00000000000000a2", l.room.id, 2000, S::Recovered);
  l.add("00000000000000a3", l.room.id, 3000, S::Failed);
  l.add("00000000000000a4", l.room.id, 4000, S::Processing);
  l.add("00000000000000a5", l.room.id, 0, S::Recording);  // started long ago, still running

  const std::int64_t retention = 30 * kDay;
  CHECK(l.library.sweepExpired(1000 + retention - 1) == 0);
  CHECK(l.library.list(l.room.id).size() == 5);

  CHECK(l.library.sweepExpired(1000 + retention) == 1);  // expiresAt == now: due
  CHECK_FALSE(l.store.recordingById("00000000000000a1"));
  CHECK_FALSE(fs::exists(l.finalPath("00000000000000a1")));

  CHECK(l.library.sweepExpired(4000 + retention) == 3);
  CHECK(l.library.sweepExpired(100 * retention) == 0);
  const auto left = l.library.list(l.room.id);
  REQUIRE(left.size() == 1);
  CHECK(left.front().id == "00000000000000a5");
  CHECK(fs::exists(l.partPath("00000000000000a5")));

  SECTION("a shorter retention applies to what is there") {
    l.settings.retentionDays = 1;
    l.add("00000000000000b1", l.other.id, 10 * kDay, S::Ready);
    CHECK(l.library.sweepExpired(11 * kDay - 1) == 0);
    CHECK(l.library.sweepExpired(11 * kDay) == 1);
  }
}
