// SPDX-License-Identifier: EUPL-1.2
// Media tests of a phone call's media (mixer/PhoneEndpoint, mixer/PhonePrompter) against a
// synthetic PBX on loopback: a GStreamer pipeline that sends a tone as RTP from its own socket
// and decodes what it gets back, and sends RFC 4733 keypad events as raw packets. Asserts what
// a caller and the room would observe: each hears the other's tone, the caller not its own;
// digits arrive once each; packets from elsewhere are not heard; silence ends the call.
#include <catch2/catch.hpp>

#include "MediaTestSupport.hpp"
#include "SyntheticEndpoints.hpp"
#include "mixer/PhoneEndpoint.hpp"
#include "mixer/PhoneMedia.hpp"
#include "mixer/PhonePrompter.hpp"

#include <gst/app/gstappsink.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>
#include <vector>

using namespace plenum;
using namespace std::chrono_literals;
using namespace plenum::test;
using mixer::PhoneCodec;

namespace {

constexpr unsigned kDtmfPayload = 101;
constexpr double kCallerTone = 440;
constexpr double kRoomTone = 1000;
constexpr double kOtherRoomTone = 1400;
constexpr double kPromptTone = 700;

unsigned payloadOf(PhoneCodec codec) {
  switch (codec) {
    case PhoneCodec::PCMA: return 8;
    case PhoneCodec::PCMU: return 0;
    case PhoneCodec::G722: return 9;
    case PhoneCodec::Opus: return 111;
  }
  return 8;
}

// A PBX: sends a tone in `codec` from its socket to `target`, and decodes what comes to it.
class TestPbx {
public:
  TestPbx(PhoneCodec codec, const std::string& address = "127.0.0.1", bool sendTone = true)
      : codec_(codec), socket_(mixer::RtpSocket::bind(address, 42000, 42998)) {
    REQUIRE(socket_);
    const std::string pt = std::to_string(payloadOf(codec));
    std::string encode, decode, rtpCaps;
    switch (codec) {
      case PhoneCodec::PCMA:
        encode = "audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay min-ptime=20000000 max-ptime=20000000";
        decode = "rtppcmadepay ! alawdec";
        rtpCaps = "clock-rate=8000,encoding-name=PCMA";
        break;
      case PhoneCodec::PCMU:
        encode = "audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay min-ptime=20000000 max-ptime=20000000";
        decode = "rtppcmudepay ! mulawdec";
        rtpCaps = "clock-rate=8000,encoding-name=PCMU";
        break;
      case PhoneCodec::G722:
        encode = "audio/x-raw,rate=16000,channels=1 ! avenc_g722 ! rtpg722pay min-ptime=20000000 max-ptime=20000000";
        decode = "rtpg722depay ! avdec_g722";
        rtpCaps = "clock-rate=8000,encoding-name=G722";
        break;
      case PhoneCodec::Opus:
        encode = "audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 ! rtpopuspay";
        decode = "rtpopusdepay ! opusdec";
        rtpCaps = "clock-rate=48000,encoding-name=OPUS";
        break;
    }
    std::string description =
        "udpsrc name=in caps=\"application/x-rtp,media=audio," + rtpCaps + ",payload=" + pt + "\" ! " +
        "rtpjitterbuffer latency=40 ! " + decode +
        " ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! appsink name=ear";
    if (sendTone) {
      description += " audiotestsrc is-live=true freq=" + std::to_string(kCallerTone) +
                     " volume=0.3 samplesperbuffer=960 ! audioconvert ! audioresample ! " + encode + " pt=" + pt +
                     " ! multiudpsink name=out sync=false async=false";
    }
    GError* error = nullptr;
    pipeline_ = gst_parse_launch(description.c_str(), &error);
    if (!pipeline_) FAIL("PBX pipeline: " << (error ? error->message : "?"));
    GstElement* in = gst_bin_get_by_name(GST_BIN(pipeline_), "in");
    g_object_set(in, "socket", socket_->socket(), "close-socket", FALSE, nullptr);
    gst_object_unref(in);
    out_ = gst_bin_get_by_name(GST_BIN(pipeline_), "out");
    if (out_) g_object_set(out_, "socket", socket_->socket(), "close-socket", FALSE, nullptr);
    GstElement* ear = gst_bin_get_by_name(GST_BIN(pipeline_), "ear");
    g_object_set(ear, "sync", FALSE, "async", FALSE, nullptr);
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = &TestPbx::onSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(ear), &callbacks, this, nullptr);
    gst_object_unref(ear);
  }
  ~TestPbx() {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    if (out_) gst_object_unref(out_);
    gst_object_unref(pipeline_);
  }

  unsigned port() const { return socket_->port(); }
  // Starts sending the tone to 127.0.0.1:`port`, and listening.
  void start(unsigned port) {
    target_ = port;
    if (out_) g_signal_emit_by_name(out_, "add", "127.0.0.1", static_cast<gint>(port));
    gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  }

  // The packets of one key press (RFC 4733): three updates, then the end three times.
  void pressKey(std::uint8_t event) {
    const std::uint32_t timestamp = dtmfTimestamp_ += 8000;
    for (int i = 0; i < 6; ++i) {
      const std::uint16_t duration = static_cast<std::uint16_t>(160 * (std::min(i, 3) + 1));
      const std::uint8_t payload[4] = {event, static_cast<std::uint8_t>((i >= 3 ? 0x80 : 0) | 10),
                                       static_cast<std::uint8_t>(duration >> 8), static_cast<std::uint8_t>(duration)};
      sendRtp(kDtmfPayload, i == 0, timestamp, payload, sizeof payload);
    }
  }
  // Raw bytes as a datagram to the endpoint.
  void sendRaw(const std::vector<std::uint8_t>& bytes) {
    GInetAddress* loopback = g_inet_address_new_from_string("127.0.0.1");
    GSocketAddress* to = g_inet_socket_address_new(loopback, static_cast<guint16>(target_));
    g_socket_send_to(socket_->socket(), to, reinterpret_cast<const gchar*>(bytes.data()), bytes.size(), nullptr, nullptr);
    g_object_unref(to);
    g_object_unref(loopback);
  }
  void sendRtp(unsigned payloadType, bool marker, std::uint32_t timestamp, const std::uint8_t* payload, std::size_t size) {
    std::vector<std::uint8_t> packet{0x80, static_cast<std::uint8_t>((marker ? 0x80 : 0) | payloadType),
                                     static_cast<std::uint8_t>(seq_ >> 8), static_cast<std::uint8_t>(seq_),
                                     static_cast<std::uint8_t>(timestamp >> 24), static_cast<std::uint8_t>(timestamp >> 16),
                                     static_cast<std::uint8_t>(timestamp >> 8), static_cast<std::uint8_t>(timestamp),
                                     0x12, 0x34, 0x56, 0x78};
    ++seq_;
    packet.insert(packet.end(), payload, payload + size);
    sendRaw(packet);
  }

  std::vector<int16_t> lastHeard(std::size_t count) const {
    std::lock_guard lock(mutex_);
    const std::size_t n = std::min(count, heard_.size());
    return std::vector<int16_t>(heard_.end() - static_cast<std::ptrdiff_t>(n), heard_.end());
  }
  std::size_t heardTotal() const {
    std::lock_guard lock(mutex_);
    return total_;
  }

private:
  static GstFlowReturn onSample(GstAppSink* sink, gpointer data) {
    auto* self = static_cast<TestPbx*>(data);
    GstSample* sample = gst_app_sink_pull_sample(sink);
    GstMapInfo map;
    if (gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ)) {
      std::lock_guard lock(self->mutex_);
      const auto* samples = reinterpret_cast<const int16_t*>(map.data);
      self->heard_.insert(self->heard_.end(), samples, samples + map.size / 2);
      self->total_ += map.size / 2;
      if (self->heard_.size() > 96000) self->heard_.erase(self->heard_.begin(), self->heard_.end() - 48000);
      gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
  }

  PhoneCodec codec_;
  std::unique_ptr<mixer::RtpSocket> socket_;
  GstElement* pipeline_ = nullptr;
  GstElement* out_ = nullptr;
  unsigned target_ = 0;
  std::uint16_t seq_ = 30000;  // the keypad's own sequence (the tone's payloader has another SSRC)
  std::uint32_t dtmfTimestamp_ = 123456;
  mutable std::mutex mutex_;
  std::vector<int16_t> heard_;
  std::size_t total_ = 0;
};

// What the call's media reports (on the conference thread).
class EventLog : public mixer::PhoneEvents {
public:
  void OnPhoneDigit(char digit) override { digits += digit; }
  void OnPhonePromptsDone() override {
    ++promptsDone;
    promptsDoneAt = std::chrono::steady_clock::now();
  }
  void OnPhoneSilent() override { ++silent; }
  std::string digits;
  int promptsDone = 0;
  std::chrono::steady_clock::time_point promptsDoneAt;
  int silent = 0;
};

mixer::PromptAudio tone(double hz, std::chrono::milliseconds length, double amplitude = 8000) {
  auto samples = std::make_shared<std::vector<std::int16_t>>(static_cast<std::size_t>(48 * length.count()));
  for (std::size_t i = 0; i < samples->size(); ++i) {
    (*samples)[i] = static_cast<std::int16_t>(amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / 48000.0));
  }
  return samples;
}

// Whether the last 0.1 s of `heard` has each `present` tone loud and each `absent` one not.
bool tonesAre(const std::vector<int16_t>& heard, std::initializer_list<double> present,
              std::initializer_list<double> absent) {
  if (heard.size() < 4800) return false;
  for (double hz : present) {
    if (toneAmplitude(heard, hz) < 2000) return false;
  }
  for (double hz : absent) {
    if (toneAmplitude(heard, hz) > 500) return false;
  }
  return true;
}

mixer::PhoneRtp rtpFor(PhoneCodec codec, unsigned pbxPort) {
  mixer::PhoneRtp rtp;
  rtp.codec = codec;
  rtp.payloadType = payloadOf(codec);
  rtp.dtmfPayloadType = kDtmfPayload;
  rtp.remoteAddress = "127.0.0.1";
  rtp.remotePort = pbxPort;
  return rtp;
}

std::unique_ptr<mixer::RtpSocket> callSocket() {
  auto socket = mixer::RtpSocket::bind("127.0.0.1", 40000, 40998);
  REQUIRE(socket);
  return socket;
}

void pause(ConferenceContext& conference, std::chrono::milliseconds length) {
  const auto until = std::chrono::steady_clock::now() + length;
  conference.waitFor([&] { return std::chrono::steady_clock::now() >= until; });
}

using P = SyntheticParticipant;

}  // namespace

TEST_CASE("RTP sockets take even ports of the range, and none when it is full", "[phone]") {
  auto a = mixer::RtpSocket::bind("127.0.0.1", 43000, 43003);
  auto b = mixer::RtpSocket::bind("127.0.0.1", 43000, 43003);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->port() % 2 == 0);
  CHECK(b->port() % 2 == 0);
  CHECK(a->port() != b->port());
  CHECK_FALSE(mixer::RtpSocket::bind("127.0.0.1", 43000, 43003));
  CHECK(std::string(mixer::toString(PhoneCodec::G722)) == "G722");
  CHECK(mixer::rtpClockRate(PhoneCodec::G722) == 8000);
  CHECK(mixer::rtpClockRate(PhoneCodec::Opus) == 48000);
}

TEST_CASE("A phone caller hears the room but not itself, and the room hears the caller", "[media][phone]") {
  const PhoneCodec codec = GENERATE(PhoneCodec::PCMA, PhoneCodec::G722, PhoneCodec::Opus);
  INFO("codec " << mixer::toString(codec));
  ConferenceContext conference;
  mixer::RoomMixer room("phone-room", smallComposite(), nullptr);
  P participant(room, "green", "Gustav Grün", 0xff00ff00, kRoomTone, 0.3, P::Hearing::Raw, P::Camera::None);
  TestPbx pbx(codec);
  auto socket = callSocket();
  EventLog events;
  FailureLog failures;
  mixer::PhoneEndpoint phone("call-1", "Telefon …1234", socket->socket(), rtpFor(codec, pbx.port()), 10s, events,
                             &failures);
  room.attach(phone);
  pbx.start(socket->port());

  CHECK(conference.waitFor([&] { return tonesAre(pbx.lastHeard(4800), {kRoomTone}, {kCallerTone}); }, 20s));
  CHECK(conference.waitFor([&] { return tonesAre(participant.lastHeard(4800), {kCallerTone}, {}); }, 20s));
  CHECK(room.composite().tileOrder() == std::vector<std::string>{"green", "call-1"});

  // A prompt on top of the meeting: both heard, then done.
  phone.play(tone(kPromptTone, 600ms));
  CHECK(conference.waitFor([&] { return tonesAre(pbx.lastHeard(4800), {kRoomTone, kPromptTone}, {kCallerTone}); }, 10s));
  CHECK(conference.waitFor([&] { return events.promptsDone == 1; }, 10s));
  CHECK(conference.waitFor([&] { return tonesAre(pbx.lastHeard(4800), {kRoomTone}, {kPromptTone}); }, 10s));
  CHECK(phone.rtpCounters().otherSource == 0);
  CHECK(phone.rtpCounters().rejected == 0);
  CHECK_FALSE(failures.failure);
  CHECK(events.silent == 0);
  room.detach(phone);
}

TEST_CASE("Keypad events become digits once per press; junk is dropped", "[media][phone]") {
  ConferenceContext conference;
  mixer::RoomMixer room("phone-keys", smallComposite(), nullptr);
  P participant(room, "green", "Gustav Grün", 0xff00ff00, kRoomTone, 0.3, P::Hearing::Raw, P::Camera::None);
  TestPbx pbx(PhoneCodec::PCMA);
  auto socket = callSocket();
  EventLog events;
  // The SDP names a port the PBX does not send from: we answer where its packets come from.
  mixer::PhoneRtp rtp = rtpFor(PhoneCodec::PCMA, pbx.port() + 1);
  mixer::PhoneEndpoint phone("call-2", "Telefon …5678", socket->socket(), rtp, 10s, events, nullptr);
  room.attach(phone);
  pbx.start(socket->port());
  REQUIRE(conference.waitFor([&] { return tonesAre(participant.lastHeard(4800), {kCallerTone}, {}); }, 20s));
  CHECK(phone.rtpCounters().latched);
  CHECK(conference.waitFor([&] { return tonesAre(pbx.lastHeard(4800), {kRoomTone}, {}); }, 10s));

  pbx.pressKey(1);
  pbx.pressKey(2);
  pbx.sendRaw({0x80, 0x08, 0x00});           // too short for RTP
  pbx.sendRaw({0x40, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});  // version 1
  const std::uint8_t junk[4] = {1, 2, 3, 4};
  pbx.sendRtp(96, false, 5, junk, sizeof junk);  // a payload type nobody negotiated
  pbx.pressKey(11);
  CHECK(conference.waitFor([&] { return events.digits.size() >= 3; }, 10s));
  pause(conference, 500ms);
  CHECK(events.digits == "12#");
  CHECK(phone.rtpCounters().rejected >= 3);
  // The caller is still heard.
  CHECK(conference.waitFor([&] { return tonesAre(participant.lastHeard(4800), {kCallerTone}, {}); }, 10s));
  room.detach(phone);
}

TEST_CASE("RTP from another address than negotiated is not heard", "[media][phone]") {
  ConferenceContext conference;
  mixer::RoomMixer room("phone-spoof", smallComposite(), nullptr);
  P participant(room, "green", "Gustav Grün", 0xff00ff00, kRoomTone, 0.3, P::Hearing::Raw, P::Camera::None);
  TestPbx intruder(PhoneCodec::PCMA, "127.0.0.2");
  auto socket = callSocket();
  EventLog events;
  mixer::PhoneEndpoint phone("call-3", "Telefon …0000", socket->socket(), rtpFor(PhoneCodec::PCMA, intruder.port()),
                             10s, events, nullptr);
  room.attach(phone);
  intruder.start(socket->port());
  REQUIRE(conference.waitFor([&] { return phone.rtpCounters().otherSource > 50; }, 20s));
  intruder.pressKey(1);
  pause(conference, 300ms);
  CHECK(toneAmplitude(participant.lastHeard(24000), kCallerTone) < 300);
  CHECK(phone.rtpCounters().accepted == 0);
  CHECK_FALSE(phone.rtpCounters().latched);
  CHECK(events.digits.empty());
  room.detach(phone);
}

TEST_CASE("A call without RTP is reported silent, once", "[media][phone]") {
  ConferenceContext conference;
  mixer::RoomMixer room("phone-silent", smallComposite(), nullptr);
  auto socket = callSocket();
  EventLog events;
  mixer::PhoneEndpoint phone("call-4", "Telefon …1111", socket->socket(), rtpFor(PhoneCodec::PCMA, 9), 1s, events,
                             nullptr);
  room.attach(phone);
  CHECK(conference.waitFor([&] { return events.silent == 1; }, 10s));
  pause(conference, 2500ms);
  CHECK(events.silent == 1);
  room.detach(phone);
}

TEST_CASE("The voice menu plays prompts to the caller and takes its keypad", "[media][phone]") {
  ConferenceContext conference;
  TestPbx pbx(PhoneCodec::PCMA);
  auto socket = callSocket();
  EventLog events;
  mixer::PhonePrompter menu("call-5", socket->socket(), rtpFor(PhoneCodec::PCMA, pbx.port()), 1s, events);
  pbx.start(socket->port());

  const auto started = std::chrono::steady_clock::now();
  menu.play(tone(kPromptTone, 300ms));
  menu.play(tone(kPromptTone, 300ms));
  CHECK(conference.waitFor([&] { return tonesAre(pbx.lastHeard(4800), {kPromptTone}, {}); }, 10s));
  REQUIRE(conference.waitFor([&] { return events.promptsDone == 1; }, 10s));
  // Not before the 0.6 s of audio have been sent.
  CHECK(events.promptsDoneAt - started >= 550ms);
  const std::size_t heard = pbx.heardTotal();
  CHECK(heard >= 48000 * 5 / 10);

  // Keypad while the caller's audio flows (which keeps the RTP timeout away).
  pbx.pressKey(4);
  pbx.pressKey(10);
  CHECK(conference.waitFor([&] { return events.digits == "4*"; }, 10s));

  // A prompt cleared after 0.3 s: no more of it, no done.
  menu.play(tone(kPromptTone, 3000ms));
  CHECK(conference.waitFor([&] { return tonesAre(pbx.lastHeard(4800), {kPromptTone}, {}); }, 10s));
  menu.clearPrompts();
  const std::size_t atClear = pbx.heardTotal();
  pause(conference, 1500ms);
  CHECK(events.promptsDone == 1);
  // At most what was handed on ahead (PhonePrompter::kLead) and in flight; nothing after it
  // (no comfort noise between prompts).
  const std::size_t afterClear = pbx.heardTotal() - atClear;
  INFO("heard after clearPrompts: " << afterClear << " samples");
  CHECK(afterClear < 48000 * 3 / 10);
  CHECK(events.silent == 0);
}

TEST_CASE("A phone caller moves to another room and is heard there", "[media][phone][move]") {
  ConferenceContext conference;
  mixer::RoomMixer roomA("phone-a", smallComposite(), nullptr);
  mixer::RoomMixer roomB("phone-b", smallComposite(), nullptr);
  P inA(roomA, "green", "Gustav Grün", 0xff00ff00, kRoomTone, 0.3, P::Hearing::Raw, P::Camera::None);
  P inB(roomB, "blue", "Berta Blau", 0xff0000ff, kOtherRoomTone, 0.3, P::Hearing::Raw, P::Camera::None);
  TestPbx pbx(PhoneCodec::G722);
  auto socket = callSocket();
  EventLog events;
  mixer::PhoneEndpoint phone("call-6", "Telefon …2222", socket->socket(), rtpFor(PhoneCodec::G722, pbx.port()), 10s,
                             events, nullptr);
  roomA.attach(phone);
  pbx.start(socket->port());
  REQUIRE(conference.waitFor([&] { return tonesAre(pbx.lastHeard(4800), {kRoomTone}, {kOtherRoomTone}); }, 20s));

  roomA.detach(phone);
  roomB.attach(phone);
  CHECK(conference.waitFor([&] { return tonesAre(pbx.lastHeard(4800), {kOtherRoomTone}, {kRoomTone}); }, 10s));
  CHECK(conference.waitFor([&] { return tonesAre(inB.lastHeard(4800), {kCallerTone}, {}); }, 10s));
  CHECK(conference.waitFor([&] { return toneAmplitude(inA.lastHeard(4800), kCallerTone) < 300; }, 10s));
  roomB.detach(phone);
}
