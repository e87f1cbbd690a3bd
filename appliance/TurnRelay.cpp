// SPDX-License-Identifier: EUPL-1.2
#include "appliance/TurnRelay.hpp"

#include "appliance/Secrets.hpp"

#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace plenum::appliance {

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.turn"); }

int freeLoopbackPort() {
  Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0), false);
  return probe.address().port();
}

bool accepts(int port) {
  try {
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), Poco::Timespan(0, 500000));
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

std::string turnServerConfig(const TurnConfig& c) {
  std::ostringstream out;
  out << "# Written by plenumd at every start of the relay; changes here are lost.\n"
      << "listening-ip=127.0.0.1\nlistening-port=" << c.listeningPort << "\n"
      // Clients come through plenumd's HTTP(S) port only, in TCP (TLS is plenumd's).
      << "no-udp\nno-tls\nno-dtls\nno-tcp-relay\nno-cli\n"
      << "relay-ip=" << c.relayIp << "\nmin-port=" << c.minPort << "\nmax-port=" << c.maxPort << "\n"
      << "use-auth-secret\nstatic-auth-secret=" << c.secret << "\nrealm=plenum\nfingerprint\n"
      << "total-quota=" << c.totalQuota << "\n"
      // One participant's browser needs one allocation per ICE server; a few spare for restarts.
      << "user-quota=4\n"
      << "no-multicast-peers\nno-rfc5780\nno-stun-backward-compatibility\nresponse-origin-only-with-rfc5780\n"
      << "no-software-attribute\n"
      // No open relay: every peer is refused except plenumd's own addresses (allowed-peer-ip
      // wins over denied-peer-ip). Loopback peers are refused by coturn's default.
      << "denied-peer-ip=0.0.0.0-255.255.255.255\n"
      << "denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n";
  for (const auto& peer : c.allowedPeers) out << "allowed-peer-ip=" << peer << "\n";
  // The user database must open (or coturn refuses every credential, also valid ones), but
  // holds nothing: in memory. Not polled either.
  out << "pidfile=" << c.directory << "/turnserver.pid\n"
      << "userdb=:memory:\nno-dynamic-ip-list\nno-dynamic-realms\nno-auth-pings\n";
  // coturn's log names client addresses: off unless asked for (log.level = debug).
  if (c.log) {
    out << "log-file=stdout\nsimple-log\n";
  } else {
    out << "no-stdout-log\nlog-file=/dev/null\nsimple-log\n";
  }
  return out.str();
}

std::vector<std::string> localAddresses() {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {};
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6)) continue;
    const Poco::Net::IPAddress address(*i->ifa_addr);
    if (address.isLoopback() || address.isLinkLocal() || address.isWildcard()) continue;
    (address.family() == Poco::Net::IPAddress::IPv4 ? v4 : v6).push_back(address.toString());
  }
  ::freeifaddrs(list);
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

TurnRelay::TurnRelay(const TurnSettings& settings, std::string dataDir, std::vector<std::string> peers, bool log)
    : settings_(settings), directory_(std::move(dataDir) + "/turn"), loopbackOnly_(!peers.empty()) {
  // Loopback never: coturn refuses such peers anyway, and they would be this machine's services.
  for (const auto& peer : peers.empty() ? localAddresses() : peers) {
    Poco::Net::IPAddress address;
    if (Poco::Net::IPAddress::tryParse(peer, address) && !address.isLoopback() && !address.isWildcard()) {
      config_.allowedPeers.push_back(address.toString());
      loopbackOnly_ = false;
    }
  }
  config_.relayIp = settings.relayIp;
  if (config_.relayIp.empty()) {
    for (const auto& address : config_.allowedPeers) {
      if (address.find(':') == std::string::npos) {
        config_.relayIp = address;
        break;
      }
    }
  }
  config_.minPort = settings.minPort;
  config_.maxPort = settings.maxPort;
  config_.totalQuota = settings.maxConnections;
  config_.directory = directory_;
  config_.log = log;
}

TurnRelay::~TurnRelay() { stop(); }

bool TurnRelay::start() {
  if (::access(settings_.server.c_str(), X_OK) != 0) {
    log().warning("TURN relay off: %s is not installed (Debian package coturn); participants behind firewalls that "
                  "block UDP cannot join",
                  settings_.server);
    return false;
  }
  if (config_.allowedPeers.empty() && loopbackOnly_) {
    // Tests and benchmarks on one machine: nobody can be behind a firewall there.
    log().information("TURN relay off: the media use loopback addresses only (ice.local-addresses)");
    return false;
  }
  if (config_.relayIp.empty() || config_.allowedPeers.empty()) {
    log().warning("TURN relay off: this machine has no network address to relay on (set turn.relay-ip)");
    return false;
  }
  Poco::File(directory_).createDirectories();
  ::chmod(directory_.c_str(), 0700);
  secret_ = randomToken(32);
  config_.secret = secret_;
  supervisor_ = std::thread([this] { supervise(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (const int p = port(); p != 0 && accepts(p)) {
      log().information("TURN relay (coturn) ready: relayed addresses on %s, UDP ports %d-%d", config_.relayIp,
                        config_.minPort, config_.maxPort);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  log().warning("TURN relay (coturn) did not start within 5 s; it is restarted in the background");
  return true;
}

void TurnRelay::stop() {
  std::unique_lock lock(mutex_);
  if (!supervisor_.joinable()) return;
  stopping_ = true;
  if (child_ > 0) ::kill(child_, SIGTERM);
  changed_.notify_all();
  if (!changed_.wait_for(lock, std::chrono::seconds(3), [this] { return child_ <= 0; })) ::kill(child_, SIGKILL);
  lock.unlock();
  supervisor_.join();
}

pid_t TurnRelay::launch() {
  config_.listeningPort = freeLoopbackPort();
  const std::string file = directory_ + "/turnserver.conf";
  {
    // Readable by plenumd's user only: it holds the secret that signs every credential.
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      log().error("TURN relay: cannot write %s", file);
      return -1;
    }
    ::fchmod(fd, 0600);
    const std::string text = turnServerConfig(config_);
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!written) return -1;
  }
  // Everything the child needs is made before fork(): after it, only async-signal-safe calls.
  const std::string server = settings_.server;
  const char* argv[] = {server.c_str(), "-c", file.c_str(), nullptr};
  const bool quiet = !config_.log;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Ends with plenumd, also when plenumd is killed (the supervisor thread lives as long).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::signal(SIGPIPE, SIG_DFL);
    if (quiet) {
      const int null = ::open("/dev/null", O_RDWR);
      if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
      }
    }
    ::close_range(3, ~0U, 0);  // plenumd's sockets stay plenumd's
    ::execv(argv[0], const_cast<char* const*>(argv));
    ::_exit(127);
  }
  if (pid > 0) port_ = config_.listeningPort;
  return pid;
}

void TurnRelay::supervise() {
  auto backoff = std::chrono::seconds(1);
  for (;;) {
    const auto started = std::chrono::steady_clock::now();
    pid_t pid = -1;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      pid = launch();
      child_ = pid;
    }
    int status = 0;
    std::string why = "could not be started";
    if (pid > 0) {
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      why = "ended (" + describe(status) + ")";
    }
    std::unique_lock lock(mutex_);
    child_ = -1;
    changed_.notify_all();
    if (stopping_) return;
    if (std::chrono::steady_clock::now() - started > std::chrono::minutes(1)) backoff = std::chrono::seconds(1);
    log().error("TURN relay (coturn) %s; starting it again in %d s", why, static_cast<int>(backoff.count()));
    if (changed_.wait_for(lock, backoff, [this] { return stopping_; })) return;
    backoff = std::min(backoff * 2, std::chrono::seconds(30));
  }
}

}  // namespace plenum::appliance
