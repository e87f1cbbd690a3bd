// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The network side of a call's RTP, alike for the voice menu (PhonePrompter) and the meeting
// (PhoneEndpoint): a udpsrc on the call's socket whose probe lets only the caller's audio pass
// (from the negotiated address, in the negotiated payload type, well-formed), turns RFC 4733
// telephone-events into digits (PhoneEvents::OnPhoneDigit, once per press, rate-limited), and
// notes when the last packet came (PhoneEvents::OnPhoneSilent after the RTP timeout); and the
// sender on the same socket (a multiudpsink), which follows the caller's actual source port
// (symmetric RTP: a PBX behind NAT or one that answers from another port than its SDP says).
// Keypad tones in the audio (in-band DTMF) are detected where the owner decodes (watchTones).
// Conference thread; the probe runs on the udpsrc's thread and reaches us through postTo.
#include "mixer/ConferencePost.hpp"
#include "mixer/PhoneMedia.hpp"

#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace plenum::mixer {

class PhoneRtpInput {
public:
  // What the probe counts (read any time, for tests and logs).
  struct Counters {
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> otherSource{0};  // from another address than negotiated
    std::atomic<std::uint64_t> rejected{0};     // malformed, or an unexpected payload type
    std::atomic<std::uint64_t> dtmfPackets{0};
    std::atomic<std::uint64_t> digitsLimited{0};  // presses over the rate limit
    std::atomic<std::uint64_t> toneDigits{0};     // digits heard in-band
    std::atomic<bool> latched{false};             // sending to the port the caller sends from
  };

  // The timer of the RTP timeout starts here (on the calling thread's default context, the
  // conference thread); rtpTimeout 0: none. `events` must outlive this object.
  PhoneRtpInput(const std::string& id, GSocket* socket, const PhoneRtp& rtp, std::chrono::seconds rtpTimeout,
                PhoneEvents& events);
  // Posted digits and the timer end here; the elements belong to the bin they were added to.
  ~PhoneRtpInput();
  PhoneRtpInput(const PhoneRtpInput&) = delete;
  PhoneRtpInput& operator=(const PhoneRtpInput&) = delete;

  // The udpsrc (a floating reference, for the caller to add to its bin): accepted audio RTP
  // only, with the codec's RTP caps.
  GstElement* source() const { return source_; }
  // The multiudpsink on the same socket towards the caller (a floating reference, for the
  // caller's bin), async=false; its owner chooses sync.
  GstElement* sink() const { return sink_; }
  const Counters& counters() const { return *counters_; }

  // Listens for keypad tones in the decoded audio that passes `decoded` (a decoder's source
  // pad: S16 at any rate), for gateways that send DTMF in-band. Only until the first RFC 4733
  // event arrives: a gateway that sends events may leave the tones in the audio too.
  void watchTones(GstPad* decoded);

  // While the caller holds the call (a sendonly/inactive re-INVITE) silence is expected: no
  // OnPhoneSilent; the timeout counts again from the moment the hold ends.
  void setHeld(bool held);

private:
  struct Probe;
  struct ToneProbe;

  static gboolean onTimer(gpointer self);

  // passed in
  const std::string id_;
  PhoneEvents& events_;
  const std::chrono::seconds rtpTimeout_;
  // owned
  GstElement* source_ = nullptr;
  GstElement* sink_ = nullptr;
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
  std::shared_ptr<std::atomic<std::int64_t>> lastPacketUs_;  // g_get_monotonic_time of the last accepted packet
  GMainContext* context_;  // the conference thread's
  std::shared_ptr<Liveness> alive_ = std::make_shared<Liveness>();
  guint timer_ = 0;
  bool held_ = false;
};

}  // namespace plenum::mixer
