// SPDX-License-Identifier: EUPL-1.2
// libFuzzer harness: phone dial-in's SDP negotiation (appliance/SdpNegotiation.hpp), which reads
// what reaches sip.port from a PBX. Input: an SDP offer. parsePhoneOffer, then choosePhoneRtp
// and phoneAnswer. Besides not crashing:
//   - a parsed offer keeps the limits (a port of 1-65535, at most 64 formats, payload types
//     0-127, a numeric address) and came from an input within the size limit;
//   - a chosen codec is one of the offered payload types, its DTMF type another offered one;
//   - our answer is itself an offer we take, with the same codec and payload types (what a
//     PBX that re-offers our answer back would get).
#include "FuzzCheck.hpp"
#include "appliance/SdpNegotiation.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

using namespace plenum::appliance;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string why;
  const auto offer = parsePhoneOffer(text, why);
  if (!offer) {
    FUZZ_CHECK(!why.empty());
    return 0;
  }
  FUZZ_CHECK(text.size() <= kMaxOfferBytes);
  FUZZ_CHECK(offer->port >= 1 && offer->port <= 65535);
  FUZZ_CHECK(!offer->formats.empty() && offer->formats.size() <= kMaxOfferFormats);
  FUZZ_CHECK(!offer->address.empty() && offer->address.find_first_of(" \r\n") == std::string::npos);
  for (const auto& format : offer->formats) FUZZ_CHECK(format.payloadType <= 127);

  const auto rtp = choosePhoneRtp(*offer);
  if (!rtp) return 0;
  const auto offered = [&](unsigned pt) {
    return std::any_of(offer->formats.begin(), offer->formats.end(),
                       [pt](const PhoneFormat& f) { return f.payloadType == pt; });
  };
  FUZZ_CHECK(offered(rtp->payloadType));
  FUZZ_CHECK(!rtp->dtmfPayloadType || (offered(*rtp->dtmfPayloadType) && *rtp->dtmfPayloadType != rtp->payloadType));
  FUZZ_CHECK(rtp->remotePort == offer->port && rtp->remoteAddress == offer->address);

  const std::string address = offer->ipv6 ? "2001:db8::1" : "192.0.2.1";
  const std::string answer = phoneAnswer(*rtp, address, 41000, 1);
  std::string again;
  const auto reparsed = parsePhoneOffer(answer, again);
  FUZZ_CHECK(reparsed);
  const auto rtp2 = choosePhoneRtp(*reparsed);
  FUZZ_CHECK(rtp2);
  FUZZ_CHECK(rtp2->codec == rtp->codec && rtp2->payloadType == rtp->payloadType);
  FUZZ_CHECK(rtp2->dtmfPayloadType == rtp->dtmfPayloadType);
  FUZZ_CHECK(rtp2->remotePort == 41000 && rtp2->remoteAddress == address);
  return 0;
}
