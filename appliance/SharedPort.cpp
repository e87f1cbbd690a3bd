// SPDX-License-Identifier: EUPL-1.2
#include "appliance/SharedPort.hpp"

#include <Poco/Net/SecureStreamSocketImpl.h>

#include <openssl/ssl.h>
#include <sys/socket.h>

namespace plenum::appliance {

namespace {

// The OpenSSL connection whose handshake this thread drove last: a connection's handshake runs
// on the thread that serves it (Poco's lazy server handshake), inside completeHandshake().
thread_local SSL* handshaken = nullptr;

void onTlsEvent(const SSL* ssl, int where, int) {
  if (where & SSL_CB_HANDSHAKE_DONE) handshaken = const_cast<SSL*>(ssl);
}

class PeekableTls : public Poco::Net::SecureStreamSocketImpl {
public:
  PeekableTls(Poco::Net::StreamSocketImpl* tcp, Poco::Net::Context::Ptr context)
      : SecureStreamSocketImpl(tcp, std::move(context)) {
    acceptSSL();
  }
  bool poll(const Poco::Timespan& timeout, int mode) override {
    if ((mode & Poco::Net::Socket::SELECT_READ) && available() > 0) return true;
    return SecureStreamSocketImpl::poll(timeout, mode);
  }
};

}  // namespace

Poco::Net::StreamSocket serverTls(const Poco::Net::StreamSocket& tcp, Poco::Net::Context::Ptr context) {
  return Poco::Net::StreamSocket(new PeekableTls(static_cast<Poco::Net::StreamSocketImpl*>(tcp.impl()), std::move(context)));
}

void enableFirstBytePeek(Poco::Net::Context& context) { SSL_CTX_set_info_callback(context.sslContext(), onTlsEvent); }

std::optional<unsigned char> peekFirstByte(Poco::Net::StreamSocket& socket) {
  unsigned char first = 0;
  try {
    auto* tls = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket.impl());
    if (!tls) {
      if (socket.receiveBytes(&first, 1, MSG_PEEK) != 1) return std::nullopt;
      return first;
    }
    handshaken = nullptr;
    if (tls->completeHandshake() != 1) return std::nullopt;
    SSL* ssl = handshaken;
    handshaken = nullptr;
    // Only this connection's own object (a handshake on another thread would not be seen here).
    if (!ssl || SSL_get_fd(ssl) != tls->sockfd()) return std::nullopt;
    if (SSL_peek(ssl, &first, 1) != 1) return std::nullopt;
    return first;
  } catch (const Poco::Exception&) {
    return std::nullopt;  // reset, handshake failure, shut down by the guard
  }
}

}  // namespace plenum::appliance
