// SPDX-License-Identifier: EUPL-1.2
#include "signaling/GlibTimers.hpp"

#include <algorithm>

namespace plenum::signaling {

namespace {

// One g_timeout source. Destroying it destroys the source: GLib then never dispatches it, and
// if it is being dispatched right now GLib keeps the callback alive until it returns.
class GlibTimer : public Timers::Timer {
public:
  GlibTimer(GMainContext* context, std::chrono::milliseconds delay, std::function<void()> work) {
    const auto ms = delay.count() < 0 ? 0 : delay.count();
    source_ = g_timeout_source_new(static_cast<guint>(std::min<long long>(ms, G_MAXUINT)));
    g_source_set_callback(
        source_,
        [](gpointer data) -> gboolean {
          (*static_cast<std::function<void()>*>(data))();
          return G_SOURCE_REMOVE;
        },
        new std::function<void()>(std::move(work)),
        [](gpointer data) { delete static_cast<std::function<void()>*>(data); });
    g_source_attach(source_, context);
  }
  ~GlibTimer() override {
    g_source_destroy(source_);
    g_source_unref(source_);
  }
  GlibTimer(const GlibTimer&) = delete;
  GlibTimer& operator=(const GlibTimer&) = delete;

private:
  GSource* source_;
};

}  // namespace

GlibTimers::GlibTimers(GMainContext* context) : context_(context) {
  if (context_) g_main_context_ref(context_);
}

GlibTimers::~GlibTimers() {
  if (context_) g_main_context_unref(context_);
}

Timers::SteadyTime GlibTimers::now() const { return std::chrono::steady_clock::now(); }

Timers::WallTime GlibTimers::wallNow() const { return std::chrono::system_clock::now(); }

std::unique_ptr<Timers::Timer> GlibTimers::after(std::chrono::milliseconds delay, std::function<void()> work) {
  GMainContext* context = context_ ? context_ : g_main_context_get_thread_default();
  return std::make_unique<GlibTimer>(context, delay, std::move(work));
}

}  // namespace plenum::signaling
