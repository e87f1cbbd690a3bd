// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/RtpDtmf: RFC 4733 telephone-event payloads and one digit per key press.
#include "mixer/RtpDtmf.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace plenum::mixer;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint8_t> payload(std::uint8_t event, bool end, std::uint8_t volume, std::uint16_t duration) {
  return {event, static_cast<std::uint8_t>((end ? 0x80 : 0) | volume), static_cast<std::uint8_t>(duration >> 8),
          static_cast<std::uint8_t>(duration & 0xff)};
}

// The packets a gateway sends for one press (RFC 4733 2.5): start, updates, the end three times,
// all with the press's timestamp.
std::string press(DtmfEventFilter& filter, std::uint8_t event, std::uint32_t timestamp, DtmfEventFilter::Clock::time_point at) {
  std::string reported;
  for (int i = 0; i < 6; ++i) {
    const auto bytes = payload(event, i >= 3, 10, static_cast<std::uint16_t>(160 * (i + 1)));
    const auto parsed = parseTelephoneEvent(bytes.data(), bytes.size());
    REQUIRE(parsed);
    if (auto digit = filter.accept(timestamp, *parsed, at)) reported += *digit;
  }
  return reported;
}

}  // namespace

TEST_CASE("RFC 4733 payloads are parsed", "[dtmf]") {
  const auto bytes = payload(11, true, 10, 800);
  const auto parsed = parseTelephoneEvent(bytes.data(), bytes.size());
  REQUIRE(parsed);
  CHECK(parsed->event == 11);
  CHECK(parsed->end);
  CHECK(parsed->volume == 10);
  CHECK(parsed->duration == 800);
  const std::uint8_t shortPayload[3] = {1, 2, 3};
  CHECK_FALSE(parseTelephoneEvent(shortPayload, 3));
  CHECK_FALSE(parseTelephoneEvent(nullptr, 0));
}

TEST_CASE("Events map to keypad digits", "[dtmf]") {
  const std::vector<std::pair<std::uint8_t, char>> table{{0, '0'}, {5, '5'}, {9, '9'}, {10, '*'}, {11, '#'}};
  for (auto [event, digit] : table) CHECK(dtmfDigit(event) == digit);
  for (std::uint8_t other : {12, 15, 16, 255}) CHECK_FALSE(dtmfDigit(other));
}

TEST_CASE("A press is one digit, whatever its packets", "[dtmf]") {
  DtmfEventFilter filter;
  auto t = DtmfEventFilter::Clock::now();
  SECTION("start, updates and three end packets: once") {
    CHECK(press(filter, 1, 1000, t) == "1");
  }
  SECTION("the same key twice is two presses (two timestamps)") {
    CHECK(press(filter, 1, 1000, t) == "1");
    CHECK(press(filter, 1, 2600, t + 300ms) == "1");
  }
  SECTION("a late end packet of the press before does not repeat it") {
    CHECK(press(filter, 1, 1000, t) == "1");
    CHECK(press(filter, 2, 2600, t + 300ms) == "2");
    const auto end = payload(1, true, 10, 960);
    CHECK_FALSE(filter.accept(1000, *parseTelephoneEvent(end.data(), end.size()), t + 310ms));
  }
  SECTION("non-keypad events (A-D, flash) are no digits") {
    CHECK(press(filter, 12, 1000, t).empty());
    CHECK(press(filter, 16, 2000, t).empty());
  }
}

TEST_CASE("A flood of events is cut to the rate limit", "[dtmf]") {
  DtmfEventFilter filter;
  const auto t = DtmfEventFilter::Clock::now();
  std::string reported;
  // 1000 presses within one second.
  for (std::uint32_t i = 0; i < 1000; ++i) reported += press(filter, 5, 1000 + i * 160, t + std::chrono::microseconds(i * 1000));
  CHECK(reported.size() >= DtmfEventFilter::kMaxDigitsPerSecond);
  CHECK(reported.size() <= 2 * DtmfEventFilter::kMaxDigitsPerSecond);
  CHECK(filter.limited() == 1000 - reported.size());
  // A second later the keypad works again.
  CHECK(press(filter, 7, 500000, t + 2s) == "7");
}

TEST_CASE("The keypad rate limit: 20 at once, then 20 a second", "[dtmf]") {
  KeypadRateLimit rate;
  const auto t = KeypadRateLimit::Clock::now();
  int taken = 0;
  for (int i = 0; i < 30; ++i) taken += rate.take(t) ? 1 : 0;
  CHECK(taken == KeypadRateLimit::kMaxDigitsPerSecond);
  CHECK(rate.limited() == 10);
  // 50 ms later one more press is allowed, the next is not.
  CHECK(rate.take(t + 50ms));
  CHECK_FALSE(rate.take(t + 50ms));
  // A clock that goes back gives nothing.
  CHECK_FALSE(rate.take(t));
  CHECK(rate.limited() == 12);
  // A second later the whole budget is back.
  taken = 0;
  for (int i = 0; i < 30; ++i) taken += rate.take(t + 2s) ? 1 : 0;
  CHECK(taken == KeypadRateLimit::kMaxDigitsPerSecond);
}
