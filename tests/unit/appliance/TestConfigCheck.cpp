// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/ConfigCheck (plenumd --check-config): every kind of problem is reported at
// its line, a clean file and the shipped packaging/plenum.ini pass, and the checker and
// Settings::from judge values by the same table.
#include "appliance/ConfigCheck.hpp"
#include "appliance/Settings.hpp"

#include <Poco/Util/MapConfiguration.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace plenum::appliance;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system's temp folder, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("plenum-config-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

std::vector<ConfigProblem> check(const std::string& text, const std::map<std::string, std::string>& overrides = {}) {
  std::istringstream in(text);
  return checkConfig(in, overrides);
}

// "LINE: message" for each problem, for readable failures.
std::vector<std::string> lines(const std::vector<ConfigProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(std::to_string(p.line) + ": " + p.message);
  return out;
}

bool has(const std::vector<ConfigProblem>& problems, int line, const std::string& part) {
  for (const auto& p : problems) {
    if (p.line == line && p.message.find(part) != std::string::npos) return true;
  }
  return false;
}

fs::path repoFile(const std::string& relative) {
  return fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / relative;
}

}  // namespace

TEST_CASE("a clean file has no problems", "[appliance][configcheck]") {
  TempDir dir;
  const auto problems = check("; comment\n# comment\n\nhttp.port = 8081\n[video]\nwidth = 640\nheight=360\n"
                              "[]\ndata.dir = " + dir.path.string() + "\nrooms.ad-hoc =\nHTTP.ADDRESS = 127.0.0.1\n");
  INFO(lines(problems).size());
  CHECK(lines(problems) == std::vector<std::string>{});
}

TEST_CASE("every kind of problem is reported with its line", "[appliance][configcheck]") {
  TempDir dir;
  const std::string text =
      "# line 1\n"
      "http.prot = 8080\n"                      // 2: unknown, close to http.port
      "video.width = 99999\n"                   // 3: out of range
      "video.framerate = fast\n"                // 4: not a number
      "tls.hsts = maybe\n"                      // 5: not a boolean
      "auth.session-hours = 0\n"                // 6: out of range (more than 0)
      "auth.session-hours = many\n"             // 7: set again, and not a number
      "garbage line\n"                          // 8: not key = value
      "video.codecs = H264, AV1\n"              // 9: unknown codec
      "log.level = chatty\n"                    // 10: not a log level
      "http.public-url = meet.example.org\n"    // 11: not a URL
      "completely.different = 1\n"              // 12: unknown, nothing close
      "https.port = 8443\n"                     // 13: (certificate missing: line 14)
      "tls.certificate = /nonexistent/cert.pem\n"  // 14
      "tls.key = " + dir.path.string() + "\n"   // 15: a folder
      "ice.min-port = 50000\n"                  // 16: above ice.max-port
      "ice.max-port = 40000\n"                  // 17
      "data.dir = " + dir.file("a-file", "") + "/data\n"  // 18: cannot be created
      "= 5\n"                                   // 19: no key
      "[rooms\n";                               // 20: no closing ]
  const auto problems = check(text);
  INFO(Catch::Detail::stringify(lines(problems)));
  CHECK(has(problems, 2, "unknown key http.prot (did you mean http.port?)"));
  CHECK(has(problems, 3, "video.width: 99999 is outside 160-3840"));
  CHECK(has(problems, 4, "video.framerate: \"fast\" is not a whole number"));
  CHECK(has(problems, 5, "tls.hsts: \"maybe\" is not true or false"));
  CHECK(has(problems, 6, "auth.session-hours: 0 is outside more than 0"));
  CHECK(has(problems, 7, "set again (first on line 6"));
  CHECK(has(problems, 7, "auth.session-hours: \"many\" is not a number"));
  CHECK(has(problems, 8, "\"garbage line\" is not \"key = value\""));
  CHECK(has(problems, 9, "unknown codec AV1"));
  CHECK(has(problems, 10, "not a log level"));
  CHECK(has(problems, 11, "must start with http:// or https://"));
  CHECK(has(problems, 12, "unknown key completely.different"));
  CHECK_FALSE(has(problems, 12, "did you mean"));
  CHECK(has(problems, 14, "tls.certificate /nonexistent/cert.pem does not exist"));
  CHECK(has(problems, 15, "is a folder, not a file"));
  CHECK(has(problems, 16, "ice.min-port is above ice.max-port"));
  CHECK(has(problems, 18, "cannot be created"));
  CHECK(has(problems, 19, "a value without a key"));
  CHECK(has(problems, 20, "no closing ]"));
  CHECK(problems.size() == 18);
}

TEST_CASE("HTTPS needs a certificate and key that load", "[appliance][configcheck]") {
  TempDir dir;
  const std::string data = "data.dir = " + dir.path.string() + "\n";
  SECTION("https.port without certificate or key: reported at https.port") {
    const auto problems = check(data + "https.port = 8443\n");
    INFO(Catch::Detail::stringify(lines(problems)));
    CHECK(has(problems, 2, "tls.certificate is not set"));
    CHECK(has(problems, 2, "tls.key is not set"));
  }
  SECTION("the same port as HTTP") {
    const auto problems = check(data + "http.port = 8443\nhttps.port = 8443\ntls.certificate = a\ntls.key = b\n");
    CHECK(has(problems, 3, "the same port"));
  }
  SECTION("files that are not PEM") {
    const std::string cert = dir.file("cert.pem", "not a certificate\n");
    const std::string key = dir.file("key.pem", "not a key\n");
    const auto problems = check(data + "https.port = 8443\ntls.certificate = " + cert + "\ntls.key = " + key + "\n");
    INFO(Catch::Detail::stringify(lines(problems)));
    CHECK(has(problems, 4, "do not load"));
  }
  SECTION("https.port = 0 (off) does not look at the files") {
    CHECK(check(data + "https.port = 0\ntls.certificate = /nonexistent\n").empty());
  }
}

TEST_CASE("command-line options are checked too; the file's own values still are", "[appliance][configcheck]") {
  TempDir dir;
  const std::string text = "http.port = 8081\nhttps.port = 8080\ntls.certificate = a\ntls.key = b\n"
                           "data.dir = /nonexistent-file/x\n";
  // --port 8443 replaces http.port, --data replaces data.dir: only the missing TLS files remain.
  auto problems = check(text, {{"http.port", "8443"}, {"data.dir", dir.path.string()}});
  INFO(Catch::Detail::stringify(lines(problems)));
  CHECK(has(problems, 3, "does not exist"));
  CHECK(has(problems, 4, "does not exist"));
  CHECK(problems.size() == 2);
  // --port 8080 clashes with https.port (reported at https.port's line).
  problems = check(text, {{"http.port", "8080"}, {"data.dir", dir.path.string()}});
  CHECK(has(problems, 2, "the same port"));
  problems = check("", {{"http.port", "eighty"}, {"data.dir", dir.path.string()}});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].line == 0);
  CHECK(problems[0].message.find("http.port (command line)") != std::string::npos);
}

TEST_CASE("the shipped packaging/plenum.ini passes and documents every key", "[appliance][configcheck]") {
  const fs::path sample = repoFile("packaging/plenum.ini");
  REQUIRE(fs::exists(sample));
  TempDir dir;
  const auto problems = checkConfigFile(sample.string(), {{"data.dir", dir.path.string()}});
  INFO(Catch::Detail::stringify(lines(problems)));
  CHECK(problems.empty());

  std::ifstream in(sample);
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& key : settingKeys()) {
    INFO(key.key);
    // Set or shown commented out ("# key = ...").
    CHECK(text.str().find(std::string(key.key) + " =") != std::string::npos);
  }
}

TEST_CASE("the checker and Settings::from judge values alike", "[appliance][configcheck][settings]") {
  for (const auto& key : settingKeys()) {
    for (const std::string& value : std::vector<std::string>{"", "0", "-1", "1", "99999", "true", "maybe", "1.5", "H264", "https://x",
                                    std::string(key.defaultValue)}) {
      Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
      config->setString(std::string(key.key), value);
      const bool accepted = !checkSettingValue(key, value).has_value();
      bool read = true;
      try {
        Settings::from(*config, false);
      } catch (const std::invalid_argument&) {
        read = false;
      }
      INFO(key.key << " = " << value);
      CHECK(accepted == read);
    }
  }
}

TEST_CASE("Settings::from keeps the defaults and reads the TLS keys", "[appliance][settings]") {
  Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
  const Settings d = Settings::from(*config);
  CHECK(d.httpPort == 8080);
  CHECK(d.httpAddress == "0.0.0.0");
  CHECK_FALSE(d.tls.enabled());
  CHECK_FALSE(d.tls.hsts);
  CHECK(d.maxConnections == 500);
  CHECK(d.dataDir == "./var");
  CHECK(d.conference.maxParticipantsPerRoom == 25);
  CHECK(d.conference.media.width == 1280);
  CHECK(d.conference.codecPreference.size() == 2);
  CHECK(d.access.sessionHours == 12);
  CHECK_FALSE(d.access.adHocRooms.has_value());
  CHECK(d.access.pinLength == 8);

  config->setString("https.port", "443");
  config->setString("tls.certificate", "/etc/plenum/tls/cert.pem");
  config->setString("tls.key", "/etc/plenum/tls/key.pem");
  config->setString("tls.hsts", "yes");
  config->setString("video.codecs", "vp8");
  config->setString("http.public-url", "https://meet.example.org/");
  const Settings s = Settings::from(*config);
  CHECK(s.tls.httpsPort == 443);
  CHECK(s.tls.certificateFile == "/etc/plenum/tls/cert.pem");
  CHECK(s.tls.keyFile == "/etc/plenum/tls/key.pem");
  CHECK(s.tls.hsts);
  CHECK(s.conference.codecPreference == std::vector{plenum::mixer::VideoCodec::VP8});
  CHECK(s.access.publicUrl == "https://meet.example.org");

  config->setString("tls.key", "");
  CHECK_THROWS_WITH(Settings::from(*config), Catch::Contains("tls.key is not set"));
}

TEST_CASE("unknown keys get the closest known key", "[appliance][configcheck]") {
  CHECK(closestSettingKey("http.prot") == "http.port");
  CHECK(closestSettingKey("HTTPS.PORTS") == "https.port");
  CHECK(closestSettingKey("tls.certificat") == "tls.certificate");
  CHECK(closestSettingKey("http.hsts") == "tls.hsts");
  CHECK(closestSettingKey("nothing.like.it") == "");
}

TEST_CASE("the TURN settings are checked", "[appliance][configcheck][turn]") {
  TempDir dir;
  const auto problems = check("data.dir = " + dir.path.string() + "\n"  // 1
                              "turn.min-port = 41000\n"                  // 2: above turn.max-port
                              "turn.max-port = 40000\n"                  // 3
                              "turn.relay-ip = 127.0.0.1\n"              // 4: loopback
                              "turn.server = " + dir.path.string() + "/no-turnserver\n"  // 5: missing
                              "turn.credential-ttl-s = 10\n");           // 6: below 60
  INFO(lines(problems).size());
  CHECK(has(problems, 2, "turn.min-port is above turn.max-port"));
  CHECK(has(problems, 4, "turn.relay-ip \"127.0.0.1\" is not an address"));
  CHECK(has(problems, 5, "is not installed (Debian package coturn)"));
  CHECK(has(problems, 6, "turn.credential-ttl-s: 10 is outside 60-604800"));
  CHECK(check("data.dir = " + dir.path.string() + "\nturn.enabled = false\nturn.server = /nowhere\n").empty());
}

TEST_CASE("sip.dial-in-number is a printable phone number", "[appliance][configcheck][sip]") {
  TempDir dir;
  const std::string sipOn = "data.dir = " + dir.path.string() + "\nsip.enabled = true\nsip.trusted-peers = 127.0.0.1\n";
  const std::vector<std::string> goods = {"", "+49 30 1234-5678", "(030) 1234/5678", std::string(40, '1')};
  for (const std::string& good : goods) {
    INFO(good);
    CHECK(lines(check(sipOn + "sip.dial-in-number = " + good + "\n")) == std::vector<std::string>{});
  }
  const std::vector<std::string> bads = {"call 4711", "+49 30 1234-5678 ext. 1", std::string(41, '1')};
  for (const std::string& bad : bads) {
    INFO(bad);
    CHECK(has(check(sipOn + "sip.dial-in-number = " + bad + "\n"), 4, "sip.dial-in-number"));
  }
  // Switched off, the section is not judged.
  CHECK(check("data.dir = " + dir.path.string() + "\nsip.dial-in-number = call me\n").empty());

  Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
  config->setString("sip.enabled", "true");
  config->setString("sip.trusted-peers", "127.0.0.1");
  config->setString("sip.dial-in-number", " +49 30 1234-5678 ");
  CHECK(Settings::from(*config).sip.dialInNumber == "+49 30 1234-5678");
  config->setString("sip.dial-in-number", "0800-PLENUM");
  CHECK_THROWS_WITH(Settings::from(*config), Catch::Contains("sip.dial-in-number"));
}
