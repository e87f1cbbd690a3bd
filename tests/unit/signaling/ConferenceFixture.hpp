// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A conference without GStreamer for unit tests of signaling/Conference and signaling/Room: a
// fake RoomMedia records what the room asks of its media, recording sinks stand in for the
// WebSocket connections, and a hand-driven clock (ManualTimers) stands in for time.
#include "ManualTimers.hpp"
#include "signaling/ServerMessages.hpp"
#include "signaling/Conference.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace plenum;
using namespace plenum::signaling;

namespace {

// What a room asked of its media.
struct FakeMedia : RoomMedia {
  struct State {
    std::set<std::string> present;
    std::map<std::string, bool> muted;
    std::map<std::string, bool> visible;
    std::map<std::string, mixer::CompositeShape> shape;
    bool shapeFails = false;  // setCompositeShape throws (the media cannot switch)
    int added = 0;
    int moved = 0;  // participants that arrived by a move
    mixer::Layout layout = mixer::Layout::Grid;
    std::optional<std::string> floor;
    int layoutCalls = 0;
    int floorCalls = 0;
    std::vector<std::string> recordings;  // the part paths recorded to, in order
    bool recording = false;
    std::function<void(bool)> stopped;  // a stopRecording's callback, for the test to call
    FakeMedia* media = nullptr;  // to play the media's events
    std::optional<std::string> screen;    // whose screen is presented
    std::vector<std::string> slides;      // the page images shown, in order
    bool slidesShown = false;
  };

  FakeMedia(State& state, RoomMedia::Listener& listener) : state(state), listener(listener) {}

  void addParticipant(const std::string& id, const std::string&, mixer::VideoCodec, bool audioMuted,
                      bool videoVisible) override {
    state.present.insert(id);
    state.muted[id] = audioMuted;
    state.visible[id] = videoVisible;
    ++state.added;
    state.media = this;
    // A real endpoint's offer comes later; an offer at once must still follow "joined".
    listener.OnRoomMediaOffer(id, "v=0 fake offer");
  }
  void addPhone(const std::string& id, const std::string&, const std::shared_ptr<PhoneLine>&, bool audioMuted) override {
    state.present.insert(id);
    state.muted[id] = audioMuted;
    state.visible[id] = false;
    ++state.added;
    state.media = this;
  }
  void removeParticipant(const std::string& id) override {
    state.present.erase(id);
    state.muted.erase(id);
    state.visible.erase(id);
  }
  void moveParticipant(const std::string& id, RoomMedia& to, bool audioMuted, bool videoVisible) override {
    removeParticipant(id);
    auto& target = dynamic_cast<FakeMedia&>(to);
    target.state.present.insert(id);
    target.state.muted[id] = audioMuted;
    target.state.visible[id] = videoVisible;
    ++target.state.moved;
  }
  void setAudioMuted(const std::string& id, bool muted) override { state.muted[id] = muted; }
  void setVideoVisible(const std::string& id, bool visible) override { state.visible[id] = visible; }
  void setCompositeShape(const std::string& id, mixer::CompositeShape shape) override {
    if (state.shapeFails) throw std::runtime_error("cannot link the composite to a receiver");
    state.shape[id] = shape;
  }
  void setLayout(mixer::Layout layout) override {
    state.layout = layout;
    ++state.layoutCalls;
  }
  void setFloorHolder(const std::optional<std::string>& id) override {
    state.floor = id;
    ++state.floorCalls;
  }
  void presentScreen(const std::optional<std::string>& id) override { state.screen = id; }
  void showSlide(const std::string& pngPath) override {
    state.slides.push_back(pngPath);
    state.slidesShown = true;
  }
  void stopSlides() override { state.slidesShown = false; }
  void startRecording(const std::string& partPath) override {
    state.recordings.push_back(partPath);
    state.recording = true;
  }
  void stopRecording(std::function<void(bool)> done) override {
    state.recording = false;
    state.stopped = std::move(done);
  }
  std::optional<std::string> setRemoteAnswer(const std::string& id, const std::string&) override {
    return state.present.count(id) ? std::nullopt : std::optional<std::string>("no endpoint");
  }
  std::optional<std::string> addRemoteCandidate(const std::string& id, unsigned, const std::string&) override {
    return state.present.count(id) ? std::nullopt : std::optional<std::string>("no endpoint");
  }

  State& state;
  RoomMedia::Listener& listener;
};

// One client connection: every message it was sent, parsed, and whether it was closed.
struct Client : SignalingSink {
  void send(const std::string& message) override {
    Poco::JSON::Parser parser;
    messages.push_back(parser.parse(message).extract<Poco::JSON::Object::Ptr>());
  }
  void sendError(const ProtocolError& error) override { send(server::error(error, false)); }
  void close() override { closed = true; }

  // Messages of `type` since the last clear().
  std::vector<Poco::JSON::Object::Ptr> of(const std::string& type) const {
    std::vector<Poco::JSON::Object::Ptr> out;
    for (const auto& m : messages) if (m->getValue<std::string>("type") == type) out.push_back(m);
    return out;
  }
  bool got(const std::string& type) const { return !of(type).empty(); }
  // The codes of the errors received.
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& m : of("error")) out.push_back(m->getValue<std::string>("code"));
    return out;
  }
  std::string lastError() const {
    const auto all = errors();
    return all.empty() ? "" : all.back();
  }
  bool lastErrorFatal() const {
    const auto all = of("error");
    return !all.empty() && all.back()->getValue<bool>("fatal");
  }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(m->getValue<std::string>("type"));
    return out;
  }
  void clear() { messages.clear(); }

  std::vector<Poco::JSON::Object::Ptr> messages;
  bool closed = false;
  bool answered = false;  // World answers offers like a browser (unless told not to)
  SessionId session = 0;
  std::string id;  // participantId from joined (or from knock, for those waiting)
};

// The lobby-updated list as ids.
inline std::vector<std::string> waitingIds(const Poco::JSON::Object::Ptr& lobbyUpdated) {
  std::vector<std::string> ids;
  const auto list = lobbyUpdated->getArray("waiting");
  for (std::size_t i = 0; i < list->size(); ++i) {
    ids.push_back(list->getObject(static_cast<unsigned>(i))->getValue<std::string>("participantId"));
  }
  return ids;
}

inline RoomPolicy adHoc(const std::string& slug) {
  RoomPolicy p;
  p.slug = slug;
  p.title = slug;
  return p;
}

inline RoomPolicy persistentRoom(const std::string& slug, bool lobby, std::size_t max = 25) {
  RoomPolicy p;
  p.slug = slug;
  p.title = "Sprechstunde " + slug;
  p.persistent = true;
  p.lobby = lobby;
  p.maxParticipants = max;
  p.ownerAccountId = "acc-1";
  p.roomId = "7";
  return p;
}

// A conference with fake media; deferred work runs when the test says so.
struct World {
  // The deadlines are far away unless a test sets them: most tests let time pass for other
  // reasons (speaking times) with participants that never answer the fake offer.
  explicit World(const std::function<void(ConferenceSettings&)>& configure = {}) {
    ConferenceSettings settings;
    settings.maxParticipantsPerRoom = 25;
    settings.timeouts.answer = std::chrono::hours(24);
    settings.timeouts.lobby = std::chrono::hours(24);
    if (configure) configure(settings);
    conference = std::make_unique<Conference>(
        settings, [this](std::function<void()> work) { deferred.push_back(std::move(work)); },
        [this](const std::string& room, RoomMedia::Listener& listener) -> std::unique_ptr<RoomMedia> {
          media[room] = FakeMedia::State{};
          return std::make_unique<FakeMedia>(media[room], listener);
        },
        timers);
  }

  void runDeferred() {
    while (!deferred.empty()) {
      auto work = std::move(deferred.front());
      deferred.pop_front();
      work();
    }
  }

  std::shared_ptr<Client> join(const std::string& name, const RoomPolicy& policy, Role role = Role::Guest,
                               const std::string& linkSession = {}, std::shared_ptr<PhoneLine> phone = nullptr) {
    auto client = std::make_shared<Client>();
    client->session = ++nextSession;
    JoinRequest request;
    request.room = policy.slug;
    request.name = name;
    request.videoCodecs = {"H264/42e01f", "VP8"};
    request.recordingConsent = recordingConsent;
    JoinContext context;
    context.role = role;
    context.accountId = role == Role::Guest ? "" : "acc-" + name;
    context.linkSession = linkSession.empty() ? "link-" + name : linkSession;
    context.policy = policy;
    context.phone = std::move(phone);
    if (context.phone) request.video = false;
    conference->onJoin(client->session, client, request, context);
    for (const auto& m : client->of("joined")) client->id = m->getValue<std::string>("participantId");
    clients.push_back(client);
    runDeferred();
    answerOffers();
    return client;
  }

  // Sends a client message as JSON text, parsed like the appliance does.
  void send(const std::shared_ptr<Client>& client, const std::string& json) {
    auto parsed = parseClientMessage(json);
    REQUIRE(std::holds_alternative<ClientEnvelope>(parsed));
    conference->onMessage(client->session, client, std::get<ClientEnvelope>(std::move(parsed)));
    runDeferred();
    answerOffers();
  }

  // Every client that got an offer answers it once, as a browser would (so that no answer
  // deadline is left running), unless autoAnswer is off.
  void answerOffers() {
    if (!autoAnswer) return;
    for (const auto& weak : clients) {
      auto client = weak.lock();
      if (!client || client->answered || client->closed || !client->got("offer")) continue;
      client->answered = true;
      auto parsed = parseClientMessage(R"({"type":"answer","sdp":"v=0 fake answer"})");
      conference->onMessage(client->session, client, std::get<ClientEnvelope>(std::move(parsed)));
      runDeferred();
    }
  }

  void close(const std::shared_ptr<Client>& client, const std::string& reason = "disconnected") {
    conference->onSessionClosed(client->session, reason);
    runDeferred();
  }

  const Room& room(const std::string& slug) const {
    const Room* r = conference->room(slug);
    REQUIRE(r != nullptr);
    return *r;
  }
  const Room& room(const std::string& slug, bool persistent) const {
    const Room* r = conference->room(slug, persistent);
    REQUIRE(r != nullptr);
    return *r;
  }

  std::vector<std::string> names(const std::string& slug) const {
    std::vector<std::string> out;
    for (const auto& p : room(slug).participants()) out.push_back(p.name);
    return out;
  }

  std::vector<std::string> moderators(const std::string& slug) const {
    std::vector<std::string> out;
    for (const auto& p : room(slug).participants()) if (p.moderator) out.push_back(p.name);
    return out;
  }

  // Lets time pass (timers fire on the way), then runs what they deferred.
  void advance(std::chrono::milliseconds by) {
    timers.advance(by);
    runDeferred();
  }

  bool autoAnswer = true;
  bool recordingConsent = false;  // joins say they agree to being recorded
  std::vector<std::weak_ptr<Client>> clients;
  ManualTimers timers;  // before the conference: outlives the rooms' timers
  std::deque<std::function<void()>> deferred;
  std::map<std::string, FakeMedia::State> media;
  std::unique_ptr<Conference> conference;
  SessionId nextSession = 0;
};

inline std::string targeted(const std::string& type, const std::string& id) {
  return R"({"type":")" + type + R"(","participantId":")" + id + R"("})";
}

// The id of the person waiting with this name, as moderators see it.
inline std::string waitingId(const Room& room, const std::string& name) {
  for (const auto& w : room.waiting()) if (w.name == name) return w.id;
  FAIL("nobody called " << name << " is waiting");
  return {};
}

}  // namespace
