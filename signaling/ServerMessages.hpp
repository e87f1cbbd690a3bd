// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The messages the server sends (PROTOCOL.md, "Server to client"), each built as one line of
// JSON. What they carry is declared in Protocol.hpp.
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
                   const std::vector<ParticipantInfo>& participants, const std::string& videoCodec);
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
std::string activeSpeaker(const std::optional<std::string>& participantId);
// Carries error.requestId when set.
std::string error(const ProtocolError& error, bool fatal);
// To a participant whose media failed (reason: toString(MediaFailure)); the server closes
// the connection after it, and the client may join again.
std::string mediaFailed(const std::string& reason, const std::string& message);
}  // namespace server

}  // namespace plenum::signaling
