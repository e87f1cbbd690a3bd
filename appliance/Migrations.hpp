// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The SQLite schema as numbered migrations. A migration, once released, is never edited: a
// change to the schema is a new migration at the end of the list. plenumd brings the database
// up to date at start-up, all pending migrations in one transaction.
#include "appliance/Sqlite.hpp"

#include <vector>

namespace plenum::appliance {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& migrations();
int newestSchemaVersion();

// The version recorded in schema_version (0 for an empty database).
int schemaVersion(sqlite::Database& db);

// Applies the migrations after the database's version up to `target` (default: the newest),
// logs them, and returns the version found before. Throws if the database is newer than this
// program knows (an older plenumd must not write to it).
int migrate(sqlite::Database& db, int target = newestSchemaVersion());

}  // namespace plenum::appliance
