// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/SqliteStore: every write path (accounts, rooms, sessions), the unique
// rules reported as StoreConflict with the field's name, case-insensitive usernames and slugs.
#include "appliance/SqliteStore.hpp"

#include "StoreRecords.hpp"

#include <catch2/catch.hpp>

#include <functional>

using namespace plenum::appliance;

namespace {
Account staff(const std::string& username) { return test::staffAccount(username); }

RoomRecord room(std::int64_t owner, const std::string& slug, const std::string& pin, const std::string& token) {
  return test::roomRecord(owner, slug, pin, token);
}
}  // namespace

TEST_CASE("accounts: create, find, update", "[appliance][store]") {
  SqliteStore store(":memory:");
  CHECK(store.accountCount() == 0);
  const Account anna = store.createAccount(staff("anna"));
  Account admin = staff("Root");
  admin.role = AccountRole::Admin;
  admin = store.createAccount(admin);
  CHECK(anna.id > 0);
  CHECK(admin.id != anna.id);
  CHECK(store.accountCount() == 2);

  const auto found = store.accountByUsername("ROOT");  // case-insensitive
  REQUIRE(found);
  CHECK(found->id == admin.id);
  CHECK(found->role == AccountRole::Admin);
  CHECK(found->displayName == "Name of Root");
  CHECK_FALSE(store.accountByUsername("nobody"));
  CHECK_FALSE(store.accountById(999));

  const auto all = store.accounts();
  REQUIRE(all.size() == 2);
  CHECK(all[0].username == "anna");  // ordered by username, case-insensitively
  CHECK(all[1].username == "Root");

  SECTION("a taken username is a conflict, whatever its case") {
    try {
      store.createAccount(staff("ANNA"));
      FAIL("no conflict");
    } catch (const StoreConflict& e) {
      CHECK(e.field() == "username");
    }
    CHECK(store.accountCount() == 2);
  }

  SECTION("update writes display name, password hash and disabled") {
    Account changed = *store.accountById(anna.id);
    changed.displayName = "Anna A.";
    changed.passwordHash = "$argon2id$new";
    changed.disabled = true;
    changed.username = "ignored";
    store.updateAccount(changed);
    const Account read = *store.accountById(anna.id);
    CHECK(read.displayName == "Anna A.");
    CHECK(read.passwordHash == "$argon2id$new");
    CHECK(read.disabled);
    CHECK(read.username == "anna");
  }
}

TEST_CASE("rooms: create, find by id, slug and invite, update, delete", "[appliance][store]") {
  SqliteStore store(":memory:");
  const auto anna = store.createAccount(staff("anna"));
  const auto bert = store.createAccount(staff("bert"));
  RoomRecord first = room(anna.id, "Team", "12345678", "tokenA");
  first.passwordHash = "$argon2id$room";
  first = store.createRoom(first);
  const RoomRecord second = store.createRoom(room(bert.id, "other", "23456789", "tokenB"));

  CHECK(store.roomById(first.id)->slug == "Team");
  CHECK(store.roomBySlug("team")->id == first.id);  // case-insensitive
  CHECK(store.roomByInviteToken("tokenB")->id == second.id);
  CHECK_FALSE(store.roomByInviteToken("TOKENB"));  // tokens are exact
  CHECK(store.roomById(first.id)->passwordHash == std::optional<std::string>("$argon2id$room"));
  CHECK_FALSE(store.roomById(second.id)->passwordHash);
  CHECK(store.rooms().size() == 2);
  REQUIRE(store.roomsOwnedBy(anna.id).size() == 1);
  CHECK(store.roomsOwnedBy(anna.id)[0].id == first.id);

  SECTION("slug, PIN and invite token are unique") {
    const std::pair<RoomRecord, std::string> cases[] = {
        {room(anna.id, "TEAM", "99999999", "t1"), "slug"},
        {room(anna.id, "new1", "12345678", "t2"), "pin"},
        {room(anna.id, "new2", "99999998", "tokenA"), "inviteToken"},
    };
    for (const auto& [record, field] : cases) {
      try {
        store.createRoom(record);
        FAIL("no conflict for " << field);
      } catch (const StoreConflict& e) {
        CHECK(e.field() == field);
      }
    }
    CHECK(store.rooms().size() == 2);
  }

  SECTION("update writes title, password, lobby and limit only") {
    RoomRecord changed = first;
    changed.title = "New title";
    changed.passwordHash.reset();
    changed.lobby = true;
    changed.maxParticipants = 5;
    changed.pin = "00000000";
    store.updateRoom(changed);
    const RoomRecord read = *store.roomById(first.id);
    CHECK(read.title == "New title");
    CHECK_FALSE(read.passwordHash);
    CHECK(read.lobby);
    CHECK(read.maxParticipants == 5);
    CHECK(read.pin == "12345678");
  }

  SECTION("PIN and invite token are written one at a time, and stay unique") {
    CHECK(store.setRoomPin(first.id, "87654321"));
    CHECK(store.setRoomInviteToken(first.id, "tokenNew"));
    const RoomRecord read = *store.roomById(first.id);
    CHECK(read.pin == "87654321");
    CHECK(read.inviteToken == "tokenNew");
    CHECK(read.title == first.title);
    CHECK_FALSE(store.roomByInviteToken("tokenA"));  // the old link resolves no more
    CHECK(store.roomByInviteToken("tokenNew")->id == first.id);
    try {
      store.setRoomPin(first.id, "23456789");
      FAIL("no conflict");
    } catch (const StoreConflict& e) {
      CHECK(e.field() == "pin");
    }
    try {
      store.setRoomInviteToken(first.id, "tokenB");
      FAIL("no conflict");
    } catch (const StoreConflict& e) {
      CHECK(e.field() == "inviteToken");
    }
    CHECK(store.roomById(first.id)->pin == "87654321");
    CHECK_FALSE(store.setRoomPin(999, "11111111"));
    CHECK_FALSE(store.setRoomInviteToken(999, "tokenZ"));
  }

  SECTION("delete") {
    CHECK(store.deleteRoom(first.id));
    CHECK_FALSE(store.deleteRoom(first.id));
    CHECK_FALSE(store.roomById(first.id));
    CHECK(store.rooms().size() == 1);
  }
}

TEST_CASE("sessions: create, find, extend, delete", "[appliance][store]") {
  SqliteStore store(":memory:");
  const auto anna = store.createAccount(staff("anna"));
  const auto bert = store.createAccount(staff("bert"));
  store.createSession({"h1", anna.id, "c1", 100, 200});
  store.createSession({"h2", anna.id, "c2", 100, 300});
  store.createSession({"h3", bert.id, "c3", 100, 400});

  const auto s = store.sessionByIdHash("h1");
  REQUIRE(s);
  CHECK(s->accountId == anna.id);
  CHECK(s->csrfToken == "c1");
  CHECK(s->expiresAt == 200);

  store.setSessionExpiry("h1", 500);
  CHECK(store.sessionByIdHash("h1")->expiresAt == 500);

  SECTION("expired sessions are purged") {
    store.deleteSessionsExpiredAt(300);
    CHECK(store.sessionByIdHash("h1"));
    CHECK_FALSE(store.sessionByIdHash("h2"));
    CHECK(store.sessionByIdHash("h3"));
  }
  SECTION("an account's sessions end, except the one kept") {
    store.deleteSessionsOf(anna.id, "h2");
    CHECK_FALSE(store.sessionByIdHash("h1"));
    CHECK(store.sessionByIdHash("h2"));
    CHECK(store.sessionByIdHash("h3"));
    store.deleteSessionsOf(anna.id, "");
    CHECK_FALSE(store.sessionByIdHash("h2"));
  }
  SECTION("logout deletes one") {
    store.deleteSession("h3");
    CHECK_FALSE(store.sessionByIdHash("h3"));
    CHECK(store.sessionByIdHash("h1"));
  }
}

namespace {
StoreConflict conflictOf(const std::function<void()>& write) {
  try {
    write();
  } catch (const StoreConflict& e) {
    return e;
  }
  FAIL("no conflict");
  return StoreConflict("none");
}
}  // namespace

TEST_CASE("rooms: co-hosts are set, replaced, and go with the room or the account", "[appliance][store]") {
  SqliteStore store(":memory:");
  const auto anna = store.createAccount(staff("anna"));
  const auto bert = store.createAccount(staff("bert"));
  const auto carla = store.createAccount(staff("carla"));
  const RoomRecord annas = store.createRoom(room(anna.id, "annas", "12345678", "tokenA"));
  const RoomRecord other = store.createRoom(room(anna.id, "other", "87654321", "tokenB"));
  CHECK(store.roomCoHosts(annas.id).empty());

  REQUIRE(store.setRoomCoHosts(annas.id, {carla.id, bert.id, carla.id}));
  CHECK(store.roomCoHosts(annas.id) == std::vector<std::int64_t>{bert.id, carla.id});
  CHECK(store.roomCoHosts(other.id).empty());
  REQUIRE(store.setRoomCoHosts(annas.id, {carla.id}));
  CHECK(store.roomCoHosts(annas.id) == std::vector<std::int64_t>{carla.id});
  CHECK_FALSE(store.setRoomCoHosts(9999, {carla.id}));

  SECTION("an unknown account is refused and nothing changes") {
    CHECK(conflictOf([&] { store.setRoomCoHosts(annas.id, {bert.id, 9999}); }).field() == "coHosts");
    CHECK(store.roomCoHosts(annas.id) == std::vector<std::int64_t>{carla.id});
  }
  SECTION("deleting the account removes it as co-host") {
    REQUIRE(store.setRoomCoHosts(other.id, {carla.id}));
    CHECK(store.deleteAccount(carla.id, std::nullopt));
    CHECK(store.roomCoHosts(annas.id).empty());
    CHECK(store.roomCoHosts(other.id).empty());
  }
  SECTION("deleting the room removes its co-hosts") {
    CHECK(store.deleteRoom(annas.id));
    CHECK(store.roomCoHosts(annas.id).empty());
    CHECK(store.accountById(carla.id));
  }
  SECTION("an heir that was a co-host of the rooms it takes over is just their owner") {
    CHECK(store.deleteAccount(anna.id, carla.id));
    CHECK(store.roomById(annas.id)->ownerId == carla.id);
    CHECK(store.roomCoHosts(annas.id).empty());
  }
}

TEST_CASE("deleting an account: sessions go, rooms pass to an heir, admins remain", "[appliance][store]") {
  SqliteStore store(":memory:");
  Account root = staff("root");
  root.role = AccountRole::Admin;
  root = store.createAccount(root);
  const auto anna = store.createAccount(staff("anna"));
  const auto bert = store.createAccount(staff("bert"));
  const RoomRecord annas = store.createRoom(room(anna.id, "annas", "12345678", "tokenA"));
  store.createSession({"h1", anna.id, "c1", 100, 200});
  store.createSession({"h2", bert.id, "c2", 100, 200});
  CHECK(store.enabledAdminCount() == 1);

  SECTION("with rooms and no heir: refused, nothing changes") {
    CHECK(conflictOf([&] { store.deleteAccount(anna.id, std::nullopt); }).field() == "rooms");
    CHECK(store.accountById(anna.id));
    CHECK(store.sessionByIdHash("h1"));
  }
  SECTION("the rooms go to the heir; the account and its sessions are gone") {
    CHECK(store.deleteAccount(anna.id, bert.id));
    CHECK_FALSE(store.accountById(anna.id));
    CHECK_FALSE(store.accountByUsername("anna"));
    CHECK_FALSE(store.sessionByIdHash("h1"));
    CHECK(store.sessionByIdHash("h2"));
    CHECK(store.roomById(annas.id)->ownerId == bert.id);
    CHECK(store.roomsOwnedBy(anna.id).empty());
    CHECK_FALSE(store.deleteAccount(anna.id, std::nullopt));  // gone already
    // The username is free again.
    CHECK(store.createAccount(staff("anna")).id > 0);
  }
  SECTION("an heir that is missing, disabled or the account itself: refused, nothing changes") {
    Account disabled = bert;
    disabled.disabled = true;
    store.updateAccount(disabled);
    for (const std::int64_t heir : {std::int64_t{999}, bert.id, anna.id}) {
      CAPTURE(heir);
      CHECK(conflictOf([&] { store.deleteAccount(anna.id, heir); }).field() == "heir");
    }
    CHECK(store.roomById(annas.id)->ownerId == anna.id);
    CHECK(store.sessionByIdHash("h1"));
  }
  SECTION("an account without rooms needs no heir") {
    CHECK(store.deleteAccount(bert.id, std::nullopt));
    CHECK_FALSE(store.sessionByIdHash("h2"));
    CHECK(store.accountCount() == 2);
  }
  SECTION("the last enabled admin stays; one of two may go") {
    CHECK(conflictOf([&] { store.deleteAccount(root.id, std::nullopt); }).field() == "last-admin");
    Account second = staff("second");
    second.role = AccountRole::Admin;
    second = store.createAccount(second);
    CHECK(store.enabledAdminCount() == 2);
    CHECK(store.deleteAccount(root.id, std::nullopt));
    CHECK(store.enabledAdminCount() == 1);
    CHECK(conflictOf([&] { store.deleteAccount(second.id, std::nullopt); }).field() == "last-admin");
  }
}

namespace {
RecordingRecord recording(const std::string& id, std::int64_t roomId, std::int64_t startedAt, std::int64_t stoppedAt,
                          RecordingState state) {
  return test::recordingRecord(id, roomId, startedAt, stoppedAt, state);
}
std::vector<std::string> ids(const std::vector<RecordingRecord>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}
}  // namespace

TEST_CASE("recordings: create, update, find, list, query by state and stop time; they go with the room",
          "[appliance][store][recordings]") {
  SqliteStore store(":memory:");
  const Account owner = store.createAccount(staff("owner"));
  const RoomRecord a = store.createRoom(room(owner.id, "a", "12345678", "tokenA"));
  const RoomRecord b = store.createRoom(room(owner.id, "b", "22345678", "tokenB"));
  using S = RecordingState;
  store.createRecording(recording("00000000000000a1", a.id, 100, 200, S::Ready));
  store.createRecording(recording("00000000000000a2", a.id, 300, 0, S::Recording));
  store.createRecording(recording("00000000000000a3", a.id, 50, 60, S::Failed));
  store.createRecording(recording("00000000000000b1", b.id, 400, 500, S::Recovered));

  SECTION("found by id with every field; unknown ids are not") {
    RecordingRecord r = recording("00000000000000c1", a.id, 10, 20, S::Processing);
    r.startedBy = owner.id;
    r.durationMs = 12345;
    r.bytes = 987654321012;
    r.noticeCount = 7;
    store.createRecording(r);
    const auto found = store.recordingById("00000000000000c1");
    REQUIRE(found);
    CHECK(found->roomId == a.id);
    CHECK(found->startedBy == owner.id);
    CHECK(found->startedAt == 10);
    CHECK(found->stoppedAt == 20);
    CHECK(found->durationMs == 12345);
    CHECK(found->bytes == 987654321012);
    CHECK(found->state == S::Processing);
    CHECK(found->noticeCount == 7);
    CHECK_FALSE(store.recordingById("ffffffffffffffff"));
  }

  SECTION("a room's recordings come newest first, and only that room's") {
    CHECK(ids(store.recordingsOfRoom(a.id)) == std::vector<std::string>{"00000000000000a2", "00000000000000a1",
                                                                         "00000000000000a3"});
    CHECK(ids(store.recordingsOfRoom(b.id)) == std::vector<std::string>{"00000000000000b1"});
    CHECK(store.recordingsOfRoom(999).empty());
  }

  SECTION("update writes the stop, the file's numbers and the state") {
    RecordingRecord r = *store.recordingById("00000000000000a2");
    r.stoppedAt = 900;
    r.durationMs = 600000;
    r.bytes = 4096;
    r.state = S::Ready;
    r.noticeCount = 3;
    CHECK(store.updateRecording(r));
    const auto after = store.recordingById(r.id);
    CHECK(after->stoppedAt == 900);
    CHECK(after->durationMs == 600000);
    CHECK(after->bytes == 4096);
    CHECK(after->state == S::Ready);
    CHECK(after->noticeCount == 3);
    r.id = "ffffffffffffffff";
    CHECK_FALSE(store.updateRecording(r));
  }

  SECTION("by state") {
    CHECK(ids(store.recordingsInState(S::Recording)) == std::vector<std::string>{"00000000000000a2"});
    CHECK(ids(store.recordingsInState(S::Recovered)) == std::vector<std::string>{"00000000000000b1"});
    CHECK(store.recordingsInState(S::Processing).empty());
  }

  SECTION("stopped before a time: oldest first, never one that still records") {
    CHECK(ids(store.recordingsStoppedBefore(201)) == std::vector<std::string>{"00000000000000a3", "00000000000000a1"});
    CHECK(ids(store.recordingsStoppedBefore(200)) == std::vector<std::string>{"00000000000000a3"});
    CHECK(ids(store.recordingsStoppedBefore(1000000)) ==
          std::vector<std::string>{"00000000000000a3", "00000000000000a1", "00000000000000b1"});
  }

  SECTION("delete, and deleting the room deletes its rows") {
    CHECK(store.deleteRecording("00000000000000a1"));
    CHECK_FALSE(store.deleteRecording("00000000000000a1"));
    CHECK_FALSE(store.recordingById("00000000000000a1"));
    CHECK(store.deleteRoom(a.id));
    CHECK(store.recordingsOfRoom(a.id).empty());
    CHECK_FALSE(store.recordingById("00000000000000a2"));
    CHECK(store.recordingById("00000000000000b1"));
  }
}
