// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One room's media: a GStreamer pipeline with the video compositor (a tile per participant),
// the audio mix-minus, and the shared composite encoders. Endpoints (a browser over WebRTC, a
// synthetic source in tests, later a phone call or a recorder) put their elements into
// pipeline() and link to the pads this class hands out:
//   videoSink(id)   raw video of a participant into its tile (any size or format)
//   audioSink(id)   raw audio of a participant into the mix (any rate or format)
//   audioSource(id) the participant's mix-minus, S16LE 48 kHz mono, while they talk (nothing
//                   while they are silent: they are given the shared mix then)
//   attachEncodedAudio(id, pad) what the participant hears, in Opus: the room's shared encode
//                   of the full mix while they are silent, their own mix-minus encode while they
//                   talk (the switch is made per 20 ms tick by the mixing thread, see
//                   AudioMixLoop and StreamChoice)
//   attachEncodedVideo(codec, pad) the composite, encoded once per codec for everybody
// The composite is laid out as a grid or a speaker view (setLayout); the active speaker (found
// by the audio mixing thread from the levels it mixes) and the floor holder get a coloured frame.
// Called only on the conference thread; the only other threads are GStreamer's own and the
// audio mixing thread, which talk back through thread-safe parts (FIFOs, the key frame limiter)
// or post to the conference thread (a new active speaker).
#include "mixer/AudioMixLoop.hpp"
#include "mixer/ConferencePost.hpp"
#include "mixer/KeyframeLimiter.hpp"
#include "mixer/MixerSettings.hpp"
#include "mixer/TileLayout.hpp"

#include <gst/gst.h>

#include <atomic>
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
    // The pipeline reported an error; the room should be closed or the endpoint dropped.
    virtual void OnRoomMixerError(const std::string& element, const std::string& message) = 0;
    // The active speaker changed (nullopt: nobody speaks); the composite already marks them.
    // Called on the conference thread from a posted job, never from inside a RoomMixer call.
    virtual void OnRoomMixerActiveSpeaker(const std::optional<std::string>& id) = 0;
  };

  // The marking frames. The active speaker's frame lies inside their tile (the picture is inset
  // by its width); the floor holder's lies round the tile, in the gap between tiles, so that
  // both show when one person is both.
  static constexpr guint kSpeakerFrameArgb = 0xFFFFB000;  // amber
  static constexpr guint kFloorFrameArgb = 0xFF1E88E5;    // blue
  static constexpr int kFrameWidth = 4;                   // pixels; half the tiles' gap

  RoomMixer(const std::string& name, const MixerSettings& settings, Listener* listener);
  ~RoomMixer();
  RoomMixer(const RoomMixer&) = delete;
  RoomMixer& operator=(const RoomMixer&) = delete;

  GstElement* pipeline() const { return pipeline_; }
  const MixerSettings& settings() const { return settings_; }

  void addParticipant(const std::string& id, const std::string& displayName);
  void removeParticipant(const std::string& id);
  void setVideoVisible(const std::string& id, bool visible);
  void setAudioMuted(const std::string& id, bool muted);
  void setLayout(Layout layout);
  // Who has the floor (nullopt: nobody): marked, and large in the speaker layout.
  void setFloorHolder(const std::optional<std::string>& id);

  GstPad* videoSink(const std::string& id) const;
  GstPad* audioSink(const std::string& id) const;
  GstPad* audioSource(const std::string& id) const;
  void releaseAudioSource(const std::string& id, GstPad* pad) const;
  // Links the participant's Opus stream (see above) to `into`; one per participant. Throws if
  // it cannot be linked. detachEncodedAudio undoes it (also done by removeParticipant).
  void attachEncodedAudio(const std::string& id, GstPad* into);
  void detachEncodedAudio(const std::string& id);

  // Links a new branch of the codec's encoder tee (the encoder is created on first use) to
  // `into` and returns the tee's pad, which the caller gives back with releaseEncodedVideo.
  // `into` (like attachEncodedAudio's) must never block a push: a leaky queue, typically; the
  // room answers the serialized queries that would wait there.
  // Throws if it cannot be linked. A key frame follows for the newcomer.
  GstPad* attachEncodedVideo(VideoCodec codec, GstPad* into);
  void releaseEncodedVideo(VideoCodec codec, GstPad* pad);
  void requestKeyframe(VideoCodec codec);

  // Participants in tile order and where their tiles are (the active speaker's frame lies inside
  // the rect, the floor holder's round it); for tests. The accessors below are for tests too.
  std::vector<std::string> tileOrder() const;
  Rect tileRect(const std::string& id) const;
  Layout layout() const { return layout_; }
  const std::optional<std::string>& activeSpeaker() const { return activeSpeaker_; }
  const std::optional<std::string>& floorHolder() const { return floorHolder_; }
  unsigned keyframesGranted(VideoCodec codec) const;
  // Whether the participant is given the shared Opus stream now (false: their own; as the
  // mixing thread last chose).
  bool receivesSharedAudio(const std::string& id) const;

private:
  struct Tile;
  struct Encoder;
  struct CameraRateCap;

  void buildComposite();
  int cameraWidth() const;
  int cameraHeight() const;
  Encoder& encoder(VideoCodec codec);
  GstPad* addFrame(const std::string& name, guint argb, guint zorder);
  void applyLayout();
  int focusIndex() const;
  void onActiveSpeaker(const std::optional<std::string>& id);
  static gboolean onBusMessage(GstBus* bus, GstMessage* message, gpointer self);
  static gboolean onKeyframeTimer(gpointer self);
  void checkCompositeFlowing(KeyframeLimiter::Clock::time_point now);
  static GstPadProbeReturn onUnlinkedLatency(GstPad* pad, GstPadProbeInfo* info, gpointer);
  static GstPadProbeReturn onUpstreamEvent(GstPad* pad, GstPadProbeInfo* info, gpointer limiter);
  void buildSharedAudio();
  void detachEncodedAudio(Tile& tile);

  // passed in
  const std::string name_;
  const MixerSettings settings_;
  Listener* listener_;
  // owned
  GstElement* pipeline_ = nullptr;
  GstElement* compositor_ = nullptr;
  GstElement* rawTee_ = nullptr;
  GstElement* sharedAudioSource_ = nullptr;  // the full mix, encoded once for the silent
  GstElement* sharedAudioTee_ = nullptr;
  GstPad* speakerFrame_ = nullptr;  // compositor pads of the two marking frames
  GstPad* floorFrame_ = nullptr;
  std::vector<std::unique_ptr<Tile>> tiles_;  // in join order = tile order
  std::map<VideoCodec, std::unique_ptr<Encoder>> encoders_;
  AudioMixLoop audio_;
  GMainContext* context_;  // the conference thread's, for the mixing thread's reports
  std::shared_ptr<Liveness> alive_ = std::make_shared<Liveness>();
  guint busWatch_ = 0;
  guint keyframeTimer_ = 0;
  // other
  // counted on the compositor's thread; shared with its probe, which may outlive the mixer
  std::shared_ptr<std::atomic<guint64>> compositeFrames_ = std::make_shared<std::atomic<guint64>>(0);
  guint64 lastCompositeFrames_ = 0;
  KeyframeLimiter::Clock::time_point lastCompositeChange_ = KeyframeLimiter::Clock::now();
  bool compositeStallReported_ = false;
  Layout layout_ = Layout::Grid;
  std::optional<std::string> activeSpeaker_;
  std::optional<std::string> lastSpeaker_;  // keeps the speaker view still while nobody speaks
  std::optional<std::string> floorHolder_;
};

}  // namespace plenum::mixer
