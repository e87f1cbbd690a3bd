// SPDX-License-Identifier: EUPL-1.2
#include "appliance/HttpConnectionGuard.hpp"

#include "appliance/ClientAddress.hpp"
#include "appliance/RateLimiter.hpp"
#include "appliance/SharedPort.hpp"
#include "appliance/TurnGateway.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerConnection.h>

#include <sys/socket.h>

namespace plenum::appliance {

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.http"); }

std::string peerOf(const Poco::Net::StreamSocket& socket) {
  try {
    return socket.peerAddress().toString();
  } catch (const Poco::Exception&) {
    return {};  // already gone
  }
}

// HTTP on a connection the guard admitted; counted until it ends.
class GuardedConnection : public Poco::Net::TCPServerConnection {
public:
  GuardedConnection(const Poco::Net::StreamSocket& socket, HttpConnectionGuard& guard,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::Context::Ptr tls, TurnGateway* turn)
      : TCPServerConnection(socket), guard_(guard), handlers_(std::move(handlers)), params_(std::move(params)),
        tls_(std::move(tls)), turn_(turn) {}

  void run() override {
    const std::string peer = guard_.open(socket());
    try {
      Poco::Net::StreamSocket connection = tls_ ? serverTls(socket(), tls_) : socket();
      if (peer.empty()) {
        refuse(connection);
        return;
      }
      serve(connection, peer);
    } catch (const Poco::Exception& e) {
      log().debug("connection ended: %s", e.displayText());
    }
    guard_.close(peer);  // also after the TURN gateway took it (then: already done)
  }

private:
  static void refuse(Poco::Net::StreamSocket& connection) {
    static const std::string kRefusal =
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 10\r\n"
        "Connection: close\r\nContent-Length: 75\r\n\r\n"
        R"({"code":"too-many-connections","message":"too many connections, try again"})";
    try {
      connection.setSendTimeout(Poco::Timespan(1, 0));
      connection.sendBytes(kRefusal.data(), static_cast<int>(kRefusal.size()));
    } catch (const Poco::Exception&) {
      // the client went away; nothing to tell
    }
  }

  void serve(Poco::Net::StreamSocket& connection, const std::string& peer) {
    if (turn_) {
      // Within the guard's deadline for a request's header: a silent client is shut down.
      const auto first = peekFirstByte(connection);
      if (!first) return;
      if (startsTurn(*first)) {
        guard_.close(peer);  // no HTTP deadlines: the gateway has its own limits
        turn_->serve(connection, Poco::Net::SocketAddress(peer).host().toString());
        return;
      }
    }
    Poco::Net::HTTPServerConnection http(connection, params_, handlers_);
    http.run();
  }

private:
  HttpConnectionGuard& guard_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::Context::Ptr tls_;
  TurnGateway* turn_;
};

}  // namespace

Poco::Net::TCPServerConnection* GuardedHttpConnections::createConnection(const Poco::Net::StreamSocket& socket) {
  return new GuardedConnection(socket, guard_, handlers_, params_, tls_, turn_);
}

HttpConnectionGuard::HttpConnectionGuard(int perAddress, std::size_t busyConnections,
                                         std::vector<std::string> trustedProxies)
    : perAddress_(perAddress), busyConnections_(busyConnections), trustedProxies_(std::move(trustedProxies)),
      reaper_([this] { reap(); }) {}

HttpConnectionGuard::~HttpConnectionGuard() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  reaper_.join();
}

std::string HttpConnectionGuard::open(const Poco::Net::StreamSocket& socket) {
  const std::string peer = peerOf(socket);
  if (peer.empty()) return {};
  const std::string address = Poco::Net::SocketAddress(peer).host().toString();
  const std::string key = clientAddressKey(address);
  const bool proxy = isTrustedProxy(address, trustedProxies_);
  std::lock_guard lock(mutex_);
  int& count = perAddressOpen_[key];
  if (count >= perAddress_ && !proxy) {
    if (count == 0) perAddressOpen_.erase(key);
    log().warning("HTTP connection refused: too many from one client address");
    return {};
  }
  ++count;
  connections_[peer] = Connection{socket.impl()->sockfd(), key, false, Clock::now()};
  return peer;
}

void HttpConnectionGuard::close(const std::string& peer) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(peer);
  if (it == connections_.end()) return;
  if (auto count = perAddressOpen_.find(it->second.addressKey); count != perAddressOpen_.end() && --count->second <= 0) {
    perAddressOpen_.erase(count);
  }
  connections_.erase(it);
}

void HttpConnectionGuard::setPhase(const Poco::Net::SocketAddress& peer, bool inRequest) {
  std::lock_guard lock(mutex_);
  if (auto it = connections_.find(peer.toString()); it != connections_.end()) {
    it->second.inRequest = inRequest;
    it->second.since = Clock::now();
  }
}

void HttpConnectionGuard::requestStarted(const Poco::Net::SocketAddress& peer) { setPhase(peer, true); }
void HttpConnectionGuard::requestEnded(const Poco::Net::SocketAddress& peer) { setPhase(peer, false); }
void HttpConnectionGuard::requestProgressed(const Poco::Net::SocketAddress& peer) { setPhase(peer, true); }

void HttpConnectionGuard::shutdownAll() {
  std::lock_guard lock(mutex_);
  for (auto& [peer, connection] : connections_) {
    if (connection.fd >= 0) ::shutdown(connection.fd, SHUT_RDWR);
    connection.fd = -1;
  }
}

// Shuts down connections past their deadline. Only the kernel socket is shut down (not a TLS
// session, which belongs to the connection's thread): its blocked read returns, Poco ends the
// connection, and close() forgets it.
void HttpConnectionGuard::reap() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(500));
    const auto now = Clock::now();
    const auto headerTime = connections_.size() > busyConnections_ ? kBusyHeaderTime : kHeaderTime;
    for (auto& [peer, connection] : connections_) {
      if (connection.fd < 0 || now - connection.since < (connection.inRequest ? kRequestTime : headerTime)) continue;
      ::shutdown(connection.fd, SHUT_RDWR);
      connection.fd = -1;  // once
    }
  }
}

}  // namespace plenum::appliance
