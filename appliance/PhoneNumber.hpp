// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A caller's number as others may see it: never in full (issue 15's privacy rule), in logs only
// its last four digits ("…3456"), in the participant list as many as sip.show-digits allows.
#include <string>

namespace plenum::appliance {

// The last `count` digits of `number` (other characters skipped): ("+4930123456", 4) -> "3456".
inline std::string lastDigits(const std::string& number, int count) {
  std::string tail;
  for (auto it = number.rbegin(); it != number.rend() && static_cast<int>(tail.size()) < count; ++it) {
    if (*it >= '0' && *it <= '9') tail.insert(tail.begin(), *it);
  }
  return tail;
}

// For log lines: "+4930123456" -> "…3456"; fewer digits: those there are; none: "…".
inline std::string maskNumber(const std::string& number) { return "\u2026" + lastDigits(number, 4); }

}  // namespace plenum::appliance
