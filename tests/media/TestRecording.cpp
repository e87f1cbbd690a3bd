// SPDX-License-Identifier: EUPL-1.2
// Recording tests: a recorder takes its seat in a room of synthetic participants; the file that
// comes out is read back with ffprobe/ffmpeg (Debian's), as a user's player would: H.264 and AAC,
// the index at the front, the participants' colours in a frame from the middle, their tones in
// the sound. And what a crash leaves is repaired into a file that plays.
#include <catch2/catch.hpp>

#include "MediaTestSupport.hpp"
#include "SyntheticEndpoints.hpp"
#include "recordings/RecordingEndpoint.hpp"
#include "recordings/Remux.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

using namespace plenum;
using namespace plenum::test;
namespace fs = std::filesystem;

namespace {

std::string run(const std::string& command) {
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[65536];
    std::size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
    pclose(pipe);
  }
  return output;
}

std::string probe(const fs::path& file, const std::string& entries) {
  return run("ffprobe -v error -show_entries " + entries + " -of default=noprint_wrappers=1 '" + file.string() + "'");
}

double durationOf(const fs::path& file) {
  const std::string out = probe(file, "format=duration");
  const auto at = out.find("duration=");
  return at == std::string::npos ? 0 : std::atof(out.c_str() + at + 9);
}

// Offsets of the top-level boxes' types in the file (the index must come before the media).
std::optional<std::size_t> boxOffset(const fs::path& file, const std::string& type) {
  std::ifstream in(file, std::ios::binary);
  std::size_t offset = 0;
  char header[16];
  while (in.read(header, 8)) {
    std::uint64_t size = (std::uint64_t(std::uint8_t(header[0])) << 24) | (std::uint64_t(std::uint8_t(header[1])) << 16) |
                         (std::uint64_t(std::uint8_t(header[2])) << 8) | std::uint64_t(std::uint8_t(header[3]));
    if (std::string(header + 4, 4) == type) return offset;
    if (size == 1) {
      if (!in.read(header + 8, 8)) break;
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | std::uint8_t(header[i]);
    } else if (size < 8) {
      break;
    }
    offset += size;
    in.seekg(static_cast<std::streamoff>(offset));
  }
  return std::nullopt;
}

// The frame at `seconds`, as the 640x360 RGB composite.
std::string frameAt(const fs::path& file, double seconds) {
  return run("ffmpeg -v error -ss " + std::to_string(seconds) + " -i '" + file.string() +
             "' -frames:v 1 -f rawvideo -pix_fmt rgb24 -s 640x360 -");
}

bool frameShows(const std::string& rgb, const mixer::Rect& r, const double expected[3]) {
  if (rgb.size() < 640u * 360u * 3u) return false;
  double sum[3] = {0, 0, 0};
  long count = 0;
  for (int y = r.y; y < r.y + r.height; ++y) {
    for (int x = r.x; x < r.x + r.width; ++x) {
      for (int c = 0; c < 3; ++c) sum[c] += std::uint8_t(rgb[(static_cast<std::size_t>(y) * 640 + x) * 3 + c]);
      ++count;
    }
  }
  double mean[3];
  for (int c = 0; c < 3; ++c) mean[c] = sum[c] / static_cast<double>(count);
  return count > 0 && looksLike(mean, expected);
}

std::vector<int16_t> soundOf(const fs::path& file) {
  const std::string raw = run("ffmpeg -v error -i '" + file.string() + "' -f s16le -ac 1 -ar 48000 -");
  std::vector<int16_t> samples(raw.size() / 2);
  std::memcpy(samples.data(), raw.data(), samples.size() * 2);
  return samples;
}

struct TempFolder {
  fs::path path = fs::temp_directory_path() / ("plenum-recording-test-" + std::to_string(::getpid()));
  TempFolder() { fs::create_directories(path); }
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

TEST_CASE("A recording is one MP4 of what the room showed and said", "[media][recording]") {
  ConferenceContext conference;
  TempFolder folder;
  const auto codec = GENERATE(mixer::VideoCodec::H264, mixer::VideoCodec::VP8);
  INFO("participants' composite codec " << mixer::toString(codec));
  mixer::RoomMixer room("recording-test", smallComposite(), nullptr);
  using P = SyntheticParticipant;
  const auto& red = kPeople[0];
  const auto& green = kPeople[1];
  P a(room, red.id, red.name, red.argb, red.toneHz, 0.3, P::Hearing::Opus);
  P b(room, green.id, green.name, green.argb, green.toneHz, 0.3, P::Hearing::Opus);
  CompositeViewer viewer(room, codec);  // a VP8 room makes its H.264 encode for the recorder only
  REQUIRE(conference.waitFor([&] {
    double rgb[3];
    return viewer.averageColour(centre(room.composite().tileRect(red.id)), rgb) && looksLike(rgb, red.rgb);
  }));

  const fs::path part = folder.path / "rec-1.part.mp4";
  const fs::path final = folder.path / "rec-1.mp4";
  recordings::RecordingEndpoint recorder("rec-1", part.string(), nullptr);
  room.attach(recorder);
  CHECK(room.composite().tileOrder() == std::vector<std::string>{red.id, green.id});  // no tile for it
  const auto started = std::chrono::steady_clock::now();
  conference.waitFor([] { return false; }, 6s);
  std::optional<bool> finished;
  recorder.finish([&](bool ok) { finished = ok; });
  REQUIRE(conference.waitFor([&] { return finished.has_value(); }));
  const double recordedFor =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(*finished);
  CHECK_FALSE(room.isAttached("rec-1"));

  const auto stopped = std::chrono::steady_clock::now();
  const std::optional<recordings::RemuxResult> remuxed = recordings::remuxNow(part.string(), final.string());
  g_message("recording of %.1f s: remuxed in %lld ms, %lld bytes", recordedFor,
            static_cast<long long>(
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopped).count()),
            static_cast<long long>(fs::exists(final) ? fs::file_size(final) : 0));
  INFO("remux: " << remuxed->error);
  REQUIRE(remuxed->ok);
  CHECK_FALSE(fs::exists(part));

  const std::string streams = probe(final, "stream=codec_name,codec_type");
  CHECK(streams.find("codec_name=h264") != std::string::npos);
  CHECK(streams.find("codec_name=aac") != std::string::npos);
  const double duration = durationOf(final);
  INFO("duration " << duration << " s, recorded for " << recordedFor << " s");
  CHECK(recordings::durationMsOf(final.string()).value_or(0) == Approx(duration * 1000).margin(50));
  CHECK(duration > recordedFor - 2.0);
  CHECK(duration < recordedFor + 1.0);
  const auto moov = boxOffset(final, "moov");
  const auto mdat = boxOffset(final, "mdat");
  REQUIRE(moov);
  REQUIRE(mdat);
  CHECK(*moov < *mdat);

  const std::string frame = frameAt(final, duration / 2);
  CHECK(frameShows(frame, centre(room.composite().tileRect(red.id)), red.rgb));
  CHECK(frameShows(frame, centre(room.composite().tileRect(green.id)), green.rgb));
  const auto sound = soundOf(final);
  REQUIRE(sound.size() > 48000 * 2);
  const std::vector<int16_t> middle(sound.begin() + 48000, sound.begin() + 72000);
  CHECK(toneAmplitude(middle, red.toneHz) > 2000);
  CHECK(toneAmplitude(middle, green.toneHz) > 2000);
}

// The room runs a while before the recorder comes: a crashed file's fragments must still start at
// 0 (CI once saw a 31.6 s leading gap for 9.1 s recorded, the room's running time).
TEST_CASE("What a crash leaves of a recording is repaired into a file that plays", "[media][recording]") {
  ConferenceContext conference;
  TempFolder folder;
  mixer::RoomMixer room("crash-test", smallComposite(), nullptr);
  using P = SyntheticParticipant;
  const auto& red = kPeople[0];
  P a(room, red.id, red.name, red.argb, red.toneHz, 0.3, P::Hearing::Opus);
  const fs::path part = folder.path / "rec-2.part.mp4";
  const fs::path final = folder.path / "rec-2.mp4";
  conference.waitFor([] { return false; }, 4s);  // the room's running time is 4 s when recording starts
  {
    recordings::RecordingEndpoint recorder("rec-2", part.string(), nullptr);
    room.attach(recorder);
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(conference.waitFor([&] { return fs::exists(part) && fs::file_size(part) > 0; }));
    conference.waitFor([] { return false; }, 5s);
    const double recordedFor = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // A crash: the muxer never sees the end of the streams (no EOS), the file stays as it is.
    room.detach(recorder);
    gst_element_set_state(recorder.bin(), GST_STATE_NULL);
    const auto result = recordings::remuxNow(part.string(), final.string());
    INFO("repair: " << result.error);
    REQUIRE(result.ok);
    const double duration = durationOf(final);
    INFO("repaired duration " << duration << " s of " << recordedFor << " s recorded");
    CHECK(duration > recordedFor - 2.5);
    CHECK(duration < recordedFor + 1.0);  // no leading gap
    CHECK(frameShows(frameAt(final, duration / 2), centre(room.composite().tileRect(red.id)), red.rgb));
  }
}
