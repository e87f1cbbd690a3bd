// SPDX-License-Identifier: EUPL-1.2
#include "mixer/ElementReaper.hpp"

#include <condition_variable>
#include <mutex>

namespace plenum::mixer {

namespace {

std::mutex mutex;
std::condition_variable idle;
std::size_t stopping = 0;

// A stop that takes longer than this is logged: something inside waited for a stream.
constexpr auto kSlowStop = std::chrono::seconds(2);

struct Retirement {
  std::vector<GstElement*> elements;  // one reference each, taken by retire()
  std::vector<std::pair<GstElement*, GstPad*>> pads;  // request pads to give back first (references)
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();

  static void run(GstElement*, gpointer data) {
    auto* self = static_cast<Retirement*>(data);
    for (auto& [owner, pad] : self->pads) gst_element_release_request_pad(owner, pad);
    for (GstElement* element : self->elements) gst_element_set_state(element, GST_STATE_NULL);
    const auto took = std::chrono::steady_clock::now() - self->since;
    if (took > kSlowStop) {
      g_warning("stopping %zu element(s) took %lld ms", self->elements.size(),
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    }
  }

  static void done(gpointer data) {
    auto* self = static_cast<Retirement*>(data);
    for (GstElement* element : self->elements) gst_object_unref(element);
    for (auto& [owner, pad] : self->pads) {
      gst_object_unref(pad);
      gst_object_unref(owner);
    }
    delete self;
    std::lock_guard lock(mutex);
    if (--stopping == 0) idle.notify_all();
  }
};

void start(Retirement* retirement) {
  if (retirement->elements.empty() && retirement->pads.empty()) {
    delete retirement;
    return;
  }
  {
    std::lock_guard lock(mutex);
    ++stopping;
  }
  GstElement* any = retirement->elements.empty() ? retirement->pads.front().first : retirement->elements.front();
  gst_element_call_async(any, &Retirement::run, retirement, &Retirement::done);
}

}  // namespace

void ElementReaper::retire(GstElement* bin, const std::vector<GstElement*>& elements) { retire(bin, elements, {}); }

void ElementReaper::retire(GstElement* bin, const std::vector<GstElement*>& elements, std::vector<PadRelease> pads) {
  auto* retirement = new Retirement;
  for (PadRelease& release : pads) {
    if (!release.pad) continue;
    retirement->pads.emplace_back(GST_ELEMENT(gst_object_ref(release.owner)), release.pad);
    release.pad = nullptr;
  }
  for (GstElement* element : elements) {
    if (!element) continue;
    // The bin must not change its state any more (a room that ends meanwhile).
    gst_element_set_locked_state(element, TRUE);
    retirement->elements.push_back(GST_ELEMENT(gst_object_ref(element)));
    gst_bin_remove(GST_BIN(bin), element);  // unlinks it from the pads above too
  }
  start(retirement);
}

void ElementReaper::retirePipeline(GstElement* pipeline) {
  start(new Retirement{{pipeline}});
}

std::size_t ElementReaper::pending() {
  std::lock_guard lock(mutex);
  return stopping;
}

bool ElementReaper::drain(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex);
  if (idle.wait_for(lock, timeout, [] { return stopping == 0; })) return true;
  g_warning("%zu element retirement(s) still stopping after %lld ms", stopping,
            static_cast<long long>(timeout.count()));
  return false;
}

}  // namespace plenum::mixer
