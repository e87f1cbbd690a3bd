// SPDX-License-Identifier: EUPL-1.2
#pragma once
// FUZZ_CHECK: a property every input must keep; when it does not, the harness aborts so that
// libFuzzer records the input as a crash (with the condition and line printed first).
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                       \
  do {                                                                                              \
    if (!(condition)) {                                                                             \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #condition);       \
      std::abort();                                                                                 \
    }                                                                                               \
  } while (false)
