// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The SDP offer/answer of a phone call (RFC 3264), without sofia: the PBX's INVITE carries an
// offer; we take its first usable audio stream, pick one codec by our preference (G.722, then
// G.711 A-law, µ-law, Opus) and RFC 4733 telephone-events at the same clock rate, and answer
// with exactly that. The offer comes from the network (a PBX, or whoever reaches sip.port), so
// the parser is strict about sizes and numbers and never trusts a count or a port.
#include "mixer/PhoneMedia.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace plenum::appliance {

// One payload format of the offered audio stream (m= format list joined with a=rtpmap/a=fmtp).
struct PhoneFormat {
  unsigned payloadType = 0;  // 0-127
  std::string encoding;      // from a=rtpmap, as written ("PCMA", "opus", "telephone-event"); empty: none
  unsigned clockRate = 0;    // from a=rtpmap; 0: none
  unsigned channels = 1;     // from a=rtpmap (the optional third part)
  std::string fmtp;          // a=fmtp parameters, as written
};

// The caller's audio stream as offered.
struct PhoneOffer {
  std::string address;        // numeric, from c= (media level, else session level)
  bool ipv6 = false;          // c=IN IP6
  unsigned port = 0;          // 1-65535
  std::vector<PhoneFormat> formats;  // in the offer's order (its preference)
  std::optional<unsigned> ptimeMs;   // a=ptime, if given
  std::string direction = "sendrecv";  // sendrecv, sendonly, recvonly, inactive
};

// Limits on an offer (a PBX's offer is well under 2 KiB).
inline constexpr std::size_t kMaxOfferBytes = 16 * 1024;
inline constexpr std::size_t kMaxOfferLineBytes = 4 * 1024;
inline constexpr std::size_t kMaxOfferFormats = 64;

// Parses the caller's SDP offer: the first audio stream with a port, over RTP/AVP (or AVPF).
// nullopt and `why` (for the log; no addresses in it) when there is none that we could use: no
// audio m-line, only disabled ones (port 0), SRTP only, a port above 65535, no c= line or a
// host name in it, more than 64 formats, a line over 4 KiB, an offer over 16 KiB, bad syntax.
std::optional<PhoneOffer> parsePhoneOffer(const std::string& sdp, std::string& why);

// Our choice: the best codec of G722 > PCMA > PCMU > opus/48000/2 that the offer has (static
// payload types 9, 8, 0 also without a=rtpmap; dynamic ones need it), with the offer's
// telephone-event at the codec's clock rate if there is one. ptime is always 20 ms (what we
// send; our answer says so). nullopt when no codec is common (the call is refused with 488).
std::optional<mixer::PhoneRtp> choosePhoneRtp(const PhoneOffer& offer);

// Our answer to the offer `chosen` came from: one audio stream on localAddress:localPort with
// the chosen codec (and telephone-event 0-15), ptime, sendrecv. Lines end with CRLF.
// The direction of our answer to a (re-)offer, RFC 3264 6.1: sendonly -> recvonly, inactive ->
// inactive, recvonly -> sendonly, else sendrecv; a c= of 0.0.0.0 (RFC 2543's hold) counts as
// inactive. A hold is an answer of recvonly or inactive.
std::string answerDirection(const PhoneOffer& offer);
bool holds(const PhoneOffer& offer);
// `answer` (phoneAnswer's) with another direction and session version (RFC 3264 8: a changed
// SDP carries a higher o= version, an unchanged one the same).
std::string withDirection(const std::string& answer, const std::string& direction, unsigned version);

std::string phoneAnswer(const mixer::PhoneRtp& chosen, const std::string& localAddress, unsigned localPort,
                        std::uint64_t sessionId);

}  // namespace plenum::appliance
