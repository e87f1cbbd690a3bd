// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A request's Range header against a file of `size` bytes (RFC 9110, 14.1.2), as a download
// answers it: one range (bytes=a-b, bytes=a-, bytes=-n) is served as 206; a single range that
// starts at or past the end (or asks for the last 0 bytes) cannot be satisfied (416); anything
// else (no header, another unit, a malformed or reversed range, several ranges) gets the whole
// file (200), which the RFC allows.
#include <cstdint>
#include <string>

namespace plenum::appliance {

struct ByteRange {
  enum class Kind { Whole, Part, Unsatisfiable };
  Kind kind = Kind::Whole;
  std::uint64_t first = 0;  // Part: the first and last byte, inclusive
  std::uint64_t last = 0;

  static ByteRange parse(const std::string& header, std::uint64_t size);
  std::uint64_t length() const { return last - first + 1; }
};

}  // namespace plenum::appliance
