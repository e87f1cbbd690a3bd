// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Phone dial-in's SIP side (sofia-sip's NUA): listens on sip.port (UDP and TCP), accepts INVITEs
// from the PBXs named in sip.trusted-peers (anyone else: 403) and/or registers as an extension
// with the city's PBX (digest authentication, re-registration, keep-alive). Each accepted call
// goes to Calls (appliance::PhoneCalls), which answers or refuses it through its SipCallLeg.
// The application side of sofia runs on the conference thread (su_glib, on the GMainContext
// given): every callback here is on that thread, and so is every SipCallLeg call. SIP parsing
// and transports run on sofia's own stack thread.
#include "appliance/Settings.hpp"
#include "mixer/PhoneMedia.hpp"

#include <glib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace plenum::appliance {

// The caller's SDP offer, parsed (SdpNegotiation.hpp makes it and the answer).
struct PhoneOffer;

// One call (a SIP dialog) as the call logic sees it.
class SipCallLeg {
public:
  class Listener {
  public:
    virtual ~Listener() = default;
    // A DTMF key sent as SIP INFO (application/dtmf-relay or application/dtmf).
    virtual void OnSipDigit(char digit) = 0;
    // The caller put the call on hold (a sendonly/inactive re-INVITE) or took it back: while
    // held, no RTP from them is no reason to hang up.
    virtual void OnSipHold(bool held) = 0;
    // The call is over from the other side (BYE, CANCEL before the answer, transport failure,
    // session timer expiry); `reason` is for the log. The leg does nothing more after this.
    virtual void OnSipEnded(const std::string& reason) = 0;
  };
  virtual ~SipCallLeg() = default;
  virtual void setListener(Listener* listener) = 0;
  // Answers the INVITE with 200 OK and this SDP.
  virtual void answer(const std::string& sdp) = 0;
  // Refuses the INVITE (e.g. 488 Not Acceptable Here, 486 Busy Here, 503), with a reason phrase.
  virtual void refuse(int status, const std::string& phrase) = 0;
  // Ends an answered call (BYE); before the answer it refuses with 480. Safe to call twice.
  virtual void hangUp() = 0;
};

// What the SIP side tells the call logic about an incoming call.
struct IncomingCall {
  std::string callerNumber;  // the From user part (digits and '+', as sent); never logged in full
  std::string calledUser;    // the Request-URI's user part (the number dialled, for sip.direct-rooms)
  std::string offerSdp;      // the INVITE's body (may be empty: no SDP, refused with 488 by the logic)
  std::string peerAddress;   // where the INVITE came from (numeric), for RTP address checks
};

class SipService {
public:
  class Calls {
  public:
    virtual ~Calls() = default;
    // A new call from a trusted peer or through our registration. The logic answers or refuses
    // it through `leg` (now or later; the leg keeps the INVITE pending until then, sending
    // 100 Trying and, after 1 s, 180 Ringing).
    virtual void OnSipIncomingCall(std::shared_ptr<SipCallLeg> leg, const IncomingCall& call) = 0;
  };

  // Nothing happens before start().
  SipService(const SipSettings& settings, GMainContext* context, Calls& calls);
  ~SipService();
  SipService(const SipService&) = delete;
  SipService& operator=(const SipService&) = delete;

  // Binds the ports and starts registering (if configured). Throws when the port cannot be bound.
  void start();
  // Ends every call (BYE), unregisters (best effort, at most 2 s) and stops.
  void stop();

  // For tests and --check-config: whether the registration is currently accepted by the PBX.
  bool registered() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace plenum::appliance
