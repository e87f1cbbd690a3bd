#include "appliance/RateLimiter.hpp"

namespace plenum::appliance {

using std::chrono::steady_clock;

RateLimiter::RateLimiter(int limit, std::chrono::seconds window, Clock clock)
    : limit_(limit), window_(window), clock_(std::move(clock)) {}

void RateLimiter::forgetOld(std::deque<steady_clock::time_point>& failures, steady_clock::time_point now) const {
  while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

int RateLimiter::retryAfter(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  const auto now = clock_();
  forgetOld(it->second, now);
  if (static_cast<int>(it->second.size()) < limit_) return 0;
  // Free again when the failure that makes the count reach the limit leaves the window.
  const auto freeAt = it->second[it->second.size() - static_cast<std::size_t>(limit_)] + window_;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(freeAt - now).count();
  return static_cast<int>(std::max<decltype(wait)>(wait, 1));
}

void RateLimiter::recordFailure(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  if (failures_.size() >= kMaxKeys && !failures_.count(key)) prune(now);
  auto& failures = failures_[key];
  forgetOld(failures, now);
  failures.push_back(now);
  // Only the newest `limit` failures decide when the key is free again.
  while (static_cast<int>(failures.size()) > limit_) failures.pop_front();
}

void RateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

std::size_t RateLimiter::keyCount() {
  std::lock_guard lock(mutex_);
  return failures_.size();
}

void RateLimiter::prune(steady_clock::time_point now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    forgetOld(it->second, now);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  // Still full of live keys (a flood from many addresses): make room rather than grow.
  while (failures_.size() >= kMaxKeys) failures_.erase(failures_.begin());
}

}  // namespace plenum::appliance
