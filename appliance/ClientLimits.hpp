// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What one client address may hold of the server's signalling, and the whole server: WebSockets
// open at once per address (IPv6 by /64, see clientAddressKey) and in all, and join requests per
// address per minute. Each WebSocket has a thread of its own (WebSocketThreads), so the
// server-wide cap (signaling.max-websockets) bounds those threads and file descriptors.
// Thread-safe; memory stays bounded (addresses without open connections or recent joins
// are forgotten).
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace plenum::appliance {

class ClientLimits {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // One open WebSocket, counted while the ticket lives.
  class Ticket {
  public:
    Ticket() = default;
    Ticket(ClientLimits* limits, std::string key) : limits_(limits), key_(std::move(key)) {}
    Ticket(Ticket&& other) noexcept : limits_(std::exchange(other.limits_, nullptr)), key_(std::move(other.key_)) {}
    Ticket& operator=(Ticket&& other) noexcept;
    ~Ticket();
    explicit operator bool() const { return limits_ != nullptr; }

  private:
    ClientLimits* limits_ = nullptr;
    std::string key_;
  };

  enum class Refusal { None, Address, Server };

  ClientLimits(int perAddress, int total, int joinsPerMinute, Clock clock = &std::chrono::steady_clock::now);

  // A ticket for a new WebSocket from `address`; an empty one (and why) at a limit.
  Ticket openConnection(const std::string& address, Refusal& refusal);
  // Counts a join request from `address`; false when it made more than joinsPerMinute in the
  // last minute (then it is not counted).
  bool mayJoin(const std::string& address);

  std::size_t openConnections();

private:
  void release(const std::string& key);

  // passed in
  const int perAddress_;
  const int total_;
  const int joinsPerMinute_;
  Clock clock_;
  // owned
  std::mutex mutex_;
  int open_ = 0;
  std::unordered_map<std::string, int> openByAddress_;
  std::unordered_map<std::string, std::deque<std::chrono::steady_clock::time_point>> joins_;
};

}  // namespace plenum::appliance
