// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/SdpValidator: the checks on a browser's SDP answer and ICE candidates before
// they reach webrtcbin.
#include "mixer/SdpValidator.hpp"

#include <catch2/catch.hpp>

#include <string>

using plenum::mixer::checkCandidateAddress;
using plenum::mixer::checkIceCandidate;
using plenum::mixer::checkSdpAnswer;

namespace {

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// Removes every line that starts with `prefix` (CRLF line ends).
std::string withoutLines(const std::string& sdp, const std::string& prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < sdp.size()) {
    std::size_t end = sdp.find("\r\n", start);
    end = end == std::string::npos ? sdp.size() : end + 2;
    const std::string line = sdp.substr(start, end - start);
    if (line.rfind(prefix, 0) != 0) out += line;
    start = end;
  }
  return out;
}

// What Chrome answers to plenumd's offer (one audio and one video m-line, bundled).
const std::string kAudioSection =
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Xn3C\r\n"
    "a=ice-pwd:5oZGB8OYi7Tbz6m3sKZP2KOG\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:"
    "B9:B1:3F:82:18:3B:54:02:12:DF\r\n"
    "a=setup:active\r\n"
    "a=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=sendrecv\r\n"
    "a=msid:- 9a3b0c1d-8e2f-4a5b-9c6d-7e8f9a0b1c2d\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:13 CN/8000\r\n"
    "a=rtpmap:110 telephone-event/48000\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:2718281828 cname:4TOk42mSjXCkVIa6\r\n";

const std::string kVideoSection =
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Xn3C\r\n"
    "a=ice-pwd:5oZGB8OYi7Tbz6m3sKZP2KOG\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:"
    "B9:B1:3F:82:18:3B:54:02:12:DF\r\n"
    "a=setup:active\r\n"
    "a=mid:1\r\n"
    "a=extmap:2 urn:ietf:params:rtp-hdrext:toffset\r\n"
    "a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=sendrecv\r\n"
    "a=msid:- 1f2e3d4c-5b6a-4978-8877-665544332211\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=ssrc-group:FID 3141592653 1618033988\r\n"
    "a=ssrc:3141592653 cname:4TOk42mSjXCkVIa6\r\n"
    "a=ssrc:1618033988 cname:4TOk42mSjXCkVIa6\r\n";

const std::string kSessionHeader =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS\r\n";

const std::string kChromeAnswer = kSessionHeader + kAudioSection + kVideoSection;

// Firefox style: the fingerprint (and here the ICE credentials) at session level only.
const std::string kSessionLevelAnswer =
    "v=0\r\n"
    "o=mozilla...THIS_IS_SDPARTA-99.0 3503475208476093183 0 IN IP4 0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=fingerprint:sha-256 12:7A:29:6C:0F:1B:6E:A1:CB:A4:43:0F:9F:35:3C:9C:58:1E:23:31:2B:6B:"
    "06:56:55:0A:A9:F2:7C:3A:E3:8E\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=ice-options:trickle\r\n"
    "a=ice-ufrag:2f0e6b8c\r\n"
    "a=ice-pwd:b7d3f1e0a9c8d7e6f5a4b3c2d1e0f9a8\r\n"
    "a=msid-semantic:WMS *\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 109\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=sendrecv\r\n"
    "a=mid:0\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:109 opus/48000/2\r\n"
    "a=setup:active\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 120\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=sendrecv\r\n"
    "a=mid:1\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:120 VP8/90000\r\n"
    "a=setup:active\r\n";

}  // namespace

SCENARIO("Plausible SDP answers are accepted", "[mixer][SdpValidator]") {
  const auto [name, sdp, mediaCount] = GENERATE_REF(table<const char*, std::string, unsigned>({
      {"Chrome's answer", kChromeAnswer, 2},
      {"Chrome's answer with LF line ends", replaceAll(kChromeAnswer, "\r\n", "\n"), 2},
      {"Chrome's answer without the final line end", kChromeAnswer.substr(0, kChromeAnswer.size() - 2), 2},
      {"credentials and fingerprint at session level", kSessionLevelAnswer, 2},
      {"an audio-only answer to an audio-only offer", kSessionHeader + kAudioSection, 1},
      {"a rejected video m-line (port 0) still counts", kSessionHeader + kAudioSection +
                                                            replaceAll(kVideoSection, "m=video 9", "m=video 0"),
       2},
  }));
  CAPTURE(name);
  const auto problem = checkSdpAnswer(sdp, mediaCount);
  CAPTURE(problem.value_or("(none)"));
  CHECK_FALSE(problem.has_value());
}

SCENARIO("Implausible SDP answers are refused with a reason", "[mixer][SdpValidator]") {
  // name, sdp, m-lines expected, a word the reason must contain
  const auto [name, sdp, mediaCount, reason] = GENERATE_REF(table<const char*, std::string, unsigned, std::string>({
      {"empty", "", 2, "empty"},
      {"garbage", "hello, I am not an SDP", 2, "v=0"},
      {"JSON instead of SDP", R"({"type":"answer","sdp":"v=0"})", 2, "v=0"},
      {"a line end before v=0", "\r\n" + kChromeAnswer, 2, "v=0"},
      {"v=1", replaceAll(kChromeAnswer, "v=0\r\n", "v=1\r\n"), 2, "v=0"},
      {"v=0 and garbage", "v=0\r\nthis is not SDP at all\r\n", 2, "m-lines"},
      {"only v=0", "v=0", 2, "m-lines"},
      {"one m-line too few", kSessionHeader + kAudioSection, 2, "m-lines"},
      {"one m-line too many", kChromeAnswer + kVideoSection, 2, "m-lines"},
      {"two m-lines for one", kChromeAnswer, 1, "m-lines"},
      {"no fingerprint anywhere", withoutLines(kChromeAnswer, "a=fingerprint:"), 2, "fingerprint"},
      {"no fingerprint on the video m-line", kSessionHeader + kAudioSection + withoutLines(kVideoSection, "a=fingerprint:"),
       2, "fingerprint"},
      {"no ice-ufrag", withoutLines(kChromeAnswer, "a=ice-ufrag:"), 2, "ICE"},
      {"no ice-pwd", withoutLines(kChromeAnswer, "a=ice-pwd:"), 2, "ICE"},
      {"no ice-pwd on the audio m-line", kSessionHeader + withoutLines(kAudioSection, "a=ice-pwd:") + kVideoSection, 2,
       "ICE"},
      {"no ICE credentials at all",
       withoutLines(withoutLines(kChromeAnswer, "a=ice-ufrag:"), "a=ice-pwd:"), 2, "ICE"},
      {"session-level answer without fingerprint", withoutLines(kSessionLevelAnswer, "a=fingerprint:"), 2,
       "fingerprint"},
  }));
  CAPTURE(name);
  const auto problem = checkSdpAnswer(sdp, mediaCount);
  REQUIRE(problem.has_value());
  CAPTURE(*problem);
  CHECK_THAT(*problem, Catch::Matchers::Contains(reason));
}

SCENARIO("SDP answers with unusable m-lines are refused", "[mixer][SdpValidator]") {
  // The checks for "no media type" and "no formats" never fire: GStreamer's SDP parser turns
  // "m=" into a medium named "" with one empty format, and "m=audio 9 UDP/TLS/RTP/SAVPF" into
  // one with one empty format. See the report to the lead.
  const auto [name, sdp] = GENERATE_REF(table<const char*, std::string>({
      {"an m-line without formats",
       kSessionHeader + kAudioSection +
           replaceAll(kVideoSection, "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "m=video 9 UDP/TLS/RTP/SAVPF")},
      {"an empty m-line", kSessionHeader + kAudioSection + replaceAll(kVideoSection, "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "m=")},
  }));
  CAPTURE(name);
  CHECK(checkSdpAnswer(sdp, 2).has_value());
}

SCENARIO("Well-formed ICE candidates are accepted", "[mixer][SdpValidator]") {
  // A valid candidate of exactly 512 characters (the limit).
  std::string longest = "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host generation 0 ufrag ";
  longest += std::string(512 - longest.size(), 'u');

  const auto candidate = GENERATE_REF(as<std::string>{},
      // Chrome
      "candidate:3442447574 1 udp 2122260223 192.168.1.2 54321 typ host generation 0 ufrag Xn3C network-id 1 "
      "network-cost 10",
      "candidate:842163049 1 udp 1677729535 203.0.113.5 54321 typ srflx raddr 192.168.1.2 rport 54321 "
      "generation 0 ufrag Xn3C network-id 1 network-cost 10",
      "candidate:1234567890 1 udp 41885439 198.51.100.7 3478 typ relay raddr 203.0.113.5 rport 54321 "
      "generation 0 ufrag Xn3C network-id 1",
      "candidate:2362409660 1 tcp 1518280447 192.168.1.2 9 typ host tcptype active generation 0 ufrag Xn3C "
      "network-id 1",
      "candidate:2362409661 1 tcp 1518280447 192.168.1.2 50000 typ host tcptype passive generation 0",
      "candidate:2362409662 1 tcp 1518280447 192.168.1.2 50001 typ host tcptype so generation 0",
      "candidate:1111111111 1 tcp 25108223 198.51.100.7 443 typ relay raddr 203.0.113.5 rport 54321 "
      "generation 0",
      "candidate:2999745851 1 udp 2122262783 2001:db8::1 54322 typ host generation 0 ufrag Xn3C network-id 2",
      "candidate:2999745852 1 udp 2122262783 fe80::1ff:fe23:4567:890a 54323 typ host generation 0",
      "candidate:3000000000 1 udp 1686052607 2001:db8:85a3::8a2e:370:7334 54324 typ srflx raddr :: rport 0 "
      "generation 0",
      // mDNS host candidates hide the local address behind a .local name
      "candidate:1840965416 1 udp 2113937151 6f3c2f7e-2d0a-4d0b-9e3a-8b5f2a1c4d6e.local 54325 typ host "
      "generation 0 ufrag Xn3C network-cost 999",
      "candidate:1840965417 1 tcp 1518280447 6f3c2f7e-2d0a-4d0b-9e3a-8b5f2a1c4d6e.local 9 typ host tcptype "
      "active generation 0",
      // Firefox
      "candidate:0 1 UDP 2122252543 192.168.1.2 54321 typ host",
      "candidate:1 1 UDP 1686052863 203.0.113.5 54321 typ srflx raddr 192.168.1.2 rport 54321",
      "candidate:2 1 TCP 2105524479 192.168.1.2 9 typ host tcptype active",
      "candidate:3 1 UDP 92217343 198.51.100.7 60000 typ relay raddr 198.51.100.7 rport 60000",
      // other types, components and edge values
      "candidate:4 1 udp 1845501695 203.0.113.9 40000 typ prflx raddr 0.0.0.0 rport 0",
      "candidate:5 2 udp 2122260222 192.168.1.2 54322 typ host",
      "candidate:6 256 udp 1 192.168.1.2 1 typ host",
      "candidate:7 1 udp 4294967295 192.168.1.2 65535 typ host",
      "candidate:abcdefghijklmnopqrstuvwxyz012345 1 udp 1 192.168.1.2 5000 typ host",  // 32-character foundation
      "candidate:8 1 udp 2122260223 192.168.1.2 54321 typ host",                        // only the 8 fields
      "candidate:9  1   udp 2122260223  192.168.1.2 54321 typ  host ",                   // extra spaces
      // with the SDP attribute prefix
      "a=candidate:3442447574 1 udp 2122260223 192.168.1.2 54321 typ host generation 0",
      // end of candidates
      "",
      longest);
  CAPTURE(candidate, candidate.size());
  const auto problem = checkIceCandidate(candidate);
  CAPTURE(problem.value_or("(none)"));
  CHECK_FALSE(problem.has_value());
}

SCENARIO("Malformed ICE candidates are refused with a reason", "[mixer][SdpValidator]") {
  const std::string valid = "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host generation 0";
  std::string tooLong = valid + " ufrag ";
  tooLong += std::string(513 - tooLong.size(), 'u');

  // candidate, a word the reason must contain
  const auto [candidate, reason] = GENERATE_REF(table<std::string, std::string>({
      {"garbage", "candidate:"},
      {"hello world, this is not a candidate at all", "candidate:"},
      {"1 1 udp 2122260223 192.168.1.2 54321 typ host", "candidate:"},
      {"a=cand:1 1 udp 2122260223 192.168.1.2 54321 typ host", "candidate:"},
      {"candidate 1 1 udp 2122260223 192.168.1.2 54321 typ host", "candidate:"},
      {" candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host", "candidate:"},
      {"CANDIDATE:1 1 udp 2122260223 192.168.1.2 54321 typ host", "candidate:"},
      {"candidate:", "fewer than 8"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ", "fewer than 8"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 host", "fewer than 8"},
      // too long, control and non-ASCII characters
      {tooLong, "512"},
      {valid + "\r\n", "control"},
      {valid + "\n", "control"},
      {"candidate:1 1 udp 2122260223\t192.168.1.2 54321 typ host", "control"},
      {valid + std::string(1, '\0'), "control"},
      {"candidate:1 1 udp 2122260223 192.168.1.2" + std::string(1, '\0') + " 54321 typ host", "control"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host\x01", "control"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host\x7f", "control"},
      {"candidate:1 1 udp 2122260223 r\xc3\xa4ksm\xc3\xb6rg\xc3\xa5s.local 54321 typ host", "non-ASCII"},
      // fields
      {"candidate:abcdefghijklmnopqrstuvwxyz0123456 1 udp 1 192.168.1.2 5000 typ host", "foundation"},
      {"candidate:1 0 udp 2122260223 192.168.1.2 54321 typ host", "component"},
      {"candidate:1 257 udp 2122260223 192.168.1.2 54321 typ host", "component"},
      {"candidate:1 1000 udp 2122260223 192.168.1.2 54321 typ host", "component"},
      {"candidate:1 x udp 2122260223 192.168.1.2 54321 typ host", "component"},
      {"candidate:1 -1 udp 2122260223 192.168.1.2 54321 typ host", "component"},
      {"candidate:1 1 sctp 2122260223 192.168.1.2 54321 typ host", "transport"},
      {"candidate:1 1 tls 2122260223 192.168.1.2 54321 typ host", "transport"},
      {"candidate:1 1 udp high 192.168.1.2 54321 typ host", "priority"},
      {"candidate:1 1 udp -5 192.168.1.2 54321 typ host", "priority"},
      {"candidate:1 1 udp 12345678901 192.168.1.2 54321 typ host", "priority"},
      {"candidate:1 1 udp 2122260223 <script> 54321 typ host", "address"},
      {"candidate:1 1 udp 2122260223 192.168.1.2/24 54321 typ host", "address"},
      {"candidate:1 1 udp 2122260223 host_name 54321 typ host", "address"},
      {"candidate:1 1 udp 2122260223 " + std::string(256, 'a') + " 54321 typ host", "address"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 65536 typ host", "port"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 99999 typ host", "port"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 123456 typ host", "port"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 -1 typ host", "port"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 http typ host", "port"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 1e3 typ host", "port"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 type host", "typ"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 TYP host", "typ"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 host typ generation 0", "typ"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ local", "type"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ HOST", "type"},
      {"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ relayed generation 0", "type"},
  }));
  CAPTURE(candidate);
  const auto problem = checkIceCandidate(candidate);
  REQUIRE(problem.has_value());
  CAPTURE(*problem);
  CHECK_THAT(*problem, Catch::Matchers::Contains(reason));
}

SCENARIO("Candidates that would make the server contact itself or no one are refused", "[mixer][SdpValidator]") {
  const auto [address, reason] = GENERATE(table<std::string, std::string>({
      {"127.0.0.1", "loopback"},
      {"127.8.9.10", "loopback"},
      {"::1", "loopback"},
      {"::ffff:127.0.0.1", "loopback"},
      {"0.0.0.0", "unspecified"},
      {"::", "unspecified"},
      {"224.0.0.251", "multicast"},
      {"255.255.255.255", "broadcast"},
      {"ff02::1", "multicast"},
      {"localhost", "host names"},
      {"intranet.example.org", "host names"},
  }));
  const std::string candidate = "candidate:1 1 udp 2122260223 " + address + " 54321 typ host";
  CAPTURE(candidate);
  const auto problem = checkIceCandidate(candidate);
  REQUIRE(problem.has_value());
  CHECK_THAT(*problem, Catch::Matchers::Contains(reason));
}

SCENARIO("Private, link-local, public and mDNS candidates pass; loopback only when allowed", "[mixer][SdpValidator]") {
  for (const char* address : {"10.1.2.3", "172.16.0.5", "192.168.178.20", "169.254.10.1", "203.0.113.7",
                              "2001:db8::5", "fe80::1", "4a1b2c3d-1111-2222-3333-444455556666.local"}) {
    CAPTURE(address);
    CHECK_FALSE(checkCandidateAddress(address, false).has_value());
  }
  CHECK_FALSE(checkCandidateAddress("127.0.0.1", true).has_value());
  CHECK_FALSE(checkCandidateAddress("::1", true).has_value());
  CHECK(checkCandidateAddress("0.0.0.0", true).has_value());  // allowing loopback allows nothing else
}
