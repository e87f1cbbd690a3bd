// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The contract between a room's mixer and whatever takes part in it: a browser (WebRtcEndpoint),
// later a phone call, a recorder, a screen share or a slide source; in the media tests a
// synthetic participant. An endpoint owns its elements in one bin named after it and shows the
// mixer only the bin's pads, named after what flows through them:
//   src  "camera"        raw video for its tile          (SeatSpec::tile)
//   src  "microphone"    raw audio into the mix           (SeatSpec::microphone)
//   src  "presentation"  raw video shown large            (SeatSpec::presentation)
//   src  "screen"        raw video shown large on request (SeatSpec::screen)
//   sink "composite"     the encoded composite            (SeatSpec::composite)
//   sink "hearing"       what it hears                    (SeatSpec::hearing)
// A pad may have no target yet (a browser's camera appears once its stream arrives). RoomMixer
// attaches the endpoint (adds the bin to its pipeline, gives it a seat, links the pads) and
// detaches it (unlinks, takes the bin out, still running): attaching it to another room's mixer
// then is a move, with its transport untouched. What the endpoint sends out while detached is
// dropped, and a seat that fails to take data never stops the endpoint's stream.
// An endpoint reports its own failure (fail()); the mixer also reports errors of the elements
// in its bin through it. Conference thread only.
#include "mixer/ConferencePost.hpp"
#include "mixer/Seat.hpp"

#include <gst/gst.h>

#include <memory>
#include <string>

namespace plenum::mixer {

class RoomMixer;

enum class EndpointFailure {
  ConnectionFailed,  // ICE or DTLS
  AnswerRefused,     // the remote description, refused after it was first accepted
  DecoderError,      // an incoming stream could not be decoded
  Internal,          // any other error of the endpoint's elements
};

class Endpoint {
public:
  class Listener {
  public:
    virtual ~Listener() = default;
    // Once per endpoint. Called on the conference thread, possibly from inside a mixer or
    // endpoint call: the listener must not destroy the endpoint right away.
    virtual void OnEndpointFailed(Endpoint& endpoint, EndpointFailure failure, const std::string& detail) = 0;
  };

  static constexpr const char* kCameraPad = "camera";
  static constexpr const char* kMicrophonePad = "microphone";
  static constexpr const char* kPresentationPad = "presentation";
  static constexpr const char* kScreenPad = "screen";
  static constexpr const char* kCompositePad = "composite";
  static constexpr const char* kHearingPad = "hearing";

  // Makes the bin ("<kind>-<id>") with the pads the seat needs, none of them with a target yet.
  Endpoint(const std::string& kind, std::string id, SeatSpec seat, Listener* listener);
  // Detaches the endpoint if it is attached, then stops the bin off this thread (ElementReaper).
  virtual ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  const std::string& id() const { return id_; }
  const SeatSpec& seat() const { return seat_; }
  GstElement* bin() const { return bin_; }
  // The mixer it is attached to, or null.
  RoomMixer* mixer() const { return mixer_; }
  bool failed() const { return failed_; }

  // Reports the failure to the listener, once.
  void fail(EndpointFailure failure, const std::string& detail);

  // Failures go to `listener` from now on (an endpoint moved to another room's owner).
  void setListener(Listener* listener) { listener_ = listener; }

  // Which composite it takes (SeatSpec::composite); it keeps it through a move to another room.
  // RoomMixer::setCompositeShape changes it.
  CompositeShape compositeShape() const { return compositeShape_; }
  void setCompositeShape(CompositeShape shape) { compositeShape_ = shape; }

  // For RoomMixer: the endpoint is now attached to `mixer` (null: detached).
  void setMixer(RoomMixer* mixer);
  // For RoomMixer: whether its "screen" is shown now (an endpoint may drop it before decoding
  // while it is not).
  virtual void setScreenShown(bool) {}

protected:
  // Points the bin's pad `name` at `target`, a pad of an element inside the bin.
  void setPadTarget(const char* name, GstPad* target);
  // Called after the endpoint was attached to a mixer (a move included).
  virtual void onAttached() {}

private:
  void addPad(const char* name, GstPadDirection direction);

  const std::string id_;
  const SeatSpec seat_;
  Listener* listener_;
  GstElement* bin_;  // our reference; its parent is the pipeline of the mixer we are attached to
  RoomMixer* mixer_ = nullptr;
  bool failed_ = false;
  CompositeShape compositeShape_ = CompositeShape::Landscape;
};

}  // namespace plenum::mixer
