// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Settings of a room's media; plenumd fills them from plenum.ini (see appliance/Settings).
#include <string>
#include <vector>

namespace plenum::mixer {

enum class VideoCodec { H264, VP8 };
inline const char* toString(VideoCodec codec) { return codec == VideoCodec::H264 ? "H264" : "VP8"; }

struct MixerSettings {
  // The composite every participant receives.
  int width = 1280;
  int height = 720;
  int framerate = 25;
  int videoBitrateKbps = 1500;
  int audioBitrateBps = 32000;
  // Jitter buffer of each incoming stream. 200 ms (GStreamer's default) is too much for
  // conversation; 40 ms absorbs normal LAN/Internet jitter; NACK-based retransmission
  // needs more, and is left for a later change.
  int jitterBufferMs = 40;
  // How long the compositor waits for late input frames before it outputs a frame without
  // them: must cover jitter buffer + decode + scale, or every camera frame comes late and
  // is dropped.
  int compositorLatencyMs = 60;
  // The phones' portrait composite (CompositeShape::Portrait): made per room only while somebody
  // takes it; off: phones get the 16:9 composite like everybody else.
  bool portraitEnabled = true;
  int portraitWidth = 540;
  int portraitHeight = 960;
  int portraitBitrateKbps = 800;
  // Nobody has taken it for this long: it goes (a phone turned back and forth keeps it).
  int portraitIdleMs = 10000;
  // At most one key frame from the shared encoder per this interval (joins, PLI/FIR).
  int keyframeMinIntervalMs = 1000;
  // A key frame at least this often even when nobody asks (recovers silent losses).
  int keyframeMaxIntervalS = 10;

  // ICE (WebRTC endpoints): addresses libnice gathers on (empty: all but loopback) and the
  // UDP port range.
  std::vector<std::string> iceLocalAddresses;
  int iceMinPort = 0;
  int iceMaxPort = 0;
  // Whether clients' ICE candidates may name the loopback address (see checkCandidateAddress).
  bool allowLoopbackCandidates = false;
  // How long a browser's connection may stay failed (ICE or DTLS) before its participant is
  // taken out of the room and told (media-failed).
  int iceFailedGraceMs = 5000;

  // These settings for the portrait composite: its size and bit rate, the rest alike.
  MixerSettings portrait() const {
    MixerSettings p = *this;
    p.width = portraitWidth;
    p.height = portraitHeight;
    p.videoBitrateKbps = portraitBitrateKbps;
    return p;
  }
};

}  // namespace plenum::mixer
