// SPDX-License-Identifier: EUPL-1.2
#include "mixer/AudioSeats.hpp"

#include "mixer/ElementReaper.hpp"
#include "mixer/GstUtil.hpp"

#include <gst/app/gstappsink.h>

#include <stdexcept>

namespace plenum::mixer {

namespace {

constexpr const char* kMixAudioCaps =
    "audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved";

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

GstElement* makeTee(const std::string& name = {}) {
  GstElement* tee = makeElement("tee", name);
  g_object_set(tee, "allow-not-linked", TRUE, nullptr);
  return tee;
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

// Hands what the appsink receives to the channel's FIFO, for the mixing thread.
GstFlowReturn onMicrophoneSample(GstAppSink* sink, gpointer data) {
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
}

}  // namespace

struct AudioSeats::Seat {
  std::string id;
  // microphone: converted to the mix format and handed to the mixing thread
  GstElement* convert = nullptr;
  GstElement* resample = nullptr;
  GstElement* caps = nullptr;
  GstElement* sink = nullptr;
  // the seat's mix-minus (pushed by the mixing thread while it talks, or always: alwaysFed)
  GstElement* mixMinusSource = nullptr;
  GstElement* mixMinusTee = nullptr;
  std::shared_ptr<AudioMixLoop::Channel> channel;
  // hearing
  GstPad* hearingTeePad = nullptr;  // MixMinus or FullMix: our pad on that tee
  GstElement* ownOpus = nullptr;    // SwitchedOpus: the own encoder and the switch
  GstElement* opusFunnel = nullptr;
  GstElement* hearingTee = nullptr;  // the tee hearingTeePad belongs to
  GstPad* ownTeePad = nullptr;     // on mixMinusTee
  GstPad* sharedTeePad = nullptr;  // on the shared Opus tee

  std::vector<GstElement*> microphoneElements() const {
    return {convert, resample, caps, sink, mixMinusSource, mixMinusTee};
  }
};

AudioSeats::AudioSeats(GstElement* pipeline, const MixerSettings& settings,
                       AudioMixLoop::SpeakerChanged onActiveSpeaker)
    : pipeline_(pipeline), settings_(settings), loop_(std::move(onActiveSpeaker)) {
  // The full mix, raw for recorders and encoded once for everybody who does not talk.
  fullMixSource_ = makeMixSource("audio-full-mix");
  fullMixTee_ = makeTee("audio-full-mix-tee");
  GstElement* opus = makeOpusEncoder(settings_.audioBitrateBps, "opus-shared");
  sharedOpusTee_ = makeTee("opus-shared-tee");
  addAndLink(pipeline_, {fullMixSource_, fullMixTee_});
  addAndLink(pipeline_, {opus, sharedOpusTee_});
  // On the appsrc's thread, as before the tee; recorders bring their own queue.
  GstPad* opusIn = gst_element_get_static_pad(opus, "sink");
  GstPad* teePad = linkBranch(fullMixTee_, opusIn);
  gst_object_unref(opusIn);
  if (!teePad) throw std::runtime_error("cannot link the shared Opus encoder");
  gst_object_unref(teePad);
  loop_.setSharedOutput(fullMixSource_);
}

AudioSeats::~AudioSeats() { loop_.stop(); }

void AudioSeats::start() { loop_.start(); }

void AudioSeats::stop() { loop_.stop(); }

AudioSeats::Seat& AudioSeats::seat(const std::string& id) {
  auto& seat = seats_[id];
  if (!seat) {
    seat = std::make_unique<Seat>();
    seat->id = id;
  }
  return *seat;
}

GstPad* AudioSeats::addMicrophone(const std::string& id) {
  Seat& s = seat(id);
  if (s.channel) throw std::runtime_error(id + " has a microphone in the mix already");
  const std::string prefix = "mix-" + id + "-";
  s.convert = makeElement("audioconvert");
  s.resample = makeElement("audioresample");
  s.caps = makeCapsFilter(kMixAudioCaps);
  s.sink = makeElement("appsink", prefix + "in");
  g_object_set(s.sink, "sync", FALSE, "async", FALSE, "max-buffers", 10u, "drop", TRUE, nullptr);
  addAndLink(pipeline_, {s.convert, s.resample, s.caps, s.sink});
  s.mixMinusSource = makeMixSource(prefix + "out");
  s.mixMinusTee = makeTee();
  addAndLink(pipeline_, {s.mixMinusSource, s.mixMinusTee});

  s.channel = loop_.addChannel(id, s.mixMinusSource);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = &onMicrophoneSample;
  // The sink keeps the channel: it may still run while it stops, after the seat has gone.
  gst_app_sink_set_callbacks(GST_APP_SINK(s.sink), &callbacks,
                             new std::shared_ptr<AudioMixLoop::Channel>(s.channel), [](gpointer channel) {
                               delete static_cast<std::shared_ptr<AudioMixLoop::Channel>*>(channel);
                             });
  startDownstreamFirst(s.microphoneElements());
  return gst_element_get_static_pad(s.convert, "sink");
}

void AudioSeats::attachHearing(const std::string& id, Hearing hearing, GstPad* into) {
  Seat& s = seat(id);
  if (s.hearingTeePad || s.opusFunnel) throw std::runtime_error("what " + id + " hears is attached already");
  if ((hearing == Hearing::MixMinus || hearing == Hearing::SwitchedOpus) && !s.channel) {
    throw std::runtime_error(id + " hears its mix-minus but has no microphone in the mix");
  }
  switch (hearing) {
    case Hearing::Nothing:
      return;
    case Hearing::SwitchedOpus:
      attachSwitchedOpus(s, into);
      return;
    case Hearing::MixMinus:
      s.channel->alwaysFed = true;
      s.hearingTee = s.mixMinusTee;
      break;
    case Hearing::FullMix:
      s.hearingTee = fullMixTee_;
      break;
  }
  s.hearingTeePad = linkBranch(s.hearingTee, into);
  if (!s.hearingTeePad) throw std::runtime_error("cannot link what " + id + " hears");
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
// timestamps. Built on the conference thread at the attach; nothing is linked or unlinked at a
// switch.
void AudioSeats::attachSwitchedOpus(Seat& s, GstPad* into) {
  const std::string prefix = "mix-" + s.id + "-";
  s.ownOpus = makeOpusEncoder(settings_.audioBitrateBps, prefix + "opus");
  s.opusFunnel = makeElement("funnel", prefix + "opus-switch");
  gst_bin_add_many(GST_BIN(pipeline_), s.ownOpus, s.opusFunnel, nullptr);
  GstPad* ownIn = gst_element_request_pad_simple(s.opusFunnel, "sink_%u");
  GstPad* sharedIn = gst_element_request_pad_simple(s.opusFunnel, "sink_%u");
  GstPad* ownOut = gst_element_get_static_pad(s.ownOpus, "src");
  GstPad* funnelOut = gst_element_get_static_pad(s.opusFunnel, "src");
  // The shared Opus encoder (through the funnel) never waits for this receiver.
  answerSerializedQueries(into);
  const bool linked = gst_pad_link(ownOut, ownIn) == GST_PAD_LINK_OK && gst_pad_link(funnelOut, into) == GST_PAD_LINK_OK;
  gst_object_unref(ownOut);
  gst_object_unref(funnelOut);
  watchEncodedAudio(ownIn, s.channel, true);
  watchEncodedAudio(sharedIn, s.channel, false);
  // Downstream first, then onto the running tees.
  startDownstreamFirst({s.ownOpus, s.opusFunnel});
  if (linked) {
    GstPad* ownEncoderIn = gst_element_get_static_pad(s.ownOpus, "sink");
    s.ownTeePad = linkBranch(s.mixMinusTee, ownEncoderIn);
    gst_object_unref(ownEncoderIn);
    s.sharedTeePad = linkBranch(sharedOpusTee_, sharedIn);
  }
  gst_object_unref(ownIn);
  gst_object_unref(sharedIn);
  if (!linked || !s.ownTeePad || !s.sharedTeePad) {
    detachHearing(s);
    throw std::runtime_error("cannot link the encoded audio of " + s.id);
  }
}

// Off the tees first, then off the receiver's pad, then stopped and taken out.
void AudioSeats::detachHearing(Seat& s) {
  if (s.hearingTeePad) detachFromTee(s.hearingTee, s.hearingTeePad);
  s.hearingTee = nullptr;
  if (s.channel) s.channel->alwaysFed = false;
  if (!s.opusFunnel) return;
  detachFromTee(s.mixMinusTee, s.ownTeePad);
  detachFromTee(sharedOpusTee_, s.sharedTeePad);
  GstPad* out = gst_element_get_static_pad(s.opusFunnel, "src");
  if (GstPad* peer = gst_pad_get_peer(out)) {
    gst_pad_unlink(out, peer);
    gst_object_unref(peer);
  }
  gst_object_unref(out);
  ElementReaper::retire(pipeline_, {s.opusFunnel, s.ownOpus});
  s.ownOpus = nullptr;
  s.opusFunnel = nullptr;
}

void AudioSeats::remove(const std::string& id) {
  auto it = seats_.find(id);
  if (it == seats_.end()) return;
  Seat& s = *it->second;
  if (s.channel) loop_.removeChannel(id);
  detachHearing(s);
  ElementReaper::retire(pipeline_, s.microphoneElements());
  seats_.erase(it);
}

void AudioSeats::setMuted(const std::string& id, bool muted) { loop_.setMuted(id, muted); }

bool AudioSeats::receivesSharedAudio(const std::string& id) const {
  auto it = seats_.find(id);
  return it != seats_.end() && it->second->channel && !it->second->channel->choice.ownSelected();
}

}  // namespace plenum::mixer
