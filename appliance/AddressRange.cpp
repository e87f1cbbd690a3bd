// SPDX-License-Identifier: EUPL-1.2
#include "appliance/AddressRange.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>

namespace plenum::appliance {

std::optional<AddressRange> parseRange(const std::string& spec) {
  AddressRange range{AF_INET};
  std::string address = spec;
  std::optional<unsigned> bits;
  if (const auto slash = spec.find('/'); slash != std::string::npos) {
    address = spec.substr(0, slash);
    const std::string b = spec.substr(slash + 1);
    if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    bits = static_cast<unsigned>(std::stoul(b));
  }
  if (inet_pton(AF_INET, address.c_str(), range.bytes) == 1) {
    range.family = AF_INET;
    range.bits = bits.value_or(32);
    if (range.bits > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, address.c_str(), range.bytes) == 1) {
    range.family = AF_INET6;
    range.bits = bits.value_or(128);
    if (range.bits > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return range;
}

bool contains(const AddressRange& range, const AddressRange& address) {
  if (range.family != address.family) return false;
  for (unsigned bit = 0; bit < range.bits; bit += 8) {
    const unsigned take = std::min(8u, range.bits - bit);
    const unsigned char mask = static_cast<unsigned char>(0xff << (8 - take));
    if ((range.bytes[bit / 8] & mask) != (address.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace plenum::appliance
