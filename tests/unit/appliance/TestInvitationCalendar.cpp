// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/InvitationCalendar: RFC 5545 escaping and line folding, and what the
// German and English invitations say (link, phone dial-in, password and lobby notes; never a
// secret).
#include "appliance/InvitationCalendar.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace plenum::appliance;

namespace {
RoomRecord sampleRoom() {
  RoomRecord r;
  r.id = 7;
  r.slug = "bauamt";
  r.title = "Bauamt; Sprechstunde, Zimmer 3";
  r.pin = "48151623";
  r.inviteToken = "AbCdEfGhIjKlMnOpQrStUv";
  r.lobby = true;
  r.passwordHash = "$argon2id$secret-hash";
  return r;
}

// The logical lines: physical lines joined where a line starts with a space (unfolding).
std::vector<std::string> unfold(const std::string& ics) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < ics.size()) {
    const std::size_t end = ics.find("\r\n", start);
    REQUIRE(end != std::string::npos);  // every line ends in CRLF
    const std::string line = ics.substr(start, end - start);
    CHECK(line.size() <= 75);
    if (!line.empty() && line[0] == ' ') lines.back() += line.substr(1);
    else lines.push_back(line);
    start = end + 2;
  }
  return lines;
}

// The DESCRIPTION value, unfolded and unescaped back to its text.
std::string descriptionText(const std::string& ics) {
  for (const auto& line : unfold(ics)) {
    if (line.rfind("DESCRIPTION:", 0) != 0) continue;
    std::string text;
    for (std::size_t i = 12; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
        text += line[i] == 'n' ? '\n' : line[i];
      } else {
        text += line[i];
      }
    }
    return text;
  }
  FAIL("no DESCRIPTION");
  return "";
}

const InvitationDialIn kDialInWithNumber{true, "+49 30 1234-5678"};
}  // namespace

TEST_CASE("TEXT values are escaped", "[appliance][ics]") {
  CHECK(icsText("a,b;c\\d\ne\r\n") == "a\\,b\\;c\\\\d\\ne\\n");
}

TEST_CASE("long lines fold at 75 bytes without splitting a UTF-8 character", "[appliance][ics]") {
  const std::string line = "DESCRIPTION:" + std::string(70, 'x') + "ääääää";
  const std::string folded = icsLine(line);
  std::size_t start = 0;
  std::string rejoined;
  while (start < folded.size()) {
    const std::size_t end = folded.find("\r\n", start);
    const std::string physical = folded.substr(start, end - start);
    CHECK(physical.size() <= 75);
    CHECK((static_cast<unsigned char>(physical.back()) & 0xC0) != 0xC0);  // no lead byte left dangling
    rejoined += start == 0 ? physical : physical.substr(1);
    start = end + 2;
  }
  CHECK(rejoined == line);
}

TEST_CASE("the invitation in English and German", "[appliance][ics]") {
  const RoomRecord room = sampleRoom();
  const std::string url = "https://meet.example.org/j/" + room.inviteToken;
  const InvitationEvent event{1767258000, 45, 1767200000};  // 2026-01-01T09:00:00Z
  for (const Language language : {Language::English, Language::German}) {
    const std::string ics = invitationCalendar(room, url, language, InvitationDialIn{true, ""}, event);
    const auto lines = unfold(ics);
    CHECK(lines.front() == "BEGIN:VCALENDAR");
    CHECK(lines.back() == "END:VCALENDAR");
    auto has = [&](const std::string& wanted) { return std::find(lines.begin(), lines.end(), wanted) != lines.end(); };
    CHECK(has("DTSTART:20260101T090000Z"));
    CHECK(has("DTEND:20260101T094500Z"));
    CHECK(has("SUMMARY:Bauamt\\; Sprechstunde\\, Zimmer 3"));
    CHECK(has("URL:" + url));
    std::string description;
    for (const auto& l : lines) {
      if (l.rfind("DESCRIPTION:", 0) == 0) description = l;
    }
    CHECK(description.find(url) != std::string::npos);
    CHECK(description.find("4815 1623") != std::string::npos);
    CHECK(ics.find("argon2id") == std::string::npos);
    if (language == Language::German) {
      CHECK(description.find("Telefon-PIN") != std::string::npos);
      CHECK(description.find("Passwort") != std::string::npos);
      CHECK(description.find("Warteraum") != std::string::npos);
    } else {
      CHECK(description.find("Phone PIN") != std::string::npos);
      CHECK(description.find("password") != std::string::npos);
      CHECK(description.find("lobby") != std::string::npos);
    }
  }
}

TEST_CASE("no password or lobby note when the room has neither", "[appliance][ics]") {
  RoomRecord room = sampleRoom();
  room.lobby = false;
  room.passwordHash.reset();
  const std::string ics = invitationCalendar(room, "http://h/j/x", Language::English, kDialInWithNumber,
                                             InvitationEvent{0, 60, 0});
  CHECK(ics.find("password") == std::string::npos);
  CHECK(ics.find("lobby") == std::string::npos);
}

TEST_CASE("the phone line follows the dial-in settings", "[appliance][ics][invitation]") {
  RoomRecord room = sampleRoom();
  room.lobby = false;
  room.passwordHash.reset();
  const std::string url = "https://meet.example.org/j/x";
  struct Case {
    InvitationDialIn dialIn;
    Language language;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {kDialInWithNumber, Language::English,
       "Join the video conference in your browser (no account, nothing to install):\n" + url +
           "\n\nBy phone: +49 30 1234-5678, then the PIN 4815 1623 and #\n"},
      {kDialInWithNumber, Language::German,
       "Zur Videokonferenz im Browser (ohne Konto, ohne Installation):\n" + url +
           "\n\nPer Telefon: +49 30 1234-5678, dann die PIN 4815 1623 und #\n"},
      {InvitationDialIn{true, ""}, Language::English,
       "Join the video conference in your browser (no account, nothing to install):\n" + url +
           "\n\nPhone PIN: 4815 1623\n"},
      {InvitationDialIn{true, ""}, Language::German,
       "Zur Videokonferenz im Browser (ohne Konto, ohne Installation):\n" + url + "\n\nTelefon-PIN: 4815 1623\n"},
      // Off: no PIN at all (a number left in the file does not count).
      {InvitationDialIn{false, ""}, Language::English,
       "Join the video conference in your browser (no account, nothing to install):\n" + url + "\n"},
      {InvitationDialIn{false, "+49 30 1234-5678"}, Language::German,
       "Zur Videokonferenz im Browser (ohne Konto, ohne Installation):\n" + url + "\n"},
  };
  for (const auto& c : cases) {
    const std::string ics = invitationCalendar(room, url, c.language, c.dialIn, InvitationEvent{0, 60, 0});
    INFO((c.language == Language::German ? "de" : "en") << " enabled=" << c.dialIn.enabled
                                                         << " number=" << c.dialIn.number);
    CHECK(descriptionText(ics) == c.expected);
    if (!c.dialIn.enabled) CHECK(ics.find("4815") == std::string::npos);
  }

  SECTION("the notes follow the phone line after a blank line") {
    room.lobby = true;
    const std::string text = descriptionText(
        invitationCalendar(room, url, Language::English, kDialInWithNumber, InvitationEvent{0, 60, 0}));
    CHECK(text.find("and #\n\nYou wait in the lobby") != std::string::npos);
    const std::string off = descriptionText(
        invitationCalendar(room, url, Language::English, InvitationDialIn{}, InvitationEvent{0, 60, 0}));
    CHECK(off.find(url + "\n\nYou wait in the lobby") != std::string::npos);
  }
}

TEST_CASE("PINs are grouped for reading aloud", "[appliance][ics][invitation]") {
  CHECK(groupedPin("123456") == "123 456");
  CHECK(groupedPin("1234567") == "123 4567");
  CHECK(groupedPin("12345678") == "1234 5678");
  CHECK(groupedPin("123456789") == "123 456 789");
  CHECK(groupedPin("12345") == "12345");
  CHECK(groupedPin("1234567890") == "1234567890");
  CHECK(groupedPin("12a456") == "12a456");
  CHECK(groupedPin("") == "");
}
