// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/DatabaseBackup (plenumd --backup FILE): a copy taken while another
// connection writes opens, passes its check and holds the data; an existing FILE is never
// overwritten; a missing database is reported as such; an open write transaction of plenumd
// neither blocks the backup nor ends up in it.
#include "appliance/DatabaseBackup.hpp"
#include "appliance/Sqlite.hpp"
#include "appliance/SqliteStore.hpp"

#include <Poco/TemporaryFile.h>

#include "StoreRecords.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include <sys/stat.h>

using namespace plenum::appliance;

namespace {

Account account(const std::string& username) { return test::staffAccount(username); }

std::int64_t countRows(sqlite::Database& db, const std::string& sql) {
  sqlite::Statement query(db, sql);
  REQUIRE(query.step());
  return query.integer(0);
}

std::string firstText(sqlite::Database& db, const std::string& sql) {
  sqlite::Statement query(db, sql);
  REQUIRE(query.step());
  return query.text(0);
}

bool exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("backup: a copy taken while another connection writes holds the data", "[appliance][backup]") {
  Poco::TemporaryFile folder;
  folder.createDirectories();
  const std::string source = folder.path() + "/plenum.db";
  SqliteStore store(source);
  for (int i = 0; i < 200; ++i) store.createAccount(account("before" + std::to_string(i)));

  // Another connection (as plenumd's would be) keeps writing the whole time.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    SqliteStore other(source);
    while (!stop) other.createAccount(account("during" + std::to_string(written++)));
  });
  while (written < 20) std::this_thread::yield();

  for (int round = 0; round < 5; ++round) {
    const std::string target = folder.path() + "/copy" + std::to_string(round) + ".db";
    REQUIRE_NOTHROW(backupDatabase(source, target));
    CHECK_FALSE(exists(target + ".tmp"));
    CHECK_FALSE(exists(target + "-wal"));
    struct stat info {};
    REQUIRE(::stat(target.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);  // password hashes: the owner's only
    CHECK(contents(target).rfind("SQLite format 3", 0) == 0);

    sqlite::Database copy(target);
    CHECK(firstText(copy, "PRAGMA quick_check") == "ok");
    CHECK(firstText(copy, "PRAGMA journal_mode") == "delete");  // one file, no -wal needed
    CHECK(countRows(copy, "SELECT count(*) FROM accounts WHERE username LIKE 'before%'") == 200);
    CHECK(countRows(copy, "SELECT count(*) FROM accounts WHERE username LIKE 'during%'") >= 20);
    CHECK(firstText(copy, "SELECT display_name FROM accounts WHERE username = 'before7'") == "Name of before7");
  }
  stop = true;
  writer.join();
  CHECK(written > 20);
  // The live database is untouched and still in WAL mode.
  sqlite::Database live(source);
  CHECK(firstText(live, "PRAGMA journal_mode") == "wal");
  CHECK(countRows(live, "SELECT count(*) FROM accounts") == 200 + written);
}

TEST_CASE("backup: an open write transaction neither blocks the backup nor ends up in it", "[appliance][backup]") {
  Poco::TemporaryFile folder;
  folder.createDirectories();
  const std::string source = folder.path() + "/plenum.db";
  SqliteStore store(source);
  store.createAccount(account("committed"));

  sqlite::Database writer(source);
  writer.exec("BEGIN IMMEDIATE");
  writer.exec("INSERT INTO accounts (username, display_name, password_hash, role, disabled, created_at) "
              "VALUES ('uncommitted', 'U', 'h', 'staff', 0, 1)");
  const std::string target = folder.path() + "/copy.db";
  REQUIRE_NOTHROW(backupDatabase(source, target));
  writer.exec("COMMIT");

  sqlite::Database copy(target);
  CHECK(countRows(copy, "SELECT count(*) FROM accounts WHERE username = 'committed'") == 1);
  CHECK(countRows(copy, "SELECT count(*) FROM accounts WHERE username = 'uncommitted'") == 0);
}

TEST_CASE("backup: never overwrites FILE, replaces a stale FILE.tmp", "[appliance][backup]") {
  Poco::TemporaryFile folder;
  folder.createDirectories();
  const std::string source = folder.path() + "/plenum.db";
  { SqliteStore store(source); store.createAccount(account("anna")); }
  const std::string target = folder.path() + "/copy.db";

  { std::ofstream(target) << "precious"; }
  try {
    backupDatabase(source, target);
    FAIL("an existing FILE was overwritten");
  } catch (const BackupError& e) {
    CHECK(e.kind() == BackupError::Kind::TargetExists);
    CHECK(std::string(e.what()).find("exists already") != std::string::npos);
  }
  CHECK(contents(target) == "precious");
  CHECK_FALSE(exists(target + ".tmp"));

  const std::string other = folder.path() + "/other.db";
  { std::ofstream(other + ".tmp") << "left by an interrupted backup"; }
  REQUIRE_NOTHROW(backupDatabase(source, other));
  CHECK_FALSE(exists(other + ".tmp"));
  sqlite::Database copy(other);
  CHECK(countRows(copy, "SELECT count(*) FROM accounts WHERE username = 'anna'") == 1);
}

TEST_CASE("backup: no database, or not a database, is an error that leaves nothing behind", "[appliance][backup]") {
  Poco::TemporaryFile folder;
  folder.createDirectories();
  const std::string target = folder.path() + "/copy.db";
  const std::string missing = folder.path() + "/plenum.db";
  try {
    backupDatabase(missing, target);
    FAIL("no error");
  } catch (const BackupError& e) {
    CHECK(e.kind() == BackupError::Kind::NoSource);
    CHECK(std::string(e.what()) == "no database at " + missing);
  }
  CHECK_FALSE(exists(missing));  // not created by the attempt
  CHECK_FALSE(exists(target));

  const std::string garbage = folder.path() + "/garbage.db";
  { std::ofstream(garbage) << std::string(4096, 'x'); }
  try {
    backupDatabase(garbage, target);
    FAIL("no error");
  } catch (const BackupError& e) {
    CHECK(e.kind() == BackupError::Kind::Failed);
  }
  CHECK_FALSE(exists(target));
  CHECK_FALSE(exists(target + ".tmp"));
}
