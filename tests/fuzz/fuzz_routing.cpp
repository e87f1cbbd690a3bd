// SPDX-License-Identifier: EUPL-1.2
// libFuzzer harness: which handler serves a request and what the cheap ones answer
// (appliance/HttpRouter, the room and invitation path checks, the WebSocket's Origin check,
// StaticFiles, the REST API's route table without a login, the plain-HTTP redirect of
// TlsServer and its HSTS wrapper).
// Input, line by line:
//   1: the method
//   2: the request URI
//   3: the Host header (empty: none)
//   4: the Cookie header (empty: none)
//   5: the Origin header (empty: none)
//   6: how the request arrives: "r" the plain-HTTP side while HTTPS is on (HttpsRedirect, on
//      port 443; "r8443": another port), "h" HTTPS with HSTS (HstsHeader), else the router
// The web client folder is a temporary one beside a file that must never be served ("SECRET");
// WebSocket upgrades and /healthz are routed but not run (they need a socket and the
// conference thread).
#include "FakeHttp.hpp"
#include "FuzzCheck.hpp"
#include "appliance/GstRoomMedia.hpp"
#include "appliance/ApiHandler.hpp"
#include "appliance/Cookies.hpp"
#include "appliance/HttpRouter.hpp"
#include "appliance/OriginCheck.hpp"
#include "appliance/Services.hpp"
#include "appliance/Settings.hpp"
#include "appliance/SignalingConnection.hpp"
#include "appliance/SqliteStore.hpp"
#include "appliance/StaticFiles.hpp"
#include "appliance/TlsServer.hpp"
#include "signaling/Conference.hpp"
#include "appliance/DocumentApi.hpp"
#include "signaling/EventLoop.hpp"
#include "signaling/Protocol.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/URI.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <typeinfo>

#include <unistd.h>

using namespace plenum::appliance;
using plenum::fuzz::FakeRequest;
using plenum::fuzz::FakeResponse;
using plenum::fuzz::takeLine;
namespace fs = std::filesystem;

namespace {

struct World {
  fs::path folder;
  Settings settings;
  plenum::signaling::EventLoop loop;  // never started: nothing here runs on it
  std::unique_ptr<plenum::signaling::Conference> conference;
  std::unique_ptr<Services> services;
  Poco::Net::HTTPRequestHandlerFactory::Ptr router;

  World() {
    std::string pattern = (fs::temp_directory_path() / "plenum-fuzz-routing-XXXXXX").string();
    folder = ::mkdtemp(pattern.data());
    fs::create_directories(folder / "webclient" / "sub");
    const auto write = [](const fs::path& path, const std::string& text) { std::ofstream(path) << text; };
    for (const char* name : {"index.html", "room.html", "login.html", "rooms.html", "admin.html", "app.js",
                             "style.css", "sub/page.txt"}) {
      write(folder / "webclient" / name, std::string("page ") + name);
    }
    write(folder / "webclient" / ".hidden", "SECRET hidden file");
    write(folder / "secret.txt", "SECRET outside the web client");
    write(folder / "webclient.txt", "SECRET beside the web client");
    settings.webRoot = (folder / "webclient").string();
    conference = std::make_unique<plenum::signaling::Conference>(
        settings.conference, [](std::function<void()>) {}, GstRoomMedia::factory(settings.conference.media));
    services = std::make_unique<Services>(settings, std::make_unique<SqliteStore>(":memory:"));
    router = new HttpRouter(settings, loop, *conference, *services);
  }
  ~World() {
    std::error_code ignored;
    fs::remove_all(folder, ignored);
  }
};

World& world() {
  static World w;
  return w;
}

bool queryDoesNotDecode(const std::string& uri) {
  try {
    (void)Poco::URI(uri).getQueryParameters();
    return false;
  } catch (const Poco::Exception&) {
    return true;
  }
}

enum class Kind { WebSocket, Health, Api, File, Other };

Kind kindOf(Poco::Net::HTTPRequestHandler* handler) {
  if (dynamic_cast<SignalingConnection*>(handler)) return Kind::WebSocket;
  if (dynamic_cast<ApiHandler*>(handler)) return Kind::Api;
  if (dynamic_cast<StaticFiles*>(handler)) return Kind::File;
  if (std::string(typeid(*handler).name()).find("HealthHandler") != std::string::npos) return Kind::Health;
  // Documents ask the conference thread, which does not run here (like the health check).
  if (dynamic_cast<DocumentApi*>(handler)) return Kind::Health;
  return Kind::Other;
}

// Runs the handler and checks its answer; `kind` is what the router chose.
void answer(Poco::Net::HTTPRequestHandler& handler, Kind kind, FakeRequest& request, FakeResponse& response,
            const std::string& uri) {
  try {
    handler.handleRequest(request, response);
  } catch (const Poco::SyntaxException&) {
    // Known, reported: ApiHandler builds its ApiExchange (which decodes the query) before its
    // try, so a query that does not percent-decode escapes it: no answer, connection closed.
    FUZZ_CHECK(kind == Kind::Api && queryDoesNotDecode(uri));
    return;
  }
  FUZZ_CHECK(response.sent());
  const int status = response.getStatus();
  FUZZ_CHECK(status != 500);
  const std::string body = response.body();
  FUZZ_CHECK(body.find("SECRET") == std::string::npos);
  if (status >= 400 && kind != Kind::File) {  // a JSON error body {"code", "message"}
    Poco::JSON::Parser parser;
    const auto object = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    FUZZ_CHECK(object->has("code"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  std::string rest(reinterpret_cast<const char*>(data), size);
  const std::string method = takeLine(rest);
  const std::string uri = takeLine(rest);
  const std::string host = takeLine(rest);
  const std::string cookie = takeLine(rest);
  const std::string origin = takeLine(rest);
  const std::string how = takeLine(rest);

  FakeResponse response;
  FakeRequest request(response, "", how.rfind("h", 0) == 0);
  request.setMethod(method.empty() ? "GET" : method);
  request.setURI(uri.empty() ? "/" : uri);
  if (!host.empty()) request.setHost(host);
  if (!cookie.empty()) request.set("Cookie", cookie);
  if (!origin.empty()) request.set("Origin", origin);

  // The Origin header as /ws reads it: a parsed origin parses again to itself.
  if (const auto parsed = urlOrigin(origin, true)) {
    FUZZ_CHECK(parsed->rfind("http://", 0) == 0 || parsed->rfind("https://", 0) == 0);
    FUZZ_CHECK(urlOrigin(*parsed, true) == parsed);
  } else {
    FUZZ_CHECK(!isOwnOrigin(origin, how.rfind("h", 0) == 0, host, ""));
  }

  // The cookies as the handlers read them.
  const std::string guest = cookieValue(request, kGuestCookie);
  if (isValidGuestId(guest)) FUZZ_CHECK(guest.size() >= 16 && guest.size() <= 128);
  (void)cookieValue(request, kSessionCookie);

  // What the router chose, and whether that was right for the path.
  // route(): the handler itself, not wrapped for the connection guard as createRequestHandler's.
  std::unique_ptr<Poco::Net::HTTPRequestHandler> routed(static_cast<HttpRouter&>(*w.router).route(request));
  FUZZ_CHECK(routed);
  const Kind kind = kindOf(routed.get());
  std::string path;
  bool uriParses = true;
  try {
    path = Poco::URI(request.getURI()).getPath();
  } catch (const Poco::Exception&) {
    uriParses = false;
    FUZZ_CHECK(kind == Kind::Other);  // 400 bad-uri
  }
  if (kind == Kind::File && path.rfind("/r/", 0) == 0) {
    std::string room = path.substr(3);
    if (!room.empty() && room.back() == '/') room.pop_back();
    FUZZ_CHECK(plenum::signaling::isValidRoomName(room));
  }
  if (kind == Kind::File && path.rfind("/j/", 0) == 0) {
    std::string token = path.substr(3);
    if (!token.empty() && token.back() == '/') token.pop_back();
    FUZZ_CHECK(plenum::signaling::isValidInviteToken(token));
  }
  if (kind == Kind::Api) FUZZ_CHECK(path == "/api" || path.rfind("/api/", 0) == 0);

  if (how.rfind("r", 0) == 0) {
    const int port = how == "r8443" ? 8443 : 443;
    HttpsRedirect redirect(port, w.router);
    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(redirect.createRequestHandler(request));
    FUZZ_CHECK(handler);
    if (path == "/healthz") return 0;  // the router's health check
    const auto location = httpsLocation(request.get("Host", ""), request.getURI(), port);
    if (location) {
      FUZZ_CHECK(location->rfind("https://", 0) == 0);
      const auto authorityEnd = location->find('/', 8);
      FUZZ_CHECK(authorityEnd != std::string::npos);
      const std::string authority = location->substr(8, authorityEnd - 8);
      FUZZ_CHECK(!authority.empty() && authority.find_first_of("@\\?# \t\r\n") == std::string::npos);
    }
    answer(*handler, Kind::Other, request, response, uri);
    if (!uriParses) {  // the router's 400 bad-uri
      FUZZ_CHECK(response.getStatus() == 400);
      return 0;
    }
    FUZZ_CHECK(response.getStatus() == (location ? 301 : 400));
    if (location) FUZZ_CHECK(response.get("Location", "") == *location);
    return 0;
  }
  if (kind == Kind::WebSocket || kind == Kind::Health) return 0;
  if (how.rfind("h", 0) == 0) {
    HstsHeader hsts(w.router);
    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(hsts.createRequestHandler(request));
    FUZZ_CHECK(handler);
    answer(*handler, kind, request, response, uri);
    FUZZ_CHECK(response.get("Strict-Transport-Security", "") == kHstsValue);
    return 0;
  }
  answer(*routed, kind, request, response, uri);
  return 0;
}
