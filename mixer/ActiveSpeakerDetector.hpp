// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Who is the active speaker, from each participant's audio level. Plain arithmetic, no
// GStreamer: the audio mixing thread feeds it once per 20 ms tick (AudioMixLoop) with the level
// of every participant's frame, and it tells when the active speaker changes.
//
// It must not flicker, so it works with a threshold, delays and one speaker at a time:
//   level      RMS of the tick's frame in dBFS; a participant muted on the server or whose
//              audio did not arrive in time counts as kSilenceDbfs.
//   smoothed   follows a rising level at once and falls by kReleaseDbPerTick per tick, which
//              bridges the short pauses between words (from a typical -25 dBFS: ~250 ms).
//   speaking   smoothed >= kThresholdDbfs.
//   onset      a participant becomes a candidate once their level was above the threshold for
//              kOnsetTicks ticks more than below it (a leaky count, so a click and the silence
//              after it cancel out, whereas speech with short pauses adds up: continuous sound
//              after 300 ms, speech that is 80 % voiced after ~500 ms).
//   hold       the active speaker stays active until not speaking for kHoldTicks (counted
//              from when the smoothed level fell below the threshold, so the marking goes
//              ~1.3 s after the last sound at -20 dBFS); then the loudest candidate takes
//              over, or nobody (nullopt: the marking disappears; the mixer's speaker layout
//              keeps showing the last speaker large).
//   switch     a candidate takes over from a still active speaker after being speaking and
//              louder (smoothed) than them for kSwitchTicks ticks in a row.
//   leaving    a participant missing from a tick is gone: if active, the speaker changes at once.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace plenum::mixer {

// RMS of 16-bit samples in dBFS (a full-scale square wave is 0 dBFS); kSilenceDbfs for none.
double rmsDbfs(std::span<const int16_t> samples);

class ActiveSpeakerDetector {
public:
  static constexpr int kTickMs = 20;
  static constexpr double kSilenceDbfs = -100.0;
  static constexpr double kThresholdDbfs = -45.0;
  static constexpr double kReleaseDbPerTick = 1.5;
  static constexpr int kOnsetTicks = 300 / kTickMs;   // 300 ms
  static constexpr int kHoldTicks = 1000 / kTickMs;   // 1 s
  static constexpr int kSwitchTicks = 600 / kTickMs;  // 600 ms

  struct Level {
    std::string_view id;
    double dbfs;
  };

  // One tick: the levels of everybody in the room. True when the active speaker changed.
  bool tick(std::span<const Level> levels);
  const std::optional<std::string>& activeSpeaker() const { return active_; }

private:
  struct Participant {
    double smoothed = kSilenceDbfs;
    int voicedTicks = 0;  // the leaky count of ticks above the threshold, 0..kOnsetTicks
    int quietTicks = 0;   // ticks since the smoothed level fell below the threshold
    int louderTicks = 0;  // ticks in a row speaking and louder than the active speaker
    bool seen = false;    // in this tick's levels
    bool speaking() const { return smoothed >= kThresholdDbfs; }
    bool candidate() const { return speaking() && voicedTicks >= kOnsetTicks; }
  };

  void update(Participant& p, double dbfs);
  // The loudest candidate other than `except`, if any.
  const std::string* loudestCandidate(const std::string* except) const;

  std::map<std::string, Participant, std::less<>> participants_;
  std::optional<std::string> active_;
};

}  // namespace plenum::mixer
