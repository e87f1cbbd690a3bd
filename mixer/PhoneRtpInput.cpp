// SPDX-License-Identifier: EUPL-1.2
#include "mixer/PhoneRtpInput.hpp"

#include "mixer/DtmfToneDetector.hpp"
#include "mixer/GstUtil.hpp"
#include "mixer/RtpDtmf.hpp"
#include "mixer/RtpPhoneCodecs.hpp"

#include <gst/net/gstnetaddressmeta.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <gst/audio/audio.h>

#include <cstring>

namespace plenum::mixer {

namespace {

// The address's bytes; an IPv4-mapped IPv6 address (a dual-stack socket) as its IPv4 bytes.
std::string addressBytes(GInetAddress* address) {
  const auto* bytes = g_inet_address_to_bytes(address);
  const gsize size = g_inet_address_get_native_size(address);
  static const guint8 kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (size == 16 && std::memcmp(bytes, kMapped, sizeof kMapped) == 0) {
    return std::string(reinterpret_cast<const char*>(bytes) + 12, 4);
  }
  return std::string(reinterpret_cast<const char*>(bytes), size);
}

}  // namespace

// The state of the udpsrc's probe, owned by the probe (it may outlive us while the pipeline
// stops off-thread).
struct PhoneRtpInput::Probe {
  std::string id;
  std::string remote;  // addressBytes of the negotiated address; empty: not numeric, anyone
  std::string remoteHost;
  unsigned remotePort;
  unsigned payloadType;
  std::optional<unsigned> dtmfPayloadType;
  std::shared_ptr<Counters> counters;
  std::shared_ptr<std::atomic<std::int64_t>> lastPacketUs;
  GstElement* sink;  // our reference, for latching
  GMainContext* context;
  std::weak_ptr<Liveness> alive;
  PhoneEvents* events;
  // the streaming thread's only
  DtmfEventFilter dtmf;
  bool otherSourceLogged = false;
  bool rejectedLogged = false;
  bool floodLogged = false;

  ~Probe() {
    gst_object_unref(sink);
    g_main_context_unref(context);
  }

  static GstPadProbeReturn onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
    return static_cast<Probe*>(data)->inspect(GST_PAD_PROBE_INFO_BUFFER(info)) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
  }

  // True: the caller's audio, on to the depayloader.
  bool inspect(GstBuffer* buffer) {
    unsigned sourcePort = 0;
    if (!fromCaller(buffer, sourcePort)) return false;
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (!gst_rtp_buffer_map(buffer, GST_MAP_READ, &rtp)) return reject("malformed RTP");
    const unsigned payloadType = gst_rtp_buffer_get_payload_type(&rtp);
    if (dtmfPayloadType && payloadType == *dtmfPayloadType) {
      ++counters->dtmfPackets;
      const auto event = parseTelephoneEvent(static_cast<const std::uint8_t*>(gst_rtp_buffer_get_payload(&rtp)),
                                              gst_rtp_buffer_get_payload_len(&rtp));
      const std::uint32_t timestamp = gst_rtp_buffer_get_timestamp(&rtp);
      gst_rtp_buffer_unmap(&rtp);
      if (event) onEvent(timestamp, *event);
      latch(sourcePort);
      *lastPacketUs = g_get_monotonic_time();
      return false;  // never to the audio depayloader
    }
    gst_rtp_buffer_unmap(&rtp);
    if (payloadType != this->payloadType) return reject("unexpected payload type");
    ++counters->accepted;
    latch(sourcePort);
    *lastPacketUs = g_get_monotonic_time();
    return true;
  }

  bool fromCaller(GstBuffer* buffer, unsigned& sourcePort) {
    GstNetAddressMeta* meta = gst_buffer_get_net_address_meta(buffer);
    if (!meta || !G_IS_INET_SOCKET_ADDRESS(meta->addr)) return remote.empty();
    auto* address = G_INET_SOCKET_ADDRESS(meta->addr);
    sourcePort = g_inet_socket_address_get_port(address);
    if (remote.empty() || addressBytes(g_inet_socket_address_get_address(address)) == remote) return true;
    ++counters->otherSource;
    if (!otherSourceLogged) {
      otherSourceLogged = true;
      g_message("phone %s: RTP from another address than negotiated, dropped (logged once)", id.c_str());
    }
    return false;
  }

  bool reject(const char* why) {
    ++counters->rejected;
    if (!rejectedLogged) {
      rejectedLogged = true;
      g_message("phone %s: RTP packet dropped: %s (logged once)", id.c_str(), why);
    }
    return false;
  }

  void onEvent(std::uint32_t timestamp, const TelephoneEvent& event) {
    const unsigned limitedBefore = dtmf.limited();
    const std::optional<char> digit = dtmf.accept(timestamp, event, DtmfEventFilter::Clock::now());
    if (dtmf.limited() != limitedBefore) {
      ++counters->digitsLimited;
      if (!floodLogged) {
        floodLogged = true;
        g_message("phone %s: more than %d keypad events a second, the rest dropped (logged once)", id.c_str(),
                  DtmfEventFilter::kMaxDigitsPerSecond);
      }
    }
    if (!digit) return;
    PhoneEvents* target = events;
    const char pressed = *digit;
    postTo(context, alive, [target, pressed] { target->OnPhoneDigit(pressed); });
  }

  // Symmetric RTP: we send where the caller's first packet came from. The sink's client list is
  // safe to change while it runs (its own lock): add the new one first, so nothing is dropped.
  void latch(unsigned sourcePort) {
    if (sourcePort == 0 || counters->latched.exchange(true)) return;
    if (sourcePort == remotePort || remoteHost.empty()) return;
    g_signal_emit_by_name(sink, "add", remoteHost.c_str(), static_cast<gint>(sourcePort));
    g_signal_emit_by_name(sink, "remove", remoteHost.c_str(), static_cast<gint>(remotePort));
    g_message("phone %s: the caller sends from another port than its SDP says; sending there", id.c_str());
  }
};

// The in-band detector on the decoded audio, owned by its probe like Probe.
struct PhoneRtpInput::ToneProbe {
  std::string id;
  std::shared_ptr<Counters> counters;
  GMainContext* context;
  std::weak_ptr<Liveness> alive;
  PhoneEvents* events;
  // the streaming thread's only
  std::optional<DtmfToneDetector> detector;
  std::vector<std::int16_t> mono;

  ~ToneProbe() { g_main_context_unref(context); }

  static GstPadProbeReturn onBuffer(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<ToneProbe*>(data);
    if (self->counters->dtmfPackets > 0) return GST_PAD_PROBE_OK;  // the gateway sends events
    GstCaps* caps = gst_pad_get_current_caps(pad);
    GstAudioInfo audio;
    const bool known = caps && gst_audio_info_from_caps(&audio, caps);
    if (caps) gst_caps_unref(caps);
    if (!known || GST_AUDIO_INFO_FORMAT(&audio) != GST_AUDIO_FORMAT_S16LE || GST_AUDIO_INFO_CHANNELS(&audio) < 1) {
      return GST_PAD_PROBE_OK;
    }
    if (!self->detector || self->detector->sampleRate() != GST_AUDIO_INFO_RATE(&audio)) {
      self->detector.emplace(GST_AUDIO_INFO_RATE(&audio));
    }
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
    const auto* samples = reinterpret_cast<const std::int16_t*>(map.data);
    const std::size_t channels = static_cast<std::size_t>(GST_AUDIO_INFO_CHANNELS(&audio));
    const std::size_t frames = map.size / sizeof(std::int16_t) / channels;
    self->mono.resize(frames);
    for (std::size_t i = 0; i < frames; ++i) self->mono[i] = samples[i * channels];  // the first channel
    gst_buffer_unmap(buffer, &map);
    for (char digit : self->detector->feed(self->mono)) {
      ++self->counters->toneDigits;
      PhoneEvents* target = self->events;
      postTo(self->context, self->alive, [target, digit] { target->OnPhoneDigit(digit); });
    }
    return GST_PAD_PROBE_OK;
  }
};

void PhoneRtpInput::watchTones(GstPad* decoded) {
  auto* probe = new ToneProbe{id_, counters_, g_main_context_ref(context_), alive_, &events_, {}, {}};
  gst_pad_add_probe(decoded, GST_PAD_PROBE_TYPE_BUFFER, &ToneProbe::onBuffer, probe,
                    [](gpointer data) { delete static_cast<ToneProbe*>(data); });
}

PhoneRtpInput::PhoneRtpInput(const std::string& id, GSocket* socket, const PhoneRtp& rtp,
                             std::chrono::seconds rtpTimeout, PhoneEvents& events)
    : id_(id), events_(events), rtpTimeout_(rtpTimeout),
      lastPacketUs_(std::make_shared<std::atomic<std::int64_t>>(g_get_monotonic_time())),
      context_(g_main_context_ref_thread_default()) {
  const bool ipv6 = g_socket_get_family(socket) == G_SOCKET_FAMILY_IPV6;
  GInetAddress* remote = g_inet_address_new_from_string(rtp.remoteAddress.c_str());
  if (!remote) g_warning("phone %s: the SDP's address is not numeric; RTP is taken from anyone", id.c_str());

  source_ = makeElement("udpsrc", "phone-" + id + "-udpsrc");
  GstCaps* caps = gst_caps_from_string(phoneRtpCaps(rtp).c_str());
  g_object_set(source_, "socket", socket, "close-socket", FALSE, "caps", caps, nullptr);
  gst_caps_unref(caps);

  sink_ = makeElement("multiudpsink", "phone-" + id + "-udpsink");
  g_object_set(sink_, ipv6 ? "socket-v6" : "socket", socket, "close-socket", FALSE, "async", FALSE, nullptr);
  std::string host;
  if (remote) {
    gchar* text = g_inet_address_to_string(remote);
    host = text;
    g_free(text);
    if (rtp.remotePort > 0 && rtp.remotePort < 65536) {
      g_signal_emit_by_name(sink_, "add", host.c_str(), static_cast<gint>(rtp.remotePort));
    }
  }

  auto* probe = new Probe{id,
                          remote ? addressBytes(remote) : std::string(),
                          host,
                          rtp.remotePort,
                          rtp.payloadType,
                          rtp.dtmfPayloadType,
                          counters_,
                          lastPacketUs_,
                          GST_ELEMENT(gst_object_ref(sink_)),
                          g_main_context_ref(context_),
                          alive_,
                          &events,
                          {}};
  if (remote) g_object_unref(remote);
  GstPad* out = gst_element_get_static_pad(source_, "src");
  gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, &Probe::onBuffer, probe,
                    [](gpointer data) { delete static_cast<Probe*>(data); });
  gst_object_unref(out);

  if (rtpTimeout_.count() > 0) {
    GSource* timer = g_timeout_source_new_seconds(1);
    g_source_set_callback(timer, &PhoneRtpInput::onTimer, this, nullptr);
    timer_ = g_source_attach(timer, context_);
    g_source_unref(timer);
  }
}

PhoneRtpInput::~PhoneRtpInput() {
  alive_.reset();  // digits posted for us are dropped from here on
  if (timer_) {
    if (GSource* source = g_main_context_find_source_by_id(context_, timer_)) g_source_destroy(source);
  }
  g_main_context_unref(context_);
}

void PhoneRtpInput::setHeld(bool held) {
  held_ = held;
  if (!held) *lastPacketUs_ = g_get_monotonic_time();
}

// Once a second on the conference thread. OnPhoneSilent is called last: its handler may end
// the call, and with it this object.
gboolean PhoneRtpInput::onTimer(gpointer data) {
  auto* self = static_cast<PhoneRtpInput*>(data);
  if (self->held_) return G_SOURCE_CONTINUE;
  const std::int64_t silentUs = g_get_monotonic_time() - self->lastPacketUs_->load();
  if (silentUs < std::chrono::duration_cast<std::chrono::microseconds>(self->rtpTimeout_).count()) {
    return G_SOURCE_CONTINUE;
  }
  g_message("phone %s: no RTP for %lld s", self->id_.c_str(), static_cast<long long>(self->rtpTimeout_.count()));
  self->timer_ = 0;
  PhoneEvents& events = self->events_;
  events.OnPhoneSilent();
  return G_SOURCE_REMOVE;
}

}  // namespace plenum::mixer
