#include "libs/rpc/call_observer.h"

#include <chrono>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/rpc/caller.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/process_metrics.h"
#include "libs/rpc/trace.h"

namespace collectonce::rpc {

namespace {

using Hook = grpc::experimental::InterceptionHookPoints;

std::string Header(const std::multimap<grpc::string_ref, grpc::string_ref>& md,
                   absl::string_view name) {
  auto it = md.find(grpc::string_ref(name.data(), name.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

LogLevel LevelFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
      return LogLevel::kError;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return LogLevel::kWarning;
    default:
      return LogLevel::kInfo;
  }
}

class CallObserver : public grpc::experimental::Interceptor {
 public:
  CallObserver(const CallObserverOptions& options, grpc::experimental::ServerRpcInfo* info)
      : options_(options),
        context_(info->server_context()),
        method_(info->method()),
        start_(std::chrono::steady_clock::now()) {}

  ~CallObserver() override {
    if (bound_) internal::UnbindCallTrace(context_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_INITIAL_METADATA)) {
      const auto* md = methods->GetRecvInitialMetadata();
      if (md != nullptr) StartSpan(*md);
    }
    // Every answer names the build that gave it (`registryctl version` shows it).
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_INITIAL_METADATA)) {
      auto* md = methods->GetSendInitialMetadata();
      if (md != nullptr) md->emplace(kServerVersionHeader, BuildVersion());
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      Finish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void StartSpan(const std::multimap<grpc::string_ref, grpc::string_ref>& md) {
    auto parent = TraceContext::Parse(Header(md, kTraceparentHeader));
    trace_ = parent ? parent->Child() : TraceContext::Start();
    request_id_ = Header(md, kRequestIdHeader).substr(0, 128);
    if (context_ != nullptr) {
      internal::BindCallTrace(context_, trace_);
      bound_ = true;
    }
  }

  void Finish(const grpc::Status& status) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const int code = static_cast<int>(status.error_code());
    options_.metrics->Record(method_, code, seconds);
    if (options_.access_log == nullptr) return;
    if (trace_.trace_id.empty()) trace_ = TraceContext::Start();  // no metadata arrived
    std::string principal, on_behalf_of;
    if (context_ != nullptr) {
      auto caller = IdentifyCaller(*context_, options_.insecure);
      if (caller.ok()) {
        principal = caller->peer;
        on_behalf_of = caller->on_behalf_of;
      }
    }
    std::vector<LogField> fields = {
        {"request_id", request_id_.empty() ? trace_.span_id : request_id_},
        {"principal", principal},
        {"method", method_},
        {"code", CodeName(code)},
        {"duration_ms", seconds * 1000.0},
        LogField::Verbatim("trace_id", trace_.trace_id),
        LogField::Verbatim("span_id", trace_.span_id),
    };
    if (!on_behalf_of.empty()) fields.emplace_back("on_behalf_of", on_behalf_of);
    if (!trace_.parent_span_id.empty()) {
      fields.push_back(LogField::Verbatim("parent_span_id", trace_.parent_span_id));
    }
    if (!status.ok()) {
      RpcError e = FromGrpc(status);
      if (!e.reason.empty()) fields.emplace_back("reason", e.reason);
      fields.emplace_back("error", status.error_message());  // masked by the logger
    }
    options_.access_log->Log(LevelFor(status.error_code()), "rpc", fields);
  }

  const CallObserverOptions options_;
  const grpc::ServerContextBase* context_;
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
  TraceContext trace_;
  std::string request_id_;
  bool bound_ = false;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(CallObserverOptions options) : options_(options) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallObserver(options_, info);
  }

 private:
  CallObserverOptions options_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> CallObserverFactory(
    CallObserverOptions options) {
  return std::make_unique<Factory>(options);
}

}  // namespace collectonce::rpc
