// SPDX-License-Identifier: EUPL-1.2
// Tests of signaling/ChatLog (who reads what, the history's size, the memory bound) and
// signaling/ChatExport (the moderators' file: plain text and Markdown).
#include "signaling/ChatExport.hpp"
#include "signaling/ChatLog.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace plenum::signaling;

namespace {

const WallTime kTime = WallTime{} + std::chrono::seconds(1795719063) + std::chrono::milliseconds(120);

std::vector<std::string> ids(const std::vector<ChatMessageInfo>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.id);
  return out;
}

const ChatAuthor kGuest{"g1", "Gast", false};
const ChatAuthor kModerator{"m1", "Frau Schmidt", true};

}  // namespace

SCENARIO("Who reads which chat message", "[signaling][ChatLog]") {
  ChatLog log;
  log.add(kGuest, ChatAudience::Everyone, "hello all", kTime);         // m1
  log.add(kGuest, ChatAudience::Moderators, "psst", kTime);             // m2
  log.add(kModerator, ChatAudience::Moderators, "among us", kTime);     // m3
  log.add(kModerator, ChatAudience::Everyone, "welcome", kTime);        // m4
  THEN("messages get ids m<n> and keep what was written") {
    CHECK(ids(log.readableBy("m1", true)) == std::vector<std::string>{"m1", "m2", "m3", "m4"});
    CHECK(log.all()[1].text == "psst");
    CHECK(log.all()[1].from.name == "Gast");
    CHECK(log.all()[1].time == kTime);
  }
  THEN("another guest reads only the messages to everyone") {
    CHECK(ids(log.readableBy("g2", false)) == std::vector<std::string>{"m1", "m4"});
  }
  THEN("the sender of a private message reads it too") {
    CHECK(ids(log.readableBy("g1", false)) == std::vector<std::string>{"m1", "m2", "m4"});
  }
  THEN("any moderator reads everything") {
    CHECK(ids(log.readableBy("m9", true)) == std::vector<std::string>{"m1", "m2", "m3", "m4"});
  }
}

SCENARIO("The history holds the last 500 messages one may read", "[signaling][ChatLog]") {
  ChatLog log;
  for (int i = 0; i < 600; ++i) log.add(kModerator, i % 2 ? ChatAudience::Moderators : ChatAudience::Everyone, "x", kTime);
  const auto moderator = log.readableBy("m2", true);
  REQUIRE(moderator.size() == 500);
  CHECK(moderator.front().id == "m101");
  CHECK(moderator.back().id == "m600");
  const auto guest = log.readableBy("g2", false);
  REQUIRE(guest.size() == 300);  // the 300 to everyone, oldest first
  CHECK(guest.front().id == "m1");
  CHECK(guest.back().id == "m599");
}

SCENARIO("The history a newcomer gets is bounded in bytes: the newest messages that fit", "[signaling][ChatLog]") {
  ChatLog log;
  const std::string longText(2000, 'x');
  for (int i = 0; i < 400; ++i) log.add(kGuest, ChatAudience::Everyone, longText, kTime);  // 800 kB
  const auto history = log.readableBy("g2", false);
  CHECK(history.size() == ChatLog::kHistoryTextBytes / longText.size());  // 131 of 2000 bytes
  CHECK(history.back().id == "m400");
  // One message larger than the limit still comes (the newest is never left out).
  CHECK(log.readableBy("g2", false, 500, 10).size() == 1);
}

SCENARIO("The chat's memory is bounded", "[signaling][ChatLog]") {
  ChatLog log(3);
  for (int i = 0; i < 5; ++i) log.add(kGuest, ChatAudience::Everyone, "x", kTime);
  CHECK(log.size() == 3);
  CHECK(log.all().front().id == "m3");
  CHECK(log.all().back().id == "m5");
  log.clear();
  CHECK(log.size() == 0);
  CHECK(log.textBytes() == 0);
  CHECK(ChatLog::kDefaultCapacity == 5000);
}

SCENARIO("The chat's text is bounded in bytes too", "[signaling][ChatLog]") {
  ChatLog log(100, 10);
  log.add(kGuest, ChatAudience::Everyone, "1234", kTime);   // m1
  log.add(kGuest, ChatAudience::Everyone, "5678", kTime);   // m2
  CHECK(log.size() == 2);
  log.add(kGuest, ChatAudience::Everyone, "abcd", kTime);   // m3: 12 bytes, m1 goes
  CHECK(log.size() == 2);
  CHECK(log.all().front().id == "m2");
  CHECK(log.textBytes() == 8);
  log.add(kGuest, ChatAudience::Everyone, std::string(50, 'x'), kTime);  // larger than all: stays alone
  CHECK(log.size() == 1);
  CHECK(log.all().front().id == "m4");
}

SCENARIO("The chat as a file", "[signaling][ChatExport]") {
  ChatLog log;
  log.add(kGuest, ChatAudience::Everyone, "Guten Abend", kTime);
  log.add(kGuest, ChatAudience::Moderators, "Frage:\nzwei\tZeilen", kTime + std::chrono::seconds(61));
  log.add({"m1", "*Mod_1*", true}, ChatAudience::Everyone, "- a [link](x) <b>", kTime);
  const RoomInfo room{"ratssitzung", "Ratssitzung #3", false};
  const std::string t1 = localClockTime(kTime);
  const std::string t2 = localClockTime(kTime + std::chrono::seconds(61));
  const std::string date = localDate(kTime);
  REQUIRE(date.size() == 10);
  REQUIRE(t1.size() == 8);

  GIVEN("plain text") {
    const auto file = exportChat(log.all(), ExportFormat::Text, room, kTime);
    THEN("the file name has the slug and the date") { CHECK(file.filename == "chat-ratssitzung-" + date + ".txt"); }
    THEN("one line per message, continued lines indented, private messages marked") {
      CHECK(file.content == "[" + t1 + "] Gast: Guten Abend\n" +
                                "[" + t2 + "] Gast (to moderators): Frage:\n    zwei\tZeilen\n" +
                                "[" + t1 + "] *Mod_1*: - a [link](x) <b>\n");
    }
  }
  GIVEN("Markdown") {
    const auto file = exportChat(log.all(), ExportFormat::Markdown, room, kTime);
    THEN("the file name ends in .md") { CHECK(file.filename == "chat-ratssitzung-" + date + ".md"); }
    THEN("a heading with title and date, one list item per message, formatting escaped") {
      CHECK(file.content == "# Chat: Ratssitzung \\#3, " + date + "\n\n" +
                                "- **" + t1 + " Gast**: Guten Abend\n" +
                                "- **" + t2 + " Gast** _(to moderators)_: Frage:\\\n  zwei\tZeilen\n" +
                                "- **" + t1 + " \\*Mod\\_1\\***: \\- a \\[link\\](x) \\<b\\>\n");
    }
  }
  GIVEN("no messages") {
    CHECK(exportChat({}, ExportFormat::Text, room, kTime).content.empty());
    CHECK(exportChat({}, ExportFormat::Markdown, room, kTime).content == "# Chat: Ratssitzung \\#3, " + date + "\n\n");
  }
}

SCENARIO("Export times are the server's local time", "[signaling][ChatExport]") {
  // Whatever the time zone of the test machine: what localtime_r says.
  const std::time_t seconds = std::chrono::system_clock::to_time_t(kTime);
  std::tm local{};
  localtime_r(&seconds, &local);
  char expected[16];
  std::snprintf(expected, sizeof expected, "%02d:%02d:%02d", local.tm_hour, local.tm_min, local.tm_sec);
  CHECK(localClockTime(kTime) == expected);
}
