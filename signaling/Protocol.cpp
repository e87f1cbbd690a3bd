// SPDX-License-Identifier: EUPL-1.2
#include "signaling/Protocol.hpp"

#include "signaling/LogText.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <sstream>

namespace plenum::signaling {

namespace {

enum class MessageType {
  Join, Answer, Candidate, Media, Ping, Leave,
  Admit, Reject, Mute, MuteAll, Remove, Lock, Promote, End,
  Chat, ChatExport, RaiseHand, LowerHand, QueueMove, QueueRemove, QueueClear, GiveFloor, TakeFloor,
  SpeakingTime, Layout, RecordingStart, RecordingStop,
  BreakoutOpen, BreakoutMove, BreakoutExtend, BreakoutClose, BreakoutBroadcast, BreakoutHelp,
  ScreenShareStart, ScreenShareStop, PresentationStop, SlidesPage, PresentationSettings, View,
};

const std::map<std::string, MessageType, std::less<>>& messageTypes() {
  static const std::map<std::string, MessageType, std::less<>> types{
      {"join", MessageType::Join},     {"answer", MessageType::Answer},    {"candidate", MessageType::Candidate},
      {"media", MessageType::Media},   {"ping", MessageType::Ping},        {"leave", MessageType::Leave},
      {"admit", MessageType::Admit},   {"reject", MessageType::Reject},    {"mute", MessageType::Mute},
      {"mute-all", MessageType::MuteAll}, {"remove", MessageType::Remove}, {"lock", MessageType::Lock},
      {"promote", MessageType::Promote},  {"end", MessageType::End},
      {"chat", MessageType::Chat},        {"chat-export", MessageType::ChatExport},
      {"raise-hand", MessageType::RaiseHand}, {"lower-hand", MessageType::LowerHand},
      {"queue-move", MessageType::QueueMove}, {"queue-remove", MessageType::QueueRemove},
      {"queue-clear", MessageType::QueueClear}, {"give-floor", MessageType::GiveFloor},
      {"take-floor", MessageType::TakeFloor}, {"speaking-time", MessageType::SpeakingTime},
      {"layout", MessageType::Layout}, {"recording-start", MessageType::RecordingStart},
      {"recording-stop", MessageType::RecordingStop}, {"breakout-open", MessageType::BreakoutOpen},
      {"breakout-move", MessageType::BreakoutMove}, {"breakout-extend", MessageType::BreakoutExtend},
      {"breakout-close", MessageType::BreakoutClose}, {"breakout-broadcast", MessageType::BreakoutBroadcast},
      {"breakout-help", MessageType::BreakoutHelp}, {"screen-share-start", MessageType::ScreenShareStart},
      {"screen-share-stop", MessageType::ScreenShareStop}, {"presentation-stop", MessageType::PresentationStop},
      {"slides-page", MessageType::SlidesPage}, {"presentation-settings", MessageType::PresentationSettings},
      {"view", MessageType::View}};
  return types;
}

// Messages whose `participantId` names their target (someone else), not the sender.
bool targetsParticipant(MessageType type) {
  switch (type) {
    case MessageType::Admit:
    case MessageType::Reject:
    case MessageType::Mute:
    case MessageType::Remove:
    case MessageType::Promote:
    case MessageType::GiveFloor:
    case MessageType::BreakoutMove: return true;
    default: return false;
  }
}

ProtocolError badField(const std::string& field, const std::string& why) {
  return {ErrorCode::BadField, "field '" + field + "' " + why};
}

// Each reader returns the value or throws a ProtocolError (caught in parseClientMessage).
std::string requireString(const Poco::JSON::Object& o, const std::string& key, std::size_t maxLength) {
  if (!o.has(key)) throw badField(key, "is missing");
  const Poco::Dynamic::Var value = o.get(key);
  if (!value.isString()) throw badField(key, "must be a string");
  std::string s = value.extract<std::string>();
  if (s.size() > maxLength) throw badField(key, "is longer than " + std::to_string(maxLength));
  return s;
}

bool readBool(const Poco::JSON::Object& o, const std::string& key, std::optional<bool> fallback) {
  if (!o.has(key)) {
    if (fallback) return *fallback;
    throw badField(key, "is missing");
  }
  const Poco::Dynamic::Var value = o.get(key);
  if (!value.isBoolean()) throw badField(key, "must be true or false");
  return value.extract<bool>();
}

std::optional<std::string> readOptionalString(const Poco::JSON::Object& o, const std::string& key) {
  if (!o.has(key)) return std::nullopt;
  return requireString(o, key, 128);
}

// What utf8Length lets through besides printable characters.
enum class TextKind {
  Name,  // one line: no control characters, no line separators or bidi overrides
  Chat,  // line feeds and tabs too; otherwise no control characters
  Any,   // any well-formed UTF-8 (ids)
};

// Counts UTF-8 code points, or -1 when the bytes are not well-formed UTF-8 or hold characters
// that `kind` does not allow.
long utf8Length(std::string_view s, TextKind kind = TextKind::Name) {
  long count = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    unsigned codePoint = 0;
    if (c < 0x80) {
      const bool allowedControl = kind == TextKind::Any || (kind == TextKind::Chat && (c == '\n' || c == '\t'));
      if ((c < 0x20 || c == 0x7f) && !allowedControl) return -1;
      codePoint = c;
    } else if ((c & 0xe0) == 0xc0) { extra = 1; codePoint = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { extra = 2; codePoint = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { extra = 3; codePoint = c & 0x07; }
    else return -1;
    for (std::size_t k = 1; k <= extra; ++k) {
      if (i + k >= s.size()) return -1;
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return -1;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    static const unsigned kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (codePoint < kSmallest[extra]) return -1;                        // overlong
    if ((codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) return -1;
    if (codePoint >= 0x80 && codePoint < 0xa0 && kind != TextKind::Any) return -1;  // C1 controls
    if (kind == TextKind::Name && (codePoint == 0x2028 || codePoint == 0x2029 || (codePoint >= 0x202a && codePoint <= 0x202e) ||
        (codePoint >= 0x2066 && codePoint <= 0x2069)))
      return -1;  // line separators, bidi overrides and isolates would let a name disguise itself
    i += extra + 1;
    ++count;
  }
  return count;
}

JoinRequest parseJoin(const Poco::JSON::Object& o) {
  JoinRequest join;
  if (o.has("invite")) {
    join.invite = requireString(o, "invite", kMaxInviteChars * 4);
    if (!isValidInviteToken(*join.invite)) throw badField("invite", "must be 1-128 characters of A-Z a-z 0-9 _ -");
  }
  // With an invite the room is optional (the invite names it); given, it must be valid.
  if (!join.invite || o.has("room")) {
    join.room = requireString(o, "room", kMaxRoomChars * 4);
    if (!isValidRoomName(join.room)) throw badField("room", "must be 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  // Compared by the appliance as it is (its hash); only the size is limited here.
  if (o.has("password")) join.password = requireString(o, "password", kMaxPasswordBytes);
  // Bytes: 64 code points of up to 4 bytes, plus white space that trimming removes.
  const auto name = normaliseDisplayName(requireString(o, "name", kMaxNameChars * 4 + 64));
  if (!name) throw badField("name", "must be 1-64 printable characters");
  join.name = *name;
  join.audio = readBool(o, "audio", true);
  join.recordingConsent = readBool(o, "recordingConsent", false);
  join.video = readBool(o, "video", true);
  if (o.has("videoCodecs")) {
    Poco::JSON::Array::Ptr codecs = o.getArray("videoCodecs");
    if (!codecs || codecs->size() > 32) throw badField("videoCodecs", "must be an array of at most 32 strings");
    for (std::size_t i = 0; i < codecs->size(); ++i) {
      const Poco::Dynamic::Var codec = codecs->get(i);
      if (!codec.isString() || codec.extract<std::string>().size() > 32)
        throw badField("videoCodecs", "must hold strings of at most 32 characters");
      join.videoCodecs.push_back(codec.extract<std::string>());
    }
  } else {
    join.videoCodecs = {"H264/42e01f", "VP8"};
  }
  return join;
}

std::string requireParticipantId(const Poco::JSON::Object& o) {
  std::string id = requireString(o, "participantId", kMaxParticipantIdChars);
  if (id.empty()) throw badField("participantId", "must not be empty");
  return id;
}

// An integer field within [min, max] (JSON booleans and fractions are refused).
long long requireInteger(const Poco::JSON::Object& o, const std::string& key, long long min, long long max) {
  if (!o.has(key)) throw badField(key, "is missing");
  const Poco::Dynamic::Var value = o.get(key);
  if (!value.isInteger() || value.isBoolean()) throw badField(key, "must be an integer");
  long long number = 0;
  try {
    number = value.convert<long long>();
  } catch (const std::exception&) {  // an unsigned value beyond long long
    if (max == std::numeric_limits<long long>::max()) return max;
    throw badField(key, "must be " + std::to_string(min) + "-" + std::to_string(max));
  }
  if (number < min || number > max) {
    throw badField(key, max == std::numeric_limits<long long>::max() ? "must be at least " + std::to_string(min)
                                                                      : "must be " + std::to_string(min) + "-" +
                                                                            std::to_string(max));
  }
  return number;
}

// One of `names` (the value's index), e.g. "grid" / "speaker"; `fallback` when absent (nullopt:
// required).
template <std::size_t N>
std::size_t requireChoice(const Poco::JSON::Object& o, const std::string& key, const char* const (&names)[N],
                          std::optional<std::size_t> fallback) {
  if (!o.has(key)) {
    if (fallback) return *fallback;
    throw badField(key, "is missing");
  }
  const Poco::Dynamic::Var value = o.get(key);
  std::string allowed;
  for (const char* name : names) allowed += std::string(allowed.empty() ? "" : " or ") + "\"" + name + "\"";
  if (!value.isString()) throw badField(key, "must be " + allowed);
  const std::string text = value.extract<std::string>();
  for (std::size_t i = 0; i < N; ++i) {
    if (text == names[i]) return i;
  }
  throw badField(key, "must be " + allowed);
}

std::string requireEntryId(const Poco::JSON::Object& o) {
  std::string id = requireString(o, "entryId", kMaxEntryIdChars * 4);
  const long length = utf8Length(id, TextKind::Any);
  if (length < 1 || static_cast<std::size_t>(length) > kMaxEntryIdChars) {
    throw badField("entryId", "must be 1-32 characters");
  }
  return id;
}

ChatRequest parseChat(const Poco::JSON::Object& o) {
  ChatRequest request;
  // Any length within the frame: the limit applies after trimming.
  const auto text = normaliseChatText(requireString(o, "text", kMaxFrameBytes));
  if (!text) throw badField("text", "must be 1-2000 characters without control characters (but line feed and tab)");
  request.text = *text;
  static const char* const kAudiences[] = {"everyone", "moderators"};
  request.to = requireChoice(o, "to", kAudiences, 0) == 0 ? ChatAudience::Everyone : ChatAudience::Moderators;
  return request;
}

GiveFloorRequest parseGiveFloor(const Poco::JSON::Object& o) {
  GiveFloorRequest request;
  if (o.has("entryId")) request.entryId = requireEntryId(o);
  if (o.has("participantId")) request.participantId = requireParticipantId(o);
  if (request.entryId && request.participantId) {
    throw badField("participantId", "must not be given together with 'entryId'");
  }
  return request;
}

BreakoutOpenRequest parseBreakoutOpen(const Poco::JSON::Object& o) {
  BreakoutOpenRequest request;
  if (!o.has("rooms") || !o.isArray("rooms")) throw badField("rooms", "must be an array of names");
  const auto rooms = o.getArray("rooms");
  if (rooms->size() < 1 || rooms->size() > kMaxBreakouts) {
    throw badField("rooms", "must name 1-" + std::to_string(kMaxBreakouts) + " rooms");
  }
  for (std::size_t i = 0; i < rooms->size(); ++i) {
    const Poco::Dynamic::Var value = rooms->get(static_cast<unsigned>(i));
    const auto name = value.isString() ? normaliseDisplayName(value.extract<std::string>()) : std::nullopt;
    if (!name) throw badField("rooms", "must hold names of 1-64 characters without control characters");
    request.names.push_back(*name);
  }
  static const char* const kAssignments[] = {"automatic", "manual", "free"};
  request.assignment = static_cast<BreakoutAssignment>(requireChoice(o, "assignment", kAssignments, 0));
  if (o.has("assign")) {
    if (!o.isObject("assign")) throw badField("assign", "must be an object of participant ids and room numbers");
    const auto assign = o.getObject("assign");
    if (assign->size() > 1000) throw badField("assign", "has more than 1000 entries");
    for (const auto& [id, value] : *assign) {
      if (id.empty() || id.size() > kMaxParticipantIdChars) throw badField("assign", "has a bad participant id");
      if (!value.isInteger() || value.isBoolean()) throw badField("assign", "must map to room numbers (0 = plenum)");
      const long long room = value.convert<long long>();
      if (room < 0 || static_cast<std::size_t>(room) > request.names.size()) {
        throw badField("assign", "names a room number beyond 'rooms'");
      }
      request.assign.emplace_back(id, static_cast<std::size_t>(room));
    }
  }
  request.durationSeconds =
      static_cast<unsigned>(requireInteger(o, "durationSeconds", kMinBreakoutSeconds, kMaxBreakoutSeconds));
  request.allowReturn = readBool(o, "allowReturn", false);
  return request;
}

CandidateRequest parseCandidate(const Poco::JSON::Object& o) {
  CandidateRequest request;
  request.candidate = requireString(o, "candidate", 1024);
  if (!o.has("sdpMLineIndex")) throw badField("sdpMLineIndex", "is missing");
  const Poco::Dynamic::Var index = o.get("sdpMLineIndex");
  if (!index.isInteger() || index.isBoolean()) throw badField("sdpMLineIndex", "must be an integer");
  const long long value = index.convert<long long>();
  if (value < 0 || value > 15) throw badField("sdpMLineIndex", "must be 0-15");
  request.mlineIndex = static_cast<unsigned>(value);
  return request;
}

}  // namespace

const char* toString(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadJson: return "bad-json";
    case ErrorCode::UnknownType: return "unknown-type";
    case ErrorCode::BadField: return "bad-field";
    case ErrorCode::TooLarge: return "too-large";
    case ErrorCode::NotBinary: return "not-binary";
    case ErrorCode::NotJoined: return "not-joined";
    case ErrorCode::AlreadyJoined: return "already-joined";
    case ErrorCode::WrongTarget: return "wrong-target";
    case ErrorCode::BadSdp: return "bad-sdp";
    case ErrorCode::BadCandidate: return "bad-candidate";
    case ErrorCode::RoomFull: return "room-full";
    case ErrorCode::TooManyErrors: return "too-many-errors";
    case ErrorCode::Internal: return "internal";
    case ErrorCode::NoSuchRoom: return "no-such-room";
    case ErrorCode::InviteRequired: return "invite-required";
    case ErrorCode::PasswordRequired: return "password-required";
    case ErrorCode::WrongPassword: return "wrong-password";
    case ErrorCode::RateLimited: return "rate-limited";
    case ErrorCode::RoomLocked: return "room-locked";
    case ErrorCode::Banned: return "banned";
    case ErrorCode::LobbyRejected: return "lobby-rejected";
    case ErrorCode::MeetingEnded: return "meeting-ended";
    case ErrorCode::ServerFull: return "server-full";
    case ErrorCode::AnswerTimeout: return "answer-timeout";
    case ErrorCode::LobbyTimeout: return "lobby-timeout";
    case ErrorCode::Forbidden: return "forbidden";
    case ErrorCode::NoSuchParticipant: return "no-such-participant";
    case ErrorCode::NoSuchEntry: return "no-such-entry";
    case ErrorCode::TooFast: return "too-fast";
    case ErrorCode::RecordingConsentRequired: return "recording-consent-required";
    case ErrorCode::RecordingUnavailable: return "recording-unavailable";
    case ErrorCode::AlreadyRecording: return "already-recording";
    case ErrorCode::NotRecording: return "not-recording";
    case ErrorCode::BreakoutsOpen: return "breakouts-open";
    case ErrorCode::NoBreakouts: return "no-breakouts";
    case ErrorCode::NoSuchBreakout: return "no-such-breakout";
    case ErrorCode::PresentationBusy: return "presentation-busy";
    case ErrorCode::NoPresentation: return "no-presentation";
  }
  return "internal";
}

bool isFatal(ErrorCode code) {
  switch (code) {
    case ErrorCode::TooLarge:
    case ErrorCode::TooManyErrors:
    // a refused join: the connection has nothing left to do (a retry, e.g. with a password,
    // opens a new one). Not room-full: it also answers a moderator's admit into a full room.
    case ErrorCode::NoSuchRoom:
    case ErrorCode::InviteRequired:
    case ErrorCode::PasswordRequired:
    case ErrorCode::RecordingConsentRequired:
    case ErrorCode::WrongPassword:
    case ErrorCode::RateLimited:
    case ErrorCode::RoomLocked:
    case ErrorCode::Banned:
    case ErrorCode::LobbyRejected:
    case ErrorCode::MeetingEnded:
    case ErrorCode::ServerFull:
    case ErrorCode::AnswerTimeout:
    case ErrorCode::LobbyTimeout: return true;
    default: return false;
  }
}

bool isValidInviteToken(std::string_view token) {
  return !token.empty() && token.size() <= kMaxInviteChars &&
         std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
}

bool isValidRequestId(std::string_view requestId) {
  return !requestId.empty() && requestId.size() <= kMaxRequestIdChars &&
         std::all_of(requestId.begin(), requestId.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool isValidRoomName(std::string_view room) {
  return !room.empty() && room.size() <= kMaxRoomChars &&
         std::all_of(room.begin(), room.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

std::optional<std::string> normaliseDisplayName(std::string_view name) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!name.empty() && isSpace(name.front())) name.remove_prefix(1);
  while (!name.empty() && isSpace(name.back())) name.remove_suffix(1);
  const long length = utf8Length(name);
  if (length < 1 || static_cast<std::size_t>(length) > kMaxNameChars) return std::nullopt;
  return std::string(name);
}

std::optional<std::string> normaliseChatText(std::string_view text) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  const long length = utf8Length(text, TextKind::Chat);
  if (length < 1 || static_cast<std::size_t>(length) > kMaxChatChars) return std::nullopt;
  return std::string(text);
}

std::string formatUtcTime(WallTime time) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int millis = static_cast<int>(ms - static_cast<long long>(seconds) * 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return buffer;
}

const char* toString(ChatAudience to) { return to == ChatAudience::Moderators ? "moderators" : "everyone"; }
const char* toString(ExportFormat format) { return format == ExportFormat::Markdown ? "markdown" : "text"; }
const char* toString(HandKind kind) { return kind == HandKind::PointOfOrder ? "point-of-order" : "speak"; }
const char* toString(PresentationKind kind) {
  switch (kind) {
    case PresentationKind::Screen: return "screen";
    case PresentationKind::Slides: return "slides";
    case PresentationKind::None: break;
  }
  return "none";
}

const char* toString(mixer::Layout layout) { return layout == mixer::Layout::Speaker ? "speaker" : "grid"; }
const char* toString(BreakoutAssignment assignment) {
  switch (assignment) {
    case BreakoutAssignment::Automatic: return "automatic";
    case BreakoutAssignment::Manual: return "manual";
    case BreakoutAssignment::Free: return "free";
  }
  return "automatic";
}

std::variant<ClientEnvelope, ProtocolError> parseClientMessage(std::string_view text) {
  if (text.size() > kMaxFrameBytes) return ProtocolError{ErrorCode::TooLarge, "message larger than 64 KiB"};
  Poco::JSON::Object::Ptr object;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(16);
    const Poco::Dynamic::Var root = parser.parse(std::string(text));
    if (root.type() != typeid(Poco::JSON::Object::Ptr)) {
      return ProtocolError{ErrorCode::BadJson, "message is not a JSON object"};
    }
    object = root.extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception& e) {
    return ProtocolError{ErrorCode::BadJson, "message is not JSON: " + logText(e.what())};
  }

  // Read first, so that every later refusal of this message can name it.
  std::optional<std::string> requestId;
  if (object->has("requestId")) {
    const Poco::Dynamic::Var value = object->get("requestId");
    if (!value.isString() || !isValidRequestId(value.extract<std::string>())) {
      return ProtocolError{ErrorCode::BadField, "field 'requestId' must be 1-64 printable ASCII characters"};
    }
    requestId = value.extract<std::string>();
  }
  auto refusal = [&](ProtocolError error) {
    error.requestId = requestId;
    return error;
  };

  try {
    if (!object->has("type") || !object->get("type").isString()) {
      return refusal({ErrorCode::UnknownType, "message has no string field 'type'"});
    }
    const std::string type = object->getValue<std::string>("type");
    const auto found = messageTypes().find(type);
    if (found == messageTypes().end()) {
      return refusal({ErrorCode::UnknownType, "unknown message type '" + logText(type, 32) + "'"});
    }
    ClientEnvelope envelope{PingRequest{}, requestId, readOptionalString(*object, "room"),
                            targetsParticipant(found->second) ? std::nullopt
                                                              : readOptionalString(*object, "participantId")};
    switch (found->second) {
      case MessageType::Join: envelope.message = parseJoin(*object); break;
      case MessageType::Answer: envelope.message = AnswerRequest{requireString(*object, "sdp", kMaxSdpChars)}; break;
      case MessageType::Candidate: envelope.message = parseCandidate(*object); break;
      case MessageType::Media:
        envelope.message = MediaRequest{readBool(*object, "audio", std::nullopt), readBool(*object, "video", std::nullopt)};
        break;
      case MessageType::View: envelope.message = ViewRequest{readBool(*object, "portrait", std::nullopt)}; break;
      case MessageType::Ping: envelope.message = PingRequest{}; break;
      case MessageType::Leave: envelope.message = LeaveRequest{}; break;
      case MessageType::Admit: envelope.message = AdmitRequest{requireParticipantId(*object)}; break;
      case MessageType::Reject: envelope.message = RejectRequest{requireParticipantId(*object)}; break;
      case MessageType::Mute: envelope.message = MuteRequest{requireParticipantId(*object)}; break;
      case MessageType::MuteAll: envelope.message = MuteAllRequest{}; break;
      case MessageType::Remove: envelope.message = RemoveRequest{requireParticipantId(*object)}; break;
      case MessageType::Lock: envelope.message = LockRequest{readBool(*object, "locked", std::nullopt)}; break;
      case MessageType::Promote: envelope.message = PromoteRequest{requireParticipantId(*object)}; break;
      case MessageType::End: envelope.message = EndRequest{}; break;
      case MessageType::Chat: envelope.message = parseChat(*object); break;
      case MessageType::ChatExport: {
        static const char* const kFormats[] = {"text", "markdown"};
        envelope.message = ChatExportRequest{requireChoice(*object, "format", kFormats, std::nullopt) == 0
                                                 ? ExportFormat::Text
                                                 : ExportFormat::Markdown};
        break;
      }
      case MessageType::RaiseHand: {
        static const char* const kKinds[] = {"speak", "point-of-order"};
        envelope.message =
            RaiseHandRequest{requireChoice(*object, "kind", kKinds, 0) == 0 ? HandKind::Speak : HandKind::PointOfOrder};
        break;
      }
      case MessageType::LowerHand:
        envelope.message = LowerHandRequest{object->has("entryId") ? std::optional(requireEntryId(*object)) : std::nullopt};
        break;
      case MessageType::QueueMove: {
        QueueMoveRequest move{requireEntryId(*object), 0};
        const long long position = requireInteger(*object, "position", 0, std::numeric_limits<long long>::max());
        move.position = static_cast<std::size_t>(position);
        envelope.message = move;
        break;
      }
      case MessageType::QueueRemove: envelope.message = QueueRemoveRequest{requireEntryId(*object)}; break;
      case MessageType::QueueClear: envelope.message = QueueClearRequest{}; break;
      case MessageType::GiveFloor: envelope.message = parseGiveFloor(*object); break;
      case MessageType::TakeFloor: envelope.message = TakeFloorRequest{}; break;
      case MessageType::RecordingStart: envelope.message = RecordingStartRequest{}; break;
      case MessageType::RecordingStop: envelope.message = RecordingStopRequest{}; break;
      case MessageType::BreakoutOpen: envelope.message = parseBreakoutOpen(*object); break;
      case MessageType::BreakoutMove:
        envelope.message = BreakoutMoveRequest{
            object->has("participantId") ? std::optional(requireParticipantId(*object)) : std::nullopt,
            requireString(*object, "to", 16)};
        break;
      case MessageType::BreakoutExtend:
        envelope.message =
            BreakoutExtendRequest{static_cast<unsigned>(requireInteger(*object, "seconds", 1, kMaxBreakoutExtendSeconds))};
        break;
      case MessageType::BreakoutClose: envelope.message = BreakoutCloseRequest{}; break;
      case MessageType::BreakoutBroadcast: {
        const auto text = normaliseChatText(requireString(*object, "text", kMaxFrameBytes));
        if (!text) throw badField("text", "must be 1-2000 characters without control characters (but line feed and tab)");
        envelope.message = BreakoutBroadcastRequest{*text};
        break;
      }
      case MessageType::BreakoutHelp: envelope.message = BreakoutHelpRequest{}; break;
      case MessageType::ScreenShareStart: envelope.message = ScreenShareStartRequest{}; break;
      case MessageType::ScreenShareStop: envelope.message = ScreenShareStopRequest{}; break;
      case MessageType::PresentationStop: envelope.message = PresentationStopRequest{}; break;
      case MessageType::SlidesPage:
        envelope.message = SlidesPageRequest{static_cast<unsigned>(requireInteger(*object, "page", 1, kMaxSlidePage))};
        break;
      case MessageType::PresentationSettings:
        envelope.message = PresentationSettingsRequest{readBool(*object, "guestsMayShare", std::nullopt),
                                                       readBool(*object, "documentDownload", std::nullopt)};
        break;
      case MessageType::SpeakingTime:
        envelope.message = SpeakingTimeRequest{
            static_cast<unsigned>(requireInteger(*object, "limitSeconds", 0, kMaxSpeakingTimeSeconds)),
            readBool(*object, "autoEnd", std::nullopt)};
        break;
      case MessageType::Layout: {
        static const char* const kLayouts[] = {"grid", "speaker"};
        envelope.message =
            LayoutRequest{requireChoice(*object, "layout", kLayouts, std::nullopt) == 0 ? mixer::Layout::Grid
                                                                                        : mixer::Layout::Speaker};
        break;
      }
    }
    return envelope;
  } catch (const ProtocolError& error) {
    return refusal(error);
  } catch (const std::exception& e) {
    return refusal({ErrorCode::BadField, "malformed field: " + logText(e.what())});
  }
}


}  // namespace plenum::signaling
