// SPDX-License-Identifier: EUPL-1.2
// Tests of signaling/SpeakerQueue: the order of the queue (points of order first), moves,
// removal, clearing, the floor, and what leaving does.
#include "signaling/SpeakerQueue.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace plenum::signaling;

namespace {

const WallTime kNow = WallTime{} + std::chrono::hours(24 * 365 * 56);

// The queue as "participant:kind" strings, in order.
std::vector<std::string> order(const SpeakerQueue& queue) {
  std::vector<std::string> out;
  for (const auto& e : queue.entries()) out.push_back(e.participantId + (e.kind == HandKind::Speak ? ":s" : ":p"));
  return out;
}

std::string idOf(const SpeakerQueue& queue, const std::string& participantId, HandKind kind = HandKind::Speak) {
  for (const auto& e : queue.entries()) if (e.participantId == participantId && e.kind == kind) return e.entryId;
  FAIL("no entry of " << participantId);
  return {};
}

}  // namespace

SCENARIO("Raised hands form one queue", "[signaling][SpeakerQueue]") {
  SpeakerQueue queue;
  REQUIRE(queue.raise("a", "A", HandKind::Speak, kNow));
  REQUIRE(queue.raise("b", "B", HandKind::Speak, kNow));
  THEN("speak entries go to the end, with ids q<n>") {
    CHECK(order(queue) == std::vector<std::string>{"a:s", "b:s"});
    CHECK(queue.entries()[0].entryId == "q1");
    CHECK(queue.entries()[1].entryId == "q2");
    CHECK(queue.entries()[0].name == "A");
    CHECK(queue.entries()[0].raisedAt == kNow);
  }
  THEN("raising the same kind again changes nothing") {
    CHECK_FALSE(queue.raise("a", "A", HandKind::Speak, kNow));
    CHECK(order(queue) == std::vector<std::string>{"a:s", "b:s"});
  }
  WHEN("points of order are raised") {
    REQUIRE(queue.raise("c", "C", HandKind::PointOfOrder, kNow));
    REQUIRE(queue.raise("b", "B", HandKind::PointOfOrder, kNow));
    THEN("they go ahead of every speak entry, behind earlier points of order") {
      CHECK(order(queue) == std::vector<std::string>{"c:p", "b:p", "a:s", "b:s"});
    }
    THEN("one may have one entry of each kind") {
      CHECK_FALSE(queue.raise("b", "B", HandKind::PointOfOrder, kNow));
      CHECK(queue.entries().size() == 4);
    }
  }
  WHEN("there are only points of order") {
    SpeakerQueue only;
    only.raise("x", "X", HandKind::PointOfOrder, kNow);
    only.raise("y", "Y", HandKind::PointOfOrder, kNow);
    THEN("they keep their order") { CHECK(order(only) == std::vector<std::string>{"x:p", "y:p"}); }
  }
}

SCENARIO("Moving, removing and clearing entries", "[signaling][SpeakerQueue]") {
  SpeakerQueue queue;
  for (const char* p : {"a", "b", "c", "d"}) queue.raise(p, p, HandKind::Speak, kNow);
  const auto [label, id, position, expected] = GENERATE(table<std::string, std::string, std::size_t, std::vector<std::string>>({
      {"last to front", "d", 0, {"d:s", "a:s", "b:s", "c:s"}},
      {"first to index 2", "a", 2, {"b:s", "c:s", "a:s", "d:s"}},
      {"to its own place", "b", 1, {"a:s", "b:s", "c:s", "d:s"}},
      {"past the end = last", "a", 99, {"b:s", "c:s", "d:s", "a:s"}},
      {"to the last index", "b", 3, {"a:s", "c:s", "d:s", "b:s"}},
  }));
  CAPTURE(label);
  CHECK(queue.move(idOf(queue, id), position));
  CHECK(order(queue) == expected);
  THEN("an unknown entry is not moved") { CHECK_FALSE(queue.move("q99", 0)); }
}

SCENARIO("Entries leave the queue", "[signaling][SpeakerQueue]") {
  SpeakerQueue queue;
  queue.raise("a", "A", HandKind::Speak, kNow);
  queue.raise("b", "B", HandKind::Speak, kNow);
  queue.raise("a", "A", HandKind::PointOfOrder, kNow);
  REQUIRE(order(queue) == std::vector<std::string>{"a:p", "a:s", "b:s"});
  WHEN("a moderator removes one") {
    CHECK(queue.remove(idOf(queue, "b")));
    CHECK(order(queue) == std::vector<std::string>{"a:p", "a:s"});
    CHECK_FALSE(queue.remove("q99"));
  }
  WHEN("a participant lowers one of its hands") {
    CHECK(queue.lower("a", idOf(queue, "a", HandKind::PointOfOrder)));
    CHECK(order(queue) == std::vector<std::string>{"a:s", "b:s"});
  }
  WHEN("a participant lowers all its hands") {
    CHECK(queue.lower("a", std::nullopt));
    CHECK(order(queue) == std::vector<std::string>{"b:s"});
    THEN("again, there is nothing to lower") { CHECK_FALSE(queue.lower("a", std::nullopt)); }
  }
  WHEN("a participant tries to lower someone else's hand") {
    CHECK_FALSE(queue.lower("a", idOf(queue, "b")));
    CHECK(queue.entries().size() == 3);
  }
  WHEN("the queue is cleared") {
    CHECK(queue.clear());
    CHECK(queue.entries().empty());
    CHECK_FALSE(queue.clear());
  }
  WHEN("entries are taken (for the floor)") {
    const auto first = queue.take(std::nullopt);
    REQUIRE(first);
    CHECK(first->participantId == "a");
    CHECK(first->kind == HandKind::PointOfOrder);
    const auto byId = queue.take(idOf(queue, "b"));
    REQUIRE(byId);
    CHECK(byId->participantId == "b");
    CHECK(order(queue) == std::vector<std::string>{"a:s"});
    CHECK_FALSE(queue.take("q99"));
  }
  THEN("new entries get new ids, never reused") {
    queue.clear();
    queue.raise("a", "A", HandKind::Speak, kNow);
    CHECK(queue.entries()[0].entryId == "q4");
  }
}

SCENARIO("The floor", "[signaling][SpeakerQueue]") {
  SpeakerQueue queue;
  queue.raise("a", "A", HandKind::Speak, kNow);
  queue.raise("b", "B", HandKind::Speak, kNow);
  CHECK_FALSE(queue.floor());
  CHECK_FALSE(queue.takeFloor());
  queue.giveFloor({"b", "B", kNow});
  REQUIRE(queue.floor());
  CHECK(queue.floor()->participantId == "b");
  WHEN("it is given to someone else") {
    queue.giveFloor({"a", "A", kNow});
    CHECK(queue.floor()->participantId == "a");
  }
  WHEN("it is taken back") {
    CHECK(queue.takeFloor());
    CHECK_FALSE(queue.floor());
  }
  WHEN("the floor holder leaves") {
    const auto effect = queue.removeParticipant("b");
    THEN("its entries go and the floor is free") {
      CHECK(effect.queueChanged);
      CHECK(effect.floorFreed);
      CHECK(order(queue) == std::vector<std::string>{"a:s"});
      CHECK_FALSE(queue.floor());
    }
  }
  WHEN("someone else leaves") {
    const auto effect = queue.removeParticipant("a");
    CHECK(effect.queueChanged);
    CHECK_FALSE(effect.floorFreed);
    CHECK(queue.floor()->participantId == "b");
  }
  WHEN("someone without entries leaves") {
    const auto effect = queue.removeParticipant("z");
    CHECK_FALSE(effect.queueChanged);
    CHECK_FALSE(effect.floorFreed);
  }
}
