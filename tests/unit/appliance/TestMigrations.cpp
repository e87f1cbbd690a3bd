// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/Migrations: the schema from an empty database, from every earlier version
// (version 1 written out by hand, as released), refusal of a newer database, and that rows
// survive a migration.
#include "appliance/Migrations.hpp"
#include "appliance/Sqlite.hpp"
#include "appliance/SqliteStore.hpp"

#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace plenum::appliance;

namespace {

std::set<std::string> tables(sqlite::Database& db) {
  std::set<std::string> names;
  sqlite::Statement query(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
  while (query.step()) names.insert(query.text(0));
  return names;
}

std::int64_t count(sqlite::Database& db, const std::string& table) {
  sqlite::Statement query(db, "SELECT count(*) FROM " + table);
  query.step();
  return query.integer(0);
}

// A version 1 database as released plenumds leave it, written out here rather than made by
// Migrations, so that the later migrations are tested against what exists in the field.
void createVersion1ByHand(sqlite::Database& db) {
  db.exec(R"sql(
    CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (1, 'accounts and login sessions', 1700000000);
    CREATE TABLE accounts (
      id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE, display_name TEXT NOT NULL,
      password_hash TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
      disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)), created_at INTEGER NOT NULL);
    CREATE TABLE sessions (
      id_hash TEXT PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id), csrf_token TEXT NOT NULL,
      created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
    CREATE INDEX sessions_by_account ON sessions (account_id);
    INSERT INTO accounts VALUES (1, 'root', 'Root', '$argon2id$x', 'admin', 0, 1700000000);
    INSERT INTO accounts VALUES (2, 'anna', 'Anna', '$argon2id$y', 'staff', 1, 1700000001);
    INSERT INTO sessions VALUES ('abc', 1, 'csrf', 1700000000, 1700043200);
  )sql");
}

}  // namespace

TEST_CASE("migrations are numbered 1..N without gaps", "[appliance][migrations]") {
  int expected = 1;
  for (const Migration& m : migrations()) CHECK(m.version == expected++);
  CHECK(newestSchemaVersion() == static_cast<int>(migrations().size()));
}

TEST_CASE("an empty database gets the newest schema", "[appliance][migrations]") {
  sqlite::Database db(":memory:");
  CHECK(schemaVersion(db) == 0);
  CHECK(migrate(db) == 0);
  CHECK(schemaVersion(db) == newestSchemaVersion());
  CHECK(tables(db) == std::set<std::string>{"schema_version", "accounts", "sessions", "rooms", "room_cohosts", "recordings"});
  CHECK(count(db, "schema_version") == newestSchemaVersion());

  SECTION("running again changes nothing") {
    CHECK(migrate(db) == newestSchemaVersion());
    CHECK(count(db, "schema_version") == newestSchemaVersion());
  }
}

TEST_CASE("a version 1 database made by hand is migrated, keeping its rows", "[appliance][migrations]") {
  sqlite::Database db(":memory:");
  createVersion1ByHand(db);
  REQUIRE(schemaVersion(db) == 1);
  CHECK(migrate(db) == 1);
  CHECK(schemaVersion(db) == newestSchemaVersion());
  CHECK(tables(db).count("rooms") == 1);
  CHECK(count(db, "accounts") == 2);
  CHECK(count(db, "sessions") == 1);
  // The new table works with the old rows: a room owned by account 1.
  db.exec("INSERT INTO rooms (slug, title, owner_id, max_participants, pin, invite_token, created_at) "
          "VALUES ('r', 'R', 1, 10, '12345678', 'tok', 0)");
  CHECK(count(db, "rooms") == 1);
}

TEST_CASE("every earlier version migrates to the newest", "[appliance][migrations]") {
  for (int from = 0; from < newestSchemaVersion(); ++from) {
    CAPTURE(from);
    sqlite::Database db(":memory:");
    migrate(db, from);
    CHECK(schemaVersion(db) == from);
    if (from >= 1) db.exec("INSERT INTO accounts VALUES (1, 'root', 'Root', 'h', 'admin', 0, 0)");
    CHECK(migrate(db) == from);
    CHECK(schemaVersion(db) == newestSchemaVersion());
    if (from >= 1) CHECK(count(db, "accounts") == 1);
  }
}

TEST_CASE("migration 3: co-hosts go with their room and with their account", "[appliance][migrations]") {
  sqlite::Database db(":memory:");
  migrate(db, 2);
  db.exec("PRAGMA foreign_keys = ON");
  db.exec(R"sql(
    INSERT INTO accounts VALUES (1, 'root', 'Root', 'h', 'admin', 0, 0), (2, 'anna', 'Anna', 'h', 'staff', 0, 0),
                                (3, 'bert', 'Bert', 'h', 'staff', 0, 0);
    INSERT INTO rooms (id, slug, title, owner_id, max_participants, pin, invite_token, created_at)
      VALUES (10, 'a', 'A', 2, 10, '11111111', 'ta', 0), (11, 'b', 'B', 2, 10, '22222222', 'tb', 0);
  )sql");
  CHECK(migrate(db) == 2);
  REQUIRE(tables(db).count("room_cohosts") == 1);
  CHECK(count(db, "rooms") == 2);
  db.exec("INSERT INTO room_cohosts VALUES (10, 3), (11, 3), (11, 1)");
  CHECK_THROWS(db.exec("INSERT INTO room_cohosts VALUES (10, 99)"));  // no such account
  CHECK_THROWS(db.exec("INSERT INTO room_cohosts VALUES (10, 3)"));   // twice
  db.exec("DELETE FROM rooms WHERE id = 10");
  CHECK(count(db, "room_cohosts") == 2);
  db.exec("DELETE FROM accounts WHERE id = 3");
  CHECK(count(db, "room_cohosts") == 1);
}

TEST_CASE("a database newer than this program is refused and left alone", "[appliance][migrations]") {
  sqlite::Database db(":memory:");
  migrate(db);
  db.exec("INSERT INTO schema_version VALUES (" + std::to_string(newestSchemaVersion() + 1) + ", 'future', 0)");
  CHECK_THROWS_WITH(migrate(db), Catch::Contains("newer than this plenumd"));
  CHECK(schemaVersion(db) == newestSchemaVersion() + 1);
}

TEST_CASE("a failing migration leaves the database as it was", "[appliance][migrations]") {
  sqlite::Database db(":memory:");
  createVersion1ByHand(db);
  db.exec("CREATE TABLE rooms (x INTEGER)");  // in the way of migration 2
  CHECK_THROWS(migrate(db));
  CHECK(schemaVersion(db) == 1);
  CHECK(count(db, "accounts") == 2);
}

TEST_CASE("SqliteStore opens its file in WAL mode with the newest schema", "[appliance][migrations]") {
  Poco::TemporaryFile folder;
  folder.createDirectories();
  const std::string path = folder.path() + "/plenum.db";
  { SqliteStore store(path); }
  sqlite::Database db(path);
  sqlite::Statement mode(db, "PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.text(0) == "wal");
  CHECK(schemaVersion(db) == newestSchemaVersion());
}
