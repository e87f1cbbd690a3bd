// SPDX-License-Identifier: EUPL-1.2
#include "appliance/DatabaseBackup.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace plenum::appliance {

namespace {

using Kind = BackupError::Kind;

[[noreturn]] void failed(const std::string& what) { throw BackupError(Kind::Failed, what); }

std::string systemError() { return std::strerror(errno); }

// One sqlite3 connection, closed when it goes out of scope.
struct Connection {
  sqlite3* db = nullptr;
  Connection(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      db = nullptr;
      failed("cannot open " + path + ": " + message);
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
  }
  ~Connection() { sqlite3_close(db); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::string error() const { return sqlite3_errmsg(db); }
};

// The first column of the first row of `sql` as text ("" without a row); throws on failure.
std::string queryText(Connection& c, const std::string& what, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(c.db, sql, -1, &statement, nullptr) != SQLITE_OK) failed(what + ": " + c.error());
  std::string result;
  const int rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    if (text) result = text;
  } else if (rc != SQLITE_DONE) {
    const std::string message = c.error();
    sqlite3_finalize(statement);
    failed(what + ": " + message);
  }
  sqlite3_finalize(statement);
  return result;
}

std::string directoryOf(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Renames without replacing an existing `to` (renameat2 RENAME_NOREPLACE; where the file system
// does not support it, checks first).
void renameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno == EEXIST) throw BackupError(Kind::TargetExists, to + " exists already (not overwritten)");
  if (errno != EINVAL && errno != ENOSYS) failed("cannot rename " + from + " to " + to + ": " + systemError());
  struct stat info {};
  if (::lstat(to.c_str(), &info) == 0) throw BackupError(Kind::TargetExists, to + " exists already (not overwritten)");
  if (::rename(from.c_str(), to.c_str()) != 0) failed("cannot rename " + from + " to " + to + ": " + systemError());
}

void copy(const std::string& source, const std::string& temporary) {
  // Read-only: the backup never writes the live database (nor checkpoints its WAL).
  Connection from(source, SQLITE_OPEN_READONLY);
  Connection to(temporary, SQLITE_OPEN_READWRITE);

  sqlite3_backup* backup = sqlite3_backup_init(to.db, "main", from.db, "main");
  if (!backup) failed("cannot start the backup: " + to.error());
  // All pages in one step, i.e. in one read transaction of the source: in WAL mode plenumd's
  // writers are not blocked by it, and the copy cannot be restarted endlessly by them (with
  // smaller steps, every write by another connection restarts the copy from the start).
  int rc = SQLITE_OK;
  const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_DONE) break;
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < giveUp) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (rc != SQLITE_OK) break;
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    // The source's message explains a failure to read (not a database, locked), the
    // destination's one a failure to write (disk full).
    std::string message = sqlite3_errstr(rc);
    if (sqlite3_errcode(from.db) != SQLITE_OK) message = from.error();
    else if (sqlite3_errcode(to.db) != SQLITE_OK) message = to.error();
    failed("cannot copy " + source + ": " + message);
  }

  // One self-contained file (no -wal beside it), then check what was written.
  const std::string mode = queryText(to, "cannot finish " + temporary, "PRAGMA journal_mode = DELETE");
  if (mode != "delete") failed("cannot finish " + temporary + ": journal mode " + mode);
  const std::string check = queryText(to, "cannot check " + temporary, "PRAGMA quick_check");
  if (check != "ok") failed("the copy " + temporary + " fails its check: " + check);
}

}  // namespace

void backupDatabase(const std::string& source, const std::string& target) {
  struct stat info {};
  if (::stat(source.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    throw BackupError(Kind::NoSource, "no database at " + source);
  }
  if (::lstat(target.c_str(), &info) == 0) {
    throw BackupError(Kind::TargetExists, target + " exists already (not overwritten)");
  }
  const std::string temporary = target + ".tmp";
  // A FILE.tmp is ours (an interrupted backup): start it afresh, readable by the owner only.
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    const std::string file = temporary + suffix;
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) failed("cannot remove " + file + ": " + systemError());
  }
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) failed("cannot create " + temporary + ": " + systemError());
  ::close(fd);

  try {
    copy(source, temporary);
    // The copy's contents are on disk (SQLite synced its commit); make the new name durable too.
    renameNoReplace(temporary, target);
  } catch (...) {
    ::unlink(temporary.c_str());
    ::unlink((temporary + "-journal").c_str());
    throw;
  }
  const int dir = ::open(directoryOf(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace plenum::appliance
