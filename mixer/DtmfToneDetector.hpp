// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Keypad digits in the caller's audio (in-band DTMF, ITU-T Q.23/Q.24), for gateways that send
// tones instead of RFC 4733 events. Goertzel filters at the eight DTMF frequencies over blocks
// of about 25 ms; a block holds a digit when one row and one column tone stand out of the
// others, together carry nearly all of the block's energy (speech and music do not) and are
// within the allowed twist. A digit is reported once when two blocks in a row hold it (a press
// of at least ~40 ms) and again only after a block without it. Pure code: unit-tested alone.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace plenum::mixer {

class DtmfToneDetector {
public:
  explicit DtmfToneDetector(int sampleRate);
  int sampleRate() const { return rate_; }
  // Feeds mono samples; returns the digits that started in them, in order.
  std::vector<char> feed(std::span<const std::int16_t> samples);

private:
  std::optional<char> classify() const;

  int rate_;
  std::size_t blockSize_;
  std::vector<double> coefficients_;  // 4 rows, then 4 columns
  std::vector<std::int16_t> block_;
  std::optional<char> last_;    // what the block before held
  std::optional<char> shown_;   // the digit reported for the current press
};

}  // namespace plenum::mixer
