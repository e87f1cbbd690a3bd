// SPDX-License-Identifier: EUPL-1.2
#include "appliance/HttpRouter.hpp"

#include "appliance/DocumentApi.hpp"

#include "appliance/ApiHandler.hpp"
#include "appliance/Cookies.hpp"
#include "appliance/OriginCheck.hpp"
#include "appliance/PhoneDialIn.hpp"
#include "appliance/SignalingConnection.hpp"
#include "appliance/StaticFiles.hpp"
#include "signaling/LogText.hpp"
#include "signaling/Protocol.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

namespace plenum::appliance {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void addSecurityHeaders(HTTPServerResponse& response) {
  response.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)");
}

void sendJsonError(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& code,
                   const std::string& message) {
  Poco::JSON::Object body;
  body.set("code", code);
  body.set("message", message);
  response.setStatusAndReason(status);
  response.setContentType("application/json");
  addSecurityHeaders(response);
  body.stringify(response.send());
}

namespace {

// 200 when the conference thread answers within a second and GStreamer is initialised.
class HealthHandler : public Poco::Net::HTTPRequestHandler {
public:
  HealthHandler(signaling::EventLoop& loop, signaling::Conference& conference, const PhoneDialIn* phone)
      : loop_(loop), conference_(conference), phone_(phone) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
    // Shared with the job: after a timeout it still runs later, when this frame is gone.
    struct Counts {
      std::atomic<std::size_t> rooms{0};
      std::atomic<std::size_t> participants{0};
      std::mutex mutex;  // for phone
      PhoneDialIn::Figures phone;
    };
    auto counts = std::make_shared<Counts>();
    // Unhealthy only when the conference thread is stuck, not when a burst of joins (each
    // builds media pipelines on it) keeps it busy for a second: how long it took is reported.
    const auto asked = std::chrono::steady_clock::now();
    const bool loopAlive = loop_.runAndWait(
        [counts, &conference = conference_, phone = phone_] {
          counts->rooms = conference.roomCount();
          counts->participants = conference.participantCount();
          if (phone) {
            std::lock_guard lock(counts->mutex);
            counts->phone = phone->figures();
          }
        },
        std::chrono::milliseconds(5000));
    const auto answeredMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - asked).count();
    const std::size_t rooms = counts->rooms;
    const std::size_t participants = counts->participants;
    const bool healthy = loopAlive && gst_is_initialized();
    Poco::JSON::Object body;
    body.set("status", healthy ? "ok" : "unhealthy");
    body.set("conferenceThread", loopAlive);
    body.set("gstreamer", static_cast<bool>(gst_is_initialized()));
    if (loopAlive) {
      body.set("conferenceThreadMs", static_cast<Poco::Int64>(answeredMs));
      body.set("rooms", rooms);
      body.set("participants", participants);
      if (phone_) {
        std::lock_guard lock(counts->mutex);
        const PhoneDialIn::Figures& f = counts->phone;
        Poco::JSON::Object phone;
        phone.set("listening", f.listening);
        if (f.registered) phone.set("registered", *f.registered);
        phone.set("calls", f.calls);
        phone.set("wrongPins", f.wrongPins);
        phone.set("pinsThrottled", f.pinsThrottled);
        body.set("phone", phone);
      }
    }
    response.setStatusAndReason(healthy ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
    response.setContentType("application/json");
    response.set("Cache-Control", "no-store");
    addSecurityHeaders(response);
    body.stringify(response.send());
  }

private:
  signaling::EventLoop& loop_;
  signaling::Conference& conference_;
  const PhoneDialIn* phone_;  // null: dial-in is off
};

class ErrorHandler : public Poco::Net::HTTPRequestHandler {
public:
  ErrorHandler(HTTPResponse::HTTPStatus status, std::string code, std::string message)
      : status_(status), code_(std::move(code)), message_(std::move(message)) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
    sendJsonError(response, status_, code_, message_);
  }

private:
  HTTPResponse::HTTPStatus status_;
  std::string code_;
  std::string message_;
};

// The room page (/r/<slug>, /j/<token>): gives the browser its guest link session first.
class RoomPage : public StaticFiles {
public:
  explicit RoomPage(const std::string& root) : StaticFiles(root, "/room.html") {}
  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    ensureGuestCookie(request, response);
    StaticFiles::handleRequest(request, response);
  }
};

// Whether a WebSocket request comes from a page of this server (or from no browser at all):
// decided before the upgrade (see OriginCheck.hpp).
bool ownOrigin(const HTTPServerRequest& request, const std::string& publicUrl) {
  if (!request.has("Origin")) return true;
  const std::string origin = request.get("Origin");
  const std::string host = request.get("Host", std::string());
  if (isOwnOrigin(origin, request.secure(), host, publicUrl)) return true;
  Poco::Logger::get("plenum.signaling")
      .notice("WebSocket from origin %s refused (Host %s; a proxy in front needs http.public-url)",
              signaling::logText(origin, 128), signaling::logText(host, 128));
  return false;
}

// "/rooms/" -> "rooms"; the one-segment name of a page path.
std::string pageName(const std::string& path) {
  std::string name = path.empty() ? path : path.substr(1);  // "" from a URI such as "?x" or "#x"
  if (!name.empty() && name.back() == '/') name.pop_back();
  return name;
}

}  // namespace

HttpRouter::HttpRouter(const Settings& settings, signaling::EventLoop& loop, signaling::Conference& conference,
                       Services& services)
    : settings_(settings), loop_(loop), conference_(conference), services_(services),
      clientLimits_(settings.maxConnectionsPerAddress, settings.maxWebSockets, settings.joinsPerMinute),
      // Busy at three quarters of the HTTP threads: then headers must come within 2 s.
      connections_(settings.maxHttpConnectionsPerAddress, static_cast<std::size_t>(settings.maxConnections) * 3 / 4,
                   settings.trustedProxies) {}

namespace {

// Tells the connection guard when a request's handler is done (the connection then has
// HttpConnectionGuard::kHeaderTime for its next request).
class TimedHandler : public Poco::Net::HTTPRequestHandler {
public:
  TimedHandler(Poco::Net::HTTPRequestHandler* inner, HttpConnectionGuard& guard, Poco::Net::SocketAddress peer)
      : inner_(inner), guard_(guard), peer_(std::move(peer)) {
    guard_.requestStarted(peer_);
  }
  ~TimedHandler() override { guard_.requestEnded(peer_); }
  void handleRequest(HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    inner_->handleRequest(request, response);
  }

private:
  std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
  HttpConnectionGuard& guard_;
  const Poco::Net::SocketAddress peer_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* HttpRouter::createRequestHandler(const HTTPServerRequest& request) {
  return new TimedHandler(route(request), connections_, request.clientAddress());
}

Poco::Net::HTTPRequestHandler* HttpRouter::route(const HTTPServerRequest& request) {
  std::string path;
  try {
    path = Poco::URI(request.getURI()).getPath();
  } catch (const Poco::Exception&) {
    return new ErrorHandler(HTTPResponse::HTTP_BAD_REQUEST, "bad-uri", "the request URI does not parse");
  }
  if (path == "/ws" && !ownOrigin(request, settings_.access.publicUrl)) {
    return new ErrorHandler(HTTPResponse::HTTP_FORBIDDEN, "foreign-origin",
                            "this WebSocket was opened by a page of another site (Origin)");
  }
  if (path == "/ws") return new SignalingConnection(loop_, conference_, services_.joins, clientLimits_, webSockets_,
                                                        settings_.trustedProxies,
                                                        settings_.signalingTimeoutMs, settings_.joinTimeoutS * 1000,
                                                        services_.turn);
  if (path == "/healthz") return new HealthHandler(loop_, conference_, services_.phone);
  if (DocumentApi::handles(path)) {
    return new DocumentApi(loop_, conference_, services_.documents,
                           [this, peer = request.clientAddress()] { connections_.requestProgressed(peer); });
  }
  if (path == "/api" || path.rfind("/api/", 0) == 0) {
    return new ApiHandler(services_, [this, peer = request.clientAddress()] { connections_.requestProgressed(peer); });
  }
  if (request.getMethod() != "GET" && request.getMethod() != "HEAD") {
    return new ErrorHandler(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method-not-allowed", "only GET and HEAD");
  }
  if (path.rfind("/r/", 0) == 0) {
    std::string room = path.substr(3);
    if (!room.empty() && room.back() == '/') room.pop_back();
    if (!signaling::isValidRoomName(room)) {
      return new ErrorHandler(HTTPResponse::HTTP_NOT_FOUND, "bad-room-name",
                              "room names are 1-64 characters of A-Z a-z 0-9 . _ -");
    }
    return new RoomPage(settings_.webRoot);
  }
  if (path.rfind("/j/", 0) == 0) {
    if (!signaling::isValidInviteToken(pageName(path.substr(2)))) {
      return new ErrorHandler(HTTPResponse::HTTP_NOT_FOUND, "bad-invite", "this is not an invitation link");
    }
    return new RoomPage(settings_.webRoot);
  }
  if (const std::string page = pageName(path); page == "login" || page == "rooms" || page == "admin") {
    return new StaticFiles(settings_.webRoot, "/" + page + ".html");
  }
  return new StaticFiles(settings_.webRoot, path == "/" ? "/index.html" : path);
}

}  // namespace plenum::appliance
