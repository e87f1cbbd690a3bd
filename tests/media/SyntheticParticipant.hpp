#pragma once
// A participant made of GStreamer test sources, for media tests without a browser: a solid
// colour camera and a sine-tone microphone into a RoomMixer, and an appsink that collects the
// mix-minus the room sends back. Endpoints are interchangeable to the mixer, so this exercises
// the same pads a WebRtcEndpoint uses. `volume` is the tone's amplitude (0: a silent microphone).
#include "mixer/GstUtil.hpp"
#include "mixer/RoomMixer.hpp"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <mutex>
#include <string>
#include <vector>

namespace plenum::test {

class SyntheticParticipant {
public:
  SyntheticParticipant(mixer::RoomMixer& mixer, std::string id, std::string name, guint argb, double toneHz,
                       double volume = 0.3)
      : mixer_(mixer), id_(std::move(id)) {
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

    speaker_ = mixer::makeElement("appsink");
    g_object_set(speaker_, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add(GST_BIN(pipeline), speaker_);
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = &SyntheticParticipant::onSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(speaker_), &callbacks, this, nullptr);
    gst_element_sync_state_with_parent(speaker_);
    mixPad_ = mixer.audioSource(id_);
    GstPad* speakerIn = gst_element_get_static_pad(speaker_, "sink");
    gst_pad_link(mixPad_, speakerIn);
    gst_object_unref(speakerIn);

    elements_ = {camera, cameraCaps, microphone, microphoneCaps, speaker_};
    mixer::startDownstreamFirst(elements_);
  }

  ~SyntheticParticipant() { leave(); }

  void leave() {
    if (elements_.empty()) return;
    mixer_.releaseAudioSource(id_, mixPad_);
    mixer::stopDownstreamFirst(mixer_.pipeline(), elements_);
    elements_.clear();
    mixer_.removeParticipant(id_);
  }

  const std::string& id() const { return id_; }

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
      if (self->heard_.size() > 96000) self->heard_.erase(self->heard_.begin(), self->heard_.end() - 48000);
      gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
  }

  mixer::RoomMixer& mixer_;
  std::string id_;
  std::vector<GstElement*> elements_;
  GstElement* speaker_ = nullptr;
  GstPad* mixPad_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<int16_t> heard_;
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
    pad_ = mixer.requestEncodedVideo(codec);
    GstPad* in = gst_element_get_static_pad(queue, "sink");
    gst_pad_link(pad_, in);
    gst_object_unref(in);
  }

  ~CompositeViewer() {
    mixer_.releaseEncodedVideo(codec_, pad_);
    mixer::stopDownstreamFirst(mixer_.pipeline(), elements_);
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
