// SPDX-License-Identifier: EUPL-1.2
#include "recordings/Remux.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace plenum::recordings {

namespace {

std::string temporaryOf(const std::string& finalPath) { return finalPath + ".tmp.mp4"; }

std::vector<std::string> ffmpegArguments(const std::string& partPath, const std::string& finalPath) {
  // Only fatal messages: ffmpeg's stderr is read when it exits, and a damaged file's per-packet
  // errors could fill the pipe and leave ffmpeg waiting for ever.
  return {"ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-loglevel", "fatal", "-y", "-i", partPath,
          "-map", "0", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", temporaryOf(finalPath)};
}

std::vector<char*> argv(std::vector<std::string>& arguments) {
  std::vector<char*> result;
  for (auto& a : arguments) result.push_back(a.data());
  result.push_back(nullptr);
  return result;
}

// After ffmpeg: the temporary file takes the final name, the fragmented one goes.
RemuxResult conclude(bool exited, const std::string& output, const std::string& partPath, const std::string& finalPath) {
  RemuxResult result;
  std::error_code ignored;
  if (!exited) {
    std::filesystem::remove(temporaryOf(finalPath), ignored);
    std::string last = output;
    while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
    if (auto cut = last.rfind('\n'); cut != std::string::npos) last = last.substr(cut + 1);
    result.error = last.empty() ? "ffmpeg failed" : last;
    return result;
  }
  std::error_code error;
  std::filesystem::rename(temporaryOf(finalPath), finalPath, error);
  if (error) {
    result.error = "cannot rename the remuxed file: " + error.message();
    return result;
  }
  std::filesystem::remove(partPath, ignored);
  result.ok = true;
  return result;
}

}  // namespace

RemuxResult remuxNow(const std::string& partPath, const std::string& finalPath) {
  auto arguments = ffmpegArguments(partPath, finalPath);
  auto args = argv(arguments);
  gchar* errors = nullptr;
  gint status = 0;
  GError* error = nullptr;
  const bool ran = g_spawn_sync(nullptr, args.data(), nullptr, static_cast<GSpawnFlags>(G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL), nullptr,
                                nullptr, nullptr, &errors, &status, &error);
  std::string output = errors ? errors : "";
  g_free(errors);
  if (!ran) {
    output = error ? error->message : "cannot run ffmpeg";
    g_clear_error(&error);
  }
  const bool exited = ran && g_spawn_check_wait_status(status, nullptr);
  return conclude(exited, output, partPath, finalPath);
}

std::optional<std::string> missingTool() {
  for (const char* tool : {"ffmpeg", "ffprobe"}) {
    gchar* found = g_find_program_in_path(tool);
    const bool there = found != nullptr;
    g_free(found);
    if (!there) return std::string(tool);
  }
  return std::nullopt;
}

std::optional<std::int64_t> durationMsOf(const std::string& path) {
  std::vector<std::string> arguments{"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path};
  auto args = argv(arguments);
  gchar* out = nullptr;
  gint status = 0;
  if (!g_spawn_sync(nullptr, args.data(), nullptr, static_cast<GSpawnFlags>(G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL),
                    nullptr, nullptr, &out, nullptr, &status, nullptr)) {
    return std::nullopt;
  }
  const std::string text = out ? out : "";
  g_free(out);
  if (!g_spawn_check_wait_status(status, nullptr)) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || seconds < 0) return std::nullopt;
  return static_cast<std::int64_t>(seconds * 1000 + 0.5);
}

}  // namespace plenum::recordings
