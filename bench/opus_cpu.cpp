// SPDX-License-Identifier: EUPL-1.2
// CPU of a room's audio encoding: N synthetic participants (participant 0 talks with a tone, the
// others are silent) each followed by what a WebRtcEndpoint sends audio through (up to the RTP
// payloader, then a fakesink). Prints the process CPU time over a window. Built as it is (shared
// Opus encode for the silent) or with -DPLENUM_PER_PARTICIPANT_OPUS (every endpoint hears its
// raw mix-minus and encodes it itself, as before the shared encode; for a before/after).
//   opus_cpu [N=8] [window_s=20]
#include "mixer/GstUtil.hpp"
#include "mixer/RoomMixer.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace plenum;

namespace {

double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// A microphone into the mix and the endpoint's audio sender out of it.
class BenchEndpoint : public mixer::Endpoint {
public:
  BenchEndpoint(mixer::RoomMixer& room, const std::string& id, double volume)
      : Endpoint("bench", id, seat(id), nullptr) {
    GstElement* microphone = mixer::makeElement("audiotestsrc");
    g_object_set(microphone, "is-live", TRUE, "freq", 440.0, "volume", volume, "samplesperbuffer", 480, nullptr);
    GstElement* caps = mixer::makeCapsFilter("audio/x-raw,rate=48000,channels=1");
    mixer::addAndLink(bin(), {microphone, caps});
    GstPad* out = gst_element_get_static_pad(caps, "src");
    setPadTarget(kMicrophonePad, out);
    gst_object_unref(out);
    GstElement* queue = mixer::makeLeakyQueue(0, 200 * GST_MSECOND);
#ifdef PLENUM_PER_PARTICIPANT_OPUS
    GstElement* opus = mixer::makeOpusEncoder(32000);
    std::vector<GstElement*> sender{queue, opus, mixer::makeElement("rtpopuspay"), mixer::makeElement("fakesink")};
#else
    std::vector<GstElement*> sender{queue, mixer::makeElement("rtpopuspay"), mixer::makeElement("fakesink")};
#endif
    g_object_set(sender.back(), "sync", FALSE, "async", FALSE, nullptr);
    mixer::addAndLink(bin(), sender);
    GstPad* in = gst_element_get_static_pad(queue, "sink");
    setPadTarget(kHearingPad, in);
    gst_object_unref(in);
    room.attach(*this);
  }

private:
  static mixer::SeatSpec seat(const std::string& id) {
    mixer::SeatSpec seat;
    seat.caption = id;
    seat.microphone = true;
#ifdef PLENUM_PER_PARTICIPANT_OPUS
    seat.hearing = mixer::Hearing::MixMinus;  // raw, encoded by each endpoint itself
#else
    seat.hearing = mixer::Hearing::SwitchedOpus;
#endif
    return seat;
  }
};

}  // namespace

int main(int argc, char* argv[]) {
  gst_init(&argc, &argv);
  const int n = argc > 1 ? std::stoi(argv[1]) : 8;
  const int window = argc > 2 ? std::stoi(argv[2]) : 20;
  GMainContext* context = g_main_context_new();
  g_main_context_push_thread_default(context);
  mixer::MixerSettings settings;  // a tiny composite: the figure is about audio
  settings.width = 320;
  settings.height = 180;
  settings.framerate = 5;
  auto room = std::make_unique<mixer::RoomMixer>("bench", settings, nullptr);
  std::vector<std::unique_ptr<BenchEndpoint>> endpoints;
  for (int i = 0; i < n; ++i) {
    endpoints.push_back(std::make_unique<BenchEndpoint>(*room, "p" + std::to_string(i), i == 0 ? 0.3 : 0.0));
  }
  auto runFor = [&](std::chrono::seconds duration) {
    const auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
      while (g_main_context_iteration(context, FALSE)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  runFor(std::chrono::seconds(5));  // settle
  const double before = cpuSeconds();
  runFor(std::chrono::seconds(window));
  const double used = cpuSeconds() - before;
  std::printf("N=%d (1 talking), %d s: %.2f CPU s = %.1f %% of one core\n", n, window, used, 100.0 * used / window);
  std::fflush(stdout);
  std::_Exit(0);  // the figure is out; tearing the room down is not what is measured
}
