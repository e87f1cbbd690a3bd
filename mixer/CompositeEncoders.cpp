// SPDX-License-Identifier: EUPL-1.2
#include "mixer/CompositeEncoders.hpp"

#include "mixer/GstUtil.hpp"

#include <gst/video/video.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace plenum::mixer {

struct CompositeEncoders::Encoder {
  Encoder(VideoCodec c, std::chrono::milliseconds interval)
      : codec(c), limiter(std::make_shared<KeyframeLimiter>(interval)) {}
  VideoCodec codec;
  GstElement* queue = nullptr;
  GstElement* encoder = nullptr;
  GstElement* caps = nullptr;
  GstElement* parser = nullptr;  // H.264 only
  GstElement* tee = nullptr;
  std::shared_ptr<KeyframeLimiter> limiter;  // shared with the tee's probe (a streaming thread)
  // How many take this encoding now (conference thread), and the frames let through to the
  // encoder (for tests). With nobody (a plenum whose people are all in breakout rooms) the
  // encoder gets no frames: a probe on its queue, on the compositor's streaming thread, drops them.
  struct Intake {
    std::atomic<unsigned> receivers{0};
    std::atomic<std::uint64_t> frames{0};
  };
  std::shared_ptr<Intake> intake = std::make_shared<Intake>();

  void forceKeyframe() {
    gst_element_send_event(encoder,
                           gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  }
};

CompositeEncoders::CompositeEncoders(GstElement* pipeline, GstElement* rawTee, const MixerSettings& settings,
                                     const std::string& prefix)
    : pipeline_(pipeline), rawTee_(rawTee), settings_(settings), prefix_(prefix) {}

CompositeEncoders::~CompositeEncoders() = default;  // the elements go with the pipeline

CompositeEncoders::Encoder& CompositeEncoders::encoder(VideoCodec codec) {
  if (auto it = encoders_.find(codec); it != encoders_.end()) return *it->second;

  auto enc = std::make_unique<Encoder>(codec, std::chrono::milliseconds(settings_.keyframeMinIntervalMs));
  const std::string prefix = prefix_ + "enc-" + toString(codec);
  // Never let a slow encoder hold up the compositor: drop frames instead.
  enc->queue = makeLeakyQueue(2, 0, prefix + "-queue");
  const guint keyInterval = static_cast<guint>(settings_.framerate * settings_.keyframeMaxIntervalS);
  std::vector<GstElement*> chain{enc->queue};
  if (codec == VideoCodec::H264) {
    enc->encoder = makeElement("x264enc", prefix);
    gst_util_set_object_arg(G_OBJECT(enc->encoder), "tune", "zerolatency");
    gst_util_set_object_arg(G_OBJECT(enc->encoder), "speed-preset", "ultrafast");
    g_object_set(enc->encoder, "bitrate", static_cast<guint>(settings_.videoBitrateKbps),
                 "key-int-max", keyInterval, "threads", 2u, nullptr);
    enc->caps = makeCapsFilter(
        "video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au");
    enc->parser = makeElement("h264parse", prefix + "-parse");
    g_object_set(enc->parser, "config-interval", -1, nullptr);  // SPS/PPS before every IDR
    chain.insert(chain.end(), {enc->encoder, enc->caps, enc->parser});
  } else {
    enc->encoder = makeElement("vp8enc", prefix);
    g_object_set(enc->encoder, "deadline", gint64(1), "cpu-used", -8, "threads", 2,
                 "target-bitrate", settings_.videoBitrateKbps * 1000, "keyframe-max-dist",
                 static_cast<gint>(keyInterval), "lag-in-frames", 0, "error-resilient", 1,
                 nullptr);
    gst_util_set_object_arg(G_OBJECT(enc->encoder), "end-usage", "cbr");
    chain.push_back(enc->encoder);
  }
  enc->tee = makeElement("tee", prefix + "-tee");
  g_object_set(enc->tee, "allow-not-linked", TRUE, nullptr);
  chain.push_back(enc->tee);
  addAndLink(pipeline_, chain);

  // Key frame requests from receivers (PLI/FIR turned into upstream events by rtpsession)
  // pass the tee on their way to the encoder: this is where they are rate-limited.
  GstPad* teeSink = gst_element_get_static_pad(enc->tee, "sink");
  gst_pad_add_probe(teeSink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, &CompositeEncoders::onUpstreamEvent,
                    new std::shared_ptr<KeyframeLimiter>(enc->limiter),
                    [](gpointer limiter) { delete static_cast<std::shared_ptr<KeyframeLimiter>*>(limiter); });
  gst_object_unref(teeSink);

  GstPad* queueIn = gst_element_get_static_pad(enc->queue, "sink");
  gst_pad_add_probe(queueIn, GST_PAD_PROBE_TYPE_BUFFER, &CompositeEncoders::onRawFrame,
                    new std::shared_ptr<Encoder::Intake>(enc->intake),
                    [](gpointer n) { delete static_cast<std::shared_ptr<Encoder::Intake>*>(n); });
  gst_object_unref(queueIn);

  startDownstreamFirst(chain);
  // The compositor never waits for a busy encoder, nor stops with a failed one.
  GstPad* queueSink = gst_element_get_static_pad(enc->queue, "sink");
  GstPad* teeSrc = linkBranch(rawTee_, queueSink);
  gst_object_unref(queueSink);
  if (!teeSrc) throw std::runtime_error("cannot link the composite to its encoder");
  gst_object_unref(teeSrc);

  auto& result = *enc;
  encoders_[codec] = std::move(enc);
  return result;
}

GstPadProbeReturn CompositeEncoders::onUpstreamEvent(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (!gst_video_event_is_force_key_unit(event)) return GST_PAD_PROBE_OK;
  auto& limiter = *static_cast<std::shared_ptr<KeyframeLimiter>*>(data);
  return limiter->request(KeyframeLimiter::Clock::now()) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

GstPadProbeReturn CompositeEncoders::onRawFrame(GstPad*, GstPadProbeInfo*, gpointer data) {
  auto& intake = **static_cast<std::shared_ptr<Encoder::Intake>*>(data);
  if (intake.receivers.load(std::memory_order_relaxed) == 0) return GST_PAD_PROBE_DROP;
  intake.frames.fetch_add(1, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

void CompositeEncoders::sendPendingKeyframes(KeyframeLimiter::Clock::time_point now) {
  for (auto& [codec, enc] : encoders_) {
    if (enc->limiter->takePending(now)) enc->forceKeyframe();
  }
}

void CompositeEncoders::requestKeyframe(VideoCodec codec) {
  auto it = encoders_.find(codec);
  if (it == encoders_.end()) return;
  if (it->second->limiter->request(KeyframeLimiter::Clock::now())) it->second->forceKeyframe();
}

std::uint64_t CompositeEncoders::framesEncoded(VideoCodec codec) const {
  auto it = encoders_.find(codec);
  return it == encoders_.end() ? 0 : it->second->intake->frames.load();
}

std::vector<GstElement*> CompositeEncoders::elements() const {
  std::vector<GstElement*> all;
  for (const auto& [codec, enc] : encoders_) {
    for (GstElement* element : {enc->queue, enc->encoder, enc->caps, enc->parser, enc->tee}) {
      if (element) all.push_back(element);
    }
  }
  return all;
}

unsigned CompositeEncoders::keyframesGranted(VideoCodec codec) const {
  auto it = encoders_.find(codec);
  return it == encoders_.end() ? 0 : it->second->limiter->granted();
}

GstPad* CompositeEncoders::attach(VideoCodec codec, GstPad* into) {
  Encoder& enc = encoder(codec);
  GstPad* pad = linkBranch(enc.tee, into);  // the encoder never waits for this receiver
  if (!pad) throw std::runtime_error("cannot link the composite to a receiver");
  ++enc.intake->receivers;
  requestKeyframe(codec);  // the newcomer's decoder can start only from a key frame
  return pad;
}

void CompositeEncoders::release(VideoCodec codec, GstPad*& pad) {
  auto it = encoders_.find(codec);
  if (it == encoders_.end() || !pad) return;
  detachFromTee(it->second->tee, pad);
  if (it->second->intake->receivers > 0) --it->second->intake->receivers;
}

}  // namespace plenum::mixer
