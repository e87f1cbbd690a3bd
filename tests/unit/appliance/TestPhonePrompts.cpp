// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/PhonePrompts: WAV files of other rates and of two channels come out as
// 48 kHz mono of the right length; broken and foreign files are refused with a reason and listed
// in missing(); the admin's own file wins over the shipped one; the shipped prompts all load.
#include "appliance/PhonePrompts.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace plenum::appliance;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    path = fs::temp_directory_path() / ("plenum-prompts-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path path;
};

void put16(std::string& out, unsigned v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

struct WavSpec {
  unsigned rate = 22050;
  unsigned channels = 1;
  unsigned bits = 16;
  unsigned format = 1;        // 1 PCM, 3 float, 0xFFFE extensible
  unsigned subFormat = 1;     // of an extensible file
  bool listChunkFirst = false;  // an odd-sized LIST chunk before fmt (padding)
};

// A WAV file of `frames` frames; channel c of frame i holds `value(i, c)`.
template <typename Value>
std::string makeWav(const WavSpec& spec, std::size_t frames, Value value) {
  std::string data;
  for (std::size_t i = 0; i < frames; ++i)
    for (unsigned c = 0; c < spec.channels; ++c) put16(data, static_cast<std::uint16_t>(value(i, c)));
  std::string fmt;
  put16(fmt, spec.format);
  put16(fmt, spec.channels);
  put32(fmt, spec.rate);
  put32(fmt, spec.rate * spec.channels * spec.bits / 8);
  put16(fmt, spec.channels * spec.bits / 8);
  put16(fmt, spec.bits);
  if (spec.format == 0xFFFE) {
    put16(fmt, 22);
    put16(fmt, spec.bits);
    put32(fmt, spec.channels == 1 ? 4 : 3);
    put16(fmt, spec.subFormat);
    fmt += std::string("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
  }
  std::string body = "WAVE";
  if (spec.listChunkFirst) {
    body += "LIST";
    put32(body, 5);
    body += std::string("INFOx", 5);
    body.push_back('\0');  // pad byte
  }
  body += "fmt ";
  put32(body, static_cast<std::uint32_t>(fmt.size()));
  body += fmt;
  body += "data";
  put32(body, static_cast<std::uint32_t>(data.size()));
  body += data;
  std::string file = "RIFF";
  put32(file, static_cast<std::uint32_t>(body.size()));
  return file + body;
}

std::string sineWav(const WavSpec& spec, std::size_t frames, double freq = 440) {
  return makeWav(spec, frames, [&](std::size_t i, unsigned) {
    return static_cast<std::int16_t>(std::lround(8000 * std::sin(2 * M_PI * freq * i / spec.rate)));
  });
}

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("WAV files are converted to 48 kHz mono of the right length", "[appliance][phoneprompts]") {
  TempDir dir;
  const auto file = (dir.path / "p.wav").string();

  SECTION("22050 Hz (espeak-ng): one second becomes 48000 samples, the sine stays a sine") {
    write(file, sineWav({.rate = 22050}, 22050));
    const PromptWav wav = readPromptWav(file);
    REQUIRE(wav.error.empty());
    CHECK(wav.samples.size() == 48000);
    // Linear interpolation keeps a 440 Hz sine close to the ideal one (but for the last input
    // sample's span, which is held: there is nothing after it to interpolate towards).
    double worst = 0;
    for (std::size_t i = 0; i + 3 < wav.samples.size(); ++i)
      worst = std::max(worst, std::abs(wav.samples[i] - 8000 * std::sin(2 * M_PI * 440 * i / 48000.0)));
    CHECK(worst < 100);
  }
  SECTION("8000 Hz: half a second becomes 24000 samples") {
    write(file, sineWav({.rate = 8000}, 4000));
    const PromptWav wav = readPromptWav(file);
    REQUIRE(wav.error.empty());
    CHECK(wav.samples.size() == 24000);
  }
  SECTION("48000 Hz: unchanged") {
    write(file, makeWav({.rate = 48000}, 960, [](std::size_t i, unsigned) { return static_cast<int>(i) - 480; }));
    const PromptWav wav = readPromptWav(file);
    REQUIRE(wav.error.empty());
    REQUIRE(wav.samples.size() == 960);
    CHECK(wav.samples.front() == -480);
    CHECK(wav.samples.back() == 479);
  }
  SECTION("stereo is mixed down") {
    write(file, makeWav({.rate = 16000, .channels = 2}, 1600,
                        [](std::size_t, unsigned c) { return c == 0 ? 1000 : 3000; }));
    const PromptWav wav = readPromptWav(file);
    REQUIRE(wav.error.empty());
    CHECK(wav.samples.size() == 4800);
    CHECK(std::all_of(wav.samples.begin(), wav.samples.end(), [](std::int16_t s) { return s == 2000; }));
  }
  SECTION("WAVE_FORMAT_EXTENSIBLE with PCM, and an odd-sized chunk before fmt") {
    write(file, sineWav({.rate = 16000, .format = 0xFFFE, .listChunkFirst = true}, 16000));
    const PromptWav wav = readPromptWav(file);
    REQUIRE(wav.error.empty());
    CHECK(wav.samples.size() == 48000);
  }
}

TEST_CASE("broken and foreign WAV files are refused with a reason", "[appliance][phoneprompts]") {
  TempDir dir;
  const auto file = (dir.path / "p.wav").string();
  const std::string good = sineWav({.rate = 16000}, 16000);
  struct Case {
    const char* what;
    std::string bytes;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"truncated", good.substr(0, good.size() / 2), "truncated"},
      {"only the header", good.substr(0, 20), ""},
      {"empty", "", "not a WAV"},
      {"not RIFF", "OggS" + good.substr(4), "not a WAV"},
      {"float samples", sineWav({.rate = 16000, .bits = 32, .format = 3}, 100), "not PCM"},
      {"8-bit", makeWav({.rate = 16000, .bits = 8}, 0, [](std::size_t, unsigned) { return 0; }), "8-bit"},
      {"extensible, not PCM", sineWav({.rate = 16000, .format = 0xFFFE, .subFormat = 3}, 100), "not PCM"},
      {"three channels", sineWav({.rate = 16000, .channels = 3}, 100), "channels"},
      {"96 kHz", sineWav({.rate = 96000}, 100), "sample rate"},
      {"4 kHz", sineWav({.rate = 4000}, 100), "sample rate"},
      {"no samples", sineWav({.rate = 16000}, 0), "no audio"},
      {"too long", sineWav({.rate = 8000}, 8000 * 61), "longer than"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    write(file, c.bytes);
    const PromptWav wav = readPromptWav(file);
    CHECK(wav.samples.empty());
    CHECK_FALSE(wav.error.empty());
    CHECK(wav.error.find(c.reason) != std::string::npos);
  }
  SECTION("a file that is not there") { CHECK_FALSE(readPromptWav((dir.path / "none.wav").string()).error.empty()); }
}

TEST_CASE("PhonePrompts: the admin's file wins, broken ones are missing", "[appliance][phoneprompts]") {
  TempDir shipped, admin;
  for (const auto& name : PhonePrompts::names()) write(shipped.path / "de" / (name + ".wav"), sineWav({.rate = 22050}, 22050));

  SECTION("all shipped prompts load; each is cached") {
    PhonePrompts prompts(shipped.path.string(), "", "de");
    CHECK(prompts.missing().empty());
    CHECK(prompts.problems().empty());
    const auto a = prompts.get("welcome");
    CHECK(a->size() == 48000);
    CHECK(prompts.get("welcome") == a);
  }
  SECTION("the admin's own WAV replaces the shipped one") {
    write(admin.path / "de" / "welcome.wav", sineWav({.rate = 8000}, 4000));
    PhonePrompts prompts(shipped.path.string(), admin.path.string(), "de");
    CHECK(prompts.get("welcome")->size() == 24000);
    CHECK(prompts.get("help")->size() == 48000);  // not replaced: the shipped one
    CHECK(prompts.missing().empty());
  }
  SECTION("a broken admin file: the shipped one, and the problem is reported") {
    write(admin.path / "de" / "welcome.wav", "RIFF");
    PhonePrompts prompts(shipped.path.string(), admin.path.string(), "de");
    CHECK(prompts.get("welcome")->size() == 48000);
    REQUIRE(prompts.problems().size() == 1);
    CHECK(prompts.problems()[0].find("welcome.wav") != std::string::npos);
  }
  SECTION("broken and absent shipped files: empty audio, listed in missing()") {
    const std::string good = sineWav({.rate = 22050}, 22050);
    write(shipped.path / "de" / "pin-wrong.wav", good.substr(0, 1000));
    write(shipped.path / "de" / "help.wav", sineWav({.rate = 16000, .bits = 32, .format = 3}, 100));
    fs::remove(shipped.path / "de" / "floor.wav");
    PhonePrompts prompts(shipped.path.string(), admin.path.string(), "de");
    const auto audio = prompts.get("pin-wrong");
    REQUIRE(audio != nullptr);
    CHECK(audio->empty());
    CHECK(prompts.missing() == std::vector<std::string>{"pin-wrong", "floor", "help"});
    CHECK(prompts.problems().size() == 3);  // each failure once, although missing() asked again
  }
  SECTION("another language is another folder") {
    PhonePrompts prompts(shipped.path.string(), "", "en");
    CHECK(prompts.missing().size() == PhonePrompts::names().size());
  }
  SECTION("a name that is not a prompt: empty") {
    PhonePrompts prompts(shipped.path.string(), "", "de");
    CHECK(prompts.get("../../etc/passwd")->empty());
  }
}

TEST_CASE("the shipped prompts (espeak-ng, built with plenum_prompts) all load", "[appliance][phoneprompts]") {
  for (const std::string language : {"de", "en"}) {
    INFO(language << " in " << PhonePrompts::shippedDefaultDir());
    PhonePrompts prompts(PhonePrompts::shippedDefaultDir(), "", language);
    CHECK(prompts.missing().empty());
    // Spoken sentences: between half a second and 15 s each.
    for (const auto& name : PhonePrompts::names()) {
      INFO(name);
      CHECK(prompts.get(name)->size() > 24000);
      CHECK(prompts.get(name)->size() < 15 * 48000);
    }
  }
}
