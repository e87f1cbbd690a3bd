// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Timers driven by hand for unit tests: time stands still until the test advances it, and the
// timers that fall due on the way fire in order, at their due time. No sleeping, no threads.
#include "signaling/Timers.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

namespace plenum::signaling {

class ManualTimers : public Timers {
public:
  // 2026-11-26 20:51:03.120 UTC: a fixed wall clock, so that times in messages are known.
  static WallTime startWallTime() {
    using namespace std::chrono;
    return sys_days{year{2026} / 11 / 26} + hours(20) + minutes(51) + seconds(3) + milliseconds(120);
  }

  SteadyTime now() const override { return steady_; }
  WallTime wallNow() const override { return wall_; }

  std::unique_ptr<Timer> after(std::chrono::milliseconds delay, std::function<void()> work) override {
    const std::uint64_t id = nextId_++;
    pending_.emplace(std::make_pair(steady_ + std::max(delay, std::chrono::milliseconds(0)), id), std::move(work));
    return std::make_unique<Handle>(*this, id);
  }

  // Lets `by` pass; timers due on the way fire, each with the clock at its due time.
  void advance(std::chrono::milliseconds by) {
    const SteadyTime until = steady_ + by;
    while (!pending_.empty() && pending_.begin()->first.first <= until) {
      auto due = pending_.begin();
      setTime(due->first.first);
      std::function<void()> work = std::move(due->second);  // the handle may go while it runs
      pending_.erase(due);
      work();
    }
    setTime(until);
  }

  std::size_t pending() const { return pending_.size(); }

private:
  class Handle : public Timer {
  public:
    Handle(ManualTimers& timers, std::uint64_t id) : timers_(timers), id_(id) {}
    ~Handle() override {
      std::erase_if(timers_.pending_, [&](const auto& entry) { return entry.first.second == id_; });
    }

  private:
    ManualTimers& timers_;
    std::uint64_t id_;
  };

  void setTime(SteadyTime to) {
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(to - steady_);
    steady_ = to;
  }

  SteadyTime steady_ = SteadyTime{} + std::chrono::hours(1000);
  WallTime wall_ = startWallTime();
  // by (due time, id): in order of due time, then of starting
  std::map<std::pair<SteadyTime, std::uint64_t>, std::function<void()>> pending_;
  std::uint64_t nextId_ = 1;
};

}  // namespace plenum::signaling
