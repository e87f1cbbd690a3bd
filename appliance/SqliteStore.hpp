// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The Store in one SQLite file (WAL, so that readers and the writer do not block each other).
// One connection, used by one thread at a time (a mutex): HTTP and WebSocket threads wait for
// each other here, never for the conference thread, and the conference thread never calls it.
#include "appliance/Sqlite.hpp"
#include "appliance/Store.hpp"

#include <functional>
#include <mutex>

namespace plenum::appliance {

class SqliteStore : public Store {
public:
  // Opens (or creates) the file and brings its schema up to date (see Migrations).
  explicit SqliteStore(const std::string& path);

  std::int64_t accountCount() override;
  std::vector<Account> accounts() override;
  std::optional<Account> accountById(std::int64_t id) override;
  std::optional<Account> accountByUsername(const std::string& username) override;
  Account createAccount(Account account) override;
  void updateAccount(const Account& account) override;
  std::int64_t enabledAdminCount() override;
  bool deleteAccount(std::int64_t id, std::optional<std::int64_t> heirId) override;

  std::vector<RoomRecord> rooms() override;
  std::vector<RoomRecord> roomsOwnedBy(std::int64_t accountId) override;
  std::optional<RoomRecord> roomById(std::int64_t id) override;
  std::optional<RoomRecord> roomBySlug(const std::string& slug) override;
  std::optional<RoomRecord> roomByInviteToken(const std::string& token) override;
  std::optional<RoomRecord> roomByPin(const std::string& pin) override;
  RoomRecord createRoom(RoomRecord room) override;
  void updateRoom(const RoomRecord& room) override;
  bool setRoomPin(std::int64_t id, const std::string& pin) override;
  bool setRoomInviteToken(std::int64_t id, const std::string& token) override;
  bool deleteRoom(std::int64_t id) override;
  std::vector<std::int64_t> roomCoHosts(std::int64_t roomId) override;
  void createRecording(const RecordingRecord& recording) override;
  bool updateRecording(const RecordingRecord& recording) override;
  std::optional<RecordingRecord> recordingById(const std::string& id) override;
  std::vector<RecordingRecord> recordingsOfRoom(std::int64_t roomId) override;
  std::vector<RecordingRecord> recordingsInState(RecordingState state) override;
  std::vector<RecordingRecord> recordingsStoppedBefore(std::int64_t time) override;
  bool deleteRecording(const std::string& id) override;
  bool setRoomCoHosts(std::int64_t roomId, const std::vector<std::int64_t>& accountIds) override;

  void createSession(const SessionRecord& session) override;
  std::optional<SessionRecord> sessionByIdHash(const std::string& idHash) override;
  void setSessionExpiry(const std::string& idHash, std::int64_t expiresAt) override;
  void deleteSession(const std::string& idHash) override;
  void deleteSessionsOf(std::int64_t accountId, const std::string& keepIdHash) override;
  void deleteSessionsExpiredAt(std::int64_t now) override;

private:
  using Binder = std::function<void(sqlite::Statement&)>;
  // SELECT ... <tail>, the tail's parameters bound by `bind`; the caller holds mutex_.
  std::vector<Account> queryAccounts(const std::string& tail, const Binder& bind);
  std::vector<RoomRecord> queryRooms(const std::string& tail, const Binder& bind);
  std::vector<RecordingRecord> queryRecordings(const std::string& tail, const Binder& bind);
  // UPDATE rooms SET <column> = value WHERE id; unique violations as StoreConflict. The caller
  // holds mutex_.
  bool setRoomColumn(const char* column, std::int64_t id, const std::string& value);
  // SELECT count(*) ... <tail>; the caller holds mutex_.
  std::int64_t count(const std::string& tail, const Binder& bind);

  // owned
  std::mutex mutex_;
  sqlite::Database db_;
};

}  // namespace plenum::appliance
