// Prometheus text metrics for RPCs: a counter and a latency histogram by method and status
// code, plus counters the services count and values a daemon reads at scrape time (store
// sizes, RocksDB figures, audit log size). Thread-safe.
#ifndef COLLECTONCE_LIBS_RPC_METRICS_H_
#define COLLECTONCE_LIBS_RPC_METRICS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace collectonce::rpc {

// "OK", "INVALID_ARGUMENT", ...: the canonical name of a gRPC status code.
const char* CodeName(int code);

class RpcMetrics {
 public:
  // The served calls of a daemon: collectonce_rpc_requests_total and
  // collectonce_rpc_latency_seconds.
  RpcMetrics();
  // Another set of calls (a client's outgoing calls): PREFIX_requests_total and
  // PREFIX_latency_seconds, described as `what` ("Calls to the registry").
  RpcMetrics(std::string prefix, std::string what);
  void Record(const std::string& method, int code, double seconds);
  // Adds to a counter with one label (label values are escaped when rendered).
  void Count(const std::string& name, const std::string& help, const std::string& label,
             const std::string& value, int64_t delta);
  // A gauge computed at scrape time: name, help, value function, and optionally its labels
  // as written between the braces (`component="registryd",version="0.1.0"`).
  void AddGauge(std::string name, std::string help, std::function<double()> value,
                std::string labels = "");
  // A counter kept elsewhere and read at scrape time (the name should end in _total).
  void AddCounterFunction(std::string name, std::string help, std::function<double()> value);
  // The text exposition format (version 0.0.4). Value functions run outside the lock.
  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  const std::string prefix_, what_;
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, int>, Histogram> latency_ ABSL_GUARDED_BY(mu_);
  struct Gauge {
    std::string name, help, type, labels;
    std::function<double()> value;
  };
  std::vector<Gauge> gauges_ ABSL_GUARDED_BY(mu_);
  struct Counter {
    std::string help, label;
    std::map<std::string, int64_t> values;
  };
  std::map<std::string, Counter> counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_METRICS_H_
