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

}  // namespace plenum::mixer
