#pragma once
// Counts failed attempts per key (an account, a room, a client address) in a sliding window:
// after `limit` failures within `window`, the key must wait until the oldest of them is older
// than the window. Keys live in memory only (client addresses are never written anywhere).
// Thread-safe.
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace plenum::appliance {

class RateLimiter {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  static constexpr std::size_t kMaxKeys = 100000;  // bounded memory under a flood of addresses

  RateLimiter(int limit, std::chrono::seconds window, Clock clock = &std::chrono::steady_clock::now);

  // Whole seconds until `key` may try again (rounded up); 0 when it may try now.
  int retryAfter(const std::string& key);
  void recordFailure(const std::string& key);
  // Forgets the key's failures (after a successful login to that account).
  void reset(const std::string& key);
  std::size_t keyCount();

private:
  void forgetOld(std::deque<std::chrono::steady_clock::time_point>& failures,
                 std::chrono::steady_clock::time_point now) const;
  void prune(std::chrono::steady_clock::time_point now);

  // passed in
  const int limit_;
  const std::chrono::seconds window_;
  Clock clock_;
  // owned
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;
};

}  // namespace plenum::appliance
