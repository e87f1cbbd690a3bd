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
  // What a newcomer gets at most: every join would otherwise resend up to the whole log (4 MiB),
  // which a few clients joining in a loop turn into a flood of the server's uplink.
  static constexpr std::size_t kHistoryMessages = 500;
  static constexpr std::size_t kHistoryTextBytes = 256 * 1024;

  explicit ChatLog(std::size_t capacity = kDefaultCapacity, std::size_t maxTextBytes = kDefaultMaxTextBytes);

  // Stores the message under a new id ("m<n>") and returns it.
  const ChatMessageInfo& add(const ChatAuthor& from, ChatAudience to, std::string text, WallTime time);

  // Whether `readerId` (a moderator or not) may read `message`.
  static bool mayRead(const ChatMessageInfo& message, const std::string& readerId, bool moderator);
  // The last messages the reader may read, oldest first: at most `max`, and no more than fit
  // into `maxTextBytes` of text (the newest always).
  std::vector<ChatMessageInfo> readableBy(const std::string& readerId, bool moderator,
                                          std::size_t max = kHistoryMessages,
                                          std::size_t maxTextBytes = kHistoryTextBytes) const;
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
