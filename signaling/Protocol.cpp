#include "signaling/Protocol.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <map>
#include <sstream>

namespace plenum::signaling {

namespace {

enum class MessageType {
  Join, Answer, Candidate, Media, Ping, Leave,
  Admit, Reject, Mute, MuteAll, Remove, Lock, Promote, End,
};

const std::map<std::string, MessageType, std::less<>>& messageTypes() {
  static const std::map<std::string, MessageType, std::less<>> types{
      {"join", MessageType::Join},     {"answer", MessageType::Answer},    {"candidate", MessageType::Candidate},
      {"media", MessageType::Media},   {"ping", MessageType::Ping},        {"leave", MessageType::Leave},
      {"admit", MessageType::Admit},   {"reject", MessageType::Reject},    {"mute", MessageType::Mute},
      {"mute-all", MessageType::MuteAll}, {"remove", MessageType::Remove}, {"lock", MessageType::Lock},
      {"promote", MessageType::Promote},  {"end", MessageType::End}};
  return types;
}

// Messages whose `participantId` names their target (someone else), not the sender.
bool targetsParticipant(MessageType type) {
  switch (type) {
    case MessageType::Admit:
    case MessageType::Reject:
    case MessageType::Mute:
    case MessageType::Remove:
    case MessageType::Promote: return true;
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

// Counts UTF-8 code points, or -1 when the bytes are not well-formed UTF-8 or hold control
// characters.
long utf8Length(std::string_view s) {
  long count = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    unsigned codePoint = 0;
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return -1;
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
    if (codePoint >= 0x80 && codePoint < 0xa0) return -1;              // C1 controls
    if ((codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) return -1;
    if (codePoint == 0x2028 || codePoint == 0x2029 || (codePoint >= 0x202a && codePoint <= 0x202e) ||
        (codePoint >= 0x2066 && codePoint <= 0x2069))
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
  return o;
}

Poco::JSON::Object toJson(const WaitingInfo& w) {
  Poco::JSON::Object o;
  o.set("participantId", w.id);
  o.set("name", w.name);
  return o;
}

void setRoom(Poco::JSON::Object& o, const RoomInfo& room) {
  o.set("room", room.room);
  o.set("title", room.title);
  o.set("locked", room.locked);
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
    case ErrorCode::Forbidden: return "forbidden";
    case ErrorCode::NoSuchParticipant: return "no-such-participant";
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
    case ErrorCode::WrongPassword:
    case ErrorCode::RateLimited:
    case ErrorCode::RoomLocked:
    case ErrorCode::Banned:
    case ErrorCode::LobbyRejected:
    case ErrorCode::MeetingEnded: return true;
    default: return false;
  }
}

bool isValidInviteToken(std::string_view token) {
  return !token.empty() && token.size() <= kMaxInviteChars &&
         std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
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
    return ProtocolError{ErrorCode::BadJson, std::string("message is not JSON: ") + e.what()};
  }

  try {
    if (!object->has("type") || !object->get("type").isString()) {
      return ProtocolError{ErrorCode::UnknownType, "message has no string field 'type'"};
    }
    const std::string type = object->getValue<std::string>("type");
    const auto found = messageTypes().find(type);
    if (found == messageTypes().end()) {
      return ProtocolError{ErrorCode::UnknownType, "unknown message type '" + type.substr(0, 32) + "'"};
    }
    ClientEnvelope envelope{PingRequest{}, readOptionalString(*object, "room"),
                            targetsParticipant(found->second) ? std::nullopt
                                                              : readOptionalString(*object, "participantId")};
    switch (found->second) {
      case MessageType::Join: envelope.message = parseJoin(*object); break;
      case MessageType::Answer: envelope.message = AnswerRequest{requireString(*object, "sdp", kMaxSdpChars)}; break;
      case MessageType::Candidate: envelope.message = parseCandidate(*object); break;
      case MessageType::Media:
        envelope.message = MediaRequest{readBool(*object, "audio", std::nullopt), readBool(*object, "video", std::nullopt)};
        break;
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
    }
    return envelope;
  } catch (const ProtocolError& error) {
    return error;
  } catch (const std::exception& e) {
    return ProtocolError{ErrorCode::BadField, std::string("malformed field: ") + e.what()};
  }
}

namespace server {

std::string joined(const std::string& participantId, const RoomInfo& room,
                   const std::vector<ParticipantInfo>& participants, const std::string& videoCodec) {
  Poco::JSON::Object o = typed("joined");
  o.set("participantId", participantId);
  setRoom(o, room);
  Poco::JSON::Array list;
  for (const auto& p : participants) list.add(toJson(p));
  o.set("participants", list);
  o.set("videoCodec", videoCodec);
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

std::string error(const ProtocolError& error, bool fatal) {
  Poco::JSON::Object o = typed("error");
  o.set("code", toString(error.code));
  o.set("message", error.message);
  o.set("fatal", fatal);
  if (error.retryAfter > 0) o.set("retryAfter", error.retryAfter);
  return stringify(o);
}

}  // namespace server

}  // namespace plenum::signaling
