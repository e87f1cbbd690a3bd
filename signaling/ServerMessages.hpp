// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The messages the server sends (PROTOCOL.md, "Server to client"), each built as one line of
// JSON. What they carry is declared in Protocol.hpp.
#include "mixer/TileVideoRequest.hpp"
#include "signaling/JoinContext.hpp"
#include "signaling/Protocol.hpp"
#include "signaling/Timers.hpp"

#include <optional>
#include <string>
#include <vector>

namespace plenum::signaling {

namespace server {
// `message` (one server message, a JSON object) with "requestId" added; unchanged when
// `requestId` is empty. The id must be valid (isValidRequestId).
std::string withRequestId(const std::string& message, const std::optional<std::string>& requestId);
std::string joined(const std::string& participantId, const RoomInfo& room,
                   const std::vector<ParticipantInfo>& participants, const std::string& videoCodec,
                   const std::vector<IceServer>& iceServers = {}, const std::string& uploadToken = {});
// To a participant moved to another room of the meeting (a breakout room, or back to the
// plenum): the room they are in now and who is there; that room's meeting state follows.
std::string moved(const RoomInfo& room, const std::vector<ParticipantInfo>& participants);
// The breakout rooms of the meeting, as one recipient sees them.
struct BreakoutsInfo {
  struct Room {
    std::string id;
    std::string name;
    std::vector<ParticipantInfo> members;
  };
  std::string state = "closed";  // closed, open, closing
  std::vector<Room> rooms;
  std::string assignment;        // automatic, manual, free
  bool allowReturn = false;
  WallTime endsAt;               // open: the planned end; closing: the end of the countdown
  long long remainingMs = 0;     // until endsAt, at the time of sending
  unsigned closingSeconds = 0;   // the length of the closing countdown
  std::string yourRoom;          // the recipient's breakout room id, empty in the plenum
};
std::string breakoutsUpdated(const BreakoutsInfo& breakouts);
std::string breakoutBroadcast(const std::string& fromName, const std::string& text, WallTime time);
std::string breakoutHelp(const std::string& roomId, const std::string& roomName, const std::string& participantId,
                         const std::string& name);
std::string offer(const std::string& sdp);
std::string candidate(unsigned mlineIndex, const std::string& candidate);
std::string participantJoined(const ParticipantInfo& participant);
std::string participantUpdated(const ParticipantInfo& participant);
std::string participantLeft(const std::string& participantId, const std::string& reason);
std::string pong();
// Lobby: to the one waiting; to moderators (someone new knocks; the waiting list changed).
std::string lobby(const RoomInfo& room);
std::string knock(const WaitingInfo& waiting);
std::string lobbyUpdated(const std::vector<WaitingInfo>& waiting);
// Moderation: to the target of a mute or removal; to everyone when the room is (un)locked.
std::string mutedByModerator(const std::string& byName);
std::string removed(const std::string& byName);
std::string roomUpdated(const RoomInfo& room);
// Meeting tools.
std::string chat(const ChatMessageInfo& message);
std::string chatHistory(const std::vector<ChatMessageInfo>& messages);
std::string chatExport(ExportFormat format, const std::string& filename, const std::string& content);
std::string queueUpdated(const std::vector<QueueEntryInfo>& queue);
// A recording started (`startedAt` set) or stopped (nullopt; `reason` says why, or is empty when
// nothing was recorded yet: the state after joined/lobby).
struct RecordingInfo {
  std::optional<Timers::WallTime> startedAt;
  std::string startedBy;  // the moderator's display name
  std::string reason;     // when stopped: stopped, disk-full, failed, meeting-ended; or empty
};
std::string recordingUpdated(const RecordingInfo& recording);
std::string floorUpdated(const std::optional<FloorInfo>& floor, const SpeakingTimeInfo& speakingTime);
std::string floorTimeUp(const std::string& participantId);
std::string layoutUpdated(mixer::Layout layout);
std::string presentation(const PresentationInfo& presentation);
std::string activeSpeaker(const std::optional<std::string>& participantId);
std::string sendVideo(const mixer::VideoRequest& request);
// Carries error.requestId when set.
std::string error(const ProtocolError& error, bool fatal);
// To a participant whose media failed (reason: toString(MediaFailure)); the server closes
// the connection after it, and the client may join again.
std::string mediaFailed(const std::string& reason, const std::string& message);
}  // namespace server

}  // namespace plenum::signaling
