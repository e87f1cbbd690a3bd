#include "mixer/AudioMixLoop.hpp"

#include <gst/app/gstappsrc.h>

#include <chrono>
#include <vector>

namespace plenum::mixer {

AudioMixLoop::Channel::Channel(std::string id_, GstElement* appsrc)
    : id(std::move(id_)), output(GST_ELEMENT(gst_object_ref(appsrc))) {}

AudioMixLoop::Channel::~Channel() { gst_object_unref(output); }

AudioMixLoop::AudioMixLoop(SpeakerChanged onActiveSpeaker) : onActiveSpeaker_(std::move(onActiveSpeaker)) {}

AudioMixLoop::~AudioMixLoop() { stop(); }

void AudioMixLoop::start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { run(); });
}

void AudioMixLoop::stop() {
  if (!running_.exchange(false)) return;
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<AudioMixLoop::Channel> AudioMixLoop::addChannel(const std::string& id,
                                                               GstElement* appsrc) {
  auto channel = std::make_shared<Channel>(id, appsrc);
  std::lock_guard lock(mutex_);
  channels_[id] = channel;
  return channel;
}

void AudioMixLoop::removeChannel(const std::string& id) {
  std::lock_guard lock(mutex_);
  channels_.erase(id);
}

void AudioMixLoop::setMuted(const std::string& id, bool muted) {
  std::lock_guard lock(mutex_);
  if (auto it = channels_.find(id); it != channels_.end()) it->second->muted = muted;
}

void AudioMixLoop::run() {
  using namespace std::chrono;
  auto next = steady_clock::now();
  while (running_) {
    tick();
    next += milliseconds(20);
    const auto now = steady_clock::now();
    // After a stall (debugger, overloaded machine) do not try to catch up with a burst.
    if (next < now - milliseconds(100)) next = now;
    std::this_thread::sleep_until(next);
  }
}

void AudioMixLoop::tick() {
  std::vector<std::shared_ptr<Channel>> channels;
  {
    std::lock_guard lock(mutex_);
    channels.reserve(channels_.size());
    for (auto& [id, channel] : channels_) channels.push_back(channel);
  }

  std::vector<std::vector<int16_t>> own(channels.size(), std::vector<int16_t>(kFrameSamples));
  std::vector<std::span<const int16_t>> talkers(channels.size());
  std::vector<ActiveSpeakerDetector::Level> levels(channels.size());
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const std::size_t got = channels[i]->input.pop(own[i]);
    // A muted participant's samples are drained but neither mixed nor subtracted, and they
    // are silent to the speaker detector.
    if (got > 0 && !channels[i]->muted) talkers[i] = own[i];
    const double level = talkers[i].empty() ? ActiveSpeakerDetector::kSilenceDbfs
                                            : rmsDbfs(talkers[i].first(got));
    levels[i] = {channels[i]->id, level};
  }
  // Also with nobody left, so that a last speaker who leaves is reported gone.
  if (speakers_.tick(levels) && onActiveSpeaker_) onActiveSpeaker_(speakers_.activeSpeaker());
  if (channels.empty()) return;
  mix_.sum(talkers, kFrameSamples);

  for (std::size_t i = 0; i < channels.size(); ++i) {
    GstBuffer* buffer = gst_buffer_new_allocate(nullptr, kFrameSamples * sizeof(int16_t), nullptr);
    GstMapInfo map;
    gst_buffer_map(buffer, &map, GST_MAP_WRITE);
    mix_.mixFor(talkers[i], std::span(reinterpret_cast<int16_t*>(map.data), kFrameSamples));
    gst_buffer_unmap(buffer, &map);
    GST_BUFFER_DURATION(buffer) = 20 * GST_MSECOND;
    gst_app_src_push_buffer(GST_APP_SRC(channels[i]->output), buffer);  // takes the buffer
  }
}

}  // namespace plenum::mixer
