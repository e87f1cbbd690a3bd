#include "appliance/Settings.hpp"

#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <stdexcept>

#ifndef PLENUM_WEBROOT
#define PLENUM_WEBROOT "webclient"
#endif

namespace plenum::appliance {

namespace {

int intKey(const Poco::Util::AbstractConfiguration& c, const std::string& key, int fallback, int min, int max) {
  const int value = c.getInt(key, fallback);
  if (value < min || value > max) {
    throw std::invalid_argument(key + " = " + std::to_string(value) + " is outside " + std::to_string(min) +
                                "-" + std::to_string(max));
  }
  return value;
}

std::vector<std::string> listKey(const Poco::Util::AbstractConfiguration& c, const std::string& key) {
  std::vector<std::string> values;
  Poco::StringTokenizer tokens(c.getString(key, ""), ",",
                               Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  for (const auto& token : tokens) values.push_back(token);
  return values;
}

}  // namespace

Settings Settings::from(const Poco::Util::AbstractConfiguration& c) {
  Settings s;
  s.httpAddress = c.getString("http.address", s.httpAddress);
  s.httpPort = intKey(c, "http.port", s.httpPort, 0, 65535);
  s.webRoot = c.getString("http.webroot", PLENUM_WEBROOT);
  s.maxConnections = intKey(c, "http.max-connections", s.maxConnections, 4, 10000);
  s.dataDir = c.getString("data.dir", s.dataDir);
  s.signalingTimeoutMs = intKey(c, "signaling.timeout-ms", s.signalingTimeoutMs, 1000, 600000);
  s.logLevel = c.getString("log.level", s.logLevel);

  auto& m = s.conference.media;
  m.width = intKey(c, "video.width", m.width, 160, 3840) & ~1;
  m.height = intKey(c, "video.height", m.height, 90, 2160) & ~1;
  m.framerate = intKey(c, "video.framerate", m.framerate, 1, 60);
  m.videoBitrateKbps = intKey(c, "video.bitrate-kbps", m.videoBitrateKbps, 100, 20000);
  m.audioBitrateBps = intKey(c, "audio.bitrate", m.audioBitrateBps, 8000, 256000);
  m.jitterBufferMs = intKey(c, "media.jitter-buffer-ms", m.jitterBufferMs, 0, 2000);
  m.compositorLatencyMs = intKey(c, "media.compositor-latency-ms", m.compositorLatencyMs, 0, 2000);
  m.keyframeMinIntervalMs = intKey(c, "media.keyframe-min-interval-ms", m.keyframeMinIntervalMs, 0, 60000);
  m.keyframeMaxIntervalS = intKey(c, "media.keyframe-max-interval-s", m.keyframeMaxIntervalS, 1, 3600);
  m.iceLocalAddresses = listKey(c, "ice.local-addresses");
  m.iceMinPort = intKey(c, "ice.min-port", 0, 0, 65535);
  m.iceMaxPort = intKey(c, "ice.max-port", 0, 0, 65535);
  s.conference.maxParticipantsPerRoom =
      static_cast<std::size_t>(intKey(c, "rooms.max-participants", 25, 1, 100));

  auto& a = s.access;
  a.sessionHours = c.getDouble("auth.session-hours", a.sessionHours);
  if (!(a.sessionHours > 0 && a.sessionHours <= 24 * 366)) {
    throw std::invalid_argument("auth.session-hours must be more than 0 and at most a year");
  }
  a.attemptsPerAccount = intKey(c, "auth.attempts-per-account", a.attemptsPerAccount, 1, 1000);
  a.attemptsPerAddress = intKey(c, "auth.attempts-per-address", a.attemptsPerAddress, 1, 100000);
  a.attemptsPerRoom = intKey(c, "auth.attempts-per-room", a.attemptsPerRoom, 1, 1000);
  a.attemptWindowSeconds = intKey(c, "auth.attempt-window-s", a.attemptWindowSeconds, 1, 86400);
  a.pinLength = intKey(c, "rooms.pin-length", a.pinLength, 6, 9);
  if (const std::string adHoc = Poco::trim(c.getString("rooms.ad-hoc", "")); !adHoc.empty()) {
    a.adHocRooms = c.getBool("rooms.ad-hoc");
  }
  a.publicUrl = Poco::trim(c.getString("http.public-url", ""));
  while (!a.publicUrl.empty() && a.publicUrl.back() == '/') a.publicUrl.pop_back();
  if (!a.publicUrl.empty() && a.publicUrl.rfind("http://", 0) != 0 && a.publicUrl.rfind("https://", 0) != 0) {
    throw std::invalid_argument("http.public-url must start with http:// or https://");
  }

  const auto codecs = listKey(c, "video.codecs");
  if (!codecs.empty()) {
    s.conference.codecPreference.clear();
    for (const auto& name : codecs) {
      if (Poco::icompare(name, "H264") == 0) s.conference.codecPreference.push_back(mixer::VideoCodec::H264);
      else if (Poco::icompare(name, "VP8") == 0) s.conference.codecPreference.push_back(mixer::VideoCodec::VP8);
      else throw std::invalid_argument("video.codecs: unknown codec " + name + " (H264, VP8)");
    }
  }
  return s;
}

}  // namespace plenum::appliance
