// SPDX-License-Identifier: EUPL-1.2
// Media tests: a RoomMixer with synthetic participants of distinct colours and tones. Asserts
// what a user would observe: each tile of the (encoded, then decoded) composite carries its
// participant's colour, and each participant hears the two others' tones and not their own.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "SyntheticParticipant.hpp"
#include "mixer/ElementReaper.hpp"

#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <thread>

using namespace plenum;
using namespace std::chrono_literals;

namespace {

// The test thread plays the conference thread: the mixer's bus watch and timers run on this
// context, iterated while we poll.
class ConferenceContext {
public:
  ConferenceContext() : context_(g_main_context_new()) { g_main_context_push_thread_default(context_); }
  ~ConferenceContext() {
    g_main_context_pop_thread_default(context_);
    g_main_context_unref(context_);
  }
  // Polls `condition` (generous timeout: the CI machine has 2 loaded cores).
  bool waitFor(const std::function<bool()>& condition, std::chrono::seconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      while (g_main_context_iteration(context_, FALSE)) {
      }
      if (condition()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

private:
  GMainContext* context_;
};

// Amplitude of the `hz` component of 48 kHz samples (Goertzel).
double toneAmplitude(const std::vector<int16_t>& samples, double hz) {
  if (samples.empty()) return 0;
  const double w = 2 * std::numbers::pi * hz / 48000.0;
  const double coefficient = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (int16_t sample : samples) {
    const double s0 = sample + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return 2 * std::sqrt(std::max(0.0, power)) / static_cast<double>(samples.size());
}

struct Expected {
  const char* id;
  const char* name;
  guint argb;
  double rgb[3];
  double toneHz;
};

const Expected kPeople[] = {
    {"red", "Rita Rot", 0xffff0000, {255, 0, 0}, 500},
    {"green", "Gustav Grün", 0xff00ff00, {0, 255, 0}, 850},
    {"blue", "Berta Blau", 0xff0000ff, {0, 0, 255}, 1400},
};

// The middle of a tile: away from the name label at its bottom edge.
mixer::Rect centre(const mixer::Rect& tile) {
  return {tile.x + tile.width / 4, tile.y + tile.height / 5, tile.width / 2, tile.height / 2};
}

bool looksLike(const double rgb[3], const double expected[3], double tolerance = 60) {
  for (int c = 0; c < 3; ++c) {
    if (std::abs(rgb[c] - expected[c]) > tolerance) return false;
  }
  return true;
}

mixer::MixerSettings smallComposite() {
  mixer::MixerSettings settings;
  settings.width = 640;
  settings.height = 360;
  settings.framerate = 15;
  settings.videoBitrateKbps = 800;
  return settings;
}

}  // namespace

TEST_CASE("A room mixes three synthetic participants", "[media]") {
  ConferenceContext conference;
  const auto codec = GENERATE(mixer::VideoCodec::H264, mixer::VideoCodec::VP8);
  INFO("composite codec " << mixer::toString(codec));
  mixer::RoomMixer room("media-test", smallComposite(), nullptr);
  std::vector<std::unique_ptr<test::SyntheticParticipant>> people;
  for (const auto& p : kPeople) {
    people.push_back(std::make_unique<test::SyntheticParticipant>(room, p.id, p.name, p.argb, p.toneHz));
  }
  test::CompositeViewer viewer(room, codec);

  SECTION("each tile of the composite shows its participant's colour") {
    const bool allTiles = conference.waitFor([&] {
      for (const auto& p : kPeople) {
        double rgb[3];
        if (!viewer.averageColour(centre(room.tileRect(p.id)), rgb) || !looksLike(rgb, p.rgb)) return false;
      }
      return true;
    });
    for (const auto& p : kPeople) {
      double rgb[3] = {-1, -1, -1};
      viewer.averageColour(centre(room.tileRect(p.id)), rgb);
      INFO(p.id << " tile averages " << rgb[0] << "," << rgb[1] << "," << rgb[2]);
      CHECK(looksLike(rgb, p.rgb));
    }
    CHECK(allTiles);
    CHECK(room.keyframesGranted(codec) >= 1);  // the viewer's join asked for one
  }

  SECTION("each participant hears the two others and not themselves") {
    auto hearsRight = [&](std::size_t listener) {
      const auto heard = people[listener]->lastHeard(24000);  // 0.5 s
      if (heard.size() < 24000) return false;
      for (std::size_t other = 0; other < people.size(); ++other) {
        const double level = toneAmplitude(heard, kPeople[other].toneHz);
        if (other == listener ? level > 300 : level < 3000) return false;
      }
      return true;
    };
    const bool allRight = conference.waitFor([&] {
      for (std::size_t i = 0; i < people.size(); ++i) {
        if (!hearsRight(i)) return false;
      }
      return true;
    });
    for (std::size_t listener = 0; listener < people.size(); ++listener) {
      const auto heard = people[listener]->lastHeard(24000);
      for (std::size_t other = 0; other < people.size(); ++other) {
        const double level = toneAmplitude(heard, kPeople[other].toneHz);
        INFO(kPeople[listener].id << " hears " << kPeople[other].toneHz << " Hz at amplitude " << level);
        if (other == listener) CHECK(level < 300);
        else CHECK(level > 3000);
      }
    }
    CHECK(allRight);
  }

  SECTION("a participant who leaves is gone from picture and sound; the grid re-flows") {
    REQUIRE(conference.waitFor([&] {
      double rgb[3];
      return viewer.averageColour(centre(room.tileRect("blue")), rgb) && looksLike(rgb, kPeople[2].rgb);
    }));
    people[2]->leave();
    CHECK(room.tileOrder() == std::vector<std::string>{"red", "green"});
    const auto twoTiles = mixer::gridLayout(2, 640, 360);
    CHECK(room.tileRect("red") == twoTiles[0]);
    const bool gone = conference.waitFor([&] {
      // No blue anywhere in the frame, and red still hears green but no 1400 Hz.
      double rgb[3];
      if (!viewer.averageColour({0, 0, 640, 360}, rgb) || rgb[2] > 40) return false;
      const auto heard = people[0]->lastHeard(24000);
      return heard.size() == 24000 && toneAmplitude(heard, 1400) < 300 && toneAmplitude(heard, 850) > 3000;
    });
    CHECK(gone);
  }

  SECTION("a participant with the camera off is a placeholder tile, not their picture") {
    room.setVideoVisible("green", false);
    const bool placeholder = conference.waitFor([&] {
      double rgb[3];
      return viewer.averageColour(centre(room.tileRect("green")), rgb) && rgb[1] < 150;
    });
    CHECK(placeholder);
    room.setVideoVisible("green", true);
    CHECK(conference.waitFor([&] {
      double rgb[3];
      return viewer.averageColour(centre(room.tileRect("green")), rgb) && looksLike(rgb, kPeople[1].rgb);
    }));
  }

  SECTION("a muted participant is left out of everyone's mix") {
    room.setAudioMuted("red", true);
    const bool silent = conference.waitFor([&] {
      const auto heard = people[1]->lastHeard(24000);
      return heard.size() == 24000 && toneAmplitude(heard, 500) < 300 && toneAmplitude(heard, 1400) > 3000;
    });
    CHECK(silent);
  }
  people.clear();
}

namespace {

// Records what the mixer reports to its room.
class RecordingListener : public mixer::RoomMixer::Listener {
public:
  void OnRoomMixerError(const std::string&, const std::string&) override {}
  void OnRoomMixerActiveSpeaker(const std::optional<std::string>& id) override {
    lastSpeaker = id;
    ++speakerReports;
  }
  std::optional<std::string> lastSpeaker;
  int speakerReports = 0;
};

constexpr double kAmber[3] = {255, 176, 0};   // RoomMixer::kSpeakerFrameArgb
constexpr double kFloor[3] = {30, 136, 229};  // RoomMixer::kFloorFrameArgb

// The middle two pixel rows of a frame's top edge and the middle two columns of its left edge:
// inside the tile for the speaker frame, in the gap round it for the floor frame.
std::vector<mixer::Rect> frameEdges(const mixer::Rect& tile, bool outside) {
  const int w = mixer::RoomMixer::kFrameWidth;
  const int offset = outside ? -w + 1 : 1;
  return {{tile.x + tile.width / 4, tile.y + offset, tile.width / 2, w - 2},
          {tile.x + offset, tile.y + tile.height / 4, w - 2, tile.height / 2}};
}

bool edgesLookLike(const test::CompositeViewer& viewer, const mixer::Rect& tile, bool outside,
                   const double expected[3]) {
  for (const mixer::Rect& edge : frameEdges(tile, outside)) {
    double rgb[3];
    if (!viewer.averageColour(edge, rgb) || !looksLike(rgb, expected, 70)) return false;
  }
  return true;
}

// Unmarked, a tile's top edge shows its picture. (Its left edge may be the black bar of a 4:3
// camera in a 16:9 tile.)
bool unmarked(const test::CompositeViewer& viewer, const mixer::Rect& tile, const double expected[3]) {
  double rgb[3];
  return viewer.averageColour(frameEdges(tile, false)[0], rgb) && looksLike(rgb, expected, 70);
}

bool tileLooksLike(const test::CompositeViewer& viewer, const mixer::Rect& tile, const double expected[3]) {
  double rgb[3];
  return viewer.averageColour(centre(tile), rgb) && looksLike(rgb, expected);
}

void report(const test::CompositeViewer& viewer, const char* what, const mixer::Rect& r) {
  double rgb[3] = {-1, -1, -1};
  viewer.averageColour(r, rgb);
  UNSCOPED_INFO(what << " {" << r.x << "," << r.y << " " << r.width << "x" << r.height << "} averages " << rgb[0]
                     << "," << rgb[1] << "," << rgb[2]);
}

}  // namespace

TEST_CASE("The active speaker and the floor holder are marked and shown large", "[media]") {
  ConferenceContext conference;
  RecordingListener listener;
  mixer::RoomMixer room("speaker-test", smallComposite(), &listener);
  // Red talks; green and blue are in the room with silent microphones.
  std::vector<std::unique_ptr<test::SyntheticParticipant>> people;
  for (const auto& p : kPeople) {
    const double volume = std::string(p.id) == "red" ? 0.3 : 0.0;
    people.push_back(std::make_unique<test::SyntheticParticipant>(room, p.id, p.name, p.argb, p.toneHz, volume));
  }
  test::CompositeViewer viewer(room, mixer::VideoCodec::H264);
  const auto& red = kPeople[0];
  const auto& green = kPeople[1];
  const auto& blue = kPeople[2];
  auto describe = [&] {
    for (const auto& p : kPeople) {
      const mixer::Rect tile = room.tileRect(p.id);
      report(viewer, (std::string(p.id) + " centre").c_str(), centre(tile));
      for (bool outside : {false, true}) {
        for (const auto& edge : frameEdges(tile, outside)) {
          report(viewer, (std::string(p.id) + (outside ? " outer edge" : " inner edge")).c_str(), edge);
        }
      }
    }
  };

  // The detector needs the talker above its threshold for its onset time; then the frame shows.
  const bool redMarked = conference.waitFor([&] {
    return room.activeSpeaker() == "red" && listener.lastSpeaker == "red" &&
           edgesLookLike(viewer, room.tileRect("red"), false, kAmber) &&
           tileLooksLike(viewer, room.tileRect("red"), red.rgb) &&
           unmarked(viewer, room.tileRect("green"), green.rgb);
  });
  if (!redMarked) describe();
  REQUIRE(redMarked);
  CHECK(room.layout() == mixer::Layout::Grid);
  CHECK(room.tileRect("red") == mixer::gridLayout(3, 640, 360)[0]);

  // The speaker view: red, the active speaker, large.
  room.setLayout(mixer::Layout::Speaker);
  CHECK(room.layout() == mixer::Layout::Speaker);
  CHECK(room.tileRect("red") == mixer::speakerLayout(3, 0, 640, 360)[0]);
  CHECK(room.tileRect("red").width > 2 * room.tileRect("green").width);
  const bool redLarge = conference.waitFor([&] {
    return tileLooksLike(viewer, room.tileRect("red"), red.rgb) &&
           tileLooksLike(viewer, room.tileRect("green"), green.rgb) &&
           edgesLookLike(viewer, room.tileRect("red"), false, kAmber);
  });
  if (!redLarge) describe();
  CHECK(redLarge);

  // The floor goes to blue: blue is large although red speaks; both are marked.
  room.setFloorHolder(std::string("blue"));
  CHECK(room.floorHolder() == "blue");
  CHECK(room.tileRect("blue") == mixer::speakerLayout(3, 2, 640, 360)[2]);
  const bool blueLarge = conference.waitFor([&] {
    return tileLooksLike(viewer, room.tileRect("blue"), blue.rgb) &&
           edgesLookLike(viewer, room.tileRect("blue"), true, kFloor) &&
           edgesLookLike(viewer, room.tileRect("red"), false, kAmber) &&
           tileLooksLike(viewer, room.tileRect("red"), red.rgb);
  });
  if (!blueLarge) describe();
  CHECK(blueLarge);
  CHECK(room.activeSpeaker() == "red");

  // Floor holder and active speaker in one: both frames show, the floor's outside.
  room.setFloorHolder(std::string("red"));
  const bool bothFrames = conference.waitFor([&] {
    return tileLooksLike(viewer, room.tileRect("red"), red.rgb) &&
           edgesLookLike(viewer, room.tileRect("red"), true, kFloor) &&
           edgesLookLike(viewer, room.tileRect("red"), false, kAmber) &&
           unmarked(viewer, room.tileRect("blue"), blue.rgb);
  });
  if (!bothFrames) describe();
  CHECK(bothFrames);

  // Back to the grid, nobody with the floor.
  room.setFloorHolder(std::nullopt);
  room.setLayout(mixer::Layout::Grid);
  CHECK(room.tileRect("blue") == mixer::gridLayout(3, 640, 360)[2]);

  // Muted on the server, red is silent to the detector: after the hold time nobody is the
  // active speaker and red's frame is gone.
  room.setAudioMuted("red", true);
  const bool nobody = conference.waitFor([&] {
    return !room.activeSpeaker() && listener.lastSpeaker == std::nullopt &&
           unmarked(viewer, room.tileRect("red"), red.rgb) &&
           tileLooksLike(viewer, room.tileRect("blue"), blue.rgb);
  });
  if (!nobody) describe();
  CHECK(nobody);

  // Unmuted, red is the active speaker again; when red leaves, nobody is.
  room.setAudioMuted("red", false);
  CHECK(conference.waitFor([&] { return room.activeSpeaker() == "red" && listener.lastSpeaker == "red"; }));
  const int reportsBefore = listener.speakerReports;
  people[0]->leave();
  CHECK(conference.waitFor([&] {
    return listener.speakerReports > reportsBefore && listener.lastSpeaker == std::nullopt && !room.activeSpeaker();
  }));
  people.clear();
}

namespace {

// How far (in dB) a tone lies below another in the same samples.
double dbBelow(const std::vector<int16_t>& samples, double tone, double reference) {
  return 20 * std::log10(std::max(toneAmplitude(samples, reference), 1e-9) /
                         std::max(toneAmplitude(samples, tone), 1e-9));
}

// The quietest margin, over 100 ms windows of `samples`, by which `tone` lies below `reference`.
double worstMarginDb(const std::vector<int16_t>& samples, double tone, double reference) {
  double worst = 1000;
  for (std::size_t at = 0; at + 4800 <= samples.size(); at += 2400) {
    const std::vector<int16_t> window(samples.begin() + static_cast<std::ptrdiff_t>(at),
                                      samples.begin() + static_cast<std::ptrdiff_t>(at + 4800));
    worst = std::min(worst, dbBelow(window, tone, reference));
  }
  return worst;
}

}  // namespace

TEST_CASE("Silent listeners share one Opus encode; a talker never hears itself", "[media][opus]") {
  ConferenceContext conference;
  mixer::RoomMixer room("opus-test", smallComposite(), nullptr);
  // Red talks; green and blue are silent. All hear what a browser would: Opus over RTP.
  std::vector<std::unique_ptr<test::SyntheticParticipant>> people;
  for (const auto& p : kPeople) {
    const double volume = std::string(p.id) == "red" ? 0.3 : 0.0;
    people.push_back(std::make_unique<test::SyntheticParticipant>(
        room, p.id, p.name, p.argb, p.toneHz, volume, test::SyntheticParticipant::Hearing::Opus));
  }
  auto& red = *people[0];
  auto& green = *people[1];
  auto& blue = *people[2];

  // The silent two are on the shared stream and hear red; red is on its own stream (its
  // mix-minus: nothing but silence here) and does not hear itself.
  const bool settled = conference.waitFor([&] {
    const auto redHears = red.lastHeard(24000);
    const auto greenHears = green.lastHeard(24000);
    const auto blueHears = blue.lastHeard(24000);
    return room.receivesSharedAudio("green") && room.receivesSharedAudio("blue") &&
           !room.receivesSharedAudio("red") && redHears.size() == 24000 && toneAmplitude(redHears, 500) < 100 &&
           toneAmplitude(greenHears, 500) > 3000 && toneAmplitude(blueHears, 500) > 3000;
  });
  INFO("red hears itself at " << toneAmplitude(red.lastHeard(24000), 500) << ", green hears red at "
                              << toneAmplitude(green.lastHeard(24000), 500) << ", blue at "
                              << toneAmplitude(blue.lastHeard(24000), 500));
  REQUIRE(settled);

  // Green starts talking: it moves to its own stream in the tick of its first sound, so its
  // tone never reaches it, also not in the moment of the switch.
  green.startRecording();
  red.startRecording();
  green.setVolume(0.3);
  const bool greenOwn = conference.waitFor([&] {
    const auto heard = red.lastHeard(24000);
    return !room.receivesSharedAudio("green") && toneAmplitude(heard, 850) > 3000;
  });
  CHECK(greenOwn);
  CHECK(room.receivesSharedAudio("blue"));
  // A while of both talking, then green falls silent and, after the hold, is back on the
  // shared stream (which now carries red only).
  CHECK(conference.waitFor([&] { return green.recording().size() >= 48000 * 2; }));
  green.setVolume(0.0);
  const bool greenShared = conference.waitFor([&] { return room.receivesSharedAudio("green"); });
  CHECK(greenShared);
  CHECK(conference.waitFor([&] { return green.recording().size() >= 48000 * 5; }));
  // And once more: the own encoder starts again after its pause.
  green.setVolume(0.3);
  CHECK(conference.waitFor([&] {
    return !room.receivesSharedAudio("green") && toneAmplitude(red.lastHeard(24000), 850) > 3000;
  }));
  CHECK(conference.waitFor([&] { return green.recording().size() >= 48000 * 6; }));

  const auto greenHeard = green.recording();
  const auto redHeard = red.recording();
  const double greenMargin = worstMarginDb(greenHeard, 850, 500);
  INFO("green's own tone at worst " << greenMargin << " dB below red's in " << greenHeard.size() << " samples");
  INFO("while green talked, red's own tone " << dbBelow(redHeard, 500, 850) << " dB below green's");
  CHECK(greenMargin >= 40);
  CHECK(dbBelow(redHeard, 500, 850) >= 40);
  // Green kept hearing red throughout: red's tone in every window.
  double weakest = 1e9;
  for (std::size_t at = 0; at + 4800 <= greenHeard.size(); at += 2400) {
    weakest = std::min(weakest, toneAmplitude(std::vector<int16_t>(greenHeard.begin() + static_cast<std::ptrdiff_t>(at),
                                                                   greenHeard.begin() + static_cast<std::ptrdiff_t>(at + 4800)),
                                              500));
  }
  INFO("red's tone in green's ears at least at amplitude " << weakest);
  CHECK(weakest > 3000);

  // The browser sees one RTP stream whose timestamps run on across the switches.
  for (const auto* person : {&red, &green, &blue}) {
    INFO(person->id() << ": " << person->rtpPackets() << " RTP packets");
    CHECK(person->rtpPackets() > 200);
    CHECK(person->rtpTimestampBreaks() == 0);
  }
  people.clear();
}

// A receiver whose branch never flows: like a WebRtcEndpoint's sender chains, a leaky queue
// (a receiver's side of the contract: it never blocks the room's pushes), whose downstream holds
// every buffer, as webrtcbin does until ICE and DTLS are up (a browser that never answers its
// offer). Owned by the test.
class StuckReceiver {
public:
  StuckReceiver(mixer::RoomMixer& mixer, const std::string& id, mixer::VideoCodec codec)
      : mixer_(mixer), id_(id), codec_(codec) {
    mixer.addParticipant(id, "Stuck");
    for (GstElement** queue : {&videoQueue_, &audioQueue_}) {
      *queue = mixer::makeLeakyQueue(0, 200 * GST_MSECOND);
      GstElement* sink = mixer::makeElement("fakesink");
      g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
      mixer::addAndLink(mixer.pipeline(), {*queue, sink});
      elements_.insert(elements_.end(), {*queue, sink});
      GstPad* out = gst_element_get_static_pad(*queue, "src");
      probes_.emplace_back(out, gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
                                                  [](GstPad*, GstPadProbeInfo*, gpointer) { return GST_PAD_PROBE_OK; },
                                                  nullptr, nullptr));
    }
    mixer::startDownstreamFirst(elements_);
    GstPad* videoIn = gst_element_get_static_pad(videoQueue_, "sink");
    videoTeePad_ = mixer.attachEncodedVideo(codec, videoIn);
    gst_object_unref(videoIn);
    GstPad* audioIn = gst_element_get_static_pad(audioQueue_, "sink");
    mixer.attachEncodedAudio(id, audioIn);
    gst_object_unref(audioIn);
  }

  // What the server does when such a participant leaves (WebRtcEndpoint, Room::leave).
  void leave() {
    mixer_.releaseEncodedVideo(codec_, videoTeePad_);
    mixer_.detachEncodedAudio(id_);
    mixer_.removeParticipant(id_);
  }

  ~StuckReceiver() {
    for (auto& [pad, probe] : probes_) {
      gst_pad_remove_probe(pad, probe);
      gst_object_unref(pad);
    }
    test::stopNow(mixer_.pipeline(), elements_);
  }

private:
  mixer::RoomMixer& mixer_;
  std::string id_;
  mixer::VideoCodec codec_;
  GstElement* videoQueue_ = nullptr;
  GstElement* audioQueue_ = nullptr;
  std::vector<GstElement*> elements_;
  std::vector<std::pair<GstPad*, gulong>> probes_;
  GstPad* videoTeePad_ = nullptr;
};

TEST_CASE("A receiver that never flows holds up nobody, and leaves without a wait", "[media][stuck]") {
  ConferenceContext conference;
  const auto codec = GENERATE(mixer::VideoCodec::H264, mixer::VideoCodec::VP8);
  INFO("composite codec " << mixer::toString(codec));
  mixer::RoomMixer room("stuck-test", smallComposite(), nullptr);
  const auto& redSpec = kPeople[0];
  test::SyntheticParticipant red(room, redSpec.id, redSpec.name, redSpec.argb, redSpec.toneHz, 0.3,
                                 test::SyntheticParticipant::Hearing::Opus);
  auto stuck = std::make_unique<StuckReceiver>(room, "stuck", codec);
  // Give the shared encoders time to run into the stuck branches (their first frames and caps).
  conference.waitFor([] { return false; }, 2s);

  // Joining after it: the encoders renegotiate for the new branches (allocation queries through
  // every branch), which a stuck branch used to hold for good.
  const auto& greenSpec = kPeople[1];
  test::SyntheticParticipant green(room, greenSpec.id, greenSpec.name, greenSpec.argb, greenSpec.toneHz, 0.0,
                                   test::SyntheticParticipant::Hearing::Opus);
  test::CompositeViewer viewer(room, codec);
  CHECK(conference.waitFor([&] {
    double rgb[3];
    return viewer.averageColour(centre(room.tileRect(redSpec.id)), rgb) && looksLike(rgb, redSpec.rgb);
  }));
  CHECK(conference.waitFor([&] {
    const auto heard = green.lastHeard(24000);
    return heard.size() == 24000 && toneAmplitude(heard, redSpec.toneHz) > 3000;
  }));

  const auto before = std::chrono::steady_clock::now();
  stuck->leave();
  const auto took = std::chrono::steady_clock::now() - before;
  INFO("leaving took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK(took < 2s);  // nothing of it is waited for on this thread (it took forever before)
  CHECK(room.tileOrder() == std::vector<std::string>{"red", "green"});
  stuck.reset();
  // The others carry on.
  green.startRecording();
  CHECK(conference.waitFor([&] {
    const auto heard = green.recording();
    if (heard.size() < 24000) return false;
    return toneAmplitude(std::vector<int16_t>(heard.end() - 24000, heard.end()), redSpec.toneHz) > 3000;
  }));
}

// A receiver whose branch fails: its leaky queue pushes into a sink that is not running, so the
// queue gets FLUSHING back, keeps it and returns it for every later push (as when webrtcbin's
// input pad is not active: a browser that leaves during the handshake). Before the room shielded
// itself, that FLUSHING went back through the shared tees and stopped the shared encoders and
// the compositor: no picture and no sound for anybody, no error on the bus.
class FailingReceiver {
public:
  FailingReceiver(mixer::RoomMixer& mixer, const std::string& id, mixer::VideoCodec codec)
      : mixer_(mixer), id_(id), codec_(codec) {
    mixer.addParticipant(id, "Failing");
    for (auto [queue, name] : {std::pair{&videoQueue_, "failing-video"}, std::pair{&audioQueue_, "failing-audio"}}) {
      *queue = mixer::makeLeakyQueue(0, 200 * GST_MSECOND, std::string(name) + "-queue");
      GstElement* sink = mixer::makeElement("fakesink", std::string(name) + "-sink");
      g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
      mixer::addAndLink(mixer.pipeline(), {*queue, sink});
      gst_element_set_locked_state(sink, TRUE);  // stays in NULL: its pad is flushing
      elements_.insert(elements_.end(), {*queue, sink});
      gst_element_sync_state_with_parent(*queue);
    }
    GstPad* videoIn = gst_element_get_static_pad(videoQueue_, "sink");
    videoTeePad_ = mixer.attachEncodedVideo(codec, videoIn);
    gst_object_unref(videoIn);
    GstPad* audioIn = gst_element_get_static_pad(audioQueue_, "sink");
    mixer.attachEncodedAudio(id, audioIn);
    gst_object_unref(audioIn);
  }

  // True once both queues have given up (their downstream said FLUSHING).
  bool failed() const {
    for (GstElement* queue : {videoQueue_, audioQueue_}) {
      GstPad* out = gst_element_get_static_pad(queue, "src");
      const GstFlowReturn flow = gst_pad_get_last_flow_return(out);
      gst_object_unref(out);
      if (flow != GST_FLOW_FLUSHING) return false;
    }
    return true;
  }

  ~FailingReceiver() {
    mixer_.releaseEncodedVideo(codec_, videoTeePad_);
    mixer_.detachEncodedAudio(id_);
    mixer_.removeParticipant(id_);
    test::stopNow(mixer_.pipeline(), elements_);
  }

private:
  mixer::RoomMixer& mixer_;
  std::string id_;
  mixer::VideoCodec codec_;
  GstElement* videoQueue_ = nullptr;
  GstElement* audioQueue_ = nullptr;
  std::vector<GstElement*> elements_;
  GstPad* videoTeePad_ = nullptr;
};

TEST_CASE("A receiver whose branch fails stops only itself", "[media][failing]") {
  ConferenceContext conference;
  const auto codec = GENERATE(mixer::VideoCodec::H264, mixer::VideoCodec::VP8);
  INFO("composite codec " << mixer::toString(codec));
  mixer::RoomMixer room("failing-test", smallComposite(), nullptr);
  const auto& redSpec = kPeople[0];
  const auto& greenSpec = kPeople[1];
  test::SyntheticParticipant red(room, redSpec.id, redSpec.name, redSpec.argb, redSpec.toneHz, 0.3,
                                 test::SyntheticParticipant::Hearing::Opus);
  test::SyntheticParticipant green(room, greenSpec.id, greenSpec.name, greenSpec.argb, greenSpec.toneHz, 0.0,
                                   test::SyntheticParticipant::Hearing::Opus);
  FailingReceiver failing(room, "failing", codec);
  CHECK(conference.waitFor([&] { return failing.failed(); }));

  // Afterwards, the room still runs for the others: a new viewer sees red, green hears red.
  test::CompositeViewer viewer(room, codec);
  CHECK(conference.waitFor([&] {
    double rgb[3];
    return viewer.averageColour(centre(room.tileRect(redSpec.id)), rgb) && looksLike(rgb, redSpec.rgb);
  }));
  green.startRecording();
  CHECK(conference.waitFor([&] {
    const auto heard = green.recording();
    if (heard.size() < 24000) return false;
    return toneAmplitude(std::vector<int16_t>(heard.end() - 24000, heard.end()), redSpec.toneHz) > 3000;
  }));
}

int main(int argc, char* argv[]) {
  gst_init(&argc, &argv);
  const int failed = Catch::Session().run(argc, argv);
  // Rooms' pipelines stop on GStreamer's worker threads: let them finish before exiting.
  const bool stopped = plenum::mixer::ElementReaper::drain(std::chrono::seconds(10));
  return failed != 0 ? failed : stopped ? 0 : 1;
}
