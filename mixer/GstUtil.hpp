// SPDX-License-Identifier: EUPL-1.2
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

// The first sink pad of a branch that a shared element feeds (through a tee, towards a receiver or
// an encoder) answers serialized downstream queries (allocation, drain) itself: a tee passes
// them to its branches' pads directly, past any probe on its own pads. A queue holds such
// a query until its downstream has taken everything queued before it, and a receiver that does
// not flow (webrtcbin holds data until ICE and DTLS are up; a client that never answers its
// offer) would then hold the shared encoder's thread, and with it every other receiver and any
// teardown that needs that thread's stream lock. Encoders re-query allocation whenever a tee
// gains a branch (a join). Unanswered, upstream allocates its buffers itself, as encoders and
// payloaders do anyway.
inline void answerSerializedQueries(GstPad* branchHead) {
  gst_pad_add_probe(
      branchHead, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer) {
        return GST_QUERY_IS_SERIALIZED(GST_PAD_PROBE_INFO_QUERY(info)) ? GST_PAD_PROBE_HANDLED : GST_PAD_PROBE_OK;
      },
      nullptr, nullptr);
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
