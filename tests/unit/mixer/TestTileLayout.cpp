// SPDX-License-Identifier: EUPL-1.2
// Tests of mixer/TileLayout: the grid of participant tiles in the composite.
#include "mixer/TileLayout.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <vector>

using plenum::mixer::gridLayout;
using plenum::mixer::presentationLayout;
using plenum::mixer::speakerLayout;
using plenum::mixer::Rect;

namespace Catch {
template <>
struct StringMaker<Rect> {
  static std::string convert(const Rect& r) {
    std::ostringstream out;
    out << '{' << r.x << ',' << r.y << ' ' << r.width << 'x' << r.height << '}';
    return out.str();
  }
};
}  // namespace Catch

namespace {

constexpr int kGap = 8;  // the default of gridLayout

bool overlaps(const Rect& a, const Rect& b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

// The tiles grouped by row (same y), rows top to bottom, tiles left to right.
std::vector<std::vector<Rect>> rowsOf(const std::vector<Rect>& tiles) {
  std::map<int, std::vector<Rect>> byY;
  for (const Rect& r : tiles) byY[r.y].push_back(r);
  std::vector<std::vector<Rect>> rows;
  for (auto& [y, row] : byY) {
    std::sort(row.begin(), row.end(), [](const Rect& a, const Rect& b) { return a.x < b.x; });
    rows.push_back(row);
  }
  return rows;
}

// The width of the largest exact 16:9 tile that `columns` columns (and as many rows as `count`
// needs) would allow, before any rounding to whole or even pixels.
double idealTileWidth(int count, int columns, int width, int height, int gap) {
  const int rows = (count + columns - 1) / columns;
  const double cellWidth = double(width - gap * (columns + 1)) / columns;
  const double cellHeight = double(height - gap * (rows + 1)) / rows;
  return std::min(cellWidth, cellHeight * 16.0 / 9.0);
}

}  // namespace

SCENARIO("gridLayout places 1 to 16 tiles on the usual output sizes", "[mixer][TileLayout]") {
  const auto [width, height] = GENERATE(table<int, int>({
      {1280, 720},
      {640, 360},
      {1920, 1080},
      {360, 640},  // portrait (phone)
      {320, 240},
  }));
  const int count = GENERATE(range(1, 17));
  CAPTURE(width, height, count);

  const std::vector<Rect> tiles = gridLayout(count, width, height);
  CAPTURE(tiles);

  THEN("there is one tile per participant") { CHECK(tiles.size() == static_cast<std::size_t>(count)); }

  THEN("every tile lies inside the canvas, at least one gap from its edge") {
    for (const Rect& r : tiles) {
      CAPTURE(r);
      CHECK(r.width > 0);
      CHECK(r.height > 0);
      CHECK(r.x >= kGap);
      CHECK(r.y >= kGap);
      CHECK(r.x + r.width <= width - kGap);
      CHECK(r.y + r.height <= height - kGap);
    }
  }

  THEN("no two tiles overlap, and neighbours are at least one gap apart") {
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      for (std::size_t j = i + 1; j < tiles.size(); ++j) {
        CAPTURE(tiles[i], tiles[j]);
        CHECK_FALSE(overlaps(tiles[i], tiles[j]));
        // Grown by one gap, a tile still must not overlap its neighbour (touching is fine).
        const Rect grown{tiles[i].x - kGap + 1, tiles[i].y - kGap + 1, tiles[i].width + 2 * kGap - 2,
                         tiles[i].height + 2 * kGap - 2};
        CHECK_FALSE(overlaps(grown, tiles[j]));
      }
    }
  }

  THEN("every coordinate and size is even (I420 chroma subsampling)") {
    for (const Rect& r : tiles) {
      CAPTURE(r);
      CHECK(r.x % 2 == 0);
      CHECK(r.y % 2 == 0);
      CHECK(r.width % 2 == 0);
      CHECK(r.height % 2 == 0);
    }
  }

  THEN("all tiles have the same size") {
    for (const Rect& r : tiles) {
      CHECK(r.width == tiles.front().width);
      CHECK(r.height == tiles.front().height);
    }
  }

  THEN("the tiles are 16:9 to within 2 pixels") {
    for (const Rect& r : tiles) {
      CAPTURE(r);
      CHECK(std::abs(r.height - r.width * 9.0 / 16.0) <= 2.0);
    }
  }

  THEN("the tiles are as large as any other column count would allow (up to rounding)") {
    REQUIRE_FALSE(tiles.empty());
    for (int columns = 1; columns <= count; ++columns) {
      CAPTURE(columns);
      // Rounding to whole and then even pixels costs less than 4 pixels of width.
      CHECK(tiles.front().width >= idealTileWidth(count, columns, width, height, kGap) - 4.0);
    }
  }

  THEN("full rows hold the same number of tiles and only the last row may hold fewer") {
    const auto rows = rowsOf(tiles);
    REQUIRE_FALSE(rows.empty());
    const std::size_t columns = rows.front().size();
    for (std::size_t i = 0; i + 1 < rows.size(); ++i) CHECK(rows[i].size() == columns);
    CHECK(rows.back().size() >= 1);
    CHECK(rows.back().size() <= columns);
    // No more rows than needed.
    CHECK(rows.size() == (static_cast<std::size_t>(count) + columns - 1) / columns);
  }

  THEN("every row, including an incomplete last row, is centred horizontally") {
    for (const auto& row : rowsOf(tiles)) {
      const int left = row.front().x;
      const int right = width - (row.back().x + row.back().width);
      CAPTURE(row, left, right);
      CHECK(std::abs(left - right) <= 2);
    }
  }

  THEN("the grid is centred vertically") {
    const auto rows = rowsOf(tiles);
    const int top = rows.front().front().y;
    const int bottom = height - (rows.back().front().y + rows.back().front().height);
    CAPTURE(top, bottom);
    CHECK(std::abs(top - bottom) <= 2);
  }

  THEN("tiles in one column share their x and tiles in one row share their y") {
    const auto rows = rowsOf(tiles);
    for (std::size_t i = 1; i < rows.size(); ++i) {
      if (rows[i].size() != rows.front().size()) continue;  // the centred last row is offset
      for (std::size_t c = 0; c < rows[i].size(); ++c) CHECK(rows[i][c].x == rows.front()[c].x);
    }
  }
}

SCENARIO("gridLayout chooses the grid shape that makes the tiles largest", "[mixer][TileLayout]") {
  GIVEN("a single tile") {
    const auto [width, height] = GENERATE(table<int, int>({
        {1280, 720}, {640, 360}, {1920, 1080}, {360, 640}, {320, 240}}));
    CAPTURE(width, height);
    const auto tiles = gridLayout(1, width, height);
    REQUIRE(tiles.size() == 1);
    const Rect& r = tiles.front();
    CAPTURE(r);
    THEN("it fills the canvas in width or in height") {
      const bool widthLimited = r.width >= 0.9 * (width - 2 * kGap);
      const bool heightLimited = r.height >= 0.9 * (height - 2 * kGap);
      CHECK((widthLimited || heightLimited));
    }
    THEN("it is centred") {
      CHECK(std::abs(r.x - (width - r.x - r.width)) <= 2);
      CHECK(std::abs(r.y - (height - r.y - r.height)) <= 2);
    }
  }

  GIVEN("four tiles on a 16:9 canvas") {
    const auto [width, height] = GENERATE(table<int, int>({{1280, 720}, {640, 360}, {1920, 1080}}));
    CAPTURE(width, height);
    const auto tiles = gridLayout(4, width, height);
    THEN("they form a 2 x 2 grid") {
      std::set<int> xs, ys;
      for (const Rect& r : tiles) {
        xs.insert(r.x);
        ys.insert(r.y);
      }
      CHECK(xs.size() == 2);
      CHECK(ys.size() == 2);
    }
  }

  GIVEN("a 1280 x 720 canvas") {
    // count, expected columns, expected rows
    const auto [count, columns, rows] = GENERATE(table<int, std::size_t, std::size_t>({
        {1, 1, 1},   {2, 2, 1},   {3, 2, 2},   {4, 2, 2},   {5, 3, 2},   {6, 3, 2},
        {7, 3, 3},   {8, 3, 3},   {9, 3, 3},   {10, 4, 3},  {11, 4, 3},  {12, 4, 3},
        {13, 4, 4},  {14, 4, 4},  {15, 4, 4},  {16, 4, 4},
    }));
    CAPTURE(count);
    const auto grid = rowsOf(gridLayout(count, 1280, 720));
    THEN("the grid has the expected shape") {
      REQUIRE_FALSE(grid.empty());
      CHECK(grid.front().size() == columns);
      CHECK(grid.size() == rows);
    }
  }

  GIVEN("a portrait 360 x 640 canvas") {
    THEN("two tiles are stacked rather than put side by side") {
      const auto grid = rowsOf(gridLayout(2, 360, 640));
      CHECK(grid.size() == 2);
    }
  }

  GIVEN("more tiles") {
    THEN("no tile grows when a participant joins") {
      const auto [width, height] = GENERATE(table<int, int>({
          {1280, 720}, {640, 360}, {1920, 1080}, {360, 640}, {320, 240}}));
      CAPTURE(width, height);
      for (int count = 2; count <= 16; ++count) {
        CAPTURE(count);
        CHECK(gridLayout(count, width, height).front().width <= gridLayout(count - 1, width, height).front().width);
      }
    }
  }
}

SCENARIO("gridLayout with other gaps", "[mixer][TileLayout]") {
  const int gap = GENERATE(0, 2, 4, 16);
  const int count = GENERATE(1, 2, 3, 5, 7, 16);
  const auto [width, height] = GENERATE(table<int, int>({{1280, 720}, {360, 640}}));
  CAPTURE(gap, count, width, height);
  const auto tiles = gridLayout(count, width, height, gap);

  THEN("the tiles are all there, inside the canvas, even and apart") {
    REQUIRE(tiles.size() == static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      const Rect& r = tiles[i];
      CAPTURE(r);
      CHECK(r.x >= gap);
      CHECK(r.y >= gap);
      CHECK(r.x + r.width <= width - gap);
      CHECK(r.y + r.height <= height - gap);
      CHECK(r.x % 2 == 0);
      CHECK(r.y % 2 == 0);
      CHECK(r.width % 2 == 0);
      CHECK(r.height % 2 == 0);
      for (std::size_t j = i + 1; j < tiles.size(); ++j) CHECK_FALSE(overlaps(r, tiles[j]));
    }
  }

  THEN("a larger gap never gives larger tiles") {
    const auto tighter = gridLayout(count, width, height, gap / 2);
    CHECK(tiles.front().width <= tighter.front().width);
  }
}

SCENARIO("gridLayout with nothing to lay out", "[mixer][TileLayout]") {
  const auto [count, width, height] = GENERATE(table<int, int, int>({
      {0, 1280, 720},
      {-1, 1280, 720},
      {-100, 640, 360},
      {4, 0, 720},
      {4, 1280, 0},
      {4, -1280, 720},
      {4, 1280, -720},
  }));
  CAPTURE(count, width, height);
  THEN("the layout is empty") { CHECK(gridLayout(count, width, height).empty()); }
}

SCENARIO("gridLayout is deterministic", "[mixer][TileLayout]") {
  const int count = GENERATE(range(1, 17));
  CHECK(gridLayout(count, 1280, 720) == gridLayout(count, 1280, 720));
}

SCENARIO("speakerLayout shows one tile large above a strip of the others", "[mixer][TileLayout]") {
  const auto [width, height] = GENERATE(table<int, int>({
      {1280, 720},
      {640, 360},
      {1920, 1080},
      {360, 640},  // portrait (phone)
      {320, 240},
  }));
  const int count = GENERATE(range(2, 17));
  const int focus = GENERATE_COPY(0, count / 2, count - 1);
  CAPTURE(width, height, count, focus);

  const std::vector<Rect> tiles = speakerLayout(count, focus, width, height);
  CAPTURE(tiles);
  REQUIRE(tiles.size() == static_cast<std::size_t>(count));
  const Rect& large = tiles[static_cast<std::size_t>(focus)];

  THEN("every tile lies inside the canvas, at least one gap from its edge, even and 16:9") {
    for (const Rect& r : tiles) {
      CAPTURE(r);
      CHECK(r.width > 0);
      CHECK(r.height > 0);
      CHECK(r.x >= kGap);
      CHECK(r.y >= kGap);
      CHECK(r.x + r.width <= width - kGap);
      CHECK(r.y + r.height <= height - kGap);
      CHECK(r.x % 2 == 0);
      CHECK(r.y % 2 == 0);
      CHECK(r.width % 2 == 0);
      CHECK(r.height % 2 == 0);
      CHECK(std::abs(r.height - r.width * 9.0 / 16.0) <= 2.0);
    }
  }

  THEN("no two tiles overlap, and neighbours are at least one gap apart") {
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      for (std::size_t j = i + 1; j < tiles.size(); ++j) {
        CAPTURE(tiles[i], tiles[j]);
        const Rect grown{tiles[i].x - kGap + 1, tiles[i].y - kGap + 1, tiles[i].width + 2 * kGap - 2,
                         tiles[i].height + 2 * kGap - 2};
        CHECK_FALSE(overlaps(grown, tiles[j]));
      }
    }
  }

  THEN("the focus tile is larger than every other and at least as large as a grid tile") {
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      if (static_cast<int>(i) == focus) continue;
      CHECK(tiles[i].width < large.width);
    }
    CHECK(large.width >= gridLayout(count, width, height).front().width);
  }

  THEN("the others are all the same size, below the focus tile, in tile order") {
    std::vector<Rect> strip;
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      if (static_cast<int>(i) != focus) strip.push_back(tiles[i]);
    }
    for (std::size_t i = 0; i < strip.size(); ++i) {
      CAPTURE(strip[i]);
      CHECK(strip[i].width == strip.front().width);
      CHECK(strip[i].y >= large.y + large.height + kGap);
      if (i > 0) CHECK((strip[i].y > strip[i - 1].y || (strip[i].y == strip[i - 1].y && strip[i].x > strip[i - 1].x)));
    }
  }

  THEN("the focus tile is centred horizontally") {
    CHECK(std::abs(large.x - (width - large.x - large.width)) <= 2);
  }
}

SCENARIO("speakerLayout on a 16:9 canvas makes the large tile most of the picture", "[mixer][TileLayout]") {
  const auto tiles = speakerLayout(3, 1, 640, 360);
  REQUIRE(tiles.size() == 3);
  CHECK(tiles[1].width >= 400);
  CHECK(tiles[0].width <= 160);  // a strip tile is at most a quarter of the width
  CHECK(tiles[0].y == tiles[2].y);
}

SCENARIO("speakerLayout with one participant or nothing to lay out", "[mixer][TileLayout]") {
  THEN("one participant is gridLayout's single tile, whatever the focus") {
    const int focus = GENERATE(-1, 0, 1, 5);
    CHECK(speakerLayout(1, focus, 1280, 720) == gridLayout(1, 1280, 720));
  }
  THEN("a focus out of range counts as the first tile") {
    CHECK(speakerLayout(4, 7, 1280, 720) == speakerLayout(4, 0, 1280, 720));
    CHECK(speakerLayout(4, -2, 1280, 720) == speakerLayout(4, 0, 1280, 720));
  }
  THEN("no tiles or no canvas gives an empty layout") {
    CHECK(speakerLayout(0, 0, 1280, 720).empty());
    CHECK(speakerLayout(3, 0, 0, 720).empty());
    CHECK(speakerLayout(3, 0, 1280, -1).empty());
  }
  THEN("a canvas too small for a strip falls back to the grid") {
    CHECK(speakerLayout(16, 0, 40, 30, 8) == gridLayout(16, 40, 30, 8));
  }
}

// The phones' portrait composite (540x960): every layout keeps tiles inside the canvas, apart,
// even, and faces larger than the 16:9 composite would show them on a 360 px wide screen.
SCENARIO("every layout on the portrait composite of phones", "[mixer][TileLayout][portrait]") {
  const int width = 540;
  const int height = 960;
  auto sane = [&](const std::vector<Rect>& tiles) {
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      const Rect& t = tiles[i];
      INFO("tile " << i << " " << Catch::StringMaker<Rect>::convert(t));
      CHECK(t.x >= 0);
      CHECK(t.y >= 0);
      CHECK(t.x + t.width <= width);
      CHECK(t.y + t.height <= height);
      CHECK(t.x % 2 == 0);
      CHECK(t.y % 2 == 0);
      CHECK(t.width % 2 == 0);
      CHECK(t.height % 2 == 0);
      for (std::size_t j = i + 1; j < tiles.size(); ++j) CHECK_FALSE(overlaps(t, tiles[j]));
    }
  };
  for (int count = 1; count <= 25; ++count) {
    INFO(count << " tiles");
    sane(gridLayout(count, width, height));
    for (int focus = 0; focus < count; ++focus) sane(speakerLayout(count, focus, width, height));
    const auto presented = presentationLayout(count, width, height);
    sane(presented.tiles);
    // The presentation across the top, the tiles below it.
    CHECK(presented.presentation.width >= width - 2 * kGap);
    for (const Rect& t : presented.tiles) CHECK(t.y >= presented.presentation.y + presented.presentation.height);
  }
  THEN("up to four people are stacked in one column, each tile wider than a 360 px screen's 16:9 tile") {
    for (int count = 1; count <= 4; ++count) {
      const auto tiles = gridLayout(count, width, height);
      for (const Rect& t : tiles) CHECK(t.x == tiles[0].x);
      // On a 360 px wide phone the portrait composite is shown 360/540 of its size; the 16:9
      // composite's tiles for 2 people would be 180 px wide there.
      CHECK(tiles[0].width * 360 / width > 180 * 3 / 2);
    }
  }
  THEN("nothing presented to a phone takes the whole canvas when there are no tiles") {
    CHECK(presentationLayout(0, width, height).presentation == Rect{8, 8, 524, 944});
  }
}
