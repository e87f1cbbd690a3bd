// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Small helpers around the GStreamer C API shared by the mixer's classes.
#include <gst/gst.h>

#include <algorithm>
#include <atomic>
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

// Every pad of `bin` (and of the bins inside it) whose last push did not succeed, with the state
// of the pad's task ("element.pad=flushing task=paused; ..."): where a stalled stream stopped.
inline std::string describeFailedFlows(GstBin* bin) {
  constexpr std::size_t kMaxReport = 4000;  // a log line, not a pipeline dump
  std::string report;
  GstIterator* elements = gst_bin_iterate_recurse(bin);
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(elements, &item) == GST_ITERATOR_OK) {
    auto* element = GST_ELEMENT(g_value_get_object(&item));
    GstIterator* pads = gst_element_iterate_pads(element);
    GValue padItem = G_VALUE_INIT;
    while (gst_iterator_next(pads, &padItem) == GST_ITERATOR_OK) {
      auto* pad = GST_PAD(g_value_get_object(&padItem));
      const GstFlowReturn flow = gst_pad_get_last_flow_return(pad);
      const GstTaskState task = gst_pad_get_task_state(pad);
      if ((flow != GST_FLOW_OK || task == GST_TASK_PAUSED) && report.size() < kMaxReport) {
        if (!report.empty()) report += "; ";
        report += std::string(GST_ELEMENT_NAME(element)) + "." + GST_PAD_NAME(pad) + "=" +
                  gst_flow_get_name(flow);
        if (task == GST_TASK_PAUSED) report += " task=paused";
      }
      g_value_reset(&padItem);
    }
    g_value_unset(&padItem);
    gst_iterator_free(pads);
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(elements);
  return report.empty() ? "none" : report;
}

// Unlinks a request pad of `element` (a tee's, a compositor's) from its peer and gives it back,
// dropping the caller's reference.
inline void releaseRequestPad(GstElement* element, GstPad*& pad) {
  if (!pad) return;
  if (GstPad* peer = gst_pad_get_peer(pad)) {
    if (GST_PAD_IS_SRC(pad)) gst_pad_unlink(pad, peer);
    else gst_pad_unlink(peer, pad);
    gst_object_unref(peer);
  }
  gst_element_release_request_pad(element, pad);
  gst_object_unref(pad);
  pad = nullptr;
}

// Unlinks a branch from a running tee and gives the tee's request pad back (before the branch
// is stopped, so that the tee never pushes into a flushing branch).
inline void detachFromTee(GstElement* tee, GstPad*& teePad) { releaseRequestPad(tee, teePad); }

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

// The probe on a tee's pad that keeps a branch's answers from the tee (see linkBranch). Reports
// the branch's first failure once.
class BranchShield {
public:
  // dropUnlinked: what comes while the pad has no peer is dropped (an endpoint's outlet while
  // it moves); otherwise the pad's owner handles not-linked itself (a tee).
  explicit BranchShield(bool dropUnlinked = false) : dropUnlinked_(dropUnlinked) {}

  static GstPadProbeReturn onData(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<BranchShield*>(data);
    const bool isData = info->type & (GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST);
    GstPad* peer = gst_pad_get_peer(pad);
    if (!peer) return self->dropUnlinked_ && isData ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
    GstPadProbeReturn result = GST_PAD_PROBE_HANDLED;
    GstFlowReturn flow = GST_FLOW_OK;
    if (isData && hasPendingEvents(pad)) {
      // Linked just now, after the pad last sent its sticky events (the link re-schedules them)
      // and before this probe: handed on here, the buffer would overtake stream-start, caps and
      // segment, and the branch would fail (not-negotiated). Dropped; the next buffer follows
      // the events, which the pad sends first.
      gst_object_unref(peer);
      return GST_PAD_PROBE_DROP;
    }
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
      flow = gst_pad_chain(peer, GST_PAD_PROBE_INFO_BUFFER(info));
      GST_PAD_PROBE_INFO_DATA(info) = nullptr;
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
      flow = gst_pad_chain_list(peer, GST_PAD_PROBE_INFO_BUFFER_LIST(info));
      GST_PAD_PROBE_INFO_DATA(info) = nullptr;
    } else {
      // Events take the normal way: a dropped sticky event stays pending on the tee's pad and is
      // offered again before the next buffer, so the branch gets it once its pad is active.
      // Only a flushing pad would refuse it and make the tee's next push fail.
      result = GST_PAD_IS_FLUSHING(peer) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
      if (result == GST_PAD_PROBE_DROP) flow = GST_FLOW_FLUSHING;
    }
    if (flow != GST_FLOW_OK && flow != GST_FLOW_NOT_LINKED && !self->reported_.exchange(true)) {
      GstElement* head = gst_pad_get_parent_element(peer);
      g_message("branch %s does not take data (%s); its tee carries on without it",
                head ? GST_ELEMENT_NAME(head) : "?", gst_flow_get_name(flow));
      if (head) gst_object_unref(head);
    }
    gst_object_unref(peer);
    return result;
  }

private:
  static bool hasPendingEvents(GstPad* pad) {
    GST_OBJECT_LOCK(pad);
    const bool pending = GST_PAD_HAS_PENDING_EVENTS(pad);
    GST_OBJECT_UNLOCK(pad);
    return pending;
  }

  const bool dropUnlinked_;
  std::atomic<bool> reported_{false};
};

// Shields a source pad whose peer may come and go (an endpoint's outlet into a room): buffers
// while unlinked are dropped, and whatever the peer answers, the pad's stream goes on.
inline void shieldOutlet(GstPad* pad) {
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM),
      &BranchShield::onData, new BranchShield(true),
      [](gpointer shield) { delete static_cast<BranchShield*>(shield); });
}

// Links a new branch (a receiver, an encoder) to a running tee that others share, and returns
// the tee's request pad (the caller's reference; detachFromTee gives it back), or null if the
// link failed. The branch can hold up nobody (answerSerializedQueries) and stop nobody: a pad
// that gets anything but OK back (FLUSHING from a webrtcbin whose input pad is not active, a
// queue that keeps that answer and returns it for every later push) makes a tee return it
// upstream, and the shared encoder, the compositor or the audio mix then stops for everyone,
// without an error. The tee's pad therefore delivers buffers to the branch itself and tells the
// tee OK (GST_PAD_PROBE_HANDLED); a dead branch just gets nothing (its owner removes it).
inline GstPad* linkBranch(GstElement* tee, GstPad* branchHead) {
  answerSerializedQueries(branchHead);
  GstPad* pad = gst_element_request_pad_simple(tee, "src_%u");
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM),
      &BranchShield::onData, new BranchShield,
      [](gpointer shield) { delete static_cast<BranchShield*>(shield); });
  if (gst_pad_link(pad, branchHead) != GST_PAD_LINK_OK) {
    gst_element_release_request_pad(tee, pad);
    gst_object_unref(pad);
    return nullptr;
  }
  return pad;
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
      "appsrc", "appsink", "tee", "queue", "capsfilter", "funnel", "pngdec", "imagefreeze"};
  std::vector<std::string> missing;
  for (const char* name : needed) {
    GstElementFactory* factory = gst_element_factory_find(name);
    if (!factory) missing.emplace_back(name);
    else gst_object_unref(factory);
  }
  return missing;
}

}  // namespace plenum::mixer
