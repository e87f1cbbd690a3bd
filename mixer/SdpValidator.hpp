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
// of candidates), and names an address the server may contact (checkCandidateAddress);
// otherwise the reason.
std::optional<std::string> checkIceCandidate(const std::string& candidate, bool allowLoopback = false);

// nullopt when the server may send ICE checks to `address` from a client's candidate. Refused:
// the server's own loopback (unless `allowLoopback`: tests and benchmarks on one machine), the
// unspecified, multicast and broadcast addresses, and host names other than mDNS ".local"
// names (a name such as "localhost" could lead to the server itself). Private and link-local
// addresses are allowed: clients on the city's own network have them.
std::optional<std::string> checkCandidateAddress(const std::string& address, bool allowLoopback);

}  // namespace plenum::mixer
