// SPDX-License-Identifier: EUPL-1.2
// Breakout rooms through the Conference (ConferenceFixture.hpp: fake media, hand-driven clock):
// the plan (automatic, manual, free choice), the moves and what everyone is told, the timer,
// extension and the closing countdown, the way back, and the unlucky paths: people who leave,
// come back, or ask for what they may not.
#include "ConferenceFixture.hpp"

#include "signaling/Breakouts.hpp"

using namespace std::chrono_literals;

namespace {

// A meeting of a moderator and four guests in a persistent room.
struct Meeting {
  World w{[](ConferenceSettings& s) { s.breakoutClosing = 60s; }};
  std::shared_ptr<Client> mod = w.join("Moderatorin", persistentRoom("rat", false), Role::Moderator);
  std::vector<std::shared_ptr<Client>> guests{w.join("Anna", persistentRoom("rat", false)),
                                              w.join("Ben", persistentRoom("rat", false)),
                                              w.join("Cem", persistentRoom("rat", false)),
                                              w.join("Dora", persistentRoom("rat", false))};

  void clearAll() {
    mod->clear();
    for (auto& g : guests) g->clear();
  }
  // The breakout room a client was last told it is in ("" = plenum).
  static std::string where(const Client& c) {
    const auto updates = c.of("breakouts-updated");
    REQUIRE_FALSE(updates.empty());
    const auto last = updates.back();
    return last->isNull("yourRoom") ? "" : last->getValue<std::string>("yourRoom");
  }
  static std::string state(const Client& c) {
    const auto updates = c.of("breakouts-updated");
    REQUIRE_FALSE(updates.empty());
    return updates.back()->getValue<std::string>("state");
  }
  const FakeMedia::State& media(const std::string& key) { return w.media.at(key); }
};

const std::string kOpenTwo =
    R"({"type":"breakout-open","rooms":["Gruppe A","Gruppe B"],"assignment":"automatic","durationSeconds":600})";

}  // namespace

TEST_CASE("An automatic plan spreads the guests evenly and keeps the moderator in the plenum", "[signaling][breakouts]") {
  Meeting m;
  m.clearAll();
  m.w.send(m.mod, kOpenTwo);
  CHECK(m.mod->errors().empty());
  CHECK(Meeting::where(*m.mod).empty());
  std::map<std::string, int> perRoom;
  for (auto& g : m.guests) {
    const std::string room = Meeting::where(*g);
    ++perRoom[room];
    // Told where they are now, who is there, and that room's (empty) tools.
    const auto moved = g->of("moved");
    REQUIRE(moved.size() == 1);
    CHECK(moved[0]->getObject("breakout")->getValue<std::string>("id") == room);
    CHECK(moved[0]->getValue<std::string>("room") == "rat");
    CHECK(g->got("chat-history"));
    CHECK(g->got("queue-updated"));
    CHECK_FALSE(g->got("offer"));  // the same connection: no new offer
  }
  CHECK(perRoom == std::map<std::string, int>{{"b1", 2}, {"b2", 2}});
  // The media went along: two endpoints in each breakout room, the moderator alone in the plenum.
  CHECK(m.media("rat#b1").present.size() == 2);
  CHECK(m.media("rat#b2").present.size() == 2);
  CHECK(m.media("rat#b1").moved == 2);
  CHECK(m.media("rat").present == std::set<std::string>{m.mod->id});
  CHECK(m.w.room("rat").size() == 1);
  CHECK(m.w.conference->roomCount() == 3);
  // Everyone sees the rooms with their members and the time left.
  const auto update = m.mod->of("breakouts-updated").back();
  CHECK(update->getValue<std::string>("state") == "open");
  CHECK(update->getValue<long long>("remainingMs") == 600000);
  CHECK(update->getArray("rooms")->size() == 2);
  CHECK(update->getArray("rooms")->getObject(0)->getArray("members")->size() == 2);
}

TEST_CASE("Each breakout room has its own chat and speaker queue", "[signaling][breakouts]") {
  Meeting m;
  m.w.send(m.mod, kOpenTwo);
  std::shared_ptr<Client> inB1, otherInB1, inB2;
  for (auto& g : m.guests) {
    if (Meeting::where(*g) == "b1") (inB1 ? otherInB1 : inB1) = g;
    else inB2 = g;
  }
  m.clearAll();
  m.w.send(inB1, R"({"type":"chat","text":"Nur für Gruppe A"})");
  CHECK(otherInB1->got("chat"));
  CHECK_FALSE(inB2->got("chat"));
  CHECK_FALSE(m.mod->got("chat"));
  m.w.send(inB2, R"({"type":"raise-hand"})");
  CHECK(inB2->got("queue-updated"));
  CHECK_FALSE(inB1->got("queue-updated"));
  CHECK_FALSE(m.mod->got("queue-updated"));
}

TEST_CASE("The breakout rooms close after their time and a countdown, and everyone is back", "[signaling][breakouts]") {
  Meeting m;
  m.w.send(m.mod, R"({"type":"breakout-open","rooms":["A","B"],"durationSeconds":60})");
  m.clearAll();
  m.w.advance(59s);
  CHECK_FALSE(m.mod->got("breakouts-updated"));
  m.w.advance(1s);
  CHECK(Meeting::state(*m.mod) == "closing");
  CHECK(Meeting::state(*m.guests[0]) == "closing");
  CHECK(m.guests[0]->of("breakouts-updated").back()->getValue<long long>("remainingMs") == 60000);
  // More time, during the countdown: open again.
  m.w.send(m.mod, R"({"type":"breakout-extend","seconds":120})");
  CHECK(Meeting::state(*m.guests[1]) == "open");
  CHECK(m.guests[1]->of("breakouts-updated").back()->getValue<long long>("remainingMs") == 120000);
  m.w.advance(120s);
  CHECK(Meeting::state(*m.guests[1]) == "closing");
  m.clearAll();
  m.w.advance(59s);
  CHECK(m.w.room("rat").size() == 1);
  m.w.advance(1s);
  CHECK(m.w.room("rat").size() == 5);
  CHECK(m.media("rat").present.size() == 5);
  for (auto& g : m.guests) {
    REQUIRE(g->of("moved").size() == 1);
    CHECK(g->of("moved")[0]->isNull("breakout"));
    CHECK(Meeting::state(*g) == "closed");
    CHECK_FALSE(g->closed);
  }
  CHECK(Meeting::state(*m.mod) == "closed");
  CHECK(m.w.conference->roomCount() == 1);
}

TEST_CASE("A moderator closes the breakout rooms early, moves people and visits", "[signaling][breakouts]") {
  Meeting m;
  m.w.send(m.mod, R"({"type":"breakout-open","rooms":["A","B"],"assignment":"manual","durationSeconds":600,"assign":{")" +
                      m.guests[0]->id + R"(":1,")" + m.guests[1]->id + R"(":2,"gone-already":1}})");
  CHECK(m.mod->errors().empty());
  CHECK(Meeting::where(*m.guests[0]) == "b1");
  CHECK(Meeting::where(*m.guests[1]) == "b2");
  CHECK(Meeting::where(*m.guests[2]).empty());  // manual: only those listed move
  // Swap two people, and send a third one in.
  m.w.send(m.mod, R"({"type":"breakout-move","participantId":")" + m.guests[0]->id + R"(","to":"b2"})");
  m.w.send(m.mod, R"({"type":"breakout-move","participantId":")" + m.guests[1]->id + R"(","to":"b1"})");
  m.w.send(m.mod, R"({"type":"breakout-move","participantId":")" + m.guests[2]->id + R"(","to":"b1"})");
  CHECK(Meeting::where(*m.guests[0]) == "b2");
  CHECK(Meeting::where(*m.guests[1]) == "b1");
  CHECK(Meeting::where(*m.guests[2]) == "b1");
  // A visit: the moderator goes to B, sees who is there, comes back.
  m.mod->clear();
  m.w.send(m.mod, R"({"type":"breakout-move","to":"b2"})");
  CHECK(Meeting::where(*m.mod) == "b2");
  REQUIRE(m.mod->got("moved"));
  CHECK(m.mod->of("moved")[0]->getArray("participants")->size() == 2);
  m.w.send(m.mod, R"({"type":"breakout-move","to":"plenum"})");
  CHECK(Meeting::where(*m.mod).empty());
  // Errors are clear.
  m.mod->clear();
  m.w.send(m.mod, R"({"type":"breakout-move","to":"b9"})");
  CHECK(m.mod->lastError() == "no-such-breakout");
  m.w.send(m.mod, R"({"type":"breakout-move","participantId":"nobody","to":"b1"})");
  CHECK(m.mod->lastError() == "no-such-participant");
  m.w.send(m.mod, kOpenTwo);
  CHECK(m.mod->lastError() == "breakouts-open");
  // Close now: the countdown, then everyone back.
  m.w.send(m.mod, R"({"type":"breakout-close"})");
  CHECK(Meeting::state(*m.guests[0]) == "closing");
  m.w.advance(60s);
  CHECK(m.w.room("rat").size() == 5);
  m.w.send(m.mod, R"({"type":"breakout-close"})");
  CHECK(m.mod->lastError() == "no-breakouts");
}

TEST_CASE("Guests choose a room only where the plan lets them, and may ask for help", "[signaling][breakouts]") {
  Meeting m;
  auto& anna = m.guests[0];
  m.w.send(anna, kOpenTwo);
  CHECK(anna->lastError() == "forbidden");
  m.w.send(m.mod, R"({"type":"breakout-open","rooms":["A","B"],"assignment":"free","durationSeconds":600})");
  CHECK(Meeting::where(*anna).empty());  // free choice: nobody is moved
  m.w.send(anna, R"({"type":"breakout-move","to":"b2"})");
  CHECK(anna->errors().size() == 1);
  CHECK(Meeting::where(*anna) == "b2");
  m.w.send(anna, R"({"type":"breakout-move","to":"b1"})");
  CHECK(Meeting::where(*anna) == "b1");
  // No early return in this plan.
  m.w.send(anna, R"({"type":"breakout-move","to":"plenum"})");
  CHECK(anna->lastError() == "forbidden");
  // Nor moving others.
  m.w.send(anna, R"({"type":"breakout-move","participantId":")" + m.guests[1]->id + R"(","to":"b1"})");
  CHECK(anna->lastError() == "forbidden");
  m.w.send(anna, R"({"type":"breakout-extend","seconds":60})");
  CHECK(anna->lastError() == "forbidden");
  // Help: only the moderators hear of it, with the room's name.
  m.clearAll();
  m.w.send(anna, R"({"type":"breakout-help"})");
  REQUIRE(m.mod->got("breakout-help"));
  CHECK(m.mod->of("breakout-help")[0]->getValue<std::string>("breakoutName") == "A");
  CHECK_FALSE(m.guests[1]->got("breakout-help"));
  // From the plenum there is nothing to ask.
  m.w.send(m.guests[1], R"({"type":"breakout-help"})");
  CHECK(m.guests[1]->lastError() == "no-breakouts");
  // A message to all rooms reaches everyone, wherever they are.
  m.clearAll();
  m.w.send(m.mod, R"({"type":"breakout-broadcast","text":"Noch 5 Minuten"})");
  CHECK(anna->of("breakout-broadcast").at(0)->getValue<std::string>("text") == "Noch 5 Minuten");
  CHECK(m.guests[1]->got("breakout-broadcast"));
  CHECK(m.mod->got("breakout-broadcast"));
}

TEST_CASE("Early return, when allowed", "[signaling][breakouts]") {
  Meeting m;
  m.w.send(m.mod, R"({"type":"breakout-open","rooms":["A","B"],"durationSeconds":600,"allowReturn":true})");
  auto& anna = m.guests[0];
  REQUIRE(Meeting::where(*anna) != "");
  m.w.send(anna, R"({"type":"breakout-move","to":"plenum"})");
  CHECK(anna->errors().empty());
  CHECK(Meeting::where(*anna).empty());
  // Choosing another room is still the moderators' part in an automatic plan.
  m.w.send(anna, R"({"type":"breakout-move","to":"b1"})");
  CHECK(anna->lastError() == "forbidden");
}

TEST_CASE("Who leaves, comes back or joins during breakouts", "[signaling][breakouts]") {
  Meeting m;
  m.w.send(m.mod, kOpenTwo);
  auto anna = m.guests[0];
  const std::string annasRoom = Meeting::where(*anna);
  // Anna's connection drops: the others see the room without her.
  m.w.close(anna);
  const auto rooms = m.mod->of("breakouts-updated").back()->getArray("rooms");
  std::size_t members = 0;
  for (std::size_t i = 0; i < rooms->size(); ++i) members += rooms->getObject(static_cast<unsigned>(i))->getArray("members")->size();
  CHECK(members == 3);
  // She comes back with the same browser: back to her room, not the plenum.
  auto again = m.w.join("Anna", persistentRoom("rat", false), Role::Guest, "link-Anna");
  CHECK(Meeting::where(*again) == annasRoom);
  CHECK(m.w.room("rat").size() == 1);
  // Someone new lands in the plenum and learns about the open rooms.
  auto emil = m.w.join("Emil", persistentRoom("rat", false));
  CHECK(Meeting::where(*emil).empty());
  CHECK(Meeting::state(*emil) == "open");
  // The moderator ends the meeting from a breakout room: everyone is told, nothing is left.
  m.w.send(m.mod, R"({"type":"breakout-move","to":"b1"})");
  m.w.send(m.mod, R"({"type":"end"})");
  for (auto& g : {again, emil, m.guests[1], m.guests[2], m.guests[3]}) {
    CHECK(g->lastError() == "meeting-ended");
    CHECK(g->closed);
  }
  m.w.runDeferred();
  CHECK(m.w.conference->roomCount() == 0);
  CHECK(m.w.conference->participantCount() == 0);
}

TEST_CASE("Removed in a breakout room is removed from the meeting", "[signaling][breakouts]") {
  Meeting m;
  m.w.send(m.mod, R"({"type":"breakout-open","rooms":["A","B"],"assignment":"manual","durationSeconds":600,"assign":{")" +
                      m.guests[0]->id + R"(":1}})");
  m.w.send(m.mod, R"({"type":"breakout-move","to":"b1"})");
  m.w.send(m.mod, targeted("remove", m.guests[0]->id));
  CHECK(m.guests[0]->got("removed"));
  CHECK(m.guests[0]->closed);
  auto again = m.w.join("Anna", persistentRoom("rat", false), Role::Guest, "link-Anna");
  CHECK(again->lastError() == "banned");
}

TEST_CASE("When the last one leaves during breakouts, the rooms go", "[signaling][breakouts]") {
  Meeting m;
  m.w.send(m.mod, kOpenTwo);
  CHECK(m.w.conference->roomCount() == 3);
  m.w.close(m.mod);
  for (auto& g : m.guests) m.w.close(g);
  m.w.runDeferred();
  CHECK(m.w.conference->roomCount() == 0);
  CHECK(m.w.timers.pending() == 0);
}

TEST_CASE("An ad-hoc room keeps its moderator while they visit a breakout room", "[signaling][breakouts]") {
  World w;
  auto first = w.join("Erste", adHoc("treff"));
  auto second = w.join("Zweite", adHoc("treff"));
  auto third = w.join("Dritte", adHoc("treff"));
  w.send(first, R"({"type":"breakout-open","rooms":["A","B"],"assignment":"manual","durationSeconds":600,"assign":{")" +
                    first->id + R"(":1}})");
  CHECK(w.moderators("treff").empty());  // no one else took over in the plenum
  w.send(first, R"({"type":"breakout-move","to":"plenum"})");
  CHECK(w.moderators("treff") == std::vector<std::string>{"Erste"});
}

TEST_CASE("Breakout plans within limits", "[signaling][breakouts]") {
  SECTION("no more rooms than people") {
    World w;
    auto alone = w.join("Allein", adHoc("solo"));
    w.send(alone, R"({"type":"breakout-open","rooms":["A","B","C"],"durationSeconds":600})");
    CHECK(alone->lastError() == "bad-field");
    CHECK(w.conference->roomCount() == 1);
  }
  SECTION("no more rooms than the server allows") {
    World w([](ConferenceSettings& s) { s.maxRooms = 2; });
    auto a = w.join("A", adHoc("voll"));
    w.join("B", adHoc("voll"));
    w.send(a, R"({"type":"breakout-open","rooms":["A","B"],"durationSeconds":600})");
    CHECK(a->lastError() == "server-full");
    CHECK(w.conference->roomCount() == 1);
  }
  SECTION("malformed plans are refused with the field named") {
    for (const char* bad : {R"({"type":"breakout-open","rooms":[],"durationSeconds":600})",
                            R"({"type":"breakout-open","rooms":["A"],"durationSeconds":5})",
                            R"({"type":"breakout-open","rooms":["A",""],"durationSeconds":600})",
                            R"({"type":"breakout-open","rooms":["A"],"durationSeconds":600,"assign":{"x":2}})",
                            R"({"type":"breakout-open","rooms":["A"],"durationSeconds":600,"assignment":"lottery"})",
                            R"({"type":"breakout-extend","seconds":0})", R"({"type":"breakout-move"})"}) {
      auto parsed = parseClientMessage(bad);
      REQUIRE(std::holds_alternative<ProtocolError>(parsed));
      CHECK(std::get<ProtocolError>(parsed).code == ErrorCode::BadField);
    }
  }
}

TEST_CASE("The automatic plan: even split in join order, listed people where listed", "[signaling][breakouts]") {
  BreakoutOpenRequest plan;
  plan.names = {"A", "B", "C"};
  plan.assign = {{"m2", 3}, {"g5", 0}};
  const std::vector<Breakouts::Member> people{{"m1", true}, {"g1", false}, {"g2", false}, {"m2", true},
                                              {"g3", false}, {"g4", false}, {"g5", false}};
  const auto places = Breakouts::place(plan, people);
  CHECK(places == std::map<std::string, std::string>{{"g1", "b1"}, {"g2", "b2"}, {"g3", "b3"}, {"g4", "b1"}, {"m2", "b3"}});
  plan.assignment = BreakoutAssignment::Free;
  CHECK(Breakouts::place(plan, people) == std::map<std::string, std::string>{{"m2", "b3"}});
}
