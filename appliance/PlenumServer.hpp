#pragma once
// plenumd: reads the configuration, opens the database, starts GStreamer, the conference thread
// and the HTTP server, and on SIGTERM/SIGINT closes every room before it exits. With
// --create-admin it only creates an admin account and exits.
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

namespace plenum::appliance {

class PlenumServer : public Poco::Util::ServerApplication {
protected:
  void initialize(Poco::Util::Application& self) override;
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

private:
  bool stopEarly_ = false;
  std::string createAdmin_;  // --create-admin USERNAME: create the account and exit
};

}  // namespace plenum::appliance
