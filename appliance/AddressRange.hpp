// SPDX-License-Identifier: EUPL-1.2
#pragma once
// An IP address or a CIDR range, as sip.trusted-peers names them ("192.0.2.10", "10.0.0.0/8",
// "2001:db8::/32"): parsed once for --check-config and for the SIP service alike, so that what
// the check accepts is what the service uses.
#include <optional>
#include <string>

namespace plenum::appliance {

struct AddressRange {
  int family;                  // AF_INET or AF_INET6
  unsigned char bytes[16] = {};
  unsigned bits = 32;          // prefix length; a single address: 32 or 128
};

// Null when `spec` is neither a numeric address nor one with a prefix of at most its bits.
std::optional<AddressRange> parseRange(const std::string& spec);
// Whether `address` (a single address) lies in `range`.
bool contains(const AddressRange& range, const AddressRange& address);

}  // namespace plenum::appliance
