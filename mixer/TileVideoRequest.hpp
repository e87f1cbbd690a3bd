// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What a browser should send for its camera tile: the size and frame rate the tile shows, no
// more. The server tells each browser (send-video) whenever its tile changes, and the browser
// scales its camera encoding to it (RTCRtpSender.setParameters): a 240x135 tile in a 5x5 grid
// then costs its sender's uplink and the server's decoder a fraction of a full camera. Pure
// arithmetic, no GStreamer, so that every layout and room size can be tested.
#include "mixer/MixerSettings.hpp"
#include "mixer/TileLayout.hpp"

namespace plenum::mixer {

struct VideoRequest {
  int width = 0;  // 16:9, even; never more than cameraSize()
  int height = 0;
  int fps = 0;
  int maxKbps = 0;  // the encoder's ceiling for this size and rate
  bool operator==(const VideoRequest&) const = default;
};

// The one size every camera is brought to before the compositor scales it into its tile (half
// the composite, at least 160x90; 640x360 for 1280x720; for a portrait composite 16:9 at half its
// height, 480x268 for 540x960): pixels beyond it are never shown.
Rect cameraSize(const MixerSettings& settings);

// The steps a request moves in (16:9 heights 90, 135, 180, 270, 360, 540, 720): the smallest
// step at least 90 % of the tile's height, capped at cameraSize. Steps rather than the exact tile
// keep a browser's encoder from being reconfigured for a few pixels on every join. Tiles below
// 180 pixels high get at most 15 fps; the rest the composite's rate. An empty tile asks for the
// smallest step.
VideoRequest videoRequestFor(const Rect& tile, const MixerSettings& settings);

}  // namespace plenum::mixer
