// SPDX-License-Identifier: EUPL-1.2
// libFuzzer harness: the checks on what a browser sends before it reaches webrtcbin
// (mixer/SdpValidator.hpp). Input: one selector byte, then the text.
//   'c'        -> checkIceCandidate(text)
//   otherwise  -> checkSdpAnswer(text, selector & 3): '2' is the real case (audio + video)
// An accepted answer must also be what WebRtcEndpoint::setRemoteAnswer hands on: it parses the
// text again with gst_sdp_message_new_from_text (up to the first NUL), and that parse must
// pass the same checks.
#include "FuzzCheck.hpp"
#include "mixer/SdpValidator.hpp"

#include <gst/sdp/sdp.h>

#include <cstddef>
#include <cstdint>
#include <string>

using plenum::mixer::checkIceCandidate;
using plenum::mixer::checkSdpAnswer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const char selector = static_cast<char>(data[0]);
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (selector == 'c') {
    if (!checkIceCandidate(text) && !text.empty()) {
      FUZZ_CHECK(text.size() <= 512);
      FUZZ_CHECK(text.rfind("candidate:", 0) == 0 || text.rfind("a=candidate:", 0) == 0);
      FUZZ_CHECK(text.find('\0') == std::string::npos);
    }
    return 0;
  }
  const unsigned mediaCount = static_cast<unsigned>(selector) & 3u;
  if (checkSdpAnswer(text, mediaCount)) return 0;
  // Accepted: what webrtcbin gets must be the same answer.
  GstSDPMessage* sdp = nullptr;
  FUZZ_CHECK(gst_sdp_message_new_from_text(text.c_str(), &sdp) == GST_SDP_OK);
  FUZZ_CHECK(gst_sdp_message_medias_len(sdp) == mediaCount);
  gst_sdp_message_free(sdp);
  FUZZ_CHECK(!checkSdpAnswer(std::string(text.c_str()), mediaCount));
  return 0;
}
