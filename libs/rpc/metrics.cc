#include "libs/rpc/metrics.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/support/status.h"

namespace collectonce::rpc {

namespace {

const char* CodeName(int code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                 "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                                 "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
}

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using H = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(H::PRE_SEND_STATUS)) {
      code_ = static_cast<int>(methods->GetSendStatus().error_code());
    }
    if (methods->QueryInterceptionHookPoint(H::POST_RECV_CLOSE)) closed_ = true;
    if (methods->QueryInterceptionHookPoint(H::PRE_SEND_STATUS)) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_->Record(method_, code_, s);
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
  int code_ = 0;
  bool closed_ = false;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(RpcMetrics* m) : m_(m) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(m_, info->method());
  }

 private:
  RpcMetrics* m_;
};

}  // namespace

RpcMetrics::RpcMetrics() = default;

void RpcMetrics::Record(const std::string& method, int code, double seconds) {
  absl::MutexLock lock(&mu_);
  ++calls_[{method, code}];
  Histogram& h = latency_[method];
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

void RpcMetrics::AddGauge(std::string name, std::string help, std::function<double()> value) {
  absl::MutexLock lock(&mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(value)});
}

std::string RpcMetrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  absl::StrAppend(&out, "# HELP collectonce_rpc_requests_total RPCs finished, by method and code.\n",
                  "# TYPE collectonce_rpc_requests_total counter\n");
  for (const auto& [key, n] : calls_) {
    absl::StrAppend(&out, "collectonce_rpc_requests_total{method=\"", key.first, "\",code=\"",
                    CodeName(key.second), "\"} ", n, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP collectonce_rpc_latency_seconds RPC latency from the first hook to "
                  "the status, by method.\n",
                  "# TYPE collectonce_rpc_latency_seconds histogram\n");
  for (const auto& [method, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      absl::StrAppend(&out, "collectonce_rpc_latency_seconds_bucket{method=\"", method,
                      "\",le=\"", absl::StrFormat("%g", kBuckets[i]), "\"} ", h.buckets[i], "\n");
    }
    absl::StrAppend(&out, "collectonce_rpc_latency_seconds_bucket{method=\"", method,
                    "\",le=\"+Inf\"} ", h.count, "\n");
    absl::StrAppend(&out, "collectonce_rpc_latency_seconds_sum{method=\"", method, "\"} ",
                    absl::StrFormat("%.6f", h.sum), "\n");
    absl::StrAppend(&out, "collectonce_rpc_latency_seconds_count{method=\"", method, "\"} ",
                    h.count, "\n");
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
  for (const auto& g : gauges_) {
    absl::StrAppend(&out, "# HELP ", g.name, " ", g.help, "\n# TYPE ", g.name, " gauge\n", g.name,
                    " ", absl::StrFormat("%.17g", g.value()), "\n");
  }
  return out;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcMetrics::InterceptorFactory() {
  return std::make_unique<Factory>(this);
}

}  // namespace collectonce::rpc
