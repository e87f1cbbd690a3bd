// SPDX-License-Identifier: EUPL-1.2
#include "mixer/DtmfToneDetector.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace plenum::mixer {

namespace {

constexpr double kRows[4] = {697, 770, 852, 941};
constexpr double kColumns[4] = {1209, 1336, 1477, 1633};
constexpr char kKeys[4][4] = {{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};
// A tone must be this much stronger than the others of its group (8 dB), the two within this
// twist of each other (8 dB), and both together hold this share of the block's energy.
constexpr double kDominance = 6.3;
constexpr double kTwist = 6.3;
constexpr double kPurity = 0.5;  // allows for the Q.24 frequency tolerance (±1.8 %)
// The quietest tone taken (amplitude of each tone, about -30 dBm0): line noise is no key.
constexpr double kMinAmplitude = 500;

}  // namespace

DtmfToneDetector::DtmfToneDetector(int sampleRate)
    : rate_(sampleRate), blockSize_(static_cast<std::size_t>(sampleRate) * 205 / 8000) {
  for (double hz : kRows) coefficients_.push_back(2 * std::cos(2 * std::numbers::pi * hz / rate_));
  for (double hz : kColumns) coefficients_.push_back(2 * std::cos(2 * std::numbers::pi * hz / rate_));
  block_.reserve(blockSize_);
}

std::vector<char> DtmfToneDetector::feed(std::span<const std::int16_t> samples) {
  std::vector<char> digits;
  for (std::int16_t sample : samples) {
    block_.push_back(sample);
    if (block_.size() < blockSize_) continue;
    const std::optional<char> now = classify();
    block_.clear();
    if (now && now == last_ && shown_ != now) {
      shown_ = now;
      digits.push_back(*now);
    }
    if (!now) shown_.reset();
    last_ = now;
  }
  return digits;
}

std::optional<char> DtmfToneDetector::classify() const {
  double energy = 0;
  for (std::int16_t s : block_) energy += double(s) * s;
  const double n = static_cast<double>(block_.size());
  // A tone of amplitude a: Goertzel power (a n / 2)^2, block energy n a^2 / 2.
  if (energy < n * kMinAmplitude * kMinAmplitude) return std::nullopt;  // two tones of at least kMinAmplitude
  double power[8];
  for (std::size_t f = 0; f < 8; ++f) {
    double s1 = 0, s2 = 0;
    const double c = coefficients_[f];
    for (std::int16_t x : block_) {
      const double s0 = x + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    power[f] = s1 * s1 + s2 * s2 - c * s1 * s2;
  }
  const auto strongest = [&](std::size_t first) {
    std::size_t best = first;
    for (std::size_t f = first; f < first + 4; ++f) best = power[f] > power[best] ? f : best;
    for (std::size_t f = first; f < first + 4; ++f) {
      if (f != best && power[f] * kDominance > power[best]) return std::size_t(8);
    }
    return best;
  };
  const std::size_t row = strongest(0);
  const std::size_t column = strongest(4);
  if (row == 8 || column == 8) return std::nullopt;
  if (power[row] > kTwist * power[column] || power[column] > kTwist * power[row]) return std::nullopt;
  if (power[row] + power[column] < kPurity * n * energy / 2) return std::nullopt;
  const char key = kKeys[row][column - 4];
  if (key >= 'A' && key <= 'D') return std::nullopt;  // not on a phone's keypad
  return key;
}

}  // namespace plenum::mixer
