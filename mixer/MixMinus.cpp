// SPDX-License-Identifier: EUPL-1.2
#include "mixer/MixMinus.hpp"

#include <algorithm>

namespace plenum::mixer {

void MixMinus::sum(std::span<const std::span<const int16_t>> inputs, std::size_t frames) {
  full_.assign(frames, 0);
  for (const auto& input : inputs) {
    const std::size_t n = std::min(frames, input.size());
    for (std::size_t i = 0; i < n; ++i) full_[i] += input[i];
  }
}

void MixMinus::mixFor(std::span<const int16_t> own, std::span<int16_t> out) const {
  const std::size_t n = std::min(out.size(), full_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const int32_t value = full_[i] - (i < own.size() ? own[i] : 0);
    out[i] = static_cast<int16_t>(std::clamp<int32_t>(value, INT16_MIN, INT16_MAX));
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), int16_t{0});
}

}  // namespace plenum::mixer
