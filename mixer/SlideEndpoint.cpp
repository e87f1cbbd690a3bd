// SPDX-License-Identifier: EUPL-1.2
#include "mixer/SlideEndpoint.hpp"

#include "mixer/GstUtil.hpp"

#include <gst/app/gstappsrc.h>

#include <stdexcept>

namespace plenum::mixer {

SlideEndpoint::SlideEndpoint(const std::string& id, Listener* listener)
    : Endpoint("slides", id, [] {
        SeatSpec seat;
        seat.caption = "slides";
        seat.presentation = true;
        return seat;
      }(), listener) {
  source_ = makeElement("appsrc");
  // One PNG per page turn; timestamps from the clock, since the picture is shown "now".
  g_object_set(source_, "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME, nullptr);
  GstCaps* png = gst_caps_from_string("image/png");
  g_object_set(source_, "caps", png, nullptr);
  gst_caps_unref(png);
  // Converted once per page (into the compositor's format), then repeated by imagefreeze, which
  // takes the next page in place of the last (allow-replace).
  GstElement* decoder = makeElement("pngdec");
  GstElement* convert = makeElement("videoconvert");
  GstElement* format = makeCapsFilter("video/x-raw,format=I420");
  GstElement* freeze = makeElement("imagefreeze");
  g_object_set(freeze, "is-live", TRUE, "allow-replace", TRUE, nullptr);
  GstElement* rate = makeCapsFilter("video/x-raw,framerate=" + std::to_string(kFramerate) + "/1");
  addAndLink(bin(), {source_, decoder, convert, format, freeze, rate});
  GstPad* out = gst_element_get_static_pad(rate, "src");
  setPadTarget(kPresentationPad, out);
  gst_object_unref(out);
}

void SlideEndpoint::show(const std::vector<unsigned char>& png) {
  if (png.empty()) throw std::invalid_argument("empty page image");
  GstBuffer* buffer = gst_buffer_new_memdup(png.data(), png.size());
  const GstFlowReturn flow = gst_app_src_push_buffer(GST_APP_SRC(source_), buffer);  // takes the buffer
  if (flow != GST_FLOW_OK && flow != GST_FLOW_FLUSHING) {
    g_warning("slides %s: page not taken: %s", id().c_str(), gst_flow_get_name(flow));
  }
  ++shown_;
}

}  // namespace plenum::mixer
