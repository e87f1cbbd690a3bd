// SPDX-License-Identifier: EUPL-1.2
#include "mixer/ActiveSpeakerDetector.hpp"

#include <algorithm>
#include <cmath>

namespace plenum::mixer {

double rmsDbfs(std::span<const int16_t> samples) {
  if (samples.empty()) return ActiveSpeakerDetector::kSilenceDbfs;
  double sumOfSquares = 0;
  for (int16_t sample : samples) sumOfSquares += double(sample) * double(sample);
  const double rms = std::sqrt(sumOfSquares / double(samples.size())) / 32768.0;
  if (rms <= 0) return ActiveSpeakerDetector::kSilenceDbfs;
  return std::max(ActiveSpeakerDetector::kSilenceDbfs, 20.0 * std::log10(rms));
}

bool ActiveSpeakerDetector::tick(std::span<const Level> levels) {
  for (auto& [id, p] : participants_) p.seen = false;
  for (const Level& level : levels) {
    auto it = participants_.find(level.id);
    if (it == participants_.end()) it = participants_.emplace(std::string(level.id), Participant{}).first;
    update(it->second, level.dbfs);
    it->second.seen = true;
  }
  std::erase_if(participants_, [](const auto& entry) { return !entry.second.seen; });

  const std::optional<std::string> before = active_;
  if (active_ && !participants_.contains(*active_)) active_.reset();  // left the room

  if (active_) {
    const Participant& current = participants_.find(*active_)->second;
    const std::string* challenger = nullptr;
    for (auto& [id, p] : participants_) {
      if (id == *active_) continue;
      p.louderTicks = p.speaking() && p.smoothed > current.smoothed ? p.louderTicks + 1 : 0;
      if (p.candidate() && p.louderTicks >= kSwitchTicks &&
          (!challenger || p.smoothed > participants_.find(*challenger)->second.smoothed)) {
        challenger = &id;
      }
    }
    if (challenger) {
      active_ = *challenger;
    } else if (!current.speaking() && current.quietTicks >= kHoldTicks) {
      const std::string* next = loudestCandidate(&*active_);
      active_ = next ? std::optional<std::string>(*next) : std::nullopt;
    }
  } else if (const std::string* first = loudestCandidate(nullptr)) {
    active_ = *first;
  }

  if (active_ == before) return false;
  for (auto& [id, p] : participants_) p.louderTicks = 0;  // a new speaker: everybody starts again
  return true;
}

void ActiveSpeakerDetector::update(Participant& p, double dbfs) {
  if (!(dbfs >= kSilenceDbfs)) dbfs = kSilenceDbfs;  // also NaN and -inf
  p.smoothed = std::max(dbfs, p.smoothed - kReleaseDbPerTick);
  // A leaky count: a click adds a few ticks, and the silence after it takes them away again.
  p.voicedTicks = std::clamp(p.voicedTicks + (dbfs >= kThresholdDbfs ? 1 : -1), 0, kOnsetTicks);
  p.quietTicks = p.speaking() ? 0 : std::min(p.quietTicks + 1, kHoldTicks);
}

const std::string* ActiveSpeakerDetector::loudestCandidate(const std::string* except) const {
  const std::string* loudest = nullptr;
  double loudestLevel = kSilenceDbfs;
  for (const auto& [id, p] : participants_) {
    if ((except && id == *except) || !p.candidate()) continue;
    if (!loudest || p.smoothed > loudestLevel) {
      loudest = &id;
      loudestLevel = p.smoothed;
    }
  }
  return loudest;
}

}  // namespace plenum::mixer
