// SPDX-License-Identifier: EUPL-1.2
// Tests of signaling/Protocol: parsing and validation of client messages, and the JSON of the
// server's messages (PROTOCOL.md).
#include "signaling/Protocol.hpp"
#include "signaling/ServerMessages.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

using namespace plenum::signaling;

namespace {

// "ok" when `text` is accepted, otherwise the error's code as sent to the client.
std::string outcome(std::string_view text) {
  const auto result = parseClientMessage(text);
  if (const auto* error = std::get_if<ProtocolError>(&result)) return toString(error->code);
  return "ok";
}

ClientEnvelope envelopeOf(std::string_view text) {
  auto result = parseClientMessage(text);
  if (const auto* error = std::get_if<ProtocolError>(&result)) {
    FAIL("refused (" << toString(error->code) << "): " << error->message);
  }
  return std::get<ClientEnvelope>(std::move(result));
}

template <class Message>
Message messageOf(std::string_view text) {
  const ClientEnvelope envelope = envelopeOf(text);
  REQUIRE(std::holds_alternative<Message>(envelope.message));
  return std::get<Message>(envelope.message);
}

std::string stringify(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

// A join message built by Poco, so that any name is correctly escaped.
std::string joinJson(const std::string& room, const std::string& name) {
  Poco::JSON::Object o;
  o.set("type", "join");
  o.set("room", room);
  o.set("name", name);
  return stringify(o);
}

// A join message with `nameJson` pasted verbatim between the quotes of the name.
std::string joinWithRawName(const std::string& nameJson) {
  return R"({"type":"join","room":"r","name":")" + nameJson + R"("})";
}

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
  Poco::JSON::Parser parser;
  const Poco::Dynamic::Var root = parser.parse(text);
  REQUIRE(root.type() == typeid(Poco::JSON::Object::Ptr));
  return root.extract<Poco::JSON::Object::Ptr>();
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A ping padded with an ignored field to exactly `bytes` bytes.
std::string pingOfSize(std::size_t bytes) {
  const std::string head = R"({"type":"ping","pad":")";
  const std::string tail = R"("})";
  return head + std::string(bytes - head.size() - tail.size(), 'p') + tail;
}

const std::string kUmlaut = "\xc3\xa4";         // ä, 2 bytes
const std::string kEmoji = "\xf0\x9f\x98\x80";  // 😀, 4 bytes

}  // namespace

// ---------------------------------------------------------------------------------------------
// Client messages

SCENARIO("Every client message type is parsed", "[signaling][Protocol]") {
  GIVEN("a minimal join") {
    const auto join = messageOf<JoinRequest>(R"({"type":"join","room":"team-1","name":"Anna"})");
    THEN("room and name are taken") {
      CHECK(join.room == "team-1");
      CHECK(join.name == "Anna");
    }
    THEN("microphone and camera default to on") {
      CHECK(join.audio);
      CHECK(join.video);
    }
    THEN("the video codecs default to H.264 baseline and VP8") {
      CHECK(join.videoCodecs == std::vector<std::string>{"H264/42e01f", "VP8"});
    }
  }

  GIVEN("a join with every field") {
    const auto join = messageOf<JoinRequest>(
        R"({"type":"join","room":"Team_Meeting.2024","name":"Bob","audio":false,"video":false,"videoCodecs":["VP8"]})");
    THEN("every field is taken") {
      CHECK(join.room == "Team_Meeting.2024");
      CHECK(join.name == "Bob");
      CHECK_FALSE(join.audio);
      CHECK_FALSE(join.video);
      CHECK(join.videoCodecs == std::vector<std::string>{"VP8"});
    }
  }

  GIVEN("a join with only one of audio and video") {
    const auto audioOff = messageOf<JoinRequest>(R"({"type":"join","room":"r","name":"A","audio":false})");
    const auto videoOff = messageOf<JoinRequest>(R"({"type":"join","room":"r","name":"A","video":false})");
    THEN("the other defaults to on") {
      CHECK_FALSE(audioOff.audio);
      CHECK(audioOff.video);
      CHECK(videoOff.audio);
      CHECK_FALSE(videoOff.video);
    }
  }

  GIVEN("a join with an empty codec list") {
    const auto join = messageOf<JoinRequest>(R"({"type":"join","room":"r","name":"A","videoCodecs":[]})");
    THEN("the list stays empty") { CHECK(join.videoCodecs.empty()); }
  }

  GIVEN("a join with several codecs") {
    const auto join = messageOf<JoinRequest>(
        R"({"type":"join","room":"r","name":"A","videoCodecs":["VP8","H264/42e01f","H264/640c1f","AV1"]})");
    THEN("their order is kept") {
      CHECK(join.videoCodecs == std::vector<std::string>{"VP8", "H264/42e01f", "H264/640c1f", "AV1"});
    }
  }

  GIVEN("an answer") {
    const auto answer = messageOf<AnswerRequest>(R"({"type":"answer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"})");
    THEN("the SDP is taken with its line ends") { CHECK(answer.sdp == "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"); }
  }

  GIVEN("a candidate") {
    const auto candidate = messageOf<CandidateRequest>(
        R"({"type":"candidate","candidate":"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host","sdpMLineIndex":1})");
    THEN("candidate and m-line index are taken") {
      CHECK(candidate.candidate == "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host");
      CHECK(candidate.mlineIndex == 1);
    }
  }

  GIVEN("the end of candidates") {
    const auto candidate = messageOf<CandidateRequest>(R"({"type":"candidate","candidate":"","sdpMLineIndex":0})");
    THEN("it is an empty candidate") {
      CHECK(candidate.candidate.empty());
      CHECK(candidate.mlineIndex == 0);
    }
  }

  GIVEN("media") {
    const auto [json, audio, video] = GENERATE(table<std::string, bool, bool>({
        {R"({"type":"media","audio":true,"video":true})", true, true},
        {R"({"type":"media","audio":false,"video":true})", false, true},
        {R"({"type":"media","audio":true,"video":false})", true, false},
        {R"({"type":"media","audio":false,"video":false})", false, false},
    }));
    CAPTURE(json);
    const auto media = messageOf<MediaRequest>(json);
    THEN("both switches are taken") {
      CHECK(media.audio == audio);
      CHECK(media.video == video);
    }
  }

  GIVEN("a view") {
    THEN("a phone held upright asks for the portrait composite, turned for the landscape one") {
      CHECK(messageOf<ViewRequest>(R"({"type":"view","portrait":true})").portrait);
      CHECK_FALSE(messageOf<ViewRequest>(R"({"type":"view","portrait":false})").portrait);
    }
  }

  GIVEN("a ping") {
    THEN("it is a ping") { messageOf<PingRequest>(R"({"type":"ping"})"); }
  }

  GIVEN("a leave") {
    THEN("it is a leave") { messageOf<LeaveRequest>(R"({"type":"leave"})"); }
  }

  GIVEN("JSON with white space and fields the server does not know") {
    THEN("it is accepted") {
      messageOf<PingRequest>(" \r\n\t{ \"type\" : \"ping\" , \"clientTime\" : 12345, \"x\": {\"y\": [1, null]} } \n");
    }
  }
}

SCENARIO("The optional room/participantId envelope", "[signaling][Protocol]") {
  GIVEN("a message without envelope fields") {
    const auto envelope = envelopeOf(R"({"type":"ping"})");
    THEN("neither is set") {
      CHECK_FALSE(envelope.room.has_value());
      CHECK_FALSE(envelope.participantId.has_value());
    }
  }

  GIVEN("a message that names room and participant") {
    const auto envelope = envelopeOf(R"({"type":"media","audio":false,"video":true,"room":"r1","participantId":"p-7"})");
    THEN("both are set") {
      CHECK(envelope.room == std::optional<std::string>("r1"));
      CHECK(envelope.participantId == std::optional<std::string>("p-7"));
    }
    THEN("the message itself is parsed as usual") {
      REQUIRE(std::holds_alternative<MediaRequest>(envelope.message));
      CHECK_FALSE(std::get<MediaRequest>(envelope.message).audio);
    }
  }

  GIVEN("a message that names only the participant") {
    const auto envelope = envelopeOf(R"({"type":"leave","participantId":"p-7"})");
    THEN("only the participant is set") {
      CHECK_FALSE(envelope.room.has_value());
      CHECK(envelope.participantId == std::optional<std::string>("p-7"));
    }
  }

  GIVEN("envelope fields of every size and type") {
    // json, expected outcome
    const auto [json, expected] = GENERATE(table<std::string, std::string>({
        {R"({"type":"ping","room":")" + std::string(128, 'r') + R"("})", "ok"},
        {R"({"type":"ping","participantId":")" + std::string(128, 'p') + R"("})", "ok"},
        {R"({"type":"ping","room":""})", "ok"},
        {R"({"type":"ping","room":")" + std::string(129, 'r') + R"("})", "bad-field"},
        {R"({"type":"ping","participantId":")" + std::string(129, 'p') + R"("})", "bad-field"},
        {R"({"type":"ping","room":5})", "bad-field"},
        {R"({"type":"ping","room":null})", "bad-field"},
        {R"({"type":"ping","room":["r"]})", "bad-field"},
        {R"({"type":"leave","participantId":5})", "bad-field"},
        {R"({"type":"leave","participantId":{"id":"p"}})", "bad-field"},
        {R"({"type":"leave","participantId":true})", "bad-field"},
    }));
    CAPTURE(json);
    THEN("long or non-string ones are refused") { CHECK(outcome(json) == expected); }
  }
}

SCENARIO("Frames that are not JSON objects are refused with bad-json", "[signaling][Protocol]") {
  std::string deep = R"({"type":"ping","x":)";
  deep += std::string(40, '[') + "1" + std::string(40, ']') + "}";

  const auto text = GENERATE_REF(as<std::string>{},
      // not JSON
      "", " ", "\r\n", "ping", "type=ping", "{", "}", "{\"type\":\"ping\"", "{\"type\":\"ping\",}",
      "{'type':'ping'}", "{type:\"ping\"}", "{\"type\":ping}", "<xml/>",
      "{\"type\":\"ping\"} trailing", "{\"type\":\"ping\"}{\"type\":\"leave\"}", "{\"type\":\"ping\"}\n{}",
      std::string("{\"type\":\"ping\"}\0", 16),
      // JSON, but not an object
      "[]", "[{\"type\":\"ping\"}]", "42", "-1.5", "\"ping\"", "true", "false", "null",
      // nested deeper than the parser allows
      deep);
  CAPTURE(text);
  CHECK(outcome(text) == "bad-json");
}

SCENARIO("Nesting within the parser's depth limit is fine", "[signaling][Protocol]") {
  std::string nested = R"({"type":"ping","x":)";
  nested += std::string(10, '[') + "1" + std::string(10, ']') + "}";
  CHECK(outcome(nested) == "ok");
}

SCENARIO("Messages without a known type are refused with unknown-type", "[signaling][Protocol]") {
  const auto text = GENERATE(as<std::string>{},
      // no type, or not a string
      "{}", R"({"Type":"ping"})", R"({"kind":"ping"})", R"({"type":5})", R"({"type":null})", R"({"type":true})",
      R"({"type":["ping"]})", R"({"type":{"name":"ping"}})",
      // an unknown type
      R"({"type":""})", R"({"type":"PING"})", R"({"type":"Ping"})", R"({"type":" ping"})", R"({"type":"ping "})",
      R"({"type":"hello"})", R"({"type":"join\u0000"})",
      // types the server sends, not the client
      R"({"type":"pong"})", R"({"type":"offer"})", R"({"type":"joined"})", R"({"type":"error"})",
      R"({"type":"participant-joined"})", R"({"type":"participant-left"})");
  CAPTURE(text);
  CHECK(outcome(text) == "unknown-type");
}

SCENARIO("A long unknown type is not echoed in full", "[signaling][Protocol]") {
  const std::string type(5000, 'x');
  const auto result = parseClientMessage(R"({"type":")" + type + R"("})");
  REQUIRE(std::holds_alternative<ProtocolError>(result));
  const auto& error = std::get<ProtocolError>(result);
  CHECK(error.code == ErrorCode::UnknownType);
  CHECK(error.message.size() < 100);
}

SCENARIO("An unknown type is echoed on one line, its control characters escaped (no log forging)",
         "[signaling][Protocol]") {
  // JSON "\r\n" is a real line break in the type: the forged line must not start a line of the log.
  const auto result = parseClientMessage(R"({"type":"x\r\nadmin logged in\u001b[2J\u2028\\"})");
  REQUIRE(std::holds_alternative<ProtocolError>(result));
  const auto& error = std::get<ProtocolError>(result);
  CHECK(error.code == ErrorCode::UnknownType);
  CHECK(error.message.find_first_of("\n\r\x1b") == std::string::npos);
  CHECK(error.message == R"(unknown message type 'x\r\nadmin logged in\x1b[2J\u2028\\')");
}

SCENARIO("Missing fields and fields of the wrong type are refused with bad-field", "[signaling][Protocol]") {
  const auto text = GENERATE(as<std::string>{},
      // join
      R"({"type":"join","name":"Anna"})", R"({"type":"join","room":"r"})", R"({"type":"join"})",
      R"({"type":"join","room":5,"name":"Anna"})", R"({"type":"join","room":null,"name":"Anna"})",
      R"({"type":"join","room":true,"name":"Anna"})", R"({"type":"join","room":["r"],"name":"Anna"})",
      R"({"type":"join","room":{"name":"r"},"name":"Anna"})", R"({"type":"join","room":"r","name":5})",
      R"({"type":"join","room":"r","name":null})", R"({"type":"join","room":"r","name":false})",
      R"({"type":"join","room":"r","name":["Anna"]})", R"({"type":"join","room":"r","name":"Anna","audio":"true"})",
      R"({"type":"join","room":"r","name":"Anna","audio":1})", R"({"type":"join","room":"r","name":"Anna","audio":null})",
      R"({"type":"join","room":"r","name":"Anna","video":"false"})",
      R"({"type":"join","room":"r","name":"Anna","video":0})",
      R"({"type":"join","room":"r","name":"Anna","videoCodecs":"VP8"})",
      R"({"type":"join","room":"r","name":"Anna","videoCodecs":null})",
      R"({"type":"join","room":"r","name":"Anna","videoCodecs":{}})",
      R"({"type":"join","room":"r","name":"Anna","videoCodecs":5})",
      R"({"type":"join","room":"r","name":"Anna","videoCodecs":[1]})",
      R"({"type":"join","room":"r","name":"Anna","videoCodecs":["VP8",null]})",
      R"({"type":"join","room":"r","name":"Anna","videoCodecs":[["VP8"]]})",
      R"({"type":"join","room":"r","name":"Anna","videoCodecs":[{"codec":"VP8"}]})",
      // view
      R"({"type":"view"})", R"({"type":"view","portrait":"yes"})", R"({"type":"view","portrait":1})",
      // answer
      R"({"type":"answer"})", R"({"type":"answer","sdp":5})", R"({"type":"answer","sdp":null})",
      R"({"type":"answer","sdp":{"type":"answer","sdp":"v=0"}})", R"({"type":"answer","SDP":"v=0"})",
      // candidate
      R"({"type":"candidate","sdpMLineIndex":0})", R"({"type":"candidate","candidate":""})",
      R"({"type":"candidate","candidate":5,"sdpMLineIndex":0})",
      R"({"type":"candidate","candidate":null,"sdpMLineIndex":0})",
      R"({"type":"candidate","candidate":{"candidate":""},"sdpMLineIndex":0})",
      R"({"type":"candidate","candidate":"","sdpMid":"0"})",
      // media
      R"({"type":"media"})", R"({"type":"media","audio":true})", R"({"type":"media","video":true})",
      R"({"type":"media","audio":"on","video":true})", R"({"type":"media","audio":1,"video":true})",
      R"({"type":"media","audio":null,"video":true})", R"({"type":"media","audio":true,"video":0})",
      R"({"type":"media","audio":true,"video":"false"})");
  CAPTURE(text);
  CHECK(outcome(text) == "bad-field");
}

SCENARIO("The error message names the field at fault", "[signaling][Protocol]") {
  const auto [text, field] = GENERATE(table<std::string, std::string>({
      {R"({"type":"join","name":"Anna"})", "room"},
      {R"({"type":"join","room":"r","name":""})", "name"},
      {R"({"type":"join","room":"r","name":"A","audio":1})", "audio"},
      {R"({"type":"join","room":"r","name":"A","videoCodecs":1})", "videoCodecs"},
      {R"({"type":"answer"})", "sdp"},
      {R"({"type":"candidate","candidate":""})", "sdpMLineIndex"},
      {R"({"type":"media","audio":true})", "video"},
      {R"({"type":"ping","participantId":1})", "participantId"},
  }));
  CAPTURE(text);
  const auto result = parseClientMessage(text);
  REQUIRE(std::holds_alternative<ProtocolError>(result));
  CHECK_THAT(std::get<ProtocolError>(result).message, Catch::Matchers::Contains("'" + field + "'"));
}

SCENARIO("Fields are limited in length", "[signaling][Protocol]") {
  const std::string codecs32 = [] {
    std::string list = "[";
    for (int i = 0; i < 32; ++i) list += std::string(i ? "," : "") + "\"VP8\"";
    return list + "]";
  }();
  const std::string codecs33 = codecs32.substr(0, codecs32.size() - 1) + ",\"VP8\"]";

  // json, expected outcome
  const auto [json, expected] = GENERATE_REF(table<std::string, std::string>({
      {R"({"type":"answer","sdp":")" + std::string(kMaxSdpChars, 's') + R"("})", "ok"},
      {R"({"type":"answer","sdp":")" + std::string(kMaxSdpChars + 1, 's') + R"("})", "bad-field"},
      {R"({"type":"candidate","sdpMLineIndex":0,"candidate":")" + std::string(1024, 'c') + R"("})", "ok"},
      {R"({"type":"candidate","sdpMLineIndex":0,"candidate":")" + std::string(1025, 'c') + R"("})", "bad-field"},
      {joinJson(std::string(64, 'r'), "Anna"), "ok"},
      {joinJson(std::string(65, 'r'), "Anna"), "bad-field"},
      {joinJson(std::string(300, 'r'), "Anna"), "bad-field"},
      {joinJson("r", std::string(64, 'n')), "ok"},
      {joinJson("r", std::string(65, 'n')), "bad-field"},
      {joinJson("r", std::string(300, 'n')), "bad-field"},
      {R"({"type":"join","room":"r","name":"A","videoCodecs":)" + codecs32 + "}", "ok"},
      {R"({"type":"join","room":"r","name":"A","videoCodecs":)" + codecs33 + "}", "bad-field"},
      {R"({"type":"join","room":"r","name":"A","videoCodecs":[")" + std::string(32, 'v') + R"("]})", "ok"},
      {R"({"type":"join","room":"r","name":"A","videoCodecs":[")" + std::string(33, 'v') + R"("]})", "bad-field"},
  }));
  CAPTURE(json.substr(0, 120), json.size());
  CHECK(outcome(json) == expected);
}

SCENARIO("Frames larger than 64 KiB are refused with too-large", "[signaling][Protocol]") {
  const auto [text, expected] = GENERATE(table<std::string, std::string>({
      {pingOfSize(kMaxFrameBytes), "ok"},
      {pingOfSize(kMaxFrameBytes + 1), "too-large"},
      {pingOfSize(2 * kMaxFrameBytes), "too-large"},
      {std::string(kMaxFrameBytes + 1, '#'), "too-large"},  // checked before parsing
      {R"({"type":"answer","sdp":")" + std::string(kMaxFrameBytes, 's') + R"("})", "too-large"},
      {joinJson("r", std::string(kMaxFrameBytes, 'n')), "too-large"},
  }));
  CAPTURE(text.size());
  CHECK(outcome(text) == expected);
}

SCENARIO("Room names", "[signaling][Protocol]") {
  GIVEN("names that follow the rules (1-64 of A-Z a-z 0-9 . _ -)") {
    const auto room = GENERATE(as<std::string>{}, "a", "Z", "0", "team", "Team-Meeting_2024.v1", "a.b_c-d",
                               "UPPER", "1234567890", std::string(64, 'x'), std::string(64, '-'));
    CAPTURE(room);
    THEN("they are valid") { CHECK(isValidRoomName(room)); }
    THEN("a join to them is accepted") {
      const auto join = messageOf<JoinRequest>(joinJson(room, "Anna"));
      CHECK(join.room == room);
    }
  }

  GIVEN("names that break the rules") {
    const auto room = GENERATE(as<std::string>{}, "", std::string(65, 'x'), "with space", " lead", "trail ",
                               "tab\there", "line\nbreak", "M\xc3\xbcnchen", "caf\xc3\xa9", kEmoji, "a/b", "../etc",
                               "a\\b", "a?b", "a#b", "a%20b", "a:b", "a@b", "a+b", "a,b", "a;b", "<script>",
                               "a'b", "a\"b", std::string("a\0b", 3));
    CAPTURE(room);
    THEN("they are invalid") { CHECK_FALSE(isValidRoomName(room)); }
    THEN("a join to them is refused with bad-field") { CHECK(outcome(joinJson(room, "Anna")) == "bad-field"); }
  }
}

SCENARIO("Display names are normalised", "[signaling][Protocol]") {
  GIVEN("acceptable names") {
    // name as sent, name as kept
    const auto [sent, kept] = GENERATE_REF(table<std::string, std::string>({
        {"Anna", "Anna"},
        {"x", "x"},
        {"  Anna  ", "Anna"},
        {"\t\r\n Anna Lena \n\t", "Anna Lena"},
        {"Anna  Lena", "Anna  Lena"},
        {"J\xc3\xbcrgen M\xc3\xbc\xc3\x9fig", "J\xc3\xbcrgen M\xc3\xbc\xc3\x9fig"},
        {"Zo\xc3\xab " + kEmoji, "Zo\xc3\xab " + kEmoji},
        {"\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d", "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d"},     // 李小龍
        {"\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa", "\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa"},  // עברית
        {"O'Brien \"Bob\" \\o/", "O'Brien \"Bob\" \\o/"},
        {"<script>alert(1)</script>", "<script>alert(1)</script>"},
        {std::string(64, 'a'), std::string(64, 'a')},
        {repeat(kUmlaut, 64), repeat(kUmlaut, 64)},
        {repeat(kEmoji, 64), repeat(kEmoji, 64)},
        {" " + repeat(kUmlaut, 64) + "\t", repeat(kUmlaut, 64)},
        {"   " + std::string(64, 'a') + "   ", std::string(64, 'a')},
    }));
    CAPTURE(sent);
    THEN("normaliseDisplayName trims them") {
      const auto normalised = normaliseDisplayName(sent);
      REQUIRE(normalised.has_value());
      CHECK(*normalised == kept);
    }
    THEN("a join carries the normalised name") { CHECK(messageOf<JoinRequest>(joinJson("r", sent)).name == kept); }
  }

  GIVEN("names that are empty, too long, or hold control characters") {
    const auto name = GENERATE_REF(as<std::string>{},
        // empty after trimming
        "", " ", "\t\r\n ",
        // more than 64 code points
        std::string(65, 'a'), repeat(kUmlaut, 65), repeat(kEmoji, 65), "a" + repeat(kEmoji, 64),
        // C0 controls and DEL
        std::string("A\0B", 3), "A\x01" "B", "A\x1f" "B", "A\x7f" "B", "A\nB", "A\rB", "A\tB", "\x1b[31mred",
        // C1 controls
        "A\xc2\x80" "B", "A\xc2\x85" "B", "A\xc2\x9f" "B",
        // line/paragraph separators, bidi embeddings and overrides
        "A\xe2\x80\xa8" "B", "A\xe2\x80\xa9" "B", "A\xe2\x80\xaa" "B", "A\xe2\x80\xab" "B", "A\xe2\x80\xac" "B",
        "Anna\xe2\x80\xad" "B", "Anna\xe2\x80\xae" "gpj.exe");
    CAPTURE(name);
    THEN("normaliseDisplayName refuses them") { CHECK_FALSE(normaliseDisplayName(name).has_value()); }
    THEN("a join with them is refused with bad-field") { CHECK(outcome(joinJson("r", name)) == "bad-field"); }
  }

  GIVEN("names that are not UTF-8") {
    const auto name = GENERATE(as<std::string>{},
        "\xff", "\xfe", "A\x80", "\x80" "A", "A\xc3", "A\xc3(", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",
        "\xfc\x84\x80\x80\x80\x80", "A\xe2\x82", "\xf0\x9f\x98", "\xf0\x80\x80\xaf");
    CAPTURE(name);
    THEN("normaliseDisplayName refuses them") { CHECK_FALSE(normaliseDisplayName(name).has_value()); }
    THEN("a join with them is refused") {
      // Poco's parser already refuses invalid UTF-8 in JSON text (bad-json); were it to let the
      // bytes through, the name check would refuse them (bad-field).
      const std::string result = outcome(joinWithRawName(name));
      CHECK((result == "bad-json" || result == "bad-field"));
    }
  }

  GIVEN("names with JSON escapes") {
    // escaped name as in the JSON text, expected outcome, expected name
    const auto [escaped, expected, kept] = GENERATE(table<std::string, std::string, std::string>({
        {R"(J\u00fcrgen)", "ok", "J\xc3\xbcrgen"},
        {R"(\ud83d\ude00)", "ok", kEmoji},
        {R"(\t Anna \n)", "ok", "Anna"},
        {R"(\"quoted\" \\ \/)", "ok", "\"quoted\" \\ /"},
        {R"(A\u0000B)", "bad-field", ""},
        {R"(A\u0001B)", "bad-field", ""},
        {R"(A\nB)", "bad-field", ""},
        {R"(A\u007fB)", "bad-field", ""},
        {R"(A\u0085B)", "bad-field", ""},
        {R"(\u202eevil)", "bad-field", ""},
        {R"(\u202aX)", "bad-field", ""},
        {R"(A\u2028B)", "bad-field", ""},
        {R"(\u0020\u0020)", "bad-field", ""},
    }));
    CAPTURE(escaped);
    const std::string json = joinWithRawName(escaped);
    THEN("the unescaped name is checked") {
      CHECK(outcome(json) == expected);
      if (expected == "ok") CHECK(messageOf<JoinRequest>(json).name == kept);
    }
  }

  GIVEN("a lone surrogate escape") {
    const auto escaped = GENERATE(as<std::string>{}, R"(\ud800)", R"(A\udc00B)", R"(\ud83d)");
    CAPTURE(escaped);
    THEN("the join is refused") {
      const std::string result = outcome(joinWithRawName(escaped));
      CHECK((result == "bad-json" || result == "bad-field"));
    }
  }
}

SCENARIO("sdpMLineIndex is an integer from 0 to 15", "[signaling][Protocol]") {
  // value as JSON, expected outcome, expected index
  const auto [value, expected, index] = GENERATE(table<std::string, std::string, unsigned>({
      {"0", "ok", 0},
      {"1", "ok", 1},
      {"15", "ok", 15},
      {"16", "bad-field", 0},
      {"-1", "bad-field", 0},
      {"255", "bad-field", 0},
      {"4294967296", "bad-field", 0},  // 2^32: must not wrap to 0
      {"4294967297", "bad-field", 0},  // 2^32 + 1: must not wrap to 1
      {"9223372036854775807", "bad-field", 0},
      {"-9223372036854775808", "bad-field", 0},
      {"1.5", "bad-field", 0},
      {"1.0", "bad-field", 0},
      {"1e1", "bad-field", 0},
      {"\"1\"", "bad-field", 0},
      {"null", "bad-field", 0},
      {"[1]", "bad-field", 0},
      {"{}", "bad-field", 0},
  }));
  const std::string json = R"({"type":"candidate","candidate":"","sdpMLineIndex":)" + value + "}";
  CAPTURE(json);
  CHECK(outcome(json) == expected);
  if (expected == "ok") CHECK(messageOf<CandidateRequest>(json).mlineIndex == index);
}

// ---------------------------------------------------------------------------------------------
// Suspected bugs, kept visible but not failing the suite (see the report to the lead).

SCENARIO("sdpMLineIndex refuses booleans", "[signaling][Protocol]") {
  // Poco's Var reports a bool as an integer, so {"sdpMLineIndex": true} is taken as index 1.
  const auto value = GENERATE(as<std::string>{}, "true", "false");
  const std::string json = R"({"type":"candidate","candidate":"","sdpMLineIndex":)" + value + "}";
  CAPTURE(json);
  CHECK(outcome(json) == "bad-field");
}

SCENARIO("Display names refuse overlong UTF-8", "[signaling][Protocol]") {
  // Only two-byte overlong forms are caught; three- and four-byte overlong forms of code points
  // at or above U+0080 pass normaliseDisplayName. (Poco's JSON parser refuses them first, so a
  // join cannot carry them, but the function is public and documents "not UTF-8" as refused.)
  const auto name = GENERATE(as<std::string>{},
                             "\xe0\x9f\xbf",       // U+07FF in three bytes
                             "\xe0\x83\xa4",       // U+00E4 (ä) in three bytes
                             "\xf0\x8f\xbf\xbf",   // U+FFFF in four bytes
                             "\xf0\x80\xa0\x80");  // U+0800 in four bytes
  CAPTURE(name);
  CHECK_FALSE(normaliseDisplayName(name).has_value());
}

SCENARIO("Display names refuse bidi isolates", "[signaling][Protocol]") {
  // U+202A-U+202E are refused, but the isolates U+2066-U+2069 (LRI, RLI, FSI, PDI), which do the
  // same kind of reordering (CVE-2021-42574, "Trojan Source"), are let through.
  const auto name = GENERATE(as<std::string>{}, "Anna\xe2\x81\xa6" "B", "Anna\xe2\x81\xa7" "B",
                             "Anna\xe2\x81\xa8" "B", "Anna\xe2\x81\xa9" "B");
  CAPTURE(name);
  THEN("normaliseDisplayName refuses them") { CHECK_FALSE(normaliseDisplayName(name).has_value()); }
  THEN("a join with them is refused") { CHECK(outcome(joinJson("r", name)) == "bad-field"); }
}

SCENARIO("A 64-character name with surrounding white space is accepted", "[signaling][Protocol]") {
  // PROTOCOL.md: "1-64 characters after trimming". The byte limit (4 x 64) is applied before
  // trimming, so 64 four-byte characters plus one space are refused although
  // normaliseDisplayName accepts them.
  const std::string name = " " + repeat(kEmoji, 64) + " ";
  REQUIRE(normaliseDisplayName(name).has_value());
  CHECK(outcome(joinJson("r", name)) == "ok");
}

// ---------------------------------------------------------------------------------------------
// Server messages

SCENARIO("Error codes have the names of PROTOCOL.md", "[signaling][Protocol]") {
  const auto [code, name] = GENERATE(table<ErrorCode, std::string>({
      {ErrorCode::BadJson, "bad-json"},
      {ErrorCode::UnknownType, "unknown-type"},
      {ErrorCode::BadField, "bad-field"},
      {ErrorCode::TooLarge, "too-large"},
      {ErrorCode::NotBinary, "not-binary"},
      {ErrorCode::NotJoined, "not-joined"},
      {ErrorCode::AlreadyJoined, "already-joined"},
      {ErrorCode::WrongTarget, "wrong-target"},
      {ErrorCode::BadSdp, "bad-sdp"},
      {ErrorCode::BadCandidate, "bad-candidate"},
      {ErrorCode::RoomFull, "room-full"},
      {ErrorCode::TooManyErrors, "too-many-errors"},
      {ErrorCode::Internal, "internal"},
      {ErrorCode::NoSuchRoom, "no-such-room"},
      {ErrorCode::InviteRequired, "invite-required"},
      {ErrorCode::PasswordRequired, "password-required"},
      {ErrorCode::WrongPassword, "wrong-password"},
      {ErrorCode::RateLimited, "rate-limited"},
      {ErrorCode::RoomLocked, "room-locked"},
      {ErrorCode::Banned, "banned"},
      {ErrorCode::LobbyRejected, "lobby-rejected"},
      {ErrorCode::MeetingEnded, "meeting-ended"},
      {ErrorCode::Forbidden, "forbidden"},
      {ErrorCode::NoSuchParticipant, "no-such-participant"},
      {ErrorCode::NoSuchEntry, "no-such-entry"},
      {ErrorCode::TooFast, "too-fast"},
  }));
  CAPTURE(name);
  THEN("toString gives the name") { CHECK(toString(code) == name); }
  THEN("server::error carries it, with message and fatality") {
    const bool fatal = GENERATE(true, false);
    const auto o = parseObject(server::error(ProtocolError{code, "what went wrong"}, fatal));
    CHECK(o->getValue<std::string>("type") == "error");
    CHECK(o->getValue<std::string>("code") == name);
    CHECK(o->getValue<std::string>("message") == "what went wrong");
    REQUIRE(o->get("fatal").isBoolean());
    CHECK(o->getValue<bool>("fatal") == fatal);
    CHECK(o->size() == 4);
  }
}

SCENARIO("server::joined", "[signaling][Protocol]") {
  GIVEN("a room with three participants") {
    const std::vector<ParticipantInfo> participants{
        {"p1", "Anna", true, true, true}, {"p2", "Bob", false, true, false}, {"p3", "Carla", true, false, false}};
    const auto o = parseObject(server::joined("p2", RoomInfo{"team-1", "Team meeting", true}, participants, "VP8"));
    THEN("it says who and where the client is, and the codec") {
      CHECK(o->getValue<std::string>("type") == "joined");
      CHECK(o->getValue<std::string>("participantId") == "p2");
      CHECK(o->getValue<std::string>("room") == "team-1");
      CHECK(o->getValue<std::string>("videoCodec") == "VP8");
    }
    THEN("it says the room's title and whether it is locked") {
      CHECK(o->getValue<std::string>("title") == "Team meeting");
      REQUIRE(o->get("locked").isBoolean());
      CHECK(o->getValue<bool>("locked"));
    }
    THEN("it lists every participant, in order, with all fields") {
      const auto list = o->getArray("participants");
      REQUIRE(list);
      REQUIRE(list->size() == participants.size());
      for (std::size_t i = 0; i < participants.size(); ++i) {
        CAPTURE(i);
        const auto p = list->getObject(static_cast<unsigned>(i));
        REQUIRE(p);
        CHECK(p->getValue<std::string>("id") == participants[i].id);
        CHECK(p->getValue<std::string>("name") == participants[i].name);
        REQUIRE(p->get("audio").isBoolean());
        REQUIRE(p->get("video").isBoolean());
        CHECK(p->getValue<bool>("audio") == participants[i].audio);
        CHECK(p->getValue<bool>("video") == participants[i].video);
        CHECK(p->getValue<std::string>("role") == (participants[i].moderator ? "moderator" : "guest"));
        CHECK(p->size() == 5);
      }
    }
  }

  GIVEN("no participants") {
    const auto o = parseObject(server::joined("p1", RoomInfo{"r", "r", false}, {}, "H264"));
    THEN("the list is there and empty") {
      const auto list = o->getArray("participants");
      REQUIRE(list);
      CHECK(list->size() == 0);
      CHECK(o->getValue<std::string>("videoCodec") == "H264");
    }
  }
}

SCENARIO("server::offer, candidate, participant-*, pong", "[signaling][Protocol]") {
  GIVEN("an offer") {
    const std::string sdp = "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE audio0 video1\r\n";
    const auto o = parseObject(server::offer(sdp));
    THEN("it carries the SDP unchanged") {
      CHECK(o->getValue<std::string>("type") == "offer");
      CHECK(o->getValue<std::string>("sdp") == sdp);
      CHECK(o->size() == 2);
    }
  }

  GIVEN("a candidate") {
    const auto [index, candidate] = GENERATE(table<unsigned, std::string>({
        {0, "candidate:1 1 UDP 2015363327 192.168.1.10 40000 typ host"},
        {1, "candidate:2 1 TCP 1015021823 192.168.1.10 9 typ host tcptype active"},
        {15, ""},
    }));
    const std::string json = server::candidate(index, candidate);
    CAPTURE(json);
    const auto o = parseObject(json);
    THEN("it carries candidate and index") {
      CHECK(o->getValue<std::string>("type") == "candidate");
      CHECK(o->getValue<std::string>("candidate") == candidate);
      REQUIRE(o->get("sdpMLineIndex").isInteger());
      CHECK(o->getValue<unsigned>("sdpMLineIndex") == index);
    }
    THEN("it has the same shape as the client's candidate message") {
      const auto request = messageOf<CandidateRequest>(json);
      CHECK(request.candidate == candidate);
      CHECK(request.mlineIndex == index);
    }
  }

  GIVEN("someone joining or changing their media") {
    const ParticipantInfo info{"p9", "Dora", false, true};
    const auto [type, json] = GENERATE_REF(table<std::string, std::string>({
        {"participant-joined", server::participantJoined(info)},
        {"participant-updated", server::participantUpdated(info)},
    }));
    CAPTURE(type);
    const auto o = parseObject(json);
    THEN("the message carries the participant") {
      CHECK(o->getValue<std::string>("type") == type);
      const auto p = o->getObject("participant");
      REQUIRE(p);
      CHECK(p->getValue<std::string>("id") == "p9");
      CHECK(p->getValue<std::string>("name") == "Dora");
      CHECK_FALSE(p->getValue<bool>("audio"));
      CHECK(p->getValue<bool>("video"));
    }
  }

  GIVEN("someone leaving") {
    const auto reason = GENERATE(as<std::string>{}, "left", "disconnected", "timeout", "media-failed");
    const auto o = parseObject(server::participantLeft("p3", reason));
    THEN("the message says who and why") {
      CHECK(o->getValue<std::string>("type") == "participant-left");
      CHECK(o->getValue<std::string>("participantId") == "p3");
      CHECK(o->getValue<std::string>("reason") == reason);
    }
  }

  GIVEN("a pong") {
    const auto o = parseObject(server::pong());
    THEN("it is only a type") {
      CHECK(o->getValue<std::string>("type") == "pong");
      CHECK(o->size() == 1);
    }
  }
}

SCENARIO("Server messages carry any text exactly", "[signaling][Protocol]") {
  const auto text = GENERATE(as<std::string>{},
      "Say \"hi\"", "back\\slash \\\\ \\n \\u0041", "<script>alert(\"pwned\")</script>", "</script><script>x()",
      "'single' & \"double\"", "{\"type\":\"leave\"}", "a/b//c", "\xc3\x84\xc3\x96\xc3\x9c \xc3\xa4\xc3\xb6\xc3\xbc \xc3\x9f",
      "\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d",
      "line\r\nbreak\ttab", "A\xe2\x80\xa8" "B", std::string("nul\0byte", 8), "");
  CAPTURE(text);

  THEN("a participant's name round-trips through joined") {
    const auto o = parseObject(server::joined("p1", RoomInfo{"r", "r", false}, {{"p1", text, true, true}}, "VP8"));
    CHECK(o->getArray("participants")->getObject(0)->getValue<std::string>("name") == text);
  }
  THEN("a participant's name round-trips through participant-joined and -updated") {
    const ParticipantInfo info{"p1", text, true, true};
    CHECK(parseObject(server::participantJoined(info))->getObject("participant")->getValue<std::string>("name") == text);
    CHECK(parseObject(server::participantUpdated(info))->getObject("participant")->getValue<std::string>("name") == text);
  }
  THEN("ids, room and codec round-trip through joined") {
    const auto o = parseObject(server::joined(text, RoomInfo{text, text, false}, {{text, "n", true, true}}, text));
    CHECK(o->getValue<std::string>("participantId") == text);
    CHECK(o->getValue<std::string>("room") == text);
    CHECK(o->getValue<std::string>("title") == text);
    CHECK(o->getValue<std::string>("videoCodec") == text);
    CHECK(o->getArray("participants")->getObject(0)->getValue<std::string>("id") == text);
  }
  THEN("an SDP round-trips through offer") { CHECK(parseObject(server::offer(text))->getValue<std::string>("sdp") == text); }
  THEN("a candidate round-trips through candidate") {
    CHECK(parseObject(server::candidate(0, text))->getValue<std::string>("candidate") == text);
  }
  THEN("an error message round-trips through error") {
    const auto o = parseObject(server::error(ProtocolError{ErrorCode::Internal, text}, false));
    CHECK(o->getValue<std::string>("message") == text);
  }
  THEN("the id and reason round-trip through participant-left") {
    const auto o = parseObject(server::participantLeft(text, text));
    CHECK(o->getValue<std::string>("participantId") == text);
    CHECK(o->getValue<std::string>("reason") == text);
  }
  THEN("a name round-trips from the server's JSON into a join and back") {
    // What the server sends, a client could send back: the name survives both directions.
    const auto name = normaliseDisplayName(text);
    if (name && *name == text) {
      const auto sent = parseObject(server::participantJoined({"p1", text, true, true}));
      const auto join = messageOf<JoinRequest>(joinJson("r", sent->getObject("participant")->getValue<std::string>("name")));
      CHECK(join.name == text);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Joining by invitation, and moderation (issue "Rooms that belong to someone")

SCENARIO("A join may carry an invitation and a password", "[signaling][Protocol][join]") {
  GIVEN("an invitation and no room") {
    const auto join = messageOf<JoinRequest>(R"({"type":"join","invite":"aB3_x-9Zq","name":"Gast"})");
    THEN("the invitation is taken and the room left empty") {
      REQUIRE(join.invite.has_value());
      CHECK(*join.invite == "aB3_x-9Zq");
      CHECK(join.room.empty());
      CHECK_FALSE(join.password.has_value());
    }
  }
  GIVEN("an invitation, a room and a password") {
    const auto join = messageOf<JoinRequest>(
        R"({"type":"join","invite":"tok","room":"sprechstunde","name":"Gast","password":"g3h31m \u00e4"})");
    THEN("all three are taken, the password exactly as sent") {
      CHECK(*join.invite == "tok");
      CHECK(join.room == "sprechstunde");
      CHECK(*join.password == "g3h31m \xc3\xa4");
    }
  }
  GIVEN("a join without invitation or password") {
    const auto join = messageOf<JoinRequest>(R"({"type":"join","room":"r","name":"A"})");
    THEN("neither is set") {
      CHECK_FALSE(join.invite.has_value());
      CHECK_FALSE(join.password.has_value());
    }
  }
  GIVEN("an empty password") {
    const auto join = messageOf<JoinRequest>(R"({"type":"join","room":"r","name":"A","password":""})");
    THEN("it is there, and empty (the appliance answers password-required)") {
      REQUIRE(join.password.has_value());
      CHECK(join.password->empty());
    }
  }
  GIVEN("joins with bad invitations, rooms or passwords") {
    const auto [json, expected] = GENERATE_REF(table<std::string, std::string>({
        {R"({"type":"join","invite":")" + std::string(128, 'i') + R"(","name":"A"})", "ok"},
        {R"({"type":"join","invite":")" + std::string(129, 'i') + R"(","name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"","name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"a b","name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"a/b","name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"a.b","name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"a%2Fb","name":"A"})", "bad-field"},
        {R"({"type":"join","invite":5,"name":"A"})", "bad-field"},
        {R"({"type":"join","invite":null,"name":"A"})", "bad-field"},
        {R"({"type":"join","invite":["t"],"name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"t","room":"a b","name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"t","room":"","name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"t","room":5,"name":"A"})", "bad-field"},
        {R"({"type":"join","invite":"t"})", "bad-field"},
        {R"({"type":"join","name":"A","password":"p"})", "bad-field"},
        {R"({"type":"join","room":"r","name":"A","password":")" + std::string(kMaxPasswordBytes, 'p') + R"("})", "ok"},
        {R"({"type":"join","room":"r","name":"A","password":")" + std::string(kMaxPasswordBytes + 1, 'p') + R"("})", "bad-field"},
        {R"({"type":"join","room":"r","name":"A","password":5})", "bad-field"},
        {R"({"type":"join","room":"r","name":"A","password":null})", "bad-field"},
        {R"({"type":"join","room":"r","name":"A","password":true})", "bad-field"},
        {R"({"type":"join","room":"r","name":"A","password":{"p":1}})", "bad-field"},
    }));
    CAPTURE(json.substr(0, 120));
    CHECK(outcome(json) == expected);
  }
  GIVEN("the error message of a bad invitation or password") {
    const auto [json, field] = GENERATE(table<std::string, std::string>({
        {R"({"type":"join","invite":"a b","name":"A"})", "invite"},
        {R"({"type":"join","room":"r","name":"A","password":5})", "password"},
    }));
    const auto result = parseClientMessage(json);
    REQUIRE(std::holds_alternative<ProtocolError>(result));
    CHECK_THAT(std::get<ProtocolError>(result).message, Catch::Matchers::Contains("'" + field + "'"));
  }
}

SCENARIO("Invitation tokens", "[signaling][Protocol]") {
  CHECK(isValidInviteToken("abcXYZ019_-"));
  CHECK(isValidInviteToken(std::string(128, 'x')));
  CHECK_FALSE(isValidInviteToken(""));
  CHECK_FALSE(isValidInviteToken(std::string(129, 'x')));
  CHECK_FALSE(isValidInviteToken("a=b"));
  CHECK_FALSE(isValidInviteToken("a+b"));
  CHECK_FALSE(isValidInviteToken("M\xc3\xbcnchen"));
  CHECK_FALSE(isValidInviteToken(std::string("a\0b", 3)));
}

SCENARIO("Moderation messages are parsed", "[signaling][Protocol][moderation]") {
  GIVEN("the messages that name a participant") {
    const auto type = GENERATE(as<std::string>{}, "admit", "reject", "mute", "remove", "promote");
    CAPTURE(type);
    const std::string json = R"({"type":")" + type + R"(","participantId":"0123456789ab"})";
    const auto envelope = envelopeOf(json);
    THEN("participantId is their target, not part of the envelope (so it is no wrong-target)") {
      CHECK_FALSE(envelope.participantId.has_value());
      std::string target;
      std::visit(
          [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, AdmitRequest> || std::is_same_v<T, RejectRequest> ||
                          std::is_same_v<T, MuteRequest> || std::is_same_v<T, RemoveRequest> ||
                          std::is_same_v<T, PromoteRequest>)
              target = m.participantId;
          },
          envelope.message);
      CHECK(target == "0123456789ab");
    }
    THEN("the room still is the envelope's") {
      const auto withRoom = envelopeOf(R"({"type":")" + type + R"(","participantId":"p","room":"r"})");
      CHECK(withRoom.room == std::optional<std::string>("r"));
    }
    THEN("a missing, empty, overlong or non-string participantId is refused with bad-field") {
      for (const std::string& bad : {std::string(R"({"type":")" + type + R"("})"),
                                    std::string(R"({"type":")" + type + R"(","participantId":""})"),
                                    std::string(R"({"type":")" + type + R"(","participantId":")") +
                                        std::string(kMaxParticipantIdChars + 1, 'p') + "\"}",
                                    std::string(R"({"type":")" + type + R"(","participantId":5})"),
                                    std::string(R"({"type":")" + type + R"(","participantId":null})"),
                                    std::string(R"({"type":")" + type + R"(","participantId":["p"]})")}) {
        CAPTURE(bad);
        CHECK(outcome(bad) == "bad-field");
      }
    }
  }
  GIVEN("each type") {
    THEN("it becomes its request") {
      CHECK(messageOf<AdmitRequest>(R"({"type":"admit","participantId":"a"})").participantId == "a");
      CHECK(messageOf<RejectRequest>(R"({"type":"reject","participantId":"b"})").participantId == "b");
      CHECK(messageOf<MuteRequest>(R"({"type":"mute","participantId":"c"})").participantId == "c");
      CHECK(messageOf<RemoveRequest>(R"({"type":"remove","participantId":"d"})").participantId == "d");
      CHECK(messageOf<PromoteRequest>(R"({"type":"promote","participantId":"e"})").participantId == "e");
      messageOf<MuteAllRequest>(R"({"type":"mute-all"})");
      messageOf<EndRequest>(R"({"type":"end"})");
      CHECK(messageOf<LockRequest>(R"({"type":"lock","locked":true})").locked);
      CHECK_FALSE(messageOf<LockRequest>(R"({"type":"lock","locked":false})").locked);
    }
  }
  GIVEN("mute-all and end naming a participant") {
    THEN("the participantId is the sender's envelope, as for every other message") {
      CHECK(envelopeOf(R"({"type":"end","participantId":"me"})").participantId == std::optional<std::string>("me"));
      CHECK(envelopeOf(R"({"type":"mute-all","participantId":"me"})").participantId == std::optional<std::string>("me"));
    }
  }
  GIVEN("a lock without a boolean") {
    const auto json = GENERATE(as<std::string>{}, R"({"type":"lock"})", R"({"type":"lock","locked":"true"})",
                               R"({"type":"lock","locked":1})", R"({"type":"lock","locked":null})");
    CAPTURE(json);
    THEN("it is refused with bad-field") { CHECK(outcome(json) == "bad-field"); }
  }
  GIVEN("types that only the server sends") {
    const auto json = GENERATE(as<std::string>{}, R"({"type":"lobby"})", R"({"type":"knock"})",
                               R"({"type":"lobby-updated"})", R"({"type":"removed"})",
                               R"({"type":"muted-by-moderator"})", R"({"type":"room-updated"})",
                               R"({"type":"unmute","participantId":"p"})", R"({"type":"Mute","participantId":"p"})",
                               R"({"type":"demote","participantId":"p"})", R"({"type":"kick","participantId":"p"})");
    CAPTURE(json);
    THEN("they are unknown types") { CHECK(outcome(json) == "unknown-type"); }
  }
}

SCENARIO("Which errors close the connection", "[signaling][Protocol]") {
  const auto [code, fatal] = GENERATE(table<ErrorCode, bool>({
      {ErrorCode::TooLarge, true},         {ErrorCode::TooManyErrors, true},   {ErrorCode::NoSuchRoom, true},
      {ErrorCode::InviteRequired, true},   {ErrorCode::PasswordRequired, true}, {ErrorCode::WrongPassword, true},
      {ErrorCode::RateLimited, true},      {ErrorCode::RoomLocked, true},      {ErrorCode::Banned, true},
      {ErrorCode::LobbyRejected, true},    {ErrorCode::MeetingEnded, true},    {ErrorCode::BadJson, false},
      {ErrorCode::UnknownType, false},     {ErrorCode::BadField, false},       {ErrorCode::NotBinary, false},
      {ErrorCode::NotJoined, false},       {ErrorCode::AlreadyJoined, false},  {ErrorCode::WrongTarget, false},
      {ErrorCode::BadSdp, false},          {ErrorCode::BadCandidate, false},   {ErrorCode::Internal, false},
      {ErrorCode::Forbidden, false},       {ErrorCode::NoSuchParticipant, false},
      // meeting tools: a refused request changes nothing, the participant stays
      {ErrorCode::NoSuchEntry, false},     {ErrorCode::TooFast, false},
      // also the answer to a moderator's admit into a full room: that must not cut the moderator off
      {ErrorCode::RoomFull, false},
  }));
  CAPTURE(toString(code));
  CHECK(isFatal(code) == fatal);
}

SCENARIO("Server messages of the lobby and of moderation", "[signaling][Protocol][moderation]") {
  const RoomInfo room{"sprechstunde", "Sprechstunde B\xc3\xbcrgeramt", true};
  GIVEN("lobby") {
    const auto o = parseObject(server::lobby(room));
    CHECK(o->getValue<std::string>("type") == "lobby");
    CHECK(o->getValue<std::string>("state") == "waiting");
    CHECK(o->getValue<std::string>("room") == "sprechstunde");
    CHECK(o->getValue<std::string>("title") == "Sprechstunde B\xc3\xbcrgeramt");
    CHECK(o->getValue<bool>("locked"));
  }
  GIVEN("knock") {
    const auto o = parseObject(server::knock({"w1", "Frau M\xc3\xbcller"}));
    CHECK(o->getValue<std::string>("type") == "knock");
    CHECK(o->getValue<std::string>("participantId") == "w1");
    CHECK(o->getValue<std::string>("name") == "Frau M\xc3\xbcller");
  }
  GIVEN("lobby-updated") {
    const auto o = parseObject(server::lobbyUpdated({{"w1", "A"}, {"w2", "B"}}));
    CHECK(o->getValue<std::string>("type") == "lobby-updated");
    const auto list = o->getArray("waiting");
    REQUIRE(list->size() == 2);
    CHECK(list->getObject(0)->getValue<std::string>("participantId") == "w1");
    CHECK(list->getObject(1)->getValue<std::string>("name") == "B");
    CHECK(parseObject(server::lobbyUpdated({}))->getArray("waiting")->size() == 0);
  }
  GIVEN("muted-by-moderator, removed, room-updated") {
    CHECK(parseObject(server::mutedByModerator("Mod"))->getValue<std::string>("by") == "Mod");
    CHECK(parseObject(server::mutedByModerator("Mod"))->getValue<std::string>("type") == "muted-by-moderator");
    CHECK(parseObject(server::removed("Mod"))->getValue<std::string>("type") == "removed");
    CHECK(parseObject(server::removed("Mod"))->getValue<std::string>("by") == "Mod");
    const auto o = parseObject(server::roomUpdated(room));
    CHECK(o->getValue<std::string>("type") == "room-updated");
    CHECK(o->getValue<bool>("locked"));
    CHECK(o->getValue<std::string>("room") == "sprechstunde");
  }
  GIVEN("a rate-limited error") {
    const auto o = parseObject(server::error({ErrorCode::RateLimited, "slow down", 42}, true));
    CHECK(o->getValue<std::string>("code") == "rate-limited");
    REQUIRE(o->get("retryAfter").isInteger());
    CHECK(o->getValue<unsigned>("retryAfter") == 42);
  }
  GIVEN("a participant's role") {
    ParticipantInfo p{"p1", "A", true, true, false};
    CHECK(parseObject(server::participantUpdated(p))->getObject("participant")->getValue<std::string>("role") == "guest");
    p.moderator = true;
    CHECK(parseObject(server::participantUpdated(p))->getObject("participant")->getValue<std::string>("role") == "moderator");
  }
}

// ---------------------------------------------------------------------------------------------
// Meeting tools: chat, speaker queue, floor, layout

SCENARIO("Chat messages are parsed and validated", "[signaling][Protocol][chat]") {
  GIVEN("a chat message") {
    THEN("the text is trimmed and the audience defaults to everyone") {
      const auto chat = messageOf<ChatRequest>(R"({"type":"chat","text":"  Hallo\nWelt\t!  "})");
      CHECK(chat.text == "Hallo\nWelt\t!");
      CHECK(chat.to == ChatAudience::Everyone);
    }
    THEN("it may go to the moderators") {
      CHECK(messageOf<ChatRequest>(R"({"type":"chat","text":"x","to":"moderators"})").to == ChatAudience::Moderators);
      CHECK(messageOf<ChatRequest>(R"({"type":"chat","text":"x","to":"everyone"})").to == ChatAudience::Everyone);
    }
    THEN("2000 characters (of any size) are fine, with white space round them") {
      CHECK(outcome(R"({"type":"chat","text":")" + repeat("a", 2000) + R"("})") == "ok");
      CHECK(outcome(R"({"type":"chat","text":")" + repeat("ü", 2000) + R"("})") == "ok");
      CHECK(outcome(R"({"type":"chat","text":")" + repeat("😀", 2000) + R"("})") == "ok");
      CHECK(outcome(R"({"type":"chat","text":"   )" + repeat("a", 2000) + R"(\n\n  "})") == "ok");
    }
  }
  GIVEN("a bad chat message") {
    const auto [label, json] = GENERATE(table<std::string, std::string>({
        {"no text", R"({"type":"chat"})"},
        {"text not a string", R"({"type":"chat","text":5})"},
        {"text null", R"({"type":"chat","text":null})"},
        {"empty text", R"({"type":"chat","text":""})"},
        {"blank text", R"({"type":"chat","text":" \n\t "})"},
        {"2001 characters", R"({"type":"chat","text":")" + repeat("a", 2001) + R"("})"},
        {"a bell", R"({"type":"chat","text":"a\u0007b"})"},
        {"a carriage return inside", R"({"type":"chat","text":"a\r\nb"})"},
        {"NUL", R"({"type":"chat","text":"a\u0000b"})"},
        {"escape", R"({"type":"chat","text":"a\u001b[31mb"})"},
        {"DEL", R"({"type":"chat","text":"a\u007fb"})"},
        {"C1 control", R"({"type":"chat","text":"a\u0085b"})"},
        {"unknown audience", R"({"type":"chat","text":"x","to":"all"})"},
        {"audience not a string", R"({"type":"chat","text":"x","to":["moderators"]})"},
    }));
    CAPTURE(label);
    THEN("it is refused with bad-field") { CHECK(outcome(json) == "bad-field"); }
  }
  GIVEN("a chat text with a lone surrogate escape") {
    // Poco's parser refuses some of these itself (bad-json), depending on where they stand.
    const std::string result = outcome(R"({"type":"chat","text":"a\ud800b"})");
    CHECK((result == "bad-json" || result == "bad-field"));
  }
  GIVEN("chat-export") {
    CHECK(messageOf<ChatExportRequest>(R"({"type":"chat-export","format":"text"})").format == ExportFormat::Text);
    CHECK(messageOf<ChatExportRequest>(R"({"type":"chat-export","format":"markdown"})").format == ExportFormat::Markdown);
    for (const std::string bad : {R"({"type":"chat-export"})", R"({"type":"chat-export","format":"md"})",
                                  R"({"type":"chat-export","format":1})", R"({"type":"chat-export","format":"TEXT"})"}) {
      CAPTURE(bad);
      CHECK(outcome(bad) == "bad-field");
    }
  }
}

SCENARIO("Speaker queue messages are parsed and validated", "[signaling][Protocol][queue]") {
  GIVEN("each type") {
    THEN("it becomes its request") {
      CHECK(messageOf<RaiseHandRequest>(R"({"type":"raise-hand"})").kind == HandKind::Speak);
      CHECK(messageOf<RaiseHandRequest>(R"({"type":"raise-hand","kind":"speak"})").kind == HandKind::Speak);
      CHECK(messageOf<RaiseHandRequest>(R"({"type":"raise-hand","kind":"point-of-order"})").kind ==
            HandKind::PointOfOrder);
      CHECK_FALSE(messageOf<LowerHandRequest>(R"({"type":"lower-hand"})").entryId);
      CHECK(messageOf<LowerHandRequest>(R"({"type":"lower-hand","entryId":"q3"})").entryId == std::optional<std::string>("q3"));
      const auto move = messageOf<QueueMoveRequest>(R"({"type":"queue-move","entryId":"q1","position":2})");
      CHECK(move.entryId == "q1");
      CHECK(move.position == 2);
      CHECK(messageOf<QueueMoveRequest>(R"({"type":"queue-move","entryId":"q1","position":0})").position == 0);
      CHECK(messageOf<QueueMoveRequest>(R"({"type":"queue-move","entryId":"q1","position":18446744073709551615})")
                .position > 1000);
      CHECK(messageOf<QueueRemoveRequest>(R"({"type":"queue-remove","entryId":"q9"})").entryId == "q9");
      messageOf<QueueClearRequest>(R"({"type":"queue-clear"})");
      messageOf<TakeFloorRequest>(R"({"type":"take-floor"})");
      const auto first = messageOf<GiveFloorRequest>(R"({"type":"give-floor"})");
      CHECK_FALSE(first.entryId);
      CHECK_FALSE(first.participantId);
      CHECK(messageOf<GiveFloorRequest>(R"({"type":"give-floor","entryId":"q2"})").entryId == std::optional<std::string>("q2"));
      const auto speaking = messageOf<SpeakingTimeRequest>(R"({"type":"speaking-time","limitSeconds":180,"autoEnd":true})");
      CHECK(speaking.limitSeconds == 180);
      CHECK(speaking.autoEnd);
      CHECK(messageOf<SpeakingTimeRequest>(R"({"type":"speaking-time","limitSeconds":0,"autoEnd":false})").limitSeconds == 0);
      CHECK(messageOf<SpeakingTimeRequest>(R"({"type":"speaking-time","limitSeconds":3600,"autoEnd":false})").limitSeconds == 3600);
      CHECK(messageOf<LayoutRequest>(R"({"type":"layout","layout":"grid"})").layout == plenum::mixer::Layout::Grid);
      CHECK(messageOf<LayoutRequest>(R"({"type":"layout","layout":"speaker"})").layout == plenum::mixer::Layout::Speaker);
    }
  }
  GIVEN("give-floor naming a participant") {
    const auto envelope = envelopeOf(R"({"type":"give-floor","participantId":"0123456789ab","room":"r"})");
    THEN("participantId is the target, not the envelope (so it is no wrong-target)") {
      CHECK_FALSE(envelope.participantId.has_value());
      CHECK(envelope.room == std::optional<std::string>("r"));
      REQUIRE(std::holds_alternative<GiveFloorRequest>(envelope.message));
      CHECK(std::get<GiveFloorRequest>(envelope.message).participantId == std::optional<std::string>("0123456789ab"));
    }
  }
  GIVEN("the other new messages naming a participant") {
    const auto json = GENERATE(as<std::string>{}, R"({"type":"raise-hand","participantId":"me"})",
                               R"({"type":"queue-clear","participantId":"me"})", R"({"type":"chat","text":"x","participantId":"me"})",
                               R"({"type":"take-floor","participantId":"me"})");
    CAPTURE(json);
    THEN("it is the sender's envelope") { CHECK(envelopeOf(json).participantId == std::optional<std::string>("me")); }
  }
  GIVEN("a bad field") {
    const auto [label, json] = GENERATE(table<std::string, std::string>({
        {"unknown kind", R"({"type":"raise-hand","kind":"shout"})"},
        {"kind not a string", R"({"type":"raise-hand","kind":1})"},
        {"empty entryId", R"({"type":"lower-hand","entryId":""})"},
        {"entryId 33 characters", R"({"type":"lower-hand","entryId":")" + std::string(33, 'q') + R"("})"},
        {"entryId a number", R"({"type":"queue-remove","entryId":3})"},
        {"entryId missing", R"({"type":"queue-remove"})"},
        {"move without entryId", R"({"type":"queue-move","position":1})"},
        {"move without position", R"({"type":"queue-move","entryId":"q1"})"},
        {"negative position", R"({"type":"queue-move","entryId":"q1","position":-1})"},
        {"fractional position", R"({"type":"queue-move","entryId":"q1","position":1.5})"},
        {"position a string", R"({"type":"queue-move","entryId":"q1","position":"1"})"},
        {"position a boolean", R"({"type":"queue-move","entryId":"q1","position":true})"},
        {"give-floor with both", R"({"type":"give-floor","entryId":"q1","participantId":"p"})"},
        {"give-floor empty participantId", R"({"type":"give-floor","participantId":""})"},
        {"give-floor participantId 129", R"({"type":"give-floor","participantId":")" + std::string(129, 'p') + R"("})"},
        {"give-floor entryId a number", R"({"type":"give-floor","entryId":1})"},
        {"speaking-time 3601", R"({"type":"speaking-time","limitSeconds":3601,"autoEnd":false})"},
        {"speaking-time negative", R"({"type":"speaking-time","limitSeconds":-1,"autoEnd":false})"},
        {"speaking-time fraction", R"({"type":"speaking-time","limitSeconds":1.5,"autoEnd":false})"},
        {"speaking-time string", R"({"type":"speaking-time","limitSeconds":"60","autoEnd":false})"},
        {"speaking-time huge", R"({"type":"speaking-time","limitSeconds":18446744073709551615,"autoEnd":false})"},
        {"speaking-time without autoEnd", R"({"type":"speaking-time","limitSeconds":60})"},
        {"speaking-time without limit", R"({"type":"speaking-time","autoEnd":true})"},
        {"speaking-time autoEnd a string", R"({"type":"speaking-time","limitSeconds":60,"autoEnd":"yes"})"},
        {"layout missing", R"({"type":"layout"})"},
        {"unknown layout", R"({"type":"layout","layout":"presentation"})"},
        {"layout not a string", R"({"type":"layout","layout":0})"},
    }));
    CAPTURE(label);
    THEN("it is refused with bad-field") { CHECK(outcome(json) == "bad-field"); }
  }
  GIVEN("an entryId of 32 characters, some of them wide") {
    THEN("it is accepted (the limit is in characters)") {
      CHECK(outcome(R"({"type":"lower-hand","entryId":")" + std::string(32, 'q') + R"("})") == "ok");
      CHECK(outcome(R"({"type":"lower-hand","entryId":")" + repeat("ü", 32) + R"("})") == "ok");
    }
  }
  GIVEN("types that only the server sends") {
    const auto json = GENERATE(as<std::string>{}, R"({"type":"chat-history"})", R"({"type":"queue-updated"})",
                               R"({"type":"floor-updated"})", R"({"type":"floor-time-up"})",
                               R"({"type":"layout-updated"})", R"({"type":"active-speaker"})");
    CAPTURE(json);
    THEN("they are unknown types") { CHECK(outcome(json) == "unknown-type"); }
  }
}

SCENARIO("Server messages of the meeting tools", "[signaling][Protocol][tools]") {
  using namespace std::chrono;
  const WallTime t = sys_days{year{2026} / 11 / 26} + hours(20) + minutes(51) + seconds(3) + milliseconds(120);
  THEN("times are ISO-8601 UTC with milliseconds") {
    CHECK(formatUtcTime(t) == "2026-11-26T20:51:03.120Z");
    CHECK(formatUtcTime(sys_days{year{2026} / 1 / 2}) == "2026-01-02T00:00:00.000Z");
  }
  THEN("chat and chat-history") {
    const ChatMessageInfo message{"m12", {"p1", "Anna \"A\"", false}, ChatAudience::Moderators, "a\nb <i>", t};
    const auto o = parseObject(server::chat(message));
    CHECK(o->getValue<std::string>("type") == "chat");
    const auto m = o->getObject("message");
    CHECK(m->getValue<std::string>("id") == "m12");
    CHECK(m->getObject("from")->getValue<std::string>("participantId") == "p1");
    CHECK(m->getObject("from")->getValue<std::string>("name") == "Anna \"A\"");
    CHECK(m->getObject("from")->getValue<std::string>("role") == "guest");
    CHECK(m->getValue<std::string>("to") == "moderators");
    CHECK(m->getValue<std::string>("text") == "a\nb <i>");
    CHECK(m->getValue<std::string>("time") == "2026-11-26T20:51:03.120Z");
    const auto history = parseObject(server::chatHistory({message, message}));
    CHECK(history->getValue<std::string>("type") == "chat-history");
    CHECK(history->getArray("messages")->size() == 2);
  }
  THEN("chat-export") {
    const auto o = parseObject(server::chatExport(ExportFormat::Markdown, "chat-r-2026-11-26.md", "# x\n"));
    CHECK(o->getValue<std::string>("type") == "chat-export");
    CHECK(o->getValue<std::string>("format") == "markdown");
    CHECK(o->getValue<std::string>("filename") == "chat-r-2026-11-26.md");
    CHECK(o->getValue<std::string>("content") == "# x\n");
  }
  THEN("queue-updated") {
    const auto o = parseObject(server::queueUpdated({{"q7", "p1", "Anna", HandKind::PointOfOrder, t}}));
    CHECK(o->getValue<std::string>("type") == "queue-updated");
    const auto e = o->getArray("queue")->getObject(0);
    CHECK(e->getValue<std::string>("entryId") == "q7");
    CHECK(e->getValue<std::string>("participantId") == "p1");
    CHECK(e->getValue<std::string>("name") == "Anna");
    CHECK(e->getValue<std::string>("kind") == "point-of-order");
    CHECK(e->getValue<std::string>("raisedAt") == "2026-11-26T20:51:03.120Z");
  }
  THEN("floor-updated with and without a floor and a limit") {
    const auto none = parseObject(server::floorUpdated(std::nullopt, {0, false}));
    CHECK(none->getValue<std::string>("type") == "floor-updated");
    CHECK(none->has("floor"));
    CHECK(none->get("floor").isEmpty());
    CHECK(none->getObject("speakingTime")->getValue<int>("limitSeconds") == 0);
    const auto limited = parseObject(server::floorUpdated(FloorInfo{"p1", "Anna", t, 180u, 179950, true}, {180, true}));
    const auto f = limited->getObject("floor");
    CHECK(f->getValue<std::string>("participantId") == "p1");
    CHECK(f->getValue<std::string>("since") == "2026-11-26T20:51:03.120Z");
    CHECK(f->getValue<int>("limitSeconds") == 180);
    CHECK(f->getValue<int>("remainingMs") == 179950);
    CHECK(f->getValue<bool>("autoEnd"));
    CHECK(limited->getObject("speakingTime")->getValue<bool>("autoEnd"));
    const auto unlimited =
        parseObject(server::floorUpdated(FloorInfo{"p1", "Anna", t, std::nullopt, std::nullopt, false}, {0, false}));
    CHECK(unlimited->getObject("floor")->has("limitSeconds"));
    CHECK(unlimited->getObject("floor")->get("limitSeconds").isEmpty());
    CHECK(unlimited->getObject("floor")->get("remainingMs").isEmpty());
  }
  THEN("floor-time-up, layout-updated, active-speaker") {
    CHECK(parseObject(server::floorTimeUp("p1"))->getValue<std::string>("participantId") == "p1");
    CHECK(parseObject(server::layoutUpdated(plenum::mixer::Layout::Speaker))->getValue<std::string>("layout") == "speaker");
    CHECK(parseObject(server::layoutUpdated(plenum::mixer::Layout::Grid))->getValue<std::string>("layout") == "grid");
    CHECK(parseObject(server::activeSpeaker(std::string("p1")))->getValue<std::string>("participantId") == "p1");
    const auto nobody = parseObject(server::activeSpeaker(std::nullopt));
    CHECK(nobody->has("participantId"));
    CHECK(nobody->get("participantId").isEmpty());
  }
  THEN("too-fast carries retryAfter") {
    const auto o = parseObject(server::error({ErrorCode::TooFast, "slow down", 3}, false));
    CHECK(o->getValue<std::string>("code") == "too-fast");
    CHECK(o->getValue<int>("retryAfter") == 3);
    CHECK_FALSE(o->getValue<bool>("fatal"));
  }
}
