// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Deletes recordings past recordings.retention-days: once at start-up (the server may have been
// off when they expired) and then every `interval`, on a timer thread of its own. Stops (and
// waits for a sweep under way) when destroyed.
#include "appliance/RecordingLibrary.hpp"

#include <Poco/Util/Timer.h>

#include <chrono>

namespace plenum::appliance {

class RecordingRetention {
public:
  RecordingRetention(RecordingLibrary& library, std::chrono::milliseconds interval);
  ~RecordingRetention();
  RecordingRetention(const RecordingRetention&) = delete;
  RecordingRetention& operator=(const RecordingRetention&) = delete;

private:
  void sweep(Poco::Util::TimerTask& task);

  // passed in
  RecordingLibrary& library_;
  // owned
  Poco::Util::Timer timer_;  // last: its thread calls sweep()
};

}  // namespace plenum::appliance
