// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A phone caller in a meeting: an Endpoint whose seat has a placeholder tile (its "camera" pad
// never gets a target), a microphone (the caller's RTP, decoded) and hears its mix-minus, raw,
// all the time, encoded in the call's codec and sent back on the call's socket. Prompts (the key
// help, "you are muted") are mixed on top of what the caller hears. The network side (address
// check, symmetric RTP, keypad digits, RTP timeout) is PhoneRtpInput's. Like a browser's endpoint
// it moves between rooms (breakouts) with its socket and elements untouched.
// Conference thread only.
#include "mixer/Endpoint.hpp"
#include "mixer/PhoneMedia.hpp"
#include "mixer/PhoneRtpInput.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace plenum::mixer {

class PhoneEndpoint : public Endpoint {
public:
  // `events` must outlive this object; its calls come from the conference thread's loop.
  PhoneEndpoint(const std::string& id, const std::string& caption, GSocket* socket, const PhoneRtp& rtp,
                std::chrono::seconds rtpTimeout, PhoneEvents& events, Endpoint::Listener* listener);
  ~PhoneEndpoint() override;

  // Mixed into what the caller hears, after what is queued; OnPhonePromptsDone once all of it
  // has gone out. Plays while the endpoint is attached (what it hears flows).
  void play(PromptAudio audio);
  // Stops what plays and what is queued; no OnPhonePromptsDone for them.
  void clearPrompts();
  // See PhoneRtpInput::setHeld.
  void setHeld(bool held) { input_->setHeld(held); }

  // For tests and logs.
  const PhoneRtpInput::Counters& rtpCounters() const { return input_->counters(); }

private:
  struct PromptMix;

  // owned
  std::unique_ptr<PhoneRtpInput> input_;
  std::shared_ptr<PromptMix> prompts_;  // shared with the probe on what the caller hears
  std::shared_ptr<Liveness> alive_ = std::make_shared<Liveness>();
};

}  // namespace plenum::mixer
