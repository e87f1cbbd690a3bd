// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Poco's JSON parser does not refuse integers that do not fit 64 bits: 2^63..2^64-1 become an
// unsigned value (which a long long cannot take), larger ones wrap around (2^64 + 5 reads as 5)
// and ones below -2^63 are clamped. So a REST request's body is checked first (ApiExchange): one
// with such an integer literal is refused, naming its field.
#include <optional>
#include <string>
#include <string_view>

namespace plenum::appliance {

// The name of the field (the nearest key before it; "" if none) of the first integer literal
// in `json` outside [-2^63, 2^63 - 1], or nullopt when there is none. Fractions and exponents
// (which the parser reads as doubles) are not integers here.
std::optional<std::string> integerBeyond64Bits(std::string_view json);

}  // namespace plenum::appliance
