// SPDX-License-Identifier: EUPL-1.2
#include "appliance/RecordingService.hpp"

#include "appliance/RecordingFiles.hpp"
#include "appliance/Secrets.hpp"
#include "recordings/Remux.hpp"

#include <Poco/Logger.h>

#include <sys/stat.h>

#include <filesystem>

namespace plenum::appliance {

namespace fs = std::filesystem;

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.recordings"); }

std::int64_t unixSeconds(signaling::Timers::WallTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

RecordingService::RecordingService(Store& store, std::string dataDir, RecordingSettings settings)
    : store_(store), dataDir_(std::move(dataDir)), settings_(settings), worker_([this] { run(); }) {
  if (!settings_.enabled) return;
  if (const auto tool = recordings::missingTool()) {
    log().error("recordings: %s is not installed (Debian package ffmpeg): recordings are refused until it is", *tool);
  }
}

RecordingService::~RecordingService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void RecordingService::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  changed_.notify_all();
}

void RecordingService::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left to do
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      log().error("recordings: %s", std::string(e.what()));
    }
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
}

void RecordingService::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

bool RecordingService::awaitClosed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (changed_.wait_for(lock, timeout, [this] { return open_ == 0; })) return true;
  log().warning("recordings: %z not closed in time at shutdown; they are repaired at the next start", open_);
  return false;
}

std::variant<RecordingService::Recording, RecordingService::Refusal> RecordingService::begin(
    const std::string& roomId, const std::string& accountId, signaling::Timers::WallTime startedAt) {
  if (!settings_.enabled) return Refusal{"recording is off on this server"};
  // Checked each time: an admin who installs it later need not restart plenumd.
  if (const auto tool = recordings::missingTool()) {
    return Refusal{*tool + " is not installed on this server (Debian package ffmpeg)"};
  }
  std::error_code error;
  fs::create_directories(RecordingFiles::folder(dataDir_), error);
  if (error) return Refusal{"the recordings folder cannot be created: " + error.message()};
  if (diskLow()) return Refusal{"too little free disk space to record"};
  RecordingRecord record;
  record.id = randomHex(8);  // 16 hex digits: in URLs and file names, nothing to escape
  record.roomId = std::stoll(roomId);
  record.startedBy = accountId.empty() ? 0 : std::stoll(accountId);
  record.startedAt = unixSeconds(startedAt);
  record.state = RecordingState::Recording;
  post([this, record] { store_.createRecording(record); });
  {
    std::lock_guard lock(mutex_);
    ++open_;
  }
  return Recording{record.id, RecordingFiles::partPath(dataDir_, record.id).string()};
}

void RecordingService::finished(const std::string& id, bool complete, signaling::Timers::WallTime stoppedAt,
                                std::size_t noticeCount) {
  const std::int64_t stopped = unixSeconds(stoppedAt);
  {
    std::lock_guard lock(mutex_);
    if (open_ > 0) --open_;
  }
  post([this, id, complete, stopped, noticeCount] {
    auto record = store_.recordingById(id);
    if (!record) {
      // Deleted while it ran (its room was deleted meanwhile): nobody may get the file.
      std::error_code error;
      fs::remove(RecordingFiles::partPath(dataDir_, id), error);
      log().information("recording %s: deleted while it ran; its file is removed", id);
      return;
    }
    record->stoppedAt = stopped;
    record->noticeCount = static_cast<std::int64_t>(noticeCount);
    record->state = RecordingState::Processing;
    store_.updateRecording(*record);
    if (!complete) log().warning("recording %s: the file was not closed completely; repairing it", id);
    finalise(*record, RecordingState::Ready);
  });
}

bool RecordingService::diskLow() {
  std::error_code error;
  const auto space = fs::space(dataDir_, error);
  if (error) return false;  // cannot tell: the recorder's own write errors stop it
  return space.available < static_cast<std::uintmax_t>(settings_.minFreeMb) * 1024 * 1024;
}

void RecordingService::recoverInterrupted() {
  post([this] {
    for (const auto state : {RecordingState::Recording, RecordingState::Processing}) {
      for (auto record : store_.recordingsInState(state)) {
        log().warning("recording %s was interrupted (plenumd stopped while it was %s); repairing it", record.id,
                      std::string(toString(state)));
        if (record.stoppedAt == 0) {  // it stopped when its file was last written to
          struct stat info {};
          const bool found = ::stat(RecordingFiles::partPath(dataDir_, record.id).c_str(), &info) == 0;
          record.stoppedAt = found ? static_cast<std::int64_t>(info.st_mtime) : record.startedAt;
        }
        finalise(record, RecordingState::Recovered);
      }
    }
  });
}

void RecordingService::finalise(RecordingRecord record, RecordingState success) {
  const std::string part = RecordingFiles::partPath(dataDir_, record.id).string();
  const std::string final = RecordingFiles::finalPath(dataDir_, record.id).string();
  const auto started = std::chrono::steady_clock::now();
  std::error_code error;
  // A crash between the rename and the row's update leaves the final file: nothing to remux.
  if (fs::exists(part, error)) {
    const auto result = recordings::remuxNow(part, final);
    if (!result.ok) log().error("recording %s: the file cannot be finalised: %s", record.id, result.error);
  }
  const auto duration = fs::exists(final, error) ? recordings::durationMsOf(final) : std::nullopt;
  if (!duration) {
    record.state = RecordingState::Failed;
    fs::remove(part, error);
    fs::remove(final, error);
    store_.updateRecording(record);
    log().error("recording %s: nothing usable was recorded", record.id);
    return;
  }
  record.durationMs = *duration;
  record.bytes = static_cast<std::int64_t>(fs::file_size(final, error));
  record.state = success;
  if (!store_.updateRecording(record)) {
    // Deleted (by its owner, with its room, by retention) while it was being finalised.
    fs::remove(final, error);
    log().information("recording %s was deleted while it was finalised; its file is gone too", record.id);
    return;
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  log().information("recording %s: %s, %s s, %s bytes, finalised in %s ms", record.id, std::string(toString(success)),
                    std::to_string(record.durationMs / 1000), std::to_string(record.bytes), std::to_string(took.count()));
}

}  // namespace plenum::appliance
