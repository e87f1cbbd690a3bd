// SPDX-License-Identifier: EUPL-1.2
#include "signaling/LogText.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace plenum::signaling {

namespace {

void appendHexByte(std::string& out, unsigned char byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
  out += buffer;
}

void appendCodePoint(std::string& out, std::uint32_t code) {
  char buffer[12];
  std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(code));
  out += buffer;
}

// Length of the well-formed UTF-8 sequence at text[i] (2-4) and its code point, or 0.
std::size_t utf8Sequence(std::string_view text, std::size_t i, std::uint32_t& code) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  std::uint32_t min = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code = lead & 0x1Fu, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code = lead & 0x0Fu, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code = lead & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0u) != 0x80u) return 0;
    code = (code << 6) | (next & 0x3Fu);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// Code points a log viewer or terminal would act on: C1 controls, line and paragraph
// separators, and the bidirectional embeddings, overrides and isolates (text shown out of order).
bool isInvisibleControl(std::uint32_t code) {
  return (code >= 0x80 && code <= 0x9F) || code == 0x2028 || code == 0x2029 || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069) || code == 0x200E || code == 0x200F || code == 0x061C;
}

}  // namespace

std::string logText(std::string_view text, std::size_t maxBytes) {
  std::string out;
  out.reserve(std::min(text.size(), maxBytes) + 8);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (i + 1 > maxBytes) break;
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\\': out += "\\\\"; break;
        default:
          if (c < 0x20 || c == 0x7F) appendHexByte(out, c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::uint32_t code = 0;
    const std::size_t length = utf8Sequence(text, i, code);
    if (i + std::max<std::size_t>(length, 1) > maxBytes) break;
    if (length == 0) {
      appendHexByte(out, c);
      ++i;
      continue;
    }
    if (isInvisibleControl(code)) appendCodePoint(out, code);
    else out.append(text.substr(i, length));
    i += length;
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace plenum::signaling
