// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The phone's voice prompts ("welcome", "pin-wrong", ...), loaded once each: the admin's own WAV
// in sip.prompts-dir/<lang>/<name>.wav if it exists and can be read, else the shipped one in
// PLENUM_PROMPTS_DIR/<lang>/<name>.wav (spoken by espeak-ng at build time, packaging/prompts).
// Every prompt is handed out as 48 kHz mono S16, whatever the file had, so that the call's media
// (mixer/PhoneMedia.hpp) plays them without converting.
// Not thread-safe: used on the conference thread only (the cache is a plain map).
#include "mixer/PhoneMedia.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace plenum::appliance {

// A WAV file read and converted to 48 kHz mono S16, or the reason it was refused.
struct PromptWav {
  std::vector<std::int16_t> samples;  // 48 kHz mono; empty when refused
  std::string error;                  // empty when read
};

// Reads a RIFF/WAVE file of 16-bit PCM (format 1, or WAVE_FORMAT_EXTENSIBLE with PCM), mono or
// stereo (mixed down), 8000..48000 Hz (resampled to 48 kHz by linear interpolation: speech for a
// telephone), at most kMaxPromptSeconds long. Anything else is refused with a reason.
PromptWav readPromptWav(const std::string& path);
inline constexpr int kMaxPromptSeconds = 60;

class PhonePrompts {
public:
  // shippedDir and adminDir hold one folder per language; adminDir may be empty (none).
  // language: "de" or "en" (sip.language).
  PhonePrompts(std::string shippedDir, std::string adminDir, std::string language);

  // The prompt as 48 kHz mono S16; an empty (but non-null) audio if it is missing, unreadable
  // or not one of names() (logged once, as a warning).
  mixer::PromptAudio get(const std::string& name);
  // Names of the prompts that cannot be loaded at all (for --check-config); loads every prompt.
  std::vector<std::string> missing();
  // Every file that was refused, with its reason ("<path>: <reason>"), including the admin's
  // own files that were passed over for the shipped one; after missing() covers every prompt.
  const std::vector<std::string>& problems() const { return problems_; }

  // Every prompt the phone plays.
  static const std::vector<std::string>& names();
  // Where the shipped prompts are, compiled in (the build folder's prompts/ in a development
  // build, /usr/share/plenum/prompts in the package).
  static std::string shippedDefaultDir();

private:
  mixer::PromptAudio load(const std::string& name);

  // passed in
  const std::string shippedDir_;
  const std::string adminDir_;
  const std::string language_;
  // owned
  std::map<std::string, mixer::PromptAudio> cache_;  // also holds the empty audio of a failure
  std::vector<std::string> problems_;
};

}  // namespace plenum::appliance
