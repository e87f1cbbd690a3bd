// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Carries TURN connections that arrived on the HTTP(S) port (SharedPort.hpp) to the TURN relay
// on loopback (TurnRelay), byte for byte both ways, on the connection's own thread (a TLS
// connection is decrypted here: coturn listens in plain TCP on 127.0.0.1 only). How many may be
// open at once is limited per client address and on the whole server (each holds a thread).
#include "appliance/ClientLimits.hpp"

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>

namespace plenum::appliance {

class TurnGateway {
public:
  // A connection with nothing in either direction for this long is closed (browsers refresh
  // their allocation every few minutes, and media flows all the time).
  static constexpr std::chrono::minutes kIdleTime{15};

  // `relayPort`: where the relay listens on 127.0.0.1 now (it may change when it restarts).
  TurnGateway(std::function<int()> relayPort, int perAddress, int total);

  // Serves `client` (from the client address `address`) until either side closes. At a limit,
  // or when the relay is not reachable, returns at once (the caller closes the connection).
  void serve(Poco::Net::StreamSocket& client, const std::string& address);

  // Ends every connection (at server shutdown).
  void shutdownAll();
  std::size_t openConnections() { return limits_.openConnections(); }

private:
  void pipe(Poco::Net::StreamSocket& client, Poco::Net::StreamSocket& relay);

  std::function<int()> relayPort_;
  ClientLimits limits_;
  std::mutex mutex_;
  std::set<int> open_;  // client sockets being served
  bool stopping_ = false;
};

}  // namespace plenum::appliance
