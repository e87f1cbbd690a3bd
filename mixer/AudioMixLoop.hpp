#pragma once
// The audio half of a room's mix: a thread that ticks every 20 ms, takes 20 ms from every
// participant's FIFO, builds the full mix once and hands every participant its mix-minus.
// Like Janus' audio bridge: the channel list is copied under the lock and mixing happens
// outside it, so joins and leaves never wait for a mix and a mix never waits for a join.
// The same tick measures every participant's level for the active speaker detector.
#include "mixer/ActiveSpeakerDetector.hpp"
#include "mixer/AudioFifo.hpp"
#include "mixer/MixMinus.hpp"

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace plenum::mixer {

class AudioMixLoop {
public:
  static constexpr int kRate = 48000;
  static constexpr std::size_t kFrameSamples = kRate / 50;  // 20 ms, mono
  // At most this much audio waits in a participant's FIFO; more is dropped, oldest first.
  static constexpr std::size_t kMaxBufferedSamples = kRate / 10;  // 100 ms

  struct Channel {
    Channel(std::string id, GstElement* appsrc);
    ~Channel();
    const std::string id;
    AudioFifo input{kMaxBufferedSamples};
    GstElement* output;  // appsrc, owned reference
    std::atomic<bool> muted{false};
  };

  // Called on the mixing thread when the active speaker changes (nullopt: nobody speaks).
  using SpeakerChanged = std::function<void(const std::optional<std::string>&)>;

  explicit AudioMixLoop(SpeakerChanged onActiveSpeaker = {});
  ~AudioMixLoop();
  AudioMixLoop(const AudioMixLoop&) = delete;
  AudioMixLoop& operator=(const AudioMixLoop&) = delete;

  void start();
  void stop();

  std::shared_ptr<Channel> addChannel(const std::string& id, GstElement* appsrc);
  void removeChannel(const std::string& id);
  void setMuted(const std::string& id, bool muted);

private:
  void run();
  void tick();

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Channel>> channels_;
  std::atomic<bool> running_{false};
  std::thread thread_;
  SpeakerChanged onActiveSpeaker_;
  // used by the mixing thread only
  MixMinus mix_;
  ActiveSpeakerDetector speakers_;
};

}  // namespace plenum::mixer
