// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A meeting's chat, in memory only: it is gone with the room (PROTOCOL.md, "Chat"). Holds at
// most `capacity` messages and `maxTextBytes` of text (the oldest go first) so that a long
// meeting cannot eat the memory.
// Decides who may read which message: messages to everyone are for everyone, messages to the
// moderators for the moderators and their sender.
#include "signaling/Protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace plenum::signaling {

class ChatLog {
public:
  static constexpr std::size_t kDefaultCapacity = 5000;
  static constexpr std::size_t kDefaultMaxTextBytes = 4 * 1024 * 1024;  // ~2000 long messages
  static constexpr std::size_t kHistoryMessages = 500;  // what a newcomer gets at most

  explicit ChatLog(std::size_t capacity = kDefaultCapacity, std::size_t maxTextBytes = kDefaultMaxTextBytes);

  // Stores the message under a new id ("m<n>") and returns it.
  const ChatMessageInfo& add(const ChatAuthor& from, ChatAudience to, std::string text, WallTime time);

  // Whether `readerId` (a moderator or not) may read `message`.
  static bool mayRead(const ChatMessageInfo& message, const std::string& readerId, bool moderator);
  // The last `max` messages the reader may read, oldest first.
  std::vector<ChatMessageInfo> readableBy(const std::string& readerId, bool moderator,
                                          std::size_t max = kHistoryMessages) const;
  // Every stored message, oldest first (for the moderators' export).
  const std::deque<ChatMessageInfo>& all() const { return messages_; }
  std::size_t size() const { return messages_.size(); }
  std::size_t textBytes() const { return textBytes_; }
  void clear();

private:
  const std::size_t capacity_;
  const std::size_t maxTextBytes_;
  std::deque<ChatMessageInfo> messages_;
  std::size_t textBytes_ = 0;
  std::uint64_t nextId_ = 1;
};

}  // namespace plenum::signaling
