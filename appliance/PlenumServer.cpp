// SPDX-License-Identifier: EUPL-1.2
#include "appliance/PlenumServer.hpp"

#include "appliance/AdminBootstrap.hpp"
#include "appliance/ConfigCheck.hpp"
#include "appliance/DatabaseBackup.hpp"
#include "appliance/GstRoomMedia.hpp"
#include "appliance/HttpRouter.hpp"
#include "appliance/RecordingRetention.hpp"
#include "appliance/Services.hpp"
#include "appliance/Settings.hpp"
#include "appliance/RecordingService.hpp"
#include "appliance/SqliteStore.hpp"
#include "appliance/SharedPort.hpp"
#include "appliance/TlsServer.hpp"
#include "appliance/DocumentService.hpp"
#include "appliance/PhoneDialIn.hpp"
#include "appliance/TurnCredentials.hpp"
#include "appliance/TurnGateway.hpp"
#include "appliance/TurnRelay.hpp"
#include "appliance/Watchdog.hpp"
#include "mixer/ElementReaper.hpp"
#include "mixer/GstUtil.hpp"
#include "signaling/Conference.hpp"
#include "signaling/EventLoop.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/File.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/PatternFormatter.h>
#include <Poco/ThreadPool.h>
#include <Poco/Util/HelpFormatter.h>

#include <gst/gst.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

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
  options.addOption(Option("check-config", "", "report every problem of the --config FILE with its line and exit "
                                               "(0: none, 1: problems)"));
  options.addOption(Option("backup", "", "copy the database (data.dir/plenum.db) to FILE with SQLite's online backup, "
                                         "also while plenumd runs, and exit; never overwrites FILE")
                        .argument("FILE"));
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
    configFile_ = value;
    try {
      loadConfiguration(value, PRIO_APPLICATION);
    } catch (const Poco::Exception& e) {
      configError_ = value + ": " + e.displayText();
    }
  } else if (name == "port") {
    config().setString("http.port", value);
    overrides_["http.port"] = value;
  } else if (name == "data") {
    config().setString("data.dir", value);
    overrides_["data.dir"] = value;
  } else if (name == "check-config") {
    checkConfig_ = true;
  } else if (name == "create-admin") {
    createAdmin_ = value;
  } else if (name == "backup") {
    backupFile_ = value;
  }
}

void PlenumServer::initialize(Poco::Util::Application& self) {
  ServerApplication::initialize(self);
}

int PlenumServer::main(const std::vector<std::string>&) {
  if (stopEarly_) return EXIT_OK;
  if (checkConfig_) return checkConfiguration();

  Poco::AutoPtr<Poco::PatternFormatter> format(new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S.%i %p %s: %t"));
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(format, new Poco::ConsoleChannel));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger& log = Poco::Logger::get("plenum");

  Settings settings;
  try {
    if (!configError_.empty()) throw std::runtime_error(configError_);
    settings = Settings::from(config());
    Poco::Logger::root().setLevel(settings.logLevel);
    for (const auto& name : {"plenum", "plenum.room", "plenum.conference", "plenum.signaling", "plenum.store",
                             "plenum.auth", "plenum.api", "plenum.recordings", "plenum.turn", "plenum.http", "plenum.phone", "plenum.sip"}) {
      Poco::Logger::get(name).setLevel(settings.logLevel);
    }
  } catch (const std::exception& e) {
    log.fatal("configuration: %s", std::string(e.what()));
    return EXIT_CONFIG;
  }
  if (!backupFile_.empty()) return backup(settings);

  if (settings.tls.enabled()) {
    Poco::Net::initializeSSL();
    try {
      tlsContext_ = makeServerContext(settings.tls);
    } catch (const Poco::Exception& e) {
      log.fatal("HTTPS: certificate %s, key %s: %s", settings.tls.certificateFile, settings.tls.keyFile,
                e.displayText());
      return EXIT_CONFIG;
    }
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
  // Before the conference: recordings are finished after their rooms have gone.
  RecordingService recordings(*services.store, settings.dataDir, settings.recordings);
  recordings.recoverInterrupted();
  // Before the conference too: the rooms discard their documents as they close.
  std::unique_ptr<DocumentService> documents;
  if (settings.documentsEnabled) {
    documents = std::make_unique<DocumentService>(settings.dataDir + "/documents", settings.documents,
                                                  [&loop](std::function<void()> work) { loop.post(std::move(work)); });
    if (!documents->available()) {
      log.warning("documents cannot be shown: %s", documents->unavailableReason());
    }
  }
  services.documents = documents.get();
  signaling::Conference conference(settings.conference, [&loop](std::function<void()> work) { loop.post(std::move(work)); },
                                  GstRoomMedia::factory(settings.conference.media));
  conference.setRecordingArchive(&recordings);
  if (documents && documents->available()) conference.setDocuments(documents.get());

  // The TURN relay and the gateway that brings it the TURN connections of the HTTP(S) port.
  std::unique_ptr<TurnRelay> turnRelay;
  std::unique_ptr<TurnGateway> turnGateway;
  if (settings.turn.enabled) {
    turnRelay = std::make_unique<TurnRelay>(settings.turn, settings.dataDir, settings.conference.media.iceLocalAddresses,
                                            settings.logLevel == "debug" || settings.logLevel == "trace");
    if (turnRelay->start()) {
      turnGateway = std::make_unique<TurnGateway>([relay = turnRelay.get()] { return relay->port(); },
                                                  settings.turn.maxConnectionsPerAddress, settings.turn.maxConnections);
    }
  }
  const int turnThreads = turnGateway ? settings.turn.maxConnections : 0;

  // Each TURN connection holds a thread of the pool while it lasts: they come on top of HTTP's.
  Poco::ThreadPool pool(4, settings.maxConnections + turnThreads);
  const auto serverParams = [&settings, turnThreads] {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(settings.maxConnections + turnThreads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    // A client that sends its request slowly holds a thread for at most this long per read
    // (Poco's default is 60 s); requests of browsers come at once.
    params->setTimeout(Poco::Timespan(10, 0));
    return params;
  };
  // No SO_REUSEPORT: a second plenumd on the same port must fail, not share the port.
  Poco::Net::ServerSocket socket;
  socket.bind(Poco::Net::SocketAddress(settings.httpAddress, static_cast<Poco::UInt16>(settings.httpPort)), true, false);
  socket.listen(64);
  // Made before the web server starts (/healthz reports it), started after.
  std::unique_ptr<PhoneDialIn> dialIn;
  if (settings.sip.enabled) {
    dialIn = std::make_unique<PhoneDialIn>(settings, *services.store, conference, loop);
    services.phone = dialIn.get();
  }
  auto* routes = new HttpRouter(settings, loop, conference, services);
  Poco::Net::HTTPRequestHandlerFactory::Ptr router = routes;

  // Like Poco::Net::HTTPServer, but every connection passes the router's guard (deadlines, a
  // limit per client address).
  const auto serve = [&](Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, const Poco::Net::ServerSocket& on,
                         Poco::Net::Context::Ptr tls) {
    auto params = serverParams();
    return std::make_unique<Poco::Net::TCPServer>(
        new GuardedHttpConnections(routes->connections(), handlers, params, tls, turnGateway.get()), pool, on, params);
  };
  std::unique_ptr<Poco::Net::TCPServer> https;
  std::unique_ptr<Poco::Net::TCPServer> http;
  std::unique_ptr<TurnCredentials> turnCredentials;
  const auto offerTurn = [&](bool tls, int port) {
    if (!turnGateway) return;
    turnCredentials = std::make_unique<TurnCredentials>(turnRelay->secret(), std::chrono::seconds(settings.turn.credentialTtlS),
                                                        settings.turn.host, tls, port);
    services.turn = turnCredentials.get();
    log.information("TURN relay offered to participants as %s:<host>:%d?transport=tcp", std::string(tls ? "turns" : "turn"),
                    port);
  };
  if (settings.tls.enabled()) {
    enableFirstBytePeek(*tlsContext_);
    // TLS is set up on each accepted connection (SharedPort.hpp): the port also carries TURN.
    Poco::Net::ServerSocket secureSocket;
    secureSocket.bind(Poco::Net::SocketAddress(settings.httpAddress, static_cast<Poco::UInt16>(settings.tls.httpsPort)),
                      true, false);
    secureSocket.listen(64);
    Poco::Net::HTTPRequestHandlerFactory::Ptr secureRouter = router;
    if (settings.tls.hsts) secureRouter = new HstsHeader(router);
    offerTurn(true, secureSocket.address().port());
    https = serve(secureRouter, secureSocket, tlsContext_);
    http = serve(new HttpsRedirect(secureSocket.address().port(), router), socket, nullptr);
    https->start();
    http->start();
    log.information("plenumd %s: HTTPS on port %hu (HSTS %s), HTTP on port %hu redirects there, data in %s, "
                    "web client from %s",
                    std::string(PLENUM_VERSION), secureSocket.address().port(),
                    std::string(settings.tls.hsts ? "on" : "off"), socket.address().port(), settings.dataDir,
                    settings.webRoot);
  } else {
    offerTurn(false, socket.address().port());
    http = serve(router, socket, nullptr);
    http->start();
    log.information("plenumd %s listening on port %hu, data in %s, web client from %s", std::string(PLENUM_VERSION),
                    socket.address().port(), settings.dataDir, settings.webRoot);
  }

  // Phone dial-in (sip.enabled): a SIP port of its own; the web server runs without it.
  if (dialIn && !dialIn->start()) log.error("phone dial-in did not start (see above); the web server runs without it");

  // Recordings past recordings.retention-days: deleted now and then every hour.
  auto retention = std::make_unique<RecordingRetention>(services.recordings, std::chrono::hours(1));

  std::unique_ptr<Watchdog> watchdog;
  if (settings.watchdogTimeoutS > 0) {
    watchdog = std::make_unique<Watchdog>(loop, std::chrono::seconds(settings.watchdogTimeoutS), [&log, &settings] {
      log.fatal("watchdog: the conference thread has not answered for %d s; exiting so that the service is "
                "restarted (its stack is above)",
                settings.watchdogTimeoutS);
      std::_Exit(EXIT_SOFTWARE);
    });
  }

  waitForTerminationRequest();

  log.information("shutting down: closing rooms");
  watchdog.reset();
  retention.reset();
  http->stop();
  if (https) https->stop();
  routes->connections().shutdownAll();
  if (turnGateway) turnGateway->shutdownAll();
  if (turnRelay) turnRelay->stop();
  routes->stopWebSockets(std::chrono::seconds(5));
  if (dialIn) dialIn->stop();
  // Closing the rooms stops their recordings; the recorders close their files on the loop, so
  // it runs until they have (or the time is up), then their files are finalised below.
  loop.runAndWait([&conference] { conference.closeAll(); }, std::chrono::seconds(10));
  recordings.awaitClosed(std::chrono::seconds(15));
  loop.stop();
  mixer::ElementReaper::drain(std::chrono::seconds(5));
  pool.joinAll();
  log.information("stopped");
  return EXIT_OK;
}

int PlenumServer::backup(const Settings& settings) {
  const std::string source = settings.dataDir + "/plenum.db";
  try {
    backupDatabase(source, backupFile_);
  } catch (const BackupError& e) {
    std::cerr << "plenumd --backup: " << e.what() << "\n";
    switch (e.kind()) {
      case BackupError::Kind::NoSource: return EXIT_NOINPUT;
      case BackupError::Kind::TargetExists: return EXIT_CANTCREAT;
      case BackupError::Kind::Failed: break;
    }
    return EXIT_IOERR;
  }
  std::cerr << "plenumd --backup: " << source << " backed up to " << backupFile_ << "\n";
  return EXIT_OK;
}

int PlenumServer::checkConfiguration() {
  Poco::Net::initializeSSL();
  std::vector<ConfigProblem> problems;
  std::string name = configFile_;
  if (configFile_.empty()) {
    std::cout << "plenumd: no --config FILE given; checking the defaults\n";
    std::istringstream empty;
    problems = checkConfig(empty, overrides_);
    name = "(defaults)";
  } else {
    problems = checkConfigFile(configFile_, overrides_);
  }
  if (problems.empty()) {
    std::cout << name << ": OK\n";
    return EXIT_OK;
  }
  std::cout << formatConfigProblems(name, problems) << problems.size() << (problems.size() == 1 ? " problem" : " problems")
            << "\n";
  return 1;
}

}  // namespace plenum::appliance

POCO_SERVER_MAIN(plenum::appliance::PlenumServer)
