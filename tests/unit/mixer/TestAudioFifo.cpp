// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/AudioFifo: one participant's samples between its streaming thread and the
// mixing thread.
#include "mixer/AudioFifo.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

using plenum::mixer::AudioFifo;
using Samples = std::vector<int16_t>;

namespace {

constexpr int16_t kGarbage = 0x5a5a;

// Pops `size` samples; returns them and how many were real.
std::pair<Samples, std::size_t> pop(AudioFifo& fifo, std::size_t size) {
  Samples out(size, kGarbage);
  const std::size_t real = fifo.pop(out);
  return {out, real};
}

}  // namespace

SCENARIO("AudioFifo hands out samples in the order they arrived", "[mixer][AudioFifo]") {
  AudioFifo fifo(100);

  GIVEN("a new fifo") {
    THEN("it is empty and has dropped nothing") {
      CHECK(fifo.size() == 0);
      CHECK(fifo.dropped() == 0);
    }
  }

  GIVEN("two pushes") {
    fifo.push(Samples{1, 2, 3});
    fifo.push(Samples{4, 5});
    THEN("the size counts both") { CHECK(fifo.size() == 5); }

    WHEN("the samples are popped in two parts") {
      const auto [first, firstReal] = pop(fifo, 2);
      const auto [second, secondReal] = pop(fifo, 3);
      THEN("they come out in push order") {
        CHECK(first == Samples{1, 2});
        CHECK(second == Samples{3, 4, 5});
      }
      THEN("every sample was real") {
        CHECK(firstReal == 2);
        CHECK(secondReal == 3);
      }
      THEN("the fifo is empty afterwards") { CHECK(fifo.size() == 0); }
    }

    WHEN("a pop spans both pushes") {
      const auto [out, real] = pop(fifo, 4);
      THEN("the samples of both pushes follow each other") { CHECK(out == Samples{1, 2, 3, 4}); }
      THEN("the rest stays queued") {
        CHECK(real == 4);
        CHECK(fifo.size() == 1);
        CHECK(pop(fifo, 1).first == Samples{5});
      }
    }

    WHEN("more is pushed after a pop") {
      pop(fifo, 4);
      fifo.push(Samples{6, 7});
      THEN("the new samples follow the old ones") { CHECK(pop(fifo, 3).first == Samples{5, 6, 7}); }
    }
  }

  GIVEN("an empty push") {
    fifo.push(Samples{});
    THEN("nothing changes") {
      CHECK(fifo.size() == 0);
      CHECK(fifo.dropped() == 0);
    }
  }
}

SCENARIO("AudioFifo fills what it cannot give with silence", "[mixer][AudioFifo]") {
  AudioFifo fifo(100);

  WHEN("fewer samples are queued than asked for") {
    fifo.push(Samples{-1, -2});
    const auto [out, real] = pop(fifo, 5);
    THEN("the real samples come first, then silence") { CHECK(out == Samples{-1, -2, 0, 0, 0}); }
    THEN("the count says how many were real") { CHECK(real == 2); }
    THEN("the fifo is empty") { CHECK(fifo.size() == 0); }
  }

  WHEN("nothing arrived in time") {
    const auto [out, real] = pop(fifo, 4);
    THEN("the output is all silence") { CHECK(out == Samples(4, 0)); }
    THEN("no sample was real") { CHECK(real == 0); }
  }

  WHEN("a zero-length output is asked for") {
    fifo.push(Samples{1, 2});
    const auto [out, real] = pop(fifo, 0);
    THEN("nothing is taken") {
      CHECK(real == 0);
      CHECK(fifo.size() == 2);
    }
  }
}

SCENARIO("AudioFifo is bounded and drops the oldest samples", "[mixer][AudioFifo]") {
  AudioFifo fifo(4);

  // pushes, expected content, expected dropped
  const auto [pushes, content, dropped] = GENERATE(table<std::vector<Samples>, Samples, std::size_t>({
      {{{1, 2, 3, 4}}, {1, 2, 3, 4}, 0},                 // exactly full
      {{{1, 2, 3, 4, 5, 6}}, {3, 4, 5, 6}, 2},           // one push too large
      {{{1, 2, 3}, {4, 5, 6}}, {3, 4, 5, 6}, 2},         // the second push overflows
      {{{1, 2}, {3}, {4}, {5}, {6}, {7}}, {4, 5, 6, 7}, 3},  // small pushes, dropped adds up
      {{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}, {7, 8, 9, 10}, 6},  // far too large
  }));
  CAPTURE(pushes);

  for (const Samples& p : pushes) fifo.push(p);

  THEN("the size does not exceed the bound") { CHECK(fifo.size() == content.size()); }
  THEN("the newest samples are kept, in order") { CHECK(pop(fifo, 4).first == content); }
  THEN("the dropped samples are counted") { CHECK(fifo.dropped() == dropped); }
  THEN("popping does not count as dropping") {
    pop(fifo, 4);
    CHECK(fifo.dropped() == dropped);
  }
}

SCENARIO("AudioFifo with a bound of zero keeps nothing", "[mixer][AudioFifo]") {
  AudioFifo fifo(0);
  fifo.push(Samples{1, 2, 3});
  CHECK(fifo.size() == 0);
  CHECK(fifo.dropped() == 3);
  CHECK(pop(fifo, 2) == std::pair<Samples, std::size_t>{Samples{0, 0}, 0});
}

SCENARIO("AudioFifo between a streaming thread and the mixing thread", "[mixer][AudioFifo][thread]") {
  constexpr int kTotal = 30000;
  constexpr int kChunk = 40;
  AudioFifo fifo(480);
  std::atomic<bool> done{false};

  std::thread producer([&] {
    Samples chunk;
    for (int value = 1; value <= kTotal; ++value) {
      chunk.push_back(static_cast<int16_t>(value));
      if (chunk.size() == kChunk || value == kTotal) {
        fifo.push(chunk);
        chunk.clear();
      }
    }
    done = true;
  });

  std::size_t taken = 0;
  int previous = 0;
  bool ordered = true;
  bool silenceAfterReal = true;
  const auto drain = [&] {
    Samples out(160, kGarbage);
    const std::size_t real = fifo.pop(out);
    for (std::size_t i = 0; i < real; ++i) {
      if (out[i] <= previous) ordered = false;
      previous = out[i];
    }
    for (std::size_t i = real; i < out.size(); ++i) {
      if (out[i] != 0) silenceAfterReal = false;
    }
    taken += real;
    return real;
  };
  while (!done) drain();
  producer.join();
  while (drain() > 0) {
  }

  THEN("every sample was either taken or counted as dropped") {
    CHECK(taken + fifo.dropped() == static_cast<std::size_t>(kTotal));
  }
  THEN("the samples taken are in order") { CHECK(ordered); }
  THEN("the newest sample was not lost") { CHECK(previous == kTotal); }
  THEN("the output after the real samples is silence") { CHECK(silenceAfterReal); }
}

TEST_CASE("AudioFifo drops a backlog that stood a whole window, keeps the slack", "[mixer][AudioFifo]") {
  // Window of 5 pops, slack 2 samples, frames of 4.
  AudioFifo fifo(1000, 2, 5);
  fifo.push(Samples(10, 7));  // a backlog of 10 samples before the first pop
  for (int i = 0; i < 5; ++i) {
    fifo.push(Samples(4, 1));
    CHECK(pop(fifo, 4).second == 4);
  }
  // The lowest level after a pop was 10 throughout: 8 dropped, the slack of 2 kept.
  CHECK(fifo.trimmed() == 8);
  CHECK(fifo.size() == 2);
  CHECK(fifo.dropped() == 0);
}

TEST_CASE("AudioFifo keeps everything when it ran dry in the window", "[mixer][AudioFifo]") {
  AudioFifo fifo(1000, 2, 5);
  fifo.push(Samples(10, 7));
  for (int i = 0; i < 4; ++i) {
    fifo.push(Samples(4, 1));
    pop(fifo, 4);
  }
  // A late packet: this pop empties the FIFO, so the window's lowest level is 0.
  pop(fifo, 14);
  fifo.push(Samples(8, 1));
  CHECK(fifo.trimmed() == 0);
  CHECK(fifo.size() == 8);
}

TEST_CASE("AudioFifo without a window never trims", "[mixer][AudioFifo]") {
  AudioFifo fifo(1000);
  fifo.push(Samples(100, 7));
  for (int i = 0; i < 200; ++i) {
    fifo.push(Samples(4, 1));
    pop(fifo, 4);
  }
  CHECK(fifo.trimmed() == 0);
  CHECK(fifo.size() == 100);
}
