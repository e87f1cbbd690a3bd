// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The composite, encoded once per codec for everybody who takes it (browsers, later the
// recorder), and the key frames: a newcomer or a receiver's PLI/FIR asks for one, at most one
// per keyframeMinIntervalMs (KeyframeLimiter), so one bad link cannot flood the room with key
// frames. An encoder is made on first use, and idles (gets no frames) while nobody takes it.
// Conference thread only.
#include "mixer/KeyframeLimiter.hpp"
#include "mixer/MixerSettings.hpp"

#include <gst/gst.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace plenum::mixer {

class CompositeEncoders {
public:
  // `rawTee`: where the raw composite leaves the compositor. `prefix` starts the names of the
  // elements (a second composite's encoders in the same pipeline).
  CompositeEncoders(GstElement* pipeline, GstElement* rawTee, const MixerSettings& settings,
                    const std::string& prefix = {});
  ~CompositeEncoders();
  CompositeEncoders(const CompositeEncoders&) = delete;
  CompositeEncoders& operator=(const CompositeEncoders&) = delete;

  // Links a new branch of the codec's encoder tee to `into` and returns the tee's pad (give it
  // back with release). `into` must never block a push: a leaky queue, typically (linkBranch
  // answers the serialized queries that would wait there). Throws if it cannot be linked. A
  // key frame follows for the newcomer.
  GstPad* attach(VideoCodec codec, GstPad* into);
  void release(VideoCodec codec, GstPad*& pad);
  void requestKeyframe(VideoCodec codec);
  // Sends the key frames that were asked for while the limiter held them back (every 250 ms).
  void sendPendingKeyframes(KeyframeLimiter::Clock::time_point now);
  unsigned keyframesGranted(VideoCodec codec) const;
  // Raw frames handed to the codec's encoder so far (none while nobody takes it).
  std::uint64_t framesEncoded(VideoCodec codec) const;
  // Every element of every encoder, upstream first: to retire them with their composite.
  std::vector<GstElement*> elements() const;

private:
  struct Encoder;

  Encoder& encoder(VideoCodec codec);
  static GstPadProbeReturn onUpstreamEvent(GstPad* pad, GstPadProbeInfo* info, gpointer limiter);
  // Drops the raw composite before an encoder nobody takes (its receiver count is zero).
  static GstPadProbeReturn onRawFrame(GstPad* pad, GstPadProbeInfo* info, gpointer intake);

  // passed in
  GstElement* pipeline_;
  GstElement* rawTee_;
  const MixerSettings settings_;
  const std::string prefix_;
  // owned
  std::map<VideoCodec, std::unique_ptr<Encoder>> encoders_;
};

}  // namespace plenum::mixer
