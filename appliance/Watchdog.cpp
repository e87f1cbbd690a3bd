// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Watchdog.hpp"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <memory>

namespace plenum::appliance {

namespace {

// The conference thread writes its own stack when the watchdog signals it (only a thread can
// walk its own stack). backtrace_symbols_fd does not allocate; names need -rdynamic.
constexpr int kStackSignal = 40;  // within SIGRTMIN..SIGRTMAX, unused by glibc, GLib and Poco
std::atomic<bool> stackWritten{false};

void writeOwnStack(int) {
  void* frames[64];
  const int count = backtrace(frames, 64);
  constexpr char kHeading[] = "plenumd watchdog: the conference thread's stack:\n";
  [[maybe_unused]] auto written = write(STDERR_FILENO, kHeading, sizeof kHeading - 1);
  backtrace_symbols_fd(frames, count, STDERR_FILENO);
  stackWritten = true;
}

}  // namespace

Watchdog::Watchdog(signaling::EventLoop& loop, std::chrono::milliseconds timeout, std::function<void()> onHung)
    : loop_(loop), timeout_(timeout), onHung_(std::move(onHung)) {
  void* warmUp[1];
  backtrace(warmUp, 1);  // loads libgcc now, not inside the signal handler
  struct sigaction action {};
  action.sa_handler = &writeOwnStack;
  sigemptyset(&action.sa_mask);
  sigaction(kStackSignal, &action, nullptr);
  thread_ = std::thread([this] { run(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::run() {
  using Clock = std::chrono::steady_clock;
  // Shared with the heartbeat job, which may run after the watchdog has gone.
  auto lastBeat = std::make_shared<std::atomic<Clock::rep>>(Clock::now().time_since_epoch().count());
  auto beatPending = std::make_shared<std::atomic<bool>>(false);
  const auto period = std::max(timeout_ / 4, std::chrono::milliseconds(10));
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    if (!beatPending->exchange(true)) {
      loop_.post([lastBeat, beatPending] {
        lastBeat->store(Clock::now().time_since_epoch().count());
        beatPending->store(false);
      });
    }
    const auto silent = Clock::now() - Clock::time_point(Clock::duration(lastBeat->load()));
    if (silent < timeout_) continue;
    dumpLoopStack();
    onHung_();
    return;
  }
}

void Watchdog::dumpLoopStack() {
  stackWritten = false;
  if (pthread_kill(loop_.nativeHandle(), kStackSignal) != 0) return;
  for (int i = 0; i < 100 && !stackWritten; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace plenum::appliance
