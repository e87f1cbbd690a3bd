// SPDX-License-Identifier: EUPL-1.2
#include "appliance/PhoneCall.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

namespace plenum::appliance {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.phone"); }

// How long the menu waits for keys before asking again, and how often it asks.
constexpr std::chrono::seconds kMenuRepeat{20};
constexpr unsigned kMenuRepeats = 3;
// In the lobby, the waiting message again every so often.
constexpr std::chrono::seconds kLobbyRepeat{30};
// A goodbye that never reports its end (a dead network) still hangs up.
constexpr std::chrono::seconds kGoodbyeAtMost{20};
constexpr std::size_t kMaxPinDigits = 12;

// The prompt that tells the caller why the conference refused or ended their call.
std::string goodbyeFor(const std::string& code) {
  if (code == "room-full" || code == "server-full") return "full";
  if (code == "room-locked") return "locked";
  if (code == "lobby-rejected" || code == "lobby-timeout") return "rejected";
  if (code == "meeting-ended") return "ended";
  if (code == "banned") return "removed";
  return "unavailable";
}
}  // namespace

// The conference's way back to the caller. Conference calls it on the conference thread, from
// inside its own work: the call reacts later (deferred), never inside the conference's call.
class PhoneCall::Sink : public signaling::SignalingSink {
public:
  Sink(std::weak_ptr<PhoneCall> call, std::function<void(std::function<void()>)> defer)
      : call_(std::move(call)), defer_(std::move(defer)) {}
  void send(const std::string& message) override {
    defer_([call = call_, message] {
      if (auto c = call.lock()) c->onServerMessage(message);
    });
  }
  void sendError(const signaling::ProtocolError& error) override {
    // A refused keypad request (e.g. too fast): the caller just hears nothing.
    log().debug("phone request refused: %s", error.message);
  }
  void close() override {
    defer_([call = call_] {
      if (auto c = call.lock()) c->onConferenceClosed();
    });
  }

private:
  std::weak_ptr<PhoneCall> call_;
  std::function<void(std::function<void()>)> defer_;
};

PhoneCall::PhoneCall(signaling::SessionId session, std::shared_ptr<SipCallLeg> leg,
                     std::unique_ptr<mixer::RtpSocket> socket, const mixer::PhoneRtp& rtp, std::string caption,
                     PhoneCallContext& context, Owner& owner)
    : session_(session),
      leg_(std::move(leg)),
      socket_(std::move(socket)),
      rtp_(rtp),
      caption_(std::move(caption)),
      context_(context),
      owner_(owner) {}

PhoneCall::~PhoneCall() {
  if (leg_) leg_->setListener(nullptr);
  // The pipelines let go of the socket as they stop (the socket is reference-counted).
  endpoint_.reset();
  prompter_.reset();
}

void PhoneCall::start(const std::optional<signaling::RoomPolicy>& direct) {
  leg_->setListener(this);
  sink_ = std::make_shared<Sink>(weak_from_this(), context_.defer);
  prompter_ = std::make_unique<mixer::PhonePrompter>("phone-" + std::to_string(session_), socket_->socket(), rtp_,
                                                     context_.rtpTimeout, *this);
  if (direct) {
    joinRoom(*direct);
    return;
  }
  say("welcome");
  askAgainLater();
}

void PhoneCall::askAgainLater() {
  menuTimer_ = context_.timers.after(kMenuRepeat, [this] {
    if (state_ != State::Menu) return;
    if (++menuRepeats_ >= kMenuRepeats) {
      log().information("call %s: no PIN entered; hanging up", std::to_string(session_));
      sayGoodbye("unavailable");
      return;
    }
    digits_.clear();
    say("welcome");
    askAgainLater();
  });
}

void PhoneCall::say(const std::string& prompt) {
  mixer::PromptAudio audio = context_.prompts.get(prompt);
  if (endpoint_) {
    endpoint_->play(audio);
  } else if (prompter_) {
    prompter_->play(audio);
  }
}

void PhoneCall::OnPhoneDigit(char digit) {
  if (state_ == State::Menu) {
    menuDigit(digit);
  } else if (state_ == State::Meeting) {
    meetingDigit(digit);
  }
}

void PhoneCall::menuDigit(char digit) {
  if (digit == '*') {  // start over
    digits_.clear();
    return;
  }
  if (digit != '#') {
    if (digits_.size() < kMaxPinDigits) digits_ += digit;
    return;
  }
  if (digits_.empty()) return;
  const std::string pin = digits_;
  digits_.clear();
  menuTimer_.reset();
  if (prompter_) prompter_->clearPrompts();
  owner_.OnPhoneCallPin(*this, pin);  // answers with joinRoom, wrongPin or sayGoodbye
}

void PhoneCall::wrongPin(bool final) {
  if (state_ != State::Menu) return;
  if (final) {
    sayGoodbye("pin-final");
    return;
  }
  say("pin-wrong");
  menuRepeats_ = 0;
  askAgainLater();
}

void PhoneCall::joinRoom(const signaling::RoomPolicy& policy) {
  state_ = State::Joining;
  menuTimer_.reset();
  signaling::JoinRequest request;
  request.room = policy.slug;
  request.name = caption_;
  request.audio = true;
  request.video = false;
  request.videoCodecs = {"H264/42e01f", "VP8"};  // unused: a phone receives no composite
  // A caller is told by a prompt when the meeting is recorded (recording-updated); hanging up
  // is how they decline.
  request.recordingConsent = true;
  signaling::JoinContext context;
  context.role = signaling::Role::Guest;
  context.linkSession = "phone-" + std::to_string(session_);
  context.policy = policy;
  context.phone = shared_from_this();
  inConference_ = true;
  log().information("call %s: joins room %s", std::to_string(session_), policy.slug);
  context_.conference.onJoin(session_, sink_, std::move(request), std::move(context));
}

std::shared_ptr<mixer::PhoneEndpoint> PhoneCall::enterMeeting(const std::string& participantId,
                                                               mixer::Endpoint::Listener* listener) {
  // One reader of the socket at a time: the menu stops before the seat starts.
  prompter_.reset();
  // The tile shows a phone symbol before the caption (DejaVu Sans, the composite's font, has it).
  endpoint_ = std::make_shared<mixer::PhoneEndpoint>(participantId, "\u260E " + caption_, socket_->socket(), rtp_,
                                                     context_.rtpTimeout, *this, listener);
  endpoint_->setHeld(held_);
  participantId_ = participantId;
  return endpoint_;
}

void PhoneCall::meetingDigit(char digit) {
  if (digit == '*') {
    star_ = true;
    return;
  }
  if (!star_) return;
  star_ = false;
  switch (digit) {
    case '6':
      muted_ = !muted_;
      sendToConference(signaling::MediaRequest{!muted_, false});
      say(muted_ ? "muted" : "unmuted");
      break;
    case '9':
      if (handRaised_) {
        sendToConference(signaling::LowerHandRequest{});
      } else {
        sendToConference(signaling::RaiseHandRequest{});
      }
      break;
    case '0': say("help"); break;
    default: break;
  }
}

void PhoneCall::sendToConference(signaling::ClientMessage message) {
  signaling::ClientEnvelope envelope;
  envelope.message = std::move(message);
  context_.conference.onMessage(session_, sink_, std::move(envelope));
}

void PhoneCall::onServerMessage(const std::string& message) {
  if (state_ == State::Over) return;
  try {
    Poco::JSON::Parser parser;
    auto object = parser.parse(message).extract<Poco::JSON::Object::Ptr>();
    if (object) onMessage(object->optValue<std::string>("type", ""), *object);
  } catch (const std::exception& e) {
    log().error("call %s: cannot read a server message: %s", std::to_string(session_), std::string(e.what()));
  }
}

void PhoneCall::onMessage(const std::string& type, const Poco::JSON::Object& m) {
  if (type == "joined") {
    state_ = State::Meeting;
    participantId_ = m.optValue<std::string>("participantId", participantId_);
    menuTimer_.reset();
    say("joined");
    auto participants = m.getArray("participants");
    if (participants && participants->size() <= 1) say("first");
  } else if (type == "lobby") {
    state_ = State::Waiting;
    say("lobby");
    menuTimer_ = context_.timers.after(kLobbyRepeat, [this] {
      if (state_ == State::Waiting) onMessage("lobby", Poco::JSON::Object());
    });
  } else if (type == "error") {
    const std::string code = m.optValue<std::string>("code", "");
    if (m.optValue<bool>("fatal", false)) {
      log().information("call %s: %s", std::to_string(session_), code);
      inConference_ = false;  // the conference has let go of this session
      sayGoodbye(goodbyeFor(code));
    }
  } else if (type == "removed") {
    inConference_ = false;
    sayGoodbye("removed");
  } else if (type == "muted-by-moderator") {
    muted_ = true;
    say("muted-by-moderator");
  } else if (type == "participant-updated") {
    auto p = m.getObject("participant");
    if (p && p->optValue<std::string>("id", "") == participantId_) muted_ = !p->optValue<bool>("audio", true);
  } else if (type == "queue-updated") {
    bool raised = false;
    if (auto queue = m.getArray("queue")) {
      for (std::size_t i = 0; i < queue->size(); ++i) {
        auto entry = queue->getObject(static_cast<unsigned>(i));
        if (entry && entry->optValue<std::string>("participantId", "") == participantId_) raised = true;
      }
    }
    if (state_ == State::Meeting && raised != handRaised_) say(raised ? "hand-raised" : "hand-lowered");
    handRaised_ = raised;
  } else if (type == "floor-updated") {
    std::optional<std::string> holder;
    if (auto floor = m.getObject("floor")) holder = floor->optValue<std::string>("participantId", "");
    if (holder == participantId_ && floorHolder_ != holder && state_ == State::Meeting) say("floor");
    floorHolder_ = holder;
  } else if (type == "recording-updated") {
    const bool recording = m.optValue<std::string>("state", "") == "recording";
    if (recording != recording_) say(recording ? "recorded" : "recording-stopped");
    recording_ = recording;
  }
}

void PhoneCall::onConferenceClosed() {
  inConference_ = false;
  if (state_ != State::Leaving && state_ != State::Over) sayGoodbye("unavailable");
}

void PhoneCall::sayGoodbye(const std::string& prompt) {
  if (state_ == State::Leaving || state_ == State::Over) return;
  state_ = State::Leaving;
  menuTimer_.reset();
  if (inConference_) {
    inConference_ = false;
    context_.conference.onSessionClosed(session_, "left");
  }
  // Out of the meeting the seat hears nothing more: the goodbye goes through a menu player.
  if (endpoint_) {
    endpoint_.reset();
    prompter_ = std::make_unique<mixer::PhonePrompter>("phone-" + std::to_string(session_), socket_->socket(), rtp_,
                                                       context_.rtpTimeout, *this);
    prompter_->setHeld(held_);
  }
  if (prompter_) {
    prompter_->clearPrompts();
    prompter_->play(context_.prompts.get(prompt));
  }
  hangUpTimer_ = context_.timers.after(kGoodbyeAtMost, [this] { end("goodbye"); });
}

void PhoneCall::OnPhonePromptsDone() {
  if (state_ == State::Leaving) end("goodbye");
}

void PhoneCall::OnPhoneSilent() {
  log().information("call %s: no audio from the caller's side any more; hanging up", std::to_string(session_));
  end("rtp-timeout");
}

void PhoneCall::OnSipEnded(const std::string& reason) {
  log().information("call %s: ended by the caller (%s)", std::to_string(session_), reason);
  leg_->setListener(nullptr);
  leg_.reset();  // nothing more to say to it
  end(reason);
}

void PhoneCall::OnSipHold(bool held) {
  log().information("call %s: %s", std::to_string(session_), std::string(held ? "on hold" : "taken off hold"));
  held_ = held;
  if (prompter_) prompter_->setHeld(held);
  if (endpoint_) endpoint_->setHeld(held);
}

void PhoneCall::hangUp() { end("server stopping"); }

void PhoneCall::end(const std::string& why) {
  if (state_ == State::Over) return;
  state_ = State::Over;
  menuTimer_.reset();
  hangUpTimer_.reset();
  if (inConference_) {
    inConference_ = false;
    context_.conference.onSessionClosed(session_, why == "rtp-timeout" ? "timeout" : "left");
  }
  if (leg_) leg_->hangUp();
  endpoint_.reset();
  prompter_.reset();
  // Forgotten later: this may run inside our own callbacks.
  context_.defer([self = weak_from_this(), &owner = owner_] {
    if (auto call = self.lock()) owner.OnPhoneCallOver(*call);
  });
}

}  // namespace plenum::appliance
