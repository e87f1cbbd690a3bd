// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/RoomAllocator: unique PINs and invite tokens however many rooms (drawing
// again on collision), slugs made from titles, a chosen slug that is taken.
#include "appliance/RoomAllocator.hpp"
#include "appliance/Secrets.hpp"
#include "appliance/SqliteStore.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <set>

using namespace plenum::appliance;

namespace {
struct Fixture {
  SqliteStore store{":memory:"};
  std::int64_t owner = 0;
  Fixture() {
    Account a;
    a.username = "anna";
    a.displayName = "Anna";
    a.passwordHash = "h";
    owner = store.createAccount(a).id;
  }
  RoomRecord titled(const std::string& title, const std::string& slug = "") {
    RoomRecord r;
    r.title = title;
    r.slug = slug;
    r.ownerId = owner;
    return r;
  }
};

// Hands out the given values in order, then fresh random ones.
RoomAllocator::Source scripted(std::deque<std::string> values, RoomAllocator::Source then) {
  auto queue = std::make_shared<std::deque<std::string>>(std::move(values));
  return [queue, then] {
    if (queue->empty()) return then();
    std::string v = queue->front();
    queue->pop_front();
    return v;
  };
}
}  // namespace

TEST_CASE("many rooms get distinct PINs and invite tokens", "[appliance][rooms]") {
  Fixture f;
  // 6-digit PINs: 900000 values, so 2000 rooms make collisions likely; every one is redrawn.
  RoomAllocator allocator(f.store, [] { return randomPin(6); }, [] { return randomToken(); });
  std::set<std::string> pins, tokens;
  for (int i = 0; i < 2000; ++i) {
    const RoomRecord r = allocator.create(f.titled("Room " + std::to_string(i)));
    REQUIRE(r.pin.size() == 6);
    pins.insert(r.pin);
    tokens.insert(r.inviteToken);
  }
  CHECK(pins.size() == 2000);
  CHECK(tokens.size() == 2000);
}

TEST_CASE("a PIN or token that collides is drawn again", "[appliance][rooms]") {
  Fixture f;
  auto pins = scripted({"11111111", "11111111", "11111111", "22222222"}, [] { return randomPin(8); });
  auto tokens = scripted({"tok", "tok", "tok2"}, [] { return randomToken(); });
  RoomAllocator allocator(f.store, pins, tokens);
  const RoomRecord first = allocator.create(f.titled("A"));
  CHECK(first.pin == "11111111");
  CHECK(first.inviteToken == "tok");
  const RoomRecord second = allocator.create(f.titled("B"));
  CHECK(second.pin == "22222222");
  CHECK(second.inviteToken == "tok2");
}

TEST_CASE("a source that only collides gives up instead of looping", "[appliance][rooms]") {
  Fixture f;
  RoomAllocator allocator(f.store, [] { return std::string("11111111"); }, [] { return randomToken(); });
  allocator.create(f.titled("A"));
  CHECK_THROWS_AS(allocator.create(f.titled("B")), StoreConflict);
  CHECK(f.store.rooms().size() == 1);
}

TEST_CASE("a room gets a new invite token or PIN: never the old one, never another room's", "[appliance][rooms]") {
  Fixture f;
  auto pins = scripted({"11111111", "22222222", "11111111", "22222222", "22222222", "33333333"},
                       [] { return randomPin(8); });
  auto tokens = scripted({"tokA", "tokB", "tokA", "tokB", "tokC"}, [] { return randomToken(); });
  RoomAllocator allocator(f.store, pins, tokens);
  const RoomRecord a = allocator.create(f.titled("A"));
  const RoomRecord b = allocator.create(f.titled("B"));
  REQUIRE(a.pin == "11111111");
  REQUIRE(b.inviteToken == "tokB");

  // Drawn: 11111111 (the old one, skipped), 22222222 (room B's, redrawn), 22222222, 33333333.
  const auto newPin = allocator.renewPin(a);
  REQUIRE(newPin);
  CHECK(newPin->pin == "33333333");
  CHECK(newPin->inviteToken == "tokA");
  CHECK(f.store.roomById(a.id)->pin == "33333333");
  CHECK(f.store.roomById(b.id)->pin == "22222222");

  // Drawn: tokA (the old one, skipped), tokB (room B's, redrawn), tokC.
  const auto newToken = allocator.renewInviteToken(*f.store.roomById(a.id));
  REQUIRE(newToken);
  CHECK(newToken->inviteToken == "tokC");
  CHECK_FALSE(f.store.roomByInviteToken("tokA"));
  CHECK(f.store.roomByInviteToken("tokC")->id == a.id);
  CHECK(f.store.roomById(a.id)->pin == "33333333");  // the PIN is left as it was

  SECTION("a room deleted meanwhile gets nothing") {
    f.store.deleteRoom(b.id);
    CHECK_FALSE(allocator.renewPin(b));
    CHECK_FALSE(allocator.renewInviteToken(b));
  }
  SECTION("a source that only repeats gives up instead of looping") {
    RoomAllocator stuck(f.store, [] { return std::string("22222222"); }, [] { return std::string("tokB"); });
    CHECK_THROWS_AS(stuck.renewPin(*f.store.roomById(a.id)), StoreConflict);
    CHECK_THROWS_AS(stuck.renewInviteToken(*f.store.roomById(a.id)), StoreConflict);
    CHECK(f.store.roomById(a.id)->pin == "33333333");
  }
}

TEST_CASE("slugs: made from the title with a number when taken; a chosen one must be free", "[appliance][rooms]") {
  Fixture f;
  RoomAllocator allocator(f.store, [] { return randomPin(8); }, [] { return randomToken(); });
  CHECK(allocator.create(f.titled("Bürgersprechstunde Bauamt")).slug == "buergersprechstunde-bauamt");
  CHECK(allocator.create(f.titled("Bürgersprechstunde Bauamt")).slug == "buergersprechstunde-bauamt-2");
  CHECK(allocator.create(f.titled("Bürgersprechstunde  BAUAMT!")).slug == "buergersprechstunde-bauamt-3");
  CHECK(allocator.create(f.titled("Team", "team-x")).slug == "team-x");
  try {
    allocator.create(f.titled("Other", "TEAM-X"));
    FAIL("no conflict");
  } catch (const StoreConflict& e) {
    CHECK(e.field() == "slug");
  }
}

TEST_CASE("slugFromTitle", "[appliance][rooms]") {
  const std::pair<std::string, std::string> cases[] = {
      {"Team", "team"},
      {"  Weekly   sync -- 3.14 ", "weekly-sync-3-14"},
      {"Straße über Öl", "strasse-ueber-oel"},
      {"Café", "cafe"},
      {"!!!", "room"},
      {"Сходка", "room"},  // nothing ASCII is left
      {std::string(100, 'a'), std::string(48, 'a')},
  };
  for (const auto& [title, slug] : cases) {
    CAPTURE(title);
    CHECK(RoomAllocator::slugFromTitle(title) == slug);
  }
}
