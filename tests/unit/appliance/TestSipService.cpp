// SPDX-License-Identifier: EUPL-1.2
// SipService against a tiny SIP peer written here (raw text over UDP on 127.0.0.1): the PBX's
// side of a call, and a registrar that asks for digest authentication. The test's own thread
// iterates the GMainContext, as the conference thread does in plenumd.
#include "appliance/SipService.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <thread>

using namespace plenum::appliance;

namespace {

using Clock = std::chrono::steady_clock;

const std::string kOffer =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
const std::string kAnswer =
    "v=0\r\no=plenum 1 1 IN IP4 127.0.0.1\r\ns=Plenum\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 41000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\na=sendrecv\r\n";

// A SIP message as text, with a header lookup.
struct Message {
  std::string text;
  int status() const {
    if (text.rfind("SIP/2.0 ", 0) != 0) return 0;
    return std::atoi(text.c_str() + 8);
  }
  std::string method() const { return text.substr(0, text.find(' ')); }
  std::string header(const std::string& name) const {
    std::size_t pos = 0;
    while ((pos = text.find("\r\n", pos)) != std::string::npos) {
      pos += 2;
      if (text.compare(pos, 2, "\r\n") == 0) break;
      const auto colon = text.find(':', pos);
      if (colon == std::string::npos) break;
      std::string key = text.substr(pos, colon - pos);
      if (strcasecmp(key.c_str(), name.c_str()) == 0) {
        auto start = text.find_first_not_of(' ', colon + 1);
        return text.substr(start, text.find("\r\n", start) - start);
      }
    }
    return "";
  }
  std::string body() const {
    const auto end = text.find("\r\n\r\n");
    return end == std::string::npos ? "" : text.substr(end + 4);
  }
  std::string toTag() const {
    const std::string to = header("To");
    const auto tag = to.find("tag=");
    return tag == std::string::npos ? "" : to.substr(tag + 4, to.find_first_of(";> ", tag + 4) - tag - 4);
  }
};

// A UDP socket on 127.0.0.1 that speaks SIP as text.
class Peer {
public:
  Peer() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Peer() { ::close(fd_); }
  unsigned port() const { return port_; }

  void sendTo(unsigned port, const std::string& text) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    ::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }

  // Datagrams received so far (also while the context is iterated elsewhere).
  std::vector<Message>& received() {
    char buffer[65536];
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0) {
      sockaddr_in from{};
      socklen_t length = sizeof from;
      const auto n = ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
      if (n <= 0) break;
      received_.push_back({std::string(buffer, static_cast<std::size_t>(n))});
      fromPort_ = ntohs(from.sin_port);
    }
    return received_;
  }
  unsigned fromPort() const { return fromPort_; }

private:
  int fd_ = -1;
  unsigned port_ = 0;
  unsigned fromPort_ = 0;
  std::vector<Message> received_;
};

class RecordingCalls : public SipService::Calls, public SipCallLeg::Listener {
public:
  void OnSipIncomingCall(std::shared_ptr<SipCallLeg> leg, const IncomingCall& call) override {
    thread = std::this_thread::get_id();
    incoming.push_back(call);
    legs.push_back(leg);
    leg->setListener(this);
    if (onCall) onCall(*leg);
  }
  void OnSipDigit(char digit) override { digits += digit; }
  void OnSipEnded(const std::string& reason) override { ended.push_back(reason); }
  void OnSipHold(bool on) override { holds.push_back(on); }

  std::function<void(SipCallLeg&)> onCall;
  std::vector<IncomingCall> incoming;
  std::vector<std::shared_ptr<SipCallLeg>> legs;
  std::string digits;
  std::vector<std::string> ended;
  std::vector<bool> holds;
  std::thread::id thread;
};

// A SipService on 127.0.0.1 (a random free port) with a context this thread iterates.
struct Fixture {
  explicit Fixture(SipSettings settings = {}, std::vector<std::string> trusted = {"127.0.0.1"}) {
    context = g_main_context_new();
    settings.enabled = true;
    settings.address = "127.0.0.1";
    if (settings.trustedPeers.empty()) settings.trustedPeers = trusted;
    std::mt19937 random(std::random_device{}());
    for (int attempt = 0; attempt < 20 && !service; ++attempt) {
      settings.port = static_cast<int>(std::uniform_int_distribution<unsigned>(20000, 60000)(random));
      auto candidate = std::make_unique<SipService>(settings, context, calls);
      try {
        candidate->start();
        service = std::move(candidate);
        port = static_cast<unsigned>(settings.port);
      } catch (const std::exception&) {
      }
    }
    REQUIRE(service);
  }
  ~Fixture() {
    service->stop();
    service.reset();
    g_main_context_unref(context);
  }

  // Iterates the context until `done` or the timeout; true if done.
  bool until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(8)) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      while (g_main_context_iteration(context, FALSE)) {
      }
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done();
  }

  // The first response to `method` with this status.
  std::optional<Message> response(Peer& peer, int status, const std::string& method) {
    for (const auto& m : peer.received()) {
      if (m.status() == status && m.header("CSeq").find(method) != std::string::npos) return m;
    }
    return std::nullopt;
  }
  std::optional<Message> awaitResponse(Peer& peer, int status, const std::string& method) {
    std::optional<Message> found;
    until([&] { return (found = response(peer, status, method)).has_value(); });
    return found;
  }

  GMainContext* context = nullptr;
  RecordingCalls calls;
  std::unique_ptr<SipService> service;
  unsigned port = 0;
};

std::string request(const std::string& method, const std::string& uri, unsigned peerPort, const std::string& callId,
                    int cseq, const std::string& toTag = "", const std::string& contentType = "",
                    const std::string& body = "", const std::string& branch = "") {
  static int branches = 0;
  std::string m = method + " " + uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(peerPort) + ";rport;branch=z9hG4bK" +
       (branch.empty() ? std::to_string(++branches) + callId : branch) + "\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: \"Caller\" <sip:+4930123456@127.0.0.1>;tag=caller1\r\n";
  m += "To: <" + uri + ">" + (toTag.empty() ? "" : ";tag=" + toTag) + "\r\n";
  m += "Call-ID: " + callId + "\r\n";
  m += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  m += "Contact: <sip:pbx@127.0.0.1:" + std::to_string(peerPort) + ">\r\n";
  if (!contentType.empty()) m += "Content-Type: " + contentType + "\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return m;
}

std::string uriFor(const std::string& user, unsigned port) { return "sip:" + user + "@127.0.0.1:" + std::to_string(port); }

}  // namespace

TEST_CASE("a trusted peer's call rings, is answered, takes keys and ends with BYE", "[sip]") {
  Fixture f;
  Peer pbx;
  f.calls.onCall = [](SipCallLeg&) {};  // answered later, below
  const std::string uri = uriFor("4711", f.port);
  pbx.sendTo(f.port, request("INVITE", uri, pbx.port(), "call-1", 1, "", "application/sdp", kOffer));

  REQUIRE(f.awaitResponse(pbx, 100, "INVITE"));
  REQUIRE(f.until([&] { return !f.calls.incoming.empty(); }));
  CHECK(f.calls.thread == std::this_thread::get_id());  // sofia's callbacks run on the context's thread
  const auto& call = f.calls.incoming.front();
  CHECK(call.callerNumber == "+4930123456");
  CHECK(call.calledUser == "4711");
  CHECK(call.offerSdp == kOffer);
  CHECK(call.peerAddress == "127.0.0.1");
  REQUIRE(f.awaitResponse(pbx, 180, "INVITE"));

  f.calls.legs.front()->answer(kAnswer);
  const auto ok = f.awaitResponse(pbx, 200, "INVITE");
  REQUIRE(ok);
  CHECK(ok->body() == kAnswer);
  CHECK(ok->header("Content-Type") == "application/sdp");
  const std::string tag = ok->toTag();
  REQUIRE_FALSE(tag.empty());
  pbx.sendTo(f.port, request("ACK", uri, pbx.port(), "call-1", 1, tag));

  SECTION("INFO keys, a re-INVITE, then BYE") {
    pbx.sendTo(f.port, request("INFO", uri, pbx.port(), "call-1", 2, tag, "application/dtmf-relay",
                               "Signal=5\r\nDuration=160\r\n"));
    REQUIRE(f.until([&] { return f.calls.digits == "5"; }));
    REQUIRE(f.awaitResponse(pbx, 200, "2 INFO"));
    pbx.sendTo(f.port, request("INFO", uri, pbx.port(), "call-1", 3, tag, "application/dtmf", "#"));
    REQUIRE(f.until([&] { return f.calls.digits == "5#"; }));
    pbx.sendTo(f.port, request("INFO", uri, pbx.port(), "call-1", 4, tag, "application/json", "{}"));
    REQUIRE(f.awaitResponse(pbx, 415, "4 INFO"));

    // A re-INVITE (here: hold, another port) gets our SDP as before, but recvonly (RFC 3264),
    // and the call logic hears of the hold.
    std::string hold = kOffer;
    hold.replace(hold.find("30000"), 5, "30002");
    hold += "a=sendonly\r\n";
    pbx.sendTo(f.port, request("INVITE", uri, pbx.port(), "call-1", 5, tag, "application/sdp", hold));
    const auto reinvite = f.awaitResponse(pbx, 200, "5 INVITE");
    REQUIRE(reinvite);
    std::string heldAnswer = kAnswer;
    heldAnswer.replace(heldAnswer.find("a=sendrecv"), 10, "a=recvonly");
    heldAnswer.replace(heldAnswer.find("plenum 1 1"), 10, "plenum 1 2");
    CHECK(reinvite->body() == heldAnswer);
    CHECK(f.calls.holds == std::vector<bool>{true});
    pbx.sendTo(f.port, request("ACK", uri, pbx.port(), "call-1", 5, tag));

    pbx.sendTo(f.port, request("BYE", uri, pbx.port(), "call-1", 6, tag));
    REQUIRE(f.awaitResponse(pbx, 200, "6 BYE"));
    REQUIRE(f.until([&] { return !f.calls.ended.empty(); }));
    CHECK(f.calls.ended.front() == "BYE");
    CHECK(f.calls.digits == "5#");
  }
  SECTION("our hang-up sends BYE; a second is a no-op") {
    f.calls.legs.front()->hangUp();
    f.calls.legs.front()->hangUp();
    bool bye = false;
    REQUIRE(f.until([&] {
      for (auto& m : pbx.received()) bye = bye || m.method() == "BYE";
      return bye;
    }));
    CHECK(f.calls.ended.empty());  // not reported: it was ours
  }
}

TEST_CASE("a caller that gives up before the answer: CANCEL ends the call", "[sip]") {
  Fixture f;
  Peer pbx;
  const std::string uri = uriFor("4711", f.port);
  pbx.sendTo(f.port, request("INVITE", uri, pbx.port(), "call-c", 1, "", "application/sdp", kOffer, "inv-c"));
  REQUIRE(f.until([&] { return !f.calls.incoming.empty(); }));
  pbx.sendTo(f.port, request("CANCEL", uri, pbx.port(), "call-c", 1, "", "", "", "inv-c"));
  REQUIRE(f.awaitResponse(pbx, 487, "INVITE"));
  REQUIRE(f.until([&] { return !f.calls.ended.empty(); }));
  CHECK(f.calls.ended.front() == "CANCEL");
  f.calls.legs.front()->answer(kAnswer);  // too late: nothing happens
  f.calls.legs.front()->hangUp();
}

TEST_CASE("calls from untrusted addresses are refused with 403", "[sip]") {
  Fixture f({}, {"127.0.0.2", "10.0.0.0/8"});
  Peer pbx;
  pbx.sendTo(f.port, request("INVITE", uriFor("4711", f.port), pbx.port(), "call-u", 1, "", "application/sdp", kOffer));
  REQUIRE(f.awaitResponse(pbx, 403, "INVITE"));
  CHECK(f.calls.incoming.empty());
}

TEST_CASE("garbage, unknown methods and OPTIONS do not disturb; the next call works", "[sip]") {
  Fixture f;
  Peer pbx;
  for (const std::string& garbage : {std::string("hello"), std::string(3000, 'x'), std::string("\0\0\0\0", 4),
                                    std::string("INVITE sip:x SIP/2.0\r\n\r\n"),
                                    std::string("INVITE sip:4711@127.0.0.1 SIP/2.0\r\nVia: nonsense\r\nFrom: <>\r\n"
                                                "To: x\r\nCall-ID: \r\nCSeq: abc\r\nContent-Length: 99999\r\n\r\n"),
                                    std::string("SIP/2.0 200 OK\r\n\r\n")}) {
    pbx.sendTo(f.port, garbage);
  }
  const std::string uri = uriFor("4711", f.port);
  pbx.sendTo(f.port, request("OPTIONS", uri, pbx.port(), "opt-1", 1));
  REQUIRE(f.awaitResponse(pbx, 200, "OPTIONS"));
  pbx.sendTo(f.port, request("MESSAGE", uri, pbx.port(), "msg-1", 1, "", "text/plain", "hi"));
  REQUIRE(f.awaitResponse(pbx, 405, "MESSAGE"));
  // An INVITE whose From has no user part, and no SDP: offered as it is; the logic refuses it.
  f.calls.onCall = [](SipCallLeg& leg) { leg.refuse(488, "Not Acceptable Here"); };
  std::string anonymous = request("INVITE", uri, pbx.port(), "call-g", 1);
  anonymous.replace(anonymous.find("sip:+4930123456@127.0.0.1"), 25, "sip:127.0.0.1");
  pbx.sendTo(f.port, anonymous);
  REQUIRE(f.awaitResponse(pbx, 488, "INVITE"));
  REQUIRE(f.calls.incoming.size() == 1);
  CHECK(f.calls.incoming.front().callerNumber.empty());
  CHECK(f.calls.incoming.front().offerSdp.empty());
  CHECK(f.calls.ended.empty());
}

TEST_CASE("SIP listens on TCP too", "[sip]") {
  Fixture f;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(static_cast<std::uint16_t>(f.port));
  CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  ::close(fd);
}

TEST_CASE("the service registers with a registrar that asks for digest authentication", "[sip]") {
  Peer registrar;
  SipSettings settings;
  settings.registrar = "sip:127.0.0.1:" + std::to_string(registrar.port());
  settings.user = "4711";
  settings.password = "geheim";
  settings.registerExpiresS = 600;
  settings.trustedPeers = {"192.0.2.1"};  // not us: calls come through the registration
  Fixture f(settings);

  const auto reply = [&](const Message& m, const std::string& status, const std::string& extra) {
    std::string r = "SIP/2.0 " + status + "\r\n";
    for (const char* h : {"Via", "From", "Call-ID", "CSeq"}) r += std::string(h) + ": " + m.header(h) + "\r\n";
    r += "To: " + m.header("To") + ";tag=reg1\r\n" + extra + "Content-Length: 0\r\n\r\n";
    registrar.sendTo(registrar.fromPort(), r);
  };
  std::size_t seen = 0;
  const auto nextRegister = [&]() -> std::optional<Message> {
    std::optional<Message> found;
    f.until([&] {
      auto& all = registrar.received();
      for (; seen < all.size(); ++seen) {
        if (all[seen].method() == "REGISTER") {
          found = all[seen++];
          return true;
        }
      }
      return false;
    });
    return found;
  };

  const auto first = nextRegister();
  REQUIRE(first);
  CHECK(first->header("To").find("sip:4711@127.0.0.1") != std::string::npos);
  CHECK(first->header("Authorization").empty());
  reply(*first, "401 Unauthorized", "WWW-Authenticate: Digest realm=\"plenum-test\", nonce=\"abc123\", algorithm=MD5\r\n");
  const auto second = nextRegister();
  REQUIRE(second);
  const std::string authorization = second->header("Authorization");
  CHECK(authorization.find("username=\"4711\"") != std::string::npos);
  CHECK(authorization.find("realm=\"plenum-test\"") != std::string::npos);
  CHECK(authorization.find("geheim") == std::string::npos);
  CHECK_FALSE(f.service->registered());
  reply(*second, "200 OK", "Contact: " + second->header("Contact") + ";expires=600\r\n");
  REQUIRE(f.until([&] { return f.service->registered(); }));

  // An INVITE for our extension from the registrar's address is taken; another user's is not.
  Peer pbx;
  pbx.sendTo(f.port, request("INVITE", uriFor("999", f.port), pbx.port(), "reg-call-0", 1, "", "application/sdp", kOffer));
  REQUIRE(f.awaitResponse(pbx, 403, "INVITE"));
  pbx.sendTo(f.port, request("INVITE", uriFor("4711", f.port), pbx.port(), "reg-call-1", 1, "", "application/sdp", kOffer));
  REQUIRE(f.until([&] { return !f.calls.incoming.empty(); }));
  f.calls.legs.front()->refuse(486, "Busy Here");
  REQUIRE(f.awaitResponse(pbx, 486, "INVITE"));
}

TEST_CASE("a wrong password: registration fails after one more try", "[sip]") {
  Peer registrar;
  SipSettings settings;
  settings.registrar = "127.0.0.1:" + std::to_string(registrar.port());
  settings.user = "4711";
  settings.authUser = "auth4711";
  settings.password = "falsch";
  Fixture f(settings);
  int challenged = 0;
  std::size_t seen = 0;
  std::string lastAuthorization;
  f.until([&] {
    auto& all = registrar.received();
    for (; seen < all.size(); ++seen) {
      const Message& m = all[seen];
      if (m.method() != "REGISTER") continue;
      lastAuthorization = m.header("Authorization");
      std::string r = "SIP/2.0 401 Unauthorized\r\n";
      for (const char* h : {"Via", "From", "Call-ID", "CSeq"}) r += std::string(h) + ": " + m.header(h) + "\r\n";
      r += "To: " + m.header("To") + ";tag=reg1\r\nWWW-Authenticate: Digest realm=\"x\", nonce=\"n" +
           std::to_string(challenged) + "\"\r\nContent-Length: 0\r\n\r\n";
      registrar.sendTo(registrar.fromPort(), r);
      ++challenged;
    }
    return challenged > 3;
  }, std::chrono::seconds(3));
  CHECK(challenged == 2);  // the first REGISTER and one answer to the challenge; no endless loop
  CHECK(lastAuthorization.find("username=\"auth4711\"") != std::string::npos);
  CHECK_FALSE(f.service->registered());
}
