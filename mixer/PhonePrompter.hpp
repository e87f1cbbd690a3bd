// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A call's voice menu, before the caller is in a room: the greeting, the PIN prompt, the lobby's
// waiting message. Its own small pipeline on the call's socket: prompts out (48 kHz audio,
// encoded in the call's codec and paced by the clock), keypad digits in (RFC 4733, see
// PhoneRtpInput); the caller's voice is not listened to. Between prompts nothing is sent (no
// comfort noise: a PBX does not need it, and the caller is typing). When the caller is let
// into a room, the owner destroys this and makes a PhoneEndpoint on the same socket.
// Conference thread only.
#include "mixer/PhoneMedia.hpp"
#include "mixer/PhoneRtpInput.hpp"

#include <gst/gst.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace plenum::mixer {

class PhonePrompter {
public:
  // `events` must outlive this object; its calls come from the conference thread's loop.
  PhonePrompter(const std::string& id, GSocket* socket, const PhoneRtp& rtp, std::chrono::seconds rtpTimeout,
                PhoneEvents& events);
  // Stops the pipeline off this thread (ElementReaper); the socket stays open (the caller's).
  ~PhonePrompter();
  PhonePrompter(const PhonePrompter&) = delete;
  PhonePrompter& operator=(const PhonePrompter&) = delete;

  // Queued after what is playing; OnPhonePromptsDone once everything queued has been sent.
  void play(PromptAudio audio);
  // Stops what plays (within kLead) and what is queued; no OnPhonePromptsDone for them.
  void clearPrompts();
  bool playing() const { return !queue_.empty() || tick_ != 0; }
  // See PhoneRtpInput::setHeld.
  void setHeld(bool held) { input_->setHeld(held); }

  // For tests and logs.
  const PhoneRtpInput::Counters& rtpCounters() const { return input_->counters(); }

  // How far ahead of the clock prompt audio is handed to the pipeline: covers a late tick on a
  // busy conference thread.
  static constexpr std::chrono::milliseconds kLead{100};

private:
  static gboolean onTick(gpointer self);
  static gboolean onBusMessage(GstBus* bus, GstMessage* message, gpointer self);
  GstClockTime runningTime() const;
  // Pushes the audio due within kLead; true when everything queued has been sent.
  bool feed();
  void stopTicking();

  // passed in
  const std::string id_;
  PhoneEvents& events_;
  // owned
  GstElement* pipeline_;
  GstElement* appsrc_ = nullptr;  // in pipeline_
  std::unique_ptr<PhoneRtpInput> input_;
  GMainContext* context_;  // the conference thread's
  guint tick_ = 0;
  guint busWatch_ = 0;
  // other
  std::deque<PromptAudio> queue_;
  std::size_t offset_ = 0;                        // samples of queue_.front() already pushed
  GstClockTime nextPts_ = GST_CLOCK_TIME_NONE;  // running time where the next pushed audio starts
};

}  // namespace plenum::mixer
