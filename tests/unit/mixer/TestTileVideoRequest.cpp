// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/TileVideoRequest: what each browser is asked to send for its tile, for every
// layout and room size the composite has.
#include "mixer/TileVideoRequest.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using plenum::mixer::cameraSize;
using plenum::mixer::gridLayout;
using plenum::mixer::MixerSettings;
using plenum::mixer::presentationLayout;
using plenum::mixer::Rect;
using plenum::mixer::speakerLayout;
using plenum::mixer::VideoRequest;
using plenum::mixer::videoRequestFor;

namespace {

MixerSettings composite(int width, int height, int fps) {
  MixerSettings settings;
  settings.width = width;
  settings.height = height;
  settings.framerate = fps;
  return settings;
}

// What every request must be, whatever the tile: no more than the server keeps of a camera, at
// least 90 % of the tile's height where the camera size allows it, 16:9, even, a sane rate.
void checkRequest(const Rect& tile, const MixerSettings& settings) {
  const VideoRequest request = videoRequestFor(tile, settings);
  const Rect camera = cameraSize(settings);
  INFO("tile " << tile.width << "x" << tile.height << " in " << settings.width << "x" << settings.height);
  CHECK(request.width <= camera.width);
  CHECK(request.height <= camera.height);
  CHECK(request.height >= std::min(camera.height, tile.height * 9 / 10));
  CHECK(request.width % 2 == 0);
  CHECK(request.height % 2 == 0);
  CHECK(std::abs(request.width * 9 - request.height * 16) <= 16);
  // Not wildly more than the tile: at most one step above it.
  if (tile.height >= 90) CHECK(request.height <= tile.height * 2);
  CHECK(request.fps >= 1);
  CHECK(request.fps <= settings.framerate);
  CHECK(request.maxKbps >= 80);
}

}  // namespace

TEST_CASE("a tile asks for the step that covers it, capped at the camera size", "[tilerequest]") {
  const MixerSettings hd = composite(1280, 720, 25);
  CHECK(cameraSize(hd) == Rect{0, 0, 640, 360});
  // 2x2 grid: 618x346 tiles; the camera size caps it.
  CHECK(videoRequestFor(Rect{0, 0, 618, 346}, hd) == VideoRequest{640, 360, 25, 460});
  // The large tile of the speaker view asks for no more than the camera size either.
  CHECK(videoRequestFor(Rect{0, 0, 1264, 710}, hd).height == 360);
  // 3x3 grid: 406x228 → 480x270.
  CHECK(videoRequestFor(Rect{0, 0, 406, 228}, hd) == VideoRequest{480, 270, 25, 259});
  // Speaker strip: 320x180 → itself.
  CHECK(videoRequestFor(Rect{0, 0, 320, 180}, hd) == VideoRequest{320, 180, 25, 115});
  // 5x5 grid: 238x132 → 240x135 at 15 fps, and the bit rate floor.
  CHECK(videoRequestFor(Rect{0, 0, 238, 132}, hd) == VideoRequest{240, 134, 15, 80});
  // Nothing to show (a tile not yet placed) asks for the smallest step.
  CHECK(videoRequestFor(Rect{}, hd).height == 90);
}

TEST_CASE("the portrait composite of phones keeps cameras 16:9", "[tilerequest][portrait]") {
  CHECK(cameraSize(composite(540, 960, 25)) == Rect{0, 0, 480, 268});
  CHECK(cameraSize(composite(360, 640, 15)) == Rect{0, 0, 320, 180});
}

TEST_CASE("a small composite caps every request at its camera size", "[tilerequest]") {
  const MixerSettings small = composite(320, 180, 15);
  CHECK(cameraSize(small) == Rect{0, 0, 160, 88});
  const VideoRequest request = videoRequestFor(Rect{0, 0, 304, 170}, small);
  CHECK(request.height == 88);
  CHECK(request.width == 156);
  CHECK(request.fps == 15);
}

TEST_CASE("every tile of every layout and room size gets a sane request", "[tilerequest]") {
  for (const MixerSettings& settings : {composite(1280, 720, 25), composite(1920, 1080, 30), composite(640, 360, 15),
                                        composite(960, 540, 20), composite(540, 960, 25)}) {
    for (int count = 1; count <= 25; ++count) {
      for (const Rect& tile : gridLayout(count, settings.width, settings.height)) checkRequest(tile, settings);
      for (int focus = 0; focus < count; ++focus) {
        const std::vector<Rect> tiles = speakerLayout(count, focus, settings.width, settings.height);
        for (const Rect& tile : tiles) checkRequest(tile, settings);
        // The large tile never asks for less than a strip tile.
        const VideoRequest large = videoRequestFor(tiles[static_cast<std::size_t>(focus)], settings);
        for (const Rect& tile : tiles) CHECK(videoRequestFor(tile, settings).height <= large.height);
      }
      for (const Rect& tile : presentationLayout(count, settings.width, settings.height).tiles) {
        checkRequest(tile, settings);
      }
    }
  }
}

TEST_CASE("bigger rooms never ask for more per tile", "[tilerequest]") {
  const MixerSettings hd = composite(1280, 720, 25);
  int previous = 1 << 30;
  for (int count = 1; count <= 25; ++count) {
    const VideoRequest request = videoRequestFor(gridLayout(count, hd.width, hd.height).front(), hd);
    INFO("grid of " << count);
    CHECK(request.height <= previous);
    previous = request.height;
  }
  // A grid of 9 asks each sender for well under two thirds of a full camera's pixels and bit rate.
  const VideoRequest nine = videoRequestFor(gridLayout(9, hd.width, hd.height).front(), hd);
  const VideoRequest full = videoRequestFor(Rect{0, 0, 1280, 720}, hd);
  CHECK(nine.maxKbps * 10 <= full.maxKbps * 6);
  CHECK(nine.width * nine.height * 10 <= full.width * full.height * 6);
}
