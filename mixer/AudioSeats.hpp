// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A room's sound: the mixing thread (AudioMixLoop), a place in the mix per microphone, and what
// each seat hears (see Hearing): the switched Opus stream of a browser (the room's shared
// encode of the full mix while it is silent, its own mix-minus encode while it talks), a
// phone's raw mix-minus, a recorder's raw full mix. Conference thread only; the mixing thread
// reaches the GStreamer side through appsrcs, FIFOs and atomics.
#include "mixer/AudioMixLoop.hpp"
#include "mixer/MixerSettings.hpp"
#include "mixer/Seat.hpp"

#include <gst/gst.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace plenum::mixer {

class AudioSeats {
public:
  // `onActiveSpeaker` is called on the mixing thread.
  AudioSeats(GstElement* pipeline, const MixerSettings& settings, AudioMixLoop::SpeakerChanged onActiveSpeaker);
  ~AudioSeats();
  AudioSeats(const AudioSeats&) = delete;
  AudioSeats& operator=(const AudioSeats&) = delete;

  // Starts and stops the mixing thread (start once the pipeline runs).
  void start();
  void stop();

  // A place in the mix for `id`; returns its input (any raw audio; the caller's reference).
  GstPad* addMicrophone(const std::string& id);
  // Links what `id` hears to `into` (a sink pad that never blocks a push). MixMinus and
  // SwitchedOpus need a microphone of `id` (its mix-minus). Throws if it cannot be linked.
  void attachHearing(const std::string& id, Hearing hearing, GstPad* into);
  // Takes `id` out of the mix and unlinks what it hears.
  void remove(const std::string& id);

  void setMuted(const std::string& id, bool muted);
  // Whether `id` is given the shared Opus stream now (false: its own; as the mixing thread last
  // chose). For tests.
  bool receivesSharedAudio(const std::string& id) const;

private:
  struct Seat;

  Seat& seat(const std::string& id);
  void attachSwitchedOpus(Seat& seat, GstPad* into);
  void detachHearing(Seat& seat);

  // passed in
  GstElement* pipeline_;
  const MixerSettings settings_;
  // owned
  GstElement* fullMixSource_ = nullptr;  // the full mix, every tick
  GstElement* fullMixTee_ = nullptr;     // to the shared Opus encoder and the recorders
  GstElement* sharedOpusTee_ = nullptr;  // the full mix encoded once, for the silent
  std::map<std::string, std::unique_ptr<Seat>> seats_;
  AudioMixLoop loop_;
};

}  // namespace plenum::mixer
