// SPDX-License-Identifier: EUPL-1.2
#include "appliance/JsonIntegers.hpp"

#include <cctype>

namespace plenum::appliance {

namespace {
bool isDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::optional<std::string> integerBeyond64Bits(std::string_view json) {
  std::string lastString;
  std::string key;
  std::size_t i = 0;
  while (i < json.size()) {
    const char c = json[i];
    if (c == '"') {
      lastString.clear();
      ++i;
      while (i < json.size() && json[i] != '"') {
        if (json[i] == '\\' && i + 1 < json.size()) ++i;  // the escaped character is kept as it is
        if (lastString.size() < 64) lastString += json[i];
        ++i;
      }
      ++i;  // the closing quote
      std::size_t next = i;
      while (next < json.size() && std::isspace(static_cast<unsigned char>(json[next]))) ++next;
      if (next < json.size() && json[next] == ':') key = lastString;
      continue;
    }
    if (c != '-' && !isDigit(c)) {
      ++i;
      continue;
    }
    const bool negative = c == '-';
    std::size_t start = negative ? i + 1 : i;
    std::size_t end = start;
    while (end < json.size() && isDigit(json[end])) ++end;
    const bool integer = end >= json.size() || (json[end] != '.' && json[end] != 'e' && json[end] != 'E');
    if (integer) {
      while (start + 1 < end && json[start] == '0') ++start;  // JSON has no leading zeros; to be safe
      const std::string_view digits = json.substr(start, end - start);
      const std::string_view limit = negative ? "9223372036854775808" : "9223372036854775807";
      if (digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit)) return key;
    }
    i = end;
    while (i < json.size() && (isDigit(json[i]) || json[i] == '.' || json[i] == 'e' || json[i] == 'E' ||
                               json[i] == '+' || json[i] == '-')) {
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace plenum::appliance
