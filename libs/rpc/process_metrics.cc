#include "libs/rpc/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#ifndef COLLECTONCE_VERSION
#define COLLECTONCE_VERSION "unknown"
#endif

namespace collectonce::rpc {

namespace internal {

bool ParseProcStat(const std::string& stat, long ticks_per_second, long page_bytes, ProcStat* out) {
  // "pid (comm) state ppid ...": the command name may hold spaces and parentheses, so the
  // fields are counted from the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || ticks_per_second <= 0) return false;
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::string_view(stat).substr(close + 1), ' ', absl::SkipEmpty());
  // f[0] is field 3 (state): field N is f[N - 3].
  if (f.size() < 22) return false;
  double utime, stime, start, vsize, rss;
  if (!absl::SimpleAtod(f[11], &utime) || !absl::SimpleAtod(f[12], &stime) ||
      !absl::SimpleAtod(f[19], &start) || !absl::SimpleAtod(f[20], &vsize) ||
      !absl::SimpleAtod(f[21], &rss)) {
    return false;
  }
  out->cpu_seconds = (utime + stime) / static_cast<double>(ticks_per_second);
  out->start_ticks = start;
  out->virtual_bytes = vsize;
  out->resident_bytes = rss * static_cast<double>(page_bytes);
  return true;
}

}  // namespace internal

namespace {

internal::ProcStat ReadProcStat() {
  std::ifstream in("/proc/self/stat");
  std::stringstream ss;
  ss << in.rdbuf();
  internal::ProcStat s;
  internal::ParseProcStat(ss.str(), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), &s);
  return s;
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    double t;
    if (line.rfind("btime ", 0) == 0 && absl::SimpleAtod(line.substr(6), &t)) return t;
  }
  return 0;
}

double OpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  double n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

const char* BuildVersion() { return COLLECTONCE_VERSION; }

void AddProcessMetrics(RpcMetrics* metrics, const std::string& component) {
  metrics->AddGauge(
      "collectonce_build_info", "The build running: always 1, with its version as a label.",
      [] { return 1.0; },
      absl::StrCat("component=\"", component, "\",version=\"", BuildVersion(), "\""));
  metrics->AddCounterFunction(
      "process_cpu_seconds_total", "User and system CPU time spent, in seconds.", [] {
        // Every thread's, to the nanosecond: /proc counts 10 ms ticks, and a quiet daemon
        // would read 0.
        timespec t{};
        if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0) {
          return ReadProcStat().cpu_seconds;
        }
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
      });
  metrics->AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                    [] { return ReadProcStat().resident_bytes; });
  metrics->AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                    [] { return ReadProcStat().virtual_bytes; });
  metrics->AddGauge("process_open_fds", "Open file descriptors.", [] { return OpenFds(); });
  metrics->AddGauge("process_max_fds", "The limit of open file descriptors.", [] {
    rlimit r{};
    return getrlimit(RLIMIT_NOFILE, &r) == 0 ? static_cast<double>(r.rlim_cur) : 0.0;
  });
  const double start =
      BootTimeSeconds() + ReadProcStat().start_ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  metrics->AddGauge("process_start_time_seconds",
                    "Start time of the process since the Unix epoch, in seconds.",
                    [start] { return start; });
}

void AddAdmissionMetrics(RpcMetrics* metrics, const Admission* admission) {
  metrics->AddGauge(
      "collectonce_rpc_in_flight",
      "Admitted calls in progress, open watch streams included (refused calls and probes are "
      "not counted).",
      [admission] { return static_cast<double>(admission->in_flight()); });
  metrics->AddCounterFunction("collectonce_rpc_overload_refused_total",
                              "Calls refused with RESOURCE_EXHAUSTED (OVERLOADED) since start.",
                              [admission] { return static_cast<double>(admission->refused()); });
}

}  // namespace collectonce::rpc
