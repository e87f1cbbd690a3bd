// SPDX-License-Identifier: EUPL-1.2
// Tests of the meeting tools through the Conference and its Room (ConferenceFixture.hpp): chat
// (routing, history, export, limits), the speaker queue and the floor, speaking time with a
// hand-driven clock, the layout and the active speaker, and that guests can do no moderator's
// part of it.
#include "ConferenceFixture.hpp"

#include "signaling/ChatExport.hpp"

#include <sstream>

using namespace std::chrono_literals;

namespace {

std::string json(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

std::string chatJson(const std::string& text, const std::string& to = "everyone") {
  Poco::JSON::Object o;
  o.set("type", "chat");
  o.set("text", text);
  o.set("to", to);
  return json(o);
}

std::vector<std::string> texts(const Poco::JSON::Array::Ptr& messages) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < messages->size(); ++i) {
    out.push_back(messages->getObject(static_cast<unsigned>(i))->getValue<std::string>("text"));
  }
  return out;
}

// The chat texts a client received as `chat` messages.
std::vector<std::string> chatTexts(const Client& c) {
  std::vector<std::string> out;
  for (const auto& m : c.of("chat")) out.push_back(m->getObject("message")->getValue<std::string>("text"));
  return out;
}

// The participant ids of the last queue-updated a client got.
std::vector<std::string> lastQueue(const Client& c) {
  const auto updates = c.of("queue-updated");
  REQUIRE_FALSE(updates.empty());
  std::vector<std::string> out;
  const auto queue = updates.back()->getArray("queue");
  for (std::size_t i = 0; i < queue->size(); ++i) {
    const auto e = queue->getObject(static_cast<unsigned>(i));
    out.push_back(e->getValue<std::string>("participantId") + ":" + e->getValue<std::string>("kind"));
  }
  return out;
}

std::string entryIdOf(const Room& room, const std::string& participantId) {
  for (const auto& e : room.speakerQueue().entries()) if (e.participantId == participantId) return e.entryId;
  FAIL("no entry of " << participantId);
  return {};
}

// The floor of the last floor-updated a client got (null: empty Ptr).
Poco::JSON::Object::Ptr lastFloor(const Client& c) {
  const auto updates = c.of("floor-updated");
  REQUIRE_FALSE(updates.empty());
  return updates.back()->getObject("floor");
}

std::string entryJson(const std::string& type, const std::string& entryId) {
  return R"({"type":")" + type + R"(","entryId":")" + entryId + R"("})";
}

// A meeting in a persistent room: a moderator and two guests.
struct Meeting {
  World w;
  std::shared_ptr<Client> mod = w.join("Mod", persistentRoom("p", false), Role::Moderator);
  std::shared_ptr<Client> anna = w.join("Anna", persistentRoom("p", false));
  std::shared_ptr<Client> bob = w.join("Bob", persistentRoom("p", false));
  const Room& room() const { return w.room("p"); }
  void clearAll() {
    for (auto* c : {mod.get(), anna.get(), bob.get()}) c->clear();
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------------

SCENARIO("joined is followed by the state of the meeting tools", "[signaling][Room][tools]") {
  World w;
  auto mod = w.join("Mod", adHoc("r"));
  THEN("in an empty meeting: no chat, no queue, no floor, grid, nobody speaking") {
    CHECK(mod->types() == std::vector<std::string>{"joined", "chat-history", "queue-updated", "floor-updated",
                                                   "layout-updated", "active-speaker", "recording-updated",
                                                   "presentation", "lobby-updated", "offer"});
    CHECK(mod->of("chat-history").at(0)->getArray("messages")->size() == 0);
    CHECK(mod->of("queue-updated").at(0)->getArray("queue")->size() == 0);
    const auto floor = mod->of("floor-updated").at(0);
    CHECK(floor->get("floor").isEmpty());
    CHECK(floor->getObject("speakingTime")->getValue<int>("limitSeconds") == 0);
    CHECK_FALSE(floor->getObject("speakingTime")->getValue<bool>("autoEnd"));
    CHECK(mod->of("layout-updated").at(0)->getValue<std::string>("layout") == "grid");
    CHECK(mod->of("active-speaker").at(0)->get("participantId").isEmpty());
  }
  WHEN("a late joiner comes into a meeting with a queue, a floor, a layout and a speaker") {
    auto anna = w.join("Anna", adHoc("r"));
    w.send(anna, R"({"type":"raise-hand"})");
    w.send(mod, R"({"type":"speaking-time","limitSeconds":120,"autoEnd":false})");
    w.send(mod, R"({"type":"give-floor","participantId":")" + mod->id + R"("})");
    w.send(mod, R"({"type":"layout","layout":"speaker"})");
    w.media["r"].media->listener.OnRoomMediaActiveSpeaker(anna->id);
    w.advance(20s);
    auto bob = w.join("Bob", adHoc("r"));
    THEN("it learns all of it right after joined") {
      const auto types = bob->types();
      REQUIRE(types.size() >= 6);
      CHECK(std::vector<std::string>(types.begin(), types.begin() + 6) ==
            std::vector<std::string>{"joined", "chat-history", "queue-updated", "floor-updated", "layout-updated",
                                     "active-speaker"});
      CHECK(lastQueue(*bob) == std::vector<std::string>{anna->id + ":speak"});
      const auto floor = lastFloor(*bob);
      REQUIRE(floor);
      CHECK(floor->getValue<std::string>("participantId") == mod->id);
      CHECK(floor->getValue<std::string>("name") == "Mod");
      CHECK(floor->getValue<int>("limitSeconds") == 120);
      CHECK(floor->getValue<int>("remainingMs") == 100000);  // computed when sent
      CHECK(floor->getValue<std::string>("since") == "2026-11-26T20:51:03.120Z");
      CHECK(bob->of("layout-updated").at(0)->getValue<std::string>("layout") == "speaker");
      CHECK(bob->of("active-speaker").at(0)->getValue<std::string>("participantId") == anna->id);
    }
  }
}

SCENARIO("Chat messages go to everyone or privately to the moderators", "[signaling][Room][chat]") {
  Meeting m;
  m.clearAll();
  WHEN("a guest writes to everyone") {
    m.w.send(m.anna, chatJson("  Hallo zusammen  "));
    THEN("everyone gets it, the sender included, trimmed") {
      for (auto* c : {m.mod.get(), m.anna.get(), m.bob.get()}) CHECK(chatTexts(*c) == std::vector<std::string>{"Hallo zusammen"});
    }
    THEN("the message says who wrote it, to whom and when") {
      const auto msg = m.bob->of("chat").at(0)->getObject("message");
      CHECK(msg->getValue<std::string>("id") == "m1");
      CHECK(msg->getObject("from")->getValue<std::string>("participantId") == m.anna->id);
      CHECK(msg->getObject("from")->getValue<std::string>("name") == "Anna");
      CHECK(msg->getObject("from")->getValue<std::string>("role") == "guest");
      CHECK(msg->getValue<std::string>("to") == "everyone");
      CHECK(msg->getValue<std::string>("time") == "2026-11-26T20:51:03.120Z");
    }
  }
  WHEN("a guest writes to the moderators") {
    m.w.send(m.anna, chatJson("nur für euch", "moderators"));
    THEN("the moderators and the sender get it, nobody else") {
      CHECK(chatTexts(*m.mod) == std::vector<std::string>{"nur für euch"});
      CHECK(chatTexts(*m.anna) == std::vector<std::string>{"nur für euch"});
      CHECK(chatTexts(*m.bob).empty());
      CHECK(m.mod->of("chat").at(0)->getObject("message")->getValue<std::string>("to") == "moderators");
    }
  }
  WHEN("someone waiting in the lobby writes") {
    World w;
    auto mod = w.join("Mod", persistentRoom("l", true), Role::Moderator);
    auto waiting = w.join("Wartend", persistentRoom("l", true));
    mod->clear();
    w.send(waiting, chatJson("hallo?"));
    THEN("it is refused and nobody hears of it") {
      CHECK(waiting->errors() == std::vector<std::string>{"not-joined"});
      CHECK(mod->messages.empty());
      CHECK(w.room("l").chatLog().size() == 0);
    }
  }
}

SCENARIO("Late joiners get the chat history they may read", "[signaling][Room][chat]") {
  Meeting m;
  m.w.send(m.anna, chatJson("öffentlich 1"));
  m.w.send(m.anna, chatJson("privat von Anna", "moderators"));
  m.w.send(m.mod, chatJson("unter Moderatoren", "moderators"));
  m.w.send(m.mod, chatJson("öffentlich 2"));
  WHEN("a guest joins") {
    auto carl = m.w.join("Carl", persistentRoom("p", false));
    THEN("it gets the messages to everyone only, oldest first") {
      const auto history = carl->of("chat-history");
      REQUIRE(history.size() == 1);
      CHECK(texts(history[0]->getArray("messages")) == std::vector<std::string>{"öffentlich 1", "öffentlich 2"});
    }
    WHEN("it is promoted") {
      carl->clear();
      m.w.send(m.mod, targeted("promote", carl->id));
      THEN("it gets the history again, now with the messages to the moderators") {
        const auto history = carl->of("chat-history");
        REQUIRE(history.size() == 1);
        CHECK(texts(history[0]->getArray("messages")) ==
              std::vector<std::string>{"öffentlich 1", "privat von Anna", "unter Moderatoren", "öffentlich 2"});
      }
    }
  }
  WHEN("a moderator joins") {
    auto mod2 = m.w.join("Mod2", persistentRoom("p", false), Role::Moderator);
    THEN("it gets all of it") {
      CHECK(texts(mod2->of("chat-history").at(0)->getArray("messages")).size() == 4);
    }
  }
  WHEN("the meeting ends and a new one begins") {
    m.w.send(m.mod, R"({"type":"end"})");
    auto again = m.w.join("Mod", persistentRoom("p", false), Role::Moderator);
    THEN("the chat is gone") { CHECK(again->of("chat-history").at(0)->getArray("messages")->size() == 0); }
  }
  WHEN("everyone leaves and someone comes back") {
    for (auto* c : {&m.mod, &m.anna, &m.bob}) m.w.close(*c);
    CHECK(m.w.conference->roomCount() == 0);
    auto again = m.w.join("Mod", persistentRoom("p", false), Role::Moderator);
    THEN("the chat is gone") { CHECK(again->of("chat-history").at(0)->getArray("messages")->size() == 0); }
  }
}

SCENARIO("Moderators export the chat", "[signaling][Room][chat]") {
  Meeting m;
  m.w.send(m.anna, chatJson("Guten Abend"));
  m.w.send(m.bob, chatJson("eine Frage", "moderators"));
  m.clearAll();
  WHEN("a moderator asks for Markdown") {
    m.w.send(m.mod, R"({"type":"chat-export","format":"markdown"})");
    THEN("only the moderator gets the file, with every message, the private one marked") {
      const auto answers = m.mod->of("chat-export");
      REQUIRE(answers.size() == 1);
      CHECK(answers[0]->getValue<std::string>("format") == "markdown");
      CHECK(answers[0]->getValue<std::string>("filename") ==
            "chat-p-" + localDate(ManualTimers::startWallTime()) + ".md");
      const auto content = answers[0]->getValue<std::string>("content");
      CHECK(content.find("# Chat: Sprechstunde p") == 0);
      CHECK(content.find("Anna**: Guten Abend") != std::string::npos);
      CHECK(content.find("Bob** _(to moderators)_: eine Frage") != std::string::npos);
      CHECK(m.anna->messages.empty());
      CHECK(m.bob->messages.empty());
    }
  }
  WHEN("a moderator asks for plain text") {
    m.w.send(m.mod, R"({"type":"chat-export","format":"text"})");
    const auto answer = m.mod->of("chat-export").at(0);
    CHECK(answer->getValue<std::string>("filename").ends_with(".txt"));
    CHECK(answer->getValue<std::string>("content").find("] Bob (to moderators): eine Frage\n") != std::string::npos);
  }
}

SCENARIO("Chat and hand messages are limited in rate", "[signaling][Room][limits]") {
  Meeting m;
  m.clearAll();
  GIVEN("chat: 5 in a burst, then 1 a second") {
    for (int i = 1; i <= 5; ++i) m.w.send(m.anna, chatJson("nachricht " + std::to_string(i)));
    m.w.send(m.anna, chatJson("zu schnell"));
    THEN("the sixth is refused with too-fast (not fatal, retryAfter), and nobody gets it") {
      const auto errors = m.anna->of("error");
      REQUIRE(errors.size() == 1);
      CHECK(errors[0]->getValue<std::string>("code") == "too-fast");
      CHECK_FALSE(errors[0]->getValue<bool>("fatal"));
      CHECK(errors[0]->getValue<int>("retryAfter") == 1);
      CHECK(chatTexts(*m.bob).size() == 5);
      CHECK(m.room().chatLog().size() == 5);
      CHECK_FALSE(m.anna->closed);
    }
    THEN("others may still write") {
      m.w.send(m.bob, chatJson("ich auch"));
      CHECK(m.bob->errors().empty());
    }
    THEN("a second later one more is accepted") {
      m.w.advance(1s);
      m.anna->clear();
      m.w.send(m.anna, chatJson("wieder da"));
      CHECK(m.anna->errors().empty());
      CHECK(chatTexts(*m.bob).back() == "wieder da");
    }
  }
  GIVEN("hand and queue messages: 10 in a burst, then 2 a second") {
    for (int i = 0; i < 5; ++i) {
      m.w.send(m.anna, R"({"type":"raise-hand"})");
      m.w.send(m.anna, R"({"type":"lower-hand"})");
    }
    REQUIRE(m.anna->errors().empty());
    m.w.send(m.anna, R"({"type":"raise-hand"})");
    THEN("the eleventh is refused and changes nothing") {
      CHECK(m.anna->errors() == std::vector<std::string>{"too-fast"});
      CHECK(m.room().speakerQueue().entries().empty());
    }
    THEN("chat has its own budget") {
      m.anna->clear();
      m.w.send(m.anna, chatJson("trotzdem"));
      CHECK(m.anna->errors().empty());
    }
    THEN("half a second later one more is accepted") {
      m.w.advance(500ms);
      m.anna->clear();
      m.w.send(m.anna, R"({"type":"raise-hand"})");
      CHECK(m.anna->errors().empty());
      CHECK(m.room().speakerQueue().entries().size() == 1);
    }
  }
}

SCENARIO("The speaker queue through the room", "[signaling][Room][queue]") {
  Meeting m;
  m.clearAll();
  m.w.send(m.anna, R"({"type":"raise-hand"})");
  m.w.send(m.bob, R"({"type":"raise-hand","kind":"speak"})");
  m.w.send(m.mod, R"({"type":"raise-hand","kind":"point-of-order"})");
  THEN("everyone sees the same queue, the point of order first") {
    const std::vector<std::string> expected{m.mod->id + ":point-of-order", m.anna->id + ":speak", m.bob->id + ":speak"};
    for (auto* c : {m.mod.get(), m.anna.get(), m.bob.get()}) {
      CHECK(c->of("queue-updated").size() == 3);
      CHECK(lastQueue(*c) == expected);
    }
    const auto entry = m.bob->of("queue-updated").back()->getArray("queue")->getObject(1);
    CHECK(entry->getValue<std::string>("entryId") == "q1");
    CHECK(entry->getValue<std::string>("name") == "Anna");
    CHECK(entry->getValue<std::string>("raisedAt") == "2026-11-26T20:51:03.120Z");
  }
  THEN("raising the same hand again changes nothing and tells nobody") {
    m.clearAll();
    m.w.send(m.anna, R"({"type":"raise-hand"})");
    CHECK(m.anna->errors().empty());
    CHECK_FALSE(m.bob->got("queue-updated"));
  }
  WHEN("a guest lowers its hand") {
    m.w.send(m.anna, R"({"type":"lower-hand"})");
    CHECK(lastQueue(*m.bob) == std::vector<std::string>{m.mod->id + ":point-of-order", m.bob->id + ":speak"});
  }
  WHEN("a guest tries to lower someone else's entry") {
    m.clearAll();
    m.w.send(m.anna, entryJson("lower-hand", entryIdOf(m.room(), m.bob->id)));
    THEN("no-such-entry, nothing changes") {
      CHECK(m.anna->errors() == std::vector<std::string>{"no-such-entry"});
      CHECK(m.room().speakerQueue().entries().size() == 3);
      CHECK_FALSE(m.bob->got("queue-updated"));
    }
  }
  WHEN("the moderator moves the last entry to the front") {
    m.w.send(m.mod, R"({"type":"queue-move","entryId":")" + entryIdOf(m.room(), m.bob->id) + R"(","position":0})");
    CHECK(lastQueue(*m.anna) ==
          std::vector<std::string>{m.bob->id + ":speak", m.mod->id + ":point-of-order", m.anna->id + ":speak"});
  }
  WHEN("the moderator removes an entry") {
    m.w.send(m.mod, entryJson("queue-remove", entryIdOf(m.room(), m.anna->id)));
    CHECK(lastQueue(*m.bob) == std::vector<std::string>{m.mod->id + ":point-of-order", m.bob->id + ":speak"});
  }
  WHEN("the moderator names an entry that is not in the queue") {
    m.clearAll();
    const auto json = GENERATE(as<std::string>{}, entryJson("queue-remove", "q99"),
                               R"({"type":"queue-move","entryId":"q99","position":1})",
                               entryJson("give-floor", "q99"));
    CAPTURE(json);
    m.w.send(m.mod, json);
    CHECK(m.mod->errors() == std::vector<std::string>{"no-such-entry"});
    CHECK(m.room().speakerQueue().entries().size() == 3);
    CHECK_FALSE(m.room().speakerQueue().floor());
    CHECK(m.bob->messages.empty());
  }
  WHEN("the moderator clears the queue") {
    m.w.send(m.mod, R"({"type":"queue-clear"})");
    CHECK(lastQueue(*m.anna).empty());
  }
  WHEN("a participant leaves") {
    m.w.close(m.anna);
    THEN("its entry goes, and everyone sees the queue without it") {
      CHECK(lastQueue(*m.bob) == std::vector<std::string>{m.mod->id + ":point-of-order", m.bob->id + ":speak"});
    }
  }
}

SCENARIO("Giving and taking the floor", "[signaling][Room][floor]") {
  Meeting m;
  m.w.send(m.anna, R"({"type":"raise-hand"})");
  m.w.send(m.bob, R"({"type":"raise-hand"})");
  m.clearAll();
  WHEN("the moderator gives the floor to the first entry") {
    m.w.send(m.mod, R"({"type":"give-floor"})");
    THEN("Anna has it, her entry left the queue, the media marks her tile, everyone knows") {
      CHECK(m.w.media["p"].floor == m.anna->id);
      CHECK(lastQueue(*m.bob) == std::vector<std::string>{m.bob->id + ":speak"});
      for (auto* c : {m.mod.get(), m.anna.get(), m.bob.get()}) {
        const auto floor = lastFloor(*c);
        REQUIRE(floor);
        CHECK(floor->getValue<std::string>("participantId") == m.anna->id);
        CHECK(floor->getValue<std::string>("name") == "Anna");
        CHECK(floor->get("limitSeconds").isEmpty());
        CHECK(floor->get("remainingMs").isEmpty());
        CHECK_FALSE(floor->getValue<bool>("autoEnd"));
      }
    }
    WHEN("it is taken back") {
      m.w.send(m.mod, R"({"type":"take-floor"})");
      THEN("nobody has it") {
        CHECK(m.w.media["p"].floor == std::nullopt);
        CHECK_FALSE(lastFloor(*m.anna));
        CHECK_FALSE(m.room().speakerQueue().floor());
      }
    }
    WHEN("the floor holder leaves") {
      m.w.close(m.anna);
      THEN("the floor is free") {
        CHECK(m.w.media["p"].floor == std::nullopt);
        CHECK_FALSE(lastFloor(*m.bob));
      }
    }
  }
  WHEN("the moderator gives the floor to a given entry") {
    m.w.send(m.mod, entryJson("give-floor", entryIdOf(m.room(), m.bob->id)));
    CHECK(m.w.media["p"].floor == m.bob->id);
    CHECK(lastQueue(*m.anna) == std::vector<std::string>{m.anna->id + ":speak"});
  }
  WHEN("the moderator gives the floor to someone not in the queue") {
    m.w.send(m.mod, targeted("give-floor", m.mod->id));
    THEN("they have it and the queue stays") {
      CHECK(m.w.media["p"].floor == m.mod->id);
      CHECK(m.room().speakerQueue().entries().size() == 2);
    }
  }
  WHEN("the moderator gives the floor to a queued participant from the participant list") {
    m.w.send(m.anna, R"({"type":"raise-hand","kind":"point-of-order"})");
    m.w.send(m.mod, targeted("give-floor", m.bob->id));
    THEN("their ordinary hand is answered and leaves the queue; other entries stay") {
      CHECK(m.w.media["p"].floor == m.bob->id);
      CHECK(lastQueue(*m.anna) ==
            std::vector<std::string>{m.anna->id + ":point-of-order", m.anna->id + ":speak"});
    }
  }
  WHEN("the moderator names nobody in the meeting") {
    m.w.send(m.mod, targeted("give-floor", "nobody"));
    CHECK(m.mod->errors() == std::vector<std::string>{"no-such-participant"});
    CHECK(m.w.media["p"].floorCalls == 0);
  }
  WHEN("the queue is empty") {
    m.w.send(m.mod, R"({"type":"queue-clear"})");
    m.w.send(m.mod, R"({"type":"give-floor"})");
    CHECK(m.mod->errors() == std::vector<std::string>{"no-such-entry"});
    CHECK(m.w.media["p"].floorCalls == 0);
  }
}

SCENARIO("Speaking time", "[signaling][Room][floor][time]") {
  Meeting m;
  const bool autoEnd = GENERATE(false, true);
  CAPTURE(autoEnd);
  m.w.send(m.mod, std::string(R"({"type":"speaking-time","limitSeconds":60,"autoEnd":)") + (autoEnd ? "true" : "false") + "}");
  THEN("everyone hears of the setting") {
    const auto update = m.bob->of("floor-updated").back();
    CHECK(update->get("floor").isEmpty());
    CHECK(update->getObject("speakingTime")->getValue<int>("limitSeconds") == 60);
    CHECK(update->getObject("speakingTime")->getValue<bool>("autoEnd") == autoEnd);
    CHECK(m.w.timers.pending() == 0);  // no floor, no countdown
  }
  m.w.send(m.mod, targeted("give-floor", m.anna->id));
  THEN("the floor carries the limit and the time left") {
    const auto floor = lastFloor(*m.bob);
    REQUIRE(floor);
    CHECK(floor->getValue<int>("limitSeconds") == 60);
    CHECK(floor->getValue<int>("remainingMs") == 60000);
    CHECK(floor->getValue<bool>("autoEnd") == autoEnd);
  }
  WHEN("59.999 s pass") {
    m.clearAll();
    m.w.advance(59999ms);
    THEN("nothing happens yet") { CHECK(m.bob->messages.empty()); }
  }
  WHEN("the time runs out") {
    m.clearAll();
    m.w.advance(60s);
    THEN("everyone gets floor-time-up once") {
      for (auto* c : {m.mod.get(), m.anna.get(), m.bob.get()}) {
        const auto up = c->of("floor-time-up");
        REQUIRE(up.size() == 1);
        CHECK(up[0]->getValue<std::string>("participantId") == m.anna->id);
      }
      m.w.advance(10min);
      CHECK(m.bob->of("floor-time-up").size() == 1);
    }
    if (autoEnd) {
      THEN("with autoEnd the floor is taken back") {
        CHECK_FALSE(lastFloor(*m.bob));
        CHECK(m.w.media["p"].floor == std::nullopt);
        CHECK(m.bob->types() == std::vector<std::string>{"floor-time-up", "floor-updated"});
      }
    } else {
      THEN("without autoEnd the floor stays, with 0 ms left") {
        CHECK_FALSE(m.bob->got("floor-updated"));
        CHECK(m.w.media["p"].floor == m.anna->id);
        auto late = m.w.join("Spät", persistentRoom("p", false));
        CHECK(lastFloor(*late)->getValue<int>("remainingMs") == 0);
      }
    }
  }
  WHEN("the limit is set again during the floor") {
    m.w.advance(50s);
    m.clearAll();
    m.w.send(m.mod, R"({"type":"speaking-time","limitSeconds":30,"autoEnd":false})");
    THEN("the countdown starts again with the new limit") {
      CHECK(lastFloor(*m.bob)->getValue<int>("remainingMs") == 30000);
      m.w.advance(29s);
      CHECK_FALSE(m.bob->got("floor-time-up"));
      m.w.advance(1s);
      CHECK(m.bob->of("floor-time-up").size() == 1);
    }
  }
  WHEN("the limit is lifted during the floor") {
    m.w.send(m.mod, R"({"type":"speaking-time","limitSeconds":0,"autoEnd":false})");
    THEN("no countdown, no time-up") {
      CHECK(lastFloor(*m.bob)->get("remainingMs").isEmpty());
      CHECK(m.w.timers.pending() == 0);
      m.w.advance(2h);
      CHECK_FALSE(m.bob->got("floor-time-up"));
    }
  }
  WHEN("the floor is taken back before the time is up") {
    m.w.send(m.mod, R"({"type":"take-floor"})");
    THEN("its timer is cancelled") {
      CHECK(m.w.timers.pending() == 0);
      m.w.advance(2min);
      CHECK_FALSE(m.bob->got("floor-time-up"));
    }
  }
  WHEN("the floor goes to someone else") {
    m.w.advance(40s);
    m.w.send(m.mod, targeted("give-floor", m.bob->id));
    THEN("the new floor has the whole time") {
      CHECK(lastFloor(*m.anna)->getValue<int>("remainingMs") == 60000);
      CHECK(m.w.timers.pending() == 1);
      m.w.advance(20s);
      CHECK_FALSE(m.anna->got("floor-time-up"));
    }
  }
  WHEN("the floor holder leaves") {
    m.w.close(m.anna);
    THEN("the timer is cancelled") { CHECK(m.w.timers.pending() == 0); }
  }
  WHEN("the meeting ends") {
    m.w.send(m.mod, R"({"type":"end"})");
    THEN("no timer is left to fire into the room") {
      CHECK(m.w.timers.pending() == 0);
      m.w.advance(2min);
      CHECK(m.w.conference->roomCount() == 0);
    }
  }
}

SCENARIO("The layout", "[signaling][Room][layout]") {
  Meeting m;
  m.clearAll();
  m.w.send(m.mod, R"({"type":"layout","layout":"speaker"})");
  THEN("the media shows it and everyone hears of it") {
    CHECK(m.w.media["p"].layout == mixer::Layout::Speaker);
    for (auto* c : {m.mod.get(), m.anna.get(), m.bob.get()}) {
      CHECK(c->of("layout-updated").at(0)->getValue<std::string>("layout") == "speaker");
    }
  }
  THEN("the same layout again changes nothing") {
    m.clearAll();
    m.w.send(m.mod, R"({"type":"layout","layout":"speaker"})");
    CHECK(m.w.media["p"].layoutCalls == 1);
    CHECK(m.bob->messages.empty());
  }
}

SCENARIO("The active speaker", "[signaling][Room][speaker]") {
  Meeting m;
  m.clearAll();
  RoomMedia::Listener& media = m.w.media["p"].media->listener;
  media.OnRoomMediaActiveSpeaker(m.anna->id);
  THEN("everyone hears who speaks") {
    for (auto* c : {m.mod.get(), m.anna.get(), m.bob.get()}) {
      CHECK(c->of("active-speaker").at(0)->getValue<std::string>("participantId") == m.anna->id);
    }
  }
  THEN("the same speaker again is not news") {
    media.OnRoomMediaActiveSpeaker(m.anna->id);
    CHECK(m.bob->of("active-speaker").size() == 1);
  }
  THEN("ids of nobody in the meeting are ignored") {
    media.OnRoomMediaActiveSpeaker(std::string("nobody"));
    CHECK(m.bob->of("active-speaker").size() == 1);
    CHECK(m.room().currentActiveSpeaker() == m.anna->id);
  }
  THEN("nobody speaking is news too") {
    media.OnRoomMediaActiveSpeaker(std::nullopt);
    CHECK(m.bob->of("active-speaker").back()->get("participantId").isEmpty());
  }
  THEN("when the speaker leaves, nobody speaks") {
    m.w.close(m.anna);
    CHECK(m.bob->of("active-speaker").back()->get("participantId").isEmpty());
  }
}

SCENARIO("A guest can take no moderator's part of the meeting tools", "[signaling][Room][Permissions][tools]") {
  Meeting m;
  m.w.send(m.bob, R"({"type":"raise-hand"})");
  m.w.send(m.anna, R"({"type":"raise-hand"})");
  m.w.send(m.anna, chatJson("privat", "moderators"));
  const std::string bobEntry = entryIdOf(m.room(), m.bob->id);
  const auto [label, json] = GENERATE_COPY(table<std::string, std::string>({
      {"move the queue", R"({"type":"queue-move","entryId":")" + bobEntry + R"(","position":1})"},
      {"remove an entry", entryJson("queue-remove", bobEntry)},
      {"clear the queue", R"({"type":"queue-clear"})"},
      {"give the floor to the first", R"({"type":"give-floor"})"},
      {"give the floor to an entry", entryJson("give-floor", bobEntry)},
      {"give the floor to itself", targeted("give-floor", "SELF")},
      {"take the floor", R"({"type":"take-floor"})"},
      {"set the speaking time", R"({"type":"speaking-time","limitSeconds":10,"autoEnd":true})"},
      {"set the layout", R"({"type":"layout","layout":"speaker"})"},
      {"export the chat", R"({"type":"chat-export","format":"text"})"},
  }));
  CAPTURE(label);
  m.clearAll();
  std::string message = json;
  if (const auto at = message.find("SELF"); at != std::string::npos) message.replace(at, 4, m.anna->id);
  m.w.send(m.anna, message);
  THEN("it is refused with forbidden (not fatal)") {
    CHECK(m.anna->errors() == std::vector<std::string>{"forbidden"});
    CHECK_FALSE(m.anna->lastErrorFatal());
    CHECK_FALSE(m.anna->closed);
    CHECK_FALSE(m.anna->got("chat-export"));
  }
  THEN("nothing changes and nobody hears of it") {
    CHECK(m.room().speakerQueue().entries().size() == 2);
    CHECK(m.room().speakerQueue().entries().front().participantId == m.bob->id);
    CHECK_FALSE(m.room().speakerQueue().floor());
    CHECK(m.w.media["p"].floorCalls == 0);
    CHECK(m.w.media["p"].layoutCalls == 0);
    CHECK(m.room().currentLayout() == mixer::Layout::Grid);
    CHECK(m.w.timers.pending() == 0);
    CHECK(m.mod->messages.empty());
    CHECK(m.bob->messages.empty());
  }
}
