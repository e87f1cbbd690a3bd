// SPDX-License-Identifier: EUPL-1.2
#include "signaling/SpeakerQueue.hpp"

#include <algorithm>

namespace plenum::signaling {

const QueueEntryInfo* SpeakerQueue::find(const std::string& entryId) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.entryId == entryId; });
  return it == entries_.end() ? nullptr : &*it;
}

bool SpeakerQueue::raise(const std::string& participantId, const std::string& name, HandKind kind, WallTime now) {
  const bool has = std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) {
    return e.participantId == participantId && e.kind == kind;
  });
  if (has) return false;
  QueueEntryInfo entry{"q" + std::to_string(nextId_++), participantId, name, kind, now};
  if (kind == HandKind::Speak) {
    entries_.push_back(std::move(entry));
  } else {
    // Ahead of every "speak" entry: just before the first one. Earlier points of order stay
    // ahead, unless a moderator moved them behind a "speak" entry.
    auto firstSpeak = std::find_if(entries_.begin(), entries_.end(),
                                   [](const auto& e) { return e.kind == HandKind::Speak; });
    entries_.insert(firstSpeak, std::move(entry));
  }
  return true;
}

bool SpeakerQueue::lower(const std::string& participantId, const std::optional<std::string>& entryId) {
  const auto before = entries_.size();
  std::erase_if(entries_, [&](const auto& e) {
    return e.participantId == participantId && (!entryId || e.entryId == *entryId);
  });
  return entries_.size() != before;
}

bool SpeakerQueue::move(const std::string& entryId, std::size_t position) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.entryId == entryId; });
  if (it == entries_.end()) return false;
  QueueEntryInfo entry = std::move(*it);
  entries_.erase(it);
  entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(std::min(position, entries_.size())),
                  std::move(entry));
  return true;
}

bool SpeakerQueue::remove(const std::string& entryId) {
  return std::erase_if(entries_, [&](const auto& e) { return e.entryId == entryId; }) > 0;
}

bool SpeakerQueue::clear() {
  if (entries_.empty()) return false;
  entries_.clear();
  return true;
}

std::optional<QueueEntryInfo> SpeakerQueue::take(const std::optional<std::string>& entryId) {
  auto it = entryId ? std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.entryId == *entryId; })
                    : entries_.begin();
  if (it == entries_.end()) return std::nullopt;
  QueueEntryInfo entry = std::move(*it);
  entries_.erase(it);
  return entry;
}

bool SpeakerQueue::takeFloor() {
  if (!floor_) return false;
  floor_.reset();
  return true;
}

SpeakerQueue::LeaveEffect SpeakerQueue::removeParticipant(const std::string& participantId) {
  LeaveEffect effect;
  effect.queueChanged = lower(participantId, std::nullopt);
  if (floor_ && floor_->participantId == participantId) {
    floor_.reset();
    effect.floorFreed = true;
  }
  return effect;
}

}  // namespace plenum::signaling
