// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What a phone call's media is made of, shared by its two phases: the voice menu before the
// caller is in a room (PhonePrompter: greeting, PIN entry, the lobby's waiting message) and the
// meeting (PhoneEndpoint: a seat that hears its mix-minus). Both use the same UDP socket
// (RtpSocket), so that the port in the SDP answer stays the caller's for the whole call.
// Plain RTP (no SRTP, no RTCP needs): what a PBX on the city's own network sends.
#include <gio/gio.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plenum::mixer {

// The voice codecs we offer, best first: G.722 (wideband), G.711 A-law (Germany), µ-law, Opus.
enum class PhoneCodec { G722, PCMA, PCMU, Opus };
// The SDP rtpmap encoding name: "G722", "PCMA", "PCMU", "opus".
const char* toString(PhoneCodec codec);
// The RTP clock rate of the codec as written in the SDP (G.722: 8000 although it samples at
// 16 kHz, RFC 3551; Opus: 48000).
unsigned rtpClockRate(PhoneCodec codec);

// The negotiated RTP session of one call (from the caller's SDP offer and our answer).
struct PhoneRtp {
  PhoneCodec codec = PhoneCodec::PCMA;
  unsigned payloadType = 8;
  std::optional<unsigned> dtmfPayloadType;  // RFC 4733 telephone-event, if the caller offered it
  std::string remoteAddress;                // numeric IPv4 or IPv6 from the SDP (c=)
  unsigned remotePort = 0;                  // from the SDP (m=)
  unsigned ptimeMs = 20;
};

// Audio of a prompt: 48 kHz mono S16 samples (PhonePrompts loads and converts the WAV files).
using PromptAudio = std::shared_ptr<const std::vector<std::int16_t>>;

// A bound UDP socket for one call's RTP, on an even port of the configured range.
class RtpSocket {
public:
  // Binds to `address` (empty: all addresses) on a free even port in [minPort, maxPort]; null
  // when every port of the range is taken.
  static std::unique_ptr<RtpSocket> bind(const std::string& address, unsigned minPort, unsigned maxPort);
  ~RtpSocket();
  RtpSocket(const RtpSocket&) = delete;
  RtpSocket& operator=(const RtpSocket&) = delete;
  GSocket* socket() const { return socket_; }
  unsigned port() const { return port_; }

private:
  RtpSocket(GSocket* socket, unsigned port) : socket_(socket), port_(port) {}
  GSocket* socket_;
  unsigned port_;
};

// What the caller does, as the call's media sees it. Called on the conference thread (posted
// from the streaming threads), never from inside a PhonePrompter/PhoneEndpoint call.
class PhoneEvents {
public:
  virtual ~PhoneEvents() = default;
  // A key pressed: '0'-'9', '*', '#' (RFC 4733 events, or tones in the audio); once per press.
  virtual void OnPhoneDigit(char digit) = 0;
  // Everything queued with play() has been sent.
  virtual void OnPhonePromptsDone() = 0;
  // No RTP has arrived from the caller for the configured timeout (the network or the PBX is
  // gone without a BYE).
  virtual void OnPhoneSilent() = 0;
};

}  // namespace plenum::mixer
