// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The conference's way back to one client connection (a WebSocket in plenumd, a recorder of
// calls in tests). Implementations are thread-safe and never block the caller for long: the
// conference thread calls them.
#include "signaling/Protocol.hpp"

#include <string>

namespace plenum::signaling {

class SignalingSink {
public:
  virtual ~SignalingSink() = default;
  virtual void send(const std::string& message) = 0;
  // Sends an error message; the sink counts refusals and closes abusive connections.
  virtual void sendError(const ProtocolError& error) = 0;
  // Ends the connection after what was queued has been sent.
  virtual void close() = 0;
};

}  // namespace plenum::signaling
