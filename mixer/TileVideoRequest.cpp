// SPDX-License-Identifier: EUPL-1.2
#include "mixer/TileVideoRequest.hpp"

#include <algorithm>
#include <array>

namespace plenum::mixer {

namespace {
constexpr std::array<int, 7> kStepHeights{90, 135, 180, 270, 360, 540, 720};
constexpr int kSmallTileHeight = 180;  // below it, 15 fps are enough
constexpr int kSmallTileFps = 15;
// Bits per pixel and frame for the ceiling: about what the composite's own encoder spends on a
// tile of that size (1500 kbit/s for 1280x720 at 25 fps is 0.065), with some room above it.
constexpr double kBitsPerPixel = 0.08;
constexpr int kMinKbps = 80;
}  // namespace

Rect cameraSize(const MixerSettings& settings) {
  if (settings.height > settings.width) {
    // Portrait (the phones' composite): a 16:9 camera as wide as half the height allows, so that
    // the large tiles stacked on a narrow canvas are not blown up from a tiny picture.
    const int width = std::max(160, std::min(settings.width, settings.height / 2)) & ~3;
    return Rect{0, 0, width, (width * 9 / 16) & ~3};
  }
  return Rect{0, 0, std::max(160, settings.width / 2) & ~3, std::max(90, settings.height / 2) & ~3};
}

VideoRequest videoRequestFor(const Rect& tile, const MixerSettings& settings) {
  const Rect camera = cameraSize(settings);
  VideoRequest request;
  for (int step : kStepHeights) {
    request.height = step;
    if (step * 10 >= tile.height * 9) break;
  }
  // The camera size may lie between two steps (a composite that is not 16:9 or not 720p).
  request.height = std::min(request.height, camera.height);
  request.width = std::min(camera.width, (request.height * 16 / 9 + 1) & ~1);
  request.height &= ~1;
  request.fps = std::max(1, settings.framerate);
  if (request.height < kSmallTileHeight) request.fps = std::min(request.fps, kSmallTileFps);
  const double bits = kBitsPerPixel * request.width * request.height * request.fps;
  request.maxKbps = std::max(kMinKbps, static_cast<int>(bits / 1000));
  return request;
}

}  // namespace plenum::mixer
