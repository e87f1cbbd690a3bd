// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Migrations.hpp"

#include <Poco/Logger.h>

#include <ctime>

namespace plenum::appliance {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list{
      {1, "accounts and login sessions", R"sql(
        CREATE TABLE accounts (
          id            INTEGER PRIMARY KEY,
          username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
          display_name  TEXT NOT NULL,
          password_hash TEXT NOT NULL,
          role          TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
          disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
          created_at    INTEGER NOT NULL
        );
        -- id_hash: a hash of the cookie's value, so that a copy of the database opens no session
        CREATE TABLE sessions (
          id_hash     TEXT PRIMARY KEY,
          account_id  INTEGER NOT NULL REFERENCES accounts (id),
          csrf_token  TEXT NOT NULL,
          created_at  INTEGER NOT NULL,
          expires_at  INTEGER NOT NULL
        );
        CREATE INDEX sessions_by_account ON sessions (account_id);
      )sql"},
      {2, "persistent rooms", R"sql(
        CREATE TABLE rooms (
          id               INTEGER PRIMARY KEY,
          slug             TEXT NOT NULL UNIQUE COLLATE NOCASE,
          title            TEXT NOT NULL,
          owner_id         INTEGER NOT NULL REFERENCES accounts (id),
          password_hash    TEXT,
          lobby            INTEGER NOT NULL DEFAULT 0 CHECK (lobby IN (0, 1)),
          max_participants INTEGER NOT NULL,
          pin              TEXT NOT NULL UNIQUE,
          invite_token     TEXT NOT NULL UNIQUE,
          created_at       INTEGER NOT NULL
        );
        CREATE INDEX rooms_by_owner ON rooms (owner_id);
      )sql"},
      {3, "co-hosts of persistent rooms", R"sql(
        -- Accounts the owner named: they moderate the room's meetings like the owner.
        CREATE TABLE room_cohosts (
          room_id     INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
          account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
          PRIMARY KEY (room_id, account_id)
        ) WITHOUT ROWID;
        CREATE INDEX room_cohosts_by_account ON room_cohosts (account_id);
      )sql"},
      {4, "recordings", R"sql(
        -- started_by has no foreign key: the number stays when the account goes (accountability).
        CREATE TABLE recordings (
          id            TEXT PRIMARY KEY,
          room_id       INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
          started_by    INTEGER NOT NULL,
          started_at    INTEGER NOT NULL,
          stopped_at    INTEGER NOT NULL DEFAULT 0,
          duration_ms   INTEGER NOT NULL DEFAULT 0,
          bytes         INTEGER NOT NULL DEFAULT 0,
          state         TEXT NOT NULL
                        CHECK (state IN ('recording', 'processing', 'ready', 'recovered', 'failed')),
          notice_count  INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX recordings_by_room ON recordings (room_id, started_at);
        CREATE INDEX recordings_by_state ON recordings (state);
      )sql"},
  };
  return list;
}

int newestSchemaVersion() { return migrations().back().version; }

int schemaVersion(sqlite::Database& db) {
  sqlite::Statement exists(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  exists.step();
  if (exists.integer(0) == 0) return 0;
  sqlite::Statement version(db, "SELECT coalesce(max(version), 0) FROM schema_version");
  version.step();
  return static_cast<int>(version.integer(0));
}

int migrate(sqlite::Database& db, int target) {
  Poco::Logger& log = Poco::Logger::get("plenum.store");
  sqlite::Transaction transaction(db);
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
      "applied_at INTEGER NOT NULL)");
  const int found = schemaVersion(db);
  if (found > newestSchemaVersion()) {
    throw std::runtime_error("the database has schema version " + std::to_string(found) +
                             ", newer than this plenumd (" + std::to_string(newestSchemaVersion()) +
                             "): run a newer plenumd or restore a backup");
  }
  for (const Migration& migration : migrations()) {
    if (migration.version <= found || migration.version > target) continue;
    db.exec(migration.sql);
    sqlite::Statement record(db, "INSERT INTO schema_version (version, description, applied_at) VALUES (?1, ?2, ?3)");
    record.bindAll(migration.version, std::string(migration.description),
                   static_cast<std::int64_t>(std::time(nullptr)));
    record.run();
    log.information("database schema: applied migration %d (%s)", migration.version,
                    std::string(migration.description));
  }
  transaction.commit();
  if (found == std::min(target, newestSchemaVersion())) {
    log.information("database schema: version %d, up to date", found);
  }
  return found;
}

}  // namespace plenum::appliance
