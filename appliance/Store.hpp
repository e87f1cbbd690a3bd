// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What plenumd keeps on disk: accounts, login sessions and persistent rooms. An interface, so
// that a PostgreSQL store (cluster mode) can stand in for SqliteStore. Implementations are
// thread-safe (HTTP and WebSocket threads call them; the conference thread never does) and take
// times as Unix seconds from the caller, so that tests control the clock.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace plenum::appliance {

enum class AccountRole { Staff, Admin };
const char* toString(AccountRole role);
std::optional<AccountRole> accountRoleFrom(const std::string& text);

struct Account {
  std::int64_t id = 0;
  std::string username;
  std::string displayName;
  std::string passwordHash;  // argon2id, libsodium's encoded form
  AccountRole role = AccountRole::Staff;
  bool disabled = false;
  std::int64_t createdAt = 0;
};

struct RoomRecord {
  std::int64_t id = 0;
  std::string slug;
  std::string title;
  std::int64_t ownerId = 0;
  std::optional<std::string> passwordHash;  // none: no room password
  bool lobby = false;
  int maxParticipants = 25;
  std::string pin;          // 6-9 digits, unique
  std::string inviteToken;  // the /j/<token> link, unique
  std::int64_t createdAt = 0;
};

// A recording of a persistent room's meeting. Its file is RecordingFiles::finalPath (while it
// records: partPath). Times are Unix seconds.
enum class RecordingState {
  Recording,   // being written
  Processing,  // stopped; the file is being finalised (moments)
  Ready,       // stopped and finalised: the file plays
  Recovered,   // plenumd stopped without finishing it (crash, power cut); repaired at start-up
  Failed,      // nothing usable could be made of it (no file is kept)
};
const char* toString(RecordingState state);
std::optional<RecordingState> recordingStateFrom(const std::string& text);

struct RecordingRecord {
  std::string id;                // random, in URLs and file names
  std::int64_t roomId = 0;
  std::int64_t startedBy = 0;    // the account of the moderator who started it (kept as a number
                                 // when the account is deleted: accountability, no names)
  std::int64_t startedAt = 0;
  std::int64_t stoppedAt = 0;    // 0 while it records
  std::int64_t durationMs = 0;   // of the file, once finalised
  std::int64_t bytes = 0;        // of the file, once finalised
  RecordingState state = RecordingState::Recording;
  std::int64_t noticeCount = 0;  // how many people were shown the recording notice
};

struct SessionRecord {
  std::string idHash;  // hash of the cookie value; the value itself is never stored
  std::int64_t accountId = 0;
  std::string csrfToken;
  std::int64_t createdAt = 0;
  std::int64_t expiresAt = 0;
};

// A write broke a uniqueness or integrity rule; `field` names it ("username", "slug", "pin",
// "inviteToken", "coHosts"; for deleteAccount "rooms", "heir", "last-admin").
class StoreConflict : public std::runtime_error {
public:
  explicit StoreConflict(std::string field)
      : std::runtime_error("duplicate " + field), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

private:
  std::string field_;
};

class Store {
public:
  virtual ~Store() = default;

  // Accounts. Usernames compare case-insensitively.
  virtual std::int64_t accountCount() = 0;
  virtual std::vector<Account> accounts() = 0;
  virtual std::optional<Account> accountById(std::int64_t id) = 0;
  virtual std::optional<Account> accountByUsername(const std::string& username) = 0;
  // Fills in `id`; throws StoreConflict("username").
  virtual Account createAccount(Account account) = 0;
  // Writes display name, password hash and disabled flag.
  virtual void updateAccount(const Account& account) = 0;
  // Enabled accounts with the admin role.
  virtual std::int64_t enabledAdminCount() = 0;
  // Erases the account and its sessions in one transaction; its rooms go to `heirId` first
  // (nullopt: it must own none). False when there is no such account. Throws
  // StoreConflict("rooms") when it owns rooms and no heir is given, StoreConflict("heir") when
  // the heir is missing or disabled, and StoreConflict("last-admin") when it is the last
  // enabled admin (checked inside the transaction, so two admins deleting each other at the
  // same moment cannot both succeed).
  virtual bool deleteAccount(std::int64_t id, std::optional<std::int64_t> heirId) = 0;

  // Rooms. Slugs compare case-insensitively.
  virtual std::vector<RoomRecord> rooms() = 0;
  virtual std::vector<RoomRecord> roomsOwnedBy(std::int64_t accountId) = 0;
  virtual std::optional<RoomRecord> roomById(std::int64_t id) = 0;
  virtual std::optional<RoomRecord> roomBySlug(const std::string& slug) = 0;
  virtual std::optional<RoomRecord> roomByInviteToken(const std::string& token) = 0;
  // The room a telephone caller's PIN names (PINs are unique across rooms).
  virtual std::optional<RoomRecord> roomByPin(const std::string& pin) = 0;
  // Fills in `id`; throws StoreConflict("slug" | "pin" | "inviteToken").
  virtual RoomRecord createRoom(RoomRecord room) = 0;
  // Writes title, password hash, lobby and participant limit.
  virtual void updateRoom(const RoomRecord& room) = 0;
  // Write only the PIN or only the invite token (so that renewing one never puts back an old
  // value of the other); false when there is no such room. Throw StoreConflict("pin" |
  // "inviteToken") when another room has that value.
  virtual bool setRoomPin(std::int64_t id, const std::string& pin) = 0;
  virtual bool setRoomInviteToken(std::int64_t id, const std::string& token) = 0;
  virtual bool deleteRoom(std::int64_t id) = 0;
  // The accounts the room's owner named as co-hosts (moderators of its meetings, like the
  // owner), in ascending id order. They go with the room or the account when either is deleted.
  virtual std::vector<std::int64_t> roomCoHosts(std::int64_t roomId) = 0;
  // Replaces the room's co-hosts in one transaction (duplicates count once). False when there
  // is no such room; throws StoreConflict("coHosts") when an id names no account.
  virtual bool setRoomCoHosts(std::int64_t roomId, const std::vector<std::int64_t>& accountIds) = 0;

  // Recordings. They go with their room (the caller deletes the files first).
  virtual void createRecording(const RecordingRecord& recording) = 0;
  // Writes stoppedAt, durationMs, bytes, state and noticeCount; false when there is no such row.
  virtual bool updateRecording(const RecordingRecord& recording) = 0;
  virtual std::optional<RecordingRecord> recordingById(const std::string& id) = 0;
  // Newest first.
  virtual std::vector<RecordingRecord> recordingsOfRoom(std::int64_t roomId) = 0;
  virtual std::vector<RecordingRecord> recordingsInState(RecordingState state) = 0;
  // Stopped recordings (any state but Recording) that stopped before `time`, oldest first.
  virtual std::vector<RecordingRecord> recordingsStoppedBefore(std::int64_t time) = 0;
  virtual bool deleteRecording(const std::string& id) = 0;

  // Login sessions.
  virtual void createSession(const SessionRecord& session) = 0;
  virtual std::optional<SessionRecord> sessionByIdHash(const std::string& idHash) = 0;
  virtual void setSessionExpiry(const std::string& idHash, std::int64_t expiresAt) = 0;
  virtual void deleteSession(const std::string& idHash) = 0;
  // Ends every session of the account except the one with `keepIdHash` ("" keeps none).
  virtual void deleteSessionsOf(std::int64_t accountId, const std::string& keepIdHash) = 0;
  virtual void deleteSessionsExpiredAt(std::int64_t now) = 0;
};

}  // namespace plenum::appliance
