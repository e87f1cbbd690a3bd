// SPDX-License-Identifier: EUPL-1.2
#include "appliance/PhonePrompts.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#ifndef PLENUM_PROMPTS_DIR
#define PLENUM_PROMPTS_DIR "/usr/share/plenum/prompts"
#endif

namespace plenum::appliance {
namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.phone"); }

constexpr unsigned kOutputRate = 48000;
constexpr unsigned kMinRate = 8000;
constexpr unsigned kMaxRate = 48000;
// Stereo 48 kHz for the longest prompt, plus room for other chunks (LIST, fact): a bigger file
// is refused before it is read.
constexpr std::uintmax_t kMaxFileBytes = kMaxPromptSeconds * 48000ull * 4 + (1u << 20);
constexpr std::uint16_t kFormatPcm = 1;
constexpr std::uint16_t kFormatExtensible = 0xFFFE;
// KSDATAFORMAT_SUBTYPE_PCM after its first two bytes (which hold the format code, 1).
constexpr std::array<unsigned char, 14> kPcmGuidTail = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                        0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

std::uint16_t u16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t u32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

PromptWav refuse(std::string reason) { return PromptWav{{}, std::move(reason)}; }

// Linear interpolation to 48 kHz: enough for speech that ends in an 8 or 16 kHz phone codec.
std::vector<std::int16_t> resample(const std::vector<std::int16_t>& in, unsigned rate) {
  if (rate == kOutputRate) return in;
  const std::size_t outLength = static_cast<std::size_t>(
      (static_cast<std::uint64_t>(in.size()) * kOutputRate + rate / 2) / rate);
  std::vector<std::int16_t> out(outLength);
  for (std::size_t i = 0; i < outLength; ++i) {
    // Exact integer position (in input samples) and fraction, no drift over a long prompt.
    const std::uint64_t scaled = static_cast<std::uint64_t>(i) * rate;
    const std::size_t j = static_cast<std::size_t>(scaled / kOutputRate);
    const double frac = static_cast<double>(scaled % kOutputRate) / kOutputRate;
    const double a = in[std::min(j, in.size() - 1)];
    const double b = in[std::min(j + 1, in.size() - 1)];
    out[i] = static_cast<std::int16_t>(std::lround(a + (b - a) * frac));
  }
  return out;
}

}  // namespace

PromptWav readPromptWav(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return refuse("cannot read it (" + ec.message() + ")");
  if (size > kMaxFileBytes) return refuse("too big (" + std::to_string(size) + " bytes)");
  std::ifstream in(path, std::ios::binary);
  if (!in) return refuse("cannot open it");
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    return refuse("cannot read it");

  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
    return refuse("not a WAV file (no RIFF/WAVE header)");

  // Walk the chunks: fmt must come before data (it does in every writer we know of).
  bool haveFormat = false;
  unsigned channels = 0, rate = 0;
  const unsigned char* data = nullptr;
  std::size_t dataBytes = 0;
  for (std::size_t at = 12; at + 8 <= bytes.size();) {
    const unsigned char* chunk = bytes.data() + at;
    const std::uint32_t chunkSize = u32(chunk + 4);
    const std::size_t available = bytes.size() - at - 8;
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      if (chunkSize < 16 || chunkSize > available) return refuse("broken format chunk");
      const unsigned char* f = chunk + 8;
      std::uint16_t format = u16(f);
      channels = u16(f + 2);
      rate = u32(f + 4);
      const unsigned blockAlign = u16(f + 12);
      const unsigned bits = u16(f + 14);
      if (format == kFormatExtensible) {
        if (chunkSize < 40) return refuse("broken WAVE_FORMAT_EXTENSIBLE format chunk");
        const unsigned char* guid = f + 24;
        if (std::memcmp(guid + 2, kPcmGuidTail.data(), kPcmGuidTail.size()) != 0)
          return refuse("WAVE_FORMAT_EXTENSIBLE with a sub-format other than PCM");
        format = u16(guid);
      }
      if (format != kFormatPcm) return refuse("not PCM (format " + std::to_string(format) + "), need 16-bit PCM");
      if (bits != 16) return refuse(std::to_string(bits) + "-bit samples, need 16-bit PCM");
      if (channels != 1 && channels != 2) return refuse(std::to_string(channels) + " channels, need mono or stereo");
      if (blockAlign != channels * 2) return refuse("inconsistent block size");
      if (rate < kMinRate || rate > kMaxRate)
        return refuse("sample rate " + std::to_string(rate) + " Hz, need 8000 to 48000 Hz");
      haveFormat = true;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!haveFormat) return refuse("data before the format chunk");
      if (chunkSize > available) return refuse("truncated (the data chunk is cut off)");
      data = chunk + 8;
      dataBytes = chunkSize;
      break;
    }
    if (chunkSize > available) return refuse("truncated (a chunk is cut off)");
    at += 8 + static_cast<std::size_t>(chunkSize) + (chunkSize & 1u);  // chunks are padded to even sizes
  }
  if (!haveFormat) return refuse("no format chunk");
  if (!data) return refuse("no data chunk");

  const std::size_t frames = dataBytes / (channels * 2);
  if (frames == 0) return refuse("no audio in it");
  if (frames > static_cast<std::size_t>(kMaxPromptSeconds) * rate)
    return refuse("longer than " + std::to_string(kMaxPromptSeconds) + " s");
  std::vector<std::int16_t> mono(frames);
  for (std::size_t i = 0; i < frames; ++i) {
    const unsigned char* frame = data + i * channels * 2;
    if (channels == 1) {
      mono[i] = static_cast<std::int16_t>(u16(frame));
    } else {
      const int left = static_cast<std::int16_t>(u16(frame));
      const int right = static_cast<std::int16_t>(u16(frame + 2));
      mono[i] = static_cast<std::int16_t>((left + right) / 2);
    }
  }
  return PromptWav{resample(mono, rate), {}};
}

PhonePrompts::PhonePrompts(std::string shippedDir, std::string adminDir, std::string language)
    : shippedDir_(std::move(shippedDir)), adminDir_(std::move(adminDir)), language_(std::move(language)) {}

const std::vector<std::string>& PhonePrompts::names() {
  static const std::vector<std::string> all = {
      "welcome", "pin-wrong", "pin-final", "pin-throttled", "first", "joined", "lobby", "rejected",
      "removed", "ended", "full", "locked", "unavailable", "muted", "unmuted", "muted-by-moderator",
      "hand-raised", "hand-lowered", "floor", "recorded", "recording-started", "recording-stopped", "help",
  };
  return all;
}

std::string PhonePrompts::shippedDefaultDir() { return PLENUM_PROMPTS_DIR; }

mixer::PromptAudio PhonePrompts::get(const std::string& name) {
  auto found = cache_.find(name);
  if (found != cache_.end()) return found->second;
  return cache_.emplace(name, load(name)).first->second;
}

mixer::PromptAudio PhonePrompts::load(const std::string& name) {
  static const auto empty = std::make_shared<const std::vector<std::int16_t>>();
  const auto& all = names();
  if (std::find(all.begin(), all.end(), name) == all.end()) {
    // Our own bug (a prompt the texts do not have); the call goes on without it.
    log().warning("phone prompt '%s' is not one of the prompts we ship; playing nothing", name);
    problems_.push_back(name + ": not a prompt name");
    return empty;
  }
  const std::string file = language_ + "/" + name + ".wav";
  if (!adminDir_.empty()) {
    const std::string path = adminDir_ + "/" + file;
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
      PromptWav wav = readPromptWav(path);
      if (wav.error.empty()) return std::make_shared<const std::vector<std::int16_t>>(std::move(wav.samples));
      log().warning("the phone prompt %s is refused (%s); playing the shipped one instead", path, wav.error);
      problems_.push_back(path + ": " + wav.error);
    }
  }
  const std::string path = shippedDir_ + "/" + file;
  PromptWav wav = readPromptWav(path);
  if (wav.error.empty()) return std::make_shared<const std::vector<std::int16_t>>(std::move(wav.samples));
  log().warning("the phone prompt %s cannot be played (%s); callers hear silence in its place", path, wav.error);
  problems_.push_back(path + ": " + wav.error);
  return empty;
}

std::vector<std::string> PhonePrompts::missing() {
  std::vector<std::string> result;
  for (const auto& name : names())
    if (get(name)->empty()) result.push_back(name);
  return result;
}

}  // namespace plenum::appliance
