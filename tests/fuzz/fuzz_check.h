// FUZZ_CHECK: an invariant of a fuzz target. A failure prints the condition and aborts, so
// libFuzzer saves the input as a crash.
#ifndef COLLECTONCE_TESTS_FUZZ_FUZZ_CHECK_H_
#define COLLECTONCE_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

#endif  // COLLECTONCE_TESTS_FUZZ_FUZZ_CHECK_H_
