// SPDX-License-Identifier: EUPL-1.2
#include "appliance/SqliteStore.hpp"

#include "appliance/Migrations.hpp"

#include <string_view>

namespace plenum::appliance {

namespace {

constexpr std::string_view kAccountColumns =
    "SELECT id, username, display_name, password_hash, role, disabled, created_at FROM accounts ";
constexpr std::string_view kRoomColumns =
    "SELECT id, slug, title, owner_id, password_hash, lobby, max_participants, pin, invite_token, created_at "
    "FROM rooms ";

Account readAccount(const sqlite::Statement& row) {
  Account a;
  a.id = row.integer(0);
  a.username = row.text(1);
  a.displayName = row.text(2);
  a.passwordHash = row.text(3);
  a.role = accountRoleFrom(row.text(4)).value_or(AccountRole::Staff);
  a.disabled = row.boolean(5);
  a.createdAt = row.integer(6);
  return a;
}

RoomRecord readRoom(const sqlite::Statement& row) {
  RoomRecord r;
  r.id = row.integer(0);
  r.slug = row.text(1);
  r.title = row.text(2);
  r.ownerId = row.integer(3);
  r.passwordHash = row.optionalText(4);
  r.lobby = row.boolean(5);
  r.maxParticipants = static_cast<int>(row.integer(6));
  r.pin = row.text(7);
  r.inviteToken = row.text(8);
  r.createdAt = row.integer(9);
  return r;
}

RecordingRecord readRecording(const sqlite::Statement& row) {
  RecordingRecord r;
  r.id = row.text(0);
  r.roomId = row.integer(1);
  r.startedBy = row.integer(2);
  r.startedAt = row.integer(3);
  r.stoppedAt = row.integer(4);
  r.durationMs = row.integer(5);
  r.bytes = row.integer(6);
  r.state = recordingStateFrom(row.text(7)).value_or(RecordingState::Failed);
  r.noticeCount = row.integer(8);
  return r;
}

constexpr const char* kRecordingColumns =
    "SELECT id, room_id, started_by, started_at, stopped_at, duration_ms, bytes, state, notice_count FROM recordings ";

template <class T>
std::optional<T> first(std::vector<T> rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

// Which unique column a failed INSERT hit, from SQLite's "UNIQUE constraint failed: rooms.pin".
std::string conflictingField(const sqlite::Error& e) {
  const std::string what = e.what();
  if (what.find(".username") != std::string::npos) return "username";
  if (what.find(".slug") != std::string::npos) return "slug";
  if (what.find(".pin") != std::string::npos) return "pin";
  if (what.find(".invite_token") != std::string::npos) return "inviteToken";
  return "id";
}

}  // namespace

const char* toString(AccountRole role) { return role == AccountRole::Admin ? "admin" : "staff"; }

std::optional<AccountRole> accountRoleFrom(const std::string& text) {
  if (text == "staff") return AccountRole::Staff;
  if (text == "admin") return AccountRole::Admin;
  return std::nullopt;
}

const char* toString(RecordingState state) {
  switch (state) {
    case RecordingState::Recording: return "recording";
    case RecordingState::Processing: return "processing";
    case RecordingState::Ready: return "ready";
    case RecordingState::Recovered: return "recovered";
    case RecordingState::Failed: return "failed";
  }
  return "failed";
}

std::optional<RecordingState> recordingStateFrom(const std::string& text) {
  for (const auto state : {RecordingState::Recording, RecordingState::Processing, RecordingState::Ready,
                           RecordingState::Recovered, RecordingState::Failed}) {
    if (text == toString(state)) return state;
  }
  return std::nullopt;
}

SqliteStore::SqliteStore(const std::string& path) : db_(path) {
  // WAL: readers do not wait for the writer; NORMAL is crash-safe in WAL mode.
  db_.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
  // Another process (the sqlite3 shell, a backup) may hold the lock for a moment.
  sqlite3_busy_timeout(db_.handle(), 5000);
  migrate(db_);
}

std::vector<Account> SqliteStore::queryAccounts(const std::string& tail, const Binder& bind) {
  sqlite::Statement query(db_, std::string(kAccountColumns) + tail);
  bind(query);
  std::vector<Account> rows;
  while (query.step()) rows.push_back(readAccount(query));
  return rows;
}

std::vector<RoomRecord> SqliteStore::queryRooms(const std::string& tail, const Binder& bind) {
  sqlite::Statement query(db_, std::string(kRoomColumns) + tail);
  bind(query);
  std::vector<RoomRecord> rows;
  while (query.step()) rows.push_back(readRoom(query));
  return rows;
}

std::int64_t SqliteStore::count(const std::string& tail, const Binder& bind) {
  sqlite::Statement query(db_, "SELECT count(*) " + tail);
  bind(query);
  query.step();
  return query.integer(0);
}

std::int64_t SqliteStore::accountCount() {
  std::lock_guard lock(mutex_);
  return count("FROM accounts", [](sqlite::Statement&) {});
}

std::vector<Account> SqliteStore::accounts() {
  std::lock_guard lock(mutex_);
  return queryAccounts("ORDER BY username", [](sqlite::Statement&) {});
}

std::optional<Account> SqliteStore::accountById(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return first(queryAccounts("WHERE id = ?1", [&](sqlite::Statement& s) { s.bind(1, id); }));
}

std::optional<Account> SqliteStore::accountByUsername(const std::string& username) {
  std::lock_guard lock(mutex_);
  return first(queryAccounts("WHERE username = ?1", [&](sqlite::Statement& s) { s.bind(1, username); }));
}

Account SqliteStore::createAccount(Account account) {
  std::lock_guard lock(mutex_);
  sqlite::Statement insert(db_,
                           "INSERT INTO accounts (username, display_name, password_hash, role, disabled, created_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bindAll(account.username, account.displayName, account.passwordHash, std::string(toString(account.role)),
                 account.disabled, account.createdAt);
  try {
    insert.run();
  } catch (const sqlite::Error& e) {
    if (e.isUniqueViolation()) throw StoreConflict(conflictingField(e));
    throw;
  }
  account.id = db_.lastInsertId();
  return account;
}

void SqliteStore::updateAccount(const Account& account) {
  std::lock_guard lock(mutex_);
  sqlite::Statement update(db_,
                           "UPDATE accounts SET display_name = ?2, password_hash = ?3, disabled = ?4 WHERE id = ?1");
  update.bindAll(account.id, account.displayName, account.passwordHash, account.disabled);
  update.run();
}

std::int64_t SqliteStore::enabledAdminCount() {
  std::lock_guard lock(mutex_);
  return count("FROM accounts WHERE role = 'admin' AND disabled = 0", [](sqlite::Statement&) {});
}

bool SqliteStore::deleteAccount(std::int64_t id, std::optional<std::int64_t> heirId) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction transaction(db_);
  const auto account = first(queryAccounts("WHERE id = ?1", [&](sqlite::Statement& s) { s.bind(1, id); }));
  if (!account) return false;
  const auto byId = [&](std::int64_t value) { return [value](sqlite::Statement& s) { s.bind(1, value); }; };
  if (account->role == AccountRole::Admin && !account->disabled &&
      count("FROM accounts WHERE role = 'admin' AND disabled = 0 AND id <> ?1", byId(id)) == 0) {
    throw StoreConflict("last-admin");
  }
  if (heirId) {
    if (*heirId == id || count("FROM accounts WHERE id = ?1 AND disabled = 0", byId(*heirId)) == 0) {
      throw StoreConflict("heir");
    }
    sqlite::Statement transfer(db_, "UPDATE rooms SET owner_id = ?2 WHERE owner_id = ?1");
    transfer.bindAll(id, *heirId).run();
    // The heir owns them now: being their co-host too would mean nothing.
    sqlite::Statement redundant(
        db_, "DELETE FROM room_cohosts WHERE account_id = ?1 AND room_id IN (SELECT id FROM rooms WHERE owner_id = ?1)");
    redundant.bind(1, *heirId).run();
  } else if (count("FROM rooms WHERE owner_id = ?1", byId(id)) > 0) {
    throw StoreConflict("rooms");
  }
  sqlite::Statement sessions(db_, "DELETE FROM sessions WHERE account_id = ?1");
  sessions.bind(1, id).run();
  sqlite::Statement remove(db_, "DELETE FROM accounts WHERE id = ?1");
  remove.bind(1, id).run();
  transaction.commit();
  return true;
}

std::vector<RoomRecord> SqliteStore::rooms() {
  std::lock_guard lock(mutex_);
  return queryRooms("ORDER BY title, id", [](sqlite::Statement&) {});
}

std::vector<RoomRecord> SqliteStore::roomsOwnedBy(std::int64_t accountId) {
  std::lock_guard lock(mutex_);
  return queryRooms("WHERE owner_id = ?1 ORDER BY title, id", [&](sqlite::Statement& s) { s.bind(1, accountId); });
}

std::optional<RoomRecord> SqliteStore::roomById(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return first(queryRooms("WHERE id = ?1", [&](sqlite::Statement& s) { s.bind(1, id); }));
}

std::optional<RoomRecord> SqliteStore::roomBySlug(const std::string& slug) {
  std::lock_guard lock(mutex_);
  return first(queryRooms("WHERE slug = ?1", [&](sqlite::Statement& s) { s.bind(1, slug); }));
}

std::optional<RoomRecord> SqliteStore::roomByInviteToken(const std::string& token) {
  std::lock_guard lock(mutex_);
  return first(queryRooms("WHERE invite_token = ?1", [&](sqlite::Statement& s) { s.bind(1, token); }));
}

std::optional<RoomRecord> SqliteStore::roomByPin(const std::string& pin) {
  std::lock_guard lock(mutex_);
  return first(queryRooms("WHERE pin = ?1", [&](sqlite::Statement& s) { s.bind(1, pin); }));
}

RoomRecord SqliteStore::createRoom(RoomRecord room) {
  std::lock_guard lock(mutex_);
  sqlite::Statement insert(db_,
                           "INSERT INTO rooms (slug, title, owner_id, password_hash, lobby, max_participants, pin, "
                           "invite_token, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  insert.bindAll(room.slug, room.title, room.ownerId, room.passwordHash, room.lobby, room.maxParticipants, room.pin,
                 room.inviteToken, room.createdAt);
  try {
    insert.run();
  } catch (const sqlite::Error& e) {
    if (e.isUniqueViolation()) throw StoreConflict(conflictingField(e));
    throw;
  }
  room.id = db_.lastInsertId();
  return room;
}

void SqliteStore::updateRoom(const RoomRecord& room) {
  std::lock_guard lock(mutex_);
  sqlite::Statement update(db_,
                           "UPDATE rooms SET title = ?2, password_hash = ?3, lobby = ?4, max_participants = ?5 "
                           "WHERE id = ?1");
  update.bindAll(room.id, room.title, room.passwordHash, room.lobby, room.maxParticipants);
  update.run();
}

bool SqliteStore::setRoomPin(std::int64_t id, const std::string& pin) {
  std::lock_guard lock(mutex_);
  return setRoomColumn("pin", id, pin);
}

bool SqliteStore::setRoomInviteToken(std::int64_t id, const std::string& token) {
  std::lock_guard lock(mutex_);
  return setRoomColumn("invite_token", id, token);
}

bool SqliteStore::setRoomColumn(const char* column, std::int64_t id, const std::string& value) {
  sqlite::Statement update(db_, std::string("UPDATE rooms SET ") + column + " = ?2 WHERE id = ?1");
  update.bindAll(id, value);
  try {
    update.run();
  } catch (const sqlite::Error& e) {
    if (e.isUniqueViolation()) throw StoreConflict(conflictingField(e));
    throw;
  }
  return db_.changes() > 0;
}

bool SqliteStore::deleteRoom(std::int64_t id) {
  std::lock_guard lock(mutex_);
  sqlite::Statement remove(db_, "DELETE FROM rooms WHERE id = ?1");
  remove.bind(1, id).run();
  return db_.changes() > 0;
}

std::vector<std::int64_t> SqliteStore::roomCoHosts(std::int64_t roomId) {
  std::lock_guard lock(mutex_);
  sqlite::Statement query(db_, "SELECT account_id FROM room_cohosts WHERE room_id = ?1 ORDER BY account_id");
  query.bind(1, roomId);
  std::vector<std::int64_t> ids;
  while (query.step()) ids.push_back(query.integer(0));
  return ids;
}

bool SqliteStore::setRoomCoHosts(std::int64_t roomId, const std::vector<std::int64_t>& accountIds) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction transaction(db_);
  if (count("FROM rooms WHERE id = ?1", [&](sqlite::Statement& s) { s.bind(1, roomId); }) == 0) return false;
  sqlite::Statement clear(db_, "DELETE FROM room_cohosts WHERE room_id = ?1");
  clear.bind(1, roomId).run();
  for (const std::int64_t accountId : accountIds) {
    // Checked here rather than by the foreign key: SQLite reports those only as "FOREIGN KEY
    // constraint failed", without saying which.
    if (count("FROM accounts WHERE id = ?1", [&](sqlite::Statement& s) { s.bind(1, accountId); }) == 0) {
      throw StoreConflict("coHosts");
    }
    sqlite::Statement insert(db_, "INSERT OR IGNORE INTO room_cohosts (room_id, account_id) VALUES (?1, ?2)");
    insert.bindAll(roomId, accountId).run();
  }
  transaction.commit();
  return true;
}

std::vector<RecordingRecord> SqliteStore::queryRecordings(const std::string& tail, const Binder& bind) {
  sqlite::Statement query(db_, std::string(kRecordingColumns) + tail);
  bind(query);
  std::vector<RecordingRecord> rows;
  while (query.step()) rows.push_back(readRecording(query));
  return rows;
}

void SqliteStore::createRecording(const RecordingRecord& r) {
  std::lock_guard lock(mutex_);
  sqlite::Statement insert(db_,
                           "INSERT INTO recordings (id, room_id, started_by, started_at, stopped_at, duration_ms, bytes, "
                           "state, notice_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  insert.bindAll(r.id, r.roomId, r.startedBy, r.startedAt, r.stoppedAt, r.durationMs, r.bytes,
                 std::string(toString(r.state)), r.noticeCount);
  insert.run();
}

bool SqliteStore::updateRecording(const RecordingRecord& r) {
  std::lock_guard lock(mutex_);
  sqlite::Statement update(db_,
                           "UPDATE recordings SET stopped_at = ?2, duration_ms = ?3, bytes = ?4, state = ?5, "
                           "notice_count = ?6 WHERE id = ?1");
  update.bindAll(r.id, r.stoppedAt, r.durationMs, r.bytes, std::string(toString(r.state)), r.noticeCount);
  update.run();
  return db_.changes() > 0;
}

std::optional<RecordingRecord> SqliteStore::recordingById(const std::string& id) {
  std::lock_guard lock(mutex_);
  return first(queryRecordings("WHERE id = ?1", [&](sqlite::Statement& q) { q.bind(1, id); }));
}

std::vector<RecordingRecord> SqliteStore::recordingsOfRoom(std::int64_t roomId) {
  std::lock_guard lock(mutex_);
  return queryRecordings("WHERE room_id = ?1 ORDER BY started_at DESC, id",
                         [&](sqlite::Statement& q) { q.bind(1, roomId); });
}

std::vector<RecordingRecord> SqliteStore::recordingsInState(RecordingState state) {
  std::lock_guard lock(mutex_);
  return queryRecordings("WHERE state = ?1 ORDER BY started_at, id",
                         [&](sqlite::Statement& q) { q.bind(1, std::string(toString(state))); });
}

std::vector<RecordingRecord> SqliteStore::recordingsStoppedBefore(std::int64_t time) {
  std::lock_guard lock(mutex_);
  return queryRecordings("WHERE state <> 'recording' AND stopped_at < ?1 ORDER BY stopped_at, id",
                         [&](sqlite::Statement& q) { q.bind(1, time); });
}

bool SqliteStore::deleteRecording(const std::string& id) {
  std::lock_guard lock(mutex_);
  sqlite::Statement remove(db_, "DELETE FROM recordings WHERE id = ?1");
  remove.bind(1, id).run();
  return db_.changes() > 0;
}

void SqliteStore::createSession(const SessionRecord& session) {
  std::lock_guard lock(mutex_);
  sqlite::Statement insert(db_,
                           "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, expires_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.bindAll(session.idHash, session.accountId, session.csrfToken, session.createdAt, session.expiresAt);
  insert.run();
}

std::optional<SessionRecord> SqliteStore::sessionByIdHash(const std::string& idHash) {
  std::lock_guard lock(mutex_);
  sqlite::Statement query(db_,
                          "SELECT id_hash, account_id, csrf_token, created_at, expires_at FROM sessions "
                          "WHERE id_hash = ?1");
  query.bind(1, idHash);
  if (!query.step()) return std::nullopt;
  return SessionRecord{query.text(0), query.integer(1), query.text(2), query.integer(3), query.integer(4)};
}

void SqliteStore::setSessionExpiry(const std::string& idHash, std::int64_t expiresAt) {
  std::lock_guard lock(mutex_);
  sqlite::Statement update(db_, "UPDATE sessions SET expires_at = ?2 WHERE id_hash = ?1");
  update.bindAll(idHash, expiresAt).run();
}

void SqliteStore::deleteSession(const std::string& idHash) {
  std::lock_guard lock(mutex_);
  sqlite::Statement remove(db_, "DELETE FROM sessions WHERE id_hash = ?1");
  remove.bind(1, idHash).run();
}

void SqliteStore::deleteSessionsOf(std::int64_t accountId, const std::string& keepIdHash) {
  std::lock_guard lock(mutex_);
  sqlite::Statement remove(db_, "DELETE FROM sessions WHERE account_id = ?1 AND id_hash <> ?2");
  remove.bindAll(accountId, keepIdHash).run();
}

void SqliteStore::deleteSessionsExpiredAt(std::int64_t now) {
  std::lock_guard lock(mutex_);
  sqlite::Statement remove(db_, "DELETE FROM sessions WHERE expires_at <= ?1");
  remove.bind(1, now).run();
}

}  // namespace plenum::appliance
