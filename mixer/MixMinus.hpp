// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Mix-minus arithmetic: the sum of all talkers once, then each listener's mix as that sum less
// their own samples, so that nobody hears themselves. Plain arithmetic on 16-bit PCM frames.
#include <cstdint>
#include <span>
#include <vector>

namespace plenum::mixer {

class MixMinus {
public:
  // Adds up `inputs` (each `frames` samples long; an empty span counts as silence) into the
  // full mix, kept in 32 bits so that the sum cannot overflow before clipping.
  void sum(std::span<const std::span<const int16_t>> inputs, std::size_t frames);

  // The mix for a listener whose own contribution is `own` (empty: a listener who does not
  // talk, or is muted), clipped to 16 bits.
  void mixFor(std::span<const int16_t> own, std::span<int16_t> out) const;

  std::span<const int32_t> fullMix() const { return full_; }

private:
  std::vector<int32_t> full_;
};

}  // namespace plenum::mixer
