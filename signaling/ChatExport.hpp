// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The chat as a file for moderators (chat-export): plain text or Markdown, times in the
// server's local time zone, messages to the moderators marked. Pure formatting: the caller
// passes the messages and the time of the export.
#include "signaling/Protocol.hpp"

#include <deque>
#include <string>

namespace plenum::signaling {

struct ChatExportFile {
  std::string filename;  // chat-<slug>-<YYYY-MM-DD>.txt or .md (local date of the export)
  std::string content;
};

ChatExportFile exportChat(const std::deque<ChatMessageInfo>& messages, ExportFormat format, const RoomInfo& room,
                          WallTime exportedAt);

// Pieces, exposed for tests: local "HH:MM:SS" and "YYYY-MM-DD".
std::string localClockTime(WallTime time);
std::string localDate(WallTime time);

}  // namespace plenum::signaling
