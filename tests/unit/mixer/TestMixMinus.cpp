// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/MixMinus: the full mix and each listener's mix without their own voice.
#include "mixer/MixMinus.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

using plenum::mixer::MixMinus;
using Samples = std::vector<int16_t>;
using Input = std::span<const int16_t>;

namespace {

constexpr int16_t kMax = INT16_MAX;
constexpr int16_t kMin = INT16_MIN;

// Sums `inputs` into `mix` with `frames` frames.
void sumOf(MixMinus& mix, const std::vector<Input>& inputs, std::size_t frames) {
  mix.sum(std::span<const Input>(inputs), frames);
}

Samples mixFor(const MixMinus& mix, Input own, std::size_t size) {
  Samples out(size, int16_t{0x5a5a});  // anything the mix does not write stays visible
  mix.mixFor(own, out);
  return out;
}

std::vector<int32_t> fullMixOf(const MixMinus& mix) {
  return {mix.fullMix().begin(), mix.fullMix().end()};
}

}  // namespace

SCENARIO("Three talkers: everybody hears exactly the other two", "[mixer][MixMinus]") {
  const Samples a{100, -200, 300, 0, 12, -32768, 32767, 1};
  const Samples b{1000, 2000, -3000, 5, -12, 0, -1, 2};
  const Samples c{-7, 7, 0, -5, 0, 0, 0, 3};
  MixMinus mix;
  sumOf(mix, {a, b, c}, a.size());

  THEN("the full mix is the exact 32-bit sum") {
    CHECK(fullMixOf(mix) == std::vector<int32_t>{1093, 1807, -2700, 0, 0, -32768, 32766, 6});
  }

  WHEN("each talker listens") {
    const auto [name, own, expected] = GENERATE_REF(table<const char*, Samples, Samples>({
        {"a hears b + c", a, Samples{993, 2007, -3000, 0, -12, 0, -1, 5}},
        {"b hears a + c", b, Samples{93, -193, 300, -5, 12, -32768, 32767, 4}},
        {"c hears a + b", c, Samples{1100, 1800, -2700, 5, 0, -32768, 32766, 3}},
    }));
    CAPTURE(name);
    THEN("the mix is the sum of the others, sample for sample") { CHECK(mixFor(mix, own, own.size()) == expected); }
  }
}

SCENARIO("Mix-minus clips to 16 bits", "[mixer][MixMinus]") {
  MixMinus mix;

  GIVEN("three loud talkers in phase") {
    const Samples loud(4, 30000);
    sumOf(mix, {loud, loud, loud}, 4);
    THEN("the full mix keeps the unclipped sum") { CHECK(fullMixOf(mix) == std::vector<int32_t>(4, 90000)); }
    THEN("a talker's mix clips at +32767") { CHECK(mixFor(mix, loud, 4) == Samples(4, kMax)); }
    THEN("a silent listener's mix clips at +32767") { CHECK(mixFor(mix, {}, 4) == Samples(4, kMax)); }
  }

  GIVEN("three loud talkers in negative phase") {
    const Samples loud(4, -30000);
    sumOf(mix, {loud, loud, loud}, 4);
    THEN("the full mix keeps the unclipped sum") { CHECK(fullMixOf(mix) == std::vector<int32_t>(4, -90000)); }
    THEN("a talker's mix clips at -32768") { CHECK(mixFor(mix, loud, 4) == Samples(4, kMin)); }
  }

  GIVEN("sums that land exactly on the limits") {
    const Samples top{kMax, kMin};
    const Samples half{16384, -16384};
    const Samples rest{16383, -16384};
    sumOf(mix, {top, half, rest}, 2);
    THEN("they are passed unchanged") { CHECK(mixFor(mix, top, 2) == Samples{kMax, kMin}); }
    THEN("larger sums are clipped") { CHECK(mixFor(mix, rest, 2) == Samples{kMax, kMin}); }
  }

  GIVEN("a listener at full negative scale and another talker at full positive scale") {
    const Samples low{kMin};
    const Samples high{kMax};
    sumOf(mix, {low, high}, 1);
    THEN("the full mix is -1") { CHECK(fullMixOf(mix) == std::vector<int32_t>{-1}); }
    THEN("removing the listener's own samples gives +32767, not an overflow") {
      CHECK(mixFor(mix, low, 1) == Samples{kMax});
    }
    THEN("removing the other's samples gives -32768") { CHECK(mixFor(mix, high, 1) == Samples{kMin}); }
  }

  GIVEN("the loudest possible room of 64 talkers") {
    const Samples loud(2, kMax);
    const std::vector<Input> inputs(64, Input(loud));
    sumOf(mix, inputs, 2);
    THEN("the 32-bit sum does not overflow") { CHECK(fullMixOf(mix) == std::vector<int32_t>(2, 64 * 32767)); }
    THEN("the mix clips") { CHECK(mixFor(mix, loud, 2) == Samples(2, kMax)); }
  }
}

SCENARIO("Silence and missing inputs", "[mixer][MixMinus]") {
  MixMinus mix;
  const Samples a{1, 2, 3, 4};
  const Samples c{10, 20, 30, 40};

  WHEN("one input is an empty span") {
    sumOf(mix, {a, Input{}, c}, 4);
    THEN("it counts as silence") { CHECK(fullMixOf(mix) == std::vector<int32_t>{11, 22, 33, 44}); }
    THEN("its listener hears everybody else") { CHECK(mixFor(mix, {}, 4) == Samples{11, 22, 33, 44}); }
  }

  WHEN("there are no inputs at all") {
    sumOf(mix, {}, 4);
    THEN("the full mix is silence of the requested length") { CHECK(fullMixOf(mix) == std::vector<int32_t>(4, 0)); }
    THEN("every mix is silence") { CHECK(mixFor(mix, {}, 4) == Samples(4, 0)); }
  }

  WHEN("all inputs are empty spans") {
    sumOf(mix, {Input{}, Input{}}, 3);
    THEN("the mix is silence") { CHECK(mixFor(mix, {}, 3) == Samples(3, 0)); }
  }

  WHEN("a listener does not talk (not among the inputs)") {
    sumOf(mix, {a, c}, 4);
    THEN("the listener gets the full mix") { CHECK(mixFor(mix, {}, 4) == Samples{11, 22, 33, 44}); }
  }

  WHEN("nothing was summed yet") {
    const MixMinus fresh;
    THEN("the full mix is empty") { CHECK(fresh.fullMix().empty()); }
    THEN("a mix is all silence") { CHECK(mixFor(fresh, a, 4) == Samples(4, 0)); }
  }

  WHEN("zero frames are summed") {
    sumOf(mix, {a, c}, 0);
    THEN("the full mix is empty") { CHECK(fullMixOf(mix).empty()); }
    THEN("the output is filled with silence") { CHECK(mixFor(mix, a, 4) == Samples(4, 0)); }
  }
}

SCENARIO("Inputs, own samples and outputs of unequal length", "[mixer][MixMinus]") {
  MixMinus mix;
  const Samples a{1, 2, 3, 4, 5, 6};
  const Samples shortInput{100, 200};
  const Samples longInput{1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000};

  WHEN("an input is shorter than the frame count") {
    sumOf(mix, {a, shortInput}, 6);
    THEN("its missing tail counts as silence") {
      CHECK(fullMixOf(mix) == std::vector<int32_t>{101, 202, 3, 4, 5, 6});
    }
    THEN("its talker's mix is the others' samples throughout") { CHECK(mixFor(mix, shortInput, 6) == a); }
  }

  WHEN("an input is longer than the frame count") {
    sumOf(mix, {a, longInput}, 6);
    THEN("only the first frames count") {
      CHECK(fullMixOf(mix) == std::vector<int32_t>{1001, 2002, 3003, 4004, 5005, 6006});
    }
    THEN("its talker's mix is the others' samples") { CHECK(mixFor(mix, longInput, 6) == a); }
  }

  WHEN("the listener's own samples are shorter than the mix") {
    sumOf(mix, {a, shortInput}, 6);
    const Samples own{100};
    THEN("they are removed where they exist and the rest is the full mix") {
      CHECK(mixFor(mix, own, 6) == Samples{1, 202, 3, 4, 5, 6});
    }
  }

  WHEN("the output is shorter than the mix") {
    sumOf(mix, {a, shortInput}, 6);
    Samples buffer(6, int16_t{0x5a5a});
    mix.mixFor(a, std::span<int16_t>(buffer).first(3));
    THEN("only the output's samples are written") { CHECK(buffer == Samples{100, 200, 0, 0x5a5a, 0x5a5a, 0x5a5a}); }
  }

  WHEN("the output is longer than the mix") {
    sumOf(mix, {a, shortInput}, 6);
    THEN("the tail of the output is silence") {
      CHECK(mixFor(mix, a, 9) == Samples{100, 200, 0, 0, 0, 0, 0, 0, 0});
    }
  }

  WHEN("a second sum follows the first") {
    sumOf(mix, {longInput}, 9);
    sumOf(mix, {a}, 6);
    THEN("it replaces the first, length included") {
      CHECK(fullMixOf(mix) == std::vector<int32_t>{1, 2, 3, 4, 5, 6});
    }
  }
}
