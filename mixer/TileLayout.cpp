// SPDX-License-Identifier: EUPL-1.2
#include "mixer/TileLayout.hpp"

#include <algorithm>

namespace plenum::mixer {

namespace {
int even(int v) { return v & ~1; }
}  // namespace

std::vector<Rect> gridLayout(int count, int width, int height, int gap) {
  std::vector<Rect> tiles;
  if (count <= 0 || width <= 0 || height <= 0) return tiles;

  int bestColumns = 1;
  int bestTileWidth = 0;
  for (int columns = 1; columns <= count; ++columns) {
    const int rows = (count + columns - 1) / columns;
    const int cellWidth = (width - gap * (columns + 1)) / columns;
    const int cellHeight = (height - gap * (rows + 1)) / rows;
    if (cellWidth <= 0 || cellHeight <= 0) continue;
    const int tileWidth = std::min(cellWidth, cellHeight * 16 / 9);
    if (tileWidth > bestTileWidth) {
      bestTileWidth = tileWidth;
      bestColumns = columns;
    }
  }
  const int columns = bestColumns;
  const int rows = (count + columns - 1) / columns;
  const int tileWidth = std::max(2, even(bestTileWidth));
  const int tileHeight = std::max(2, even(tileWidth * 9 / 16));

  const int gridHeight = rows * tileHeight + (rows - 1) * gap;
  const int top = std::max(0, (height - gridHeight) / 2);
  for (int row = 0; row < rows; ++row) {
    const int inRow = std::min(columns, count - row * columns);
    const int rowWidth = inRow * tileWidth + (inRow - 1) * gap;
    const int left = std::max(0, (width - rowWidth) / 2);
    for (int column = 0; column < inRow; ++column) {
      tiles.push_back(Rect{even(left + column * (tileWidth + gap)),
                           even(top + row * (tileHeight + gap)), tileWidth, tileHeight});
    }
  }
  return tiles;
}

std::vector<Rect> speakerLayout(int count, int focusIndex, int width, int height, int gap) {
  if (count <= 1 || width <= 0 || height <= 0) return gridLayout(count, width, height, gap);
  if (focusIndex < 0 || focusIndex >= count) focusIndex = 0;

  // The strip of the others: as many columns as fit at a tenth of the width or more.
  const int others = count - 1;
  const auto cellWidth = [&](int columns) { return (width - gap * (columns + 1)) / columns; };
  int columns = others;
  while (columns > 1 && cellWidth(columns) < width / 10) --columns;
  const int rows = (others + columns - 1) / columns;
  const int smallWidth = even(std::min(width / 4, cellWidth(columns)));
  const int smallHeight = even(smallWidth * 9 / 16);
  const int stripHeight = rows * smallHeight + (rows - 1) * gap;

  // The large tile above it, as big as the rest of the canvas allows.
  const int spaceHeight = height - 3 * gap - stripHeight;
  const int largeWidth = even(std::min(width - 2 * gap, spaceHeight * 16 / 9));
  const int largeHeight = even(largeWidth * 9 / 16);
  if (smallHeight < 2 || largeHeight < smallHeight) return gridLayout(count, width, height, gap);

  const int top = even(std::max(gap, (height - largeHeight - gap - stripHeight) / 2));
  std::vector<Rect> tiles(static_cast<std::size_t>(count));
  tiles[static_cast<std::size_t>(focusIndex)] = Rect{even((width - largeWidth) / 2), top, largeWidth, largeHeight};
  const int stripTop = top + largeHeight + gap;
  int placed = 0;
  for (int i = 0; i < count; ++i) {
    if (i == focusIndex) continue;
    const int row = placed / columns;
    const int column = placed % columns;
    const int inRow = std::min(columns, others - row * columns);
    const int left = (width - (inRow * smallWidth + (inRow - 1) * gap)) / 2;
    tiles[static_cast<std::size_t>(i)] = Rect{even(left + column * (smallWidth + gap)),
                                              even(stripTop + row * (smallHeight + gap)), smallWidth, smallHeight};
    ++placed;
  }
  return tiles;
}

PresentationLayout presentationLayout(int count, int width, int height, int gap) {
  PresentationLayout layout;
  if (width <= 0 || height <= 0) return layout;
  if (height > width) {
    // Portrait (a phone's): the presentation across the top, as wide as the canvas and at most
    // half as high; the tiles share the rest below it as a grid.
    const int presentationHeight = count > 0 ? even(std::min(height / 2, width * 3 / 4)) : even(height - 2 * gap);
    layout.presentation = Rect{even(gap), even(gap), even(width - 2 * gap), presentationHeight};
    if (count > 0) {
      const int stripTop = even(gap + presentationHeight);
      layout.tiles = gridLayout(count, width, height - stripTop, gap);
      for (Rect& tile : layout.tiles) tile.y = even(tile.y + stripTop);
    }
    return layout;
  }
  const int stripWidth = count > 0 ? even(width / 4) : 0;
  const int left = even(gap);
  layout.presentation = Rect{left, even(gap), even(width - stripWidth - 2 * gap), even(height - 2 * gap)};
  if (count > 0) {
    layout.tiles = gridLayout(count, stripWidth, height, gap);
    const int stripLeft = even(width - stripWidth - gap / 2);
    for (Rect& tile : layout.tiles) tile.x = even(tile.x + stripLeft);
  }
  return layout;
}

}  // namespace plenum::mixer
