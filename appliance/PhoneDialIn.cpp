// SPDX-License-Identifier: EUPL-1.2
#include "appliance/PhoneDialIn.hpp"

#include <Poco/Logger.h>

namespace plenum::appliance {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.phone"); }
}  // namespace

PhoneDialIn::PhoneDialIn(const Settings& settings, Store& store, signaling::Conference& conference,
                         signaling::EventLoop& loop)
    : settings_(settings), store_(store), conference_(conference), loop_(loop) {}

PhoneDialIn::~PhoneDialIn() { stop(); }

bool PhoneDialIn::start() {
  bool started = false;
  loop_.runAndWait(
      [&] {
        const SipSettings& sip = settings_.sip;
        timers_ = std::make_unique<signaling::GlibTimers>();
        prompts_ = std::make_unique<PhonePrompts>(PhonePrompts::shippedDefaultDir(), sip.promptsDir, sip.language);
        context_ = std::make_unique<PhoneCallContext>(PhoneCallContext{
            conference_, *prompts_, *timers_, [this](std::function<void()> work) { loop_.post(std::move(work)); },
            std::chrono::seconds(sip.rtpTimeoutS), sip.language});
        calls_ = std::make_unique<PhoneCalls>(sip, store_, *context_);
        sip_ = std::make_unique<SipService>(sip, loop_.context(), *calls_);
        try {
          sip_->start();
          started = true;
          for (const auto& name : prompts_->missing()) log().warning("phone prompt %s is missing", name);
          for (const auto& problem : prompts_->problems()) log().warning("phone prompt refused: %s", problem);
        } catch (const std::exception& e) {
          log().error("phone dial-in is off: %s", std::string(e.what()));
          sip_.reset();
        }
      },
      std::chrono::seconds(10));
  return started;
}

PhoneDialIn::Figures PhoneDialIn::figures() const {
  Figures f;
  f.listening = sip_ != nullptr;
  if (sip_ && !settings_.sip.registrar.empty()) f.registered = sip_->registered();
  if (calls_) {
    f.calls = calls_->calls();
    f.wrongPins = calls_->wrongPins();
    f.pinsThrottled = calls_->pinsThrottled();
  }
  return f;
}

void PhoneDialIn::stop() {
  if (!calls_) return;
  loop_.runAndWait(
      [&] {
        if (calls_) calls_->hangUpAll();
        if (sip_) sip_->stop();
        sip_.reset();
        calls_.reset();
        context_.reset();
        prompts_.reset();
        timers_.reset();
      },
      std::chrono::seconds(10));
}

}  // namespace plenum::appliance
