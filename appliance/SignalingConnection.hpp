// SPDX-License-Identifier: EUPL-1.2
#pragma once
// One client's WebSocket: reads frames, parses them (signaling/Protocol), posts them to the
// conference thread, and writes what the conference sends back. A join is first resolved here
// (JoinResolver: the session cookie of the upgrade request, the invite, the room password), on
// this thread, so that the conference thread never waits for the store or a password hash. The
// upgrade runs on one of the HTTP server's threads; the session then gets a thread of its own
// (WebSocketThreads) and the HTTP thread goes back to the pool. Outgoing messages are queued by
// the conference thread and written on the session's thread, so a slow client never stalls the
// conference (and only one thread touches the socket: OpenSSL's objects are not safe for a read
// and a write from two threads). The session's thread sleeps in poll() on the socket, the
// outbox's eventfd and the server's stop signal: a queued message goes out at once.
#include "appliance/ClientLimits.hpp"
#include "appliance/JoinResolver.hpp"
#include "appliance/TurnCredentials.hpp"
#include "appliance/WebSocketThreads.hpp"
#include "signaling/Conference.hpp"
#include "signaling/EventLoop.hpp"
#include "signaling/SignalingSink.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

#include <atomic>

namespace plenum::appliance {

class SignalingConnection : public Poco::Net::HTTPRequestHandler {
public:
  SignalingConnection(signaling::EventLoop& loop, signaling::Conference& conference, JoinResolver& joins,
                      ClientLimits& limits, WebSocketThreads& threads,
                      const std::vector<std::string>& trustedProxies, int timeoutMs, int joinTimeoutMs,
                      const TurnCredentials* turn);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

  static constexpr int kMaxErrors = 20;
  // Every message type together (pings, media changes, ...): a burst, then a steady rate;
  // beyond it, too-fast (which counts towards kMaxErrors).
  static constexpr unsigned kMessageBurst = 50;
  static constexpr double kMessagesPerSecond = 20;
  // What may wait to be written to a client that reads too slowly; beyond it the connection is
  // closed (a chat history of 4 MiB of text must fit, escaped).
  static constexpr std::size_t kMaxQueuedMessages = 2000;
  static constexpr std::size_t kMaxQueuedBytes = 16 * 1024 * 1024;

private:
  class Session;

  signaling::EventLoop& loop_;
  signaling::Conference& conference_;
  JoinResolver& joins_;
  ClientLimits& limits_;
  WebSocketThreads& threads_;
  const std::vector<std::string>& trustedProxies_;
  const int timeoutMs_;
  const int joinTimeoutMs_;
  const TurnCredentials* turn_;  // null without a TURN relay
};

}  // namespace plenum::appliance
