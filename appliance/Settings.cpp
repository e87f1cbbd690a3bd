// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Settings.hpp"

#include "appliance/AddressRange.hpp"

#include <Poco/Net/IPAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#ifndef PLENUM_WEBROOT
#define PLENUM_WEBROOT "webclient"
#endif

namespace plenum::appliance {

namespace {

using T = SettingType;

// The one table of keys. Defaults here are what Settings holds when a key is absent; ranges are
// inclusive. packaging/plenum.ini documents each key (a unit test checks it names only these).
const std::vector<SettingKey> kKeys = {
    {"http.address", T::Text, "0.0.0.0"},
    {"http.port", T::Integer, "8080", 0, 65535},
    {"https.port", T::Integer, "0", 0, 65535},
    {"tls.certificate", T::Text, ""},
    {"tls.key", T::Text, ""},
    {"tls.hsts", T::Boolean, "false"},
    {"http.webroot", T::Text, PLENUM_WEBROOT},
    {"http.max-connections", T::Integer, "500", 4, 10000},
    {"http.max-connections-per-address", T::Integer, "20", 1, 10000},
    {"http.max-http-connections-per-address", T::Integer, "60", 1, 100000},
    {"http.public-url", T::Url, ""},
    {"http.trusted-proxies", T::List, ""},
    {"data.dir", T::Text, "./var"},
    {"rooms.max-participants", T::Integer, "25", 1, 100},
    {"rooms.max-rooms", T::Integer, "0", 0, 10000},
    {"rooms.max-total-participants", T::Integer, "0", 0, 100000},
    {"rooms.lobby-wait-minutes", T::Integer, "30", 1, 1440},
    {"rooms.ad-hoc", T::OptionalBoolean, ""},
    {"rooms.pin-length", T::Integer, "8", 6, 9},
    {"breakout.closing-seconds", T::Integer, "60", 5, 600},
    {"signaling.timeout-ms", T::Integer, "8000", 1000, 600000},
    {"signaling.join-timeout-s", T::Integer, "30", 1, 3600},
    {"signaling.joins-per-minute", T::Integer, "30", 1, 100000},
    {"signaling.max-websockets", T::Integer, "2000", 1, 100000},
    {"signaling.answer-timeout-s", T::Integer, "30", 1, 600},
    {"auth.session-hours", T::Number, "12", 0, 24 * 366, true},
    {"auth.attempts-per-account", T::Integer, "5", 1, 1000},
    {"auth.attempts-per-address", T::Integer, "20", 1, 100000},
    {"auth.attempts-per-room", T::Integer, "10", 1, 1000},
    {"auth.attempt-window-s", T::Integer, "300", 1, 86400},
    {"video.width", T::Integer, "1280", 160, 3840},
    {"video.height", T::Integer, "720", 90, 2160},
    {"video.framerate", T::Integer, "25", 1, 60},
    {"video.bitrate-kbps", T::Integer, "1500", 100, 20000},
    {"video.codecs", T::Codecs, "H264, VP8"},
    {"video.portrait", T::Boolean, "true"},
    {"video.portrait-width", T::Integer, "540", 160, 2160},
    {"video.portrait-height", T::Integer, "960", 160, 3840},
    {"video.portrait-bitrate-kbps", T::Integer, "800", 100, 20000},
    {"audio.bitrate", T::Integer, "32000", 8000, 256000},
    {"media.jitter-buffer-ms", T::Integer, "40", 0, 2000},
    {"media.compositor-latency-ms", T::Integer, "60", 0, 2000},
    {"media.keyframe-min-interval-ms", T::Integer, "1000", 0, 60000},
    {"media.keyframe-max-interval-s", T::Integer, "10", 1, 3600},
    {"ice.local-addresses", T::List, ""},
    {"ice.min-port", T::Integer, "0", 0, 65535},
    {"ice.max-port", T::Integer, "0", 0, 65535},
    {"ice.allow-loopback-candidates", T::Boolean, "false"},
    {"ice.failed-grace-ms", T::Integer, "5000", 0, 600000},
    {"turn.enabled", T::Boolean, "true"},
    {"turn.server", T::Text, "/usr/bin/turnserver"},
    {"turn.host", T::Text, ""},
    {"turn.relay-ip", T::Text, ""},
    {"turn.min-port", T::Integer, "40000", 1024, 65535},
    {"turn.max-port", T::Integer, "40999", 1024, 65535},
    {"turn.credential-ttl-s", T::Integer, "86400", 60, 604800},
    {"turn.max-connections", T::Integer, "0", 0, 100000},
    {"turn.max-connections-per-address", T::Integer, "50", 1, 10000},
    {"sip.enabled", T::Boolean, "false"},
    {"sip.address", T::Text, ""},
    {"sip.port", T::Integer, "5060", 1, 65535},
    {"sip.trusted-peers", T::List, ""},
    {"sip.registrar", T::Text, ""},
    {"sip.user", T::Text, ""},
    {"sip.auth-user", T::Text, ""},
    {"sip.password", T::Text, ""},
    {"sip.register-expires-s", T::Integer, "600", 60, 86400},
    {"sip.rtp-min-port", T::Integer, "41000", 1024, 65535},
    {"sip.rtp-max-port", T::Integer, "41999", 1024, 65535},
    {"sip.rtp-timeout-s", T::Integer, "30", 5, 3600},
    {"sip.language", T::Text, "de"},
    {"sip.prompts-dir", T::Text, ""},
    {"sip.direct-rooms", T::List, ""},
    {"sip.show-digits", T::Integer, "4", 0, 4},
    {"sip.max-calls", T::Integer, "100", 1, 10000},
    {"sip.max-calls-per-peer", T::Integer, "100", 1, 10000},
    {"sip.pin-failures-per-minute", T::Integer, "30", 1, 100000},
    {"sip.dial-in-number", T::Text, ""},
    {"documents.enabled", T::Boolean, "true"},
    {"documents.max-mb", T::Integer, "50", 1, 1024},
    {"documents.max-pages", T::Integer, "300", 1, 10000},
    {"documents.render-timeout-s", T::Integer, "30", 1, 600},
    {"documents.render-memory-mb", T::Integer, "512", 64, 16384},
    {"recordings.enabled", T::Boolean, "true"},
    {"recordings.retention-days", T::Integer, "30", 1, 3650},
    {"recordings.min-free-mb", T::Integer, "2048", 0, 10000000},
    {"watchdog.timeout-s", T::Integer, "20", 0, 3600},
    {"log.level", T::LogLevel, "information"},
};

const char* const kLogLevels[] = {"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"};

std::vector<std::string> split(const std::string& value) {
  std::vector<std::string> values;
  Poco::StringTokenizer tokens(value, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  for (const auto& token : tokens) values.push_back(token);
  return values;
}

std::string number(double value) {
  if (value == std::floor(value)) return std::to_string(static_cast<long long>(value));
  return std::to_string(value);
}

const SettingKey& spec(std::string_view key) {
  const SettingKey* found = findSettingKey(key);
  if (!found) throw std::logic_error("no such setting in the table: " + std::string(key));
  return *found;
}

// The key's value (trimmed), or its default when absent.
std::string raw(const Poco::Util::AbstractConfiguration& c, std::string_view key) {
  const SettingKey& k = spec(key);
  return Poco::trim(c.getString(std::string(k.key), std::string(k.defaultValue)));
}

int integer(const Poco::Util::AbstractConfiguration& c, std::string_view key) {
  return Poco::NumberParser::parse(raw(c, key));
}

bool overlaps(int aMin, int aMax, int bMin, int bMax) { return aMin <= bMax && bMin <= aMax; }

// Phone dial-in's problems (only judged when sip.enabled: a switched-off section may hold anything).
void sipProblems(const Settings& s, std::vector<SettingsProblem>& problems) {
  const auto& sip = s.sip;
  if (sip.rtpMinPort > sip.rtpMaxPort) {
    problems.push_back({"sip.rtp-min-port", "sip.rtp-min-port is above sip.rtp-max-port"});
  } else if (sip.rtpMaxPort - sip.rtpMinPort < 1) {
    problems.push_back({"sip.rtp-min-port", "sip.rtp-min-port..sip.rtp-max-port holds no even port pair (one port per call)"});
  }
  const auto& m = s.conference.media;
  if (m.iceMinPort != 0 && m.iceMaxPort != 0 && overlaps(sip.rtpMinPort, sip.rtpMaxPort, m.iceMinPort, m.iceMaxPort)) {
    problems.push_back({"sip.rtp-min-port", "sip.rtp-min-port..sip.rtp-max-port overlaps ice.min-port..ice.max-port"});
  }
  if (s.turn.enabled && overlaps(sip.rtpMinPort, sip.rtpMaxPort, s.turn.minPort, s.turn.maxPort)) {
    problems.push_back({"sip.rtp-min-port", "sip.rtp-min-port..sip.rtp-max-port overlaps turn.min-port..turn.max-port"});
  }
  if (!sip.address.empty()) {
    Poco::Net::IPAddress address;
    if (!Poco::Net::IPAddress::tryParse(sip.address, address)) {
      problems.push_back({"sip.address", "sip.address \"" + sip.address + "\" is not an IPv4 or IPv6 address"});
    }
  }
  for (const auto& peer : sip.trustedPeers) {
    if (!parseRange(peer)) {
      problems.push_back({"sip.trusted-peers", "sip.trusted-peers: \"" + peer +
                                                   "\" is not an address or range (192.0.2.10, 10.0.0.0/8; no host names)"});
    }
  }
  if (!sip.registrar.empty() && sip.user.empty()) {
    problems.push_back({"sip.registrar", "sip.registrar is set but sip.user (the extension to register) is not"});
  }
  if (sip.registrar.empty() && sip.trustedPeers.empty()) {
    problems.push_back({"sip.enabled", "sip.enabled: neither sip.trusted-peers nor sip.registrar is set, so no PBX can reach "
                                       "this server"});
  }
  if (sip.language != "de" && sip.language != "en") {
    problems.push_back({"sip.language", "sip.language \"" + sip.language + "\" is not de or en"});
  }
  for (const auto& [user, slug] : sip.directRooms) {
    if (user.empty() || slug.empty()) {
      problems.push_back({"sip.direct-rooms", "sip.direct-rooms: each entry is <number>=<room>, as in 4711=rat"});
      break;
    }
  }
  if (sip.dialInNumber.size() > 40 || sip.dialInNumber.find_first_not_of("0123456789 +-/()") != std::string::npos) {
    problems.push_back({"sip.dial-in-number", "sip.dial-in-number \"" + sip.dialInNumber +
                                                  "\" is not a phone number (at most 40 of 0-9, space, + - / ( ))"});
  }
}

}  // namespace

const std::vector<SettingKey>& settingKeys() { return kKeys; }

const SettingKey* findSettingKey(std::string_view key) {
  for (const auto& k : kKeys) {
    if (Poco::icompare(std::string(k.key), std::string(key)) == 0) return &k;
  }
  return nullptr;
}

std::optional<std::string> checkSettingValue(const SettingKey& key, const std::string& untrimmed) {
  const std::string value = Poco::trim(untrimmed);
  const std::string range = number(key.min) + "-" + number(key.max);
  switch (key.type) {
    case T::Integer: {
      int n = 0;
      if (!Poco::NumberParser::tryParse(value, n)) return "\"" + value + "\" is not a whole number (" + range + ")";
      if (n < key.min || n > key.max) return value + " is outside " + range;
      return std::nullopt;
    }
    case T::Number: {
      double n = 0;
      if (!Poco::NumberParser::tryParseFloat(value, n) || !std::isfinite(n)) {
        return "\"" + value + "\" is not a number";
      }
      if ((key.minExclusive ? n <= key.min : n < key.min) || n > key.max) {
        return value + " is outside " + (key.minExclusive ? "more than " + number(key.min) + " and at most " + number(key.max)
                                                         : range);
      }
      return std::nullopt;
    }
    case T::OptionalBoolean:
      if (value.empty()) return std::nullopt;
      [[fallthrough]];
    case T::Boolean: {
      bool b = false;
      if (!Poco::NumberParser::tryParseBool(value, b)) return "\"" + value + "\" is not true or false";
      return std::nullopt;
    }
    case T::Text:
    case T::List:
      return std::nullopt;
    case T::Url:
      if (!value.empty() && value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0) {
        return "must start with http:// or https://";
      }
      return std::nullopt;
    case T::Codecs:
      for (const auto& name : split(value)) {
        if (Poco::icompare(name, "H264") != 0 && Poco::icompare(name, "VP8") != 0) {
          return "unknown codec " + name + " (H264, VP8)";
        }
      }
      return std::nullopt;
    case T::LogLevel:
      for (const char* level : kLogLevels) {
        if (Poco::icompare(value, level) == 0) return std::nullopt;
      }
      return "\"" + value + "\" is not a log level (fatal, critical, error, warning, notice, information, debug, trace)";
  }
  return std::nullopt;
}

std::vector<SettingsProblem> crossCheckProblems(const Settings& s) {
  std::vector<SettingsProblem> problems;
  if (s.tls.enabled()) {
    if (s.tls.certificateFile.empty()) problems.push_back({"https.port", "HTTPS is on but tls.certificate is not set"});
    if (s.tls.keyFile.empty()) problems.push_back({"https.port", "HTTPS is on but tls.key is not set"});
    if (s.tls.httpsPort == s.httpPort) problems.push_back({"https.port", "https.port and http.port are the same port"});
  }
  const auto& m = s.conference.media;
  if (m.iceMinPort != 0 && m.iceMaxPort != 0 && m.iceMinPort > m.iceMaxPort) {
    problems.push_back({"ice.min-port", "ice.min-port is above ice.max-port"});
  }
  if (s.turn.minPort > s.turn.maxPort) problems.push_back({"turn.min-port", "turn.min-port is above turn.max-port"});
  if (!s.turn.relayIp.empty()) {
    Poco::Net::IPAddress address;
    if (!Poco::Net::IPAddress::tryParse(s.turn.relayIp, address) || address.isLoopback() || address.isWildcard()) {
      problems.push_back({"turn.relay-ip", "turn.relay-ip \"" + s.turn.relayIp + "\" is not an address of this machine's network (an IPv4 or IPv6 address, not loopback)"});
    }
  }
  if (s.sip.enabled) sipProblems(s, problems);
  return problems;
}

Settings Settings::from(const Poco::Util::AbstractConfiguration& c, bool crossCheck) {
  for (const auto& k : kKeys) {
    const std::string key(k.key);
    if (!c.has(key)) continue;
    if (const auto problem = checkSettingValue(k, c.getString(key))) throw std::invalid_argument(key + ": " + *problem);
  }

  Settings s;
  s.httpAddress = raw(c, "http.address");
  s.httpPort = integer(c, "http.port");
  s.tls.httpsPort = integer(c, "https.port");
  s.tls.certificateFile = raw(c, "tls.certificate");
  s.tls.keyFile = raw(c, "tls.key");
  s.tls.hsts = Poco::NumberParser::parseBool(raw(c, "tls.hsts"));
  s.webRoot = raw(c, "http.webroot");
  s.maxConnections = integer(c, "http.max-connections");
  s.dataDir = raw(c, "data.dir");
  s.signalingTimeoutMs = integer(c, "signaling.timeout-ms");
  s.logLevel = raw(c, "log.level");
  s.watchdogTimeoutS = integer(c, "watchdog.timeout-s");

  auto& m = s.conference.media;
  m.width = integer(c, "video.width") & ~1;
  m.height = integer(c, "video.height") & ~1;
  m.framerate = integer(c, "video.framerate");
  m.videoBitrateKbps = integer(c, "video.bitrate-kbps");
  m.portraitEnabled = Poco::NumberParser::parseBool(raw(c, "video.portrait"));
  m.portraitWidth = integer(c, "video.portrait-width") & ~1;
  m.portraitHeight = integer(c, "video.portrait-height") & ~1;
  m.portraitBitrateKbps = integer(c, "video.portrait-bitrate-kbps");
  m.audioBitrateBps = integer(c, "audio.bitrate");
  m.jitterBufferMs = integer(c, "media.jitter-buffer-ms");
  m.compositorLatencyMs = integer(c, "media.compositor-latency-ms");
  m.keyframeMinIntervalMs = integer(c, "media.keyframe-min-interval-ms");
  m.keyframeMaxIntervalS = integer(c, "media.keyframe-max-interval-s");
  m.iceLocalAddresses = split(raw(c, "ice.local-addresses"));
  m.iceMinPort = integer(c, "ice.min-port");
  m.iceMaxPort = integer(c, "ice.max-port");
  m.allowLoopbackCandidates = Poco::NumberParser::parseBool(raw(c, "ice.allow-loopback-candidates"));
  m.iceFailedGraceMs = integer(c, "ice.failed-grace-ms");
  s.conference.maxParticipantsPerRoom = static_cast<std::size_t>(integer(c, "rooms.max-participants"));
  // 0: from the CPU count. A 720p room costs about a fifth of a core plus some 6 % of a core per
  // participant (bench/results.md); the defaults leave room for bursts.
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const auto orAuto = [](int value, std::size_t automatic) { return value > 0 ? static_cast<std::size_t>(value) : automatic; };
  s.conference.maxRooms = orAuto(integer(c, "rooms.max-rooms"), std::max<std::size_t>(8, 4 * cores));
  s.conference.maxParticipants = orAuto(integer(c, "rooms.max-total-participants"), std::max<std::size_t>(30, 15 * cores));
  s.conference.timeouts.answer = std::chrono::seconds(integer(c, "signaling.answer-timeout-s"));
  s.conference.timeouts.lobby = std::chrono::minutes(integer(c, "rooms.lobby-wait-minutes"));
  s.conference.breakoutClosing = std::chrono::seconds(integer(c, "breakout.closing-seconds"));
  s.maxConnectionsPerAddress = integer(c, "http.max-connections-per-address");
  s.maxHttpConnectionsPerAddress = integer(c, "http.max-http-connections-per-address");
  s.trustedProxies = split(raw(c, "http.trusted-proxies"));
  s.joinTimeoutS = integer(c, "signaling.join-timeout-s");
  s.joinsPerMinute = integer(c, "signaling.joins-per-minute");
  s.maxWebSockets = integer(c, "signaling.max-websockets");

  auto& t = s.turn;
  t.enabled = Poco::NumberParser::parseBool(raw(c, "turn.enabled"));
  t.server = raw(c, "turn.server");
  t.host = raw(c, "turn.host");
  t.relayIp = raw(c, "turn.relay-ip");
  t.minPort = integer(c, "turn.min-port");
  t.maxPort = integer(c, "turn.max-port");
  t.credentialTtlS = integer(c, "turn.credential-ttl-s");
  // 0: twice the server's participant limit (each browser holds one TURN connection all along,
  // also where UDP works; a rejoin briefly holds a second).
  t.maxConnections = static_cast<int>(orAuto(integer(c, "turn.max-connections"), 2 * s.conference.maxParticipants));
  t.maxConnectionsPerAddress = integer(c, "turn.max-connections-per-address");

  auto& p = s.sip;
  p.enabled = Poco::NumberParser::parseBool(raw(c, "sip.enabled"));
  p.address = raw(c, "sip.address");
  p.port = integer(c, "sip.port");
  p.trustedPeers = split(raw(c, "sip.trusted-peers"));
  p.registrar = raw(c, "sip.registrar");
  p.user = raw(c, "sip.user");
  p.authUser = raw(c, "sip.auth-user");
  p.password = raw(c, "sip.password");
  p.registerExpiresS = integer(c, "sip.register-expires-s");
  p.rtpMinPort = integer(c, "sip.rtp-min-port");
  p.rtpMaxPort = integer(c, "sip.rtp-max-port");
  p.rtpTimeoutS = integer(c, "sip.rtp-timeout-s");
  p.language = Poco::toLower(raw(c, "sip.language"));
  p.promptsDir = raw(c, "sip.prompts-dir");
  for (const auto& entry : split(raw(c, "sip.direct-rooms"))) {
    const auto equals = entry.find('=');
    p.directRooms.emplace_back(Poco::trim(entry.substr(0, equals)),
                               equals == std::string::npos ? std::string() : Poco::trim(entry.substr(equals + 1)));
  }
  p.showDigits = integer(c, "sip.show-digits");
  p.maxCalls = integer(c, "sip.max-calls");
  p.maxCallsPerPeer = integer(c, "sip.max-calls-per-peer");
  p.pinFailuresPerMinute = integer(c, "sip.pin-failures-per-minute");
  p.dialInNumber = raw(c, "sip.dial-in-number");

  auto& d = s.documents;
  s.documentsEnabled = Poco::NumberParser::parseBool(raw(c, "documents.enabled"));
  d.maxBytes = static_cast<std::uint64_t>(integer(c, "documents.max-mb")) << 20;
  d.maxPages = integer(c, "documents.max-pages");
  d.timeLimit = std::chrono::seconds(integer(c, "documents.render-timeout-s"));
  d.memoryLimitBytes = static_cast<std::uint64_t>(integer(c, "documents.render-memory-mb")) << 20;
  // Pages are rendered to fit the composite (the presentation's rectangle is a part of it).
  d.pageWidth = s.conference.media.width;
  d.pageHeight = s.conference.media.height;

  s.recordings.enabled = Poco::NumberParser::parseBool(raw(c, "recordings.enabled"));
  s.recordings.retentionDays = integer(c, "recordings.retention-days");
  s.recordings.minFreeMb = integer(c, "recordings.min-free-mb");

  auto& a = s.access;
  a.sessionHours = Poco::NumberParser::parseFloat(raw(c, "auth.session-hours"));
  a.attemptsPerAccount = integer(c, "auth.attempts-per-account");
  a.attemptsPerAddress = integer(c, "auth.attempts-per-address");
  a.attemptsPerRoom = integer(c, "auth.attempts-per-room");
  a.attemptWindowSeconds = integer(c, "auth.attempt-window-s");
  a.pinLength = integer(c, "rooms.pin-length");
  if (const std::string adHoc = raw(c, "rooms.ad-hoc"); !adHoc.empty()) a.adHocRooms = Poco::NumberParser::parseBool(adHoc);
  a.publicUrl = raw(c, "http.public-url");
  while (!a.publicUrl.empty() && a.publicUrl.back() == '/') a.publicUrl.pop_back();

  const auto codecs = split(raw(c, "video.codecs"));
  if (!codecs.empty()) {
    s.conference.codecPreference.clear();
    for (const auto& name : codecs) {
      s.conference.codecPreference.push_back(Poco::icompare(name, "H264") == 0 ? mixer::VideoCodec::H264
                                                                               : mixer::VideoCodec::VP8);
    }
  }

  if (const auto problems = crossCheck ? crossCheckProblems(s) : std::vector<SettingsProblem>{}; !problems.empty()) {
    throw std::invalid_argument(problems.front().message);
  }
  return s;
}

}  // namespace plenum::appliance
