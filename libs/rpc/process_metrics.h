// What every daemon exports besides its calls: the build it runs, the process's CPU, memory
// and file descriptors under the names Prometheus client libraries give them, and the
// admission figures (admission.h). docs/operations.md lists each one.
#ifndef COLLECTONCE_LIBS_RPC_PROCESS_METRICS_H_
#define COLLECTONCE_LIBS_RPC_PROCESS_METRICS_H_

#include <string>

#include "libs/rpc/admission.h"
#include "libs/rpc/metrics.h"

namespace collectonce::rpc {

// The project's version (CMake's project version).
const char* BuildVersion();

// collectonce_build_info{component,version} 1, and from /proc/self at scrape time:
// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds.
void AddProcessMetrics(RpcMetrics* metrics, const std::string& component);

// collectonce_rpc_in_flight (admitted calls in progress) and
// collectonce_rpc_overload_refused_total. `admission` must outlive `metrics`' scrapes.
void AddAdmissionMetrics(RpcMetrics* metrics, const Admission* admission);

namespace internal {
// The figures of /proc/self/stat's text (after the command name), for tests.
struct ProcStat {
  double cpu_seconds = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
  double start_ticks = 0;  // clock ticks after boot
};
bool ParseProcStat(const std::string& stat, long ticks_per_second, long page_bytes, ProcStat* out);
}  // namespace internal

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_PROCESS_METRICS_H_
