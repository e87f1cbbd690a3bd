// SPDX-License-Identifier: EUPL-1.2
#include "mixer/PhoneMedia.hpp"

#include <random>
#include <stdexcept>

namespace plenum::mixer {

const char* toString(PhoneCodec codec) {
  switch (codec) {
    case PhoneCodec::G722: return "G722";
    case PhoneCodec::PCMA: return "PCMA";
    case PhoneCodec::PCMU: return "PCMU";
    case PhoneCodec::Opus: return "opus";
  }
  return "?";
}

unsigned rtpClockRate(PhoneCodec codec) { return codec == PhoneCodec::Opus ? 48000 : 8000; }

std::unique_ptr<RtpSocket> RtpSocket::bind(const std::string& address, unsigned minPort, unsigned maxPort) {
  if (minPort > maxPort || maxPort > 65535) throw std::invalid_argument("bad RTP port range");
  GInetAddress* inet = g_inet_address_new_from_string(address.empty() ? "0.0.0.0" : address.c_str());
  if (!inet) throw std::invalid_argument("RTP address is not a numeric address");
  const GSocketFamily family = g_inet_address_get_family(inet);
  // Even ports only (RFC 3550: RTP even, RTCP the odd one above, which we leave alone).
  const unsigned first = std::max(2u, minPort + (minPort % 2));
  const unsigned count = first > maxPort ? 0 : (maxPort - first) / 2 + 1;
  std::unique_ptr<RtpSocket> bound;
  if (count > 0) {
    // A random start: a new call does not get the port a call just left (whose late packets
    // may still arrive) and ports are not guessable from the call count.
    std::random_device random;
    const unsigned start = std::uniform_int_distribution<unsigned>(0, count - 1)(random);
    for (unsigned i = 0; i < count && !bound; ++i) {
      const unsigned port = first + 2 * ((start + i) % count);
      GSocket* socket = g_socket_new(family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, nullptr);
      if (!socket) break;
      GSocketAddress* where = g_inet_socket_address_new(inet, static_cast<guint16>(port));
      const gboolean ok = g_socket_bind(socket, where, FALSE, nullptr);
      g_object_unref(where);
      if (ok) bound.reset(new RtpSocket(socket, port));
      else g_object_unref(socket);
    }
  }
  g_object_unref(inet);
  return bound;
}

// Only our reference: the pipelines that use the socket hold their own and may still be
// stopping (ElementReaper); the port is free once the last of them lets go.
RtpSocket::~RtpSocket() { g_object_unref(socket_); }

}  // namespace plenum::mixer
