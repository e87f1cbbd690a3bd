// SPDX-License-Identifier: EUPL-1.2
#include "appliance/RecordingRetention.hpp"

#include <Poco/Logger.h>
#include <Poco/Util/TimerTaskAdapter.h>

#include <ctime>
#include <exception>

namespace plenum::appliance {

RecordingRetention::RecordingRetention(RecordingLibrary& library, std::chrono::milliseconds interval)
    : library_(library) {
  timer_.schedule(new Poco::Util::TimerTaskAdapter<RecordingRetention>(*this, &RecordingRetention::sweep), 0,
                  static_cast<long>(interval.count()));
}

RecordingRetention::~RecordingRetention() { timer_.cancel(true); }

void RecordingRetention::sweep(Poco::Util::TimerTask&) {
  Poco::Logger& log = Poco::Logger::get("plenum.recordings");
  try {
    const std::size_t removed = library_.sweepExpired(static_cast<std::int64_t>(std::time(nullptr)));
    if (removed > 0) log.information("retention: %z recording(s) past recordings.retention-days deleted", removed);
  } catch (const std::exception& e) {
    // The next sweep tries again; the timer thread must not die.
    log.error("retention sweep failed: %s", std::string(e.what()));
  }
}

}  // namespace plenum::appliance
