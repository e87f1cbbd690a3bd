// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Keypad digits from RTP telephone-event packets (RFC 4733): the payload parser and the filter
// that turns a stream of event packets into one digit per key press. A press is sent as several
// packets with the same RTP timestamp (the start, updates with a growing duration, the end bit
// three times); the digit is reported on the first one seen. A flood of events (a broken or
// hostile gateway) is cut by KeypadRateLimit. Pure code, no GStreamer: unit-tested alone.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "mixer/KeypadRateLimit.hpp"

namespace plenum::mixer {

struct TelephoneEvent {
  std::uint8_t event = 0;     // 0-9 digits, 10 '*', 11 '#', 12-15 A-D, others: tones and flash
  bool end = false;           // the E bit: the last packet(s) of the event
  std::uint8_t volume = 0;    // dBm0 below 0, 0-63
  std::uint16_t duration = 0; // in RTP clock units so far
};

// The first event of a telephone-event payload (4 bytes each); nullopt if it is shorter.
std::optional<TelephoneEvent> parseTelephoneEvent(const std::uint8_t* payload, std::size_t size);

// '0'-'9', '*', '#' for events 0-11; nullopt for anything else (A-D, flash, tones).
std::optional<char> dtmfDigit(std::uint8_t event);

// One digit per key press, at most kMaxDigitsPerSecond. Used by one streaming thread at a time.
class DtmfEventFilter {
public:
  using Clock = KeypadRateLimit::Clock;
  static constexpr int kMaxDigitsPerSecond = KeypadRateLimit::kMaxDigitsPerSecond;

  // The digit to report for this packet (RTP timestamp, parsed payload), or nullopt: a packet
  // of a press already reported, not a keypad event, or over the rate limit.
  std::optional<char> accept(std::uint32_t rtpTimestamp, const TelephoneEvent& event, Clock::time_point now);
  // Presses dropped by the rate limit so far.
  unsigned limited() const { return rate_.limited(); }

private:
  bool seen(std::uint32_t rtpTimestamp) const;

  // Timestamps of the last presses: the end packets of a press (repeated three times) and a
  // late packet of the one before come after a new press has started.
  std::array<std::uint32_t, 8> recent_{};
  std::size_t recentCount_ = 0;
  std::size_t recentNext_ = 0;
  KeypadRateLimit rate_;
};

}  // namespace plenum::mixer
