// SPDX-License-Identifier: EUPL-1.2
#include "appliance/ByteRange.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <limits>
#include <optional>

namespace plenum::appliance {

namespace {

constexpr std::uint64_t kHuge = std::numeric_limits<std::uint64_t>::max();

// Decimal digits only; a number beyond 64 bits reads as kHuge (past the end of any file).
std::optional<std::uint64_t> number(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kHuge - digit) / 10) return kHuge;
    value = value * 10 + digit;
  }
  return value;
}

ByteRange part(std::uint64_t first, std::uint64_t last) { return {ByteRange::Kind::Part, first, last}; }
ByteRange unsatisfiable() { return {ByteRange::Kind::Unsatisfiable, 0, 0}; }

// "-n": the last n bytes.
ByteRange suffix(std::uint64_t n, std::uint64_t size) {
  if (n == 0 || size == 0) return unsatisfiable();
  return part(size - std::min(n, size), size - 1);
}

}  // namespace

ByteRange ByteRange::parse(const std::string& header, std::uint64_t size) {
  const std::string spec = Poco::trim(header);
  if (Poco::icompare(spec.substr(0, 6), "bytes=") != 0) return {};
  const std::string range = Poco::trim(spec.substr(6));
  const std::size_t dash = range.find('-');
  if (range.find(',') != std::string::npos || dash == std::string::npos) return {};
  const std::string firstText = Poco::trim(range.substr(0, dash));
  const std::string lastText = Poco::trim(range.substr(dash + 1));
  if (firstText.empty()) {
    const auto n = number(lastText);
    return n ? suffix(*n, size) : ByteRange{};
  }
  const auto first = number(firstText);
  const auto last = lastText.empty() ? std::optional<std::uint64_t>(kHuge) : number(lastText);
  if (!first || !last || *last < *first) return {};
  if (*first >= size) return unsatisfiable();
  return part(*first, std::min(*last, size - 1));
}

}  // namespace plenum::appliance
