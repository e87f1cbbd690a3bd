// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Decides which handler serves a request: the WebSocket signaling endpoint, the health check,
// the REST API (/api/...), the room page for /r/<room> and /j/<invite>, the login, rooms and
// admin pages, or a file of the web client.
#include "appliance/ClientLimits.hpp"
#include "appliance/HttpConnectionGuard.hpp"
#include "appliance/Services.hpp"
#include "appliance/Settings.hpp"
#include "appliance/WebSocketThreads.hpp"
#include "signaling/Conference.hpp"
#include "signaling/EventLoop.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>

namespace plenum::appliance {

class HttpRouter : public Poco::Net::HTTPRequestHandlerFactory {
public:
  HttpRouter(const Settings& settings, signaling::EventLoop& loop, signaling::Conference& conference,
             Services& services);
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;
  // The handler for `request` (what createRequestHandler gives, before the connection's
  // deadline is moved on).
  Poco::Net::HTTPRequestHandler* route(const Poco::Net::HTTPServerRequest& request);
  // The guard of the HTTP connections that this router's requests come on.
  HttpConnectionGuard& connections() { return connections_; }
  // Ends every open WebSocket session (at shutdown, before the conference closes).
  bool stopWebSockets(std::chrono::milliseconds timeout) { return webSockets_.stopAll(timeout); }

private:
  const Settings& settings_;
  signaling::EventLoop& loop_;
  signaling::Conference& conference_;
  Services& services_;
  // owned
  ClientLimits clientLimits_;
  WebSocketThreads webSockets_;
  HttpConnectionGuard connections_;
};

// Headers every response carries: a strict Content Security Policy (the client loads nothing
// from other hosts) and no referrer leaking room names.
void addSecurityHeaders(Poco::Net::HTTPServerResponse& response);
// A JSON error body {"code": ..., "message": ...} with the given status.
void sendJsonError(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
                   const std::string& code, const std::string& message);

}  // namespace plenum::appliance
