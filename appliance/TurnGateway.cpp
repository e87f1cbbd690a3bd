// SPDX-License-Identifier: EUPL-1.2
#include "appliance/TurnGateway.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/SecureStreamSocketImpl.h>

#include <poll.h>
#include <sys/socket.h>

#include <array>

namespace plenum::appliance {

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.turn"); }

void sendAll(Poco::Net::StreamSocket& socket, const char* data, int length) {
  while (length > 0) {
    const int sent = socket.sendBytes(data, length);
    if (sent <= 0) throw Poco::IOException("send failed");
    data += sent;
    length -= sent;
  }
}

}  // namespace

TurnGateway::TurnGateway(std::function<int()> relayPort, int perAddress, int total)
    : relayPort_(std::move(relayPort)), limits_(perAddress, total, 1) {}

void TurnGateway::serve(Poco::Net::StreamSocket& client, const std::string& address) {
  ClientLimits::Refusal refusal = ClientLimits::Refusal::None;
  ClientLimits::Ticket ticket = limits_.openConnection(address, refusal);
  if (!ticket) {
    log().warning("TURN connection refused: %s", std::string(refusal == ClientLimits::Refusal::Server
                                                                 ? "the server holds as many as it may (turn.max-connections)"
                                                                 : "too many from one client address"));
    return;
  }
  const int fd = client.impl()->sockfd();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    open_.insert(fd);
  }
  try {
    Poco::Net::StreamSocket relay;
    relay.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(relayPort_())), Poco::Timespan(2, 0));
    pipe(client, relay);
  } catch (const Poco::Exception& e) {
    log().debug("TURN connection ended: %s", e.displayText());
  }
  std::lock_guard lock(mutex_);
  open_.erase(fd);
}

void TurnGateway::pipe(Poco::Net::StreamSocket& client, Poco::Net::StreamSocket& relay) {
  client.setNoDelay(true);
  relay.setNoDelay(true);
  // A side that stops reading is dropped, not waited for; so is a client that sends part of a
  // TLS record and stops (the read inside TLS would wait for the rest).
  for (auto* socket : {&client, &relay}) {
    socket->setSendTimeout(Poco::Timespan(10, 0));
    socket->setReceiveTimeout(Poco::Timespan(30, 0));
  }
  // Inside TLS, a record may hold more than one read takes: what OpenSSL holds already is read
  // before waiting in poll(), which sees only the socket.
  auto* tls = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(client.impl());
  std::array<char, 16384> buffer{};
  std::array<pollfd, 2> fds{pollfd{client.impl()->sockfd(), POLLIN, 0}, pollfd{relay.impl()->sockfd(), POLLIN, 0}};
  auto idleSince = std::chrono::steady_clock::now();
  for (;;) {
    fds[0].revents = fds[1].revents = 0;
    const bool buffered = tls && tls->available() > 0;
    if (!buffered) {
      const int ready = ::poll(fds.data(), fds.size(), 30000);
      if (ready < 0 && errno != EINTR) return;
      if (ready <= 0) {
        if (std::chrono::steady_clock::now() - idleSince > kIdleTime) return;
        continue;
      }
    }
    idleSince = std::chrono::steady_clock::now();
    if (buffered || fds[0].revents != 0) {
      const int n = client.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
      if (n <= 0) return;
      sendAll(relay, buffer.data(), n);
    }
    if (fds[1].revents != 0) {
      const int n = relay.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
      if (n <= 0) return;
      sendAll(client, buffer.data(), n);
    }
  }
}

void TurnGateway::shutdownAll() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
}

}  // namespace plenum::appliance
