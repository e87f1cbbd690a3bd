// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/DtmfToneDetector: keypad tones in audio, and what must not be taken for one.
#include "mixer/DtmfToneDetector.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <string>
#include <vector>

using plenum::mixer::DtmfToneDetector;

namespace {

const std::map<char, std::pair<double, double>> kTones{
    {'1', {697, 1209}}, {'2', {697, 1336}}, {'3', {697, 1477}}, {'4', {770, 1209}}, {'5', {770, 1336}},
    {'6', {770, 1477}}, {'7', {852, 1209}}, {'8', {852, 1336}}, {'9', {852, 1477}}, {'*', {941, 1209}},
    {'0', {941, 1336}}, {'#', {941, 1477}}};

void addTone(std::vector<std::int16_t>& out, int rate, double hz1, double hz2, int ms, double amplitude) {
  const std::size_t start = out.size();
  out.resize(start + static_cast<std::size_t>(rate * ms / 1000));
  for (std::size_t i = start; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    out[i] = static_cast<std::int16_t>(amplitude * (std::sin(2 * std::numbers::pi * hz1 * t) +
                                                    std::sin(2 * std::numbers::pi * hz2 * t)));
  }
}

std::string detect(const std::vector<std::int16_t>& audio, int rate) {
  DtmfToneDetector detector(rate);
  std::string digits;
  // In 20 ms buffers, as a decoder hands them on.
  const std::size_t step = static_cast<std::size_t>(rate / 50);
  for (std::size_t i = 0; i < audio.size(); i += step) {
    const std::size_t n = std::min(step, audio.size() - i);
    for (char d : detector.feed(std::span(audio.data() + i, n))) digits += d;
  }
  return digits;
}

}  // namespace

TEST_CASE("Keypad tones are detected once per press", "[dtmf]") {
  const int rate = GENERATE(8000, 16000, 48000);
  INFO("rate " << rate);
  std::vector<std::int16_t> audio;
  const std::string keys = "1234567890*#55";
  for (char key : keys) {
    addTone(audio, rate, kTones.at(key).first, kTones.at(key).second, 80, 4000);
    addTone(audio, rate, 0, 0, 70, 0);
  }
  CHECK(detect(audio, rate) == keys);
}

TEST_CASE("A long press is one digit; a quiet or off-frequency tone none", "[dtmf]") {
  std::vector<std::int16_t> audio;
  addTone(audio, 8000, 770, 1336, 1500, 4000);
  CHECK(detect(audio, 8000) == "5");
  audio.clear();
  addTone(audio, 8000, 770, 1336, 300, 100);  // below the level of a key
  CHECK(detect(audio, 8000).empty());
  audio.clear();
  addTone(audio, 8000, 730, 1290, 300, 4000);  // between the rows and columns
  CHECK(detect(audio, 8000).empty());
}

TEST_CASE("Other sounds are no keypad tones", "[dtmf]") {
  std::vector<std::int16_t> audio;
  addTone(audio, 8000, 440, 1000, 500, 4000);  // two tones, not DTMF
  addTone(audio, 8000, 697, 0, 500, 4000);     // a row tone alone
  CHECK(detect(audio, 8000).empty());
  // Noise, and a DTMF pair buried in it.
  std::mt19937 random(7);
  std::normal_distribution<double> noise(0, 3000);
  std::vector<std::int16_t> noisy;
  addTone(noisy, 8000, 852, 1477, 500, 1000);
  for (auto& s : noisy) s = static_cast<std::int16_t>(std::clamp(s + noise(random), -32768.0, 32767.0));
  CHECK(detect(noisy, 8000).empty());
}
