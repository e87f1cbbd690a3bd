// SPDX-License-Identifier: EUPL-1.2
#include "recordings/RecordingEndpoint.hpp"

#include "mixer/GstUtil.hpp"
#include "mixer/RoomMixer.hpp"

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

// Lets the video through from its first key frame on, and the audio from then on too.
struct RecordingEndpoint::StartGate {
  std::atomic<bool> open{false};

  static GstPadProbeReturn onVideo(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* gate = static_cast<StartGate*>(data);
    if (gate->open) return GST_PAD_PROBE_OK;
    if (GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT)) return GST_PAD_PROBE_DROP;
    gate->open = true;
    return GST_PAD_PROBE_OK;
  }
  static GstPadProbeReturn onAudio(GstPad*, GstPadProbeInfo*, gpointer data) {
    return static_cast<StartGate*>(data)->open ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
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
  g_object_set(file, "location", partPath_.c_str(), "sync", FALSE, "async", FALSE, nullptr);
  mixer::addAndLink(bin(), {videoQueue, parse});
  mixer::addAndLink(bin(), {audioQueue, convert, aac});
  mixer::addAndLink(bin(), {mux, file});
  if (!gst_element_link_pads(parse, "src", mux, "video_%u") || !gst_element_link_pads(aac, "src", mux, "audio_%u")) {
    throw std::runtime_error("recorder: cannot link the muxer");
  }

  auto* gate = new StartGate;
  GstPad* parsed = gst_element_get_static_pad(parse, "src");
  gst_pad_add_probe(parsed, GST_PAD_PROBE_TYPE_BUFFER, &StartGate::onVideo, gate,
                    [](gpointer g) { delete static_cast<StartGate*>(g); });
  gst_object_unref(parsed);
  // The audio probe shares the gate; the video probe owns it and outlives neither (one bin).
  GstPad* encoded = gst_element_get_static_pad(aac, "src");
  gst_pad_add_probe(encoded, GST_PAD_PROBE_TYPE_BUFFER, &StartGate::onAudio, gate, nullptr);
  gst_object_unref(encoded);

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
        mixer::postTo(relay->context, relay->alive, [self] {
          // Both streams have ended: stopping now only waits for the file sink to close the file.
          gst_element_set_state(self->bin(), GST_STATE_NULL);
          if (auto done = std::move(self->onFinished_)) {
            self->onFinished_ = nullptr;
            done(true);
          }
        });
        return GST_PAD_PROBE_OK;
      },
      new Relay{context_, alive_, this}, [](gpointer data) { delete static_cast<Relay*>(data); });
  gst_object_unref(fileIn);
}

RecordingEndpoint::~RecordingEndpoint() {
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
    if (auto done = std::move(onFinished_)) {
      onFinished_ = nullptr;
      done(false);
    }
    return;
  }
  for (const char* name : {kCompositePad, kHearingPad}) {
    GstPad* pad = gst_element_get_static_pad(bin(), name);
    gst_pad_send_event(pad, gst_event_new_eos());
    gst_object_unref(pad);
  }
}

}  // namespace plenum::recordings
