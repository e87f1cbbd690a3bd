#pragma once
// The WebSocket protocol of PROTOCOL.md as types: client messages are parsed and validated
// into one struct each (or a ProtocolError with a stable code), server messages are built by
// the functions below. Nothing else in plenumd reads or writes the protocol's JSON.
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
};
const char* toString(ErrorCode code);

struct ProtocolError {
  ErrorCode code;
  std::string message;
};

constexpr std::size_t kMaxFrameBytes = 64 * 1024;
constexpr std::size_t kMaxNameChars = 64;
constexpr std::size_t kMaxRoomChars = 64;
constexpr std::size_t kMaxSdpChars = 60000;

struct JoinRequest {
  std::string room;
  std::string name;
  bool audio = true;
  bool video = true;
  std::vector<std::string> videoCodecs;
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
struct PingRequest {};
struct LeaveRequest {};

using ClientMessage =
    std::variant<JoinRequest, AnswerRequest, CandidateRequest, MediaRequest, PingRequest, LeaveRequest>;

struct ClientEnvelope {
  ClientMessage message;
  std::optional<std::string> room;           // if the client named a target room
  std::optional<std::string> participantId;  // if the client named a target participant
};

std::variant<ClientEnvelope, ProtocolError> parseClientMessage(std::string_view text);

// Validation used by parsing, exposed for the HTTP side (room links) and for tests.
bool isValidRoomName(std::string_view room);
// The display name with surrounding white space removed, or nullopt if it is empty, too long,
// not UTF-8 or holds control characters.
std::optional<std::string> normaliseDisplayName(std::string_view name);

struct ParticipantInfo {
  std::string id;
  std::string name;
  bool audio = true;
  bool video = true;
};

namespace server {
std::string joined(const std::string& participantId, const std::string& room,
                   const std::vector<ParticipantInfo>& participants, const std::string& videoCodec);
std::string offer(const std::string& sdp);
std::string candidate(unsigned mlineIndex, const std::string& candidate);
std::string participantJoined(const ParticipantInfo& participant);
std::string participantUpdated(const ParticipantInfo& participant);
std::string participantLeft(const std::string& participantId, const std::string& reason);
std::string pong();
std::string error(const ProtocolError& error, bool fatal);
}  // namespace server

}  // namespace plenum::signaling
