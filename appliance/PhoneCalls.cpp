// SPDX-License-Identifier: EUPL-1.2
#include "appliance/PhoneCalls.hpp"

#include "appliance/JoinResolver.hpp"
#include "appliance/PhoneNumber.hpp"
#include "appliance/SdpNegotiation.hpp"
#include "appliance/TurnRelay.hpp"

#include <Poco/Logger.h>

#include <random>

namespace plenum::appliance {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.phone"); }

constexpr unsigned kWrongPinsPerCall = 3;
// Phone sessions are numbered apart from the WebSocket connections' (which count up from 1).
constexpr signaling::SessionId kFirstPhoneSession = signaling::SessionId{1} << 62;
}  // namespace

std::string phoneCaption(const std::string& number, int digits, const std::string& language) {
  std::string label = language == "en" ? "Phone" : "Telefon";
  const std::string tail = lastDigits(number, digits);
  if (!tail.empty()) label += " \u2026" + tail;
  return label;
}

PhoneCalls::PhoneCalls(const SipSettings& settings, Store& store, PhoneCallContext& context)
    : settings_(settings), store_(store), context_(context), nextSession_(kFirstPhoneSession) {
  localAddress_ = settings.address;
  if (localAddress_.empty() || localAddress_ == "0.0.0.0") {
    const auto addresses = localAddresses();
    localAddress_ = addresses.empty() ? "127.0.0.1" : addresses.front();
  }
}

PhoneCalls::~PhoneCalls() { hangUpAll(); }

void PhoneCalls::hangUpAll() {
  auto calls = calls_;
  for (auto& [session, call] : calls) call->hangUp();
  calls_.clear();
  wrongPins_.clear();
}

void PhoneCalls::OnSipIncomingCall(std::shared_ptr<SipCallLeg> leg, const IncomingCall& incoming) {
  if (calls_.size() >= static_cast<std::size_t>(settings_.maxCalls)) {
    log().warning("call refused: %z calls at once (sip.max-calls)", calls_.size());
    leg->refuse(486, "Busy Here");
    return;
  }
  std::string why;
  auto offer = parsePhoneOffer(incoming.offerSdp, why);
  if (!offer) {
    log().information("call refused (488): %s", why);
    leg->refuse(488, "Not Acceptable Here");
    return;
  }
  auto rtp = choosePhoneRtp(*offer);
  if (!rtp) {
    log().information("call refused (488): no common codec (we take G722, PCMA, PCMU, opus)");
    leg->refuse(488, "Not Acceptable Here");
    return;
  }
  auto socket = mixer::RtpSocket::bind(settings_.address, static_cast<unsigned>(settings_.rtpMinPort),
                                       static_cast<unsigned>(settings_.rtpMaxPort));
  if (!socket) {
    log().warning("call refused (503): every RTP port of sip.rtp-min-port..sip.rtp-max-port is taken");
    leg->refuse(503, "Service Unavailable");
    return;
  }
  const auto session = nextSession_++;
  const unsigned port = socket->port();
  auto call = std::make_shared<PhoneCall>(session, leg, std::move(socket), *rtp,
                                          phoneCaption(incoming.callerNumber, settings_.showDigits, settings_.language),
                                          context_, *this);
  std::optional<signaling::RoomPolicy> direct;
  for (const auto& [user, slug] : settings_.directRooms) {
    if (user != incoming.calledUser) continue;
    if (auto room = store_.roomBySlug(slug)) direct = roomPolicyOf(*room);
  }
  calls_[session] = call;
  leg->answer(phoneAnswer(*rtp, localAddress_, port, session));
  log().information("call %s from %s answered (%s)", std::to_string(session), maskNumber(incoming.callerNumber),
                    std::string(mixer::toString(rtp->codec)));
  call->start(direct);
}

bool PhoneCalls::pinBudgetUsedUp() {
  const auto now = std::chrono::steady_clock::now();
  while (!failures_.empty() && now - failures_.front() > std::chrono::minutes(1)) failures_.pop_front();
  return failures_.size() >= static_cast<std::size_t>(settings_.pinFailuresPerMinute);
}

void PhoneCalls::OnPhoneCallPin(PhoneCall& call, const std::string& pin) {
  if (pinBudgetUsedUp()) {
    ++pinsThrottled_;
    // One line a minute at most: a flood of guesses must not flood the log too.
    const auto now = std::chrono::steady_clock::now();
    if (!lastThrottleLog_ || now - *lastThrottleLog_ >= std::chrono::minutes(1)) {
      lastThrottleLog_ = now;
      log().warning("PIN entry refused: %z wrong PINs on this server in the last minute "
                    "(sip.pin-failures-per-minute); %s refused since start (one line a minute)",
                    failures_.size(), std::to_string(pinsThrottled_));
    }
    call.sayGoodbye("pin-throttled");
    return;
  }
  std::optional<RoomRecord> room;
  try {
    room = store_.roomByPin(pin);
  } catch (const std::exception& e) {
    log().error("PIN look-up failed: %s", std::string(e.what()));
    call.sayGoodbye("unavailable");
    return;
  }
  if (!room) {
    failures_.push_back(std::chrono::steady_clock::now());
    ++wrongPinsTotal_;
    const unsigned wrong = ++wrongPins_[call.session()];
    log().information("call %s: wrong PIN (%u of %u)", std::to_string(call.session()), wrong, kWrongPinsPerCall);
    call.wrongPin(wrong >= kWrongPinsPerCall);
    return;
  }
  call.joinRoom(roomPolicyOf(*room));
}

void PhoneCalls::OnPhoneCallOver(PhoneCall& call) {
  const auto session = call.session();
  wrongPins_.erase(session);
  calls_.erase(session);  // may destroy `call`
}

}  // namespace plenum::appliance
