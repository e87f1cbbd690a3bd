#pragma once
// Every configuration key of plenumd with its default. plenum.ini (packaging/plenum.ini is the
// commented sample) may set any of them; --port and --data override http.port and data.dir.
#include "signaling/Conference.hpp"

#include <Poco/Util/AbstractConfiguration.h>

#include <string>

namespace plenum::appliance {

struct Settings {
  std::string httpAddress = "0.0.0.0";
  int httpPort = 8080;
  std::string webRoot;  // default: the source tree's webclient/ (development build)
  int maxConnections = 500;
  std::string dataDir = "./var";
  int signalingTimeoutMs = 8000;
  std::string logLevel = "information";
  signaling::ConferenceSettings conference;

  static Settings from(const Poco::Util::AbstractConfiguration& config);
};

}  // namespace plenum::appliance
