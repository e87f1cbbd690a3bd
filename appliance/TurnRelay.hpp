// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The TURN relay: Debian's coturn, run and watched by plenumd (restarted when it exits, stopped
// with plenumd; no service of its own to configure). It listens on 127.0.0.1 only, in plain
// TCP: clients reach it through the HTTP(S) port (SharedPort.hpp, TurnGateway). It relays only
// to this machine's own addresses (the media of plenumd), never to anything else: no open
// relay. Credentials are time-limited and signed with a secret made anew at every start
// (TurnCredentials), which only plenumd and coturn know (its configuration is mode 0600).
#include "appliance/Settings.hpp"

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace plenum::appliance {

// What coturn's configuration is made of.
struct TurnConfig {
  int listeningPort = 0;                  // on 127.0.0.1
  std::string secret;                     // static-auth-secret
  std::string relayIp;                    // the relayed addresses' IP
  std::vector<std::string> allowedPeers;  // the only peers it may relay to
  int minPort = 40000;
  int maxPort = 40999;
  int totalQuota = 200;                   // allocations at once
  std::string directory;                  // its pid file
  bool log = false;                       // coturn's own log (with client addresses) to stdout
};

// The text of coturn's configuration file.
std::string turnServerConfig(const TurnConfig& config);

// This machine's unicast addresses that are not loopback or link-local (IPv4 first).
std::vector<std::string> localAddresses();

class TurnRelay {
public:
  // `peers`: the addresses plenumd's media uses (ice.local-addresses), or empty for all of
  // this machine's (localAddresses()).
  TurnRelay(const TurnSettings& settings, std::string dataDir, std::vector<std::string> peers, bool log);
  ~TurnRelay();
  TurnRelay(const TurnRelay&) = delete;
  TurnRelay& operator=(const TurnRelay&) = delete;

  // Starts coturn and waits (a few seconds at most) until it accepts connections; false, with
  // a log line saying why, when it cannot run (not installed, no address to relay on).
  bool start();
  // Stops coturn (SIGTERM, SIGKILL after 3 s) and no longer restarts it.
  void stop();

  // The loopback port coturn listens on now (0 before start).
  int port() const { return port_.load(); }
  const std::string& secret() const { return secret_; }
  const std::string& relayIp() const { return config_.relayIp; }

private:
  void supervise();
  pid_t launch();

  const TurnSettings settings_;
  const std::string directory_;
  bool loopbackOnly_;  // ice.local-addresses names loopback addresses only
  TurnConfig config_;
  std::string secret_;
  std::atomic<int> port_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  pid_t child_ = -1;
  std::thread supervisor_;
};

}  // namespace plenum::appliance
