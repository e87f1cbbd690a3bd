// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Where each participant's tile sits in the composite. Pure geometry, no GStreamer, so that the
// grid can be tested for every participant count and output size.
#include <vector>

namespace plenum::mixer {

// How the composite arranges the tiles; a moderator chooses it for everyone.
//   Grid:    every tile the same size (gridLayout).
//   Speaker: one tile large (the floor holder, else the active speaker, else the first to join),
//            the others small in a strip.
enum class Layout { Grid, Speaker };

struct Rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  bool operator==(const Rect&) const = default;
};

// A grid of `count` tiles of equal size and 16:9 aspect ratio inside a `width` x `height`
// canvas, `gap` pixels between tiles and around the edge. The column count is chosen to make
// the tiles as large as possible; an incomplete last row is centred. Every coordinate and size
// is even, because the composite is I420 (chroma is subsampled by two).
std::vector<Rect> gridLayout(int count, int width, int height, int gap = 8);

// The speaker view: tile `focusIndex` large at the top, the other `count - 1` small in a strip
// below it, in tile order, centred. A strip tile is at most a quarter of the canvas wide; when
// a single row would make them narrower than a tenth of it, the strip wraps to more rows. The
// large tile is as big as fits above the strip. 16:9 tiles, even coordinates and `gap` pixels
// apart and from the edges, like gridLayout; one tile alone is gridLayout's single tile. A
// focusIndex out of range counts as 0; a canvas too small for a strip falls back to the grid.
std::vector<Rect> speakerLayout(int count, int focusIndex, int width, int height, int gap = 8);

// While something is presented (a screen, a slide): the presentation takes the left three
// quarters of the canvas (the whole canvas when there are no tiles), the `count` tiles share the
// right quarter as a one-column grid. On a portrait canvas (a phone's) the presentation is across
// the top instead, at most half the height (3:4 of the width), the tiles a grid below it. Even
// coordinates, `gap` apart, like the others. Grid and speaker layouts need nothing special for a
// portrait canvas: the grid then picks one or two columns, the speaker view a wrapped strip.
struct PresentationLayout {
  Rect presentation;
  std::vector<Rect> tiles;
};
PresentationLayout presentationLayout(int count, int width, int height, int gap = 8);

}  // namespace plenum::mixer
