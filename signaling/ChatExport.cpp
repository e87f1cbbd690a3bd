// SPDX-License-Identifier: EUPL-1.2
#include "signaling/ChatExport.hpp"

#include <cstdio>
#include <ctime>
#include <sstream>

namespace plenum::signaling {

namespace {

std::tm localTime(WallTime time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm local{};
  localtime_r(&seconds, &local);
  return local;
}

// Splits at line feeds.
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    const auto end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

// Chat is plain text: in Markdown, characters that would format are escaped, so that the file
// shows what was written.
std::string escapeMarkdown(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '<' || c == '>' || c == '#' ||
        c == '|' || c == '~') {
      out += '\\';
    }
    out += c;
  }
  // A line starting with "-" or "+" would open a list of its own.
  if (!out.empty() && (out.front() == '-' || out.front() == '+')) out.insert(out.begin(), '\\');
  return out;
}

std::string asText(const std::deque<ChatMessageInfo>& messages) {
  std::ostringstream out;
  for (const auto& m : messages) {
    out << '[' << localClockTime(m.time) << "] " << m.from.name;
    if (m.to == ChatAudience::Moderators) out << " (to moderators)";
    out << ':';
    bool first = true;
    for (const auto& line : lines(m.text)) {
      out << (first ? " " : "    ") << line << '\n';
      first = false;
    }
  }
  return out.str();
}

std::string asMarkdown(const std::deque<ChatMessageInfo>& messages, const RoomInfo& room, WallTime exportedAt) {
  std::ostringstream out;
  out << "# Chat: " << escapeMarkdown(room.title) << ", " << localDate(exportedAt) << "\n\n";
  for (const auto& m : messages) {
    out << "- **" << localClockTime(m.time) << ' ' << escapeMarkdown(m.from.name) << "**";
    if (m.to == ChatAudience::Moderators) out << " _(to moderators)_";
    out << ':';
    bool first = true;
    for (const auto& line : lines(m.text)) {
      // Continued lines are indented to stay in the list item; a hard break ends the line before.
      if (first) out << ' ' << escapeMarkdown(line);
      else out << "\\\n  " << escapeMarkdown(line);
      first = false;
    }
    out << '\n';
  }
  return out.str();
}

}  // namespace

std::string localClockTime(WallTime time) {
  const std::tm local = localTime(time);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d", local.tm_hour, local.tm_min, local.tm_sec);
  return buffer;
}

std::string localDate(WallTime time) {
  const std::tm local = localTime(time);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);
  return buffer;
}

ChatExportFile exportChat(const std::deque<ChatMessageInfo>& messages, ExportFormat format, const RoomInfo& room,
                          WallTime exportedAt) {
  const bool markdown = format == ExportFormat::Markdown;
  ChatExportFile file;
  file.filename = "chat-" + room.room + "-" + localDate(exportedAt) + (markdown ? ".md" : ".txt");
  file.content = markdown ? asMarkdown(messages, room, exportedAt) : asText(messages);
  return file;
}

}  // namespace plenum::signaling
