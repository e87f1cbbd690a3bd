// SPDX-License-Identifier: EUPL-1.2
// Telephone callers in the room model: they join like browsers (with a PhoneLine instead of an
// offer), wait in the lobby, are listed with "phone": true, and are moderated like anyone else.
#include "ConferenceFixture.hpp"

namespace {

struct FakeCall : PhoneLine {};

Poco::JSON::Object::Ptr participantNamed(const Client& client, const std::string& type, const std::string& name) {
  for (const auto& m : client.of(type)) {
    const auto list = m->getArray("participants");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
      auto p = list->getObject(static_cast<unsigned>(i));
      if (p->getValue<std::string>("name") == name) return p;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a caller enters a room nobody is in yet, without an offer", "[phone]") {
  World world;
  auto caller = world.join("Telefon …1234", persistentRoom("rat", false), Role::Guest, "phone-1",
                           std::make_shared<FakeCall>());
  REQUIRE(caller->got("joined"));
  CHECK_FALSE(caller->got("offer"));
  auto& media = world.media.at("rat");
  CHECK(media.present.count(caller->id) == 1);
  CHECK(media.visible.at(caller->id) == false);
  auto self = participantNamed(*caller, "joined", "Telefon …1234");
  REQUIRE(self);
  CHECK(self->getValue<bool>("phone") == true);
  CHECK(self->getValue<bool>("video") == false);

  // A browser that comes later sees the caller as a phone; the browser is no phone.
  auto browser = world.join("Rot", persistentRoom("rat", false), Role::Moderator);
  auto listed = participantNamed(*browser, "joined", "Telefon …1234");
  REQUIRE(listed);
  CHECK(listed->getValue<bool>("phone") == true);
  CHECK_FALSE(participantNamed(*browser, "joined", "Rot")->has("phone"));
}

TEST_CASE("a caller waits in the lobby until a moderator admits them", "[phone]") {
  World world;
  auto moderator = world.join("Rot", persistentRoom("rat", true), Role::Moderator);
  auto caller = world.join("Telefon …1234", persistentRoom("rat", true), Role::Guest, "phone-2",
                           std::make_shared<FakeCall>());
  REQUIRE(caller->got("lobby"));
  REQUIRE(moderator->got("knock"));
  const std::string waitingId = moderator->of("knock").back()->getValue<std::string>("participantId");
  world.send(moderator, R"({"type":"admit","participantId":")" + waitingId + R"("})");
  REQUIRE(caller->got("joined"));
  CHECK_FALSE(caller->got("offer"));
  CHECK(world.media.at("rat").present.count(waitingId) == 1);
}

TEST_CASE("moderators mute callers, mute-all included; callers unmute with their keypad", "[phone]") {
  World world;
  auto moderator = world.join("Rot", persistentRoom("rat", false), Role::Moderator);
  auto caller = world.join("Telefon …1234", persistentRoom("rat", false), Role::Guest, "phone-3",
                           std::make_shared<FakeCall>());
  world.send(moderator, R"({"type":"mute-all"})");
  CHECK(world.media.at("rat").muted.at(caller->id) == true);
  CHECK(caller->got("muted-by-moderator"));
  world.send(caller, R"({"type":"media","audio":true,"video":false})");  // what *6 sends
  CHECK(world.media.at("rat").muted.at(caller->id) == false);
  world.send(caller, R"({"type":"raise-hand"})");  // what *9 sends
  REQUIRE(moderator->got("queue-updated"));
  auto queue = moderator->of("queue-updated").back()->getArray("queue");
  REQUIRE(queue->size() == 1);
  CHECK(queue->getObject(0)->getValue<std::string>("participantId") == caller->id);
}
