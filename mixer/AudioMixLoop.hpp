// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The audio half of a room's mix: a thread that ticks every 20 ms, takes 20 ms from every
// participant's FIFO, builds the full mix once and hands every participant its mix-minus.
// Like Janus' audio bridge: the channel list is copied under the lock and mixing happens
// outside it, so joins and leaves never wait for a mix and a mix never waits for a join.
// The same tick measures every participant's level for the active speaker detector.
//
// Outputs per tick: the full mix to the shared appsrc (the room encodes it once for everybody
// who is not talking), and a talker's mix-minus to their own appsrc, only while they talk (the
// own encoder idles otherwise) unless the channel is always fed (a phone's raw mix-minus). Each participant's TalkDetector decides, and the tick sets their
// StreamChoice before it pushes anything, so a talker's first loud frame never reaches them
// through the shared stream. All frames of a tick carry the same timestamp (TickClock).
#include "mixer/ActiveSpeakerDetector.hpp"
#include "mixer/AudioFifo.hpp"
#include "mixer/MixMinus.hpp"
#include "mixer/StreamChoice.hpp"
#include "mixer/TalkDetector.hpp"
#include "mixer/TickClock.hpp"

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace plenum::mixer {

class AudioMixLoop {
public:
  static constexpr int kRate = 48000;
  static constexpr std::size_t kFrameSamples = kRate / 50;  // 20 ms, mono
  // At most this much audio waits in a participant's FIFO; more is dropped, oldest first.
  static constexpr std::size_t kMaxBufferedSamples = kRate / 10;  // 100 ms
  // A backlog that stood in a FIFO for a whole second beyond 10 ms is dropped (AudioFifo): it
  // is delay nobody needs. The 10 ms left absorb packets that come up to 10 ms late.
  static constexpr std::size_t kFifoSlackSamples = kRate / 100;
  static constexpr unsigned kFifoTrimWindow = 50;  // ticks: 1 s

  struct Channel {
    Channel(std::string id, GstElement* appsrc);
    ~Channel();
    const std::string id;
    AudioFifo input{kMaxBufferedSamples, kFifoSlackSamples, kFifoTrimWindow};
    GstElement* output;  // appsrc of the own mix-minus, owned reference
    std::atomic<bool> muted{false};
    // The mix-minus goes to `output` every tick, also while silent (a phone hears it raw), not
    // only while the participant talks (a browser's own encoder).
    std::atomic<bool> alwaysFed{false};
    StreamChoice choice;  // set by the mixing thread, read by the pad probes
    // used by the mixing thread only
    TalkDetector talk;
    bool fed = false;  // the last tick pushed to `output` (the next push after a gap is DISCONT)
  };

  // Called on the mixing thread when the active speaker changes (nullopt: nobody speaks).
  using SpeakerChanged = std::function<void(const std::optional<std::string>&)>;

  explicit AudioMixLoop(SpeakerChanged onActiveSpeaker = {});
  ~AudioMixLoop();
  AudioMixLoop(const AudioMixLoop&) = delete;
  AudioMixLoop& operator=(const AudioMixLoop&) = delete;

  // The appsrc of the room's full mix (the shared encode); set before start().
  void setSharedOutput(GstElement* appsrc);
  void start();
  void stop();

  std::shared_ptr<Channel> addChannel(const std::string& id, GstElement* appsrc);
  void removeChannel(const std::string& id);
  void setMuted(const std::string& id, bool muted);

private:
  void run();
  void tick();
  GstClockTime tickTimestamp();
  static void push(GstElement* appsrc, const MixMinus& mix, std::span<const int16_t> own,
                   GstClockTime pts, bool discont);

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Channel>> channels_;
  std::atomic<bool> running_{false};
  std::thread thread_;
  SpeakerChanged onActiveSpeaker_;
  GstElement* sharedOutput_ = nullptr;  // owned reference
  // used by the mixing thread only
  MixMinus mix_;
  TickClock clock_;
  ActiveSpeakerDetector speakers_;
  // A tick's scratch space, kept between ticks so that the 20 ms path allocates only when the
  // room grows.
  std::vector<std::shared_ptr<Channel>> tickChannels_;
  std::vector<std::vector<int16_t>> tickFrames_;
  std::vector<std::span<const int16_t>> tickTalkers_;
  std::vector<ActiveSpeakerDetector::Level> tickLevels_;
};

}  // namespace plenum::mixer
