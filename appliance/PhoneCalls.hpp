// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Phone dial-in's call logic: takes each call SipService accepted (codec, an RTP port, the SDP
// answer), keeps the calls (PhoneCall) and decides about PINs. PINs are unique across rooms, so
// a guessed PIN hits some room: wrong PINs are counted per call (3, then goodbye) and on the
// whole server (sip.pin-failures-per-minute; beyond it every PIN entry is refused for a minute,
// with a log line and a counter). Conference thread only.
#include "appliance/PhoneCall.hpp"
#include "appliance/PhonePrompts.hpp"
#include "appliance/SipService.hpp"
#include "appliance/Store.hpp"

#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace plenum::appliance {

// "Telefon …1234" / "Phone …1234": the last `digits` digits of the caller's number (0: none).
std::string phoneCaption(const std::string& number, int digits, const std::string& language);

class PhoneCalls : public SipService::Calls, public PhoneCall::Owner {
public:
  PhoneCalls(const SipSettings& settings, Store& store, PhoneCallContext& context);
  ~PhoneCalls() override;

  // Hangs up every call (the server stops).
  void hangUpAll();
  std::size_t calls() const { return calls_.size(); }
  // Wrong PINs since start, and PIN entries refused by the server-wide budget (metrics).
  std::uint64_t wrongPins() const { return wrongPinsTotal_; }
  std::uint64_t pinsThrottled() const { return pinsThrottled_; }

  // SipService::Calls
  void OnSipIncomingCall(std::shared_ptr<SipCallLeg> leg, const IncomingCall& call) override;
  // PhoneCall::Owner
  void OnPhoneCallPin(PhoneCall& call, const std::string& pin) override;
  void OnPhoneCallOver(PhoneCall& call) override;

private:
  // Whether the server-wide budget of wrong PINs is used up (forgets failures older than 1 min).
  bool pinBudgetUsedUp();

  // passed in
  const SipSettings settings_;
  Store& store_;
  PhoneCallContext& context_;
  // owned
  std::map<signaling::SessionId, std::shared_ptr<PhoneCall>> calls_;
  std::map<signaling::SessionId, unsigned> wrongPins_;  // per call
  std::deque<std::chrono::steady_clock::time_point> failures_;  // server-wide, last minute
  std::string localAddress_;  // in our SDP
  std::uint64_t nextSession_ = 0;
  std::uint64_t wrongPinsTotal_ = 0;
  std::uint64_t pinsThrottled_ = 0;
  std::optional<std::chrono::steady_clock::time_point> lastThrottleLog_;
};

}  // namespace plenum::appliance
