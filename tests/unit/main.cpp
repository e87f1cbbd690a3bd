// SPDX-License-Identifier: EUPL-1.2
// The Catch2 runner of plenum_unit_tests; the tests themselves live next to this file in a
// tree that mirrors the source tree.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
