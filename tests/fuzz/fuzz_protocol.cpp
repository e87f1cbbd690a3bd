// SPDX-License-Identifier: EUPL-1.2
// libFuzzer harness: the WebSocket signalling protocol's parser (signaling/Protocol.hpp).
// Input: one WebSocket text frame as a client sends it. Besides not crashing, every parsed
// message must hold what PROTOCOL.md promises the conference (valid room names and invite
// tokens, normalised names and chat text, fields within their limits), and the error answer
// built from a refusal must be JSON that parses again.
#include "FuzzCheck.hpp"
#include "signaling/Protocol.hpp"
#include "signaling/ServerMessages.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

using namespace plenum::signaling;

namespace {

void checkJoin(const JoinRequest& join) {
  if (join.invite) FUZZ_CHECK(isValidInviteToken(*join.invite));
  FUZZ_CHECK(join.invite || !join.room.empty());
  if (!join.room.empty()) FUZZ_CHECK(isValidRoomName(join.room));
  FUZZ_CHECK(!join.name.empty());
  FUZZ_CHECK(normaliseDisplayName(join.name) == join.name);
  if (join.password) FUZZ_CHECK(join.password->size() <= kMaxPasswordBytes);
  FUZZ_CHECK(join.videoCodecs.size() <= 32);
  for (const auto& codec : join.videoCodecs) FUZZ_CHECK(codec.size() <= 32);
}

void checkMessage(const ClientEnvelope& envelope) {
  if (envelope.room) FUZZ_CHECK(envelope.room->size() <= 128);
  if (envelope.participantId) FUZZ_CHECK(envelope.participantId->size() <= 128);
  const ClientMessage& m = envelope.message;
  if (const auto* join = std::get_if<JoinRequest>(&m)) checkJoin(*join);
  if (const auto* answer = std::get_if<AnswerRequest>(&m)) FUZZ_CHECK(answer->sdp.size() <= kMaxSdpChars);
  if (const auto* candidate = std::get_if<CandidateRequest>(&m)) {
    FUZZ_CHECK(candidate->mlineIndex <= 15);
    FUZZ_CHECK(candidate->candidate.size() <= 1024);
  }
  if (const auto* chat = std::get_if<ChatRequest>(&m)) {
    FUZZ_CHECK(!chat->text.empty());
    FUZZ_CHECK(normaliseChatText(chat->text) == chat->text);
  }
  if (const auto* time = std::get_if<SpeakingTimeRequest>(&m)) FUZZ_CHECK(time->limitSeconds <= kMaxSpeakingTimeSeconds);
  if (const auto* move = std::get_if<QueueMoveRequest>(&m)) FUZZ_CHECK(!move->entryId.empty());
  if (const auto* remove = std::get_if<QueueRemoveRequest>(&m)) FUZZ_CHECK(!remove->entryId.empty());
  if (const auto* lower = std::get_if<LowerHandRequest>(&m)) FUZZ_CHECK(!lower->entryId || !lower->entryId->empty());
  if (const auto* floor = std::get_if<GiveFloorRequest>(&m)) {
    FUZZ_CHECK(!(floor->entryId && floor->participantId));
    if (floor->participantId) FUZZ_CHECK(!floor->participantId->empty());
  }
  if (const auto* open = std::get_if<BreakoutOpenRequest>(&m)) {
    FUZZ_CHECK(!open->names.empty() && open->names.size() <= kMaxBreakouts);
    for (const auto& name : open->names) FUZZ_CHECK(normaliseDisplayName(name) == name);
    for (const auto& [id, room] : open->assign) {
      FUZZ_CHECK(!id.empty() && id.size() <= kMaxParticipantIdChars);
      FUZZ_CHECK(room <= open->names.size());
    }
    FUZZ_CHECK(open->durationSeconds >= kMinBreakoutSeconds && open->durationSeconds <= kMaxBreakoutSeconds);
  }
  if (const auto* move = std::get_if<BreakoutMoveRequest>(&m)) {
    FUZZ_CHECK(move->to.size() <= 16);
    if (move->participantId) FUZZ_CHECK(!move->participantId->empty());
  }
  if (const auto* extend = std::get_if<BreakoutExtendRequest>(&m)) {
    FUZZ_CHECK(extend->seconds >= 1 && extend->seconds <= kMaxBreakoutExtendSeconds);
  }
  if (const auto* broadcast = std::get_if<BreakoutBroadcastRequest>(&m)) {
    FUZZ_CHECK(normaliseChatText(broadcast->text) == broadcast->text);
  }
  for (const std::string* target :
       {std::get_if<AdmitRequest>(&m) ? &std::get_if<AdmitRequest>(&m)->participantId : nullptr,
        std::get_if<RejectRequest>(&m) ? &std::get_if<RejectRequest>(&m)->participantId : nullptr,
        std::get_if<MuteRequest>(&m) ? &std::get_if<MuteRequest>(&m)->participantId : nullptr,
        std::get_if<RemoveRequest>(&m) ? &std::get_if<RemoveRequest>(&m)->participantId : nullptr,
        std::get_if<PromoteRequest>(&m) ? &std::get_if<PromoteRequest>(&m)->participantId : nullptr}) {
    if (target) FUZZ_CHECK(!target->empty() && target->size() <= kMaxParticipantIdChars);
  }
}

// The server's answer to a refused message: a JSON object whose code and message survive.
void checkErrorAnswer(const ProtocolError& error) {
  const std::string text = server::error(error, isFatal(error.code));
  Poco::JSON::Parser parser;
  const Poco::Dynamic::Var root = parser.parse(text);
  const auto object = root.extract<Poco::JSON::Object::Ptr>();
  FUZZ_CHECK(object->getValue<std::string>("type") == "error");
  FUZZ_CHECK(object->getValue<std::string>("code") == toString(error.code));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = parseClientMessage(text);
  if (const auto* envelope = std::get_if<ClientEnvelope>(&result)) {
    FUZZ_CHECK(size <= kMaxFrameBytes);
    checkMessage(*envelope);
  } else {
    const auto& error = std::get<ProtocolError>(result);
    FUZZ_CHECK((error.code == ErrorCode::TooLarge) == (size > kMaxFrameBytes));
    checkErrorAnswer(error);
  }
  // The validators the HTTP side uses on their own (room links, guest cookies).
  if (isValidRoomName(text)) FUZZ_CHECK(size >= 1 && size <= kMaxRoomChars);
  if (isValidInviteToken(text)) FUZZ_CHECK(size >= 1 && size <= kMaxInviteChars);
  if (const auto name = normaliseDisplayName(text)) FUZZ_CHECK(normaliseDisplayName(*name) == name);
  if (const auto chat = normaliseChatText(text)) FUZZ_CHECK(normaliseChatText(*chat) == chat);
  return 0;
}
