// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The conference thread (DESIGN.md, Threads): a GLib main loop that alone owns rooms,
// participants and pipelines. Other threads hand it work with post(); GStreamer bus watches and
// timers created on it run on it.
#include <glib.h>

#include <chrono>
#include <functional>
#include <thread>

namespace plenum::signaling {

class EventLoop {
public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void start();
  // Runs `beforeStop` on the loop (to close rooms), then ends the thread.
  void stop(std::function<void()> beforeStop = {});

  void post(std::function<void()> work);
  // Runs `work` on the loop and waits for it; false if it did not run within `timeout`.
  bool runAndWait(std::function<void()> work, std::chrono::milliseconds timeout);
  bool isLoopThread() const { return std::this_thread::get_id() == threadId_; }
  GMainContext* context() const { return context_; }
  // The loop's thread, for the watchdog's stack dump.
  std::thread::native_handle_type nativeHandle() { return thread_.native_handle(); }

private:
  GMainContext* context_;
  GMainLoop* loop_;
  std::thread thread_;
  std::thread::id threadId_;
};

}  // namespace plenum::signaling
