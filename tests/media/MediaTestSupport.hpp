// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What the media tests share: the test thread as the conference thread, tone and colour checks,
// the synthetic participants' colours and tones, a small composite.
#include "mixer/MixerSettings.hpp"
#include "mixer/TileLayout.hpp"

#include <glib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <thread>
#include <vector>

namespace plenum::test {

using namespace std::chrono_literals;


// The test thread plays the conference thread: the mixer's bus watch and timers run on this
// context, iterated while we poll.
class ConferenceContext {
public:
  ConferenceContext() : context_(g_main_context_new()) { g_main_context_push_thread_default(context_); }
  ~ConferenceContext() {
    g_main_context_pop_thread_default(context_);
    g_main_context_unref(context_);
  }
  // Polls `condition` (generous timeout: the CI machine has 2 loaded cores).
  bool waitFor(const std::function<bool()>& condition, std::chrono::seconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      while (g_main_context_iteration(context_, FALSE)) {
      }
      if (condition()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

private:
  GMainContext* context_;
};

// Amplitude of the `hz` component of 48 kHz samples (Goertzel).
inline double toneAmplitude(const std::vector<int16_t>& samples, double hz) {
  if (samples.empty()) return 0;
  const double w = 2 * std::numbers::pi * hz / 48000.0;
  const double coefficient = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (int16_t sample : samples) {
    const double s0 = sample + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return 2 * std::sqrt(std::max(0.0, power)) / static_cast<double>(samples.size());
}

struct Expected {
  const char* id;
  const char* name;
  guint argb;
  double rgb[3];
  double toneHz;
};

inline const Expected kPeople[] = {
    {"red", "Rita Rot", 0xffff0000, {255, 0, 0}, 500},
    {"green", "Gustav Grün", 0xff00ff00, {0, 255, 0}, 850},
    {"blue", "Berta Blau", 0xff0000ff, {0, 0, 255}, 1400},
};

// The middle of a tile: away from the name label at its bottom edge.
inline plenum::mixer::Rect centre(const plenum::mixer::Rect& tile) {
  return {tile.x + tile.width / 4, tile.y + tile.height / 5, tile.width / 2, tile.height / 2};
}

inline bool looksLike(const double rgb[3], const double expected[3], double tolerance = 60) {
  for (int c = 0; c < 3; ++c) {
    if (std::abs(rgb[c] - expected[c]) > tolerance) return false;
  }
  return true;
}

inline plenum::mixer::MixerSettings smallComposite() {
  plenum::mixer::MixerSettings settings;
  settings.width = 640;
  settings.height = 360;
  settings.framerate = 15;
  settings.videoBitrateKbps = 800;
  return settings;
}

// smallComposite() with a 360x640 portrait composite that goes 500 ms after its last viewer.
inline plenum::mixer::MixerSettings smallCompositeWithPortrait() {
  plenum::mixer::MixerSettings settings = smallComposite();
  settings.portraitWidth = 360;
  settings.portraitHeight = 640;
  settings.portraitIdleMs = 500;
  return settings;
}

}  // namespace plenum::test
