// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Checks on what a browser sends before it reaches webrtcbin: a remote SDP answer and trickled
// ICE candidates. webrtcbin is forgiving (and in places asserts) on malformed input, so the
// network's words are checked here, with a reason a developer can act on.
#include <optional>
#include <string>

namespace plenum::mixer {

// nullopt when `sdp` is a plausible answer to our offer with `mediaCount` m-lines: it parses,
// has that many m-lines, ICE credentials and a DTLS fingerprint; otherwise the reason.
std::optional<std::string> checkSdpAnswer(const std::string& sdp, unsigned mediaCount);

// nullopt when `candidate` is an RFC 8839 candidate attribute ("candidate:..." with
// foundation, component, transport, priority, address, port, "typ", type), or empty (the end
// of candidates); otherwise the reason.
std::optional<std::string> checkIceCandidate(const std::string& candidate);

}  // namespace plenum::mixer
