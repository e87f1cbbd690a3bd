// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Endpoints made of GStreamer test elements, for media tests without a browser. They take seats
// in a RoomMixer like a WebRtcEndpoint does (mixer::Endpoint): a participant with a solid colour
// camera and a sine-tone microphone that collects what it hears, a listener that hears the full
// mix (a recorder's seat), a presenter, a viewer that decodes the composite, and receivers that
// never flow or fail. Unlike the server's endpoints, they stop before their destructor returns
// (their callbacks point into the test's objects).
#include "mixer/Endpoint.hpp"
#include "mixer/GstUtil.hpp"
#include "mixer/RoomMixer.hpp"

#include <gst/app/gstappsink.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/video/video.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace plenum::test {

// Records an endpoint's failure (on the conference thread).
class FailureLog : public mixer::Endpoint::Listener {
public:
  void OnEndpointFailed(mixer::Endpoint&, mixer::EndpointFailure failure, const std::string& detail) override {
    this->failure = failure;
    this->detail = detail;
  }
  std::optional<mixer::EndpointFailure> failure;
  std::string detail;
};

// The base of the test endpoints: attached at construction, stopped at destruction.
class TestEndpoint : public mixer::Endpoint {
public:
  TestEndpoint(const std::string& kind, const std::string& id, mixer::SeatSpec seat)
      : Endpoint(kind, id, std::move(seat), &failures) {}
  ~TestEndpoint() override { stop(); }

  // Out of its room and stopped now (a room keeps carrying on).
  void stop() {
    if (mixer()) mixer()->detach(*this);
    gst_element_set_state(bin(), GST_STATE_NULL);
  }
  // Every element inside the bin (to check that a move keeps them).
  std::vector<GstElement*> elements() const {
    std::vector<GstElement*> all;
    GstIterator* it = gst_bin_iterate_recurse(GST_BIN(bin()));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
      all.push_back(GST_ELEMENT(g_value_get_object(&item)));
      g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(it);
    return all;
  }

  FailureLog failures;

protected:
  // Adds the chain to the bin and points the bin's pad `name` at its end (a source) or its
  // start (a sink).
  void expose(const char* name, const std::vector<GstElement*>& chain, bool source) {
    mixer::addAndLink(bin(), chain);
    GstPad* target = gst_element_get_static_pad(source ? chain.back() : chain.front(), source ? "src" : "sink");
    setPadTarget(name, target);
    gst_object_unref(target);
  }
};

class SyntheticParticipant : public TestEndpoint {
public:
  // Raw: its mix-minus, raw, all the time (a phone's seat). Opus: what a browser hears, the
  // room's Opus stream for it (shared while silent, its own while talking), through an RTP
  // payloader (whose timestamps it checks) and back. FullMix: everyone (a recorder's seat).
  enum class Hearing { Raw, Opus, FullMix };
  // Colour: a solid colour camera. CorruptVp8: a VP8 camera whose frames after the third are
  // garbage, into a decoder that gives up after 5 of them. A participant with a microphone has
  // a tile also without a camera (its placeholder); volume < 0: no microphone.
  enum class Camera { None, Colour, CorruptVp8 };

  SyntheticParticipant(mixer::RoomMixer& mixer, std::string id, std::string name, guint argb, double toneHz,
                       double volume = 0.3, Hearing hearing = Hearing::Raw, Camera camera = Camera::Colour)
      : TestEndpoint("synthetic", id, seatFor(name, hearing, camera, volume)), id_(std::move(id)), hearing_(hearing) {
    if (camera == Camera::Colour) {
      GstElement* source = mixer::makeElement("videotestsrc");
      g_object_set(source, "is-live", TRUE, "pattern", 17, "foreground-color", argb, nullptr);
      expose(kCameraPad, {source, mixer::makeCapsFilter("video/x-raw,width=320,height=240,framerate=15/1")}, true);
    } else if (camera == Camera::CorruptVp8) {
      GstElement* source = mixer::makeElement("videotestsrc");
      g_object_set(source, "is-live", TRUE, nullptr);
      GstElement* encoder = mixer::makeElement("vp8enc");
      g_object_set(encoder, "deadline", gint64(1), nullptr);
      GstElement* decoder = mixer::makeElement("vp8dec");
      g_object_set(decoder, "max-errors", 5, nullptr);
      GstPad* encoded = gst_element_get_static_pad(encoder, "src");
      gst_pad_add_probe(encoded, GST_PAD_PROBE_TYPE_BUFFER, &SyntheticParticipant::corrupt, this, nullptr);
      gst_object_unref(encoded);
      expose(kCameraPad,
             {source, mixer::makeCapsFilter("video/x-raw,width=320,height=240,framerate=15/1"), encoder, decoder}, true);
    }
    if (volume >= 0) {
      microphone_ = mixer::makeElement("audiotestsrc");
      g_object_set(microphone_, "is-live", TRUE, "freq", toneHz, "volume", volume, "samplesperbuffer", 480, nullptr);
      expose(kMicrophonePad, {microphone_, mixer::makeCapsFilter("audio/x-raw,rate=48000,channels=1")}, true);
    }
    GstElement* speaker = mixer::makeElement("appsink");
    g_object_set(speaker, "sync", FALSE, "async", FALSE, nullptr);
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = &SyntheticParticipant::onSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(speaker), &callbacks, this, nullptr);
    std::vector<GstElement*> ear{mixer::makeLeakyQueue(0, 200 * GST_MSECOND), speaker};
    if (hearing == Hearing::Opus) {
      GstElement* pay = mixer::makeElement("rtpopuspay");
      GstPad* payOut = gst_element_get_static_pad(pay, "src");
      gst_pad_add_probe(payOut, GST_PAD_PROBE_TYPE_BUFFER, &SyntheticParticipant::onRtp, this, nullptr);
      gst_object_unref(payOut);
      ear = {mixer::makeLeakyQueue(0, 200 * GST_MSECOND), pay, mixer::makeElement("rtpopusdepay"),
             mixer::makeElement("opusdec"), speaker};
    }
    expose(kHearingPad, ear, false);
    mixer.attach(*this);
  }
  // Out of the room and stopped before our members go: the appsink's callback and the probes
  // (onSample, onRtp, corrupt) run on streaming threads and use them. ~TestEndpoint would stop
  // the bin only after heard_, recording_ and mutex_ were destroyed (a heap-use-after-free).
  ~SyntheticParticipant() override { stop(); }

  const std::string& id() const { return id_; }

  // The microphone's tone amplitude, changed while running (0: silent).
  void setVolume(double volume) { g_object_set(microphone_, "volume", volume, nullptr); }

  // Everything heard from now on is also kept whole, for recording().
  void startRecording() {
    std::lock_guard lock(mutex_);
    recording_.clear();
    recordingOn_ = true;
  }
  std::vector<int16_t> recording() const {
    std::lock_guard lock(mutex_);
    return recording_;
  }

  // Hearing::Opus: RTP packets sent, and how many had a timestamp that did not follow on from
  // the packet before (not ahead by a whole number of 20 ms frames, at most 5).
  int rtpPackets() const { return rtpPackets_; }
  int rtpTimestampBreaks() const { return rtpBreaks_; }

  // The last `count` samples this participant heard (fewer if not yet there).
  std::vector<int16_t> lastHeard(std::size_t count) const {
    std::lock_guard lock(mutex_);
    const std::size_t n = std::min(count, heard_.size());
    return std::vector<int16_t>(heard_.end() - static_cast<std::ptrdiff_t>(n), heard_.end());
  }

private:
  // volume < 0: no microphone.
  static mixer::SeatSpec seatFor(const std::string& name, Hearing hearing, Camera camera, double volume) {
    mixer::SeatSpec seat;
    seat.caption = name;
    seat.tile = camera != Camera::None || volume >= 0;  // a phone caller's tile is its placeholder
    seat.microphone = volume >= 0;
    seat.hearing = hearing == Hearing::Opus  ? mixer::Hearing::SwitchedOpus
                   : hearing == Hearing::Raw ? mixer::Hearing::MixMinus
                                             : mixer::Hearing::FullMix;
    return seat;
  }

  // On the encoder's thread: from the fourth frame on, an inter frame whose header is nonsense.
  static GstPadProbeReturn corrupt(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<SyntheticParticipant*>(data);
    if (++self->encodedFrames_ <= 3) return GST_PAD_PROBE_OK;
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_WRITE)) {
      for (gsize i = 0; i < map.size; ++i) map.data[i] = static_cast<guint8>(i < 3 ? 0xFF : i * 131 + 7);
      gst_buffer_unmap(buffer, &map);
    }
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    return GST_PAD_PROBE_OK;
  }

  static GstFlowReturn onSample(GstAppSink* sink, gpointer data) {
    auto* self = static_cast<SyntheticParticipant*>(data);
    GstSample* sample = gst_app_sink_pull_sample(sink);
    GstMapInfo map;
    if (gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ)) {
      std::lock_guard lock(self->mutex_);
      const auto* samples = reinterpret_cast<const int16_t*>(map.data);
      self->heard_.insert(self->heard_.end(), samples, samples + map.size / 2);
      if (self->recordingOn_) self->recording_.insert(self->recording_.end(), samples, samples + map.size / 2);
      if (self->heard_.size() > 96000) self->heard_.erase(self->heard_.begin(), self->heard_.end() - 48000);
      gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
  }

  // On the payloader's thread: RTP timestamps must run on in 960-sample steps per 20 ms frame
  // whichever encoder the packet came from (a missing packet at a switch is a double step).
  static GstPadProbeReturn onRtp(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<SyntheticParticipant*>(data);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (!gst_rtp_buffer_map(GST_PAD_PROBE_INFO_BUFFER(info), GST_MAP_READ, &rtp)) return GST_PAD_PROBE_OK;
    const guint32 timestamp = gst_rtp_buffer_get_timestamp(&rtp);
    gst_rtp_buffer_unmap(&rtp);
    if (self->rtpPackets_ > 0) {
      const guint32 step = timestamp - self->lastRtpTimestamp_;
      if (step == 0 || step % 960 != 0 || step > 5 * 960) {
        ++self->rtpBreaks_;
        g_message("%s: RTP timestamp step %u", self->id_.c_str(), step);
      }
    }
    self->lastRtpTimestamp_ = timestamp;
    ++self->rtpPackets_;
    return GST_PAD_PROBE_OK;
  }

  std::string id_;
  Hearing hearing_;
  GstElement* microphone_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<int16_t> heard_;
  bool recordingOn_ = false;
  std::vector<int16_t> recording_;
  std::atomic<int> rtpPackets_{0};
  std::atomic<int> rtpBreaks_{0};
  guint32 lastRtpTimestamp_ = 0;  // the payloader's thread only
  int encodedFrames_ = 0;         // the encoder's thread only
};

// Something presented: a solid colour picture, 4:3, on the presentation input.
class SyntheticPresenter : public TestEndpoint {
public:
  SyntheticPresenter(mixer::RoomMixer& mixer, const std::string& id, guint argb)
      : TestEndpoint("presenter", id, presentationSeat()) {
    GstElement* source = mixer::makeElement("videotestsrc");
    g_object_set(source, "is-live", TRUE, "pattern", 17, "foreground-color", argb, nullptr);
    expose(kPresentationPad, {source, mixer::makeCapsFilter("video/x-raw,width=320,height=240,framerate=15/1")}, true);
    mixer.attach(*this);
  }

private:
  static mixer::SeatSpec presentationSeat() {
    mixer::SeatSpec seat;
    seat.presentation = true;
    return seat;
  }
};

// A participant's screen share without a browser: a tile (its camera colour) and a "screen" of
// another colour, 16:9, which the room shows large while it presents it (RoomMixer::presentScreen).
class SyntheticScreenSharer : public TestEndpoint {
public:
  SyntheticScreenSharer(mixer::RoomMixer& mixer, const std::string& id, guint cameraArgb, guint screenArgb)
      : TestEndpoint("sharer", id, sharerSeat(id)) {
    GstElement* camera = mixer::makeElement("videotestsrc");
    g_object_set(camera, "is-live", TRUE, "pattern", 17, "foreground-color", cameraArgb, nullptr);
    expose(kCameraPad, {camera, mixer::makeCapsFilter("video/x-raw,width=320,height=180,framerate=15/1")}, true);
    GstElement* screen = mixer::makeElement("videotestsrc");
    g_object_set(screen, "is-live", TRUE, "pattern", 17, "foreground-color", screenArgb, nullptr);
    screenCaps_ = mixer::makeCapsFilter("video/x-raw,width=1280,height=720,framerate=5/1");
    expose(kScreenPad, {screen, screenCaps_}, true);
    mixer.attach(*this);
  }
  // The screen's size from now on (a browser adapts its share's resolution as it goes).
  void resizeScreen(int width, int height, int fps) {
    mixer::setCaps(screenCaps_, "video/x-raw,width=" + std::to_string(width) + ",height=" + std::to_string(height) +
                                    ",framerate=" + std::to_string(fps) + "/1");
  }

private:
  GstElement* screenCaps_ = nullptr;

  static mixer::SeatSpec sharerSeat(const std::string& id) {
    mixer::SeatSpec seat;
    seat.caption = id;
    seat.tile = true;
    seat.screen = true;
    return seat;
  }
};

// A page image: `argb` as a PNG of width x height (what the document renderer makes).
inline std::vector<unsigned char> solidPng(guint argb, int width, int height) {
  const std::string description = "videotestsrc num-buffers=1 pattern=solid-color foreground-color=" +
                                  std::to_string(argb) + " ! video/x-raw,width=" + std::to_string(width) +
                                  ",height=" + std::to_string(height) + " ! pngenc ! appsink name=out";
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
  if (!pipeline) throw std::runtime_error(error ? error->message : "pngenc pipeline");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
  std::vector<unsigned char> png;
  if (sample) {
    GstMapInfo map;
    if (gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ)) {
      png.assign(map.data, map.data + map.size);
      gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
    }
    gst_sample_unref(sample);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return png;
}

// What a viewer receives: the room's encoded composite, decoded back to RGB frames.
class CompositeViewer : public TestEndpoint {
public:
  CompositeViewer(mixer::RoomMixer& mixer, mixer::VideoCodec codec)
      : TestEndpoint("viewer", std::string("viewer-") + mixer::toString(codec), viewerSeat(codec)) {
    std::vector<GstElement*> chain{mixer::makeLeakyQueue(0, 300 * GST_MSECOND)};
    if (codec == mixer::VideoCodec::H264) {
      chain.push_back(mixer::makeElement("h264parse"));
      chain.push_back(mixer::makeElement("avdec_h264"));
    } else {
      chain.push_back(mixer::makeElement("vp8dec"));
    }
    chain.push_back(mixer::makeElement("videoconvert"));
    chain.push_back(mixer::makeCapsFilter("video/x-raw,format=RGB"));
    sink_ = mixer::makeElement("appsink");
    g_object_set(sink_, "sync", FALSE, "async", FALSE, "max-buffers", 1u, "drop", TRUE, nullptr);
    chain.push_back(sink_);
    expose(kCompositePad, chain, false);
    mixer.attach(*this);
  }

  // The average colour (r, g, b) of a rectangle of the newest frame; false if no frame yet.
  bool averageColour(const mixer::Rect& r, double rgb[3]) const {
    GstSample* sample = nullptr;
    g_object_get(sink_, "last-sample", &sample, nullptr);
    if (!sample) return false;
    GstVideoInfo info;
    gst_video_info_from_caps(&info, gst_sample_get_caps(sample));
    GstMapInfo map;
    gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ);
    const int stride = GST_VIDEO_INFO_PLANE_STRIDE(&info, 0);
    double sum[3] = {0, 0, 0};
    long count = 0;
    for (int y = r.y; y < r.y + r.height && y < GST_VIDEO_INFO_HEIGHT(&info); ++y) {
      for (int x = r.x; x < r.x + r.width && x < GST_VIDEO_INFO_WIDTH(&info); ++x) {
        const guint8* p = map.data + y * stride + x * 3;
        for (int c = 0; c < 3; ++c) sum[c] += p[c];
        ++count;
      }
    }
    gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
    gst_sample_unref(sample);
    if (count == 0) return false;
    for (int c = 0; c < 3; ++c) rgb[c] = sum[c] / static_cast<double>(count);
    return true;
  }

  // The newest frame's width and height; {0, 0} before the first.
  std::pair<int, int> frameSize() const {
    GstSample* sample = nullptr;
    g_object_get(sink_, "last-sample", &sample, nullptr);
    if (!sample) return {0, 0};
    GstVideoInfo info;
    gst_video_info_from_caps(&info, gst_sample_get_caps(sample));
    gst_sample_unref(sample);
    return {GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info)};
  }

private:
  static mixer::SeatSpec viewerSeat(mixer::VideoCodec codec) {
    mixer::SeatSpec seat;
    seat.composite = codec;
    return seat;
  }

  GstElement* sink_ = nullptr;
};

// A receiver like a browser's sending side (leaky queues: it never blocks the room's pushes)
// whose downstream either holds every buffer (Stuck: as webrtcbin does until ICE and DTLS are
// up, a browser that never answers its offer) or is not running (Failing: the queues get
// FLUSHING back, keep it and return it for every later push, as when webrtcbin's input pad is
// not active: a browser that leaves during the handshake).
class TestReceiver : public TestEndpoint {
public:
  enum class Mode { Stuck, Failing };

  TestReceiver(mixer::RoomMixer& mixer, const std::string& id, mixer::VideoCodec codec, Mode mode)
      : TestEndpoint("receiver", id, receiverSeat(id, codec)) {
    for (auto [queue, pad] : {std::pair{&videoQueue_, kCompositePad}, std::pair{&audioQueue_, kHearingPad}}) {
      *queue = mixer::makeLeakyQueue(0, 200 * GST_MSECOND, id + "-" + pad + "-queue");
      GstElement* sink = mixer::makeElement("fakesink");
      g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
      expose(pad, {*queue, sink}, false);
      GstPad* out = gst_element_get_static_pad(*queue, "src");
      if (mode == Mode::Stuck) {
        gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
                          [](GstPad*, GstPadProbeInfo*, gpointer) { return GST_PAD_PROBE_OK; }, nullptr, nullptr);
      } else {
        gst_element_set_locked_state(sink, TRUE);  // stays in NULL: its pad is flushing
      }
      gst_object_unref(out);
    }
    mixer.attach(*this);
  }

  // True once both queues have given up (their downstream said FLUSHING).
  bool failed() const {
    for (GstElement* queue : {videoQueue_, audioQueue_}) {
      GstPad* out = gst_element_get_static_pad(queue, "src");
      const GstFlowReturn flow = gst_pad_get_last_flow_return(out);
      gst_object_unref(out);
      if (flow != GST_FLOW_FLUSHING) return false;
    }
    return true;
  }

private:
  static mixer::SeatSpec receiverSeat(const std::string& id, mixer::VideoCodec codec) {
    mixer::SeatSpec seat;
    seat.caption = id;
    seat.tile = true;
    seat.microphone = true;
    seat.composite = codec;
    seat.hearing = mixer::Hearing::SwitchedOpus;
    return seat;
  }

  GstElement* videoQueue_ = nullptr;
  GstElement* audioQueue_ = nullptr;
};

}  // namespace plenum::test
