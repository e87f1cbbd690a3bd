// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The invitation as an iCalendar (RFC 5545) file to attach to an Outlook or Thunderbird
// meeting: title, guest link, how to dial in by phone, and what to expect (password, lobby), in
// German or English. The room password itself is never in it (the store holds only its hash).
#include "appliance/Store.hpp"

#include <cstdint>
#include <string>

namespace plenum::appliance {

enum class Language { German, English };

struct InvitationEvent {
  std::int64_t start = 0;    // Unix seconds
  int minutes = 60;
  std::int64_t created = 0;  // DTSTAMP, Unix seconds
};

// What an invitation says about phone dial-in (the sip.* settings).
struct InvitationDialIn {
  bool enabled = false;  // sip.enabled; off: no phone line at all
  std::string number;    // sip.dial-in-number; empty: the PIN alone ("Phone PIN: ...")
};

// `guestUrl` is the absolute /j/<token> link.
std::string invitationCalendar(const RoomRecord& room, const std::string& guestUrl, Language language,
                               const InvitationDialIn& dialIn, const InvitationEvent& event);

// The PIN in groups that are easy to read aloud ("1234 5678"; webclient/rooms.js formatPin).
std::string groupedPin(const std::string& pin);

// Escapes TEXT values (backslash, comma, semicolon, new line) and folds lines at 75 bytes
// without splitting a UTF-8 character; exposed for tests.
std::string icsText(const std::string& text);
std::string icsLine(const std::string& line);

}  // namespace plenum::appliance
