// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Ends plenumd when the conference thread stops answering (a deadlock, a wait on a media stream
// that never comes): better a restart by systemd (Restart=on-failure) within seconds than a
// server that looks alive and serves nobody. A thread of its own posts a heartbeat to the
// conference thread every `timeout / 4`; when none has run for `timeout`, it writes the conference
// thread's stack to standard error (the journal) and calls onHung, once.
#include "signaling/EventLoop.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace plenum::appliance {

class Watchdog {
public:
  Watchdog(signaling::EventLoop& loop, std::chrono::milliseconds timeout, std::function<void()> onHung);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

private:
  void run();
  void dumpLoopStack();

  // passed in
  signaling::EventLoop& loop_;
  const std::chrono::milliseconds timeout_;
  std::function<void()> onHung_;
  // other
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: started when everything else is ready
};

}  // namespace plenum::appliance
