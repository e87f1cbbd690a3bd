// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Phone dial-in as plenumd runs it (sip.enabled): the SIP side (SipService), the call logic
// (PhoneCalls) and the prompts, made, started and stopped on the conference thread, where
// all of them live.
#include "appliance/PhoneCalls.hpp"
#include "appliance/PhonePrompts.hpp"
#include "appliance/Settings.hpp"
#include "appliance/SipService.hpp"
#include "appliance/Store.hpp"
#include "signaling/Conference.hpp"
#include "signaling/EventLoop.hpp"
#include "signaling/GlibTimers.hpp"

#include <memory>
#include <optional>

namespace plenum::appliance {

class PhoneDialIn {
public:
  PhoneDialIn(const Settings& settings, Store& store, signaling::Conference& conference, signaling::EventLoop& loop);
  // Stops if still running.
  ~PhoneDialIn();

  // Listens for calls; false (logged) when SIP cannot start, e.g. its port is taken.
  bool start();
  // Hangs up every call and stops listening (before the conference closes its rooms).
  void stop();

  // What /healthz reports. Conference thread only.
  struct Figures {
    bool listening = false;
    std::optional<bool> registered;  // with sip.registrar only
    std::size_t calls = 0;
    std::uint64_t wrongPins = 0;
    std::uint64_t pinsThrottled = 0;
  };
  Figures figures() const;

private:
  // passed in
  const Settings& settings_;
  Store& store_;
  signaling::Conference& conference_;
  signaling::EventLoop& loop_;
  // owned, on the conference thread
  std::unique_ptr<signaling::GlibTimers> timers_;
  std::unique_ptr<PhonePrompts> prompts_;
  std::unique_ptr<PhoneCallContext> context_;
  std::unique_ptr<PhoneCalls> calls_;
  std::unique_ptr<SipService> sip_;
};

}  // namespace plenum::appliance
