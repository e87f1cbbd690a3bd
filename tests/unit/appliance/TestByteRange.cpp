// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/ByteRange: the Range header of a download against a file's size, as a
// table (one range served, past the end refused, everything else the whole file).
#include "appliance/ByteRange.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace plenum::appliance;
using Kind = ByteRange::Kind;

TEST_CASE("a Range header is read against the file's size", "[appliance][range]") {
  struct Case {
    std::string header;
    std::uint64_t size;
    Kind kind;
    std::uint64_t first;
    std::uint64_t last;
  };
  const Case cases[] = {
      {"", 1000, Kind::Whole, 0, 0},
      {"bytes=0-99", 1000, Kind::Part, 0, 99},
      {"bytes=100-", 1000, Kind::Part, 100, 999},
      {"bytes=-100", 1000, Kind::Part, 900, 999},
      {"bytes=-5000", 1000, Kind::Part, 0, 999},         // more than there is: all of it
      {"bytes=990-5000", 1000, Kind::Part, 990, 999},    // the end is clipped
      {"bytes=999-999", 1000, Kind::Part, 999, 999},
      {"BYTES= 5 - 9 ", 1000, Kind::Part, 5, 9},
      {"bytes=1000-", 1000, Kind::Unsatisfiable, 0, 0},  // starts at the end
      {"bytes=5000-6000", 1000, Kind::Unsatisfiable, 0, 0},
      {"bytes=-0", 1000, Kind::Unsatisfiable, 0, 0},
      {"bytes=0-", 0, Kind::Unsatisfiable, 0, 0},
      {"bytes=99999999999999999999999-", 1000, Kind::Unsatisfiable, 0, 0},  // beyond 64 bits
      {"bytes=0-99999999999999999999999", 1000, Kind::Part, 0, 999},
      {"bytes=9-5", 1000, Kind::Whole, 0, 0},            // reversed: ignored
      {"bytes=0-1,5-6", 1000, Kind::Whole, 0, 0},        // several ranges: the whole file
      {"bytes=a-b", 1000, Kind::Whole, 0, 0},
      {"bytes=5-x", 1000, Kind::Whole, 0, 0},
      {"bytes=-", 1000, Kind::Whole, 0, 0},
      {"bytes=5", 1000, Kind::Whole, 0, 0},
      {"items=0-9", 1000, Kind::Whole, 0, 0},
      {"bytes=+5-9", 1000, Kind::Whole, 0, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.header, c.size);
    const ByteRange range = ByteRange::parse(c.header, c.size);
    CHECK(range.kind == c.kind);
    if (c.kind != Kind::Part) continue;
    CHECK(range.first == c.first);
    CHECK(range.last == c.last);
    CHECK(range.length() == c.last - c.first + 1);
  }
}
