// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One telephone caller, from the answered INVITE to the hang-up: the voice menu (greeting, PIN
// entry; mixer::PhonePrompter), then the meeting, which the caller takes part in like a browser
// does, over the same protocol (signaling::Conference: join, media, raise-hand) with a keypad
// instead of buttons: *6 microphone off/on, *9 hand up/down, *0 the key help. What the
// conference tells the caller (joined, lobby, muted by a moderator, the floor, removed, ended)
// becomes prompts. In the meeting the caller's seat is a mixer::PhoneEndpoint, made here and
// attached by the room's media (GstRoomMedia::addPhone).
// Conference thread only (sofia's application side and every media report run there).
#include "appliance/PhonePrompts.hpp"
#include "appliance/SipService.hpp"
#include "mixer/PhoneEndpoint.hpp"
#include "mixer/PhoneMedia.hpp"
#include "mixer/PhonePrompter.hpp"
#include "signaling/Conference.hpp"
#include "signaling/PhoneLine.hpp"
#include "signaling/Timers.hpp"

#include <Poco/JSON/Object.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace plenum::appliance {

// What every call shares: the conference and how to reach it, the prompts, the timers.
struct PhoneCallContext {
  signaling::Conference& conference;
  PhonePrompts& prompts;
  signaling::Timers& timers;
  std::function<void(std::function<void()>)> defer;  // runs work later on the conference thread
  std::chrono::seconds rtpTimeout{30};
  std::string language = "de";
};

class PhoneCall : public signaling::PhoneLine,
                  public mixer::PhoneEvents,
                  public SipCallLeg::Listener,
                  public std::enable_shared_from_this<PhoneCall> {
public:
  class Owner {
  public:
    virtual ~Owner() = default;
    // The caller typed a PIN and '#': the owner looks it up (joinRoom) or says no (wrongPin).
    virtual void OnPhoneCallPin(PhoneCall& call, const std::string& pin) = 0;
    // The call is over (hung up, either side): the owner forgets it. Called from a deferred job.
    virtual void OnPhoneCallOver(PhoneCall& call) = 0;
  };

  // `caption`: how the others see the caller ("Telefon …1234").
  PhoneCall(signaling::SessionId session, std::shared_ptr<SipCallLeg> leg, std::unique_ptr<mixer::RtpSocket> socket,
            const mixer::PhoneRtp& rtp, std::string caption, PhoneCallContext& context, Owner& owner);
  ~PhoneCall() override;

  signaling::SessionId session() const { return session_; }
  const std::string& caption() const { return caption_; }

  // After the SIP answer: greets the caller and asks for the PIN, or (a number that names a
  // room) enters it at once.
  void start(const std::optional<signaling::RoomPolicy>& direct);
  // The PIN named this room: the caller joins it (through its lobby, if it has one).
  void joinRoom(const signaling::RoomPolicy& policy);
  // The PIN named no room: asked again, or (the `final` time) told goodbye.
  void wrongPin(bool final);
  // Says `prompt` and hangs up (e.g. "pin-throttled", "unavailable").
  void sayGoodbye(const std::string& prompt);
  // Hangs up now (the server stops).
  void hangUp();

  // For GstRoomMedia::addPhone: the caller's seat in the meeting; the voice menu ends.
  std::shared_ptr<mixer::PhoneEndpoint> enterMeeting(const std::string& participantId,
                                                     mixer::Endpoint::Listener* listener);

  // mixer::PhoneEvents
  void OnPhoneDigit(char digit) override;
  void OnPhonePromptsDone() override;
  void OnPhoneSilent() override;
  // SipCallLeg::Listener
  void OnSipDigit(char digit) override { OnPhoneDigit(digit); }
  void OnSipEnded(const std::string& reason) override;
  void OnSipHold(bool held) override;

private:
  enum class State { Menu, Joining, Waiting, Meeting, Leaving, Over };
  class Sink;

  void say(const std::string& prompt);
  void menuDigit(char digit);
  void meetingDigit(char digit);
  // What the conference sent the caller (through Sink, deferred).
  void onServerMessage(const std::string& message);
  void onMessage(const std::string& type, const Poco::JSON::Object& message);
  void onConferenceClosed();
  void sendToConference(signaling::ClientMessage message);
  // Leaves the conference (if in it) and ends the SIP call; `why` for the log.
  void end(const std::string& why);
  void askAgainLater();

  // passed in
  const signaling::SessionId session_;
  std::shared_ptr<SipCallLeg> leg_;
  std::unique_ptr<mixer::RtpSocket> socket_;
  const mixer::PhoneRtp rtp_;
  const std::string caption_;
  PhoneCallContext& context_;
  Owner& owner_;
  // owned
  std::shared_ptr<Sink> sink_;
  std::unique_ptr<mixer::PhonePrompter> prompter_;       // in the voice menu, the lobby, the goodbye
  std::shared_ptr<mixer::PhoneEndpoint> endpoint_;       // in the meeting
  std::unique_ptr<signaling::Timers::Timer> menuTimer_;  // repeats the question, ends an idle menu
  std::unique_ptr<signaling::Timers::Timer> hangUpTimer_;
  // other
  State state_ = State::Menu;
  std::string digits_;
  unsigned menuRepeats_ = 0;
  bool inConference_ = false;  // joined (or waiting in the lobby): onSessionClosed is owed
  std::string participantId_;
  bool muted_ = false;
  bool handRaised_ = false;
  bool star_ = false;  // '*' pressed in the meeting: the next key is a command
  std::optional<std::string> floorHolder_;
  bool recording_ = false;
  bool held_ = false;  // the caller holds the call: its silence is no timeout
};

}  // namespace plenum::appliance
