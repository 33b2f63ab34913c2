// Runs the real registryctl binary for end-to-end tests, and splits command lines as a shell
// would, for tests that run the examples of the help and the docs.
#ifndef COLLECTONCE_TESTS_REGISTRYCTL_RUN_H_
#define COLLECTONCE_TESTS_REGISTRYCTL_RUN_H_

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace collectonce::testing {

struct CtlRun {
  int exit_code = -1;  // -1: killed, or did not exit normally
  std::string out, err;
};

// Runs `binary args...` in `cwd` with stdin from `stdin_path`; stdout and stderr go through
// files in `scratch_dir`. Waits at most `timeout`, then kills it (and adds a test failure).
// The error output is kept for the scan for personal data (KeepTestOutput).
CtlRun RunRegistryctl(const std::string& binary, const std::string& cwd,
                      const std::string& scratch_dir, std::vector<std::string> args,
                      const std::string& stdin_path = "/dev/null",
                      std::chrono::seconds timeout = std::chrono::seconds(120));

// "exit N", then stdout and stderr (the first 4,000 bytes of each), for failure messages.
std::string Describe(const CtlRun& r);

// Words of a command line as a shell would split them (quotes, backslash escapes).
std::vector<std::string> ShellWords(absl::string_view line);

}  // namespace collectonce::testing

#endif  // COLLECTONCE_TESTS_REGISTRYCTL_RUN_H_
