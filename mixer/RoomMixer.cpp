// SPDX-License-Identifier: EUPL-1.2
#include "mixer/RoomMixer.hpp"

#include "mixer/ElementReaper.hpp"
#include "mixer/GstUtil.hpp"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <algorithm>
#include <chrono>

namespace plenum::mixer {

namespace {

constexpr const char* kMixAudioCaps =
    "audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved";

// Sources and timers attach to the calling thread's default context: the conference thread.
guint attachHere(GSource* source) {
  const guint id = g_source_attach(source, g_main_context_get_thread_default());
  g_source_unref(source);
  return id;
}

void detach(guint& id) {
  if (id == 0) return;
  if (GSource* source = g_main_context_find_source_by_id(g_main_context_get_thread_default(), id)) {
    g_source_destroy(source);
  }
  id = 0;
}

std::string initials(const std::string& name) {
  std::string result;
  bool atWordStart = true;
  for (const char* p = name.c_str(); *p && result.size() < 8; p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    if (g_unichar_isspace(c)) {
      atWordStart = true;
      continue;
    }
    if (atWordStart && g_unichar_isalnum(c)) {
      char buffer[8] = {};
      g_unichar_to_utf8(g_unichar_toupper(c), buffer);
      result += buffer;
      if (g_utf8_strlen(result.c_str(), -1) == 2) break;
    }
    atWordStart = false;
  }
  return result.empty() ? "?" : result;
}

std::string escapeMarkup(const std::string& text) {
  gchar* escaped = g_markup_escape_text(text.c_str(), -1);
  std::string result(escaped);
  g_free(escaped);
  return result;
}

// Dark, distinct placeholder backgrounds; picked from the name so a person keeps their colour.
guint placeholderColour(const std::string& name) {
  static const guint palette[] = {0xff3c4f76, 0xff5b3d6b, 0xff2f5d50, 0xff6b4a2f,
                                  0xff3d5a6b, 0xff5e3a3a, 0xff44475a, 0xff2e4a3a};
  return palette[g_str_hash(name.c_str()) % G_N_ELEMENTS(palette)];
}

Rect inset(const Rect& r, int by) { return {r.x + by, r.y + by, r.width - 2 * by, r.height - 2 * by}; }

// An appsrc for mixed audio: timestamps come from the mixing loop (one per tick, alike for
// all outputs of a tick); a backlog is dropped rather than waited for.
GstElement* makeMixSource(const std::string& name) {
  GstElement* source = makeElement("appsrc", name);
  GstCaps* mixCaps = gst_caps_from_string(kMixAudioCaps);
  g_object_set(source, "caps", mixCaps, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", FALSE,
               "max-bytes", guint64(48000 * 2 / 10), "block", FALSE, nullptr);
  gst_util_set_object_arg(G_OBJECT(source), "leaky-type", "downstream");
  gst_caps_unref(mixCaps);
  return source;
}

// Where a participant's encoded stream meets the funnel: which stream it is, and whose choice
// lets it through.
struct EncodedAudioProbe {
  std::shared_ptr<AudioMixLoop::Channel> channel;
  bool own;

  static GstPadProbeReturn onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
    const auto* probe = static_cast<EncodedAudioProbe*>(data);
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    GstClockTime pts = GST_BUFFER_PTS(buffer);
    const GstClockTime duration = GST_BUFFER_DURATION(buffer);
    // Timestamps out of opusenc (GStreamer 1.22, measured): packet k is stamped tick k - 6.5 ms
    // (the codec's look-ahead), except
    //  - an encoder's very first packet: stamped tick k with 13.5 ms duration (the look-ahead
    //    cut off as Ogg's pre-skip). Over RTP there is no pre-skip, the packet decodes to a
    //    whole 20 ms frame, so it is stamped like the others here; otherwise the RTP timestamps
    //    would jump by 312 samples at the first switch to the own stream.
    //  - the first packet after a pause in the input: stamped as if there had been no pause
    //    (the encoder resyncs with the next one). That stale stamp lies before the switch's
    //    tick, so StreamChoice drops the packet: at a switch to a resumed own encoder one 20 ms
    //    frame is missing (the browser conceals it; RTP timestamps step over it).
    const bool clipped = GST_CLOCK_TIME_IS_VALID(pts) && GST_CLOCK_TIME_IS_VALID(duration) &&
                         duration < TickClock::kTick && pts + duration >= TickClock::kTick;
    if (clipped) pts = pts + duration - TickClock::kTick;
    if (!probe->channel->choice.passes(probe->own, pts)) return GST_PAD_PROBE_DROP;
    if (clipped) {
      buffer = gst_buffer_make_writable(buffer);
      GST_BUFFER_PTS(buffer) = pts;
      GST_BUFFER_DURATION(buffer) = TickClock::kTick;
      GST_PAD_PROBE_INFO_DATA(info) = buffer;
    }
    return GST_PAD_PROBE_OK;
  }
};

void watchEncodedAudio(GstPad* funnelIn, std::shared_ptr<AudioMixLoop::Channel> channel, bool own) {
  gst_pad_add_probe(funnelIn, GST_PAD_PROBE_TYPE_BUFFER, &EncodedAudioProbe::onBuffer,
                    new EncodedAudioProbe{std::move(channel), own},
                    [](gpointer data) { delete static_cast<EncodedAudioProbe*>(data); });
}

std::string rawCaps(int width, int height) {
  return "video/x-raw,format=I420,width=" + std::to_string(width) +
         ",height=" + std::to_string(height) + ",pixel-aspect-ratio=1/1";
}

}  // namespace

struct RoomMixer::Tile {
  std::string id;
  std::string name;
  Rect rect;     // the tile's place in the layout
  Rect picture;  // where its pads draw: the rect, inset by the speaker frame when marked
  bool visible = true;
  // placeholder: shown when there is no camera picture (camera off, not yet arrived)
  GstElement* placeholderSource = nullptr;
  GstElement* placeholderCaps = nullptr;
  GstElement* placeholderText = nullptr;
  GstPad* placeholderPad = nullptr;  // compositor request pad
  // camera: raw frames from the endpoint, scaled to the tile, name written on them
  GstElement* cameraQueue = nullptr;
  GstElement* cameraScale = nullptr;
  GstElement* cameraConvert = nullptr;
  GstElement* cameraCaps = nullptr;
  GstElement* cameraText = nullptr;
  GstPad* cameraPad = nullptr;  // compositor request pad
  // audio in: converted to the mix format and handed to the mixing thread
  GstElement* audioConvert = nullptr;
  GstElement* audioResample = nullptr;
  GstElement* audioCaps = nullptr;
  GstElement* audioSink = nullptr;
  // audio out: this participant's mix-minus
  GstElement* audioSource = nullptr;
  GstElement* audioTee = nullptr;  // the mix-minus goes to the endpoint (and later a recorder)
  std::shared_ptr<AudioMixLoop::Channel> channel;
  // encoded audio out (attachEncodedAudio): the own encoder and the switch
  GstElement* ownOpus = nullptr;
  GstElement* opusFunnel = nullptr;
  GstPad* ownTeePad = nullptr;     // on audioTee
  GstPad* sharedTeePad = nullptr;  // on the room's shared Opus tee

  std::vector<GstElement*> elements() const {
    return {placeholderSource, placeholderCaps, placeholderText, cameraQueue, cameraScale,
            cameraConvert,     cameraCaps,      cameraText,      audioConvert, audioResample,
            audioCaps,         audioSink,       audioSource,     audioTee};
  }
};

struct RoomMixer::Encoder {
  Encoder(VideoCodec c, std::chrono::milliseconds interval)
      : codec(c), limiter(std::make_shared<KeyframeLimiter>(interval)) {}
  VideoCodec codec;
  GstElement* queue = nullptr;
  GstElement* encoder = nullptr;
  GstElement* caps = nullptr;
  GstElement* parser = nullptr;  // H.264 only
  GstElement* tee = nullptr;
  std::shared_ptr<KeyframeLimiter> limiter;  // shared with the tee's probe (a streaming thread)
  unsigned receivers = 0;

  void forceKeyframe() {
    gst_element_send_event(encoder,
                           gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  }
};

RoomMixer::RoomMixer(const std::string& name, const MixerSettings& settings, Listener* listener)
    : name_(name), settings_(settings), listener_(listener),
      audio_([this](const std::optional<std::string>& speaker) {
        // On the mixing thread: the change is handled on the conference thread.
        postTo(context_, alive_, [this, speaker] { onActiveSpeaker(speaker); });
      }),
      context_(g_main_context_ref_thread_default()) {
  pipeline_ = gst_pipeline_new(("room-" + name).c_str());
  buildComposite();
  buildSharedAudio();

  GstBus* bus = gst_pipeline_get_bus(GST_PIPELINE(pipeline_));
  GSource* watch = gst_bus_create_watch(bus);
  g_source_set_callback(watch, reinterpret_cast<GSourceFunc>(reinterpret_cast<void (*)()>(&RoomMixer::onBusMessage)), this, nullptr);
  busWatch_ = attachHere(watch);
  gst_object_unref(bus);
  GSource* timer = g_timeout_source_new(250);
  g_source_set_callback(timer, &RoomMixer::onKeyframeTimer, this, nullptr);
  keyframeTimer_ = attachHere(timer);

  audio_.start();
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
}

RoomMixer::~RoomMixer() {
  audio_.stop();
  detach(keyframeTimer_);
  detach(busWatch_);
  for (auto& tile : tiles_) {
    gst_object_unref(tile->placeholderPad);
    gst_object_unref(tile->cameraPad);
  }
  tiles_.clear();
  gst_object_unref(speakerFrame_);
  gst_object_unref(floorFrame_);
  // Stopped off this thread, like a participant's elements; what its probes and callbacks use
  // is owned by them.
  ElementReaper::retirePipeline(pipeline_);
  pipeline_ = nullptr;
  g_main_context_unref(context_);
}

// The full mix, encoded once: what every participant who does not talk receives.
void RoomMixer::buildSharedAudio() {
  sharedAudioSource_ = makeMixSource("audio-shared");
  GstElement* opus = makeOpusEncoder(settings_.audioBitrateBps, "opus-shared");
  sharedAudioTee_ = makeElement("tee", "opus-shared-tee");
  g_object_set(sharedAudioTee_, "allow-not-linked", TRUE, nullptr);
  addAndLink(pipeline_, {sharedAudioSource_, opus, sharedAudioTee_});
  audio_.setSharedOutput(sharedAudioSource_);
}

int RoomMixer::cameraWidth() const { return std::max(160, settings_.width / 2) & ~3; }
int RoomMixer::cameraHeight() const { return std::max(90, settings_.height / 2) & ~3; }

void RoomMixer::buildComposite() {
  const int fps = settings_.framerate;
  // force-live (construct-only): the compositor never falls back to waiting for data on every
  // pad, which it did when its first latency query failed (pads not yet active at a room's
  // start) and a tile without camera data then stalled the room for good.
  compositor_ = gst_element_factory_make_full("compositor", "name", "composite", "force-live", TRUE, nullptr);
  if (!compositor_) throw std::runtime_error("GStreamer element missing: compositor");
  // Live mixing: wait at most this long for late inputs, and ignore pads that never had data
  // (a tile whose camera has not started) instead of waiting for them.
  g_object_set(compositor_, "background", 1 /* black */, "ignore-inactive-pads", TRUE,
               "min-upstream-latency",
               static_cast<guint64>(settings_.compositorLatencyMs) * GST_MSECOND, nullptr);

  // The background drives the compositor at the output rate even when nobody sends video.
  GstElement* background = makeElement("videotestsrc", "background");
  g_object_set(background, "is-live", TRUE, "pattern", 17 /* solid colour */, "foreground-color",
               0xff202124u, nullptr);
  GstElement* backgroundCaps = makeCapsFilter(
      rawCaps(settings_.width, settings_.height) + ",framerate=" + std::to_string(fps) + "/1");
  addAndLink(pipeline_, {background, backgroundCaps});
  gst_bin_add(GST_BIN(pipeline_), compositor_);
  GstPad* backgroundPad = gst_element_request_pad_simple(compositor_, "sink_%u");
  g_object_set(backgroundPad, "zorder", 0u, nullptr);
  GstPad* backgroundOut = gst_element_get_static_pad(backgroundCaps, "src");
  gst_pad_link(backgroundOut, backgroundPad);
  gst_object_unref(backgroundOut);
  gst_object_unref(backgroundPad);
  // Behind the tiles (zorder 3 and 4): the floor frame, then the speaker frame over it.
  floorFrame_ = addFrame("floor-frame", kFloorFrameArgb, 1);
  speakerFrame_ = addFrame("speaker-frame", kSpeakerFrameArgb, 2);

  GstElement* outputCaps = makeCapsFilter(rawCaps(settings_.width, settings_.height) +
                                          ",framerate=" + std::to_string(fps) + "/1");
  rawTee_ = makeElement("tee", "composite-raw");
  g_object_set(rawTee_, "allow-not-linked", TRUE, nullptr);
  gst_bin_add_many(GST_BIN(pipeline_), outputCaps, rawTee_, nullptr);
  if (!gst_element_link_many(compositor_, outputCaps, rawTee_, nullptr)) {
    throw std::runtime_error("cannot link the compositor output");
  }
  // Counts composite frames for the stall check in onKeyframeTimer.
  GstPad* teeIn = gst_element_get_static_pad(rawTee_, "sink");
  gst_pad_add_probe(
      teeIn, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo*, gpointer frames) {
        (*static_cast<std::shared_ptr<std::atomic<guint64>>*>(frames))->fetch_add(1, std::memory_order_relaxed);
        return GST_PAD_PROBE_OK;
      },
      new std::shared_ptr<std::atomic<guint64>>(compositeFrames_),
      [](gpointer frames) { delete static_cast<std::shared_ptr<std::atomic<guint64>>*>(frames); });
  gst_object_unref(teeIn);
}

// A marking frame: one small solid-colour source for the whole room, which applyLayout moves
// and scales behind the marked tile through its compositor pad (transparent when unused, and
// then skipped by the compositor). Built before the pipeline runs.
GstPad* RoomMixer::addFrame(const std::string& name, guint argb, guint zorder) {
  GstElement* source = makeElement("videotestsrc", name);
  g_object_set(source, "is-live", TRUE, "pattern", 17 /* solid colour */, "foreground-color", argb, nullptr);
  // At the composite's frame rate, like the placeholders, so as not to add latency.
  GstElement* caps = makeCapsFilter(rawCaps(16, 16) + ",framerate=" + std::to_string(settings_.framerate) + "/1");
  addAndLink(pipeline_, {source, caps});
  GstPad* pad = gst_element_request_pad_simple(compositor_, "sink_%u");
  g_object_set(pad, "zorder", zorder, "alpha", 0.0, nullptr);
  GstPad* out = gst_element_get_static_pad(caps, "src");
  gst_pad_link(out, pad);
  gst_object_unref(out);
  return pad;
}

RoomMixer::Encoder& RoomMixer::encoder(VideoCodec codec) {
  if (auto it = encoders_.find(codec); it != encoders_.end()) return *it->second;

  auto enc = std::make_unique<Encoder>(codec, std::chrono::milliseconds(settings_.keyframeMinIntervalMs));
  const std::string prefix = std::string("enc-") + toString(codec);
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
  gst_pad_add_probe(teeSink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, &RoomMixer::onUpstreamEvent,
                    new std::shared_ptr<KeyframeLimiter>(enc->limiter),
                    [](gpointer limiter) { delete static_cast<std::shared_ptr<KeyframeLimiter>*>(limiter); });
  gst_object_unref(teeSink);

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

GstPadProbeReturn RoomMixer::onUnlinkedLatency(GstPad* pad, GstPadProbeInfo* info, gpointer) {
  GstQuery* query = GST_PAD_PROBE_INFO_QUERY(info);
  if (GST_QUERY_TYPE(query) != GST_QUERY_LATENCY || gst_pad_is_linked(pad)) return GST_PAD_PROBE_OK;
  gst_query_set_latency(query, TRUE, 0, GST_CLOCK_TIME_NONE);
  return GST_PAD_PROBE_HANDLED;
}

// Cameras send up to 30 fps; frames beyond the composite's rate are dropped before they cost a
// scale. (videorate asserts on the decoders' duration-less buffers in 1.22.) Owned by its probe,
// which may outlive the tile (its elements stop off the conference thread).
struct RoomMixer::CameraRateCap {
  GstClockTime period;
  GstClockTime last = GST_CLOCK_TIME_NONE;  // touched only on the camera queue's thread

  static GstPadProbeReturn onFrame(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* cap = static_cast<CameraRateCap*>(data);
    const GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
    if (!GST_CLOCK_TIME_IS_VALID(pts)) return GST_PAD_PROBE_OK;
    // 10 % slack so that a 15 fps camera is not halved by jitter against a 15 fps composite.
    if (GST_CLOCK_TIME_IS_VALID(cap->last) && pts > cap->last && pts - cap->last < cap->period * 9 / 10) {
      return GST_PAD_PROBE_DROP;
    }
    cap->last = pts;
    return GST_PAD_PROBE_OK;
  }
};

GstPadProbeReturn RoomMixer::onUpstreamEvent(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (!gst_video_event_is_force_key_unit(event)) return GST_PAD_PROBE_OK;
  auto& limiter = *static_cast<std::shared_ptr<KeyframeLimiter>*>(data);
  return limiter->request(KeyframeLimiter::Clock::now()) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

gboolean RoomMixer::onKeyframeTimer(gpointer self) {
  auto* mixer = static_cast<RoomMixer*>(self);
  const auto now = KeyframeLimiter::Clock::now();
  for (auto& [codec, enc] : mixer->encoders_) {
    if (enc->limiter->takePending(now)) enc->forceKeyframe();
  }
  mixer->checkCompositeFlowing(now);
  return G_SOURCE_CONTINUE;
}

// A composite that stops (seen rarely at a room's start: the compositor's task pauses without
// an error) leaves everybody without picture and new joiners without an offer. Not yet
// understood, so at least it is reported, with the pipeline graph when GST_DEBUG_DUMP_DOT_DIR
// is set.
void RoomMixer::checkCompositeFlowing(KeyframeLimiter::Clock::time_point now) {
  const guint64 frames = compositeFrames_->load(std::memory_order_relaxed);
  if (frames != lastCompositeFrames_) {
    if (compositeStallReported_) g_message("room %s: composite flows again", name_.c_str());
    lastCompositeFrames_ = frames;
    lastCompositeChange_ = now;
    compositeStallReported_ = false;
  } else if (!compositeStallReported_ && now - lastCompositeChange_ > std::chrono::seconds(3)) {
    compositeStallReported_ = true;
    g_warning("room %s: composite stalled: no frame for 3 s (after %" G_GUINT64_FORMAT
              " frames); failed flows: %s",
              name_.c_str(), frames, describeFailedFlows(GST_BIN(pipeline_)).c_str());
    GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(pipeline_), GST_DEBUG_GRAPH_SHOW_ALL, "plenum-stall");
  }
}

void RoomMixer::requestKeyframe(VideoCodec codec) {
  auto it = encoders_.find(codec);
  if (it == encoders_.end()) return;
  if (it->second->limiter->request(KeyframeLimiter::Clock::now())) it->second->forceKeyframe();
}

unsigned RoomMixer::keyframesGranted(VideoCodec codec) const {
  auto it = encoders_.find(codec);
  return it == encoders_.end() ? 0 : it->second->limiter->granted();
}

GstPad* RoomMixer::attachEncodedVideo(VideoCodec codec, GstPad* into) {
  Encoder& enc = encoder(codec);
  GstPad* pad = linkBranch(enc.tee, into);  // the encoder never waits for this receiver
  if (!pad) throw std::runtime_error("cannot link the composite to a receiver");
  ++enc.receivers;
  requestKeyframe(codec);  // the newcomer's decoder can start only from a key frame
  return pad;
}

void RoomMixer::releaseEncodedVideo(VideoCodec codec, GstPad* pad) {
  auto it = encoders_.find(codec);
  if (it == encoders_.end() || !pad) return;
  detachFromTee(it->second->tee, pad);
  --it->second->receivers;
}

void RoomMixer::addParticipant(const std::string& id, const std::string& displayName) {
  auto tile = std::make_unique<Tile>();
  tile->id = id;
  tile->name = displayName;
  const std::string prefix = "p-" + id + "-";

  tile->placeholderSource = makeElement("videotestsrc", prefix + "placeholder");
  g_object_set(tile->placeholderSource, "is-live", TRUE, "pattern", 17, "foreground-color",
               placeholderColour(displayName), nullptr);
  // At the composite's frame rate: a live source reports one frame of latency, and a slow
  // placeholder would add its whole frame time to the room's video delay.
  tile->placeholderCaps = makeCapsFilter(rawCaps(cameraWidth() / 2, cameraHeight() / 2) + ",framerate=" +
                                         std::to_string(settings_.framerate) + "/1");
  tile->placeholderText = makeElement("textoverlay");
  const std::string placeholderMarkup = "<span size='xx-large' weight='bold'>" +
                                        escapeMarkup(initials(displayName)) + "</span>\n" +
                                        escapeMarkup(displayName);
  g_object_set(tile->placeholderText, "text", placeholderMarkup.c_str(), "halignment", 1 /* center */,
               "valignment", 4 /* center */, "line-alignment", 1, "shaded-background", FALSE,
               "font-desc", "Sans 24", nullptr);
  addAndLink(pipeline_, {tile->placeholderSource, tile->placeholderCaps, tile->placeholderText});

  // Decoupled from the decoder's thread; a backlog means we are late: drop, do not wait.
  tile->cameraQueue = makeLeakyQueue(3, 0);
  // Until a camera is linked, the tile's camera branch has no upstream, and the compositor's
  // latency query would fail on it, which makes the compositor treat the room as not live
  // and wait for every pad (a room with an audio-only participant would freeze). Answer it.
  GstPad* queueIn = gst_element_get_static_pad(tile->cameraQueue, "sink");
  gst_pad_add_probe(queueIn, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM, &RoomMixer::onUnlinkedLatency, nullptr, nullptr);
  gst_object_unref(queueIn);
  GstPad* queueOut = gst_element_get_static_pad(tile->cameraQueue, "src");
  gst_pad_add_probe(queueOut, GST_PAD_PROBE_TYPE_BUFFER, &CameraRateCap::onFrame,
                    new CameraRateCap{GST_SECOND / static_cast<GstClockTime>(settings_.framerate)},
                    [](gpointer cap) { delete static_cast<CameraRateCap*>(cap); });
  gst_object_unref(queueOut);
  tile->cameraScale = makeElement("videoscale");
  g_object_set(tile->cameraScale, "add-borders", TRUE, nullptr);
  tile->cameraConvert = makeElement("videoconvert");
  // Every camera is brought to one 16:9 size (half the composite, letterboxed) whatever the
  // layout; the compositor scales that to the tile.
  tile->cameraCaps = makeCapsFilter(rawCaps(cameraWidth(), cameraHeight()));
  // Fonts are set once, before the element runs: changing them while it renders races inside
  // Pango (seen as crashes). auto-resize (the default) scales them with the tile's width.
  tile->cameraText = makeElement("textoverlay");
  g_object_set(tile->cameraText, "text", escapeMarkup(displayName).c_str(), "halignment", 0 /* left */,
               "valignment", 1 /* bottom */, "shaded-background", TRUE, "font-desc", "Sans Bold 22", nullptr);
  addAndLink(pipeline_, {tile->cameraQueue, tile->cameraScale,
                         tile->cameraConvert, tile->cameraCaps, tile->cameraText});

  tile->audioConvert = makeElement("audioconvert");
  tile->audioResample = makeElement("audioresample");
  tile->audioCaps = makeCapsFilter(kMixAudioCaps);
  tile->audioSink = makeElement("appsink", prefix + "audio-in");
  g_object_set(tile->audioSink, "sync", FALSE, "async", FALSE, "max-buffers", 10u, "drop", TRUE,
               nullptr);
  addAndLink(pipeline_, {tile->audioConvert, tile->audioResample, tile->audioCaps, tile->audioSink});

  tile->audioSource = makeMixSource(prefix + "audio-out");
  tile->audioTee = makeElement("tee");
  g_object_set(tile->audioTee, "allow-not-linked", TRUE, nullptr);
  addAndLink(pipeline_, {tile->audioSource, tile->audioTee});

  tile->channel = audio_.addChannel(id, tile->audioSource);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* sink, gpointer data) -> GstFlowReturn {
    AudioFifo* fifo = &(*static_cast<std::shared_ptr<AudioMixLoop::Channel>*>(data))->input;
    GstSample* sample = gst_app_sink_pull_sample(sink);
    if (!sample) return GST_FLOW_OK;
    GstMapInfo map;
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (buffer && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      fifo->push(std::span(reinterpret_cast<const int16_t*>(map.data), map.size / sizeof(int16_t)));
      gst_buffer_unmap(buffer, &map);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
  };
  // The sink keeps the channel: it may still run while it stops, after the tile has gone.
  gst_app_sink_set_callbacks(GST_APP_SINK(tile->audioSink), &callbacks,
                             new std::shared_ptr<AudioMixLoop::Channel>(tile->channel), [](gpointer channel) {
                               delete static_cast<std::shared_ptr<AudioMixLoop::Channel>*>(channel);
                             });

  tile->placeholderPad = gst_element_request_pad_simple(compositor_, "sink_%u");
  tile->cameraPad = gst_element_request_pad_simple(compositor_, "sink_%u");
  g_object_set(tile->placeholderPad, "zorder", 3u, nullptr);
  g_object_set(tile->cameraPad, "zorder", 4u, nullptr);
  GstPad* out = gst_element_get_static_pad(tile->placeholderText, "src");
  gst_pad_link(out, tile->placeholderPad);
  gst_object_unref(out);
  out = gst_element_get_static_pad(tile->cameraText, "src");
  gst_pad_link(out, tile->cameraPad);
  gst_object_unref(out);

  tiles_.push_back(std::move(tile));
  applyLayout();
  startDownstreamFirst(tiles_.back()->elements());
}

void RoomMixer::removeParticipant(const std::string& id) {
  auto it = std::find_if(tiles_.begin(), tiles_.end(), [&](const auto& t) { return t->id == id; });
  if (it == tiles_.end()) return;
  Tile& tile = **it;
  audio_.removeChannel(id);
  detachEncodedAudio(tile);
  // The compositor's pads go first: releasing them flushes them, which wakes any of the tile's
  // threads waiting in the compositor (serialized queries); then the tile stops, sinks first.
  for (GstPad* pad : {tile.placeholderPad, tile.cameraPad}) {
    if (GstPad* peer = gst_pad_get_peer(pad)) {
      gst_pad_unlink(peer, pad);
      gst_object_unref(peer);
    }
    gst_element_release_request_pad(compositor_, pad);
    gst_object_unref(pad);
  }
  ElementReaper::retire(pipeline_, tile.elements());
  tiles_.erase(it);
  applyLayout();
}

void RoomMixer::applyLayout() {
  const int count = static_cast<int>(tiles_.size());
  const auto rects = layout_ == Layout::Speaker
                         ? speakerLayout(count, focusIndex(), settings_.width, settings_.height)
                         : gridLayout(count, settings_.width, settings_.height);
  std::optional<Rect> speakerFrame;
  std::optional<Rect> floorFrame;
  for (std::size_t i = 0; i < tiles_.size(); ++i) {
    Tile& tile = *tiles_[i];
    const Rect& r = rects[i];
    tile.rect = r;
    const bool speaking = activeSpeaker_ == tile.id;
    if (speaking) speakerFrame = r;
    if (floorHolder_ == tile.id) floorFrame = inset(r, -kFrameWidth);
    // Only the compositor's pads move and scale: renegotiating the tile's caps while frames
    // flow fails now and then (not-negotiated) and kills the camera branch. A pad is touched
    // only when its place changes (the compositor then rebuilds its scaler).
    const bool roomForFrame = r.width > 4 * kFrameWidth && r.height > 4 * kFrameWidth;
    const Rect picture = speaking && roomForFrame ? inset(r, kFrameWidth) : r;
    if (picture != tile.picture) {
      tile.picture = picture;
      for (GstPad* pad : {tile.placeholderPad, tile.cameraPad}) {
        g_object_set(pad, "xpos", picture.x, "ypos", picture.y, "width", picture.width, "height",
                     picture.height, nullptr);
      }
    }
    g_object_set(tile.cameraPad, "alpha", tile.visible ? 1.0 : 0.0, nullptr);
  }
  for (auto [pad, place] : {std::pair{speakerFrame_, speakerFrame}, std::pair{floorFrame_, floorFrame}}) {
    if (place) {
      g_object_set(pad, "xpos", place->x, "ypos", place->y, "width", place->width, "height",
                   place->height, "alpha", 1.0, nullptr);
    } else {
      g_object_set(pad, "alpha", 0.0, nullptr);
    }
  }
}

// The tile shown large in the speaker layout: the floor holder, else the active speaker, else
// the last one who spoke (so that a pause does not rearrange the picture), else the first.
int RoomMixer::focusIndex() const {
  for (const auto* candidate : {&floorHolder_, &activeSpeaker_, &lastSpeaker_}) {
    if (!*candidate) continue;
    for (std::size_t i = 0; i < tiles_.size(); ++i) {
      if (tiles_[i]->id == **candidate) return static_cast<int>(i);
    }
  }
  return 0;
}

void RoomMixer::setLayout(Layout layout) {
  if (layout == layout_) return;
  layout_ = layout;
  applyLayout();
}

void RoomMixer::setFloorHolder(const std::optional<std::string>& id) {
  if (id == floorHolder_) return;
  floorHolder_ = id;
  applyLayout();
}

// On the conference thread, posted by the mixing thread's detector.
void RoomMixer::onActiveSpeaker(const std::optional<std::string>& id) {
  // A report about somebody who has left meanwhile means nobody.
  const bool present = id && std::any_of(tiles_.begin(), tiles_.end(), [&](const auto& t) { return t->id == *id; });
  const std::optional<std::string> speaker = present ? id : std::nullopt;
  if (speaker == activeSpeaker_) return;
  activeSpeaker_ = speaker;
  if (speaker) lastSpeaker_ = speaker;
  applyLayout();
  if (listener_) listener_->OnRoomMixerActiveSpeaker(activeSpeaker_);
}

void RoomMixer::setVideoVisible(const std::string& id, bool visible) {
  for (auto& tile : tiles_) {
    if (tile->id != id) continue;
    tile->visible = visible;
    g_object_set(tile->cameraPad, "alpha", visible ? 1.0 : 0.0, nullptr);
  }
}

void RoomMixer::setAudioMuted(const std::string& id, bool muted) { audio_.setMuted(id, muted); }

GstPad* RoomMixer::videoSink(const std::string& id) const {
  for (auto& tile : tiles_) {
    if (tile->id == id) return gst_element_get_static_pad(tile->cameraQueue, "sink");
  }
  return nullptr;
}

GstPad* RoomMixer::audioSink(const std::string& id) const {
  for (auto& tile : tiles_) {
    if (tile->id == id) return gst_element_get_static_pad(tile->audioConvert, "sink");
  }
  return nullptr;
}

GstPad* RoomMixer::audioSource(const std::string& id) const {
  for (auto& tile : tiles_) {
    if (tile->id == id) return gst_element_request_pad_simple(tile->audioTee, "src_%u");
  }
  return nullptr;
}

void RoomMixer::releaseAudioSource(const std::string& id, GstPad* pad) const {
  if (!pad) return;
  for (auto& tile : tiles_) {
    if (tile->id == id) {
      detachFromTee(tile->audioTee, pad);
      return;
    }
  }
  gst_object_unref(pad);
}

// The switch between the two Opus streams is a funnel whose two inputs have buffer probes that
// drop what the participant's StreamChoice does not select. Not an input-selector: switching
// that means setting its active-pad from the mixing thread (which touches only appsrcs and
// atomics), and in 1.22 it holds back or re-times buffers of the inactive pad to sync the
// streams (sync-streams/sync-mode), which a stream with gaps (the own encoder idles while its
// participant is silent) turns into waits. The funnel just forwards what comes, one stream at
// a time, and re-sends the caps and segment of the pad that passes when it changes; both
// encoders are made alike (same caps) and their segments start at 0, so the payloader behind
// sees one continuous stream: the same timestamps for the same tick, hence continuous RTP
// timestamps.
// Built on the conference thread at the join; nothing is linked or unlinked at a switch.
void RoomMixer::attachEncodedAudio(const std::string& id, GstPad* into) {
  auto it = std::find_if(tiles_.begin(), tiles_.end(), [&](const auto& t) { return t->id == id; });
  if (it == tiles_.end()) throw std::runtime_error("no participant " + id);
  Tile& tile = **it;
  if (tile.opusFunnel) throw std::runtime_error("encoded audio of " + id + " is already attached");
  const std::string prefix = "p-" + id + "-";
  tile.ownOpus = makeOpusEncoder(settings_.audioBitrateBps, prefix + "opus");
  tile.opusFunnel = makeElement("funnel", prefix + "opus-switch");
  gst_bin_add_many(GST_BIN(pipeline_), tile.ownOpus, tile.opusFunnel, nullptr);
  GstPad* ownIn = gst_element_request_pad_simple(tile.opusFunnel, "sink_%u");
  GstPad* sharedIn = gst_element_request_pad_simple(tile.opusFunnel, "sink_%u");
  GstPad* ownOut = gst_element_get_static_pad(tile.ownOpus, "src");
  GstPad* funnelOut = gst_element_get_static_pad(tile.opusFunnel, "src");
  // The shared Opus encoder (through the funnel) never waits for this receiver.
  answerSerializedQueries(into);
  const bool linked = gst_pad_link(ownOut, ownIn) == GST_PAD_LINK_OK && gst_pad_link(funnelOut, into) == GST_PAD_LINK_OK;
  gst_object_unref(ownOut);
  gst_object_unref(funnelOut);
  watchEncodedAudio(ownIn, tile.channel, true);
  watchEncodedAudio(sharedIn, tile.channel, false);
  // Downstream first, then onto the running tees.
  startDownstreamFirst({tile.ownOpus, tile.opusFunnel});
  if (linked) {
    GstPad* ownEncoderIn = gst_element_get_static_pad(tile.ownOpus, "sink");
    tile.ownTeePad = linkBranch(tile.audioTee, ownEncoderIn);
    gst_object_unref(ownEncoderIn);
    tile.sharedTeePad = linkBranch(sharedAudioTee_, sharedIn);
  }
  gst_object_unref(ownIn);
  gst_object_unref(sharedIn);
  if (!linked || !tile.ownTeePad || !tile.sharedTeePad) {
    detachEncodedAudio(tile);
    throw std::runtime_error("cannot link the encoded audio of " + id);
  }
}

void RoomMixer::detachEncodedAudio(const std::string& id) {
  for (auto& tile : tiles_) {
    if (tile->id == id) detachEncodedAudio(*tile);
  }
}

// Off the tees first, then off the receiver's pad, then stopped and taken out.
void RoomMixer::detachEncodedAudio(Tile& tile) {
  if (!tile.opusFunnel) return;
  detachFromTee(tile.audioTee, tile.ownTeePad);
  detachFromTee(sharedAudioTee_, tile.sharedTeePad);
  GstPad* out = gst_element_get_static_pad(tile.opusFunnel, "src");
  if (GstPad* peer = gst_pad_get_peer(out)) {
    gst_pad_unlink(out, peer);
    gst_object_unref(peer);
  }
  gst_object_unref(out);
  ElementReaper::retire(pipeline_, {tile.opusFunnel, tile.ownOpus});
  tile.ownOpus = nullptr;
  tile.opusFunnel = nullptr;
}

bool RoomMixer::receivesSharedAudio(const std::string& id) const {
  for (auto& tile : tiles_) {
    if (tile->id == id) return !tile->channel->choice.ownSelected();
  }
  return false;
}

std::vector<std::string> RoomMixer::tileOrder() const {
  std::vector<std::string> ids;
  for (auto& tile : tiles_) ids.push_back(tile->id);
  return ids;
}

Rect RoomMixer::tileRect(const std::string& id) const {
  for (auto& tile : tiles_) {
    if (tile->id == id) return tile->rect;
  }
  return {};
}

gboolean RoomMixer::onBusMessage(GstBus*, GstMessage* message, gpointer self) {
  auto* mixer = static_cast<RoomMixer*>(self);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_LATENCY:
      // A newly linked input (a browser's jitter buffer) changed the pipeline's latency.
      gst_bin_recalculate_latency(GST_BIN(mixer->pipeline_));
      break;
    case GST_MESSAGE_ERROR: {
      // Elements already taken out of the room (a participant who left) may report a last
      // "not linked" on their way out: that is no error of the room's.
      if (!gst_object_has_as_ancestor(GST_MESSAGE_SRC(message), GST_OBJECT(mixer->pipeline_))) break;
      GError* error = nullptr;
      gchar* debug = nullptr;
      gst_message_parse_error(message, &error, &debug);
      const std::string element = GST_OBJECT_NAME(GST_MESSAGE_SRC(message));
      const std::string text = error ? error->message : "unknown error";
      GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(mixer->pipeline_), GST_DEBUG_GRAPH_SHOW_ALL,
                                        "plenum-error");
      g_clear_error(&error);
      g_free(debug);
      if (mixer->listener_) mixer->listener_->OnRoomMixerError(element, text);
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace plenum::mixer
