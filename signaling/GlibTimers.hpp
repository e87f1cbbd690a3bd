// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Timers on a GLib main context: the conference thread's (EventLoop). Without a context given,
// a timer goes to the thread-default context of the thread that starts it, which on the
// conference thread is the EventLoop's (it pushes its context as the thread default).
#include "signaling/Timers.hpp"

#include <glib.h>

namespace plenum::signaling {

class GlibTimers : public Timers {
public:
  explicit GlibTimers(GMainContext* context = nullptr);
  ~GlibTimers() override;
  GlibTimers(const GlibTimers&) = delete;
  GlibTimers& operator=(const GlibTimers&) = delete;

  SteadyTime now() const override;
  WallTime wallNow() const override;
  std::unique_ptr<Timer> after(std::chrono::milliseconds delay, std::function<void()> work) override;

private:
  // passed in (referenced), may be null
  GMainContext* context_;
};

}  // namespace plenum::signaling
