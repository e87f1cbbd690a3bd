// SPDX-License-Identifier: EUPL-1.2
#include "mixer/RtpPhoneCodecs.hpp"

#include "mixer/GstUtil.hpp"

namespace plenum::mixer {

namespace {

const char* rtpEncodingName(PhoneCodec codec) {
  // GStreamer's Opus depayloader wants the name in capitals (SDP is case-insensitive).
  return codec == PhoneCodec::Opus ? "OPUS" : toString(codec);
}

// The rate the encoder takes: G.711 8 kHz, G.722 16 kHz (its RTP clock says 8000, RFC 3551),
// Opus 48 kHz.
int encoderRate(PhoneCodec codec) {
  switch (codec) {
    case PhoneCodec::G722: return 16000;
    case PhoneCodec::Opus: return 48000;
    default: return 8000;
  }
}

}  // namespace

std::string phoneRtpCaps(const PhoneRtp& rtp) {
  return std::string("application/x-rtp,media=audio,clock-rate=") + std::to_string(rtpClockRate(rtp.codec)) +
         ",encoding-name=" + rtpEncodingName(rtp.codec) + ",payload=" + std::to_string(rtp.payloadType);
}

std::vector<GstElement*> makePhoneDecoder(const PhoneRtp& rtp, const std::string& prefix) {
  switch (rtp.codec) {
    case PhoneCodec::G722:
      return {makeElement("rtpg722depay", prefix + "-depay"), makeElement("avdec_g722", prefix + "-decoder")};
    case PhoneCodec::PCMA:
      return {makeElement("rtppcmadepay", prefix + "-depay"), makeElement("alawdec", prefix + "-decoder")};
    case PhoneCodec::PCMU:
      return {makeElement("rtppcmudepay", prefix + "-depay"), makeElement("mulawdec", prefix + "-decoder")};
    case PhoneCodec::Opus:
      return {makeElement("rtpopusdepay", prefix + "-depay"), makeElement("opusdec", prefix + "-decoder")};
  }
  throw std::invalid_argument("unknown phone codec");
}

std::vector<GstElement*> makePhoneEncoder(const PhoneRtp& rtp, const std::string& prefix) {
  GstElement* encoder = nullptr;
  GstElement* payloader = nullptr;
  switch (rtp.codec) {
    case PhoneCodec::G722:
      encoder = makeElement("avenc_g722", prefix + "-encoder");
      payloader = makeElement("rtpg722pay", prefix + "-pay");
      break;
    case PhoneCodec::PCMA:
      encoder = makeElement("alawenc", prefix + "-encoder");
      payloader = makeElement("rtppcmapay", prefix + "-pay");
      break;
    case PhoneCodec::PCMU:
      encoder = makeElement("mulawenc", prefix + "-encoder");
      payloader = makeElement("rtppcmupay", prefix + "-pay");
      break;
    case PhoneCodec::Opus:
      encoder = makeOpusEncoder(32000, prefix + "-encoder");
      payloader = makeElement("rtpopuspay", prefix + "-pay");
      break;
  }
  g_object_set(payloader, "pt", rtp.payloadType, nullptr);
  if (rtp.codec != PhoneCodec::Opus) {
    // One packet per ptime (the audio payloaders would otherwise fill the MTU: 180 ms of G.711).
    const gint64 ptime = gint64(rtp.ptimeMs == 0 ? 20 : rtp.ptimeMs) * GST_MSECOND;
    g_object_set(payloader, "min-ptime", ptime, "max-ptime", ptime, nullptr);
  }
  const std::string raw = "audio/x-raw,format=S16LE,channels=1,rate=" + std::to_string(encoderRate(rtp.codec));
  return {makeElement("audioconvert", prefix + "-convert"), makeElement("audioresample", prefix + "-resample"),
          makeCapsFilter(raw, prefix + "-rate"), encoder, payloader};
}

}  // namespace plenum::mixer
