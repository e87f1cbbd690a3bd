// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One room's media: a GStreamer pipeline that mixes whatever is attached to it. Endpoints (a
// browser over WebRTC, a synthetic source in tests, later a phone call, a recorder, a screen
// share) are attached (attach) and get a seat to match what they ask for (SeatSpec): a tile in
// the composite (Composite), a place in the audio mix and what they hear (AudioSeats), the
// composite encoded in their codec (CompositeEncoders), in the shape they ask for: the 16:9
// picture, or a portrait one for phones held upright (a second composite with its own encoders,
// made while somebody takes it; every picture shown feeds both through a tee). Detaching leaves the endpoint running,
// so that attaching it to another room's mixer moves it: every room's pipeline runs on one
// clock with one base time, so an endpoint's timestamps mean the same in every room.
// Errors of an endpoint's elements are reported through the endpoint (Endpoint::fail); the
// room carries on. Called only on the conference thread; the only other threads are
// GStreamer's own and the audio mixing thread, which talk back through thread-safe parts
// (FIFOs, the key frame limiter) or post to the conference thread (a new active speaker).
#include "mixer/AudioSeats.hpp"
#include "mixer/Composite.hpp"
#include "mixer/CompositeEncoders.hpp"
#include "mixer/ConferencePost.hpp"
#include "mixer/Endpoint.hpp"
#include "mixer/MixerSettings.hpp"
#include "mixer/TileLayout.hpp"
#include "mixer/TileVideoRequest.hpp"

#include <gst/gst.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plenum::mixer {

class RoomMixer {
public:
  class Listener {
  public:
    virtual ~Listener() = default;
    // An error of the room's own elements (not of an endpoint's): logged; the room carries on
    // as far as it can.
    virtual void OnRoomMixerError(const std::string& element, const std::string& message) = 0;
    // The active speaker changed (nullopt: nobody speaks); the composite already marks them.
    // Called on the conference thread from a posted job, never from inside a RoomMixer call.
    virtual void OnRoomMixerActiveSpeaker(const std::optional<std::string>& id) = 0;
    // What the camera of the tile `id` should send now has changed (a join, a leave, another
    // layout, a new large tile; once for each new tile). Called on the conference thread from
    // the room's timer, never from inside a RoomMixer call.
    virtual void OnRoomMixerVideoRequest(const std::string& /*id*/, const VideoRequest& /*request*/) {}
  };

  RoomMixer(const std::string& name, const MixerSettings& settings, Listener* listener);
  // Detaches whatever is still attached (those endpoints keep running, unattached).
  ~RoomMixer();
  RoomMixer(const RoomMixer&) = delete;
  RoomMixer& operator=(const RoomMixer&) = delete;

  const MixerSettings& settings() const { return settings_; }

  // Gives the endpoint a seat and links its bin to it; starts the bin the first time. Throws
  // (with nothing of the endpoint left in the room) if the seat cannot be made, e.g. a second
  // presentation, or an endpoint attached elsewhere.
  void attach(Endpoint& endpoint);
  // Unlinks the endpoint and takes its bin out of the room, still running.
  void detach(Endpoint& endpoint);

  // Shows the "screen" of the attached endpoint `id` large (nullopt: nobody's any more). Throws
  // when `id` is not attached with a screen, or something else is presented (a slide source).
  void presentScreen(const std::optional<std::string>& id);
  const std::optional<std::string>& screenPresenter() const { return screenPresenter_; }

  // Which composite the attached endpoint takes from now on (the portrait one is made when first
  // taken; settings().portraitEnabled off: always the landscape one). A key frame follows. An
  // endpoint not attached just keeps the shape for its next attach.
  void setCompositeShape(Endpoint& endpoint, CompositeShape shape);

  void setVideoVisible(const std::string& id, bool visible);
  void setAudioMuted(const std::string& id, bool muted) { audio_.setMuted(id, muted); }
  void setLayout(Layout layout);
  // Who has the floor (nullopt: nobody): marked, and large in the speaker layout.
  void setFloorHolder(const std::optional<std::string>& id);
  void requestKeyframe(VideoCodec codec, CompositeShape shape = CompositeShape::Landscape);

  // For tests.
  const Composite& composite() const { return composite_; }
  const Composite* portraitComposite() const;  // null while there is none
  std::uint64_t portraitFramesEncoded(VideoCodec codec) const;
  unsigned keyframesGranted(VideoCodec codec) const { return encoders_.keyframesGranted(codec); }
  std::uint64_t framesEncoded(VideoCodec codec) const { return encoders_.framesEncoded(codec); }
  bool receivesSharedAudio(const std::string& id) const { return audio_.receivesSharedAudio(id); }
  bool isAttached(const std::string& id) const { return seats_.count(id) > 0; }

private:
  struct Seat;
  struct VideoFeed;
  struct PortraitTier;

  void unseat(Seat& seat);
  // The encoders of the composite `shape` (the landscape ones when there is no portrait tier).
  CompositeEncoders& encodersFor(CompositeShape shape);
  CompositeShape effectiveShape(const Endpoint& endpoint) const;
  // Makes the portrait composite with everything the landscape one shows.
  void makePortraitTier();
  // Takes it out of the room (its elements stop off this thread) once nobody has taken it for
  // settings().portraitIdleMs: an idle compositor still costs a scale per camera and frame.
  void retireIdlePortraitTier(KeyframeLimiter::Clock::time_point now);
  // Links the endpoint's outlet `pad` through a new tee to `input` of every composite.
  void openFeed(Endpoint& endpoint, const char* pad, VideoFeed& feed,
                const std::function<GstPad*(Composite&)>& input);
  void closeFeed(Endpoint& endpoint, const char* pad, VideoFeed& feed);
  // Makes the same change to the landscape composite and, while there is one, the portrait one.
  void forEachComposite(const std::function<void(Composite&)>& change);
  // Removes the tile and the presentation of `id` from every composite.
  void removeFromComposites(const std::string& id);
  void onActiveSpeaker(const std::optional<std::string>& id);
  void onError(GstMessage* message);
  static gboolean onBusMessage(GstBus* bus, GstMessage* message, gpointer self);
  static gboolean onTimer(gpointer self);
  void checkCompositeFlowing(KeyframeLimiter::Clock::time_point now);
  void reportVideoRequests();

  // passed in
  const std::string name_;
  const MixerSettings settings_;
  Listener* listener_;
  // owned
  GstElement* pipeline_;
  Composite composite_;
  CompositeEncoders encoders_;
  std::unique_ptr<PortraitTier> portrait_;  // made when a phone held upright first takes it
  AudioSeats audio_;
  std::map<std::string, std::unique_ptr<Seat>> seats_;  // by endpoint id
  GMainContext* context_;  // the conference thread's, for the mixing thread's reports
  std::shared_ptr<Liveness> alive_ = std::make_shared<Liveness>();
  guint busWatch_ = 0;
  guint timer_ = 0;
  // other
  guint64 lastCompositeFrames_ = 0;
  KeyframeLimiter::Clock::time_point lastCompositeChange_ = KeyframeLimiter::Clock::now();
  bool compositeStallReported_ = false;
  std::optional<std::string> screenPresenter_;  // whose screen is the presentation
  std::map<std::string, VideoRequest> videoRequests_;  // last reported, by tile id
  std::optional<KeyframeLimiter::Clock::time_point> portraitIdleSince_;
};

}  // namespace plenum::mixer
