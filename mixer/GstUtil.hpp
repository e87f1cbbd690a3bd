#pragma once
// Small helpers around the GStreamer C API shared by the mixer's classes.
#include <gst/gst.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace plenum::mixer {

// Creates an element or throws with the plugin's name, so a missing plugin is a clear error.
inline GstElement* makeElement(const char* factory, const std::string& name = {}) {
  GstElement* element = gst_element_factory_make(factory, name.empty() ? nullptr : name.c_str());
  if (!element) throw std::runtime_error(std::string("GStreamer element missing: ") + factory);
  return element;
}

// Adds the elements to `bin` and links them in order; throws if a link fails.
inline void addAndLink(GstElement* bin, const std::vector<GstElement*>& chain) {
  for (GstElement* element : chain) gst_bin_add(GST_BIN(bin), element);
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (!gst_element_link(chain[i - 1], chain[i])) {
      throw std::runtime_error(std::string("cannot link ") + GST_ELEMENT_NAME(chain[i - 1]) +
                               " to " + GST_ELEMENT_NAME(chain[i]));
    }
  }
}

// Brings newly added elements to the pipeline's state, sinks first: a source that starts before
// its downstream would push into a flushing pad, and a source or tee that once sees FLUSHING
// stops for good (for a shared tee: for everybody). Link new branches to running tees after this.
inline void startDownstreamFirst(const std::vector<GstElement*>& elements) {
  for (auto it = elements.rbegin(); it != elements.rend(); ++it) {
    if (*it) gst_element_sync_state_with_parent(*it);
  }
}

// Unlinks a branch from a running tee and gives the tee's request pad back (before the branch
// is stopped, so that the tee never pushes into a flushing branch).
inline void detachFromTee(GstElement* tee, GstPad*& teePad) {
  if (!teePad) return;
  if (GstPad* peer = gst_pad_get_peer(teePad)) {
    gst_pad_unlink(teePad, peer);
    gst_object_unref(peer);
  }
  gst_element_release_request_pad(tee, teePad);
  gst_object_unref(teePad);
  teePad = nullptr;
}

// Takes elements out of a running pipeline: to NULL first (their streaming threads stop),
// then out of the bin, which drops the bin's reference. The elements stop in the order given:
// pass a branch downstream-first (see stopDownstreamFirst), so that no thread is left waiting
// inside an element that has already stopped (a queue answering a serialized query waits for
// its downstream; stopping the upstream source first then deadlocks).
inline void removeElements(GstElement* bin, const std::vector<GstElement*>& elements) {
  for (GstElement* element : elements) {
    if (!element) continue;
    gst_element_set_locked_state(element, TRUE);
    gst_element_set_state(element, GST_STATE_NULL);
  }
  for (GstElement* element : elements) {
    if (element) gst_bin_remove(GST_BIN(bin), element);
  }
}

inline void stopDownstreamFirst(GstElement* bin, std::vector<GstElement*> upstreamFirst) {
  std::reverse(upstreamFirst.begin(), upstreamFirst.end());
  removeElements(bin, upstreamFirst);
}

inline void setCaps(GstElement* capsfilter, const std::string& caps) {
  GstCaps* parsed = gst_caps_from_string(caps.c_str());
  g_object_set(capsfilter, "caps", parsed, nullptr);
  gst_caps_unref(parsed);
}

// A queue that drops its oldest data instead of blocking its upstream: a slow or stalled
// consumer must never hold up what feeds it (a shared encoder, a decoder thread).
inline GstElement* makeLeakyQueue(guint maxBuffers, GstClockTime maxTime, const std::string& name = {}) {
  GstElement* queue = makeElement("queue", name);
  g_object_set(queue, "leaky", 2 /* downstream */, "max-size-buffers", maxBuffers, "max-size-bytes", 0u,
               "max-size-time", guint64(maxTime), nullptr);
  return queue;
}

// An Opus encoder for a mix (voice, 20 ms frames, in-band FEC). The room's shared encoder and
// every talker's own encoder are made here, alike, so that a receiver switching between them
// sees the same caps and frame timing.
inline GstElement* makeOpusEncoder(int bitrateBps, const std::string& name = {}) {
  GstElement* opus = makeElement("opusenc", name);
  g_object_set(opus, "bitrate", bitrateBps, "inband-fec", TRUE, nullptr);
  gst_util_set_object_arg(G_OBJECT(opus), "audio-type", "voice");
  gst_util_set_object_arg(G_OBJECT(opus), "frame-size", "20");
  return opus;
}

inline GstElement* makeCapsFilter(const std::string& caps, const std::string& name = {}) {
  GstElement* filter = makeElement("capsfilter", name);
  setCaps(filter, caps);
  return filter;
}

// Names of every element factory plenumd uses; checked at start-up (missing() lists the absent).
inline std::vector<std::string> missingElements() {
  static const char* const needed[] = {
      "webrtcbin", "nicesrc", "dtlssrtpenc", "compositor", "videotestsrc", "videoconvert",
      "videoscale", "videorate", "textoverlay", "x264enc", "h264parse", "avdec_h264",
      "vp8enc", "vp8dec", "rtph264pay", "rtph264depay", "rtpvp8pay", "rtpvp8depay",
      "opusenc", "opusdec", "rtpopuspay", "rtpopusdepay", "audioconvert", "audioresample",
      "appsrc", "appsink", "tee", "queue", "capsfilter", "funnel"};
  std::vector<std::string> missing;
  for (const char* name : needed) {
    GstElementFactory* factory = gst_element_factory_find(name);
    if (!factory) missing.emplace_back(name);
    else gst_object_unref(factory);
  }
  return missing;
}

}  // namespace plenum::mixer
