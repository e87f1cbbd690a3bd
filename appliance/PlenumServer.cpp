#include "appliance/PlenumServer.hpp"

#include "appliance/AdminBootstrap.hpp"
#include "appliance/HttpRouter.hpp"
#include "appliance/Services.hpp"
#include "appliance/Settings.hpp"
#include "appliance/SqliteStore.hpp"
#include "mixer/GstUtil.hpp"
#include "signaling/Conference.hpp"
#include "signaling/EventLoop.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/File.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/PatternFormatter.h>
#include <Poco/ThreadPool.h>
#include <Poco/Util/HelpFormatter.h>

#include <gst/gst.h>

#include <iostream>

#ifndef PLENUM_VERSION
#define PLENUM_VERSION "0.0.0"
#endif

namespace plenum::appliance {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

void PlenumServer::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);
  options.addOption(Option("help", "h", "show the options and exit"));
  options.addOption(Option("version", "", "print the version and exit"));
  options.addOption(Option("config", "c", "read settings from FILE (INI)").argument("FILE"));
  options.addOption(Option("port", "p", "HTTP port (overrides http.port; default 8080)").argument("PORT"));
  options.addOption(Option("data", "d", "data folder (overrides data.dir; default ./var)").argument("DIR"));
  options.addOption(Option("create-admin", "", "create an admin account (password from standard input) and exit")
                        .argument("USERNAME"));
}

void PlenumServer::handleOption(const std::string& name, const std::string& value) {
  ServerApplication::handleOption(name, value);
  if (name == "help") {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setHeader("Plenum conferencing server");
    help.format(std::cout);
    stopEarly_ = true;
    stopOptionsProcessing();
  } else if (name == "version") {
    std::cout << "plenumd " << PLENUM_VERSION << "\n";
    stopEarly_ = true;
    stopOptionsProcessing();
  } else if (name == "config") {
    loadConfiguration(value, PRIO_APPLICATION);
  } else if (name == "port") {
    config().setString("http.port", value);
  } else if (name == "data") {
    config().setString("data.dir", value);
  } else if (name == "create-admin") {
    createAdmin_ = value;
  }
}

void PlenumServer::initialize(Poco::Util::Application& self) {
  ServerApplication::initialize(self);
}

int PlenumServer::main(const std::vector<std::string>&) {
  if (stopEarly_) return EXIT_OK;

  Poco::AutoPtr<Poco::PatternFormatter> format(new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S.%i %p %s: %t"));
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(format, new Poco::ConsoleChannel));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger& log = Poco::Logger::get("plenum");

  Settings settings;
  try {
    settings = Settings::from(config());
    Poco::Logger::root().setLevel(settings.logLevel);
    for (const auto& name : {"plenum", "plenum.room", "plenum.conference", "plenum.signaling", "plenum.store",
                             "plenum.auth", "plenum.api"}) {
      Poco::Logger::get(name).setLevel(settings.logLevel);
    }
  } catch (const std::exception& e) {
    log.fatal("configuration: %s", std::string(e.what()));
    return EXIT_CONFIG;
  }

  std::unique_ptr<Store> store;
  try {
    Poco::File(settings.dataDir).createDirectories();
    store = std::make_unique<SqliteStore>(settings.dataDir + "/plenum.db");
  } catch (const std::exception& e) {
    log.fatal("database in %s: %s", settings.dataDir, std::string(e.what()));
    return EXIT_CANTCREAT;
  }
  if (!createAdmin_.empty()) {
    PasswordHasher hasher;
    AdminBootstrap bootstrap{*store, hasher, std::cin, std::cerr, stdinIsTerminal()};
    return bootstrap.createAdmin(createAdmin_);
  }
  Services services(settings, std::move(store));
  log.information("ad-hoc rooms (/r/<name>): %s", std::string(services.joins.adHocRoomsEnabled() ? "on" : "off"));

  gst_init(nullptr, nullptr);
  if (const auto missing = mixer::missingElements(); !missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += " " + m;
    log.fatal("GStreamer elements missing:%s (install the gstreamer1.0-plugins-* packages)", names);
    return EXIT_SOFTWARE;
  }
  if (!Poco::File(settings.webRoot + "/room.html").exists()) {
    log.warning("web client not found in %s (http.webroot)", settings.webRoot);
  }

  signaling::EventLoop loop;
  loop.start();
  signaling::Conference conference(settings.conference, [&loop](std::function<void()> work) { loop.post(std::move(work)); });

  Poco::ThreadPool pool(4, settings.maxConnections);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(settings.maxConnections);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  Poco::Net::ServerSocket socket;
  // No SO_REUSEPORT: a second plenumd on the same port must fail, not share the port.
  socket.bind(Poco::Net::SocketAddress(settings.httpAddress, static_cast<Poco::UInt16>(settings.httpPort)), true, false);
  socket.listen(64);
  Poco::Net::HTTPServer server(new HttpRouter(settings, loop, conference, services), pool, socket, params);
  server.start();
  log.information("plenumd %s listening on port %hu, data in %s, web client from %s", std::string(PLENUM_VERSION),
                  socket.address().port(), settings.dataDir, settings.webRoot);

  waitForTerminationRequest();

  log.information("shutting down: closing rooms");
  server.stopAll(true);
  loop.stop([&conference] { conference.closeAll(); });
  pool.joinAll();
  log.information("stopped");
  return EXIT_OK;
}

}  // namespace plenum::appliance

POCO_SERVER_MAIN(plenum::appliance::PlenumServer)
