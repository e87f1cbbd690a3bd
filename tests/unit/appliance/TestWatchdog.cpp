// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Watchdog.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using namespace plenum;
using namespace std::chrono_literals;

namespace {

// Polls `condition` for up to `limit` (generous: a loaded 2-core machine).
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = 10s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace

TEST_CASE("Watchdog: a conference thread that answers is left alone", "[watchdog]") {
  signaling::EventLoop loop;
  loop.start();
  std::atomic<int> hung{0};
  {
    appliance::Watchdog watchdog(loop, 200ms, [&] { ++hung; });
    // Busy but answering: short jobs, many times the timeout in all.
    for (int i = 0; i < 20; ++i) {
      loop.runAndWait([] { std::this_thread::sleep_for(20ms); }, 5s);
    }
  }
  CHECK(hung == 0);
  loop.stop();
}

TEST_CASE("Watchdog: a conference thread stuck for longer than the timeout is reported once", "[watchdog]") {
  signaling::EventLoop loop;
  loop.start();
  std::atomic<int> hung{0};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  {
    appliance::Watchdog watchdog(loop, 300ms, [&] { ++hung; });
    loop.post([released] { released.wait(); });  // a wait on something that does not come
    REQUIRE(eventually([&] { return hung > 0; }));
    std::this_thread::sleep_for(500ms);  // it does not fire again
    CHECK(hung == 1);
    release.set_value();
  }
  loop.stop();
}
