// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Hands work from GStreamer's streaming threads to the conference thread (DESIGN.md, Threads).
// The work runs only if its owner still lives: owners keep a shared Liveness and give out
// weak references; the owner dies on the conference thread, so the check cannot race.
#include <glib.h>

#include <functional>
#include <memory>

namespace plenum::mixer {

struct Liveness {};

inline void postTo(GMainContext* context, std::weak_ptr<Liveness> owner, std::function<void()> work) {
  struct Job {
    std::weak_ptr<Liveness> owner;
    std::function<void()> work;
  };
  auto* job = new Job{std::move(owner), std::move(work)};
  g_main_context_invoke_full(
      context, G_PRIORITY_DEFAULT,
      [](gpointer data) -> gboolean {
        auto* j = static_cast<Job*>(data);
        if (j->owner.lock()) j->work();
        return G_SOURCE_REMOVE;
      },
      job, [](gpointer data) { delete static_cast<Job*>(data); });
}

}  // namespace plenum::mixer
