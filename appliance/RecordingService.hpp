// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The rooms' RecordingArchive in plenumd: a new recording gets a random id, a row in the store
// and a file name (RecordingFiles); once the media has closed the fragmented file, ffmpeg makes
// it the file users download (index at the front) and the row says how long and how big it is.
// After a crash or power cut, what was being written is repaired the same way at the next
// start and listed as recovered. The store and ffmpeg run on a worker thread of this class, in
// the order the rooms asked: the conference thread never waits for them.
#include "appliance/Settings.hpp"
#include "appliance/Store.hpp"
#include "signaling/RecordingArchive.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace plenum::appliance {

class RecordingService : public signaling::RecordingArchive {
public:
  RecordingService(Store& store, std::string dataDir, RecordingSettings settings);
  // Finishes the work already asked for (files being finalised) before it returns.
  ~RecordingService() override;
  RecordingService(const RecordingService&) = delete;
  RecordingService& operator=(const RecordingService&) = delete;

  // At start-up, before any room opens: repairs the recordings that were being written or
  // finalised when plenumd stopped (in the background; they are listed as recovered).
  void recoverInterrupted();
  // Waits until the worker has done everything asked so far (tests, shutdown).
  void drain();
  // Shutdown: waits until every recording begun has been reported finished (the rooms have
  // stopped them; their files are closed on the conference thread, which must still run).
  // False when some were not within `timeout`: those are repaired at the next start.
  bool awaitClosed(std::chrono::milliseconds timeout);

  // RecordingArchive (conference thread)
  std::variant<Recording, Refusal> begin(const std::string& roomId, const std::string& accountId,
                                         signaling::Timers::WallTime startedAt) override;
  void finished(const std::string& id, bool complete, signaling::Timers::WallTime stoppedAt,
                std::size_t noticeCount) override;
  bool diskLow() override;

private:
  void post(std::function<void()> job);
  void run();
  // Makes the final file from the fragmented one and writes the outcome into the row.
  void finalise(RecordingRecord record, RecordingState success);

  // passed in
  Store& store_;
  const std::string dataDir_;
  const RecordingSettings settings_;
  // owned
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> jobs_;
  bool busy_ = false;
  bool stopping_ = false;
  std::size_t open_ = 0;  // begun, not yet reported finished
  std::thread worker_;  // last: starts when everything it uses exists
};

}  // namespace plenum::appliance
