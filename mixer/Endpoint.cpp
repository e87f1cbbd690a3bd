// SPDX-License-Identifier: EUPL-1.2
#include "mixer/Endpoint.hpp"

#include "mixer/ElementReaper.hpp"
#include "mixer/GstUtil.hpp"
#include "mixer/RoomMixer.hpp"

namespace plenum::mixer {

Endpoint::Endpoint(const std::string& kind, std::string id, SeatSpec seat, Listener* listener)
    : id_(std::move(id)), seat_(std::move(seat)), listener_(listener),
      bin_(GST_ELEMENT(gst_object_ref_sink(gst_bin_new((kind + "-" + id_).c_str())))) {
  if (seat_.tile) addPad(kCameraPad, GST_PAD_SRC);
  if (seat_.microphone) addPad(kMicrophonePad, GST_PAD_SRC);
  if (seat_.presentation) addPad(kPresentationPad, GST_PAD_SRC);
  if (seat_.screen) addPad(kScreenPad, GST_PAD_SRC);
  if (seat_.composite) addPad(kCompositePad, GST_PAD_SINK);
  if (seat_.hearing != Hearing::Nothing) addPad(kHearingPad, GST_PAD_SINK);
}

Endpoint::~Endpoint() {
  if (mixer_) mixer_->detach(*this);
  ElementReaper::retirePipeline(bin_);  // takes our reference
}

void Endpoint::addPad(const char* name, GstPadDirection direction) {
  GstPad* pad = gst_ghost_pad_new_no_target(name, direction);
  // What goes out while the endpoint is detached (a move) is dropped, and a seat that refuses
  // data does not stop the endpoint's stream (a decoder's, a jitter buffer's thread).
  if (direction == GST_PAD_SRC) shieldOutlet(pad);
  gst_element_add_pad(bin_, pad);
}

void Endpoint::setPadTarget(const char* name, GstPad* target) {
  GstPad* pad = gst_element_get_static_pad(bin_, name);
  if (!pad) throw std::runtime_error(std::string("endpoint ") + id_ + " has no pad " + name);
  const bool set = gst_ghost_pad_set_target(GST_GHOST_PAD(pad), target);
  gst_object_unref(pad);
  if (!set) throw std::runtime_error(std::string("endpoint ") + id_ + ": cannot set the target of " + name);
}

void Endpoint::fail(EndpointFailure failure, const std::string& detail) {
  if (failed_) return;
  failed_ = true;
  if (listener_) listener_->OnEndpointFailed(*this, failure, detail);
}

void Endpoint::setMixer(RoomMixer* mixer) {
  mixer_ = mixer;
  if (mixer_) onAttached();
}

}  // namespace plenum::mixer
