// SPDX-License-Identifier: EUPL-1.2
#include "mixer/SdpValidator.hpp"

#include <gst/sdp/sdp.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <sstream>
#include <vector>

namespace plenum::mixer {

namespace {

bool hasAttribute(const GstSDPMessage* sdp, const GstSDPMedia* media, const char* key) {
  return gst_sdp_media_get_attribute_val(media, key) || gst_sdp_message_get_attribute_val(sdp, key);
}

bool allOf(const std::string& s, int (*predicate)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) { return predicate(c); });
}

}  // namespace

std::optional<std::string> checkSdpAnswer(const std::string& text, unsigned mediaCount) {
  if (text.empty()) return "empty SDP";
  if (text.rfind("v=0", 0) != 0) return "SDP does not start with v=0";
  GstSDPMessage* sdp = nullptr;
  gst_sdp_message_new(&sdp);
  std::optional<std::string> problem;
  if (gst_sdp_message_parse_buffer(reinterpret_cast<const guint8*>(text.data()),
                                   static_cast<guint>(text.size()), sdp) != GST_SDP_OK) {
    problem = "SDP does not parse";
  } else if (gst_sdp_message_medias_len(sdp) != mediaCount) {
    problem = "SDP has " + std::to_string(gst_sdp_message_medias_len(sdp)) + " m-lines, expected " +
              std::to_string(mediaCount);
  } else {
    for (guint i = 0; i < mediaCount && !problem; ++i) {
      const GstSDPMedia* media = gst_sdp_message_get_media(sdp, i);
      const std::string where = "m-line " + std::to_string(i);
      // GStreamer's parser turns "m=" into an empty media name and a missing format list
      // into one empty format, so both are checked by content.
      const char* type = gst_sdp_media_get_media(media);
      const char* format = gst_sdp_media_formats_len(media) ? gst_sdp_media_get_format(media, 0) : nullptr;
      if (!type || !*type) problem = where + " has no media type";
      else if (!format || !*format) problem = where + " has no formats";
      else if (!hasAttribute(sdp, media, "ice-ufrag") || !hasAttribute(sdp, media, "ice-pwd"))
        problem = where + " lacks ICE credentials";
      else if (!hasAttribute(sdp, media, "fingerprint"))
        problem = where + " lacks a DTLS fingerprint";
    }
  }
  gst_sdp_message_free(sdp);
  return problem;
}

std::optional<std::string> checkCandidateAddress(const std::string& address, bool allowLoopback) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    const std::uint32_t a = ntohl(v4.s_addr);
    if ((a >> 24) == 127) return allowLoopback ? std::nullopt : std::optional<std::string>("loopback address refused");
    if ((a >> 24) == 0) return "unspecified address refused";
    if ((a >> 28) == 0xe || a == 0xffffffffu) return "multicast or broadcast address refused";
    return std::nullopt;
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6) || IN6_IS_ADDR_V4COMPAT(&v6)) {
      char v4text[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &v6.s6_addr[12], v4text, sizeof v4text);
      return checkCandidateAddress(v4text, allowLoopback);
    }
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return allowLoopback ? std::nullopt : std::optional<std::string>("loopback address refused");
    if (IN6_IS_ADDR_UNSPECIFIED(&v6)) return "unspecified address refused";
    if (IN6_IS_ADDR_MULTICAST(&v6)) return "multicast address refused";
    return std::nullopt;
  }
  const std::string suffix = ".local";
  if (address.size() > suffix.size() && address.compare(address.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return std::nullopt;
  }
  return "host names other than mDNS .local names are refused";
}

std::optional<std::string> checkIceCandidate(const std::string& candidate, bool allowLoopback) {
  if (candidate.empty()) return std::nullopt;
  if (candidate.size() > 512) return "candidate longer than 512 characters";
  for (unsigned char c : candidate) {
    if (c < 0x20 || c > 0x7e) return "candidate has control or non-ASCII characters";
  }
  std::string body = candidate;
  if (body.rfind("a=", 0) == 0) body = body.substr(2);
  if (body.rfind("candidate:", 0) != 0) return "candidate does not start with 'candidate:'";
  std::istringstream in(body.substr(10));
  std::vector<std::string> f;
  for (std::string token; in >> token;) f.push_back(token);
  if (f.size() < 8) return "candidate has fewer than 8 fields";
  if (f[0].size() > 32) return "foundation too long";
  if (!allOf(f[1], isdigit) || f[1].size() > 3 || std::stoul(f[1]) < 1 || std::stoul(f[1]) > 256)
    return "component is not a number from 1 to 256";
  std::string transport = f[2];
  std::transform(transport.begin(), transport.end(), transport.begin(), ::tolower);
  if (transport != "udp" && transport != "tcp") return "transport is neither UDP nor TCP";
  if (!allOf(f[3], isdigit) || f[3].size() > 10) return "priority is not a number";
  const std::string& address = f[4];
  const bool plausibleAddress =
      address.size() <= 255 && std::all_of(address.begin(), address.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == ':' || c == '-';
      });
  if (!plausibleAddress || address.empty()) return "address is neither IP nor host name";
  if (auto refused = checkCandidateAddress(address, allowLoopback)) return refused;
  if (!allOf(f[5], isdigit) || f[5].size() > 5 || std::stoul(f[5]) > 65535) return "port out of range";
  if (f[6] != "typ") return "missing 'typ'";
  static const char* const types[] = {"host", "srflx", "prflx", "relay"};
  if (std::none_of(std::begin(types), std::end(types), [&](const char* t) { return f[7] == t; }))
    return "unknown candidate type";
  return std::nullopt;
}

}  // namespace plenum::mixer
