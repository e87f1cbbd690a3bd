#pragma once
// Every configuration key of plenumd with its default. plenum.ini (packaging/plenum.ini is the
// commented sample) may set any of them; --port and --data override http.port and data.dir.
#include "signaling/Conference.hpp"

#include <Poco/Util/AbstractConfiguration.h>

#include <optional>
#include <string>

namespace plenum::appliance {

// Accounts, login sessions, persistent rooms and how hard guessing is made.
struct AccessSettings {
  double sessionHours = 12;           // a login session ends after this long without use
  std::optional<bool> adHocRooms;     // unset: on while no account exists, off once one does
  int pinLength = 8;                  // digits of a new room's phone PIN (6-9)
  int attemptsPerAccount = 5;         // failed logins per account within the window
  int attemptsPerAddress = 20;        // failed logins (or room passwords) per client address
  int attemptsPerRoom = 10;           // wrong room passwords per room
  int attemptWindowSeconds = 300;
  std::string publicUrl;              // origin in invitations; empty: from the request's Host
};

struct Settings {
  std::string httpAddress = "0.0.0.0";
  int httpPort = 8080;
  std::string webRoot;  // default: the source tree's webclient/ (development build)
  int maxConnections = 500;
  std::string dataDir = "./var";
  int signalingTimeoutMs = 8000;
  std::string logLevel = "information";
  signaling::ConferenceSettings conference;
  AccessSettings access;

  static Settings from(const Poco::Util::AbstractConfiguration& config);
};

}  // namespace plenum::appliance
