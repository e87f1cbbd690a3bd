// SPDX-License-Identifier: EUPL-1.2
#pragma once
// plenumd: reads the configuration, opens the database, starts GStreamer, the conference thread
// and the HTTP server, and on SIGTERM/SIGINT closes every room before it exits. With
// --create-admin it only creates an admin account and exits; with --check-config it reports
// every problem of the configuration file and exits; with --backup FILE it copies the database
// to FILE (online backup, see DatabaseBackup.hpp) and exits. With https.port set, the web client, API
// and WebSocket are served over HTTPS and plain HTTP redirects there.
#include <Poco/Net/Context.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <map>
#include <string>

namespace plenum::appliance {

struct Settings;

class PlenumServer : public Poco::Util::ServerApplication {
protected:
  void initialize(Poco::Util::Application& self) override;
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

private:
  int checkConfiguration();
  int backup(const Settings& settings);

  bool stopEarly_ = false;
  std::string createAdmin_;  // --create-admin USERNAME: create the account and exit
  bool checkConfig_ = false;  // --check-config: report the configuration's problems and exit
  std::string backupFile_;    // --backup FILE: copy the database to FILE and exit
  std::string configFile_;    // --config FILE
  std::string configError_;   // why FILE could not be loaded
  std::map<std::string, std::string> overrides_;  // --port, --data
  Poco::Net::Context::Ptr tlsContext_;             // with https.port
};

}  // namespace plenum::appliance
