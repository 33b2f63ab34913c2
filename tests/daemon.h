// Starts a real daemon binary for end-to-end tests: ephemeral loopback ports, its stderr
// captured to a file, bounded waits only.
#ifndef COLLECTONCE_TESTS_DAEMON_H_
#define COLLECTONCE_TESTS_DAEMON_H_

#include <sys/types.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace collectonce::testing {

class Daemon {
 public:
  // Runs `binary args...` with --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 appended (each
  // unless `args` gives it) and
  // waits (at most `timeout`) for its "serving gRPC on HOST:PORT, admin on HOST:PORT" line.
  static absl::StatusOr<Daemon> Start(const std::string& binary, std::vector<std::string> args,
                                      const std::string& log_path,
                                      std::chrono::seconds timeout = std::chrono::seconds(30));
  // Runs the console: `args` with --listen 127.0.0.1:0 appended unless given, and waits for
  // its "serving HTTP(S) on URL" line; url() is that URL.
  static absl::StatusOr<Daemon> StartConsole(
      const std::string& binary, std::vector<std::string> args, const std::string& log_path,
      std::chrono::seconds timeout = std::chrono::seconds(30));
  Daemon(Daemon&& o) noexcept;
  Daemon& operator=(Daemon&&) = delete;
  // Kills the process if it still runs.
  ~Daemon();

  const std::string& grpc_address() const { return grpc_address_; }
  const std::string& admin_address() const { return admin_address_; }
  // The console's URL (StartConsole), e.g. https://127.0.0.1:43121/.
  const std::string& url() const { return grpc_address_; }
  pid_t pid() const { return pid_; }

  // Sends a signal and waits (bounded) for the exit; returns the exit status as
  // waitpid reports it, or DEADLINE_EXCEEDED.
  absl::StatusOr<int> Stop(int signal, std::chrono::seconds timeout = std::chrono::seconds(20));
  std::string Log() const;

 private:
  Daemon() = default;
  // Runs `binary args...` and waits for the first match of `ready`: its first group is the
  // address (or URL), its second, if any, the admin address.
  static absl::StatusOr<Daemon> Spawn(const std::string& binary, std::vector<std::string> args,
                                      const std::string& log_path, std::chrono::seconds timeout,
                                      const std::regex& ready);
  // Copies the log to the kept test output once, when the process has ended.
  void KeepLog();
  pid_t pid_ = -1;
  bool kept_ = false;
  std::string grpc_address_, admin_address_, log_path_;
};

// Forks and runs `binary` with `argv_with_name` (argv[0] first) and its stdout and stderr
// appended to `log_path`. The child's pid, or -1 if fork failed; the caller reaps it.
pid_t SpawnProcess(const std::string& binary, std::vector<std::string> argv_with_name,
                   const std::string& log_path);

// When COLLECTONCE_TEST_LOG_DIR is set (ctest sets it for the end-to-end tests), appends
// `text` to a file of that directory named after `name` and this process, so that the
// scan for personal data (tests/pii) reads every daemon log and CLI error output of the
// run after the tests' own directories are gone. Daemons keep their logs by themselves.
void KeepTestOutput(absl::string_view name, absl::string_view text);

// Runs a command line through the shell; its exit status (-1 if it did not exit) and its
// stdout and stderr together.
struct ShellResult {
  int exit_code = -1;
  std::string out;
};
ShellResult RunShell(const std::string& command);

// GET http://ADDRESS/PATH on loopback; returns "<status> <body>".
absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& path);

}  // namespace collectonce::testing

#endif  // COLLECTONCE_TESTS_DAEMON_H_
