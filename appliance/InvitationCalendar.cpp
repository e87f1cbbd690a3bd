// SPDX-License-Identifier: EUPL-1.2
#include "appliance/InvitationCalendar.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#ifndef PLENUM_VERSION
#define PLENUM_VERSION "0.0.0"
#endif

namespace plenum::appliance {

namespace {
std::string utc(std::int64_t seconds) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(seconds)),
                                         "%Y%m%dT%H%M%SZ");
}

std::string description(const RoomRecord& room, const std::string& url, Language language) {
  std::string text;
  if (language == Language::German) {
    text = "Zur Videokonferenz im Browser (ohne Konto, ohne Installation):\n" + url + "\n\nTelefon-PIN: " +
           room.pin + "\n";
    if (room.passwordHash) {
      text += "Der Raum ist mit einem Passwort geschützt; Sie erhalten es getrennt von dieser Einladung.\n";
    }
    if (room.lobby) text += "Sie warten zunächst im Warteraum, bis die Moderation Sie hereinlässt.\n";
  } else {
    text = "Join the video conference in your browser (no account, nothing to install):\n" + url + "\n\nPhone PIN: " +
           room.pin + "\n";
    if (room.passwordHash) {
      text += "The room is protected by a password, which you receive separately from this invitation.\n";
    }
    if (room.lobby) text += "You wait in the lobby until a moderator lets you in.\n";
  }
  return text;
}
}  // namespace

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
                               const InvitationEvent& event) {
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
  ics += icsLine("DESCRIPTION:" + icsText(description(room, guestUrl, language)));
  ics += icsLine("END:VEVENT");
  ics += icsLine("END:VCALENDAR");
  return ics;
}

}  // namespace plenum::appliance
