// SPDX-License-Identifier: EUPL-1.2
#include "appliance/RateLimiter.hpp"

#include <Poco/Net/IPAddress.h>

#include <algorithm>
#include <cstring>

namespace plenum::appliance {

using std::chrono::steady_clock;

std::string clientAddressKey(const std::string& address) {
  Poco::Net::IPAddress ip;
  if (!Poco::Net::IPAddress::tryParse(address, ip)) return address;
  if (ip.family() == Poco::Net::IPAddress::IPv4) return ip.toString();
  unsigned char bytes[16];
  std::memcpy(bytes, ip.addr(), sizeof bytes);
  if (ip.isIPv4Mapped()) return Poco::Net::IPAddress(bytes + 12, 4).toString();
  std::fill(bytes + 8, bytes + 16, 0);  // the /64 prefix (also drops a zone id)
  return Poco::Net::IPAddress(bytes, sizeof bytes).toString() + "/64";
}

RateLimiter::RateLimiter(int limit, std::chrono::seconds window, Clock clock, WhenFull whenFull)
    : limit_(std::max(limit, 1)), window_(window), clock_(std::move(clock)), whenFull_(whenFull) {}

std::size_t RateLimiter::capacity() const {
  return static_cast<std::size_t>(limit_) * (whenFull_ == WhenFull::RefuseKnownSources ? kFreshSourceFactor : 1);
}

void RateLimiter::forgetOld(Attempts& attempts, steady_clock::time_point now) const {
  while (!attempts.empty() && now - attempts.front().at >= window_) attempts.pop_front();
}

steady_clock::time_point RateLimiter::freeAt(const Attempts& attempts, const std::string& source,
                                             steady_clock::time_point now) const {
  const auto count = attempts.size();
  const auto limit = static_cast<std::size_t>(limit_);
  if (count < limit) return now;
  // Anyone may try again when the attempt that makes the count reach the limit leaves the window.
  const auto belowLimit = attempts[count - limit].at + window_;
  if (whenFull_ == WhenFull::RefuseAll) return belowLimit;
  // A source that has not tried within the window may, while the key holds fewer than its capacity.
  auto fresh = count < capacity() ? now : attempts[count - capacity()].at + window_;
  const auto own = std::find_if(attempts.rbegin(), attempts.rend(), [&](const Attempt& a) { return a.source == source; });
  if (own != attempts.rend()) fresh = std::max(fresh, own->at + window_);
  return std::min(belowLimit, fresh);
}

int RateLimiter::retryAfter(const std::string& key, const std::string& source) {
  std::lock_guard lock(mutex_);
  auto it = attempts_.find(key);
  if (it == attempts_.end()) return 0;
  const auto now = clock_();
  forgetOld(it->second, now);
  const auto at = freeAt(it->second, source, now);
  if (at <= now) return 0;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(at - now).count();
  return static_cast<int>(std::max<decltype(wait)>(wait, 1));
}

int RateLimiter::reserve(const std::string& key, const std::string& source) {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  if (auto it = attempts_.find(key); it != attempts_.end()) {
    forgetOld(it->second, now);
    const auto at = freeAt(it->second, source, now);
    if (at > now) {
      const auto wait = std::chrono::ceil<std::chrono::seconds>(at - now).count();
      return static_cast<int>(std::max<decltype(wait)>(wait, 1));
    }
  }
  add(key, source, now);
  return 0;
}

void RateLimiter::release(const std::string& key, const std::string& source) {
  std::lock_guard lock(mutex_);
  auto it = attempts_.find(key);
  if (it == attempts_.end()) return;
  auto& attempts = it->second;
  const auto own = std::find_if(attempts.rbegin(), attempts.rend(), [&](const Attempt& a) { return a.source == source; });
  if (own != attempts.rend()) attempts.erase(std::next(own).base());
  if (attempts.empty()) attempts_.erase(it);
}

void RateLimiter::forgetSource(const std::string& key, const std::string& source) {
  std::lock_guard lock(mutex_);
  auto it = attempts_.find(key);
  if (it == attempts_.end()) return;
  auto& attempts = it->second;
  attempts.erase(std::remove_if(attempts.begin(), attempts.end(), [&](const Attempt& a) { return a.source == source; }),
                 attempts.end());
  if (attempts.empty()) attempts_.erase(it);
}

void RateLimiter::recordFailure(const std::string& key, const std::string& source) {
  std::lock_guard lock(mutex_);
  add(key, source, clock_());
}

void RateLimiter::add(const std::string& key, const std::string& source, steady_clock::time_point now) {
  if (attempts_.size() >= kMaxKeys && !attempts_.count(key)) prune(now);
  auto& attempts = attempts_[key];
  forgetOld(attempts, now);
  attempts.push_back({now, source});
  // Only the newest attempts decide when the key is free again.
  while (attempts.size() > capacity()) attempts.pop_front();
}

void RateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  attempts_.erase(key);
}

std::size_t RateLimiter::keyCount() {
  std::lock_guard lock(mutex_);
  return attempts_.size();
}

void RateLimiter::prune(steady_clock::time_point now) {
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    forgetOld(it->second, now);
    it = it->second.empty() ? attempts_.erase(it) : std::next(it);
  }
  // Still full of live keys (a flood from many addresses): make room rather than grow.
  while (attempts_.size() >= kMaxKeys) attempts_.erase(attempts_.begin());
}

}  // namespace plenum::appliance
