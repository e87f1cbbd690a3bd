// SPDX-License-Identifier: EUPL-1.2
#include "appliance/PhoneNumber.hpp"
#include "appliance/SdpNegotiation.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace plenum::appliance;
using plenum::mixer::PhoneCodec;

namespace {

// An offer with one audio m-line holding `formats` and the given attribute lines.
std::string offer(const std::string& formats, const std::string& attributes, const std::string& connection = "c=IN IP4 192.0.2.10\r\n") {
  return "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\n" + connection + "t=0 0\r\nm=audio 10000 RTP/AVP " + formats +
         "\r\n" + attributes;
}

std::optional<PhoneOffer> parse(const std::string& sdp) {
  std::string why;
  auto parsed = parsePhoneOffer(sdp, why);
  if (!parsed) INFO(why);
  return parsed;
}

std::string refusal(const std::string& sdp) {
  std::string why;
  auto parsed = parsePhoneOffer(sdp, why);
  REQUIRE_FALSE(parsed);
  REQUIRE_FALSE(why.empty());
  return why;
}

// What Asterisk 18 offers (chan_pjsip, allow=g722,alaw,ulaw).
const char* const kAsterisk =
    "v=0\r\n"
    "o=- 1254315446 1254315446 IN IP4 10.0.0.5\r\n"
    "s=Asterisk\r\n"
    "c=IN IP4 10.0.0.5\r\n"
    "t=0 0\r\n"
    "m=audio 14034 RTP/AVP 9 8 0 101\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=maxptime:150\r\n"
    "a=sendrecv\r\n";

// What FreeSWITCH offers with opus first.
const char* const kFreeSwitch =
    "v=0\n"
    "o=FreeSWITCH 1700000000 1700000001 IN IP4 10.0.0.6\n"
    "s=FreeSWITCH\n"
    "c=IN IP4 10.0.0.6\n"
    "t=0 0\n"
    "m=audio 25436 RTP/AVP 102 0 8 101 13\n"
    "a=rtpmap:102 opus/48000/2\n"
    "a=fmtp:102 useinbandfec=1; maxplaybackrate=48000\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-15\n"
    "a=rtpmap:13 CN/8000\n"
    "a=ptime:20\n";

}  // namespace

TEST_CASE("a real PBX offer is parsed", "[sdp][phone]") {
  const auto parsed = parse(kAsterisk);
  REQUIRE(parsed);
  CHECK(parsed->address == "10.0.0.5");
  CHECK_FALSE(parsed->ipv6);
  CHECK(parsed->port == 14034);
  REQUIRE(parsed->formats.size() == 4);
  CHECK(parsed->formats[0].payloadType == 9);
  CHECK(parsed->formats[0].encoding == "G722");
  CHECK(parsed->formats[3].encoding == "telephone-event");
  CHECK(parsed->formats[3].fmtp == "0-16");
  CHECK(parsed->ptimeMs == 20u);
  CHECK(parsed->direction == "sendrecv");
}

TEST_CASE("the codec is chosen by our preference, not the offer's order", "[sdp][phone]") {
  struct Case {
    std::string formats;
    std::string attributes;
    PhoneCodec codec;
    unsigned payloadType;
  };
  const std::vector<Case> cases = {
      {"0 8 9", "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:9 G722/8000\r\n", PhoneCodec::G722, 9},
      {"0 8", "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n", PhoneCodec::PCMA, 8},
      {"0", "a=rtpmap:0 PCMU/8000\r\n", PhoneCodec::PCMU, 0},
      {"111 0", "a=rtpmap:111 opus/48000/2\r\n", PhoneCodec::PCMU, 0},
      {"111", "a=rtpmap:111 opus/48000/2\r\n", PhoneCodec::Opus, 111},
      {"96 8", "a=rtpmap:96 g722/8000\r\n", PhoneCodec::G722, 96},  // a dynamic PT for G.722, any case
  };
  for (const auto& c : cases) {
    INFO(c.formats);
    const auto parsed = parse(offer(c.formats, c.attributes));
    REQUIRE(parsed);
    const auto rtp = choosePhoneRtp(*parsed);
    REQUIRE(rtp);
    CHECK(rtp->codec == c.codec);
    CHECK(rtp->payloadType == c.payloadType);
    CHECK(rtp->remoteAddress == "192.0.2.10");
    CHECK(rtp->remotePort == 10000);
    CHECK(rtp->ptimeMs == 20);
  }
}

TEST_CASE("static payload types need no rtpmap; dynamic ones do", "[sdp][phone]") {
  SECTION("9 8 0 without a=rtpmap") {
    const auto rtp = choosePhoneRtp(*parse(offer("0 8 9", "")));
    REQUIRE(rtp);
    CHECK(rtp->codec == PhoneCodec::G722);
  }
  SECTION("8 only") {
    const auto rtp = choosePhoneRtp(*parse(offer("8", "")));
    REQUIRE(rtp);
    CHECK(rtp->codec == PhoneCodec::PCMA);
  }
  SECTION("a dynamic type without rtpmap is unknown") { CHECK_FALSE(choosePhoneRtp(*parse(offer("111", "")))); }
  SECTION("an rtpmap overrides the static meaning") {
    CHECK_FALSE(choosePhoneRtp(*parse(offer("8", "a=rtpmap:8 GSM/8000\r\n"))));
  }
}

TEST_CASE("Opus needs 48000/2", "[sdp][phone]") {
  CHECK_FALSE(choosePhoneRtp(*parse(offer("111", "a=rtpmap:111 opus/48000\r\n"))));
  CHECK_FALSE(choosePhoneRtp(*parse(offer("111", "a=rtpmap:111 opus/16000/2\r\n"))));
  const auto rtp = choosePhoneRtp(*parse(offer("111 101 100",
                                               "a=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
                                               "a=rtpmap:100 telephone-event/48000\r\n")));
  REQUIRE(rtp);
  CHECK(rtp->codec == PhoneCodec::Opus);
  CHECK(rtp->dtmfPayloadType == 100u);  // the one at Opus' clock rate
}

TEST_CASE("telephone-event is taken at the codec's clock rate, if offered", "[sdp][phone]") {
  SECTION("present") {
    const auto rtp = choosePhoneRtp(*parse(kAsterisk));
    REQUIRE(rtp);
    CHECK(rtp->codec == PhoneCodec::G722);
    CHECK(rtp->dtmfPayloadType == 101u);
  }
  SECTION("absent") {
    const auto rtp = choosePhoneRtp(*parse(offer("8", "")));
    REQUIRE(rtp);
    CHECK_FALSE(rtp->dtmfPayloadType);
  }
  SECTION("only at another rate") {
    const auto rtp = choosePhoneRtp(*parse(offer("8 100", "a=rtpmap:100 telephone-event/48000\r\n")));
    REQUIRE(rtp);
    CHECK_FALSE(rtp->dtmfPayloadType);
  }
  SECTION("FreeSWITCH with opus first: G.711 A-law and DTMF at 8000") {
    const auto rtp = choosePhoneRtp(*parse(kFreeSwitch));
    REQUIRE(rtp);
    CHECK(rtp->codec == PhoneCodec::PCMA);
    CHECK(rtp->payloadType == 8);
    CHECK(rtp->dtmfPayloadType == 101u);
    CHECK(rtp->remoteAddress == "10.0.0.6");
    CHECK(rtp->remotePort == 25436);
  }
}

TEST_CASE("no common codec: nothing is chosen", "[sdp][phone]") {
  CHECK_FALSE(choosePhoneRtp(*parse(offer("3 18", "a=rtpmap:3 GSM/8000\r\na=rtpmap:18 G729/8000\r\n"))));
  CHECK_FALSE(choosePhoneRtp(*parse(offer("101", "a=rtpmap:101 telephone-event/8000\r\n"))));
}

TEST_CASE("media-level c= wins; IPv6 works; the first audio stream with a port is taken", "[sdp][phone]") {
  const auto parsed = parse(
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      "m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
      "m=audio 0 RTP/AVP 8\r\n"
      "m=audio 6000 RTP/AVP 8\r\nc=IN IP6 2001:db8::7\r\na=sendonly\r\n");
  REQUIRE(parsed);
  CHECK(parsed->address == "2001:db8::7");
  CHECK(parsed->ipv6);
  CHECK(parsed->port == 6000);
  CHECK(parsed->direction == "sendonly");
}

TEST_CASE("unusable or absurd offers are refused with a reason", "[sdp][phone]") {
  CHECK(refusal("").find("no SDP") != std::string::npos);
  CHECK(refusal("v=0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\n").find("no audio") !=
        std::string::npos);
  CHECK(refusal(offer("8", "", "")).find("no c= line") != std::string::npos);
  CHECK(refusal(offer("8", "", "c=IN IP4 pbx.example\r\n")).find("numeric") != std::string::npos);
  CHECK(refusal(offer("8", "", "c=IN IP4 999.1.1.1\r\n")).find("numeric") != std::string::npos);
  CHECK(refusal("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 0 RTP/AVP 8\r\n").find("port 0") != std::string::npos);
  CHECK(refusal("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 70000 RTP/AVP 8\r\n").find("port") != std::string::npos);
  CHECK(refusal("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio -1 RTP/AVP 8\r\n").find("port") != std::string::npos);
  CHECK(refusal("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/SAVP 8\r\n").find("SRTP") != std::string::npos);
  CHECK(refusal("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 300\r\n").find("payload") != std::string::npos);
  CHECK(refusal("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP\r\n").find("no formats") != std::string::npos);
  CHECK(refusal(offer("8", "a=rtpmap:8 PCMA\r\n")).find("rtpmap") != std::string::npos);
  CHECK(refusal(offer("8", "a=rtpmap:8 PCMA/0\r\n")).find("rtpmap") != std::string::npos);
  CHECK(refusal("c=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 8\r\n").find("v=0") != std::string::npos);
  CHECK(refusal("v=0\r\nthis is not sdp\r\n").find("letter") != std::string::npos);

  std::string many;
  for (int i = 0; i < 65; ++i) many += std::to_string(i % 128) + " ";
  CHECK(refusal(offer(many, "")).find("64") != std::string::npos);
  CHECK(refusal(offer("8", "a=x:" + std::string(5000, 'x') + "\r\n")).find("4 KiB") != std::string::npos);
  std::string big = offer("8", "");
  while (big.size() <= kMaxOfferBytes) big += "a=x:" + std::string(1000, 'y') + "\r\n";
  CHECK(refusal(big).find("16 KiB") != std::string::npos);
}

TEST_CASE("our answer names exactly the choice", "[sdp][phone]") {
  plenum::mixer::PhoneRtp rtp;
  rtp.codec = PhoneCodec::G722;
  rtp.payloadType = 9;
  rtp.dtmfPayloadType = 101;
  CHECK(phoneAnswer(rtp, "192.0.2.99", 41000, 42) ==
        "v=0\r\n"
        "o=plenum 42 1 IN IP4 192.0.2.99\r\n"
        "s=Plenum\r\n"
        "c=IN IP4 192.0.2.99\r\n"
        "t=0 0\r\n"
        "m=audio 41000 RTP/AVP 9 101\r\n"
        "a=rtpmap:9 G722/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-15\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n");

  rtp.codec = PhoneCodec::Opus;
  rtp.payloadType = 111;
  rtp.dtmfPayloadType.reset();
  const std::string opus = phoneAnswer(rtp, "2001:db8::1", 41002, 7);
  CHECK(opus.find("c=IN IP6 2001:db8::1\r\n") != std::string::npos);
  CHECK(opus.find("m=audio 41002 RTP/AVP 111\r\n") != std::string::npos);
  CHECK(opus.find("a=rtpmap:111 opus/48000/2\r\n") != std::string::npos);
  CHECK(opus.find("telephone-event") == std::string::npos);

  // The answer is itself an offer we would take, with the same choice.
  std::string why;
  const auto again = parsePhoneOffer(phoneAnswer(*choosePhoneRtp(*parse(kAsterisk)), "192.0.2.99", 41000, 1), why);
  REQUIRE(again);
  const auto rtp2 = choosePhoneRtp(*again);
  REQUIRE(rtp2);
  CHECK(rtp2->codec == PhoneCodec::G722);
  CHECK(rtp2->dtmfPayloadType == 101u);
  CHECK(rtp2->remotePort == 41000);
}

TEST_CASE("numbers are masked to their last four digits", "[phone]") {
  CHECK(maskNumber("+4930123456") == "\u20263456");
  CHECK(maskNumber("12") == "\u202612");
  CHECK(maskNumber("anonymous") == "\u2026");
  CHECK(maskNumber("") == "\u2026");
}

TEST_CASE("a hold is answered in the matching direction, with a new version only when it changes", "[sdp][phone]") {
  const std::string offer = kAsterisk;
  std::string why;
  const auto parsed = parsePhoneOffer(offer, why);
  REQUIRE(parsed);
  CHECK(answerDirection(*parsed) == "sendrecv");
  CHECK_FALSE(holds(*parsed));

  auto withLine = [&](const std::string& line) {
    std::string held = offer;
    held.replace(held.find("a=sendrecv"), std::strlen("a=sendrecv"), line);
    return parsePhoneOffer(held, why);
  };
  const auto sendonly = withLine("a=sendonly");
  REQUIRE(sendonly);
  CHECK(answerDirection(*sendonly) == "recvonly");
  CHECK(holds(*sendonly));
  const auto inactive = withLine("a=inactive");
  REQUIRE(inactive);
  CHECK(answerDirection(*inactive) == "inactive");
  CHECK(holds(*inactive));

  plenum::mixer::PhoneRtp rtp;
  rtp.codec = plenum::mixer::PhoneCodec::G722;
  rtp.payloadType = 9;
  const std::string answer = phoneAnswer(rtp, "192.0.2.10", 41000, 77);
  const std::string heldAnswer = withDirection(answer, "recvonly", 2);
  CHECK(heldAnswer.find("a=recvonly\r\n") != std::string::npos);
  CHECK(heldAnswer.find("a=sendrecv") == std::string::npos);
  CHECK(heldAnswer.find("o=plenum 77 2 IN IP4 192.0.2.10\r\n") != std::string::npos);
  CHECK(answer.find("o=plenum 77 1 IN IP4 192.0.2.10\r\n") != std::string::npos);
}
