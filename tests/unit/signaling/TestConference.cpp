// SPDX-License-Identifier: EUPL-1.2
// Tests of signaling/Conference and signaling/Room without GStreamer (ConferenceFixture.hpp).
// The rules under test: roles (who moderates), the lobby, and every moderator action, which a
// guest must never be able to take, whatever it sends. The meeting tools: TestMeetingTools.cpp.
#include "ConferenceFixture.hpp"


// ---------------------------------------------------------------------------------------------

SCENARIO("Who moderates", "[signaling][Room]") {
  World w;
  GIVEN("an ad-hoc room") {
    auto anna = w.join("Anna", adHoc("r"));
    auto bob = w.join("Bob", adHoc("r"));
    THEN("the first in the room moderates, the others are guests") {
      CHECK(w.moderators("r") == std::vector<std::string>{"Anna"});
    }
    THEN("everyone sees who the moderators are") {
      const auto joined = bob->of("joined").at(0);
      const auto list = joined->getArray("participants");
      REQUIRE(list->size() == 2);
      CHECK(list->getObject(0)->getValue<std::string>("role") == "moderator");
      CHECK(list->getObject(1)->getValue<std::string>("role") == "guest");
      const auto announced = anna->of("participant-joined").at(0)->getObject("participant");
      CHECK(announced->getValue<std::string>("role") == "guest");
    }
    THEN("only the moderator gets the lobby list") {
      CHECK(anna->got("lobby-updated"));
      CHECK_FALSE(bob->got("lobby-updated"));
    }
    WHEN("the moderator leaves") {
      w.close(anna);
      THEN("the one longest present takes over, and everyone hears of it") {
        CHECK(w.moderators("r") == std::vector<std::string>{"Bob"});
        const auto updates = bob->of("participant-updated");
        REQUIRE_FALSE(updates.empty());
        CHECK(updates.back()->getObject("participant")->getValue<std::string>("role") == "moderator");
      }
    }
  }

  GIVEN("a persistent room") {
    auto guest = w.join("Gast", persistentRoom("p", false));
    auto staff = w.join("Frau Schmidt", persistentRoom("p", false), Role::Moderator);
    THEN("only those the appliance says are moderators moderate, whoever came first") {
      CHECK(w.moderators("p") == std::vector<std::string>{"Frau Schmidt"});
    }
    WHEN("the moderator leaves") {
      w.close(staff);
      THEN("nobody takes over") { CHECK(w.moderators("p").empty()); }
    }
  }

  GIVEN("account roles in a meeting") {
    const auto role = GENERATE(Role::Staff, Role::Admin);
    auto guest = w.join("Gast", persistentRoom("p", false));
    auto staff = w.join("Staff", persistentRoom("p", false), role);
    THEN("give no power there: only whom the appliance made moderator (owner, co-hosts) moderates") {
      CHECK(w.moderators("p").empty());
    }
  }
}

SCENARIO("An ad-hoc room and a persistent room of the same name never share a meeting", "[signaling][Room]") {
  World w;
  GIVEN("someone who opened the ad-hoc room before the persistent room was created") {
    auto squatter = w.join("Squatter", adHoc("gemeinderat"));
    REQUIRE(w.room("gemeinderat", false).participants().size() == 1);
    WHEN("the persistent room's owner and an invited guest arrive") {
      auto owner = w.join("Owner", persistentRoom("gemeinderat", false), Role::Moderator);
      auto guest = w.join("Gast", persistentRoom("gemeinderat", false));
      THEN("they meet in a room of their own, moderated by the owner only") {
        CHECK(w.conference->roomCount() == 2);
        CHECK(w.moderators("gemeinderat") == std::vector<std::string>{"Owner"});
        CHECK(w.names("gemeinderat") == std::vector<std::string>{"Owner", "Gast"});
        CHECK(w.room("gemeinderat", false).participants().size() == 1);
        CHECK(guest->of("joined").at(0)->getArray("participants")->size() == 2);  // Owner and Gast
        CHECK(squatter->of("participant-joined").empty());
      }
      THEN("the squatter's moderator actions reach nobody in the persistent room") {
        squatter->clear();
        w.send(squatter, R"({"type":"end"})");
        CHECK_FALSE(w.room("gemeinderat", true).ended());
        CHECK(w.names("gemeinderat") == std::vector<std::string>{"Owner", "Gast"});
      }
      THEN("a message naming the room is taken as the sender's own room") {
        w.send(owner, R"({"type":"lock","locked":true,"room":"gemeinderat"})");
        CHECK(owner->errors().empty());
        CHECK(w.room("gemeinderat", true).locked());
        CHECK_FALSE(w.room("gemeinderat", false).locked());
      }
      THEN("each room ends with its own last participant") {
        w.close(squatter);
        CHECK(w.conference->room("gemeinderat", false) == nullptr);
        CHECK(w.conference->room("gemeinderat", true) != nullptr);
        w.close(owner);
        w.close(guest);
        CHECK(w.conference->roomCount() == 0);
      }
    }
  }
}

SCENARIO("A guest can take no moderator action, whatever it sends", "[signaling][Room][Permissions]") {
  World w;
  const RoomPolicy policy = persistentRoom("p", true);
  auto mod = w.join("Moderatorin", policy, Role::Moderator);
  auto waiting = w.join("Wartend", policy);
  const std::string waitingIdValue = waitingId(w.room("p"), "Wartend");
  // Admitted guests: one acts, one is the target.
  auto guest = w.join("Gast", policy);
  w.send(mod, targeted("admit", waitingId(w.room("p"), "Gast")));
  auto other = w.join("Andere", policy);
  w.send(mod, targeted("admit", waitingId(w.room("p"), "Andere")));
  guest->id = guest->of("joined").at(0)->getValue<std::string>("participantId");
  other->id = other->of("joined").at(0)->getValue<std::string>("participantId");
  REQUIRE(w.names("p") == std::vector<std::string>{"Moderatorin", "Gast", "Andere"});

  const auto [label, json] = GENERATE_COPY(table<std::string, std::string>({
      {"mute another", targeted("mute", other->id)},
      {"mute the moderator", targeted("mute", mod->id)},
      {"mute-all", R"({"type":"mute-all"})"},
      {"remove another", targeted("remove", other->id)},
      {"remove the moderator", targeted("remove", mod->id)},
      {"lock", R"({"type":"lock","locked":true})"},
      {"unlock", R"({"type":"lock","locked":false})"},
      {"promote another", targeted("promote", other->id)},
      {"promote itself", targeted("promote", guest->id)},
      {"end", R"({"type":"end"})"},
      {"admit", targeted("admit", waitingIdValue)},
      {"reject", targeted("reject", waitingIdValue)},
      {"mute someone unknown", targeted("mute", "nobody")},
      {"with the room named", R"({"type":"end","room":"p"})"},
  }));
  CAPTURE(label);
  mod->clear();
  other->clear();
  waiting->clear();
  guest->clear();
  const auto mediaBefore = w.media["p"].muted;

  w.send(guest, json);

  THEN("it is refused with forbidden, not fatally") {
    CHECK(guest->errors() == std::vector<std::string>{"forbidden"});
    CHECK_FALSE(guest->lastErrorFatal());
    CHECK_FALSE(guest->closed);
  }
  THEN("nothing changes") {
    CHECK(w.names("p") == std::vector<std::string>{"Moderatorin", "Gast", "Andere"});
    CHECK(w.moderators("p") == std::vector<std::string>{"Moderatorin"});
    CHECK_FALSE(w.room("p").locked());
    CHECK_FALSE(w.room("p").ended());
    CHECK(w.room("p").waiting().size() == 1);
    CHECK(w.media["p"].muted == mediaBefore);
    CHECK(mod->messages.empty());
    CHECK(other->messages.empty());
    CHECK(waiting->messages.empty());
    CHECK_FALSE(other->closed);
    CHECK_FALSE(waiting->closed);
  }
}

SCENARIO("Someone waiting in the lobby can do nothing but wait", "[signaling][Room]") {
  World w;
  auto mod = w.join("Mod", persistentRoom("p", true), Role::Moderator);
  auto waiting = w.join("Wartend", persistentRoom("p", true));
  mod->clear();
  const auto json = GENERATE(as<std::string>{}, R"({"type":"end"})", R"({"type":"mute-all"})",
                             R"({"type":"lock","locked":true})", R"({"type":"answer","sdp":"v=0"})",
                             R"({"type":"candidate","candidate":"","sdpMLineIndex":0})");
  CAPTURE(json);
  w.send(waiting, json);
  CHECK(waiting->errors() == std::vector<std::string>{"not-joined"});
  CHECK_FALSE(w.room("p").ended());
  CHECK_FALSE(w.room("p").locked());
  CHECK(mod->messages.empty());
}

SCENARIO("The lobby", "[signaling][Room][lobby]") {
  World w;
  const RoomPolicy policy = persistentRoom("p", true);

  GIVEN("guests arriving before any moderator") {
    auto a = w.join("A", policy);
    auto b = w.join("B", policy);
    THEN("they wait: lobby, no joined, no media, in no participant list") {
      for (const auto& c : {a, b}) {
        CHECK(c->types() == std::vector<std::string>{"lobby", "recording-updated"});
        CHECK(c->of("lobby").at(0)->getValue<std::string>("state") == "waiting");
        CHECK(c->of("lobby").at(0)->getValue<std::string>("title") == "Sprechstunde p");
      }
      CHECK(w.room("p").size() == 0);
      CHECK(w.media["p"].present.empty());
    }
    WHEN("a moderator arrives") {
      auto mod = w.join("Mod", policy, Role::Moderator);
      THEN("it is let in and gets the waiting list, in knock order") {
        CHECK(mod->got("joined"));
        const auto lists = mod->of("lobby-updated");
        REQUIRE(lists.size() == 1);
        CHECK(waitingIds(lists[0]) == std::vector<std::string>{waitingId(w.room("p"), "A"), waitingId(w.room("p"), "B")});
        const auto list = lists[0]->getArray("waiting");
        CHECK(list->getObject(0)->getValue<std::string>("name") == "A");
      }
      THEN("those waiting keep waiting until admitted") {
        CHECK_FALSE(a->got("joined"));
        CHECK(w.names("p") == std::vector<std::string>{"Mod"});
      }
      AND_WHEN("another guest knocks") {
        mod->clear();
        auto c = w.join("C", policy);
        THEN("the moderator hears the knock, by name, and the new list") {
          REQUIRE(mod->of("knock").size() == 1);
          CHECK(mod->of("knock")[0]->getValue<std::string>("name") == "C");
          CHECK(mod->of("knock")[0]->getValue<std::string>("participantId") == waitingId(w.room("p"), "C"));
          CHECK(waitingIds(mod->of("lobby-updated").back()).size() == 3);
        }
        THEN("the guests in the meeting hear nothing of it") {
          // (none here but the moderator; checked in the next section)
          CHECK(w.room("p").waiting().back().name == "C");
        }
      }
      AND_WHEN("the moderator admits B") {
        const std::string idB = waitingId(w.room("p"), "B");
        mod->clear();
        w.send(mod, targeted("admit", idB));
        THEN("B joins the meeting with media, under the id it waited with") {
          REQUIRE(b->got("joined"));
          CHECK(b->of("joined")[0]->getValue<std::string>("participantId") == idB);
          CHECK(w.names("p") == std::vector<std::string>{"Mod", "B"});
          CHECK(w.media["p"].present.count(idB) == 1);
        }
        THEN("the moderator sees B join and leave the lobby") {
          CHECK(mod->got("participant-joined"));
          CHECK(waitingIds(mod->of("lobby-updated").back()) == std::vector<std::string>{waitingId(w.room("p"), "A")});
        }
        THEN("a guest in the meeting hears nothing of the lobby") {
          auto c = w.join("C", policy);
          CHECK_FALSE(b->got("knock"));
          CHECK_FALSE(b->got("lobby-updated"));
        }
      }
      AND_WHEN("the moderator rejects A") {
        const std::string idA = waitingId(w.room("p"), "A");
        w.send(mod, targeted("reject", idA));
        THEN("A is told so, fatally, and its connection closes") {
          CHECK(a->lastError() == "lobby-rejected");
          CHECK(a->lastErrorFatal());
          CHECK(a->closed);
          CHECK_FALSE(a->got("joined"));
        }
        THEN("A is gone from the lobby and the conference") {
          CHECK(waitingIds(mod->of("lobby-updated").back()) == std::vector<std::string>{waitingId(w.room("p"), "B")});
          CHECK(w.conference->participantCount() == 2);  // Mod, B waiting
        }
        THEN("admitting A now finds nobody") {
          mod->clear();
          w.send(mod, targeted("admit", idA));
          CHECK(mod->errors() == std::vector<std::string>{"no-such-participant"});
        }
      }
      AND_WHEN("A gives up waiting") {
        w.close(a);
        THEN("the moderator's list loses A") {
          CHECK(waitingIds(mod->of("lobby-updated").back()) == std::vector<std::string>{waitingId(w.room("p"), "B")});
        }
      }
    }
    WHEN("a phone says it is held upright while waiting") {
      w.send(a, R"({"type":"view","portrait":true})");
      THEN("nothing is refused and no media is touched: it says so again once in") {
        CHECK(a->errors().empty());
        CHECK(w.media["p"].shape.empty());
      }
    }
    WHEN("they switch their microphone off while waiting") {
      w.send(a, R"({"type":"media","audio":false,"video":true})");
      auto mod = w.join("Mod", policy, Role::Moderator);
      w.send(mod, targeted("admit", waitingId(w.room("p"), "A")));
      THEN("they enter muted") {
        CHECK(a->errors().empty());
        CHECK(w.media["p"].muted.at(a->of("joined")[0]->getValue<std::string>("participantId")));
      }
    }
    WHEN("all of them leave") {
      w.close(a);
      w.close(b);
      THEN("the room is gone") { CHECK(w.conference->room("p") == nullptr); }
    }
  }

  GIVEN("a room with a lobby") {
    THEN("moderators never wait") {
      auto mod = w.join("Mod", policy, Role::Moderator);
      CHECK(mod->got("joined"));
      CHECK_FALSE(mod->got("lobby"));
    }
  }

  GIVEN("a room without a lobby") {
    auto guest = w.join("Gast", persistentRoom("q", false));
    THEN("guests enter directly, even with no moderator present") {
      CHECK(guest->got("joined"));
      CHECK_FALSE(guest->got("lobby"));
    }
  }
}

SCENARIO("Removing someone bans their link session", "[signaling][Room][ban]") {
  World w;
  auto mod = w.join("Mod", adHoc("r"), Role::Guest, "link-mod");
  auto bob = w.join("Bob", adHoc("r"), Role::Guest, "link-bob");
  auto cleo = w.join("Cleo", adHoc("r"), Role::Guest, "link-cleo");
  mod->clear();
  cleo->clear();

  w.send(mod, targeted("remove", bob->id));

  THEN("the removed one is told by whom, and its connection closes") {
    REQUIRE(bob->of("removed").size() == 1);
    CHECK(bob->of("removed")[0]->getValue<std::string>("by") == "Mod");
    CHECK(bob->closed);
  }
  THEN("its media is gone and the others see it leave, removed") {
    CHECK(w.media["r"].present.count(bob->id) == 0);
    CHECK(w.names("r") == std::vector<std::string>{"Mod", "Cleo"});
    REQUIRE(cleo->of("participant-left").size() == 1);
    CHECK(cleo->of("participant-left")[0]->getValue<std::string>("reason") == "removed");
    CHECK(w.conference->participantCount() == 2);
  }
  THEN("a rejoin with the same link session is refused as banned, fatally") {
    auto again = w.join("Bob (neu)", adHoc("r"), Role::Guest, "link-bob");
    CHECK(again->errors() == std::vector<std::string>{"banned"});
    CHECK(again->lastErrorFatal());
    CHECK(again->closed);
    CHECK(w.names("r") == std::vector<std::string>{"Mod", "Cleo"});
  }
  THEN("another link session may join") {
    auto other = w.join("Dora", adHoc("r"), Role::Guest, "link-dora");
    CHECK(other->got("joined"));
  }
  THEN("the ban holds for the room's lifetime only") {
    w.close(mod);
    w.close(cleo);
    REQUIRE(w.conference->room("r") == nullptr);
    auto again = w.join("Bob", adHoc("r"), Role::Guest, "link-bob");
    CHECK(again->got("joined"));
  }
  THEN("a moderator cannot remove itself, nor someone unknown") {
    mod->clear();
    w.send(mod, targeted("remove", mod->id));
    w.send(mod, targeted("remove", "000000000000"));
    CHECK(mod->errors() == std::vector<std::string>{"bad-field", "no-such-participant"});
    CHECK_FALSE(mod->closed);
  }
}

SCENARIO("Locking the room", "[signaling][Room][lock]") {
  World w;
  const RoomPolicy policy = persistentRoom("p", false);
  auto mod = w.join("Mod", policy, Role::Moderator);
  auto guest = w.join("Gast", policy);
  w.send(mod, R"({"type":"lock","locked":true})");

  THEN("everyone hears that it is locked") {
    for (const auto& c : {mod, guest}) {
      REQUIRE(c->got("room-updated"));
      CHECK(c->of("room-updated").back()->getValue<bool>("locked"));
    }
    CHECK(w.room("p").locked());
  }
  THEN("a new guest is refused with room-locked, fatally") {
    auto late = w.join("Spät", policy);
    CHECK(late->errors() == std::vector<std::string>{"room-locked"});
    CHECK(late->closed);
    CHECK(w.names("p") == std::vector<std::string>{"Mod", "Gast"});
  }
  THEN("a new guest is refused even into the lobby") {
    auto late = w.join("Spät", persistentRoom("p", true));
    CHECK(late->errors() == std::vector<std::string>{"room-locked"});
    CHECK(w.room("p").waiting().empty());
  }
  THEN("moderators may still enter, and new joiners see the lock") {
    auto mod2 = w.join("Mod2", policy, Role::Moderator);
    REQUIRE(mod2->got("joined"));
    CHECK(mod2->of("joined")[0]->getValue<bool>("locked"));
  }
  WHEN("it is unlocked") {
    w.send(mod, R"({"type":"lock","locked":false})");
    THEN("guests get in again") {
      auto late = w.join("Spät", policy);
      CHECK(late->got("joined"));
      CHECK_FALSE(guest->of("room-updated").back()->getValue<bool>("locked"));
    }
  }
}

SCENARIO("Promoting a participant", "[signaling][Room][promote]") {
  World w;
  const RoomPolicy policy = persistentRoom("p", true);
  auto mod = w.join("Mod", policy, Role::Moderator);
  auto guest = w.join("Gast", policy);
  w.send(mod, targeted("admit", waitingId(w.room("p"), "Gast")));
  guest->id = guest->of("joined").at(0)->getValue<std::string>("participantId");
  auto waiting = w.join("Wartend", policy);
  guest->clear();
  mod->clear();

  w.send(mod, targeted("promote", guest->id));

  THEN("everyone sees the new moderator") {
    for (const auto& c : {mod, guest}) {
      REQUIRE(c->got("participant-updated"));
      const auto p = c->of("participant-updated").back()->getObject("participant");
      CHECK(p->getValue<std::string>("id") == guest->id);
      CHECK(p->getValue<std::string>("role") == "moderator");
    }
  }
  THEN("the new moderator gets the waiting list and may admit") {
    REQUIRE(guest->got("lobby-updated"));
    CHECK(waitingIds(guest->of("lobby-updated").back()).size() == 1);
    w.send(guest, targeted("admit", waitingId(w.room("p"), "Wartend")));
    CHECK(guest->errors().empty());
    CHECK(waiting->got("joined"));
  }
  THEN("promoting a moderator again changes nothing") {
    mod->clear();
    w.send(mod, targeted("promote", guest->id));
    CHECK(mod->messages.empty());
  }
}

SCENARIO("Muting", "[signaling][Room][mute]") {
  World w;
  auto mod = w.join("Mod", adHoc("r"));
  auto bob = w.join("Bob", adHoc("r"));
  auto cleo = w.join("Cleo", adHoc("r"));
  for (const auto& c : {mod, bob, cleo}) c->clear();

  WHEN("the moderator mutes Bob") {
    w.send(mod, targeted("mute", bob->id));
    THEN("Bob is muted in the mix") { CHECK(w.media["r"].muted.at(bob->id)); }
    THEN("everyone sees it, and Bob is told by whom") {
      for (const auto& c : {mod, bob, cleo}) {
        REQUIRE(c->got("participant-updated"));
        CHECK_FALSE(c->of("participant-updated").back()->getObject("participant")->getValue<bool>("audio"));
      }
      REQUIRE(bob->got("muted-by-moderator"));
      CHECK(bob->of("muted-by-moderator")[0]->getValue<std::string>("by") == "Mod");
      CHECK_FALSE(cleo->got("muted-by-moderator"));
    }
    THEN("nobody else is muted") {
      CHECK_FALSE(w.media["r"].muted.at(mod->id));
      CHECK_FALSE(w.media["r"].muted.at(cleo->id));
    }
    AND_WHEN("Bob unmutes himself") {
      w.send(bob, R"({"type":"media","audio":true,"video":true})");
      THEN("he is heard again") {
        CHECK_FALSE(w.media["r"].muted.at(bob->id));
        CHECK(cleo->of("participant-updated").back()->getObject("participant")->getValue<bool>("audio"));
      }
    }
    AND_WHEN("the moderator mutes him again") {
      bob->clear();
      w.send(mod, targeted("mute", bob->id));
      THEN("nothing more happens") { CHECK(bob->messages.empty()); }
    }
  }
  WHEN("the moderator mutes everyone else") {
    w.send(mod, R"({"type":"mute-all"})");
    THEN("everyone but the moderator is muted") {
      CHECK_FALSE(w.media["r"].muted.at(mod->id));
      CHECK(w.media["r"].muted.at(bob->id));
      CHECK(w.media["r"].muted.at(cleo->id));
      CHECK(bob->got("muted-by-moderator"));
      CHECK(cleo->got("muted-by-moderator"));
      CHECK_FALSE(mod->got("muted-by-moderator"));
    }
  }
  WHEN("the moderator mutes someone unknown") {
    w.send(mod, targeted("mute", "000000000000"));
    THEN("it is refused with no-such-participant") { CHECK(mod->errors() == std::vector<std::string>{"no-such-participant"}); }
  }
}

SCENARIO("Ending the meeting", "[signaling][Room][end]") {
  World w;
  const RoomPolicy policy = persistentRoom("p", true);
  auto mod = w.join("Mod", policy, Role::Moderator, "link-mod");
  auto guest = w.join("Gast", policy);
  w.send(mod, targeted("admit", waitingId(w.room("p"), "Gast")));
  auto waiting = w.join("Wartend", policy);
  auto other = w.join("Anderswo", persistentRoom("q", false));

  w.send(mod, R"({"type":"end"})");

  THEN("everyone in the meeting and in the lobby is told, fatally, and disconnected") {
    for (const auto& c : {mod, guest, waiting}) {
      CHECK(c->lastError() == "meeting-ended");
      CHECK(c->lastErrorFatal());
      CHECK(c->closed);
    }
    CHECK(w.media["p"].present.empty());
  }
  THEN("the room closes; other rooms carry on") {
    CHECK(w.conference->room("p") == nullptr);
    CHECK(w.conference->room("q") != nullptr);
    CHECK(w.conference->participantCount() == 1);
    CHECK_FALSE(other->closed);
  }
  THEN("a later join begins a new meeting") {
    auto again = w.join("Mod", policy, Role::Moderator, "link-mod");
    CHECK(again->got("joined"));
  }
}

SCENARIO("Participant limits", "[signaling][Room][limit]") {
  World w;
  GIVEN("a room for two") {
    const RoomPolicy policy = persistentRoom("p", false, 2);
    auto a = w.join("A", policy, Role::Moderator);
    auto b = w.join("B", policy);
    THEN("the third is refused with room-full") {
      auto c = w.join("C", policy);
      CHECK(c->errors() == std::vector<std::string>{"room-full"});
      CHECK(w.names("p") == std::vector<std::string>{"A", "B"});
    }
  }
  GIVEN("a full room with a lobby") {
    const RoomPolicy policy = persistentRoom("p", true, 2);
    auto a = w.join("A", policy, Role::Moderator);
    auto b = w.join("B", policy);
    w.send(a, targeted("admit", waitingId(w.room("p"), "B")));
    auto c = w.join("C", policy);
    THEN("one may wait, but admitting is refused with room-full, and C keeps waiting") {
      a->clear();
      w.send(a, targeted("admit", waitingId(w.room("p"), "C")));
      CHECK(a->errors() == std::vector<std::string>{"room-full"});
      CHECK_FALSE(a->closed);
      CHECK(w.room("p").isWaiting(waitingId(w.room("p"), "C")));
      CHECK_FALSE(c->closed);
    }
  }
  GIVEN("a room whose own limit is above the server's") {
    const RoomPolicy policy = persistentRoom("p", false, 1000);
    std::vector<std::shared_ptr<Client>> clients;
    for (int i = 0; i < 26; ++i) clients.push_back(w.join("P" + std::to_string(i), policy));
    THEN("the server's limit (rooms.max-participants) applies") {
      CHECK(w.room("p").size() == 25);
      CHECK(clients.back()->errors() == std::vector<std::string>{"room-full"});
    }
  }
}

SCENARIO("Joins through onMessage (appliance without join resolution)", "[signaling][Conference]") {
  World w;
  auto legacy = std::make_shared<Client>();
  legacy->session = 100;
  auto join = [&](const std::shared_ptr<Client>& c) {
    auto parsed = parseClientMessage(R"({"type":"join","room":"adhoc","name":"Alt"})");
    w.conference->onMessage(c->session, c, std::get<ClientEnvelope>(std::move(parsed)));
  };
  GIVEN("no resolved join so far") {
    join(legacy);
    THEN("the join enters an ad-hoc room, as its moderator") {
      REQUIRE(legacy->got("joined"));
      CHECK(w.moderators("adhoc") == std::vector<std::string>{"Alt"});
    }
  }
  GIVEN("a resolved join has been seen") {
    w.join("Neu", adHoc("other"));
    join(legacy);
    THEN("a join that bypasses the resolution is refused") {
      CHECK_FALSE(legacy->got("joined"));
      CHECK(legacy->errors() == std::vector<std::string>{"internal"});
      CHECK(w.conference->room("adhoc") == nullptr);
    }
  }
  GIVEN("a join on a connection that has joined") {
    auto a = w.join("A", adHoc("r"));
    JoinRequest request;
    request.room = "r";
    request.name = "A";
    request.videoCodecs = {"VP8"};
    w.conference->onJoin(a->session, a, request, JoinContext{});
    THEN("it is refused with already-joined") { CHECK(a->lastError() == "already-joined"); }
  }
}

SCENARIO("A refused join leaves no trace", "[signaling][Conference]") {
  World w;
  auto a = w.join("A", persistentRoom("p", false, 1));
  auto b = w.join("B", persistentRoom("p", false, 1));
  REQUIRE(b->lastError() == "room-full");
  CHECK(w.conference->participantCount() == 1);
  w.close(b);  // the connection closes after the refusal
  CHECK(w.names("p") == std::vector<std::string>{"A"});
  w.close(a);
  CHECK(w.conference->roomCount() == 0);
}

SCENARIO("Someone admitted from the lobby gets joined, then the offer", "[signaling][Room][lobby]") {
  World w;
  auto mod = w.join("Mod", persistentRoom("p", true), Role::Moderator);
  auto guest = w.join("Gast", persistentRoom("p", true));
  w.send(mod, targeted("admit", waitingId(w.room("p"), "Gast")));
  // Between them only the state of the meeting tools (chat, queue, floor, layout, speaker,
  // recording, presentation).
  CHECK(guest->types() == std::vector<std::string>{"lobby", "recording-updated", "joined", "chat-history",
                                                   "queue-updated", "floor-updated", "layout-updated",
                                                   "active-speaker", "recording-updated", "presentation", "offer"});
  CHECK(mod->types().front() == "joined");
}

SCENARIO("A participant whose media fails is dropped", "[signaling][Room]") {
  World w;
  auto a = w.join("A", adHoc("r"));
  auto b = w.join("B", adHoc("r"));
  a->clear();
  b->clear();
  REQUIRE(w.media["r"].media != nullptr);
  w.media["r"].media->listener.OnRoomMediaFailed(a->id, MediaFailure::ConnectionFailed, "ICE failed");
  THEN("nothing happens inside the media's callback") { CHECK(w.names("r") == std::vector<std::string>{"A", "B"}); }
  WHEN("the conference thread comes round") {
    w.runDeferred();
    THEN("the participant is told why (media-failed), disconnected and forgotten; the others see it leave") {
      const auto failed = a->of("media-failed");
      REQUIRE(failed.size() == 1);
      CHECK(failed[0]->getValue<std::string>("reason") == "connection-failed");
      CHECK_FALSE(failed[0]->getValue<std::string>("message").empty());
      CHECK(a->errors().empty());
      CHECK(a->closed);
      CHECK(w.names("r") == std::vector<std::string>{"B"});
      CHECK(b->of("participant-left").at(0)->getValue<std::string>("reason") == "media-failed");
      CHECK(w.conference->participantCount() == 1);
    }
    THEN("the ad-hoc room gets a new moderator") { CHECK(w.moderators("r") == std::vector<std::string>{"B"}); }
    THEN("they may join again (a new connection) and are in the meeting") {
      auto again = w.join("A", adHoc("r"));
      CHECK(again->got("joined"));
      CHECK(w.names("r") == std::vector<std::string>{"B", "A"});
    }
  }
  WHEN("each reason") {
    for (const auto& [failure, reason] : std::vector<std::pair<MediaFailure, std::string>>{
             {MediaFailure::AnswerRefused, "answer-refused"}, {MediaFailure::DecoderError, "decoder-error"},
             {MediaFailure::Internal, "internal"}}) {
      auto c = w.join("C", adHoc("r"));
      w.media["r"].media->listener.OnRoomMediaFailed(c->id, failure, "detail");
      w.runDeferred();
      CHECK(c->of("media-failed").at(0)->getValue<std::string>("reason") == reason);
    }
  }
}

SCENARIO("Server-wide ceilings: rooms and participants", "[signaling][Conference][limit]") {
  World w([](ConferenceSettings& s) {
    s.maxRooms = 2;
    s.maxParticipants = 3;
  });
  auto a = w.join("A", adHoc("one"));
  auto b = w.join("B", adHoc("two"));
  WHEN("a third room is asked for") {
    auto c = w.join("C", adHoc("three"));
    THEN("it is refused with server-full (fatal), and no room is made") {
      CHECK(c->errors() == std::vector<std::string>{"server-full"});
      CHECK(c->lastErrorFatal());
      CHECK(c->closed);
      CHECK(w.conference->roomCount() == 2);
    }
    THEN("an existing room still takes people") {
      auto d = w.join("D", adHoc("one"));
      CHECK(d->got("joined"));
    }
  }
  WHEN("the server holds as many participants as allowed") {
    auto d = w.join("D", adHoc("one"));
    REQUIRE(d->got("joined"));
    auto e = w.join("E", adHoc("two"));
    THEN("the next join is refused, whatever the room") {
      CHECK(e->errors() == std::vector<std::string>{"server-full"});
      CHECK(w.conference->participantCount() == 3);
    }
    THEN("someone leaving makes room again") {
      w.close(a);
      auto f = w.join("F", adHoc("two"));
      CHECK(f->got("joined"));
    }
  }
}

SCENARIO("A participant that never answers its offer is removed", "[signaling][Room][deadline]") {
  World w([](ConferenceSettings& s) { s.timeouts.answer = std::chrono::seconds(30); });
  w.autoAnswer = false;
  auto a = w.join("A", adHoc("r"));
  auto b = w.join("B", adHoc("r"));
  REQUIRE(a->got("offer"));
  w.send(a, R"({"type":"answer","sdp":"v=0 fake answer"})");
  REQUIRE(a->errors().empty());
  WHEN("the deadline passes") {
    w.advance(std::chrono::seconds(31));
    THEN("the silent one is told (answer-timeout, fatal), closed and gone; the one who answered stays") {
      CHECK(b->lastError() == "answer-timeout");
      CHECK(b->lastErrorFatal());
      CHECK(b->closed);
      CHECK(w.names("r") == std::vector<std::string>{"A"});
      CHECK(a->of("participant-left").at(0)->getValue<std::string>("reason") == "answer-timeout");
      CHECK(w.conference->participantCount() == 1);
      CHECK_FALSE(a->closed);
    }
  }
  WHEN("the answer comes just in time") {
    w.advance(std::chrono::seconds(29));
    w.send(b, R"({"type":"answer","sdp":"v=0 fake answer"})");
    w.advance(std::chrono::minutes(5));
    THEN("nobody is removed") { CHECK(w.names("r") == std::vector<std::string>{"A", "B"}); }
  }
  WHEN("the silent one leaves before the deadline") {
    w.close(b);
    w.advance(std::chrono::minutes(1));
    THEN("its deadline went with it") {
      CHECK(w.names("r") == std::vector<std::string>{"A"});
      CHECK(w.timers.pending() == 0);
    }
  }
}

SCENARIO("Nobody waits in a lobby forever", "[signaling][Room][lobby][deadline]") {
  World w([](ConferenceSettings& s) { s.timeouts.lobby = std::chrono::minutes(30); });
  const RoomPolicy policy = persistentRoom("p", true);
  auto host = w.join("Host", policy, Role::Moderator);
  auto guest = w.join("Guest", policy);
  REQUIRE(guest->got("lobby"));
  WHEN("no moderator decides within the wait limit") {
    w.advance(std::chrono::minutes(31));
    THEN("the guest is told (lobby-timeout, fatal) and gone; the moderators' list is empty") {
      CHECK(guest->lastError() == "lobby-timeout");
      CHECK(guest->lastErrorFatal());
      CHECK(guest->closed);
      CHECK(w.room("p").waiting().empty());
      CHECK(waitingIds(host->of("lobby-updated").back()).empty());
      CHECK(w.conference->participantCount() == 1);
    }
  }
  WHEN("a moderator admits the guest in time") {
    w.advance(std::chrono::minutes(10));
    w.send(host, targeted("admit", waitingId(w.room("p"), "Guest")));
    w.advance(std::chrono::hours(1));
    THEN("the lobby deadline no longer applies") {
      CHECK(w.names("p") == std::vector<std::string>{"Host", "Guest"});
      CHECK_FALSE(guest->closed);
    }
  }
}

SCENARIO("A phone turned upright gets the portrait composite", "[signaling][Room][portrait]") {
  World w;
  auto anna = w.join("Anna", adHoc("r"));
  const std::string id = anna->of("joined").at(0)->getValue<std::string>("participantId");
  WHEN("its client says it is held upright, then turned") {
    w.send(anna, R"({"type":"view","portrait":true})");
    THEN("its media takes the portrait composite") {
      CHECK(anna->errors().empty());
      CHECK(w.media["r"].shape.at(id) == mixer::CompositeShape::Portrait);
    }
    w.send(anna, R"({"type":"view","portrait":false})");
    THEN("and the landscape one again") { CHECK(w.media["r"].shape.at(id) == mixer::CompositeShape::Landscape); }
  }
  WHEN("the media cannot switch") {
    w.media["r"].shapeFails = true;
    w.send(anna, R"({"type":"view","portrait":true})");
    THEN("the client is told, and stays in the room") {
      CHECK(anna->errors() == std::vector<std::string>{"internal"});
      CHECK(w.conference->participantCount() == 1);
    }
  }
}
