// SPDX-License-Identifier: EUPL-1.2
#include "mixer/RtpDtmf.hpp"

#include <algorithm>

namespace plenum::mixer {

std::optional<TelephoneEvent> parseTelephoneEvent(const std::uint8_t* payload, std::size_t size) {
  if (!payload || size < 4) return std::nullopt;
  TelephoneEvent parsed;
  parsed.event = payload[0];
  parsed.end = (payload[1] & 0x80) != 0;
  parsed.volume = payload[1] & 0x3f;
  parsed.duration = static_cast<std::uint16_t>((payload[2] << 8) | payload[3]);
  return parsed;
}

std::optional<char> dtmfDigit(std::uint8_t event) {
  if (event <= 9) return static_cast<char>('0' + event);
  if (event == 10) return '*';
  if (event == 11) return '#';
  return std::nullopt;
}

bool DtmfEventFilter::seen(std::uint32_t rtpTimestamp) const {
  return std::find(recent_.begin(), recent_.begin() + static_cast<std::ptrdiff_t>(recentCount_), rtpTimestamp) !=
         recent_.begin() + static_cast<std::ptrdiff_t>(recentCount_);
}

std::optional<char> DtmfEventFilter::accept(std::uint32_t rtpTimestamp, const TelephoneEvent& event,
                                            Clock::time_point now) {
  const std::optional<char> digit = dtmfDigit(event.event);
  if (!digit || seen(rtpTimestamp)) return std::nullopt;
  recent_[recentNext_] = rtpTimestamp;
  recentNext_ = (recentNext_ + 1) % recent_.size();
  recentCount_ = std::min(recentCount_ + 1, recent_.size());
  if (!rate_.take(now)) return std::nullopt;
  return digit;
}

}  // namespace plenum::mixer
