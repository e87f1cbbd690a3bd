// SPDX-License-Identifier: EUPL-1.2
#include "appliance/InvitationCalendar.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <vector>

#ifndef PLENUM_VERSION
#define PLENUM_VERSION "0.0.0"
#endif

namespace plenum::appliance {

namespace {
std::string utc(std::int64_t seconds) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(seconds)),
                                         "%Y%m%dT%H%M%SZ");
}

// How to dial in by phone, or "" when dial-in is off.
std::string phoneLine(const RoomRecord& room, Language language, const InvitationDialIn& dialIn) {
  if (!dialIn.enabled || room.pin.empty()) return "";
  const std::string pin = groupedPin(room.pin);
  const bool german = language == Language::German;
  if (dialIn.number.empty()) return (german ? "Telefon-PIN: " : "Phone PIN: ") + pin;
  return german ? "Per Telefon: " + dialIn.number + ", dann die PIN " + pin + " und #"
                : "By phone: " + dialIn.number + ", then the PIN " + pin + " and #";
}

// Paragraphs: the link, the phone, the password and lobby notes.
std::string description(const RoomRecord& room, const std::string& url, Language language,
                        const InvitationDialIn& dialIn) {
  const bool german = language == Language::German;
  std::string text = german ? "Zur Videokonferenz im Browser (ohne Konto, ohne Installation):\n"
                            : "Join the video conference in your browser (no account, nothing to install):\n";
  text += url + "\n";
  if (const std::string phone = phoneLine(room, language, dialIn); !phone.empty()) text += "\n" + phone + "\n";
  if (room.passwordHash || room.lobby) text += "\n";
  if (room.passwordHash) {
    text += german ? "Der Raum ist mit einem Passwort geschützt; Sie erhalten es getrennt von dieser Einladung.\n"
                   : "The room is protected by a password, which you receive separately from this invitation.\n";
  }
  if (room.lobby) {
    text += german ? "Sie warten zunächst im Warteraum, bis die Moderation Sie hereinlässt.\n"
                   : "You wait in the lobby until a moderator lets you in.\n";
  }
  return text;
}
}  // namespace

std::string groupedPin(const std::string& pin) {
  if (pin.size() < 6 || pin.size() > 9 || pin.find_first_not_of("0123456789") != std::string::npos) return pin;
  static const std::vector<std::size_t> groups[] = {{3, 3}, {3, 4}, {4, 4}, {3, 3, 3}};  // 6-9 digits
  std::string out;
  std::size_t at = 0;
  for (const std::size_t n : groups[pin.size() - 6]) {
    if (!out.empty()) out += ' ';
    out.append(pin, at, n);
    at += n;
  }
  return out;
}

std::string icsText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

std::string icsLine(const std::string& line) {
  std::string out;
  std::size_t width = 0;  // bytes on the current physical line
  for (std::size_t i = 0; i < line.size();) {
    // The whole UTF-8 sequence that starts here moves to the next line if it does not fit.
    std::size_t length = 1;
    while (i + length < line.size() && (static_cast<unsigned char>(line[i + length]) & 0xC0) == 0x80) ++length;
    if (width + length > 75) {
      out += "\r\n ";
      width = 1;
    }
    out.append(line, i, length);
    width += length;
    i += length;
  }
  return out + "\r\n";
}

std::string invitationCalendar(const RoomRecord& room, const std::string& guestUrl, Language language,
                               const InvitationDialIn& dialIn, const InvitationEvent& event) {
  std::string ics;
  ics += icsLine("BEGIN:VCALENDAR");
  ics += icsLine("VERSION:2.0");
  const char* languageTag = language == Language::German ? "DE" : "EN";
  ics += icsLine(std::string("PRODID:-//Plenum//Plenum ") + PLENUM_VERSION + "//" + languageTag);
  ics += icsLine("CALSCALE:GREGORIAN");
  ics += icsLine("METHOD:PUBLISH");
  ics += icsLine("BEGIN:VEVENT");
  // Unique per room and start, so that a second invitation to the same room is a second event.
  ics += icsLine("UID:plenum-" + room.inviteToken.substr(0, 8) + "-" + std::to_string(event.start) + "@plenum");
  ics += icsLine("DTSTAMP:" + utc(event.created));
  ics += icsLine("DTSTART:" + utc(event.start));
  ics += icsLine("DTEND:" + utc(event.start + event.minutes * 60LL));
  ics += icsLine("SUMMARY:" + icsText(room.title));
  ics += icsLine("LOCATION:" + icsText(guestUrl));
  ics += icsLine("URL:" + guestUrl);
  ics += icsLine("DESCRIPTION:" + icsText(description(room, guestUrl, language, dialIn)));
  ics += icsLine("END:VEVENT");
  ics += icsLine("END:VCALENDAR");
  return ics;
}

}  // namespace plenum::appliance
