// SPDX-License-Identifier: EUPL-1.2
// Recording a meeting as the room decides it (signaling/RoomRecording): who may start and stop
// it, who is told and when, consent at the door, and the ends that are nobody's request (disk
// space, the recorder failing, the meeting ending). The archive and the media are fakes.
#include "ConferenceFixture.hpp"

namespace {

struct FakeArchive : RecordingArchive {
  std::variant<Recording, Refusal> begin(const std::string& roomId, const std::string& accountId,
                                         Timers::WallTime) override {
    begun.push_back(roomId + "/" + accountId);
    if (refuse) return Refusal{"too little free disk space to record"};
    return Recording{"rec" + std::to_string(begun.size()), "/data/recordings/rec" + std::to_string(begun.size()) + ".part.mp4"};
  }
  void finished(const std::string& id, bool complete, Timers::WallTime, std::size_t noticeCount) override {
    ended.push_back({id, complete, noticeCount});
  }
  bool diskLow() override { return low; }

  struct Ended {
    std::string id;
    bool complete;
    std::size_t noticeCount;
  };
  std::vector<std::string> begun;
  std::vector<Ended> ended;
  bool refuse = false;
  bool low = false;
};

std::string state(const Poco::JSON::Object::Ptr& m) { return m->getValue<std::string>("state"); }

}  // namespace

TEST_CASE("a moderator records a persistent room's meeting; everyone, the lobby too, is told", "[signaling][recording]") {
  World w;
  FakeArchive archive;
  w.conference->setRecordingArchive(&archive);
  const auto policy = persistentRoom("rat", true);
  auto owner = w.join("Owner", policy, Role::Moderator);
  auto guest = w.join("Gast", policy);  // waits in the lobby
  REQUIRE(guest->got("lobby"));
  REQUIRE(state(guest->of("recording-updated").back()) == "stopped");
  w.send(owner, targeted("admit", waitingId(w.room("rat"), "Gast")));
  auto waiting = w.join("Wartend", policy);
  REQUIRE(owner->of("recording-updated").back()->isNull("reason"));

  SECTION("guests may not start; the moderator may, once") {
    w.send(guest, R"({"type":"recording-start"})");
    CHECK(guest->lastError() == "forbidden");
    CHECK(archive.begun.empty());

    w.send(owner, R"({"type":"recording-start","requestId":"r1"})");
    CHECK(archive.begun == std::vector<std::string>{"7/acc-Owner"});
    CHECK(w.media["rat"].recordings == std::vector<std::string>{"/data/recordings/rec1.part.mp4"});
    for (const auto& c : {owner, guest, waiting}) {
      const auto m = c->of("recording-updated").back();
      CHECK(state(m) == "recording");
      CHECK(m->getValue<std::string>("startedBy") == "Owner");
      CHECK_FALSE(m->isNull("startedAt"));
    }
    CHECK(owner->of("recording-updated").back()->getValue<std::string>("requestId") == "r1");
    CHECK(w.room("rat").recording());

    w.send(owner, R"({"type":"recording-start"})");
    CHECK(owner->lastError() == "already-recording");
    CHECK(archive.begun.size() == 1);

    SECTION("stopped by a moderator: everyone told, the archive gets the file once the media closed it") {
      w.send(guest, R"({"type":"recording-stop"})");
      CHECK(guest->lastError() == "forbidden");
      w.send(owner, R"({"type":"recording-stop"})");
      for (const auto& c : {owner, guest, waiting}) {
        const auto m = c->of("recording-updated").back();
        CHECK(state(m) == "stopped");
        CHECK(m->getValue<std::string>("reason") == "stopped");
      }
      CHECK(archive.ended.empty());  // until the file is closed
      REQUIRE(w.media["rat"].stopped);
      w.media["rat"].stopped(true);
      REQUIRE(archive.ended.size() == 1);
      CHECK(archive.ended[0].id == "rec1");
      CHECK(archive.ended[0].complete);
      CHECK(archive.ended[0].noticeCount == 3);  // two in the meeting, one waiting
      w.send(owner, R"({"type":"recording-stop"})");
      CHECK(owner->lastError() == "not-recording");
    }

    SECTION("nobody enters without being told: a join without consent is refused, with consent counted") {
      auto late = w.join("Spaet", policy, Role::Moderator);
      CHECK(late->lastError() == "recording-consent-required");
      CHECK(late->lastErrorFatal());
      // Since when, so that the consent screen can say it; the same time everyone was told.
      CHECK(late->of("error").back()->getValue<std::string>("startedAt") ==
            owner->of("recording-updated").back()->getValue<std::string>("startedAt"));
      CHECK(late->closed);
      CHECK_FALSE(late->got("joined"));
      w.recordingConsent = true;
      auto agreed = w.join("Einverstanden", policy, Role::Moderator);
      REQUIRE(agreed->got("joined"));
      CHECK(state(agreed->of("recording-updated").back()) == "recording");
      w.send(owner, R"({"type":"recording-stop"})");
      w.media["rat"].stopped(true);
      CHECK(archive.ended.at(0).noticeCount == 4);
    }

    SECTION("too little disk space stops it within seconds, the file kept") {
      w.advance(std::chrono::seconds(6));
      CHECK(w.room("rat").recording());
      archive.low = true;
      w.advance(std::chrono::seconds(6));
      CHECK_FALSE(w.room("rat").recording());
      CHECK(owner->of("recording-updated").back()->getValue<std::string>("reason") == "disk-full");
      w.media["rat"].stopped(true);
      CHECK(archive.ended.size() == 1);
    }

    SECTION("a failing recorder stops it") {
      w.media["rat"].media->listener.OnRoomMediaRecordingFailed("filesink: No space left on device");
      w.runDeferred();
      CHECK(guest->of("recording-updated").back()->getValue<std::string>("reason") == "failed");
    }

    SECTION("the meeting's end ends it, and the file is still finished after the room is gone") {
      w.send(owner, R"({"type":"end"})");
      CHECK(w.conference->room("rat") == nullptr);
      REQUIRE(w.media["rat"].stopped);
      w.media["rat"].stopped(false);
      REQUIRE(archive.ended.size() == 1);
      CHECK_FALSE(archive.ended[0].complete);
    }
  }

  SECTION("the archive may refuse (disk space): nothing records, the moderator reads why") {
    archive.refuse = true;
    w.send(owner, R"({"type":"recording-start"})");
    CHECK(owner->lastError() == "recording-unavailable");
    CHECK(w.media["rat"].recordings.empty());
    CHECK_FALSE(w.room("rat").recording());
  }
}

TEST_CASE("ad-hoc rooms and servers without recording refuse recording-start", "[signaling][recording]") {
  World w;
  FakeArchive archive;
  SECTION("no archive: recording is off") {
    auto owner = w.join("Owner", persistentRoom("rat", false), Role::Moderator);
    w.send(owner, R"({"type":"recording-start"})");
    CHECK(owner->lastError() == "recording-unavailable");
  }
  SECTION("an ad-hoc room has no owner to hand the file to") {
    w.conference->setRecordingArchive(&archive);
    auto first = w.join("Erste", adHoc("frei"));
    w.send(first, R"({"type":"recording-start"})");
    CHECK(first->lastError() == "recording-unavailable");
    CHECK(archive.begun.empty());
  }
}
