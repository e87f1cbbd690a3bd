// SPDX-License-Identifier: EUPL-1.2
// Tests of signaling/GlibTimers on a GLib main context of their own: a timer fires once on the
// context, a destroyed (cancelled) one never does, and one may go from inside its own callback.
#include "signaling/GlibTimers.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace plenum::signaling;
using namespace std::chrono_literals;

namespace {

// Runs the context until `done` or a second has passed.
template <class Done>
void iterateUntil(GMainContext* context, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (!done() && std::chrono::steady_clock::now() < deadline) g_main_context_iteration(context, FALSE);
}

}  // namespace

SCENARIO("GLib timers fire once on their context, unless cancelled", "[signaling][GlibTimers]") {
  GMainContext* context = g_main_context_new();
  {
    GlibTimers timers(context);
    int fired = 0;
    int cancelledFired = 0;
    const auto start = timers.now();
    auto timer = timers.after(5ms, [&] { ++fired; });
    auto cancelled = timers.after(1ms, [&] { ++cancelledFired; });
    cancelled.reset();
    iterateUntil(context, [&] { return fired > 0; });
    CHECK(fired == 1);
    // GLib counts from the time its loop cached, which may be a little early: the room sleeps
    // the rest if woken before the time is up (Room::OnFloorTimer).
    CHECK(timers.now() - start >= 4ms);
    iterateUntil(context, [] { return false; });  // a while longer
    CHECK(fired == 1);
    CHECK(cancelledFired == 0);

    std::unique_ptr<Timers::Timer> self;
    int selfFired = 0;
    self = timers.after(1ms, [&] {
      ++selfFired;
      self.reset();  // e.g. a room changing the floor from the time-up
    });
    iterateUntil(context, [&] { return selfFired > 0; });
    CHECK(selfFired == 1);
    CHECK_FALSE(self);
  }
  g_main_context_unref(context);
}
