// SPDX-License-Identifier: EUPL-1.2
#include "signaling/EventLoop.hpp"

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>

namespace plenum::signaling {

EventLoop::EventLoop() : context_(g_main_context_new()), loop_(g_main_loop_new(context_, FALSE)) {}

EventLoop::~EventLoop() {
  stop();
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

void EventLoop::start() {
  if (thread_.joinable()) return;
  std::promise<void> started;
  thread_ = std::thread([this] {
    threadId_ = std::this_thread::get_id();
    g_main_context_push_thread_default(context_);
    g_main_loop_run(loop_);
    // Work posted after the loop ended is run here so that nothing is lost or leaked.
    while (g_main_context_iteration(context_, FALSE)) {
    }
    g_main_context_pop_thread_default(context_);
  });
  while (!g_main_loop_is_running(loop_)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void EventLoop::stop(std::function<void()> beforeStop) {
  if (!thread_.joinable()) return;
  if (beforeStop) runAndWait(std::move(beforeStop), std::chrono::seconds(10));
  post([this] { g_main_loop_quit(loop_); });
  thread_.join();
}

void EventLoop::post(std::function<void()> work) {
  auto* job = new std::function<void()>(std::move(work));
  g_main_context_invoke_full(
      context_, G_PRIORITY_DEFAULT,
      [](gpointer data) -> gboolean {
        (*static_cast<std::function<void()>*>(data))();
        return G_SOURCE_REMOVE;
      },
      job, [](gpointer data) { delete static_cast<std::function<void()>*>(data); });
}

bool EventLoop::runAndWait(std::function<void()> work, std::chrono::milliseconds timeout) {
  if (isLoopThread()) {
    work();
    return true;
  }
  struct State {
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
  };
  auto state = std::make_shared<State>();
  post([state, work = std::move(work)] {
    work();
    std::lock_guard lock(state->mutex);
    state->finished = true;
    state->done.notify_all();
  });
  std::unique_lock lock(state->mutex);
  return state->done.wait_for(lock, timeout, [&] { return state->finished; });
}

}  // namespace plenum::signaling
