// SPDX-License-Identifier: EUPL-1.2
#include "mixer/PhonePrompter.hpp"

#include "mixer/ElementReaper.hpp"
#include "mixer/GstUtil.hpp"
#include "mixer/RtpPhoneCodecs.hpp"

#include <gst/app/gstappsrc.h>

#include <algorithm>

namespace plenum::mixer {

namespace {

constexpr int kRate = 48000;
constexpr std::size_t kChunk = kRate / 50;  // 20 ms, one packet's worth
constexpr guint kTickMs = 20;

GstClockTime samplesToTime(std::size_t samples) { return gst_util_uint64_scale(samples, GST_SECOND, kRate); }

}  // namespace

PhonePrompter::PhonePrompter(const std::string& id, GSocket* socket, const PhoneRtp& rtp,
                             std::chrono::seconds rtpTimeout, PhoneEvents& events)
    : id_(id), events_(events),
      pipeline_(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new(("phone-menu-" + id).c_str())))),
      input_(std::make_unique<PhoneRtpInput>(id, socket, rtp, rtpTimeout, events)),
      context_(g_main_context_ref_thread_default()) {
  // The system clock with a base time of our own choosing: running time is then known without
  // asking the pipeline, and the prompt's timestamps are running time.
  GstClock* clock = gst_system_clock_obtain();
  gst_pipeline_use_clock(GST_PIPELINE(pipeline_), clock);
  gst_element_set_start_time(pipeline_, GST_CLOCK_TIME_NONE);
  gst_element_set_base_time(pipeline_, gst_clock_get_time(clock));
  gst_object_unref(clock);

  // In: only the keypad matters, as events (the probe of PhoneRtpInput) or as tones in the
  // decoded audio, which is then thrown away.
  std::vector<GstElement*> in{input_->source()};
  for (GstElement* element : makePhoneDecoder(rtp, "phone-" + id + "-in")) in.push_back(element);
  GstElement* drop = makeElement("fakesink");
  g_object_set(drop, "sync", FALSE, "async", FALSE, nullptr);
  in.push_back(drop);
  addAndLink(pipeline_, in);
  GstPad* decoded = gst_element_get_static_pad(in[in.size() - 2], "src");
  input_->watchTones(decoded);
  gst_object_unref(decoded);

  // Out: prompt audio, timestamped by us, paced by the sink.
  appsrc_ = makeElement("appsrc", "phone-" + id + "-prompts");
  GstCaps* caps = gst_caps_from_string("audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved");
  g_object_set(appsrc_, "caps", caps, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", FALSE, nullptr);
  gst_caps_unref(caps);
  std::vector<GstElement*> chain{appsrc_};
  for (GstElement* element : makePhoneEncoder(rtp, "phone-" + id)) chain.push_back(element);
  g_object_set(input_->sink(), "sync", TRUE, nullptr);
  chain.push_back(input_->sink());
  addAndLink(pipeline_, chain);

  GstBus* bus = gst_pipeline_get_bus(GST_PIPELINE(pipeline_));
  GSource* watch = gst_bus_create_watch(bus);
  g_source_set_callback(watch, reinterpret_cast<GSourceFunc>(reinterpret_cast<void (*)()>(&PhonePrompter::onBusMessage)),
                        this, nullptr);
  busWatch_ = g_source_attach(watch, context_);
  g_source_unref(watch);
  gst_object_unref(bus);

  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
}

PhonePrompter::~PhonePrompter() {
  stopTicking();
  if (GSource* watch = g_main_context_find_source_by_id(context_, busWatch_)) g_source_destroy(watch);
  input_.reset();
  // Stopped off this thread; the probe's state is owned by the probe.
  ElementReaper::retirePipeline(pipeline_);
  g_main_context_unref(context_);
}

void PhonePrompter::play(PromptAudio audio) {
  if (!audio || audio->empty()) return;
  queue_.push_back(std::move(audio));
  if (tick_ == 0) {
    GSource* tick = g_timeout_source_new(kTickMs);
    g_source_set_callback(tick, &PhonePrompter::onTick, this, nullptr);
    tick_ = g_source_attach(tick, context_);
    g_source_unref(tick);
  }
  feed();
}

void PhonePrompter::clearPrompts() {
  queue_.clear();
  offset_ = 0;
  stopTicking();
}

void PhonePrompter::stopTicking() {
  if (tick_ == 0) return;
  if (GSource* tick = g_main_context_find_source_by_id(context_, tick_)) g_source_destroy(tick);
  tick_ = 0;
}

GstClockTime PhonePrompter::runningTime() const {
  GstClock* clock = gst_pipeline_get_clock(GST_PIPELINE(pipeline_));
  const GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  const GstClockTime base = gst_element_get_base_time(pipeline_);
  return now > base ? now - base : 0;
}

bool PhonePrompter::feed() {
  const GstClockTime now = runningTime();
  const GstClockTime lead = std::chrono::duration_cast<std::chrono::nanoseconds>(kLead).count();
  bool discont = false;
  if (!queue_.empty() && (!GST_CLOCK_TIME_IS_VALID(nextPts_) || nextPts_ < now)) {
    // Starting (again) after a pause: a little ahead, so the first packet is not late.
    nextPts_ = now + 2 * kTickMs * GST_MSECOND;
    discont = true;
  }
  while (!queue_.empty() && nextPts_ < now + lead) {
    const auto& samples = *queue_.front();
    const std::size_t count = std::min(kChunk, samples.size() - offset_);
    GstBuffer* buffer = gst_buffer_new_memdup(samples.data() + offset_, count * sizeof(std::int16_t));
    GST_BUFFER_PTS(buffer) = nextPts_;
    GST_BUFFER_DURATION(buffer) = samplesToTime(count);
    if (discont) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
    discont = false;
    nextPts_ += samplesToTime(count);
    const GstFlowReturn flow = gst_app_src_push_buffer(GST_APP_SRC(appsrc_), buffer);  // takes the buffer
    if (flow != GST_FLOW_OK && flow != GST_FLOW_FLUSHING) {
      g_warning("phone %s: prompt audio not taken: %s", id_.c_str(), gst_flow_get_name(flow));
    }
    offset_ += count;
    if (offset_ >= samples.size()) {
      queue_.pop_front();
      offset_ = 0;
    }
  }
  return queue_.empty() && GST_CLOCK_TIME_IS_VALID(nextPts_) && now >= nextPts_;
}

// Every 20 ms while prompts play. OnPhonePromptsDone is called last: its handler may destroy us.
gboolean PhonePrompter::onTick(gpointer data) {
  auto* self = static_cast<PhonePrompter*>(data);
  if (!self->feed()) return G_SOURCE_CONTINUE;
  self->tick_ = 0;
  PhoneEvents& events = self->events_;
  events.OnPhonePromptsDone();
  return G_SOURCE_REMOVE;
}

gboolean PhonePrompter::onBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<PhonePrompter*>(data);
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    GError* error = nullptr;
    gst_message_parse_error(message, &error, nullptr);
    g_warning("phone %s: voice menu: %s: %s", self->id_.c_str(), GST_OBJECT_NAME(GST_MESSAGE_SRC(message)),
              error ? error->message : "unknown error");
    g_clear_error(&error);
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace plenum::mixer
