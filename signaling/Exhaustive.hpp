// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Whether a handler (a struct with one operator() per message type) can take every alternative
// of a std::variant. Dispatchers state it with a static_assert, so that a message type added to
// the variant without a handler is a compile-time error, not a silent drop; a handler must
// then have no catch-all (no template operator()).
#include <type_traits>
#include <variant>

namespace plenum::signaling {

template <class Handler, class Variant>
struct HandlesEvery : std::false_type {};

template <class Handler, class... Alternatives>
struct HandlesEvery<Handler, std::variant<Alternatives...>>
    : std::bool_constant<(std::is_invocable_v<Handler&, const Alternatives&> && ...)> {};

template <class Handler, class Variant>
concept HandlesEveryAlternative = HandlesEvery<Handler, Variant>::value;

}  // namespace plenum::signaling
