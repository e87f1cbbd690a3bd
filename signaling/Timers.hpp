// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Time as the conference thread sees it: the clocks, and one-shot timers that fire on the
// conference thread. An interface, so that tests can drive time by hand (a fake clock) and the
// countdown, time-up and auto-end of a speaking time run without sleeping. GlibTimers is the
// real one.
#include <chrono>
#include <functional>
#include <memory>

namespace plenum::signaling {

class Timers {
public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  // A started timer. Destroying it cancels it: whoever owns the handle can never be called
  // after its own destruction.
  class Timer {
  public:
    virtual ~Timer() = default;
  };

  virtual ~Timers() = default;
  // For durations (countdowns, rates): never jumps.
  virtual SteadyTime now() const = 0;
  // For what people read (message times, file names): the calendar time.
  virtual WallTime wallNow() const = 0;
  // Calls `work` once, on the conference thread, `delay` from now (unless cancelled before).
  virtual std::unique_ptr<Timer> after(std::chrono::milliseconds delay, std::function<void()> work) = 0;
};

}  // namespace plenum::signaling
