// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Stops elements that leave a running pipeline without making the conference thread wait.
//
// Why: gst_element_set_state(NULL) waits for each element's streaming thread, and that thread may
// be waiting for something that never comes (a browser that never answered its offer, a link
// that stalls). The conference thread must never wait on a stream (DESIGN.md, Threads). So the
// elements are taken out of their bin on the conference thread, which unlinks them from
// everything else (a stuck thread can then hold nothing of the room's), and are set to NULL
// and released on one of GStreamer's worker threads (gst_element_call_async).
#include <gst/gst.h>

#include <chrono>
#include <cstddef>
#include <vector>

namespace plenum::mixer {

class ElementReaper {
public:
  // Takes `elements` (nullptrs are skipped) out of `bin` and stops them in the order given,
  // off the calling thread. Unlink them from the room's shared elements (tees, mixers) first.
  static void retire(GstElement* bin, const std::vector<GstElement*>& elements);
  // The same, after giving back request pads of the room's shared elements (a compositor's
  // input pads, taken over with their reference; set to null here): releasing one waits for
  // the element's current cycle (a compositor finishing a frame) and the pad's streaming
  // thread, which the conference thread must not do. Unlink or hide them first.
  struct PadRelease {
    GstElement* owner;
    GstPad*& pad;
  };
  static void retire(GstElement* bin, const std::vector<GstElement*>& elements, std::vector<PadRelease> pads);
  // Stops a whole pipeline (a room's) off the calling thread and drops the caller's reference.
  // Whatever its probes and callbacks use must be owned by them (destroy notifies), not by the
  // caller, which may be gone by then.
  static void retirePipeline(GstElement* pipeline);
  // Retirements still stopping.
  static std::size_t pending();
  // Waits until nothing is stopping any more (at shutdown), up to `timeout`; false if something
  // still is (then it is logged).
  static bool drain(std::chrono::milliseconds timeout);
};

}  // namespace plenum::mixer
