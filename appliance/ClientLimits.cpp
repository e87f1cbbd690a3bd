// SPDX-License-Identifier: EUPL-1.2
#include "appliance/ClientLimits.hpp"

#include "appliance/RateLimiter.hpp"

namespace plenum::appliance {

namespace {
constexpr auto kJoinWindow = std::chrono::minutes(1);
constexpr std::size_t kMaxJoinKeys = 100000;  // bounded memory under a flood of addresses
}  // namespace

ClientLimits::Ticket& ClientLimits::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    if (limits_) limits_->release(key_);
    limits_ = std::exchange(other.limits_, nullptr);
    key_ = std::move(other.key_);
  }
  return *this;
}

ClientLimits::Ticket::~Ticket() {
  if (limits_) limits_->release(key_);
}

ClientLimits::ClientLimits(int perAddress, int total, int joinsPerMinute, Clock clock)
    : perAddress_(perAddress), total_(total), joinsPerMinute_(joinsPerMinute), clock_(std::move(clock)) {}

ClientLimits::Ticket ClientLimits::openConnection(const std::string& address, Refusal& refusal) {
  const std::string key = clientAddressKey(address);
  std::lock_guard lock(mutex_);
  if (open_ >= total_) {
    refusal = Refusal::Server;
    return {};
  }
  int& mine = openByAddress_[key];
  if (mine >= perAddress_) {
    refusal = Refusal::Address;
    return {};
  }
  ++mine;
  ++open_;
  refusal = Refusal::None;
  return Ticket(this, key);
}

void ClientLimits::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  --open_;
  if (auto it = openByAddress_.find(key); it != openByAddress_.end() && --it->second <= 0) openByAddress_.erase(it);
}

bool ClientLimits::mayJoin(const std::string& address) {
  const std::string key = clientAddressKey(address);
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  if (joins_.size() >= kMaxJoinKeys) {
    std::erase_if(joins_, [&](const auto& entry) { return entry.second.empty() || now - entry.second.back() >= kJoinWindow; });
  }
  auto& times = joins_[key];
  while (!times.empty() && now - times.front() >= kJoinWindow) times.pop_front();
  if (static_cast<int>(times.size()) >= joinsPerMinute_) return false;
  times.push_back(now);
  return true;
}

std::size_t ClientLimits::openConnections() {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(open_);
}

}  // namespace plenum::appliance
