// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The WebSocket protocol of PROTOCOL.md as types: client messages are parsed and validated
// into one struct each (or a ProtocolError with a stable code), server messages are built by
// the functions below. Nothing else in plenumd reads or writes the protocol's JSON.
#include "mixer/TileLayout.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace plenum::signaling {

enum class ErrorCode {
  BadJson,
  UnknownType,
  BadField,
  TooLarge,
  NotBinary,
  NotJoined,
  AlreadyJoined,
  WrongTarget,
  BadSdp,
  BadCandidate,
  RoomFull,
  TooManyErrors,
  Internal,
  // joining (decided by the appliance before the join reaches the conference, or by the room)
  NoSuchRoom,
  InviteRequired,
  PasswordRequired,
  WrongPassword,
  RateLimited,
  RoomLocked,
  Banned,
  LobbyRejected,
  MeetingEnded,
  ServerFull,
  // a deadline passed: the connection is closed
  AnswerTimeout,
  LobbyTimeout,
  // moderation
  Forbidden,
  NoSuchParticipant,
  // meeting tools
  NoSuchEntry,
  TooFast,
  // recording
  RecordingConsentRequired,
  RecordingUnavailable,
  AlreadyRecording,
  NotRecording,
  // breakout rooms
  BreakoutsOpen,
  NoBreakouts,
  NoSuchBreakout,
  // presenting
  PresentationBusy,
  NoPresentation,
};
const char* toString(ErrorCode code);

struct ProtocolError {
  ErrorCode code;
  std::string message;
  // Seconds until another attempt may succeed (rate-limited, too-fast; 0 = not sent).
  unsigned retryAfter = 0;
  // The requestId of the message this error answers, when it carried a valid one (echoed).
  std::optional<std::string> requestId = std::nullopt;
  // recording-consent-required: since when the meeting is recorded (the consent screen says so).
  std::optional<std::chrono::system_clock::time_point> startedAt = std::nullopt;
};
// Whether the server closes the connection after sending this error.
bool isFatal(ErrorCode code);

constexpr std::size_t kMaxFrameBytes = 64 * 1024;
constexpr std::size_t kMaxNameChars = 64;
constexpr std::size_t kMaxRoomChars = 64;
constexpr std::size_t kMaxSdpChars = 60000;
constexpr std::size_t kMaxInviteChars = 128;    // invite token: A-Z a-z 0-9 _ -
constexpr std::size_t kMaxPasswordBytes = 256;  // room password as typed (UTF-8)
constexpr std::size_t kMaxParticipantIdChars = 128;
constexpr std::size_t kMaxChatChars = 2000;         // after trimming
constexpr std::size_t kMaxEntryIdChars = 32;
constexpr unsigned kMaxSpeakingTimeSeconds = 3600;
constexpr std::size_t kMaxRequestIdChars = 64;  // printable ASCII
constexpr std::size_t kMaxBreakouts = 20;               // breakout rooms at once
constexpr unsigned kMinBreakoutSeconds = 30;
constexpr unsigned kMaxBreakoutSeconds = 8 * 3600;
constexpr unsigned kMaxBreakoutExtendSeconds = 4 * 3600;

struct JoinRequest {
  std::string room;  // may be empty when `invite` is given (the invite names the room)
  std::string name;
  bool audio = true;
  bool video = true;
  std::vector<std::string> videoCodecs;
  std::optional<std::string> invite;    // the token of a /j/<token> link
  std::optional<std::string> password;  // the room password, when the room has one
  bool recordingConsent = false;        // told that the meeting is recorded, the user still joins
};
struct AnswerRequest {
  std::string sdp;
};
struct CandidateRequest {
  std::string candidate;
  unsigned mlineIndex = 0;
};
struct MediaRequest {
  bool audio = true;
  bool video = true;
};
// How the client shows the composite: a phone held upright asks for the portrait one.
struct ViewRequest {
  bool portrait = false;
};
struct PingRequest {};
struct LeaveRequest {};
// Moderation (only moderators; see Permissions). `participantId` names the target, not the
// sender: for these messages it is not part of the envelope.
struct AdmitRequest {
  std::string participantId;  // someone waiting in the lobby
};
struct RejectRequest {
  std::string participantId;  // someone waiting in the lobby
};
struct MuteRequest {
  std::string participantId;
};
struct MuteAllRequest {};
struct RemoveRequest {
  std::string participantId;
};
struct LockRequest {
  bool locked = true;
};
struct PromoteRequest {
  std::string participantId;
};
struct EndRequest {};

// Meeting tools: chat, speaker queue, floor, layout (PROTOCOL.md "Chat", "Speaker queue").
enum class ChatAudience { Everyone, Moderators };
enum class ExportFormat { Text, Markdown };
enum class HandKind { Speak, PointOfOrder };

struct ChatRequest {
  std::string text;  // trimmed, 1-2000 characters, no control characters but LF and TAB
  ChatAudience to = ChatAudience::Everyone;
};
struct ChatExportRequest {
  ExportFormat format = ExportFormat::Text;
};
struct RaiseHandRequest {
  HandKind kind = HandKind::Speak;
};
struct LowerHandRequest {
  std::optional<std::string> entryId;  // none: all one's own entries
};
struct QueueMoveRequest {
  std::string entryId;
  std::size_t position = 0;  // the new index; past the end = last
};
struct QueueRemoveRequest {
  std::string entryId;
};
struct QueueClearRequest {};
// At most one of the two; neither: the first entry of the queue.
struct GiveFloorRequest {
  std::optional<std::string> entryId;
  std::optional<std::string> participantId;  // the target, not the sender
};
struct TakeFloorRequest {};
struct SpeakingTimeRequest {
  unsigned limitSeconds = 0;  // 0 = no limit
  bool autoEnd = false;
};
struct LayoutRequest {
  mixer::Layout layout = mixer::Layout::Grid;
};
struct RecordingStartRequest {};
struct RecordingStopRequest {};

// Breakout rooms (PROTOCOL.md "Breakout rooms").
enum class BreakoutAssignment { Automatic, Manual, Free };
struct BreakoutOpenRequest {
  std::vector<std::string> names;  // 1-kMaxBreakouts display names; the rooms' ids are b1, b2, ...
  BreakoutAssignment assignment = BreakoutAssignment::Automatic;
  // participantId -> 1-based room number, 0 = stays in the plenum. Manual: only those listed
  // move; automatic: those listed go where listed, the other guests are spread evenly.
  std::vector<std::pair<std::string, std::size_t>> assign;
  unsigned durationSeconds = 15 * 60;
  bool allowReturn = false;  // participants may go back to the plenum (or, free choice, switch) themselves
};
// Moves `participantId` (moderators; none: oneself) to breakout `to` ("b1", ...) or "plenum".
struct BreakoutMoveRequest {
  std::optional<std::string> participantId;
  std::string to;
};
struct BreakoutExtendRequest {
  unsigned seconds = 0;
};
// Closes the breakout rooms after the closing countdown (breakout.closing-seconds).
struct BreakoutCloseRequest {};
struct BreakoutBroadcastRequest {
  std::string text;  // as chat text
};
struct BreakoutHelpRequest {};

// Presenting (PROTOCOL.md "Presenting"): a screen share or a document's pages, shown large.
constexpr unsigned kMaxSlidePage = 100000;
struct ScreenShareStartRequest {};
struct ScreenShareStopRequest {};
struct PresentationStopRequest {};
struct SlidesPageRequest {
  unsigned page = 1;  // 1-based
};
struct PresentationSettingsRequest {
  bool guestsMayShare = false;
  bool documentDownload = false;
};

using ClientMessage =
    std::variant<JoinRequest, AnswerRequest, CandidateRequest, MediaRequest, PingRequest, LeaveRequest,
                 AdmitRequest, RejectRequest, MuteRequest, MuteAllRequest, RemoveRequest, LockRequest,
                 PromoteRequest, EndRequest, ChatRequest, ChatExportRequest, RaiseHandRequest,
                 LowerHandRequest, QueueMoveRequest, QueueRemoveRequest, QueueClearRequest, GiveFloorRequest,
                 TakeFloorRequest, SpeakingTimeRequest, LayoutRequest, RecordingStartRequest,
                 RecordingStopRequest, BreakoutOpenRequest, BreakoutMoveRequest, BreakoutExtendRequest,
                 BreakoutCloseRequest, BreakoutBroadcastRequest, BreakoutHelpRequest, ScreenShareStartRequest,
                 ScreenShareStopRequest, PresentationStopRequest, SlidesPageRequest, PresentationSettingsRequest,
                 ViewRequest>;

struct ClientEnvelope {
  ClientMessage message;
  // The client's name for this request (1-64 printable ASCII characters), echoed in what the
  // server sends it while handling the request (PROTOCOL.md, "Request ids").
  std::optional<std::string> requestId;
  std::optional<std::string> room;           // if the client named a target room
  std::optional<std::string> participantId;  // if the client named a target participant
};

std::variant<ClientEnvelope, ProtocolError> parseClientMessage(std::string_view text);

// Validation used by parsing, exposed for the HTTP side (room links) and for tests.
bool isValidRoomName(std::string_view room);
bool isValidRequestId(std::string_view requestId);
// Chat text with surrounding white space removed, or nullopt if it is empty, longer than
// kMaxChatChars characters, not UTF-8 or holds control characters other than LF and TAB.
std::optional<std::string> normaliseChatText(std::string_view text);
bool isValidInviteToken(std::string_view token);
// The display name with surrounding white space removed, or nullopt if it is empty, too long,
// not UTF-8 or holds control characters.
std::optional<std::string> normaliseDisplayName(std::string_view name);

struct ParticipantInfo {
  std::string id;
  std::string name;
  bool audio = true;
  bool video = true;
  bool moderator = false;  // "role": "moderator" / "guest"
  bool phone = false;      // a telephone caller (dial-in)
};

// Someone waiting in the lobby, as moderators see them.
struct WaitingInfo {
  std::string id;
  std::string name;
};

// What a client learns about its room on `joined` and `room-updated`.
struct RoomInfo {
  std::string room;   // the slug: what later messages may name as `room`
  std::string title;  // shown in the client
  bool locked = false;
  // In a breakout room: its id ("b1") and name; empty in the plenum.
  std::string breakoutId;
  std::string breakoutName;
};

using WallTime = std::chrono::system_clock::time_point;
// ISO-8601 in UTC with milliseconds: "2026-11-26T20:51:03.120Z".
std::string formatUtcTime(WallTime time);

// Who wrote a chat message, as it was when they wrote it.
struct ChatAuthor {
  std::string participantId;
  std::string name;
  bool moderator = false;
};

struct ChatMessageInfo {
  std::string id;  // "m<n>"
  ChatAuthor from;
  ChatAudience to = ChatAudience::Everyone;
  std::string text;
  WallTime time;  // when the server accepted it
};

struct QueueEntryInfo {
  std::string entryId;  // "q<n>"
  std::string participantId;
  std::string name;
  HandKind kind = HandKind::Speak;
  WallTime raisedAt;
};

struct SpeakingTimeInfo {
  unsigned limitSeconds = 0;  // 0 = no limit
  bool autoEnd = false;
};

struct FloorInfo {
  std::string participantId;
  std::string name;
  WallTime since;
  std::optional<unsigned> limitSeconds;       // none without a limit
  std::optional<std::int64_t> remainingMs;    // at the time of sending; none without a limit
  bool autoEnd = false;
};

// What is presented, as everyone sees it (the `presentation` message).
enum class PresentationKind { None, Screen, Slides };
struct DocumentInfo {
  std::string id;
  std::string name;  // the uploaded file's name, for display
  unsigned pages = 0;
  unsigned page = 1;  // shown now, 1-based
};
struct PresentationInfo {
  PresentationKind kind = PresentationKind::None;
  std::string participantId;  // who shares the screen or uploaded the slides
  std::string name;
  std::optional<DocumentInfo> document;  // slides only
  bool guestsMayShare = false;
  bool documentDownload = false;
};

const char* toString(PresentationKind kind);
const char* toString(ChatAudience to);
const char* toString(ExportFormat format);
const char* toString(HandKind kind);
const char* toString(mixer::Layout layout);
const char* toString(BreakoutAssignment assignment);


}  // namespace plenum::signaling
