// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Counts attempts per key (an account, a room, a client address) in a sliding window: at most
// `limit` within `window`. An attempt is counted (reserved) *before* it is checked, so that
// parallel attempts cannot all pass while the first is still being verified; a successful one
// is taken back (release). Each attempt remembers its source (the client address that made it,
// or the account it was against): with WhenFull::RefuseKnownSources a full key refuses only the
// sources that helped fill it, and lets other sources try once each until the key holds
// kFreshSourceFactor times its limit, so that someone else's wrong guesses cannot lock the
// owner out, and many addresses together still get only a bounded number of guesses.
// Keys live in memory only (client addresses are never written anywhere). Thread-safe.
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace plenum::appliance {

// The key under which a client address is rate-limited: an IPv4 address as it is, an IPv6
// address by its /64 (one household or server gets a whole /64 and may rotate within it), an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address; anything else as it is.
std::string clientAddressKey(const std::string& address);

class RateLimiter {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::size_t kMaxKeys = 100000;  // bounded memory under a flood of addresses
  static constexpr int kFreshSourceFactor = 4;

  enum class WhenFull {
    RefuseAll,           // a full key refuses every source
    RefuseKnownSources,  // ... only its sources, others once each up to kFreshSourceFactor * limit
  };

  RateLimiter(int limit, std::chrono::seconds window, Clock clock = &std::chrono::steady_clock::now,
              WhenFull whenFull = WhenFull::RefuseAll);

  // Counts an attempt of `source` at `key` before it is checked: 0 when it may go ahead (it is
  // counted now), otherwise whole seconds to wait (rounded up; nothing counted).
  int reserve(const std::string& key, const std::string& source = "");
  // Takes back one counted attempt of `source` at `key` (it succeeded, or was not made after all).
  void release(const std::string& key, const std::string& source = "");
  // Forgets every attempt of `source` at `key` (a success: that source's earlier typos are over).
  void forgetSource(const std::string& key, const std::string& source);

  // Whole seconds until `source` may try `key` (rounded up); 0 when it may try now. Counts nothing.
  int retryAfter(const std::string& key, const std::string& source = "");
  // Counts a failure whatever the limit says.
  void recordFailure(const std::string& key, const std::string& source = "");
  // Forgets the key's attempts.
  void reset(const std::string& key);
  std::size_t keyCount();

private:
  struct Attempt {
    TimePoint at;
    std::string source;
  };
  using Attempts = std::deque<Attempt>;

  void forgetOld(Attempts& attempts, TimePoint now) const;
  // When `source` may try next (<= now: at once), for attempts already free of old ones.
  TimePoint freeAt(const Attempts& attempts, const std::string& source, TimePoint now) const;
  void add(const std::string& key, const std::string& source, TimePoint now);
  void prune(TimePoint now);
  std::size_t capacity() const;

  // passed in
  const int limit_;
  const std::chrono::seconds window_;
  Clock clock_;
  const WhenFull whenFull_;
  // owned
  std::mutex mutex_;
  std::unordered_map<std::string, Attempts> attempts_;
};

}  // namespace plenum::appliance
