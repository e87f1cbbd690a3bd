// SPDX-License-Identifier: EUPL-1.2
#include "appliance/ApiHandler.hpp"

#include "appliance/AccountApi.hpp"
#include "appliance/ApiError.hpp"
#include "appliance/ApiExchange.hpp"
#include "appliance/Cookies.hpp"
#include "appliance/HttpRouter.hpp"
#include "appliance/RecordingApi.hpp"
#include "appliance/RoomApi.hpp"
#include "appliance/Secrets.hpp"
#include "appliance/SessionApi.hpp"
#include "signaling/LogText.hpp"

#include <Poco/Logger.h>
#include <Poco/NumberParser.h>

#include <functional>
#include <optional>
#include <vector>

namespace plenum::appliance {

using Status = ApiError::Status;
using signaling::logText;

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.api"); }

// Public: anyone. LoggedIn: 401 without a valid session; POST/PATCH/PUT/DELETE also need the
// session's CSRF token in X-CSRF-Token (403 "csrf").
enum class Guard { Public, LoggedIn };

// What a route's placeholders matched: "{id}" a positive integer, "{key}" any one segment (its
// handler checks the form, so that a malformed key gets that handler's own answer).
struct PathArgs {
  std::int64_t id = 0;
  std::string key;
};

struct Route {
  const char* method;
  std::vector<std::string> pattern;  // path segments, "{id}" and "{key}" placeholders
  Guard guard;
  std::function<void(Services&, ApiExchange&, const PathArgs&)> run;
};

const std::vector<Route>& routes() {
  static const std::vector<Route> table{
      {"POST", {"api", "session"}, Guard::Public, [](Services& s, ApiExchange& e, auto) { SessionApi(s).login(e); }},
      {"GET", {"api", "session"}, Guard::LoggedIn, [](Services& s, ApiExchange& e, auto) { SessionApi(s).show(e); }},
      {"DELETE", {"api", "session"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, auto) { SessionApi(s).logout(e); }},
      {"GET", {"api", "accounts"}, Guard::LoggedIn, [](Services& s, ApiExchange& e, auto) { AccountApi(s).list(e); }},
      {"POST", {"api", "accounts"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, auto) { AccountApi(s).create(e); }},
      {"PATCH", {"api", "accounts", "{id}"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { AccountApi(s).update(e, p.id); }},
      {"DELETE", {"api", "accounts", "{id}"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { AccountApi(s).remove(e, p.id); }},
      {"GET", {"api", "rooms"}, Guard::LoggedIn, [](Services& s, ApiExchange& e, auto) { RoomApi(s).list(e); }},
      {"POST", {"api", "rooms"}, Guard::LoggedIn, [](Services& s, ApiExchange& e, auto) { RoomApi(s).create(e); }},
      {"GET", {"api", "rooms", "{id}"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RoomApi(s).show(e, p.id); }},
      {"PATCH", {"api", "rooms", "{id}"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RoomApi(s).update(e, p.id); }},
      {"DELETE", {"api", "rooms", "{id}"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RoomApi(s).remove(e, p.id); }},
      {"GET", {"api", "rooms", "{id}", "invitation.ics"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RoomApi(s).invitation(e, p.id); }},
      {"POST", {"api", "rooms", "{id}", "invite"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RoomApi(s).renewInvite(e, p.id); }},
      {"POST", {"api", "rooms", "{id}", "pin"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RoomApi(s).renewPin(e, p.id); }},
      {"GET", {"api", "rooms", "{id}", "recordings"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RecordingApi(s).list(e, p.id); }},
      {"GET", {"api", "recordings", "{key}", "file"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RecordingApi(s).file(e, p.key); }},
      {"HEAD", {"api", "recordings", "{key}", "file"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RecordingApi(s).file(e, p.key); }},
      {"DELETE", {"api", "recordings", "{key}"}, Guard::LoggedIn,
       [](Services& s, ApiExchange& e, const PathArgs& p) { RecordingApi(s).remove(e, p.key); }},
      {"GET", {"api", "openapi.json"}, Guard::Public,
       [](Services&, ApiExchange& e, auto) { e.sendJsonText(Status::HTTP_OK, openApiDocument()); }},
  };
  return table;
}

// Whether `segments` fit `pattern`; if so, the placeholders' values go to `args`.
bool matches(const Route& route, const std::vector<std::string>& segments, PathArgs& args) {
  if (route.pattern.size() != segments.size()) return false;
  PathArgs found;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (route.pattern[i] == "{key}") {
      found.key = segments[i];
    } else if (route.pattern[i] == "{id}") {
      Poco::Int64 value = 0;
      const bool digits = !segments[i].empty() && segments[i].size() <= 18 &&
                          segments[i].find_first_not_of("0123456789") == std::string::npos;
      if (!digits || !Poco::NumberParser::tryParse64(segments[i], value) || value <= 0) return false;
      found.id = value;
    } else if (route.pattern[i] != segments[i]) {
      return false;
    }
  }
  args = std::move(found);
  return true;
}

bool changesState(const std::string& method) {
  return method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE";
}

}  // namespace

void ApiHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  std::optional<ApiExchange> made;
  try {
    made.emplace(request, response);  // decodes the path and query
  } catch (const Poco::Exception&) {
    sendJsonError(response, Status::HTTP_BAD_REQUEST, "bad-request", "the request's URI cannot be decoded");
    return;
  }
  ApiExchange& exchange = *made;
  try {
    exchange.readBody();
    const Route* route = nullptr;
    PathArgs args;
    std::string allowed;
    for (const Route& candidate : routes()) {
      if (!matches(candidate, exchange.segments(), args)) continue;
      allowed += allowed.empty() ? candidate.method : std::string(", ") + candidate.method;
      if (exchange.method() == candidate.method) route = &candidate;
    }
    if (!route && allowed.empty()) throw ApiError::notFound("no such API resource");
    if (!route) {
      response.set("Allow", allowed);
      throw ApiError(Status::HTTP_METHOD_NOT_ALLOWED, "method-not-allowed", "allowed: " + allowed);
    }

    exchange.caller = services_.sessions.recognise(cookieValue(request, kSessionCookie));
    if (route->guard == Guard::LoggedIn) {
      if (!exchange.caller) throw ApiError::notLoggedIn();
      if (changesState(exchange.method()) &&
          !equalSecrets(request.get("X-CSRF-Token", ""), exchange.caller->session.csrfToken)) {
        throw ApiError(Status::HTTP_FORBIDDEN, "csrf", "the X-CSRF-Token header is missing or wrong");
      }
    }
    exchange.onProgress = progressed_;
    route->run(services_, exchange, args);
  } catch (const ApiError& e) {
    exchange.sendError(e.status(), e.code(), e.what(), e.retryAfter(), e.details());
  } catch (const StoreConflict& e) {
    exchange.sendError(Status::HTTP_CONFLICT, "conflict", e.what(), 0);
  } catch (const std::exception& e) {
    log().error("%s %s failed: %s", logText(request.getMethod(), 16), logText(request.getURI()), logText(e.what()));
    exchange.sendError(Status::HTTP_INTERNAL_SERVER_ERROR, "internal", "the server failed; see its log", 0);
  }
}

}  // namespace plenum::appliance
