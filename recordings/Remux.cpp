// SPDX-License-Identifier: EUPL-1.2
#include "recordings/Remux.hpp"

#include <unistd.h>

#include <cstdio>
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

void remuxAsync(const std::string& partPath, const std::string& finalPath, std::function<void(RemuxResult)> done) {
  auto arguments = ffmpegArguments(partPath, finalPath);
  auto args = argv(arguments);
  GPid pid = 0;
  gint errorFd = -1;
  GError* error = nullptr;
  const bool started = g_spawn_async_with_pipes(nullptr, args.data(), nullptr,
                                                static_cast<GSpawnFlags>(G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                                                         G_SPAWN_STDOUT_TO_DEV_NULL),
                                                nullptr, nullptr, &pid, nullptr, nullptr, &errorFd, &error);
  if (!started) {
    RemuxResult result;
    result.error = error ? error->message : "cannot run ffmpeg";
    g_clear_error(&error);
    done(result);
    return;
  }
  struct Job {
    std::string partPath;
    std::string finalPath;
    int errorFd;
    std::function<void(RemuxResult)> done;
  };
  auto* job = new Job{partPath, finalPath, errorFd, std::move(done)};
  GSource* watch = g_child_watch_source_new(pid);
  g_source_set_callback(
      watch, reinterpret_cast<GSourceFunc>(reinterpret_cast<void (*)()>(+[](GPid child, gint status, gpointer data) {
        auto* j = static_cast<Job*>(data);
        // At -loglevel fatal ffmpeg says a line at most: it fits the pipe, read it now.
        std::string output;
        char buffer[4096];
        ssize_t got;
        while ((got = read(j->errorFd, buffer, sizeof buffer)) > 0) output.append(buffer, static_cast<std::size_t>(got));
        close(j->errorFd);
        g_spawn_close_pid(child);
        j->done(conclude(g_spawn_check_wait_status(status, nullptr), output, j->partPath, j->finalPath));
      })),
      job, [](gpointer data) { delete static_cast<Job*>(data); });
  g_source_attach(watch, g_main_context_get_thread_default());
  g_source_unref(watch);
}

}  // namespace plenum::recordings
