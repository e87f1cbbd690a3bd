// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Client text (a message type, a JSON parser's complaint, a request URI, a field name) made safe
// to write into a log line or an error message: one line, nothing a terminal or log viewer
// interprets. Control characters (C0, DEL, C1), the Unicode line and paragraph separators and
// the bidirectional overrides become escapes (\n, \r, \t, \xNN, \u2028), a backslash is doubled
// (so that an escape cannot be forged), bytes that are not UTF-8 become \xNN, and the text is cut
// after `maxBytes` of input (at a character boundary) with "..." appended.
#include <cstddef>
#include <string>
#include <string_view>

namespace plenum::signaling {

std::string logText(std::string_view text, std::size_t maxBytes = 256);

}  // namespace plenum::signaling
