// SPDX-License-Identifier: EUPL-1.2
#include "signaling/ChatLog.hpp"

#include <algorithm>

namespace plenum::signaling {

ChatLog::ChatLog(std::size_t capacity, std::size_t maxTextBytes)
    : capacity_(std::max<std::size_t>(capacity, 1)), maxTextBytes_(maxTextBytes) {}

const ChatMessageInfo& ChatLog::add(const ChatAuthor& from, ChatAudience to, std::string text, WallTime time) {
  textBytes_ += text.size();
  messages_.push_back(ChatMessageInfo{"m" + std::to_string(nextId_++), from, to, std::move(text), time});
  // The newest always stays, whatever its size.
  while (messages_.size() > 1 && (messages_.size() > capacity_ || textBytes_ > maxTextBytes_)) {
    textBytes_ -= messages_.front().text.size();
    messages_.pop_front();
  }
  return messages_.back();
}

void ChatLog::clear() {
  messages_.clear();
  textBytes_ = 0;
}

bool ChatLog::mayRead(const ChatMessageInfo& message, const std::string& readerId, bool moderator) {
  return message.to == ChatAudience::Everyone || moderator || message.from.participantId == readerId;
}

std::vector<ChatMessageInfo> ChatLog::readableBy(const std::string& readerId, bool moderator, std::size_t max,
                                                 std::size_t maxTextBytes) const {
  // Walk back from the newest until `max` are found or the text is full, then put them in order.
  std::vector<ChatMessageInfo> out;
  std::size_t bytes = 0;
  for (auto it = messages_.rbegin(); it != messages_.rend() && out.size() < max; ++it) {
    if (!mayRead(*it, readerId, moderator)) continue;
    bytes += it->text.size();
    if (bytes > maxTextBytes && !out.empty()) break;
    out.push_back(*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace plenum::signaling
