// SPDX-License-Identifier: EUPL-1.2
#include "mixer/PhoneEndpoint.hpp"

#include "mixer/GstUtil.hpp"
#include "mixer/RtpPhoneCodecs.hpp"

#include <algorithm>
#include <deque>
#include <limits>
#include <mutex>

namespace plenum::mixer {

// Prompts waiting to be mixed into what the caller hears: filled on the conference thread,
// drained by the probe on the hearing branch's thread (a short lock per 20 ms buffer).
struct PhoneEndpoint::PromptMix {
  std::mutex mutex;
  std::deque<PromptAudio> queue;
  std::size_t offset = 0;       // samples of queue.front() already mixed
  unsigned generation = 0;      // bumped by clearPrompts: a done posted before is void
  GMainContext* context;        // the conference thread's (our reference)
  std::weak_ptr<Liveness> alive;
  PhoneEvents* events;

  ~PromptMix() { g_main_context_unref(context); }

  // On the hearing thread: what the room sends is S16LE 48 kHz mono (Hearing::MixMinus), the
  // prompts' format; each sample is added with saturation.
  static GstPadProbeReturn onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
    PromptMix* self = static_cast<std::shared_ptr<PromptMix>*>(data)->get();
    std::unique_lock lock(self->mutex);
    if (self->queue.empty()) return GST_PAD_PROBE_OK;
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READWRITE)) return GST_PAD_PROBE_OK;
    auto* samples = reinterpret_cast<std::int16_t*>(map.data);
    const std::size_t count = map.size / sizeof(std::int16_t);
    for (std::size_t i = 0; i < count && !self->queue.empty();) {
      const auto& prompt = *self->queue.front();
      const std::size_t n = std::min(count - i, prompt.size() - self->offset);
      for (std::size_t k = 0; k < n; ++k) {
        const int sum = samples[i + k] + prompt[self->offset + k];
        samples[i + k] = static_cast<std::int16_t>(std::clamp(sum, int(std::numeric_limits<std::int16_t>::min()),
                                                              int(std::numeric_limits<std::int16_t>::max())));
      }
      i += n;
      self->offset += n;
      if (self->offset >= prompt.size()) {
        self->queue.pop_front();
        self->offset = 0;
      }
    }
    gst_buffer_unmap(buffer, &map);
    if (self->queue.empty()) {
      const unsigned generation = self->generation;
      lock.unlock();
      // The last of it goes out with this buffer (encoding and sending take well under 20 ms).
      postTo(self->context, self->alive, [self, generation] {
        // Alive checked by postTo: the endpoint (and so this state) still exists.
        std::unique_lock relock(self->mutex);
        if (self->generation != generation || !self->queue.empty()) return;
        relock.unlock();
        self->events->OnPhonePromptsDone();
      });
    }
    return GST_PAD_PROBE_OK;
  }
};

PhoneEndpoint::PhoneEndpoint(const std::string& id, const std::string& caption, GSocket* socket,
                             const PhoneRtp& rtp, std::chrono::seconds rtpTimeout, PhoneEvents& events,
                             Endpoint::Listener* listener)
    : Endpoint("phone", id, SeatSpec{caption, true, true, false, std::nullopt, Hearing::MixMinus, false}, listener),
      input_(std::make_unique<PhoneRtpInput>(id, socket, rtp, rtpTimeout, events)) {
  prompts_ = std::make_shared<PromptMix>();
  prompts_->context = g_main_context_ref_thread_default();
  prompts_->alive = alive_;
  prompts_->events = &events;

  // The caller's voice, decoded as it arrives; the room's seat converts and resamples it into
  // the mix itself. No jitter buffer: the PBX is on the city's network, and the seat's FIFO
  // (AudioMixLoop, up to 100 ms) already evens out arrival against the mix's 20 ms tick; an
  // rtpjitterbuffer would add its latency (40 ms) and a thread per caller for little.
  std::vector<GstElement*> in{input_->source()};
  for (GstElement* element : makePhoneDecoder(rtp, "phone-" + id)) in.push_back(element);
  addAndLink(bin(), in);
  GstPad* microphone = gst_element_get_static_pad(in.back(), "src");
  input_->watchTones(microphone);
  setPadTarget(kMicrophonePad, microphone);
  gst_object_unref(microphone);

  // What the caller hears: its own thread (the queue), so that the room's mixing thread never
  // encodes for a caller nor waits on the network; leaky, so a stall drops audio, not time.
  GstElement* queue = makeLeakyQueue(0, 100 * GST_MSECOND, "phone-" + id + "-hearing");
  std::vector<GstElement*> out{queue};
  for (GstElement* element : makePhoneEncoder(rtp, "phone-" + id)) out.push_back(element);
  // The room's mixing loop paces what it sends (one buffer per 20 ms): sent when it comes.
  g_object_set(input_->sink(), "sync", FALSE, nullptr);
  out.push_back(input_->sink());
  addAndLink(bin(), out);
  GstPad* mixed = gst_element_get_static_pad(queue, "src");
  gst_pad_add_probe(mixed, GST_PAD_PROBE_TYPE_BUFFER, &PromptMix::onBuffer,
                    new std::shared_ptr<PromptMix>(prompts_), [](gpointer data) {
                      delete static_cast<std::shared_ptr<PromptMix>*>(data);
                    });
  gst_object_unref(mixed);
  GstPad* hearing = gst_element_get_static_pad(queue, "sink");
  setPadTarget(kHearingPad, hearing);
  gst_object_unref(hearing);
  // The bin starts when a mixer attaches it.
}

PhoneEndpoint::~PhoneEndpoint() {
  alive_.reset();  // a posted "prompts done" is dropped from here on
  // ~Endpoint detaches us and stops the bin off this thread.
}

void PhoneEndpoint::play(PromptAudio audio) {
  if (!audio || audio->empty()) return;
  std::lock_guard lock(prompts_->mutex);
  prompts_->queue.push_back(std::move(audio));
}

void PhoneEndpoint::clearPrompts() {
  std::lock_guard lock(prompts_->mutex);
  prompts_->queue.clear();
  prompts_->offset = 0;
  ++prompts_->generation;
}

}  // namespace plenum::mixer
