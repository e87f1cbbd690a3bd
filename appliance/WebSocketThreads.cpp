// SPDX-License-Identifier: EUPL-1.2
#include "appliance/WebSocketThreads.hpp"

#include <Poco/Logger.h>

#include <system_error>
#include <thread>

namespace plenum::appliance {

WebSocketThreads::~WebSocketThreads() { stopAll(std::chrono::seconds(5)); }

bool WebSocketThreads::start(Session session) {
  {
    std::lock_guard lock(mutex_);
    if (stop_.requested()) return false;
    ++running_;
  }
  try {
    std::thread([this, session = std::move(session)] {
      try {
        session(stop_);
      } catch (const std::exception& e) {
        Poco::Logger::get("plenum.signaling").error("WebSocket session failed: %s", std::string(e.what()));
      }
      std::lock_guard lock(mutex_);
      if (--running_ == 0) idle_.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    // Out of threads (TasksMax, memory): this connection is refused, the others go on.
    Poco::Logger::get("plenum.signaling").error("no thread for a WebSocket: %s", std::string(e.what()));
    std::lock_guard lock(mutex_);
    if (--running_ == 0) idle_.notify_all();
    return false;
  }
  return true;
}

bool WebSocketThreads::stopAll(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  stop_.requested_ = true;
  stop_.wakeup_.signal();
  return idle_.wait_for(lock, timeout, [this] { return running_ == 0; });
}

std::size_t WebSocketThreads::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace plenum::appliance
