// SPDX-License-Identifier: EUPL-1.2
// Tests of request ids (PROTOCOL.md, "Request ids"): parsing, and their echo in what the server
// sends the sender while it handles the request: the answer on success, and every error code
// a request can reach. Also that Conference's dispatch covers every client message at compile
// time (signaling/Exhaustive.hpp).
#include "ConferenceFixture.hpp"
#include "signaling/ServerMessages.hpp"

#include "signaling/Exhaustive.hpp"

using namespace std::chrono_literals;

namespace {

// A message type nobody handles: the dispatch trait must notice it.
struct UnhandledRequest {};

template <class... Ts>
struct Append;
template <class... Ts, class T>
struct Append<std::variant<Ts...>, T> {
  using type = std::variant<Ts..., T>;
};

static_assert(HandlesEveryAlternative<Conference::MessageHandler, ClientMessage>,
              "the conference handles every client message");
static_assert(!HandlesEveryAlternative<Conference::MessageHandler, Append<ClientMessage, UnhandledRequest>::type>,
              "a message type without a handler is noticed at compile time");

// `json` with "requestId" added (json is an object with at least one field).
std::string withId(const std::string& json, const std::string& requestId) {
  return R"({"requestId":")" + requestId + R"(",)" + json.substr(1);
}

std::optional<std::string> requestIdOf(const Poco::JSON::Object::Ptr& message) {
  if (!message->has("requestId")) return std::nullopt;
  return message->getValue<std::string>("requestId");
}

// The last error the client got: its code and requestId.
std::pair<std::string, std::optional<std::string>> lastErrorOf(const Client& c) {
  const auto errors = c.of("error");
  REQUIRE_FALSE(errors.empty());
  return {errors.back()->getValue<std::string>("code"), requestIdOf(errors.back())};
}

// Sends `json` with requestId "r-<code>" and checks that an error `code` comes back with it.
void expectRefused(World& w, const std::shared_ptr<Client>& client, const std::string& json, const std::string& code) {
  client->clear();
  const std::string id = "r-" + code;
  w.send(client, withId(json, id));
  const auto [got, requestId] = lastErrorOf(*client);
  CHECK(got == code);
  CHECK(requestId == std::optional<std::string>(id));
}

}  // namespace

SCENARIO("A request id is parsed, checked and echoed by parse errors", "[signaling][Protocol][requestId]") {
  THEN("a valid one is kept in the envelope, any type of message") {
    for (const std::string json : {R"({"type":"ping","requestId":"7"})", R"({"type":"leave","requestId":"a b-c_d"})",
                                   R"({"type":"chat","text":"hallo","requestId":"chat-1"})"}) {
      auto parsed = parseClientMessage(json);
      REQUIRE(std::holds_alternative<ClientEnvelope>(parsed));
      CHECK(std::get<ClientEnvelope>(parsed).requestId.has_value());
    }
    auto parsed = parseClientMessage(R"({"type":"ping","requestId":")" + std::string(64, 'x') + R"("})");
    REQUIRE(std::holds_alternative<ClientEnvelope>(parsed));
    CHECK(std::get<ClientEnvelope>(parsed).requestId == std::string(64, 'x'));
  }
  THEN("none: none") {
    auto parsed = parseClientMessage(R"({"type":"ping"})");
    REQUIRE(std::holds_alternative<ClientEnvelope>(parsed));
    CHECK_FALSE(std::get<ClientEnvelope>(parsed).requestId.has_value());
  }
  THEN("an invalid one is refused with bad-field, and not echoed") {
    for (const std::string& bad : std::vector<std::string>{R"("")", "7", "true", "null", R"(["a"])", R"({"a":1})", R"("a\nb")", R"("\u00e4")",
                                  "\"" + std::string(65, 'x') + "\""}) {
      INFO(bad);
      const auto parsed = parseClientMessage(R"({"type":"ping","requestId":)" + bad + "}");
      REQUIRE(std::holds_alternative<ProtocolError>(parsed));
      CHECK(std::get<ProtocolError>(parsed).code == ErrorCode::BadField);
      CHECK(std::get<ProtocolError>(parsed).message.find("requestId") != std::string::npos);
      CHECK_FALSE(std::get<ProtocolError>(parsed).requestId.has_value());
    }
  }
  THEN("other refusals of a message name its request") {
    for (const std::string json : {R"({"type":"nope","requestId":"x1"})", R"({"requestId":"x1"})",
                                   R"({"type":"chat","text":"","requestId":"x1"})",
                                   R"({"type":"layout","layout":"round","requestId":"x1"})"}) {
      INFO(json);
      const auto parsed = parseClientMessage(json);
      REQUIRE(std::holds_alternative<ProtocolError>(parsed));
      CHECK(std::get<ProtocolError>(parsed).requestId == std::optional<std::string>("x1"));
    }
  }
  THEN("server messages carry it, escaped") {
    Poco::JSON::Parser parser;
    const auto pong = parser.parse(server::withRequestId(server::pong(), R"(a"b\c)")).extract<Poco::JSON::Object::Ptr>();
    CHECK(pong->getValue<std::string>("type") == "pong");
    CHECK(pong->getValue<std::string>("requestId") == R"(a"b\c)");
    CHECK(server::withRequestId(server::pong(), std::nullopt) == server::pong());
    const auto error = parser.parse(server::error({ErrorCode::Forbidden, "no", 0, "q"}, false))
                           .extract<Poco::JSON::Object::Ptr>();
    CHECK(error->getValue<std::string>("requestId") == "q");
    const auto plain = parser.parse(server::error({ErrorCode::Forbidden, "no"}, false)).extract<Poco::JSON::Object::Ptr>();
    CHECK_FALSE(plain->has("requestId"));
  }
}

SCENARIO("Answers carry the request id of what they answer", "[signaling][Conference][requestId]") {
  World w;
  auto mod = w.join("Mod", adHoc("r"));
  auto guest = w.join("Gast", adHoc("r"));
  mod->clear();
  guest->clear();

  WHEN("a ping") {
    w.send(guest, R"({"type":"ping","requestId":"p1"})");
    THEN("the pong names it") { CHECK(requestIdOf(guest->of("pong").at(0)) == std::optional<std::string>("p1")); }
  }
  WHEN("a chat message") {
    w.send(guest, R"({"type":"chat","text":"hallo","requestId":"c1"})");
    THEN("the sender's own copy names it; the others' copies do not") {
      CHECK(requestIdOf(guest->of("chat").at(0)) == std::optional<std::string>("c1"));
      CHECK_FALSE(requestIdOf(mod->of("chat").at(0)));
    }
  }
  WHEN("a moderator's change that everyone hears of") {
    w.send(mod, R"({"type":"layout","layout":"speaker","requestId":"l1"})");
    THEN("the moderator's copy names it, the guest's does not") {
      CHECK(requestIdOf(mod->of("layout-updated").at(0)) == std::optional<std::string>("l1"));
      CHECK_FALSE(requestIdOf(guest->of("layout-updated").at(0)));
    }
  }
  WHEN("a chat export") {
    w.send(mod, R"({"type":"chat-export","format":"text","requestId":"e1"})");
    THEN("the file names it") { CHECK(requestIdOf(mod->of("chat-export").at(0)) == std::optional<std::string>("e1")); }
  }
  WHEN("a message without one") {
    w.send(guest, R"({"type":"chat","text":"ohne"})");
    THEN("nothing carries one") { CHECK_FALSE(requestIdOf(guest->of("chat").at(0))); }
  }
  WHEN("later messages that answer no request of the participant") {
    w.send(guest, R"({"type":"raise-hand","requestId":"h1"})");
    w.send(mod, R"({"type":"give-floor"})");
    THEN("carry none") {
      CHECK(requestIdOf(guest->of("queue-updated").at(0)) == std::optional<std::string>("h1"));
      CHECK_FALSE(requestIdOf(guest->of("floor-updated").back()));
    }
  }
}

SCENARIO("A join's answers carry its request id", "[signaling][Conference][requestId]") {
  World w([](ConferenceSettings& s) { s.maxParticipants = 2; });
  auto join = [&](const std::string& name, const RoomPolicy& policy, const std::string& requestId) {
    auto client = std::make_shared<Client>();
    client->session = ++w.nextSession;
    JoinRequest request;
    request.room = policy.slug;
    request.name = name;
    request.videoCodecs = {"H264/42e01f", "VP8"};
    JoinContext context;
    context.linkSession = "link-" + name;
    context.policy = policy;
    w.conference->onJoin(client->session, client, request, context, requestId);
    w.clients.push_back(client);
    w.runDeferred();
    return client;
  };
  auto a = join("A", adHoc("r"), "j1");
  THEN("joined and the meeting's state name it") {
    for (const std::string type : {"joined", "chat-history", "queue-updated", "floor-updated", "layout-updated"}) {
      INFO(type);
      CHECK(requestIdOf(a->of(type).at(0)) == std::optional<std::string>("j1"));
    }
  }
  THEN("someone waiting in a lobby gets lobby with it") {
    auto b = join("B", persistentRoom("p", true), "j2");
    CHECK(requestIdOf(b->of("lobby").at(0)) == std::optional<std::string>("j2"));
  }
  THEN("a refused join's error names it") {
    auto b = join("B", adHoc("r"), "j2");
    auto c = join("C", adHoc("r"), "j3");
    CHECK(lastErrorOf(*c) == std::pair<std::string, std::optional<std::string>>{"server-full", "j3"});
  }
}

SCENARIO("Every refusal names the request it refuses", "[signaling][Conference][requestId]") {
  World w;
  auto mod = w.join("Mod", adHoc("r"));
  auto guest = w.join("Gast", adHoc("r"));

  THEN("forbidden") { expectRefused(w, guest, R"({"type":"mute-all"})", "forbidden"); }
  THEN("no-such-participant") { expectRefused(w, mod, targeted("mute", "nobody"), "no-such-participant"); }
  THEN("no-such-entry") { expectRefused(w, mod, R"({"type":"queue-remove","entryId":"q99"})", "no-such-entry"); }
  THEN("wrong-target") { expectRefused(w, guest, R"({"type":"ping","room":"elsewhere"})", "wrong-target"); }
  THEN("bad-field from the room") { expectRefused(w, mod, targeted("remove", mod->id), "bad-field"); }
  THEN("too-fast") {
    for (int i = 0; i < 5; ++i) w.send(guest, R"({"type":"chat","text":"x"})");
    expectRefused(w, guest, R"({"type":"chat","text":"zu schnell"})", "too-fast");
  }
  THEN("internal (a join that bypassed the join resolution)") {
    expectRefused(w, guest, R"({"type":"join","room":"r","name":"X"})", "internal");
  }
  THEN("not-joined") {
    auto stranger = std::make_shared<Client>();
    stranger->session = 999;
    expectRefused(w, stranger, R"({"type":"chat","text":"hallo"})", "not-joined");
  }
  THEN("bad-sdp, bad-candidate (the media refuses)") {
    w.media["r"].present.erase(guest->id);
    expectRefused(w, guest, R"({"type":"answer","sdp":"v=0"})", "bad-sdp");
    expectRefused(w, guest, R"({"type":"candidate","candidate":"x","sdpMLineIndex":0})", "bad-candidate");
  }
  THEN("a fatal one: meeting-ended to the moderator who ended it") {
    mod->clear();
    w.send(mod, R"({"type":"end","requestId":"end-1"})");
    CHECK(lastErrorOf(*mod) == std::pair<std::string, std::optional<std::string>>{"meeting-ended", "end-1"});
    CHECK_FALSE(lastErrorOf(*guest).second.has_value());
  }
}

SCENARIO("Ad-hoc joins through onMessage answer with the request id", "[signaling][Conference][requestId]") {
  World w;
  auto client = std::make_shared<Client>();
  client->session = 1;
  w.send(client, R"({"type":"join","room":"r","name":"A","requestId":"j1"})");
  CHECK(requestIdOf(client->of("joined").at(0)) == std::optional<std::string>("j1"));
  expectRefused(w, client, R"({"type":"join","room":"r","name":"A"})", "already-joined");
}
