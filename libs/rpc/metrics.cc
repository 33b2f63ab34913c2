#include "libs/rpc/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace collectonce::rpc {

const char* CodeName(int code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
}

RpcMetrics::RpcMetrics() : RpcMetrics("collectonce_rpc", "RPCs finished") {}

RpcMetrics::RpcMetrics(std::string prefix, std::string what)
    : prefix_(std::move(prefix)), what_(std::move(what)) {}

void RpcMetrics::Record(const std::string& method, int code, double seconds) {
  absl::MutexLock lock(&mu_);
  ++calls_[{method, code}];
  Histogram& h = latency_[{method, code}];
  ++h.count;
  h.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
}

void RpcMetrics::Count(const std::string& name, const std::string& help, const std::string& label,
                       const std::string& value, int64_t delta) {
  absl::MutexLock lock(&mu_);
  Counter& c = counters_[name];
  c.help = help;
  c.label = label;
  c.values[value] += delta;
}

void RpcMetrics::AddGauge(std::string name, std::string help, std::function<double()> value,
                          std::string labels) {
  absl::MutexLock lock(&mu_);
  gauges_.push_back(
      {std::move(name), std::move(help), "gauge", std::move(labels), std::move(value)});
}

void RpcMetrics::AddCounterFunction(std::string name, std::string help,
                                    std::function<double()> value) {
  absl::MutexLock lock(&mu_);
  gauges_.push_back({std::move(name), std::move(help), "counter", "", std::move(value)});
}

std::string RpcMetrics::Render() const {
  std::vector<Gauge> gauges;
  std::string out;
  {
    absl::MutexLock lock(&mu_);
    gauges = gauges_;
    const std::string requests = absl::StrCat(prefix_, "_requests_total");
    const std::string latency = absl::StrCat(prefix_, "_latency_seconds");
    absl::StrAppend(&out, "# HELP ", requests, " ", what_, ", by method and status code.\n",
                    "# TYPE ", requests, " counter\n");
    for (const auto& [key, n] : calls_) {
      absl::StrAppend(&out, requests, "{method=\"", key.first, "\",code=\"", CodeName(key.second),
                      "\"} ", n, "\n");
    }
    absl::StrAppend(&out, "# HELP ", latency, " ", what_,
                    ": latency from the start of the call to its status, by method and status "
                    "code.\n",
                    "# TYPE ", latency, " histogram\n");
    for (const auto& [key, h] : latency_) {
      const std::string labels =
          absl::StrCat("method=\"", key.first, "\",code=\"", CodeName(key.second), "\"");
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        absl::StrAppend(&out, latency, "_bucket{", labels, ",le=\"",
                        absl::StrFormat("%g", kBuckets[i]), "\"} ", h.buckets[i], "\n");
      }
      absl::StrAppend(&out, latency, "_bucket{", labels, ",le=\"+Inf\"} ", h.count, "\n");
      absl::StrAppend(&out, latency, "_sum{", labels, "} ", absl::StrFormat("%.6f", h.sum), "\n");
      absl::StrAppend(&out, latency, "_count{", labels, "} ", h.count, "\n");
    }
    for (const auto& [name, c] : counters_) {
      absl::StrAppend(&out, "# HELP ", name, " ", c.help, "\n# TYPE ", name, " counter\n");
      for (const auto& [value, n] : c.values) {
        std::string escaped;
        for (char ch : value) {
          if (ch == '\\' || ch == '"') escaped.push_back('\\');
          if (ch == '\n') {
            escaped += "\\n";
            continue;
          }
          escaped.push_back(ch);
        }
        absl::StrAppend(&out, name, "{", c.label, "=\"", escaped, "\"} ", n, "\n");
      }
    }
  }
  // Value functions may take other locks (the store's); never call them under mu_.
  for (const auto& g : gauges) {
    absl::StrAppend(&out, "# HELP ", g.name, " ", g.help, "\n# TYPE ", g.name, " ", g.type, "\n",
                    g.name, g.labels.empty() ? "" : absl::StrCat("{", g.labels, "}"), " ",
                    absl::StrFormat("%.17g", g.value()), "\n");
  }
  return out;
}

}  // namespace collectonce::rpc
