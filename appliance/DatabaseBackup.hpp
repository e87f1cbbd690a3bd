// SPDX-License-Identifier: EUPL-1.2
#pragma once
// plenumd --backup FILE: a consistent copy of the database while plenumd runs, with SQLite's
// online backup API (sqlite3_backup_*), never by copying plenum.db (in WAL mode the latest
// changes are in plenum.db-wal, and a copy taken during a write is torn).
//
// The source is opened read-only and read in one read transaction: in WAL mode that does not
// block plenumd's writes, and the copy is the database as of one moment. The copy is written
// to FILE.tmp (mode 0600: it holds password hashes), switched to journal_mode DELETE (one
// self-contained file, no -wal), checked with PRAGMA quick_check, and only then renamed to FILE.
// An existing FILE is never overwritten (choose another name or remove it first); a FILE.tmp
// left by an interrupted backup is replaced.
#include <stdexcept>
#include <string>

namespace plenum::appliance {

class BackupError : public std::runtime_error {
public:
  enum class Kind {
    NoSource,     // no database at the source path
    TargetExists, // FILE is there already
    Failed,       // anything else (cannot read, cannot write, disk full, check failed)
  };
  BackupError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

private:
  Kind kind_;
};

// Copies the SQLite database at `source` to `target` (see above). Throws BackupError.
void backupDatabase(const std::string& source, const std::string& target);

}  // namespace plenum::appliance
