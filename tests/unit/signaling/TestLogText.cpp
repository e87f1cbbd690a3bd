// SPDX-License-Identifier: EUPL-1.2
// Tests of signaling/LogText: client text becomes one printable log line (no forged lines, no
// terminal escapes, no reordering by bidirectional controls), cut at a character boundary.
#include "signaling/LogText.hpp"

#include <catch2/catch.hpp>

#include <string>

using plenum::signaling::logText;

TEST_CASE("printable text is kept as it is", "[signaling][logtext]") {
  CHECK(logText("Gemeinderat 2024") == "Gemeinderat 2024");
  CHECK(logText("Übersicht – Größe 😀") == "Übersicht – Größe 😀");
  CHECK(logText("") == "");
}

TEST_CASE("control characters are escaped", "[signaling][logtext]") {
  const auto [input, expected] = GENERATE(table<std::string, std::string>({
      {"a\nb", R"(a\nb)"},
      {"a\r\nforged line", R"(a\r\nforged line)"},
      {"tab\there", R"(tab\there)"},
      {std::string("nul\0x", 5), R"(nul\x00x)"},
      {"\x1b[2Jclear", R"(\x1b[2Jclear)"},
      {"del\x7f", R"(del\x7f)"},
      {"back\\slash", R"(back\\slash)"},  // doubled: "\n" typed by a client stays tellable
      {"next\xc2\x85line", R"(next\u0085line)"},      // C1 NEL
      {"line\xe2\x80\xa8sep", R"(line\u2028sep)"},    // Unicode line separator
      {"para\xe2\x80\xa9sep", R"(para\u2029sep)"},
      {"abc\xe2\x80\xae" "dcba", R"(abc\u202edcba)"},    // right-to-left override
      {"iso\xe2\x81\xa6x", R"(iso\u2066x)"},
  }));
  CAPTURE(input);
  CHECK(logText(input) == expected);
}

TEST_CASE("bytes that are not UTF-8 are escaped one by one", "[signaling][logtext]") {
  CHECK(logText("a\xff" "b") == R"(a\xffb)");
  CHECK(logText("\xc3") == R"(\xc3)");                 // a cut sequence
  CHECK(logText("\xc0\xaf") == R"(\xc0\xaf)");          // overlong
  CHECK(logText("\xed\xa0\x80") == R"(\xed\xa0\x80)");  // a surrogate
}

TEST_CASE("long text is cut at a character boundary", "[signaling][logtext]") {
  CHECK(logText(std::string(300, 'x')) == std::string(256, 'x') + "...");
  CHECK(logText("abcdef", 3) == "abc...");
  CHECK(logText("abc", 3) == "abc");
  // "ä" is two bytes: it does not fit after "ab" within 3 bytes and is left out whole.
  CHECK(logText("abä", 3) == "ab...");
  // The limit counts input bytes; escapes may make the output longer, never more lines.
  CHECK(logText("\n\n\n\n", 2) == R"(\n\n...)");
}
