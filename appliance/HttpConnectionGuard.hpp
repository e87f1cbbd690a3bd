// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Keeps slow or greedy HTTP clients from holding the threads that serve HTTP (Poco serves each
// connection on a thread of its own, and waits for a slow client read by read):
// - a connection must send each request's header within kHeaderTime of being opened or of the
//   previous response (kBusyHeaderTime while more than `busyConnections` are open: browsers
//   send theirs at once), and a request must be done within kRequestTime (a long download
//   within kRequestTime of its last progress, see requestProgressed); a connection past its
//   deadline is shut down (a client sending a byte every few seconds no longer keeps a thread);
// - one client address (IPv6 by /64) may hold at most `perAddress` connections at once.
// Connections are recognised by their peer's address and port. Thread-safe.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace plenum::appliance {

class TurnGateway;

class HttpConnectionGuard {
public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kHeaderTime{10};
  static constexpr std::chrono::seconds kBusyHeaderTime{2};
  static constexpr std::chrono::seconds kRequestTime{60};

  // Trusted proxies (http.trusted-proxies) are exempt from the limit per address: every client
  // behind them comes from their address.
  HttpConnectionGuard(int perAddress, std::size_t busyConnections, std::vector<std::string> trustedProxies = {});
  ~HttpConnectionGuard();
  HttpConnectionGuard(const HttpConnectionGuard&) = delete;
  HttpConnectionGuard& operator=(const HttpConnectionGuard&) = delete;

  // A new connection: its peer's "address:port", or empty (and not counted) when its address
  // holds too many already or it is gone. close() takes what open() returned.
  std::string open(const Poco::Net::StreamSocket& socket);
  void close(const std::string& peer);
  // A request's header has arrived on the connection from `peer` / its response is done.
  void requestStarted(const Poco::Net::SocketAddress& peer);
  void requestEnded(const Poco::Net::SocketAddress& peer);
  // The response to the request on that connection is still going out (a chunk of a file was
  // sent): its kRequestTime starts again, so a long download over a slow line is not cut off,
  // while a client that stops reading still is.
  void requestProgressed(const Poco::Net::SocketAddress& peer);

  // Shuts every connection down (at server shutdown).
  void shutdownAll();

private:
  struct Connection {
    int fd;
    std::string addressKey;
    bool inRequest = false;  // between a request's header and its response
    Clock::time_point since;  // of the current phase
  };
  void setPhase(const Poco::Net::SocketAddress& peer, bool inRequest);
  void reap();

  const int perAddress_;
  const std::size_t busyConnections_;
  const std::vector<std::string> trustedProxies_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::unordered_map<std::string, Connection> connections_;  // by peer address:port
  std::unordered_map<std::string, int> perAddressOpen_;
  std::thread reaper_;
};

// Serves HTTP on connections the guard admits (Poco's HTTPServerConnection), like
// Poco::Net::HTTPServer's own factory. A refused connection gets a short 429 and is closed.
// With `tls`, the connections speak TLS (SharedPort.hpp's serverTls). With a TURN gateway, a
// connection that speaks TURN (its first byte, SharedPort.hpp) leaves the guard and goes to the
// gateway.
class GuardedHttpConnections : public Poco::Net::TCPServerConnectionFactory {
public:
  GuardedHttpConnections(HttpConnectionGuard& guard, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                         Poco::Net::HTTPServerParams::Ptr params, Poco::Net::Context::Ptr tls = nullptr,
                         TurnGateway* turn = nullptr)
      : guard_(guard), handlers_(std::move(handlers)), params_(std::move(params)), tls_(std::move(tls)), turn_(turn) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

private:
  HttpConnectionGuard& guard_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::Context::Ptr tls_;
  TurnGateway* turn_;
};

}  // namespace plenum::appliance
