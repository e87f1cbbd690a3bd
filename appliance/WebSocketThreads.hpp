// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The threads that serve open WebSockets, one each, apart from the HTTP server's pool. A
// WebSocket lives as long as a meeting; on a pool thread, a few hundred idle ones (or an
// attacker's) would leave no thread for logins, /healthz and the pages. How many may be open
// is ClientLimits' business; this only runs them and, at shutdown, ends them.
#include "appliance/Wakeup.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

namespace plenum::appliance {

class WebSocketThreads {
public:
  // Tells the sessions that the server stops: requested() turns true and fd() turns readable
  // for good, so that a session waiting in poll() on it wakes at once.
  class Stop {
  public:
    bool requested() const { return requested_; }
    int fd() const { return wakeup_.fd(); }

  private:
    friend class WebSocketThreads;
    std::atomic<bool> requested_{false};
    Wakeup wakeup_;  // signalled once, never cleared
  };
  // A session runs until it ends by itself or `stop` is requested (it watches stop.fd()).
  using Session = std::function<void(const Stop& stop)>;

  WebSocketThreads() = default;
  WebSocketThreads(const WebSocketThreads&) = delete;
  WebSocketThreads& operator=(const WebSocketThreads&) = delete;
  ~WebSocketThreads();

  // Runs the session on a thread of its own; false if no thread could be started (then the
  // session did not run).
  bool start(Session session);
  // Asks every session to end and waits for them, at most `timeout`; true if all ended.
  bool stopAll(std::chrono::milliseconds timeout);
  std::size_t running() const;

private:
  Stop stop_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t running_ = 0;
};

}  // namespace plenum::appliance
