// SPDX-License-Identifier: EUPL-1.2
#include "appliance/SdpNegotiation.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <array>
#include <cctype>
#include <string_view>

namespace plenum::appliance {

namespace {

using mixer::PhoneCodec;

// What we know of each codec (the same as mixer::toString/rtpClockRate; kept here so that the
// negotiation stays free of the media library, for its tests and fuzz harness).
struct CodecInfo {
  PhoneCodec codec;
  std::string_view encoding;
  unsigned clockRate;
  unsigned channels;
  std::optional<unsigned> staticPayloadType;  // RFC 3551
};

// Our preference, best first.
constexpr std::array<CodecInfo, 4> kCodecs = {{
    {PhoneCodec::G722, "G722", 8000, 1, 9},
    {PhoneCodec::PCMA, "PCMA", 8000, 1, 8},
    {PhoneCodec::PCMU, "PCMU", 8000, 1, 0},
    {PhoneCodec::Opus, "opus", 48000, 2, std::nullopt},
}};

const CodecInfo& infoOf(PhoneCodec codec) {
  for (const auto& info : kCodecs) {
    if (info.codec == codec) return info;
  }
  return kCodecs[1];
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Space-separated tokens (runs of spaces count as one).
std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// A decimal number of at most 9 digits (no sign, no spaces), at most `max`.
std::optional<unsigned> decimal(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  unsigned value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

// A connection line "IN IP4 192.0.2.1" (a TTL "/127" is allowed and ignored): the address, or
// nullopt with why.
struct Connection {
  std::string address;
  bool ipv6 = false;
};
std::optional<Connection> parseConnection(std::string_view value, std::string& why) {
  const auto parts = tokens(value);
  if (parts.size() != 3 || parts[0] != "IN" || (parts[1] != "IP4" && parts[1] != "IP6")) {
    why = "the c= line is not \"IN IP4 <address>\" or \"IN IP6 <address>\"";
    return std::nullopt;
  }
  const bool ipv6 = parts[1] == "IP6";
  std::string address(parts[2].substr(0, parts[2].find('/')));
  unsigned char buffer[16];
  if (address.size() > 45 || inet_pton(ipv6 ? AF_INET6 : AF_INET, address.c_str(), buffer) != 1) {
    why = "the c= line does not hold a numeric address (host names are not looked up)";
    return std::nullopt;
  }
  return Connection{address, ipv6};
}

// One m= section while it is read.
struct Media {
  bool audio = false;
  bool usableTransport = false;
  unsigned port = 0;
  std::vector<PhoneFormat> formats;
  std::optional<Connection> connection;
  std::optional<unsigned> ptimeMs;
  std::string direction;
};

PhoneFormat* formatOf(Media& media, unsigned payloadType) {
  for (auto& f : media.formats) {
    if (f.payloadType == payloadType) return &f;
  }
  return nullptr;
}

// "a=rtpmap:<pt> <encoding>/<rate>[/<channels>]"; false when malformed.
bool applyRtpmap(Media& media, std::string_view value) {
  const auto space = value.find(' ');
  if (space == std::string_view::npos) return false;
  const auto payloadType = decimal(value.substr(0, space), 127);
  if (!payloadType) return false;
  const std::string_view map = trim(value.substr(space + 1));
  const auto slash = map.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash > 64) return false;
  const std::string_view rest = map.substr(slash + 1);
  const auto slash2 = rest.find('/');
  const auto rate = decimal(rest.substr(0, slash2), 1000000);
  if (!rate || *rate == 0) return false;
  unsigned channels = 1;
  if (slash2 != std::string_view::npos) {
    const auto c = decimal(rest.substr(slash2 + 1), 255);
    if (!c || *c == 0) return false;
    channels = *c;
  }
  PhoneFormat* format = formatOf(media, *payloadType);
  if (!format) return true;  // a map for a format the m= line does not list: ignored
  format->encoding = std::string(map.substr(0, slash));
  format->clockRate = *rate;
  format->channels = channels;
  return true;
}

void applyFmtp(Media& media, std::string_view value) {
  const auto space = value.find(' ');
  const auto payloadType = decimal(value.substr(0, space), 127);
  if (!payloadType || space == std::string_view::npos) return;
  if (PhoneFormat* format = formatOf(media, *payloadType)) format->fmtp = std::string(trim(value.substr(space + 1)));
}

// "m=audio <port>[/<count>] <proto> <fmt>..."; false with why when malformed.
bool parseMediaLine(Media& media, std::string_view value, std::string& why) {
  const auto parts = tokens(value);
  if (parts.size() < 3) {
    why = "an m= line has fewer than three fields";
    return false;
  }
  media.audio = parts[0] == "audio";
  const std::string_view portText = parts[1].substr(0, parts[1].find('/'));
  const auto port = decimal(portText, 65535);
  if (!port) {
    why = "an m= line's port is not a number of 0-65535";
    return false;
  }
  media.port = *port;
  media.usableTransport = parts[2] == "RTP/AVP" || parts[2] == "RTP/AVPF";
  if (parts.size() - 3 > kMaxOfferFormats) {
    why = "an m= line lists more than 64 formats";
    return false;
  }
  if (!media.audio || !media.usableTransport) return true;  // formats of other kinds need not be numbers
  for (std::size_t i = 3; i < parts.size(); ++i) {
    const auto payloadType = decimal(parts[i], 127);
    if (!payloadType) {
      why = "an audio format is not an RTP payload type (0-127)";
      return false;
    }
    if (formatOf(media, *payloadType)) continue;
    PhoneFormat format;
    format.payloadType = *payloadType;
    media.formats.push_back(format);
  }
  return true;
}

bool isDirection(std::string_view attribute) {
  return attribute == "sendrecv" || attribute == "sendonly" || attribute == "recvonly" || attribute == "inactive";
}

}  // namespace

std::optional<PhoneOffer> parsePhoneOffer(const std::string& sdp, std::string& why) {
  if (sdp.empty()) {
    why = "the INVITE has no SDP offer";
    return std::nullopt;
  }
  if (sdp.size() > kMaxOfferBytes) {
    why = "the SDP offer is longer than 16 KiB";
    return std::nullopt;
  }
  std::optional<Connection> sessionConnection;
  std::string sessionDirection = "sendrecv";
  std::vector<Media> medias;
  bool sawVersion = false;
  const std::string_view text(sdp);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.size() > kMaxOfferLineBytes) {
      why = "a line of the SDP offer is longer than 4 KiB";
      return std::nullopt;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      why = "a line of the SDP offer is not <letter>=<value>";
      return std::nullopt;
    }
    if (line.find('\0') != std::string_view::npos) {
      why = "the SDP offer holds a NUL byte";
      return std::nullopt;
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    Media* media = medias.empty() ? nullptr : &medias.back();
    switch (type) {
      case 'v':
        if (trim(value) != "0") {
          why = "the SDP offer is not version 0";
          return std::nullopt;
        }
        sawVersion = true;
        break;
      case 'm': {
        if (medias.size() >= 16) {
          why = "the SDP offer has more than 16 m= lines";
          return std::nullopt;
        }
        Media next;
        if (!parseMediaLine(next, value, why)) return std::nullopt;
        medias.push_back(std::move(next));
        break;
      }
      case 'c': {
        auto connection = parseConnection(value, why);
        if (!connection) return std::nullopt;
        (media ? media->connection : sessionConnection) = std::move(connection);
        break;
      }
      case 'a': {
        const auto colon = value.find(':');
        const std::string_view name = value.substr(0, colon);
        const std::string_view rest = colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
        if (isDirection(trim(name))) {
          (media ? media->direction : sessionDirection) = std::string(trim(name));
        } else if (media && media->audio && media->usableTransport) {
          if (name == "rtpmap") {
            if (!applyRtpmap(*media, trim(rest))) {
              why = "an a=rtpmap line is malformed";
              return std::nullopt;
            }
          } else if (name == "fmtp") {
            applyFmtp(*media, trim(rest));
          } else if (name == "ptime") {
            media->ptimeMs = decimal(trim(rest), 1000);
          }
        }
        break;
      }
      default:
        break;  // o=, s=, t=, b=, ... are not needed for the answer
    }
  }
  if (!sawVersion) {
    why = "the SDP offer has no v=0 line";
    return std::nullopt;
  }
  bool sawAudio = false;
  bool sawDisabled = false;
  bool sawSecure = false;
  for (auto& media : medias) {
    if (!media.audio) continue;
    sawAudio = true;
    if (!media.usableTransport) {
      sawSecure = true;
      continue;
    }
    if (media.port == 0) {
      sawDisabled = true;
      continue;
    }
    const auto& connection = media.connection ? media.connection : sessionConnection;
    if (!connection) {
      why = "the audio stream has no c= line";
      return std::nullopt;
    }
    if (media.formats.empty()) {
      why = "the audio stream lists no formats";
      return std::nullopt;
    }
    PhoneOffer offer;
    offer.address = connection->address;
    offer.ipv6 = connection->ipv6;
    offer.port = media.port;
    offer.formats = std::move(media.formats);
    offer.ptimeMs = media.ptimeMs;
    offer.direction = media.direction.empty() ? sessionDirection : media.direction;
    return offer;
  }
  if (!sawAudio) {
    why = "the SDP offer has no audio stream";
  } else if (sawDisabled) {
    why = "the SDP offer's audio stream is disabled (port 0)";
  } else if (sawSecure) {
    why = "the SDP offer has audio only over SRTP or another transport than RTP/AVP";
  }
  return std::nullopt;
}

std::optional<mixer::PhoneRtp> choosePhoneRtp(const PhoneOffer& offer) {
  for (const auto& info : kCodecs) {
    for (const auto& format : offer.formats) {
      const bool matches = format.encoding.empty()
                               ? info.staticPayloadType && *info.staticPayloadType == format.payloadType
                               : equalsIgnoreCase(format.encoding, info.encoding) && format.clockRate == info.clockRate &&
                                     format.channels == info.channels;
      if (!matches) continue;
      mixer::PhoneRtp rtp;
      rtp.codec = info.codec;
      rtp.payloadType = format.payloadType;
      rtp.remoteAddress = offer.address;
      rtp.remotePort = offer.port;
      rtp.ptimeMs = 20;
      for (const auto& event : offer.formats) {
        if (equalsIgnoreCase(event.encoding, "telephone-event") && event.clockRate == info.clockRate &&
            event.payloadType != format.payloadType) {
          rtp.dtmfPayloadType = event.payloadType;
          break;
        }
      }
      return rtp;
    }
  }
  return std::nullopt;
}

std::string answerDirection(const PhoneOffer& offer) {
  if (offer.address == "0.0.0.0" || offer.direction == "inactive") return "inactive";
  if (offer.direction == "sendonly") return "recvonly";
  if (offer.direction == "recvonly") return "sendonly";
  return "sendrecv";
}

bool holds(const PhoneOffer& offer) {
  const std::string direction = answerDirection(offer);
  return direction == "recvonly" || direction == "inactive";
}

std::string withDirection(const std::string& answer, const std::string& direction, unsigned version) {
  std::string sdp = answer;
  const auto at = sdp.find("a=sendrecv\r\n");
  if (at != std::string::npos) sdp.replace(at, std::strlen("a=sendrecv"), "a=" + direction);
  // o=plenum <session> <version> IN ...
  const auto origin = sdp.find("o=plenum ");
  const auto versionAt = origin == std::string::npos ? origin : sdp.find(' ', origin + 9);
  const auto versionEnd = versionAt == std::string::npos ? versionAt : sdp.find(' ', versionAt + 1);
  if (versionEnd != std::string::npos) sdp.replace(versionAt + 1, versionEnd - versionAt - 1, std::to_string(version));
  return sdp;
}

std::string phoneAnswer(const mixer::PhoneRtp& chosen, const std::string& localAddress, unsigned localPort,
                        std::uint64_t sessionId) {
  const CodecInfo& info = infoOf(chosen.codec);
  const std::string family = localAddress.find(':') != std::string::npos ? "IP6" : "IP4";
  const std::string pt = std::to_string(chosen.payloadType);
  std::string sdp;
  sdp += "v=0\r\n";
  sdp += "o=plenum " + std::to_string(sessionId) + " 1 IN " + family + " " + localAddress + "\r\n";
  sdp += "s=Plenum\r\n";
  sdp += "c=IN " + family + " " + localAddress + "\r\n";
  sdp += "t=0 0\r\n";
  sdp += "m=audio " + std::to_string(localPort) + " RTP/AVP " + pt;
  if (chosen.dtmfPayloadType) sdp += " " + std::to_string(*chosen.dtmfPayloadType);
  sdp += "\r\n";
  sdp += "a=rtpmap:" + pt + " " + std::string(info.encoding) + "/" + std::to_string(info.clockRate);
  if (info.channels != 1) sdp += "/" + std::to_string(info.channels);
  sdp += "\r\n";
  if (chosen.dtmfPayloadType) {
    const std::string dtmf = std::to_string(*chosen.dtmfPayloadType);
    sdp += "a=rtpmap:" + dtmf + " telephone-event/" + std::to_string(info.clockRate) + "\r\n";
    sdp += "a=fmtp:" + dtmf + " 0-15\r\n";
  }
  sdp += "a=ptime:" + std::to_string(chosen.ptimeMs ? chosen.ptimeMs : 20) + "\r\n";
  sdp += "a=sendrecv\r\n";
  return sdp;
}

}  // namespace plenum::appliance
