// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A participant made of GStreamer test sources, for media tests without a browser: a solid
// colour camera and a sine-tone microphone into a RoomMixer, and an appsink that collects the
// mix-minus the room sends back. Endpoints are interchangeable to the mixer, so this exercises
// the same pads a WebRtcEndpoint uses. `volume` is the tone's amplitude (0: a silent microphone).
// With Hearing::Opus it hears what a browser would: the room's Opus stream for it (shared while
// silent, its own while talking), through an RTP payloader (whose timestamps it checks) and back.
#include "mixer/GstUtil.hpp"
#include "mixer/RoomMixer.hpp"

#include <gst/app/gstappsink.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/video/video.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace plenum::test {

// Takes a test endpoint's elements out of the room's pipeline (which unlinks them from the
// room) and stops them before returning, unlike the server's endpoints (ElementReaper): their
// callbacks point into the test's objects.
inline void stopNow(GstElement* pipeline, const std::vector<GstElement*>& elements) {
  for (GstElement* element : elements) {
    gst_element_set_locked_state(element, TRUE);
    gst_object_ref(element);
    gst_bin_remove(GST_BIN(pipeline), element);
  }
  for (GstElement* element : elements) {
    gst_element_set_state(element, GST_STATE_NULL);
    gst_object_unref(element);
  }
}

class SyntheticParticipant {
public:
  enum class Hearing { Raw, Opus };

  SyntheticParticipant(mixer::RoomMixer& mixer, std::string id, std::string name, guint argb, double toneHz,
                       double volume = 0.3, Hearing hearing = Hearing::Raw)
      : mixer_(mixer), id_(std::move(id)), hearing_(hearing) {
    mixer.addParticipant(id_, name);
    GstElement* pipeline = mixer.pipeline();

    GstElement* camera = mixer::makeElement("videotestsrc");
    g_object_set(camera, "is-live", TRUE, "pattern", 17, "foreground-color", argb, nullptr);
    GstElement* cameraCaps = mixer::makeCapsFilter("video/x-raw,width=320,height=240,framerate=15/1");
    mixer::addAndLink(pipeline, {camera, cameraCaps});
    link(cameraCaps, mixer.videoSink(id_));

    GstElement* microphone = mixer::makeElement("audiotestsrc");
    g_object_set(microphone, "is-live", TRUE, "freq", toneHz, "volume", volume, "samplesperbuffer", 480, nullptr);
    GstElement* microphoneCaps = mixer::makeCapsFilter("audio/x-raw,rate=48000,channels=1");
    mixer::addAndLink(pipeline, {microphone, microphoneCaps});
    link(microphoneCaps, mixer.audioSink(id_));

    microphone_ = microphone;
    speaker_ = mixer::makeElement("appsink");
    g_object_set(speaker_, "sync", FALSE, "async", FALSE, nullptr);
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = &SyntheticParticipant::onSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(speaker_), &callbacks, this, nullptr);
    std::vector<GstElement*> ear{speaker_};
    if (hearing == Hearing::Opus) {
      GstElement* pay = mixer::makeElement("rtpopuspay");
      GstPad* payOut = gst_element_get_static_pad(pay, "src");
      gst_pad_add_probe(payOut, GST_PAD_PROBE_TYPE_BUFFER, &SyntheticParticipant::onRtp, this, nullptr);
      gst_object_unref(payOut);
      ear = {mixer::makeElement("queue"), pay, mixer::makeElement("rtpopusdepay"), mixer::makeElement("opusdec"),
             speaker_};
    }
    mixer::addAndLink(pipeline, ear);
    mixer::startDownstreamFirst(ear);
    GstPad* earIn = gst_element_get_static_pad(ear.front(), "sink");
    if (hearing == Hearing::Opus) {
      mixer.attachEncodedAudio(id_, earIn);
    } else {
      mixPad_ = mixer.audioSource(id_);
      gst_pad_link(mixPad_, earIn);
    }
    gst_object_unref(earIn);

    elements_ = {camera, cameraCaps, microphone, microphoneCaps};
    elements_.insert(elements_.end(), ear.begin(), ear.end());
    mixer::startDownstreamFirst({camera, cameraCaps, microphone, microphoneCaps});
  }

  ~SyntheticParticipant() { leave(); }

  void leave() {
    if (elements_.empty()) return;
    if (hearing_ == Hearing::Opus) mixer_.detachEncodedAudio(id_);
    else mixer_.releaseAudioSource(id_, mixPad_);
    stopNow(mixer_.pipeline(), elements_);
    elements_.clear();
    mixer_.removeParticipant(id_);
  }

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

  // The last `count` samples of the mix-minus this participant hears (fewer if not yet there).
  std::vector<int16_t> lastHeard(std::size_t count) const {
    std::lock_guard lock(mutex_);
    const std::size_t n = std::min(count, heard_.size());
    return std::vector<int16_t>(heard_.end() - static_cast<std::ptrdiff_t>(n), heard_.end());
  }

private:
  static void link(GstElement* from, GstPad* to) {
    GstPad* out = gst_element_get_static_pad(from, "src");
    if (gst_pad_link(out, to) != GST_PAD_LINK_OK) throw std::runtime_error("synthetic source does not link");
    gst_object_unref(out);
    gst_object_unref(to);
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

  mixer::RoomMixer& mixer_;
  std::string id_;
  Hearing hearing_;
  std::vector<GstElement*> elements_;
  GstElement* microphone_ = nullptr;
  GstElement* speaker_ = nullptr;
  GstPad* mixPad_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<int16_t> heard_;
  bool recordingOn_ = false;
  std::vector<int16_t> recording_;
  std::atomic<int> rtpPackets_{0};
  std::atomic<int> rtpBreaks_{0};
  guint32 lastRtpTimestamp_ = 0;  // the payloader's thread only
};

// What a viewer receives: the room's encoded composite, decoded back to RGB frames.
class CompositeViewer {
public:
  CompositeViewer(mixer::RoomMixer& mixer, mixer::VideoCodec codec) : mixer_(mixer), codec_(codec) {
    GstElement* queue = mixer::makeElement("queue");
    std::vector<GstElement*> chain{queue};
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
    mixer::addAndLink(mixer.pipeline(), chain);
    elements_ = chain;
    mixer::startDownstreamFirst(chain);
    GstPad* in = gst_element_get_static_pad(queue, "sink");
    pad_ = mixer.attachEncodedVideo(codec, in);
    gst_object_unref(in);
  }

  ~CompositeViewer() {
    mixer_.releaseEncodedVideo(codec_, pad_);
    stopNow(mixer_.pipeline(), elements_);
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

private:
  mixer::RoomMixer& mixer_;
  mixer::VideoCodec codec_;
  std::vector<GstElement*> elements_;
  GstElement* sink_ = nullptr;
  GstPad* pad_ = nullptr;
};

}  // namespace plenum::test
