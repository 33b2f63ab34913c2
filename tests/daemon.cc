#include "tests/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace collectonce::testing {

pid_t SpawnProcess(const std::string& binary, std::vector<std::string> argv_with_name,
                   const std::string& log_path) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  dup2(fd, 2);
  dup2(fd, 1);
  std::vector<char*> argv;
  for (auto& a : argv_with_name) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  _exit(127);
}

absl::StatusOr<Daemon> Daemon::Start(const std::string& binary, std::vector<std::string> args,
                                     const std::string& log_path, std::chrono::seconds timeout) {
  auto given = [&args](const char* flag) {
    return std::find(args.begin(), args.end(), flag) != args.end();
  };
  const bool listen_given = given("--listen"), admin_given = given("--admin-listen");
  if (!listen_given) args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  if (!admin_given) args.insert(args.end(), {"--admin-listen", "127.0.0.1:0"});
  return Spawn(binary, std::move(args), log_path, timeout,
               std::regex(R"(serving gRPC on ([0-9.]+:[0-9]+), admin on ([0-9.]+:[0-9]+))"));
}

absl::StatusOr<Daemon> Daemon::StartConsole(const std::string& binary,
                                            std::vector<std::string> args,
                                            const std::string& log_path,
                                            std::chrono::seconds timeout) {
  if (std::find(args.begin(), args.end(), "--listen") == args.end()) {
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  }
  return Spawn(binary, std::move(args), log_path, timeout,
               std::regex(R"(serving HTTPS? on (https?://[0-9.]+:[0-9]+/))"));
}

absl::StatusOr<Daemon> Daemon::Spawn(const std::string& binary, std::vector<std::string> args,
                                     const std::string& log_path, std::chrono::seconds timeout,
                                     const std::regex& ready) {
  args.insert(args.begin(), binary);
  Daemon d;
  d.log_path_ = log_path;
  // Truncate here, not in the child, so that an earlier run's lines are never read.
  std::ofstream(log_path, std::ios::trunc).close();
  const pid_t pid = SpawnProcess(binary, std::move(args), log_path);
  if (pid < 0) return absl::InternalError("fork failed");
  d.pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string log = d.Log();
    if (std::regex_search(log, m, ready)) {
      d.grpc_address_ = m[1];
      if (m.size() > 2) d.admin_address_ = m[2];
      return d;
    }
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      d.pid_ = -1;
      return absl::FailedPreconditionError(absl::StrCat(binary, " exited early: ", log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(binary, " did not start in time: ", d.Log()));
}

Daemon::Daemon(Daemon&& o) noexcept
    : pid_(o.pid_),
      kept_(o.kept_),
      grpc_address_(std::move(o.grpc_address_)),
      admin_address_(std::move(o.admin_address_)),
      log_path_(std::move(o.log_path_)) {
  o.pid_ = -1;
  o.kept_ = true;
}

Daemon::~Daemon() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  KeepLog();
}

void Daemon::KeepLog() {
  if (kept_ || log_path_.empty()) return;
  kept_ = true;
  KeepTestOutput(std::filesystem::path(log_path_).filename().string(), Log());
}

void KeepTestOutput(absl::string_view name, absl::string_view text) {
  const char* dir = std::getenv("COLLECTONCE_TEST_LOG_DIR");
  if (dir == nullptr || *dir == '\0' || text.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // ctest runs one test per process: the binary and pid tell the test's files apart.
  std::string file = absl::StrCat(program_invocation_short_name, "-", getpid(), "-", name);
  for (char& c : file) {
    if (c == '/') c = '_';
  }
  std::ofstream out(std::filesystem::path(dir) / file, std::ios::app | std::ios::binary);
  out << text;
  if (text.back() != '\n') out << '\n';
}

absl::StatusOr<int> Daemon::Stop(int signal, std::chrono::seconds timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      KeepLog();
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::DeadlineExceededError("the daemon did not exit in time");
}

std::string Daemon::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& path) {
  auto colon = address.rfind(':');
  httplib::Client cli(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  cli.set_connection_timeout(5);
  cli.set_read_timeout(5);
  auto res = cli.Get(path.c_str());
  if (!res) return absl::UnavailableError(absl::StrCat("GET ", path, " failed"));
  return absl::StrCat(res->status, " ", res->body);
}

ShellResult RunShell(const std::string& command) {
  ShellResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace collectonce::testing
