// SPDX-License-Identifier: EUPL-1.2
#include "appliance/OriginCheck.hpp"

#include <algorithm>
#include <cctype>

namespace plenum::appliance {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool isHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool isIpv6LiteralChar(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

}  // namespace

std::optional<std::string> urlOrigin(std::string_view url, bool originOnly) {
  const auto separator = url.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  const std::string scheme = lower(url.substr(0, separator));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(separator + 3);
  const auto end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  if (originOnly && end != std::string_view::npos) return std::nullopt;

  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    if (host.size() < 3 || !std::all_of(host.begin() + 1, host.end() - 1, isIpv6LiteralChar)) return std::nullopt;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (host.empty() || host.size() > 253 || !std::all_of(host.begin(), host.end(), isHostNameChar)) {
      return std::nullopt;
    }
  }
  std::string origin = scheme + "://" + lower(host);
  if (port.empty()) return origin;  // "host:" counts as the default port, as in a URL
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int number = std::stoi(std::string(port));
  if (number < 1 || number > 65535) return std::nullopt;
  if ((scheme == "http" && number == 80) || (scheme == "https" && number == 443)) return origin;
  return origin + ":" + std::to_string(number);
}

bool isOwnOrigin(const std::optional<std::string>& origin, bool secure, std::string_view host,
                 std::string_view publicUrl) {
  if (!origin) return true;
  const auto claimed = urlOrigin(*origin, true);  // "null" (a sandboxed page, a file) does not parse
  if (!claimed) return false;
  if (!host.empty()) {
    const auto own = urlOrigin(std::string(secure ? "https://" : "http://") + std::string(host), true);
    if (own && *own == *claimed) return true;
  }
  if (!publicUrl.empty()) {
    const auto configured = urlOrigin(publicUrl);
    if (configured && *configured == *claimed) return true;
  }
  return false;
}

}  // namespace plenum::appliance
