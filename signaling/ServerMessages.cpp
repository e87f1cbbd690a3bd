// SPDX-License-Identifier: EUPL-1.2
#include "signaling/ServerMessages.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace plenum::signaling {

namespace {

std::string stringify(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

Poco::JSON::Object typed(const char* type) {
  Poco::JSON::Object o;
  o.set("type", type);
  return o;
}

Poco::JSON::Object toJson(const ParticipantInfo& p) {
  Poco::JSON::Object o;
  o.set("id", p.id);
  o.set("name", p.name);
  o.set("audio", p.audio);
  o.set("video", p.video);
  o.set("role", p.moderator ? "moderator" : "guest");
  if (p.phone) o.set("phone", true);
  return o;
}

Poco::JSON::Object toJson(const WaitingInfo& w) {
  Poco::JSON::Object o;
  o.set("participantId", w.id);
  o.set("name", w.name);
  return o;
}

Poco::JSON::Object toJson(const ChatMessageInfo& m) {
  Poco::JSON::Object from;
  from.set("participantId", m.from.participantId);
  from.set("name", m.from.name);
  from.set("role", m.from.moderator ? "moderator" : "guest");
  Poco::JSON::Object o;
  o.set("id", m.id);
  o.set("from", from);
  o.set("to", toString(m.to));
  o.set("text", m.text);
  o.set("time", formatUtcTime(m.time));
  return o;
}

Poco::JSON::Object toJson(const QueueEntryInfo& e) {
  Poco::JSON::Object o;
  o.set("entryId", e.entryId);
  o.set("participantId", e.participantId);
  o.set("name", e.name);
  o.set("kind", toString(e.kind));
  o.set("raisedAt", formatUtcTime(e.raisedAt));
  return o;
}

void setRoom(Poco::JSON::Object& o, const RoomInfo& room) {
  o.set("room", room.room);
  o.set("title", room.title);
  o.set("locked", room.locked);
  if (!room.breakoutId.empty()) {
    Poco::JSON::Object breakout;
    breakout.set("id", room.breakoutId);
    breakout.set("name", room.breakoutName);
    o.set("breakout", breakout);
  } else {
    o.set("breakout", Poco::Dynamic::Var());
  }
}

}  // namespace

namespace server {

std::string withRequestId(const std::string& message, const std::optional<std::string>& requestId) {
  if (!requestId || message.size() < 2 || message.front() != '{') return message;
  // Printable ASCII (isValidRequestId): only the quote and the backslash need escaping.
  std::string field = "\"requestId\":\"";
  for (char c : *requestId) {
    if (c == '"' || c == '\\') field += '\\';
    field += c;
  }
  field += message.size() > 2 ? "\"," : "\"";
  return "{" + field + message.substr(1);
}

std::string joined(const std::string& participantId, const RoomInfo& room,
                   const std::vector<ParticipantInfo>& participants, const std::string& videoCodec,
                   const std::vector<IceServer>& iceServers, const std::string& uploadToken) {
  Poco::JSON::Object o = typed("joined");
  o.set("participantId", participantId);
  setRoom(o, room);
  Poco::JSON::Array list;
  for (const auto& p : participants) list.add(toJson(p));
  o.set("participants", list);
  o.set("videoCodec", videoCodec);
  Poco::JSON::Array servers;
  for (const auto& server : iceServers) {
    Poco::JSON::Object entry;
    Poco::JSON::Array urls;
    for (const auto& url : server.urls) urls.add(url);
    entry.set("urls", urls);
    entry.set("username", server.username);
    entry.set("credential", server.credential);
    servers.add(entry);
  }
  o.set("iceServers", servers);
  if (!uploadToken.empty()) o.set("uploadToken", uploadToken);
  return stringify(o);
}

std::string moved(const RoomInfo& room, const std::vector<ParticipantInfo>& participants) {
  Poco::JSON::Object o = typed("moved");
  setRoom(o, room);
  Poco::JSON::Array list;
  for (const auto& p : participants) list.add(toJson(p));
  o.set("participants", list);
  return stringify(o);
}

std::string breakoutsUpdated(const BreakoutsInfo& breakouts) {
  Poco::JSON::Object o = typed("breakouts-updated");
  o.set("state", breakouts.state);
  if (breakouts.state != "closed") {
    Poco::JSON::Array rooms;
    for (const auto& room : breakouts.rooms) {
      Poco::JSON::Object r;
      r.set("id", room.id);
      r.set("name", room.name);
      Poco::JSON::Array members;
      for (const auto& m : room.members) {
        Poco::JSON::Object member;
        member.set("id", m.id);
        member.set("name", m.name);
        member.set("role", m.moderator ? "moderator" : "guest");
        members.add(member);
      }
      r.set("members", members);
      rooms.add(r);
    }
    o.set("rooms", rooms);
    o.set("assignment", breakouts.assignment);
    o.set("allowReturn", breakouts.allowReturn);
    o.set("endsAt", formatUtcTime(breakouts.endsAt));
    o.set("remainingMs", static_cast<Poco::Int64>(breakouts.remainingMs));
    o.set("closingSeconds", breakouts.closingSeconds);
  }
  if (breakouts.yourRoom.empty()) {
    o.set("yourRoom", Poco::Dynamic::Var());
  } else {
    o.set("yourRoom", breakouts.yourRoom);
  }
  return stringify(o);
}

std::string breakoutBroadcast(const std::string& fromName, const std::string& text, WallTime time) {
  Poco::JSON::Object o = typed("breakout-broadcast");
  o.set("from", fromName);
  o.set("text", text);
  o.set("time", formatUtcTime(time));
  return stringify(o);
}

std::string breakoutHelp(const std::string& roomId, const std::string& roomName, const std::string& participantId,
                         const std::string& name) {
  Poco::JSON::Object o = typed("breakout-help");
  o.set("breakout", roomId);
  o.set("breakoutName", roomName);
  o.set("participantId", participantId);
  o.set("name", name);
  return stringify(o);
}

std::string offer(const std::string& sdp) {
  Poco::JSON::Object o = typed("offer");
  o.set("sdp", sdp);
  return stringify(o);
}

std::string candidate(unsigned mlineIndex, const std::string& candidate) {
  Poco::JSON::Object o = typed("candidate");
  o.set("candidate", candidate);
  o.set("sdpMLineIndex", mlineIndex);
  return stringify(o);
}

std::string participantJoined(const ParticipantInfo& participant) {
  Poco::JSON::Object o = typed("participant-joined");
  o.set("participant", toJson(participant));
  return stringify(o);
}

std::string participantUpdated(const ParticipantInfo& participant) {
  Poco::JSON::Object o = typed("participant-updated");
  o.set("participant", toJson(participant));
  return stringify(o);
}

std::string participantLeft(const std::string& participantId, const std::string& reason) {
  Poco::JSON::Object o = typed("participant-left");
  o.set("participantId", participantId);
  o.set("reason", reason);
  return stringify(o);
}

std::string pong() { return stringify(typed("pong")); }

std::string lobby(const RoomInfo& room) {
  Poco::JSON::Object o = typed("lobby");
  o.set("state", "waiting");
  setRoom(o, room);
  return stringify(o);
}

std::string knock(const WaitingInfo& waiting) {
  Poco::JSON::Object o = typed("knock");
  o.set("participantId", waiting.id);
  o.set("name", waiting.name);
  return stringify(o);
}

std::string lobbyUpdated(const std::vector<WaitingInfo>& waiting) {
  Poco::JSON::Object o = typed("lobby-updated");
  Poco::JSON::Array list;
  for (const auto& w : waiting) list.add(toJson(w));
  o.set("waiting", list);
  return stringify(o);
}

std::string mutedByModerator(const std::string& byName) {
  Poco::JSON::Object o = typed("muted-by-moderator");
  o.set("by", byName);
  return stringify(o);
}

std::string removed(const std::string& byName) {
  Poco::JSON::Object o = typed("removed");
  o.set("by", byName);
  return stringify(o);
}

std::string roomUpdated(const RoomInfo& room) {
  Poco::JSON::Object o = typed("room-updated");
  setRoom(o, room);
  return stringify(o);
}

std::string chat(const ChatMessageInfo& message) {
  Poco::JSON::Object o = typed("chat");
  o.set("message", toJson(message));
  return stringify(o);
}

std::string chatHistory(const std::vector<ChatMessageInfo>& messages) {
  Poco::JSON::Object o = typed("chat-history");
  Poco::JSON::Array list;
  for (const auto& m : messages) list.add(toJson(m));
  o.set("messages", list);
  return stringify(o);
}

std::string chatExport(ExportFormat format, const std::string& filename, const std::string& content) {
  Poco::JSON::Object o = typed("chat-export");
  o.set("format", toString(format));
  o.set("filename", filename);
  o.set("content", content);
  return stringify(o);
}

std::string queueUpdated(const std::vector<QueueEntryInfo>& queue) {
  Poco::JSON::Object o = typed("queue-updated");
  Poco::JSON::Array list;
  for (const auto& entry : queue) list.add(toJson(entry));
  o.set("queue", list);
  return stringify(o);
}

std::string recordingUpdated(const RecordingInfo& recording) {
  Poco::JSON::Object o = typed("recording-updated");
  const bool running = recording.startedAt.has_value();
  o.set("state", running ? "recording" : "stopped");
  o.set("startedAt", running ? Poco::Dynamic::Var(formatUtcTime(*recording.startedAt)) : Poco::Dynamic::Var());
  o.set("startedBy", running ? Poco::Dynamic::Var(recording.startedBy) : Poco::Dynamic::Var());
  if (!running) o.set("reason", recording.reason.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(recording.reason));
  return stringify(o);
}

std::string floorUpdated(const std::optional<FloorInfo>& floor, const SpeakingTimeInfo& speakingTime) {
  Poco::JSON::Object o = typed("floor-updated");
  if (floor) {
    Poco::JSON::Object f;
    f.set("participantId", floor->participantId);
    f.set("name", floor->name);
    f.set("since", formatUtcTime(floor->since));
    f.set("limitSeconds", floor->limitSeconds ? Poco::Dynamic::Var(*floor->limitSeconds) : Poco::Dynamic::Var());
    f.set("remainingMs", floor->remainingMs ? Poco::Dynamic::Var(static_cast<Poco::Int64>(*floor->remainingMs))
                                            : Poco::Dynamic::Var());
    f.set("autoEnd", floor->autoEnd);
    o.set("floor", f);
  } else {
    o.set("floor", Poco::Dynamic::Var());
  }
  Poco::JSON::Object time;
  time.set("limitSeconds", speakingTime.limitSeconds);
  time.set("autoEnd", speakingTime.autoEnd);
  o.set("speakingTime", time);
  return stringify(o);
}

std::string floorTimeUp(const std::string& participantId) {
  Poco::JSON::Object o = typed("floor-time-up");
  o.set("participantId", participantId);
  return stringify(o);
}

std::string presentation(const PresentationInfo& presentation) {
  Poco::JSON::Object o = typed("presentation");
  if (presentation.kind == PresentationKind::None) {
    o.set("kind", Poco::Dynamic::Var());
  } else {
    o.set("kind", toString(presentation.kind));
    o.set("participantId", presentation.participantId);
    o.set("name", presentation.name);
  }
  if (presentation.document) {
    Poco::JSON::Object document;
    document.set("id", presentation.document->id);
    document.set("name", presentation.document->name);
    document.set("pages", presentation.document->pages);
    document.set("page", presentation.document->page);
    o.set("document", document);
  }
  o.set("guestsMayShare", presentation.guestsMayShare);
  o.set("documentDownload", presentation.documentDownload);
  return stringify(o);
}

std::string layoutUpdated(mixer::Layout layout) {
  Poco::JSON::Object o = typed("layout-updated");
  o.set("layout", toString(layout));
  return stringify(o);
}

std::string activeSpeaker(const std::optional<std::string>& participantId) {
  Poco::JSON::Object o = typed("active-speaker");
  o.set("participantId", participantId ? Poco::Dynamic::Var(*participantId) : Poco::Dynamic::Var());
  return stringify(o);
}

std::string sendVideo(const mixer::VideoRequest& request) {
  Poco::JSON::Object o = typed("send-video");
  o.set("width", request.width);
  o.set("height", request.height);
  o.set("fps", request.fps);
  o.set("maxKbps", request.maxKbps);
  return stringify(o);
}

std::string error(const ProtocolError& error, bool fatal) {
  Poco::JSON::Object o = typed("error");
  o.set("code", toString(error.code));
  o.set("message", error.message);
  o.set("fatal", fatal);
  if (error.retryAfter > 0) o.set("retryAfter", error.retryAfter);
  if (error.requestId) o.set("requestId", *error.requestId);
  if (error.startedAt) o.set("startedAt", formatUtcTime(*error.startedAt));
  return stringify(o);
}

std::string mediaFailed(const std::string& reason, const std::string& message) {
  Poco::JSON::Object o = typed("media-failed");
  o.set("reason", reason);
  o.set("message", message);
  return stringify(o);
}

}  // namespace server

}  // namespace plenum::signaling
