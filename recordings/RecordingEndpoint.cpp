// SPDX-License-Identifier: EUPL-1.2
#include "recordings/RecordingEndpoint.hpp"

#include "mixer/GstUtil.hpp"
#include "mixer/RoomMixer.hpp"

#include <algorithm>
#include <atomic>

namespace plenum::recordings {

namespace {

mixer::SeatSpec recorderSeat() {
  mixer::SeatSpec seat;
  seat.composite = mixer::VideoCodec::H264;
  seat.hearing = mixer::Hearing::FullMix;
  return seat;
}

// Never holds up the room (a slow disk drops, it does not block the shared encoder), but keeps
// a few seconds: writing fragments may stall for a moment.
GstElement* makeRecorderQueue(const std::string& name) {
  GstElement* queue = mixer::makeElement("queue", name);
  g_object_set(queue, "leaky", 2 /* downstream */, "max-size-buffers", 0u, "max-size-bytes", 0u,
               "max-size-time", guint64(3 * GST_SECOND), nullptr);
  return queue;
}

}  // namespace

// The file's clock starts at 0 with its first key frame. Video before it is dropped, audio
// before it too, and every timestamp moves back by the room's running time at that frame: the
// room may have run for hours, and the fragments of a file that was never finished (a crash)
// would otherwise start that late.
struct RecordingEndpoint::Timeline {
  std::atomic<bool> open{false};
  std::atomic<GstClockTime> start{0};  // the first key frame's running time in the room

  // One per stream: the room's segment on it, to turn its timestamps into running time.
  struct Lane {
    Timeline* timeline;
    bool video;
    GstSegment segment;
  };

  static GstClockTime runningTime(const GstSegment& segment, GstClockTime ts) {
    return GST_CLOCK_TIME_IS_VALID(ts) ? gst_segment_to_running_time(&segment, GST_FORMAT_TIME, ts) : GST_CLOCK_TIME_NONE;
  }

  static GstPadProbeReturn onData(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* lane = static_cast<Lane*>(data);
    Timeline& timeline = *lane->timeline;
    if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
      GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
      if (GST_EVENT_TYPE(event) != GST_EVENT_SEGMENT) return GST_PAD_PROBE_OK;
      const GstSegment* segment = nullptr;
      gst_event_parse_segment(event, &segment);
      gst_segment_copy_into(segment, &lane->segment);
      GstSegment fromZero;
      gst_segment_init(&fromZero, GST_FORMAT_TIME);
      GstEvent* replacement = gst_event_new_segment(&fromZero);
      gst_event_set_seqnum(replacement, gst_event_get_seqnum(event));
      gst_event_unref(event);
      GST_PAD_PROBE_INFO_DATA(info) = replacement;
      return GST_PAD_PROBE_OK;
    }
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    const GstClockTime pts = runningTime(lane->segment, GST_BUFFER_PTS(buffer));
    const GstClockTime dts = runningTime(lane->segment, GST_BUFFER_DTS(buffer));
    if (!GST_CLOCK_TIME_IS_VALID(pts)) return GST_PAD_PROBE_DROP;
    if (!timeline.open) {
      if (!lane->video || GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT)) return GST_PAD_PROBE_DROP;
      timeline.start = GST_CLOCK_TIME_IS_VALID(dts) ? std::min(dts, pts) : pts;
      timeline.open = true;
    }
    const GstClockTime start = timeline.start;
    if (pts < start) return GST_PAD_PROBE_DROP;
    buffer = gst_buffer_make_writable(buffer);
    GST_BUFFER_PTS(buffer) = pts - start;
    GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_IS_VALID(dts) ? (dts > start ? dts - start : 0) : GST_CLOCK_TIME_NONE;
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    return GST_PAD_PROBE_OK;
  }

  // Watches `pad`'s buffers and segments for this timeline, as the video or the audio.
  void watch(GstElement* element, bool video, bool ownsTimeline) {
    auto* lane = new Lane{this, video, {}};
    gst_segment_init(&lane->segment, GST_FORMAT_TIME);
    GstPad* pad = gst_element_get_static_pad(element, "src");
    gst_pad_add_probe(pad, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM), &onData,
                      lane, ownsTimeline ? [](gpointer l) {
                        auto* owned = static_cast<Lane*>(l);
                        delete owned->timeline;
                        delete owned;
                      } : [](gpointer l) { delete static_cast<Lane*>(l); });
    gst_object_unref(pad);
  }
};

RecordingEndpoint::RecordingEndpoint(const std::string& id, std::string partPath, mixer::Endpoint::Listener* listener)
    : Endpoint("recorder", id, recorderSeat(), listener), partPath_(std::move(partPath)),
      context_(g_main_context_ref_thread_default()) {
  GstElement* videoQueue = makeRecorderQueue("recorder-" + id + "-video");
  GstElement* parse = mixer::makeElement("h264parse");
  GstElement* audioQueue = makeRecorderQueue("recorder-" + id + "-audio");
  GstElement* convert = mixer::makeElement("audioconvert");
  GstElement* aac = mixer::makeElement("avenc_aac");
  g_object_set(aac, "bitrate", 96000, nullptr);
  GstElement* mux = mixer::makeElement("mp4mux", "recorder-" + id + "-mux");
  g_object_set(mux, "fragment-duration", 1000u, nullptr);  // ms: what a crash may lose
  GstElement* file = mixer::makeElement("filesink", "recorder-" + id + "-file");
  // Each fragment reaches the disk when the muxer writes it: unbuffered (filesink's 64 KiB
  // buffer holds seconds of a low bitrate) and synchronous, so that neither a crash nor a
  // power cut loses more than the fragment being written.
  g_object_set(file, "location", partPath_.c_str(), "sync", FALSE, "async", FALSE, "o-sync", TRUE, nullptr);
  gst_util_set_object_arg(G_OBJECT(file), "buffer-mode", "unbuffered");
  mixer::addAndLink(bin(), {videoQueue, parse});
  mixer::addAndLink(bin(), {audioQueue, convert, aac});
  mixer::addAndLink(bin(), {mux, file});
  if (!gst_element_link_pads(parse, "src", mux, "video_%u") || !gst_element_link_pads(aac, "src", mux, "audio_%u")) {
    throw std::runtime_error("recorder: cannot link the muxer");
  }

  // The video's probe owns the timeline; the audio's shares it (one bin: neither outlives it).
  auto* timeline = new Timeline;
  timeline->watch(parse, true, true);
  timeline->watch(aac, false, false);

  GstPad* in = gst_element_get_static_pad(videoQueue, "sink");
  setPadTarget(kCompositePad, in);
  gst_object_unref(in);
  in = gst_element_get_static_pad(audioQueue, "sink");
  setPadTarget(kHearingPad, in);
  gst_object_unref(in);

  // The end of the file (the muxer's last fragment written) is seen where it arrives: at the
  // file sink, on its streaming thread.
  struct Relay {
    GMainContext* context;
    std::weak_ptr<mixer::Liveness> alive;
    RecordingEndpoint* self;
  };
  GstPad* fileIn = gst_element_get_static_pad(file, "sink");
  gst_pad_add_probe(
      fileIn, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS) return GST_PAD_PROBE_OK;
        auto* relay = static_cast<Relay*>(data);
        RecordingEndpoint* self = relay->self;
        // Both streams have ended: stopping now only waits for the file sink to close the file.
        mixer::postTo(relay->context, relay->alive, [self] { self->conclude(true); });
        return GST_PAD_PROBE_OK;
      },
      new Relay{context_, alive_, this}, [](gpointer data) { delete static_cast<Relay*>(data); });
  gst_object_unref(fileIn);
}

RecordingEndpoint::~RecordingEndpoint() {
  if (finishTimeout_) {
    g_source_destroy(finishTimeout_);
    g_source_unref(finishTimeout_);
  }
  alive_.reset();
  g_main_context_unref(context_);
}

void RecordingEndpoint::finish(std::function<void(bool ok)> onFinished) {
  if (finishing_) return;
  finishing_ = true;
  onFinished_ = std::move(onFinished);
  if (mixer()) mixer()->detach(*this);
  // Never started (not attached, or no data yet): nothing will reach the sink.
  GstState state = GST_STATE_NULL;
  gst_element_get_state(bin(), &state, nullptr, 0);
  if (state != GST_STATE_PLAYING) {
    conclude(false);
    return;
  }
  finishTimeout_ = g_timeout_source_new(kFinishTimeoutMs);
  g_source_set_callback(finishTimeout_, &RecordingEndpoint::onFinishTimeout, this, nullptr);
  g_source_attach(finishTimeout_, context_);
  for (const char* name : {kCompositePad, kHearingPad}) {
    GstPad* pad = gst_element_get_static_pad(bin(), name);
    gst_pad_send_event(pad, gst_event_new_eos());
    gst_object_unref(pad);
  }
}

void RecordingEndpoint::conclude(bool complete) {
  if (finishTimeout_) {
    g_source_destroy(finishTimeout_);
    g_source_unref(finishTimeout_);
    finishTimeout_ = nullptr;
  }
  gst_element_set_state(bin(), GST_STATE_NULL);
  if (auto done = std::move(onFinished_)) {
    onFinished_ = nullptr;
    done(complete);
  }
}

gboolean RecordingEndpoint::onFinishTimeout(gpointer data) {
  auto* self = static_cast<RecordingEndpoint*>(data);
  // Returning G_SOURCE_REMOVE destroys it: only our reference goes here.
  g_source_unref(self->finishTimeout_);
  self->finishTimeout_ = nullptr;
  g_warning("recorder %s: the file did not close within %u ms", self->id().c_str(), kFinishTimeoutMs);
  self->conclude(false);
  return G_SOURCE_REMOVE;
}

}  // namespace plenum::recordings
