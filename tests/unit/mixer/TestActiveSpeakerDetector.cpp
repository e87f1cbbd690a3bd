// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/ActiveSpeakerDetector on synthetic level sequences, one entry per 20 ms tick.
#include "mixer/ActiveSpeakerDetector.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

using plenum::mixer::ActiveSpeakerDetector;
using plenum::mixer::rmsDbfs;

namespace {

constexpr double kTalk = -20.0;   // a normal voice
constexpr double kQuiet = -100.0;  // silence

// A room of participants whose levels the test scripts tick by tick.
class Script {
public:
  explicit Script(std::vector<std::string> present) : present_(std::move(present)) {}

  // `ms` of ticks in which the named participants have these levels; the others are silent.
  void play(int ms, const std::map<std::string, double>& levels = {}) {
    for (int t = 0; t < ms / ActiveSpeakerDetector::kTickMs; ++t) {
      std::vector<ActiveSpeakerDetector::Level> tick;
      for (const auto& id : present_) {
        auto it = levels.find(id);
        tick.push_back({id, it == levels.end() ? kQuiet : it->second});
      }
      elapsedMs_ += ActiveSpeakerDetector::kTickMs;
      if (detector.tick(tick)) changes.push_back({elapsedMs_, detector.activeSpeaker()});
    }
  }
  void leave(const std::string& id) { std::erase(present_, id); }
  int elapsedMs() const { return elapsedMs_; }
  std::optional<std::string> active() const { return detector.activeSpeaker(); }

  struct Change {
    int atMs;
    std::optional<std::string> speaker;
  };
  ActiveSpeakerDetector detector;
  std::vector<Change> changes;

private:
  std::vector<std::string> present_;
  int elapsedMs_ = 0;
};

}  // namespace

SCENARIO("A participant becomes the active speaker after the onset delay", "[mixer][ActiveSpeakerDetector]") {
  Script room({"anna", "ben"});
  room.play(500);
  REQUIRE(room.changes.empty());

  WHEN("anna talks") {
    room.play(280, {{"anna", kTalk}});
    THEN("she is not active before 300 ms") { CHECK(room.active() == std::nullopt); }
    room.play(40, {{"anna", kTalk}});
    THEN("she is active from 300 ms on, reported once") {
      CHECK(room.active() == "anna");
      REQUIRE(room.changes.size() == 1);
      CHECK(room.changes[0].speaker == "anna");
    }
  }

  WHEN("somebody talks below the threshold") {
    room.play(3000, {{"anna", -50.0}});
    THEN("nobody is active") { CHECK(room.changes.empty()); }
  }

  WHEN("both start together, one louder") {
    room.play(400, {{"anna", -30.0}, {"ben", -15.0}});
    THEN("the louder one is active") { CHECK(room.active() == "ben"); }
  }
}

SCENARIO("Clicks and short noises do not make anybody the active speaker", "[mixer][ActiveSpeakerDetector]") {
  Script room({"anna", "ben"});
  const int clickMs = GENERATE(20, 40, 100, 200);
  const int pauseMs = GENERATE(300, 500, 1000);
  CAPTURE(clickMs, pauseMs);
  for (int i = 0; i < 10; ++i) {
    room.play(clickMs, {{"anna", -5.0}});
    room.play(pauseMs);
  }
  CHECK(room.changes.empty());
}

SCENARIO("The active speaker is held across the pauses of speech", "[mixer][ActiveSpeakerDetector]") {
  Script room({"anna", "ben"});
  room.play(1000, {{"anna", kTalk}});
  REQUIRE(room.active() == "anna");

  const int pauseMs = GENERATE(100, 200, 500, 900);
  CAPTURE(pauseMs);
  for (int i = 0; i < 6; ++i) {
    room.play(pauseMs);
    room.play(400, {{"anna", kTalk}});
  }
  THEN("she stays active without a single change") {
    CHECK(room.active() == "anna");
    CHECK(room.changes.size() == 1);
  }
}

SCENARIO("Silence ends the active speaker after the hold time", "[mixer][ActiveSpeakerDetector]") {
  Script room({"anna", "ben"});
  room.play(1000, {{"anna", kTalk}});
  REQUIRE(room.active() == "anna");
  const int stoppedAt = room.elapsedMs();

  room.play(1000);
  THEN("she is still active after 1 s of silence") { CHECK(room.active() == "anna"); }
  room.play(1000);
  THEN("nobody is active after 2 s of silence, and the end was reported once") {
    CHECK(room.active() == std::nullopt);
    REQUIRE(room.changes.size() == 2);
    CHECK(room.changes[1].speaker == std::nullopt);
    // The hold counts from when her smoothed level fell below the threshold.
    CHECK(room.changes[1].atMs - stoppedAt >= 1000);
    CHECK(room.changes[1].atMs - stoppedAt <= 1500);
  }
}

SCENARIO("The active speaker switches between two talkers", "[mixer][ActiveSpeakerDetector]") {
  Script room({"anna", "ben", "carl"});
  room.play(2000, {{"anna", kTalk}});
  REQUIRE(room.active() == "anna");

  WHEN("anna stops and ben talks") {
    const int benStarts = room.elapsedMs();
    room.play(2000, {{"ben", kTalk}});
    THEN("ben takes over after being louder for the switch time, without a gap") {
      REQUIRE(room.changes.size() == 2);
      CHECK(room.changes[1].speaker == "ben");
      CHECK(room.changes[1].atMs - benStarts >= 600);
      CHECK(room.changes[1].atMs - benStarts <= 700);
    }
  }

  WHEN("ben talks louder while anna carries on quietly") {
    room.play(2000, {{"anna", -40.0}, {"ben", kTalk}});
    THEN("ben takes over") {
      CHECK(room.active() == "ben");
      CHECK(room.changes.size() == 2);
    }
  }

  WHEN("ben talks more quietly while anna carries on") {
    room.play(3000, {{"anna", kTalk}, {"ben", -30.0}});
    THEN("anna stays") { CHECK(room.changes.size() == 1); }
  }

  WHEN("ben only interjects briefly") {
    room.play(400, {{"ben", kTalk}});
    room.play(1000, {{"anna", kTalk}});
    THEN("anna stays") { CHECK(room.changes.size() == 1); }
  }
}

SCENARIO("Two people alternating quickly do not make the marking flicker", "[mixer][ActiveSpeakerDetector]") {
  Script room({"anna", "ben"});
  const int turnMs = GENERATE(200, 300, 400, 500);
  CAPTURE(turnMs);
  for (int i = 0; i < 15; ++i) {
    room.play(turnMs, {{"anna", kTalk}});
    room.play(turnMs, {{"ben", kTalk}});
  }
  THEN("the speaker changes at most once") { CHECK(room.changes.size() <= 1); }
}

SCENARIO("A participant who leaves stops being the active speaker at once", "[mixer][ActiveSpeakerDetector]") {
  Script room({"anna", "ben"});
  room.play(1000, {{"anna", kTalk}});
  REQUIRE(room.active() == "anna");

  WHEN("nobody else talks") {
    room.leave("anna");
    room.play(20);
    THEN("nobody is active") { CHECK(room.active() == std::nullopt); }
  }

  WHEN("ben is talking too") {
    room.play(500, {{"anna", kTalk}, {"ben", -30.0}});
    room.leave("anna");
    room.play(20, {{"ben", -30.0}});
    THEN("ben takes over") { CHECK(room.active() == "ben"); }
  }

  WHEN("the last one leaves") {
    room.leave("anna");
    room.leave("ben");
    room.play(20);
    THEN("nobody is active") { CHECK(room.active() == std::nullopt); }
  }
}

SCENARIO("Levels that are not finite numbers count as silence", "[mixer][ActiveSpeakerDetector]") {
  Script room({"anna", "ben"});
  room.play(1000, {{"anna", kTalk}});
  REQUIRE(room.active() == "anna");
  const double level = GENERATE(-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN());
  room.play(3000, {{"anna", level}, {"ben", level}});
  CHECK(room.active() == std::nullopt);
  CHECK(room.changes.size() == 2);
}

SCENARIO("rmsDbfs measures a frame's level", "[mixer][ActiveSpeakerDetector]") {
  std::vector<int16_t> frame(960);
  CHECK(rmsDbfs({}) == ActiveSpeakerDetector::kSilenceDbfs);
  CHECK(rmsDbfs(frame) == ActiveSpeakerDetector::kSilenceDbfs);

  for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = i % 2 ? 32767 : -32768;
  CHECK(rmsDbfs(frame) == Approx(0.0).margin(0.01));

  // A sine at 30 % of full scale (the media tests' tone): 20 log10(0.3 / sqrt 2) = -13.5 dBFS.
  for (std::size_t i = 0; i < frame.size(); ++i) {
    frame[i] = static_cast<int16_t>(0.3 * 32767 * std::sin(2 * std::numbers::pi * 500 * double(i) / 48000));
  }
  CHECK(rmsDbfs(frame) == Approx(-13.5).margin(0.1));
}
