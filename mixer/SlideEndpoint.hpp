// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A document's pages as the room's presentation: one page image (PNG) at a time, shown until the
// next one replaces it. An Endpoint with only a presentation seat, so that a slide goes into the
// composite (and so to every browser, phone and the recording) like any other picture. The page
// is decoded once and repeated at a low rate: the compositor keeps showing the last frame in
// between, so a still page costs almost nothing. Conference thread only.
#include "mixer/Endpoint.hpp"

#include <gst/gst.h>

#include <string>
#include <vector>

namespace plenum::mixer {

class SlideEndpoint : public Endpoint {
public:
  // Pictures per second of the still page: a new page shows within 1/kFramerate s. Cheap: the
  // same buffer again each time (the compositor blends every input at its own rate anyway).
  static constexpr int kFramerate = 25;

  SlideEndpoint(const std::string& id, Listener* listener);

  // Shows this PNG (the file's bytes) from now on. A picture that does not decode fails the
  // endpoint (DecoderError) through its listener.
  void show(const std::vector<unsigned char>& png);
  unsigned pagesShown() const { return shown_; }

private:
  // owned (the elements belong to our bin)
  GstElement* source_ = nullptr;  // appsrc of PNG files
  // other
  unsigned shown_ = 0;
};

}  // namespace plenum::mixer
