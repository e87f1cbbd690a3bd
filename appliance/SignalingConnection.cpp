// SPDX-License-Identifier: EUPL-1.2
#include "appliance/SignalingConnection.hpp"
#include "signaling/ServerMessages.hpp"

#include "appliance/ClientAddress.hpp"
#include "appliance/Cookies.hpp"
#include "appliance/Wakeup.hpp"
#include "signaling/MessageRate.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <mutex>
#include <system_error>
#include <vector>

namespace plenum::appliance {

using namespace plenum::signaling;
using Poco::Net::WebSocket;

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.signaling"); }

std::atomic<SessionId> nextSessionId{1};

// What the conference thread hands to this connection: messages to write, and whether to
// close. Counts refused messages so that an abusive client is cut off. Every change signals
// wakeup(), so that the session's thread writes at once instead of looking every few ms.
class Outbox : public SignalingSink {
public:
  explicit Outbox(SessionId id) : id_(id) {}

  void send(const std::string& message) override {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    wakeup_.signal();
    queue_.push_back(message);
    queuedBytes_ += message.size();
    if (queue_.size() > SignalingConnection::kMaxQueuedMessages ||
        queuedBytes_ > SignalingConnection::kMaxQueuedBytes) {
      // A client that does not read: what it has not taken is dropped with the connection.
      log().information("session %s: closed: reads too slowly (%z messages, %z bytes waiting)", std::to_string(id_),
                        queue_.size(), queuedBytes_);
      queue_.clear();
      queuedBytes_ = 0;
      closing_ = true;
    }
  }

  void sendError(const ProtocolError& error) override {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    wakeup_.signal();
    const bool fatal = isFatal(error.code);
    queue_.push_back(server::error(error, fatal));
    log().information("session %s: refused: %s: %s", std::to_string(id_),
                      std::string(toString(error.code)), error.message);
    if (fatal) {
      closing_ = true;
    } else if (++errors_ > SignalingConnection::kMaxErrors) {
      queue_.push_back(
          server::error({ErrorCode::TooManyErrors, "too many refused messages", 0, error.requestId}, true));
      closing_ = true;
    }
  }

  void close() override {
    std::lock_guard lock(mutex_);
    closing_ = true;
    wakeup_.signal();
  }

  // Readable (poll) while something may wait to be taken.
  Wakeup& wakeup() { return wakeup_; }

  // Takes the queued messages; `closing` tells whether to close after writing them.
  std::vector<std::string> take(bool& closing) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
    queuedBytes_ = 0;
    closing = closing_;
    return out;
  }

private:
  const SessionId id_;
  std::mutex mutex_;
  std::deque<std::string> queue_;
  std::size_t queuedBytes_ = 0;
  bool closing_ = false;
  int errors_ = 0;
  Wakeup wakeup_;
};

// Whether a frame can be read. Over HTTPS, OpenSSL may already hold decrypted bytes that the
// kernel socket's poll does not see, so those count first.
bool readable(WebSocket& socket, const Poco::Timespan& timeout) {
  return socket.available() > 0 || socket.poll(timeout, Poco::Net::Socket::SELECT_READ);
}

// Waits until the client sent something, the outbox was signalled or the server stops, at most
// `timeout`; true if a frame can be read. Bytes OpenSSL holds already (see readable()) are
// looked at first: poll() would not see them and might sleep with a frame waiting.
bool waitForWork(WebSocket& socket, int outboxFd, int stopFd, std::chrono::milliseconds timeout) {
  if (socket.available() > 0) return true;
  pollfd fds[3] = {{socket.impl()->sockfd(), POLLIN, 0}, {outboxFd, POLLIN, 0}, {stopFd, POLLIN, 0}};
  const int ready = ::poll(fds, 3, static_cast<int>(std::clamp<long long>(timeout.count(), 0, 60000)));
  if (ready < 0) {
    if (errno == EINTR) return false;
    throw std::system_error(errno, std::generic_category(), "poll");
  }
  // A hang-up or error on the socket is for receiveFrame to report.
  return (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

// Sends our close frame, then reads (and drops) what the client still sends until its close
// frame, for at most a second: closing a socket with unread data makes the kernel send a reset,
// and the client would lose the error message that explains the close.
void closeGracefully(WebSocket& socket, std::vector<char>& buffer) {
  socket.shutdown();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!readable(socket, Poco::Timespan(0, 100 * 1000))) continue;
    int flags = 0;
    const int length = socket.receiveFrame(buffer.data(), static_cast<int>(buffer.size()), flags);
    if ((length == 0 && flags == 0) || (flags & WebSocket::FRAME_OP_BITMASK) == WebSocket::FRAME_OP_CLOSE) break;
  }
}

}  // namespace

SignalingConnection::SignalingConnection(EventLoop& loop, Conference& conference, JoinResolver& joins,
                                         ClientLimits& limits, WebSocketThreads& threads,
                                         const std::vector<std::string>& trustedProxies, int timeoutMs,
                                         int joinTimeoutMs, const TurnCredentials* turn)
    : loop_(loop), conference_(conference), joins_(joins), limits_(limits), threads_(threads),
      trustedProxies_(trustedProxies), timeoutMs_(timeoutMs), joinTimeoutMs_(joinTimeoutMs), turn_(turn) {}

// One client's session after the upgrade, on a thread of its own (WebSocketThreads). Holds only
// what outlives the HTTP request: the socket, the connection's ticket, and the server's
// long-lived parts.
class SignalingConnection::Session {
public:
  Session(const SignalingConnection& handler, std::unique_ptr<WebSocket> socket, ClientLimits::Ticket ticket,
          Joiner joiner)
      : loop_(handler.loop_), conference_(handler.conference_), joins_(handler.joins_), limits_(handler.limits_),
        timeoutMs_(handler.timeoutMs_), joinTimeoutMs_(handler.joinTimeoutMs_), turn_(handler.turn_),
        socket_(std::move(socket)),
        ticket_(std::move(ticket)), joiner_(std::move(joiner)) {}

  void run(const WebSocketThreads::Stop& stop);

private:
  EventLoop& loop_;
  Conference& conference_;
  JoinResolver& joins_;
  ClientLimits& limits_;
  const int timeoutMs_;
  const int joinTimeoutMs_;
  const TurnCredentials* turn_;
  std::unique_ptr<WebSocket> socket_;
  ClientLimits::Ticket ticket_;  // counted as open until the session ends
  const Joiner joiner_;
};

void SignalingConnection::handleRequest(Poco::Net::HTTPServerRequest& request,
                                        Poco::Net::HTTPServerResponse& response) {
  // Read before the upgrade: the cookies and the address are the request's, not the socket's.
  Joiner joiner{cookieValue(request, kSessionCookie), cookieValue(request, kGuestCookie),
                clientAddressOf(request, trustedProxies_), request.get("Host", "")};
  ClientLimits::Refusal refusal = ClientLimits::Refusal::None;
  ClientLimits::Ticket ticket = limits_.openConnection(joiner.address, refusal);
  if (!ticket) {
    const bool server = refusal == ClientLimits::Refusal::Server;
    log().warning("WebSocket refused: %s", std::string(server ? "the server holds as many as it may"
                                                                : "too many from one client address"));
    response.setStatusAndReason(server ? Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE
                                       : Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS);
    response.set("Retry-After", "30");
    response.setContentType("application/json");
    response.send() << (server ? R"({"code":"server-full","message":"the server is full; please try again later"})"
                               : R"({"code":"too-many-connections","message":"too many connections from your address"})");
    return;
  }
  std::unique_ptr<WebSocket> socket;
  try {
    socket = std::make_unique<WebSocket>(request, response);
  } catch (const Poco::Net::WebSocketException& e) {
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    response.setContentType("application/json");
    response.send() << R"({"code":"not-websocket","message":"this endpoint speaks WebSocket only"})";
    return;
  }
  // The socket has left the HTTP session (Poco detaches it): this pool thread goes back to
  // serving HTTP, and the session gets a thread of its own.
  auto session = std::make_shared<Session>(*this, std::move(socket), std::move(ticket), std::move(joiner));
  if (!threads_.start([session](const WebSocketThreads::Stop& stop) { session->run(stop); })) {
    log().warning("WebSocket closed at once: the server is stopping or out of threads");
  }
}

void SignalingConnection::Session::run(const WebSocketThreads::Stop& stop) {
  WebSocket* socket = socket_.get();
  const SessionId id = nextSessionId++;
  auto outbox = std::make_shared<Outbox>(id);
  std::shared_ptr<SignalingSink> sink = outbox;
  socket->setMaxPayloadSize(static_cast<int>(kMaxFrameBytes));
  socket->setReceiveTimeout(Poco::Timespan(10, 0));  // a frame that starts must finish
  socket->setSendTimeout(Poco::Timespan(5, 0));
  log().information("session %s: connected", std::to_string(id));

  std::vector<char> buffer(kMaxFrameBytes);
  const auto connected = std::chrono::steady_clock::now();
  auto lastHeard = connected;
  bool joinAsked = false;
  MessageRate rate(kMessageBurst, kMessagesPerSecond);
  std::string reason = "disconnected";
  auto post = [&](ClientEnvelope envelope) {
    loop_.post([&conference = conference_, id, sink, envelope = std::move(envelope)]() mutable {
      conference.onMessage(id, sink, std::move(envelope));
    });
  };

  try {
    for (;;) {
      // Before take(): a message queued after it signals again and ends the next wait.
      outbox->wakeup().clear();
      bool closing = false;
      for (const std::string& message : outbox->take(closing)) {
        socket->sendFrame(message.data(), static_cast<int>(message.size()), WebSocket::FRAME_TEXT);
      }
      if (closing) {
        reason = "disconnected";
        closeGracefully(*socket, buffer);
        break;
      }
      if (stop.requested()) {
        reason = "server stopping";
        break;
      }
      const auto now = std::chrono::steady_clock::now();
      if (now - lastHeard > std::chrono::milliseconds(timeoutMs_)) {
        reason = "timeout";
        break;
      }
      if (!joinAsked && now - connected > std::chrono::milliseconds(joinTimeoutMs_)) {
        // A connection that never joins holds a thread and a socket for nothing.
        sink->send(server::error({ErrorCode::NotJoined, "no join request in time"}, true));
        sink->close();
        continue;  // the next round writes the error and closes
      }
      // Asleep until the client sends, the conference queues a message, the server stops, or
      // the next deadline (silence, join) passes.
      auto deadline = lastHeard + std::chrono::milliseconds(timeoutMs_);
      if (!joinAsked) deadline = std::min(deadline, connected + std::chrono::milliseconds(joinTimeoutMs_));
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1);
      if (!waitForWork(*socket, outbox->wakeup().fd(), stop.fd(), wait)) continue;

      int flags = 0;
      int length = 0;
      try {
        length = socket->receiveFrame(buffer.data(), static_cast<int>(buffer.size()), flags);
      } catch (const Poco::Net::WebSocketException& e) {
        if (e.code() == WebSocket::WS_ERR_PAYLOAD_TOO_BIG) {
          sink->sendError({ErrorCode::TooLarge, "frame larger than 64 KiB"});
          continue;  // the next round writes the error and closes
        }
        throw;
      }
      if (length == 0 && flags == 0) break;  // peer closed
      lastHeard = std::chrono::steady_clock::now();
      const int opcode = flags & WebSocket::FRAME_OP_BITMASK;
      if (opcode == WebSocket::FRAME_OP_CLOSE) break;
      if (opcode == WebSocket::FRAME_OP_PING) {
        socket->sendFrame(buffer.data(), length, static_cast<int>(WebSocket::FRAME_FLAG_FIN) | static_cast<int>(WebSocket::FRAME_OP_PONG));
        continue;
      }
      if (opcode == WebSocket::FRAME_OP_PONG) continue;
      if (opcode != WebSocket::FRAME_OP_TEXT || !(flags & WebSocket::FRAME_FLAG_FIN)) {
        sink->sendError({ErrorCode::NotBinary, "only unfragmented text frames are accepted"});
        continue;
      }
      // Parsed before the rate is checked, so that a too-fast names the request it refuses
      // (a frame is at most 64 KiB; every refusal counts towards kMaxErrors).
      auto parsed = parseClientMessage(std::string_view(buffer.data(), static_cast<std::size_t>(length)));
      if (auto* error = std::get_if<ProtocolError>(&parsed)) {
        sink->sendError(*error);
        continue;
      }
      auto& envelope = std::get<ClientEnvelope>(parsed);
      if (const auto wait = rate.take(lastHeard)) {
        sink->sendError({ErrorCode::TooFast, "too many messages", *wait, envelope.requestId});
        continue;
      }
      if (auto* join = std::get_if<JoinRequest>(&envelope.message)) {
        if (!limits_.mayJoin(joiner_.address)) {
          sink->sendError({ErrorCode::RateLimited, "too many joins from your address; try again in a minute", 60,
                           envelope.requestId});
          continue;
        }
        auto resolved = joins_.resolve(joiner_, *join);
        if (auto* error = std::get_if<ProtocolError>(&resolved)) {
          error->requestId = envelope.requestId;
          sink->sendError(*error);
          continue;
        }
        joinAsked = true;  // a refused join does not count: it must still join in time
        auto context = std::get<JoinContext>(std::move(resolved));
        if (turn_) context.iceServers = turn_->iceServersFor(joiner_.host);
        // Captures the conference, not this handler: Poco deletes the handler when the
        // connection ends, possibly before the posted work runs.
        loop_.post([&conference = conference_, id, sink, joinRequest = std::move(*join),
                    context = std::move(context), requestId = envelope.requestId]() mutable {
          conference.onJoin(id, sink, std::move(joinRequest), std::move(context), requestId);
        });
        continue;
      }
      post(std::move(envelope));
    }
  } catch (const Poco::Exception& e) {
    log().information("session %s: connection ended: %s", std::to_string(id), e.displayText());
  } catch (const std::exception& e) {
    log().information("session %s: connection ended: %s", std::to_string(id), std::string(e.what()));
  }
  loop_.post([&conference = conference_, id, reason] { conference.onSessionClosed(id, reason); });
  log().information("session %s: closed (%s)", std::to_string(id), reason);
}

}  // namespace plenum::appliance
