// SPDX-License-Identifier: EUPL-1.2
#include "mixer/AudioMixLoop.hpp"

#include <gst/app/gstappsrc.h>

#include <chrono>
#include <vector>

namespace plenum::mixer {

AudioMixLoop::Channel::Channel(std::string id_, GstElement* appsrc)
    : id(std::move(id_)), output(GST_ELEMENT(gst_object_ref(appsrc))) {}

AudioMixLoop::Channel::~Channel() { gst_object_unref(output); }

AudioMixLoop::AudioMixLoop(SpeakerChanged onActiveSpeaker) : onActiveSpeaker_(std::move(onActiveSpeaker)) {}

AudioMixLoop::~AudioMixLoop() {
  stop();
  if (sharedOutput_) gst_object_unref(sharedOutput_);
}

void AudioMixLoop::setSharedOutput(GstElement* appsrc) {
  if (sharedOutput_) gst_object_unref(sharedOutput_);
  sharedOutput_ = GST_ELEMENT(gst_object_ref(appsrc));
}

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

// The running time now, on the pipeline's clock (read through the shared appsrc: the mixing
// thread touches appsrc elements only); NONE while the pipeline is not yet running.
GstClockTime AudioMixLoop::tickTimestamp() {
  if (!sharedOutput_) return GST_CLOCK_TIME_NONE;
  GstClock* clock = gst_element_get_clock(sharedOutput_);
  if (!clock) return GST_CLOCK_TIME_NONE;
  const GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  const GstClockTime base = gst_element_get_base_time(sharedOutput_);
  return now >= base ? clock_.next(now - base) : GST_CLOCK_TIME_NONE;
}

void AudioMixLoop::push(GstElement* appsrc, const MixMinus& mix, std::span<const int16_t> own,
                        GstClockTime pts, bool discont) {
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, kFrameSamples * sizeof(int16_t), nullptr);
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_WRITE);
  mix.mixFor(own, std::span(reinterpret_cast<int16_t*>(map.data), kFrameSamples));
  gst_buffer_unmap(buffer, &map);
  GST_BUFFER_PTS(buffer) = pts;
  GST_BUFFER_DURATION(buffer) = TickClock::kTick;
  if (discont) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
  gst_app_src_push_buffer(GST_APP_SRC(appsrc), buffer);  // takes the buffer
}

void AudioMixLoop::tick() {
  auto& channels = tickChannels_;
  channels.clear();
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, channel] : channels_) channels.push_back(channel);
  }
  const GstClockTime pts = tickTimestamp();

  auto& own = tickFrames_;
  if (own.size() < channels.size()) own.resize(channels.size(), std::vector<int16_t>(kFrameSamples));
  auto& talkers = tickTalkers_;
  talkers.assign(channels.size(), {});
  auto& levels = tickLevels_;
  levels.resize(channels.size());
  for (std::size_t i = 0; i < channels.size(); ++i) {
    Channel& channel = *channels[i];
    const std::size_t got = channel.input.pop(own[i]);
    const bool muted = channel.muted;
    // A muted participant's samples are drained but neither mixed nor subtracted, and they
    // are silent to the speaker detector.
    const std::span<const int16_t> heard =
        got > 0 && !muted ? std::span<const int16_t>(own[i]) : std::span<const int16_t>();
    levels[i] = {channel.id, heard.empty() ? ActiveSpeakerDetector::kSilenceDbfs : rmsDbfs(heard.first(got))};
    const bool talking = channel.talk.update(heard, muted);
    // Switched before anything of this tick is pushed (see StreamChoice).
    if (talking != channel.choice.ownSelected() && GST_CLOCK_TIME_IS_VALID(pts)) channel.choice.select(talking, pts);
    // The gate: who listens to the shared stream is not in it (their frame is below the floor).
    if (channel.choice.ownSelected()) talkers[i] = heard;
  }
  // Also with nobody left, so that a last speaker who leaves is reported gone.
  if (speakers_.tick(levels) && onActiveSpeaker_) onActiveSpeaker_(speakers_.activeSpeaker());
  // An empty room encodes nothing; nor before the pipeline runs.
  if (channels.empty() || !GST_CLOCK_TIME_IS_VALID(pts)) return;
  mix_.sum(talkers, kFrameSamples);

  push(sharedOutput_, mix_, {}, pts, false);
  for (std::size_t i = 0; i < channels.size(); ++i) {
    Channel& channel = *channels[i];
    // The own encoder works only while its participant talks (and during the hold).
    const bool feed = channel.alwaysFed || channel.choice.ownSelected();
    if (feed) push(channel.output, mix_, talkers[i], pts, !channel.fed);
    channel.fed = feed;
  }
}

}  // namespace plenum::mixer
